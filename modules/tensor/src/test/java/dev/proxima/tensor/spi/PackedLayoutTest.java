package dev.proxima.tensor.spi;

import dev.proxima.tensor.AllocatorCheck;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** Block-packed layouts: size checks, and a 4-bit format packed and unpacked through byte storage. */
@ExtendWith(AllocatorCheck.class)
class PackedLayoutTest {

    @Test
    void sizesFollowFromTheShapeAndTheBlock() {
        PackedLayout q4 = new PackedLayout("q4_0", new long[]{4096, 4096}, 32, 18);
        assertEquals(16_777_216, q4.elementCount());
        assertEquals(524_288, q4.blockCount());
        assertEquals(9_437_184, q4.byteSize());
        assertEquals(0, q4.blockOffset(0));
        assertEquals(36, q4.blockOffset(2));
        assertEquals(9_437_184 - 18, q4.blockOffset(524_287));
        assertThrows(IndexOutOfBoundsException.class, () -> q4.blockOffset(524_288));
        assertThrows(IndexOutOfBoundsException.class, () -> q4.blockOffset(-1));
        assertEquals("PackedLayout[q4_0 [4096, 4096], 32 elements in 18 bytes per block]", q4.toString());
        PackedLayout empty = new PackedLayout("q8_0", new long[]{0, 64}, 32, 34);
        assertEquals(0, empty.byteSize());
    }

    @Test
    void theShapeIsCopiedAndComparedByValue() {
        long[] shape = {2, 64};
        PackedLayout a = new PackedLayout("q4", shape, 32, 20);
        shape[0] = 99;
        assertArrayEquals(new long[]{2, 64}, a.shape());
        a.shape()[0] = 77;
        assertArrayEquals(new long[]{2, 64}, a.shape());
        assertEquals(new PackedLayout("q4", new long[]{2, 64}, 32, 20), a);
        assertEquals(new PackedLayout("q4", new long[]{2, 64}, 32, 20).hashCode(), a.hashCode());
        assertNotEquals(new PackedLayout("q4", new long[]{64, 2 * 32}, 32, 20), a);
    }

    @Test
    void badLayoutsAreRejectedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new PackedLayout("q4_0", new long[]{3, 40}, 32, 18));
        assertEquals("q4_0: the last dimension of shape [3, 40] must be a multiple of the block's 32 elements", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new PackedLayout("q4_0", new long[]{64}, 0, 18));
        assertEquals("q4_0: blocks need a positive number of elements and bytes, got 0 elements in 18 bytes", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new PackedLayout("q4_0", new long[]{64}, 32, -1));
        assertThrows(IllegalArgumentException.class, () -> new PackedLayout("q4_0", new long[]{-1, 64}, 32, 18));
        assertThrows(IllegalArgumentException.class, () -> new PackedLayout("q4_0", new long[0], 32, 18));
        assertThrows(IllegalArgumentException.class, () -> new PackedLayout(" ", new long[]{32}, 32, 18));
        e = assertThrows(IllegalArgumentException.class,
                () -> new PackedLayout("q4_0", new long[]{1L << 40, 1L << 24}, 32, 18));
        assertEquals("q4_0: shape [1099511627776, 16777216] needs more than 2^63 bytes or elements", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new PackedLayout("wide", new long[]{1L << 31, 1L << 5}, 1, Integer.MAX_VALUE));
        assertEquals("wide: shape [2147483648, 32] needs more than 2^63 bytes or elements", e.getMessage());
        assertThrows(NullPointerException.class, () -> new PackedLayout(null, new long[]{32}, 32, 18));
    }

    @Test
    void storageMustHoldTheLayout() {
        PackedLayout layout = new PackedLayout("q4", new long[]{2, 64}, 32, 20);
        Storage small = HostStorages.allocate(79);
        try {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> layout.checkFits(small));
            assertEquals("q4[2, 64] needs 80 bytes (4 blocks of 20), the storage has 79", e.getMessage());
        } finally {
            small.release();
        }
    }

    // A symmetric 4-bit test format: per block of 32 values one F32 scale s = max|x| / 7, then 16 bytes of
    // codes q = round(x / s) + 8 in [1, 15], element 2j in the low nibble of byte j, 2j + 1 in the high one.
    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 4 + BLOCK / 2;

    private static void pack(float[] x, PackedLayout layout, MemorySegment out) {
        for (long b = 0; b < layout.blockCount(); b++) {
            long at = layout.blockOffset(b);
            int first = (int) b * BLOCK;
            float max = 0;
            for (int i = 0; i < BLOCK; i++) {
                max = Math.max(max, Math.abs(x[first + i]));
            }
            float scale = max / 7;
            out.set(ValueLayout.JAVA_FLOAT_UNALIGNED, at, scale);
            for (int j = 0; j < BLOCK / 2; j++) {
                int lo = code(x[first + 2 * j], scale);
                int hi = code(x[first + 2 * j + 1], scale);
                out.set(ValueLayout.JAVA_BYTE, at + 4 + j, (byte) (lo | hi << 4));
            }
        }
    }

    private static int code(float v, float scale) {
        return scale == 0 ? 8 : Math.round(v / scale) + 8;
    }

    private static float[] unpack(PackedLayout layout, MemorySegment in) {
        float[] x = new float[(int) layout.elementCount()];
        for (long b = 0; b < layout.blockCount(); b++) {
            long at = layout.blockOffset(b);
            float scale = in.get(ValueLayout.JAVA_FLOAT_UNALIGNED, at);
            for (int j = 0; j < BLOCK / 2; j++) {
                int codes = in.get(ValueLayout.JAVA_BYTE, at + 4 + j) & 0xFF;
                x[(int) b * BLOCK + 2 * j] = ((codes & 0xF) - 8) * scale;
                x[(int) b * BLOCK + 2 * j + 1] = ((codes >>> 4) - 8) * scale;
            }
        }
        return x;
    }

    @Test
    void aFourBitFormatRoundTripsThroughByteStorage() {
        PackedLayout layout = new PackedLayout("q4_sym", new long[]{2, 64}, BLOCK, BLOCK_BYTES);
        assertEquals(80, layout.byteSize());
        // block b holds multiples of its scale 0.25 * (b + 1): exactly representable, so the round trip is exact
        float[] x = new float[128];
        for (int i = 0; i < x.length; i++) {
            int b = i / BLOCK;
            x[i] = ((i % 15) - 7) * 0.25f * (b + 1);
        }
        Storage storage = HostStorages.allocate(layout.byteSize());
        layout.checkFits(storage);
        pack(x, layout, storage.segment());
        try (Tensor bytes = Tensor.wrap(storage, DType.U8, layout.byteSize())) {
            MemorySegment packed = bytes.segment();
            assertEquals(0.5f, packed.get(ValueLayout.JAVA_FLOAT_UNALIGNED, layout.blockOffset(1)), "block 1's scale");
            // block 0 starts -1.75, -1.5 -> codes 1, 2 -> byte 0x21
            assertEquals(0x21, packed.get(ValueLayout.JAVA_BYTE, 4) & 0xFF);
            assertArrayEquals(x, unpack(layout, packed));
        }
    }

    @Test
    void valuesBetweenCodesRoundToTheNearest() {
        PackedLayout layout = new PackedLayout("q4_sym", new long[]{32}, BLOCK, BLOCK_BYTES);
        float[] x = new float[32];
        x[0] = 0.75f;    // 3 steps of 0.25   -> code 11
        x[1] = -1.75f;   // the largest |x|: scale 1.75 / 7 = 0.25, code 1
        x[2] = 0.125f;   // half a step: rounds up to 1 step -> code 9
        x[3] = -0.3f;    // -1.2 steps -> -1 -> code 7
        Storage storage = HostStorages.allocate(layout.byteSize());
        try (Tensor bytes = Tensor.wrap(storage, DType.U8, layout.byteSize())) {
            pack(x, layout, bytes.segment());
            MemorySegment packed = bytes.segment();
            assertEquals(0.25f, packed.get(ValueLayout.JAVA_FLOAT_UNALIGNED, 0));
            assertEquals(0x1B, packed.get(ValueLayout.JAVA_BYTE, 4) & 0xFF);   // 11 | 1 << 4
            assertEquals(0x79, packed.get(ValueLayout.JAVA_BYTE, 5) & 0xFF);   // 9 | 7 << 4
            assertEquals(0x88, packed.get(ValueLayout.JAVA_BYTE, 6) & 0xFF);   // zeros: code 8
            float[] y = unpack(layout, packed);
            assertArrayEquals(new float[]{0.75f, -1.75f, 0.25f, -0.25f}, java.util.Arrays.copyOf(y, 4));
            for (int i = 4; i < 32; i++) {
                assertEquals(0f, y[i]);
            }
        }
    }
}
