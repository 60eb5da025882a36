package dev.proxima.io;

import dev.proxima.io.internal.Buffers;
import dev.proxima.io.internal.ByteLimits;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * A triangle mesh as tensors, as read and written by {@link Ply} and {@link Obj}.
 *
 * @param vertices positions, {@code [N, 3]} F32
 * @param faces    triangles as vertex indices in {@code [0, N)}, {@code [F, 3]} I32
 * @param normals  per-vertex normals, {@code [N, 3]} F32, or null
 * @param colors   per-vertex RGB colours in {@code [0, 1]}, {@code [N, 3]} F32, or null
 */
public record Mesh(Tensor vertices, Tensor faces, Tensor normals, Tensor colors) implements AutoCloseable {

    /**
     * Checks the dtypes and shapes (it does not check the index values; readers do).
     *
     * @throws IllegalArgumentException if a tensor has the wrong dtype or shape
     * @throws NullPointerException     if {@code vertices} or {@code faces} is null
     */
    public Mesh {
        requireShape("vertices", vertices, DType.F32, -1);
        long n = vertices.dim(0);
        requireShape("faces", faces, DType.I32, -1);
        if (normals != null) {
            requireShape("normals", normals, DType.F32, n);
        }
        if (colors != null) {
            requireShape("colors", colors, DType.F32, n);
        }
    }

    /**
     * Limits on the meshes that {@link Ply#read(java.nio.file.Path, Limits)} and
     * {@link Obj#read(java.nio.file.Path, Limits)} decode; the methods without a {@code Limits} argument use
     * {@link #defaults()}. A mesh file describes its data compactly (a PLY face of 255 one-byte indices is 253
     * triangles of 12 bytes; an OBJ face line adds a triangle per 2 bytes), so a small file can ask for far more
     * memory than its size: the readers count what they decode and stop at the limit, before allocating it.
     *
     * @param maxDecodedBytes the most bytes of decoded data accepted: vertices, normals and colours (12 bytes
     *                        per vertex each) and triangles (12 bytes each; OBJ also keeps 12 bytes of normal
     *                        indices per triangle while reading)
     */
    public record Limits(long maxDecodedBytes) {

        /** The default {@link #maxDecodedBytes()}: 512 MiB, e.g. 20 million vertices with normals and 20 million triangles. */
        public static final long DEFAULT_MAX_DECODED_BYTES = 512L << 20;

        /** The system property that overrides {@link #DEFAULT_MAX_DECODED_BYTES} (a number of bytes). */
        public static final String PROPERTY = "proxima.mesh.maxDecodedBytes";

        /**
         * Checks the limit.
         *
         * @param maxDecodedBytes the most bytes of decoded data accepted
         * @throws IllegalArgumentException if {@code maxDecodedBytes} is not positive
         */
        public Limits {
            ByteLimits.requirePositive("maxDecodedBytes", maxDecodedBytes);
        }

        /**
         * The limits in force when none are given: {@link #maxDecodedBytes()} from system property
         * {@value #PROPERTY} when it is set, else {@link #DEFAULT_MAX_DECODED_BYTES}. The property is read on
         * every call.
         *
         * @return the default limits
         * @throws IllegalArgumentException if the property is set but not a positive number of bytes
         */
        public static Limits defaults() {
            return new Limits(ByteLimits.fromProperty(PROPERTY, DEFAULT_MAX_DECODED_BYTES));
        }

        /**
         * Refuses a mesh whose decoded data has grown past the limit.
         *
         * @param file    the file, for the message
         * @param decoded the bytes decoded so far (or about to be allocated)
         * @throws FileFormatException if {@code decoded} exceeds {@link #maxDecodedBytes()}
         */
        void check(String file, long decoded) throws FileFormatException {
            if (decoded > maxDecodedBytes) {
                throw new FileFormatException(file, "the mesh decodes to more than the limit of " + maxDecodedBytes
                        + " bytes (Mesh.Limits, system property " + PROPERTY + ")");
            }
        }
    }

    private static void requireShape(String what, Tensor t, DType dtype, long rows) {
        if (t == null) {
            throw new NullPointerException(what);
        }
        if (t.dtype() != dtype || t.rank() != 2 || t.dim(1) != 3 || (rows >= 0 && t.dim(0) != rows)) {
            throw new IllegalArgumentException("mesh " + what + " must be " + dtype + "[" + (rows >= 0 ? rows : "n")
                    + ", 3], got " + t.dtype() + Arrays.toString(t.shape()));
        }
    }

    /**
     * A mesh from Java arrays (row-major {@code [n, 3]} data); the tensors register with the current
     * {@link dev.proxima.tensor.Scope}.
     *
     * @param vertices positions, row-major x, y, z per vertex (length 3N)
     * @param faces    vertex indices, three per triangle (length 3F), each in [0, N)
     * @param normals null or the same length as {@code vertices}
     * @param colors  null or the same length as {@code vertices}
     * @return a new mesh of F32 [N, 3] vertices, I32 [F, 3] faces and the optional attributes
     * @throws IllegalArgumentException if a length is not a multiple of 3 or lengths disagree
     */
    public static Mesh of(float[] vertices, int[] faces, float[] normals, float[] colors) {
        if (vertices.length % 3 != 0 || faces.length % 3 != 0) {
            throw new IllegalArgumentException("vertex and face arrays must hold triples");
        }
        if ((normals != null && normals.length != vertices.length) || (colors != null && colors.length != vertices.length)) {
            throw new IllegalArgumentException("normals and colours must have one triple per vertex");
        }
        Tensor v = null;
        Tensor f = null;
        Tensor nn = null;
        Tensor c = null;
        try {
            v = floats(vertices);
            f = ints(faces);
            nn = normals == null ? null : floats(normals);
            c = colors == null ? null : floats(colors);
            return new Mesh(v, f, nn, c);
        } catch (RuntimeException | Error e) {
            for (Tensor t : new Tensor[]{v, f, nn, c}) {
                if (t != null) {
                    t.close();
                }
            }
            throw e;
        }
    }

    /** {@return the number of vertices} */
    public long vertexCount() {
        return vertices.dim(0);
    }

    /** {@return the number of triangles} */
    public long faceCount() {
        return faces.dim(0);
    }

    /** Closes the tensors of this mesh. */
    @Override
    public void close() {
        vertices.close();
        faces.close();
        if (normals != null) {
            normals.close();
        }
        if (colors != null) {
            colors.close();
        }
    }

    static Tensor floats(float[] a) {
        Tensor t = Buffers.allocate(DType.F32, new long[]{a.length / 3, 3});
        MemorySegment.copy(a, 0, t.segment(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a.length);
        return t;
    }

    static Tensor ints(int[] a) {
        Tensor t = Buffers.allocate(DType.I32, new long[]{a.length / 3, 3});
        MemorySegment.copy(a, 0, t.segment(), ValueLayout.JAVA_INT_UNALIGNED, 0, a.length);
        return t;
    }

    /** The elements of a tensor as a row-major float array (via an F32 copy). */
    static float[] floatData(Tensor t) {
        try (Tensor c = t.cast(DType.F32)) {
            return c.toFloatArray();
        }
    }

    /** The face indices as a row-major array, each checked to be in {@code [0, vertexCount)}. */
    int[] checkedFaces() {
        int[] f = intData(faces);
        long n = vertexCount();
        for (int i = 0; i < f.length; i++) {
            if (f[i] < 0 || f[i] >= n) {
                throw new IllegalArgumentException("face " + i / 3 + " refers to vertex " + f[i] + " but the mesh has " + n + " vertices");
            }
        }
        return f;
    }

    /** The elements of a tensor as a row-major int array (via an I32 copy). */
    static int[] intData(Tensor t) {
        try (Tensor c = t.cast(DType.I32)) {
            return c.toIntArray();
        }
    }
}
