package dev.proxima.io.arrow;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The {@code arrow.fixed_shape_tensor} extension type on its own: identity, metadata both ways, and its limits. */
class FixedShapeTensorTypeTest {

    private static final FixedShapeTensorType NAMED = new FixedShapeTensorType(new long[] {2, 3, 4}, List.of("c", "h", "w"), new int[] {2, 0, 1});

    @Test
    void theLogicalShapeIsThePhysicalOnePermuted() {
        assertArrayEquals(new long[] {4, 2, 3}, NAMED.logicalShape());
        assertArrayEquals(new long[] {2, 3, 4}, NAMED.shape());
        assertEquals(List.of("c", "h", "w"), NAMED.dimNames());
        assertArrayEquals(new int[] {2, 0, 1}, NAMED.permutation());
        FixedShapeTensorType plain = new FixedShapeTensorType(new long[] {5, 7}, null, null);
        assertArrayEquals(new long[] {5, 7}, plain.logicalShape());
        assertNull(plain.dimNames());
        assertNull(plain.permutation());
        assertEquals(new ArrowType.FixedSizeList(24), NAMED.storageType());
        assertEquals("arrow.fixed_shape_tensor", NAMED.extensionName());
    }

    @Test
    void accessorsReturnCopiesThatCannotChangeTheType() {
        long[] shape = NAMED.shape();
        shape[0] = 99;
        int[] perm = NAMED.permutation();
        perm[0] = 1;
        assertArrayEquals(new long[] {2, 3, 4}, NAMED.shape());
        assertArrayEquals(new int[] {2, 0, 1}, NAMED.permutation());
        assertArrayEquals(new long[] {4, 2, 3}, NAMED.logicalShape());
        List<String> names = new ArrayList<>(List.of("a", "b"));
        FixedShapeTensorType t = new FixedShapeTensorType(new long[] {1, 1}, names, null);
        names.set(0, "z");
        assertEquals(List.of("a", "b"), t.dimNames());
    }

    @Test
    void equalityAndHashCodeFollowShapeNamesAndPermutation() {
        FixedShapeTensorType same = new FixedShapeTensorType(new long[] {2, 3, 4}, List.of("c", "h", "w"), new int[] {2, 0, 1});
        assertEquals(NAMED, same);
        assertTrue(NAMED.extensionEquals(same));
        assertEquals(NAMED.hashCode(), same.hashCode());
        List<FixedShapeTensorType> different = List.of(
                new FixedShapeTensorType(new long[] {2, 3, 5}, List.of("c", "h", "w"), new int[] {2, 0, 1}),
                new FixedShapeTensorType(new long[] {2, 3, 4}, List.of("c", "h", "x"), new int[] {2, 0, 1}),
                new FixedShapeTensorType(new long[] {2, 3, 4}, List.of("c", "h", "w"), new int[] {1, 0, 2}),
                new FixedShapeTensorType(new long[] {2, 3, 4}, null, new int[] {2, 0, 1}),
                new FixedShapeTensorType(new long[] {2, 3, 4}, List.of("c", "h", "w"), null));
        for (FixedShapeTensorType d : different) {
            assertNotEquals(NAMED, d, d.serialize());
            assertTrue(!NAMED.extensionEquals(d), d.serialize());
            assertNotEquals(NAMED.hashCode(), d.hashCode(), d.serialize());
        }
        assertNotEquals(NAMED, "arrow.fixed_shape_tensor");
        assertTrue(!NAMED.extensionEquals(null));
    }

    @Test
    void metadataRoundTripsWithNamesAndPermutation() {
        String json = NAMED.serialize();
        assertEquals("{\"shape\":[2,3,4],\"dim_names\":[\"c\",\"h\",\"w\"],\"permutation\":[2,0,1]}", json);
        ArrowType back = NAMED.deserialize(new ArrowType.FixedSizeList(24), json);
        assertEquals(NAMED, back);
        assertEquals("{\"shape\":[5,7]}", new FixedShapeTensorType(new long[] {5, 7}, null, null).serialize());
        // explicit nulls mean absent
        assertEquals(new FixedShapeTensorType(new long[] {5}, null, null),
                NAMED.deserialize(new ArrowType.FixedSizeList(5), "{\"shape\":[5],\"dim_names\":null,\"permutation\":null}"));
    }

    @Test
    void permutationsAreCheckedEntryByEntry() {
        long[] shape = {2, 3};
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(shape, null, new int[] {0, 2}));
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(shape, null, new int[] {-1, 0}));
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(shape, null, new int[] {1, 1}));
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(shape, null, new int[] {0}));
        assertThrows(IllegalArgumentException.class, () -> new FixedShapeTensorType(shape, List.of("a"), null));
        assertArrayEquals(new long[] {3, 2}, new FixedShapeTensorType(shape, null, new int[] {1, 0}).logicalShape());
    }

    @Test
    void metadataAtItsLimitsIsReadAndPastThemRefused() {
        String ones64 = "[" + String.join(",", Collections.nCopies(64, "1")) + "]";
        String ones65 = "[" + String.join(",", Collections.nCopies(65, "1")) + "]";
        ArrowType.FixedSizeList one = new ArrowType.FixedSizeList(1);
        FixedShapeTensorType t64 = (FixedShapeTensorType) NAMED.deserialize(one, "{\"shape\":" + ones64 + "}");
        assertEquals(64, t64.shape().length);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NAMED.deserialize(one, "{\"shape\":" + ones65 + "}"))
                .getMessage().contains("more than 64"));
        StringBuilder perm64 = new StringBuilder("[");
        for (int i = 0; i < 64; i++) {
            perm64.append(i == 0 ? "" : ",").append(63 - i);
        }
        FixedShapeTensorType p64 = (FixedShapeTensorType) NAMED.deserialize(one, "{\"shape\":" + ones64 + ",\"permutation\":" + perm64 + "]}");
        assertEquals(63, p64.permutation()[0]);
        assertTrue(assertThrows(IllegalArgumentException.class,
                () -> NAMED.deserialize(one, "{\"shape\":" + ones64 + ",\"permutation\":" + ones65 + "}")).getMessage().contains("at most 64"));
        for (String bad : List.of("{\"shape\":[2.5]}", "{\"shape\":[\"2\"]}", "{\"shape\":[1e30]}", "{\"shape\":2}", "{}", "[1]", "nope",
                "{\"shape\":[2],\"dim_names\":\"a\"}", "{\"shape\":[2],\"dim_names\":[1]}", "{\"shape\":[2],\"permutation\":[0.5]}",
                "{\"shape\":[2],\"permutation\":0}")) {
            assertThrows(IllegalArgumentException.class, () -> NAMED.deserialize(new ArrowType.FixedSizeList(2), bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> NAMED.deserialize(new ArrowType.Int(32, true), "{\"shape\":[2]}"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> NAMED.deserialize(new ArrowType.FixedSizeList(3), "{\"shape\":[2]}"))
                .getMessage().contains("storage list size is 3"));
        assertThrows(IllegalArgumentException.class, () -> NAMED.deserialize(new ArrowType.FixedSizeList(2), null));
    }

    @Test
    void registeringMakesArrowFindTheTypeByName() {
        FixedShapeTensorType.register();
        FixedShapeTensorType.register();
        assertInstanceOf(FixedShapeTensorType.class, ExtensionTypeRegistry.lookup(FixedShapeTensorType.NAME));
    }

    @Test
    void itsVectorReadsRowsThroughTheStorage() {
        FixedShapeTensorType type = new FixedShapeTensorType(new long[] {2}, null, null);
        try (BufferAllocator alloc = new RootAllocator();
             FixedShapeTensorType.Vector v = (FixedShapeTensorType.Vector) type.getNewVector("t", FieldType.notNullable(type), alloc)) {
            FixedSizeListVector list = v.getUnderlyingVector();
            list.addOrGetVector(FieldType.notNullable(new ArrowType.Int(32, true)));
            IntVector values = (IntVector) list.getDataVector();
            list.allocateNew();
            values.allocateNew(4);
            for (int i = 0; i < 4; i++) {
                values.set(i, 10 + i);
            }
            values.setValueCount(4);
            list.setNotNull(0);
            list.setNotNull(1);
            list.setValueCount(2);
            v.setValueCount(2);
            assertEquals(List.of(12, 13), v.getObject(1));
            assertEquals(list.hashCode(1), v.hashCode(1));
            assertEquals(list.hashCode(0, null), v.hashCode(0, null));
            assertNotEquals(v.hashCode(0), v.hashCode(1));
            assertSame(list, v.getUnderlyingVector());
        }
    }
}
