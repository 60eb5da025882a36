package dev.proxima.io.arrow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.util.hash.ArrowBufHasher;
import org.apache.arrow.vector.ExtensionTypeVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.ExtensionTypeRegistry;
import org.apache.arrow.vector.types.pojo.FieldType;

import java.util.Arrays;

import java.util.Objects;

/**
 * Arrow's canonical extension type {@code arrow.fixed_shape_tensor}: each value is a tensor of one
 * fixed shape, stored as a {@code FixedSizeList<value type>[prod(shape)]} in row-major order of the
 * physical shape. The value type is that of the storage's child field. The metadata is the JSON object
 * {@code {"shape": [...], "dim_names": [...], "permutation": [...]}} ({@code dim_names} and
 * {@code permutation} optional); the logical tensor is the physical one with its dimensions permuted
 * by {@code permutation}.
 *
 * <p>Arrow Java has no implementation of this type; {@link #register()} (called by
 * {@link ArrowTensors}) makes Arrow's IPC readers produce this type for fields carrying it.
 *
 * @see <a href="https://arrow.apache.org/docs/format/CanonicalExtensions.html">Arrow canonical extensions</a>
 */
public final class FixedShapeTensorType extends ArrowType.ExtensionType {

    /** The extension name, {@code arrow.fixed_shape_tensor}. */
    public static final String NAME = "arrow.fixed_shape_tensor";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final long[] shape;
    private final java.util.List<String> dimNames;
    private final int[] permutation;
    private final int listSize;

    /**
     * The extension type of tensors with the given shape, dimension names and permutation.
     *
     * @param shape       the physical shape of every tensor; no negative extents
     * @param dimNames    names of the physical dimensions, or null
     * @param permutation the logical order of the physical dimensions (a permutation of
     *                    {@code 0..rank-1}), or null for the identity
     * @throws IllegalArgumentException if the shape, names or permutation are inconsistent,
     *                                  {@code prod(shape)} does not fit a FixedSizeList (2^31 - 1), or
     *                                  the product of the nonzero extents exceeds 2^63 - 1 (so that
     *                                  no partial product of the shape overflows a {@code long})
     */
    public FixedShapeTensorType(long[] shape, java.util.List<String> dimNames, int[] permutation) {
        this.shape = shape.clone();
        this.dimNames = dimNames == null ? null : java.util.List.copyOf(dimNames);
        this.permutation = permutation == null ? null : permutation.clone();
        long nonzero = 1;
        boolean empty = false;
        for (long d : this.shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative extent in tensor shape " + Arrays.toString(shape));
            }
            if (d == 0) {
                empty = true;
                continue;
            }
            try {
                nonzero = Math.multiplyExact(nonzero, d);
            } catch (ArithmeticException e) {
                throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape)
                        + ": the product of its extents overflows a 64-bit count", e);
            }
        }
        long n = empty ? 0 : nonzero;
        if (n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("tensor shape " + Arrays.toString(shape) + " has " + n
                    + " elements, more than the 2^31 - 1 a FixedSizeList holds");
        }
        this.listSize = (int) n;
        if (dimNames != null && dimNames.size() != shape.length) {
            throw new IllegalArgumentException("dim_names " + dimNames + " do not match shape " + Arrays.toString(shape));
        }
        if (permutation != null) {
            boolean[] seen = new boolean[shape.length];
            if (permutation.length != shape.length) {
                throw new IllegalArgumentException("permutation " + Arrays.toString(permutation) + " does not match shape " + Arrays.toString(shape));
            }
            for (int p : permutation) {
                if (p < 0 || p >= shape.length || seen[p]) {
                    throw new IllegalArgumentException("invalid permutation " + Arrays.toString(permutation));
                }
                seen[p] = true;
            }
        }
    }

    /** Registers this type with Arrow's {@link ExtensionTypeRegistry} (idempotent). */
    public static void register() {
        if (ExtensionTypeRegistry.lookup(NAME) == null) {
            ExtensionTypeRegistry.register(new FixedShapeTensorType(new long[0], null, null));
        }
    }

    /** {@return the physical shape of each tensor (a copy)} */
    public long[] shape() {
        return shape.clone();
    }

    /** {@return the shape of each tensor after applying {@link #permutation()}} */
    public long[] logicalShape() {
        if (permutation == null) {
            return shape.clone();
        }
        long[] s = new long[shape.length];
        for (int i = 0; i < s.length; i++) {
            s[i] = shape[permutation[i]];
        }
        return s;
    }

    /** {@return names of the physical dimensions, or null} */
    public java.util.List<String> dimNames() {
        return dimNames;
    }

    /** {@return the permutation (a copy), or null for the identity} */
    public int[] permutation() {
        return permutation == null ? null : permutation.clone();
    }

    /**
     * Elements per tensor.
     *
     * @return {@code prod(shape)}, the storage's FixedSizeList size (at most 2^31 - 1)
     */
    public int listSize() {
        return listSize;
    }

    @Override
    public ArrowType storageType() {
        return new ArrowType.FixedSizeList(listSize());
    }

    @Override
    public String extensionName() {
        return NAME;
    }

    @Override
    public boolean extensionEquals(ArrowType.ExtensionType other) {
        return other instanceof FixedShapeTensorType o && Arrays.equals(o.shape, shape)
                && Objects.equals(o.dimNames, dimNames) && Arrays.equals(o.permutation, permutation);
    }

    @Override
    public String serialize() {
        ObjectNode o = JSON.createObjectNode();
        ArrayNode s = o.putArray("shape");
        for (long d : shape) {
            s.add(d);
        }
        if (dimNames != null) {
            ArrayNode n = o.putArray("dim_names");
            dimNames.forEach(n::add);
        }
        if (permutation != null) {
            ArrayNode p = o.putArray("permutation");
            for (int i : permutation) {
                p.add(i);
            }
        }
        return o.toString();
    }

    /**
     * Parses the metadata of a field.
     *
     * @throws IllegalArgumentException if the metadata is not valid JSON of the documented form, or
     *                                  does not match the storage's list size
     */
    @Override
    public ArrowType deserialize(ArrowType storageType, String serializedData) {
        if (!(storageType instanceof ArrowType.FixedSizeList fsl)) {
            throw new IllegalArgumentException(NAME + " needs FixedSizeList storage, got " + storageType);
        }
        JsonNode o;
        try {
            o = JSON.readTree(serializedData == null ? "" : serializedData);
        } catch (Exception e) {
            throw new IllegalArgumentException(NAME + " metadata is not valid JSON: " + e.getMessage(), e);
        }
        if (o == null || !o.isObject() || !o.path("shape").isArray()) {
            throw new IllegalArgumentException(NAME + " metadata needs a \"shape\" array: " + serializedData);
        }
        JsonNode sn = o.get("shape");
        if (sn.size() > 64) {
            throw new IllegalArgumentException(NAME + " shape has more than 64 dimensions");
        }
        long[] shape = new long[sn.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!sn.get(i).canConvertToLong() || !sn.get(i).isIntegralNumber()) {
                throw new IllegalArgumentException(NAME + " shape entries must be integers: " + sn);
            }
            shape[i] = sn.get(i).asLong();
        }
        java.util.List<String> names = null;
        if (o.has("dim_names") && !o.get("dim_names").isNull()) {
            JsonNode dn = o.get("dim_names");
            if (!dn.isArray()) {
                throw new IllegalArgumentException(NAME + " dim_names must be an array: " + dn);
            }
            names = new java.util.ArrayList<>();
            for (JsonNode n : dn) {
                if (!n.isTextual()) {
                    throw new IllegalArgumentException(NAME + " dim_names must be strings: " + dn);
                }
                names.add(n.asText());
            }
        }
        int[] perm = null;
        if (o.has("permutation") && !o.get("permutation").isNull()) {
            JsonNode pn = o.get("permutation");
            if (!pn.isArray() || pn.size() > 64) {
                throw new IllegalArgumentException(NAME + " permutation must be an array of at most 64 entries: " + pn);
            }
            perm = new int[pn.size()];
            for (int i = 0; i < perm.length; i++) {
                if (!pn.get(i).isInt()) {
                    throw new IllegalArgumentException(NAME + " permutation entries must be integers: " + pn);
                }
                perm[i] = pn.get(i).asInt();
            }
        }
        FixedShapeTensorType t = new FixedShapeTensorType(shape, names, perm);
        if (t.listSize() != fsl.getListSize()) {
            throw new IllegalArgumentException(NAME + " shape " + Arrays.toString(shape) + " has " + t.listSize()
                    + " elements but the storage list size is " + fsl.getListSize());
        }
        return t;
    }

    @Override
    public FieldVector getNewVector(String name, FieldType fieldType, BufferAllocator allocator) {
        return new Vector(name, allocator, new FixedSizeListVector(name, allocator,
                new FieldType(fieldType.isNullable(), storageType(), fieldType.getDictionary(), fieldType.getMetadata()), null));
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof FixedShapeTensorType o && extensionEquals(o);
    }

    @Override
    public int hashCode() {
        return Objects.hash(NAME, Arrays.hashCode(shape), dimNames, Arrays.hashCode(permutation));
    }

    /** The vector of a {@code arrow.fixed_shape_tensor} column: a FixedSizeListVector underneath. */
    public static final class Vector extends ExtensionTypeVector<FixedSizeListVector> {

        /**
         * A column over an existing fixed-size-list storage vector.
         *
         * @param name       the column name
         * @param allocator  where its buffers come from
         * @param underlying the storage vector
         */
        public Vector(String name, BufferAllocator allocator, FixedSizeListVector underlying) {
            super(name, allocator, underlying);
        }

        /** The elements of row {@code index} as a list (or null if the row is null). */
        @Override
        public Object getObject(int index) {
            return getUnderlyingVector().getObject(index);
        }

        @Override
        public int hashCode(int index) {
            return getUnderlyingVector().hashCode(index);
        }

        @Override
        public int hashCode(int index, ArrowBufHasher hasher) {
            return getUnderlyingVector().hashCode(index, hasher);
        }
    }
}
