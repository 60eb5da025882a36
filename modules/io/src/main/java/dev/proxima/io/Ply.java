package dev.proxima.io;

import dev.proxima.io.internal.WholeFile;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Stanford PLY meshes ({@link Mesh}), in the {@code ascii} and {@code binary_little_endian} formats
 * ({@code binary_big_endian} is also read).
 *
 * <h2>Reading</h2>
 * The {@code vertex} element must have properties {@code x, y, z}; {@code nx, ny, nz} (all three) give
 * normals and {@code red, green, blue} (all three) colours: integer colour types are divided by their
 * maximum (255 for {@code uchar}), float types are taken as they are. Other vertex properties and
 * other elements are skipped. The {@code face} element needs a list property {@code vertex_indices}
 * or {@code vertex_index}, with any integer count and index types; polygons with more than three
 * vertices are triangulated as a fan ({@code v0 v1 v2}, {@code v0 v2 v3}, …). Every index must be in
 * {@code [0, vertexCount)}. Property types: {@code char uchar short ushort int uint float double} and
 * their {@code int8 … float64} aliases.
 *
 * <h2>Writing</h2>
 * {@code float x y z}, optionally {@code float nx ny nz} and {@code uchar red green blue} (colours
 * clamped to {@code [0, 1]} and rounded), and faces as {@code list uchar int vertex_indices}
 * (triangles only, as {@link Mesh} holds).
 *
 * <h2>Safety</h2>
 * The header is limited to 64 KiB; element counts are checked against what the rest of the file can
 * hold before any array is allocated, and the decoded data is bounded by {@link Mesh.Limits}. Violations
 * raise {@link FileFormatException}.
 */
public final class Ply {

    private static final int MAX_HEADER = 1 << 16;
    private static final long MAX_FILE = Integer.MAX_VALUE - 64;
    private static final int MAX_INDICES = 3 << 28;

    private Ply() {
    }

    private enum Kind {
        INT8(1), UINT8(1), INT16(2), UINT16(2), INT32(4), UINT32(4), FLOAT32(4), FLOAT64(8);

        final int size;

        Kind(int size) {
            this.size = size;
        }

        boolean isFloat() {
            return this == FLOAT32 || this == FLOAT64;
        }

        double max() {
            return switch (this) {
                case INT8 -> 127;
                case UINT8 -> 255;
                case INT16 -> 32767;
                case UINT16 -> 65535;
                case INT32 -> Integer.MAX_VALUE;
                case UINT32 -> 4294967295.0;
                default -> 1;
            };
        }

        static Kind parse(String s, String name) throws FileFormatException {
            return switch (s) {
                case "char", "int8" -> INT8;
                case "uchar", "uint8" -> UINT8;
                case "short", "int16" -> INT16;
                case "ushort", "uint16" -> UINT16;
                case "int", "int32" -> INT32;
                case "uint", "uint32" -> UINT32;
                case "float", "float32" -> FLOAT32;
                case "double", "float64" -> FLOAT64;
                default -> throw new FileFormatException(name, "unknown PLY property type '" + s + "'");
            };
        }
    }

    private record Property(String name, Kind type, Kind countType) {
        boolean isList() {
            return countType != null;
        }
    }

    private record Element(String name, long count, List<Property> props) {
    }

    // =================================================================== reading

    /**
     * Reads a PLY file within {@link Mesh.Limits#defaults()}.
     *
     * @param file the PLY file
     * @return the mesh (its tensors register with the current scope)
     * @throws FileFormatException      if it is not a valid PLY mesh, or decodes to more than the limits allow
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException if system property {@value Mesh.Limits#PROPERTY} is invalid
     */
    public static Mesh read(Path file) throws IOException {
        return read(file, Mesh.Limits.defaults());
    }

    /**
     * Reads a PLY file.
     *
     * @param file   the PLY file
     * @param limits the most decoded data to accept
     * @return the mesh (its tensors register with the current scope)
     * @throws FileFormatException if it is not a valid PLY mesh, or decodes to more than {@code limits} allow
     * @throws IOException         if it cannot be read
     */
    public static Mesh read(Path file, Mesh.Limits limits) throws IOException {
        String name = file.toString();
        byte[] b = WholeFile.read(file, "PLY", MAX_FILE);
        // ---- header
        int end = -1;
        int limit = Math.min(b.length, MAX_HEADER);
        byte[] marker = "end_header".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i + marker.length <= limit && end < 0; i++) {
            if ((i == 0 || b[i - 1] == '\n') && Arrays.equals(b, i, i + marker.length, marker, 0, marker.length)) {
                int j = i + marker.length;
                while (j < b.length && (b[j] == ' ' || b[j] == '\t' || b[j] == '\r')) {
                    j++;
                }
                if (j < b.length && b[j] == '\n') {
                    end = j + 1;
                } else {
                    throw new FileFormatException(name, "truncated: end_header is not followed by a newline");
                }
            }
        }
        if (b.length < 4 || b[0] != 'p' || b[1] != 'l' || b[2] != 'y' || (b[3] != '\n' && b[3] != '\r')) {
            throw new FileFormatException(name, "not a PLY file (it must start with 'ply')");
        }
        if (end < 0) {
            throw new FileFormatException(name, "no end_header line in the first " + limit + " bytes");
        }
        String header = new String(b, 0, end, StandardCharsets.US_ASCII);
        String format = null;
        List<Element> elements = new ArrayList<>();
        String[] lines = header.split("\r?\n");
        for (int ln = 1; ln < lines.length; ln++) {
            String[] t = lines[ln].trim().split("\\s+");
            switch (t[0]) {
                case "format" -> {
                    if (t.length != 3 || !t[2].equals("1.0")) {
                        throw new FileFormatException(name, "bad format line '" + lines[ln] + "'");
                    }
                    if (!t[1].equals("ascii") && !t[1].equals("binary_little_endian") && !t[1].equals("binary_big_endian")) {
                        throw new FileFormatException(name, "unknown PLY format '" + t[1] + "'");
                    }
                    format = t[1];
                }
                case "element" -> {
                    if (t.length != 3) {
                        throw new FileFormatException(name, "bad element line '" + lines[ln] + "'");
                    }
                    long count;
                    try {
                        count = Long.parseLong(t[2]);
                    } catch (NumberFormatException e) {
                        throw new FileFormatException(name, "bad element count '" + t[2] + "'");
                    }
                    if (count < 0) {
                        throw new FileFormatException(name, "negative element count " + count);
                    }
                    elements.add(new Element(t[1], count, new ArrayList<>()));
                }
                case "property" -> {
                    if (elements.isEmpty()) {
                        throw new FileFormatException(name, "property before any element");
                    }
                    Property p;
                    if (t.length == 5 && t[1].equals("list")) {
                        Kind ct = Kind.parse(t[2], name);
                        Kind it = Kind.parse(t[3], name);
                        if (ct.isFloat() || it.isFloat()) {
                            throw new FileFormatException(name, "list property '" + t[4] + "' must have integer count and index types");
                        }
                        p = new Property(t[4], it, ct);
                    } else if (t.length == 3) {
                        p = new Property(t[2], Kind.parse(t[1], name), null);
                    } else {
                        throw new FileFormatException(name, "bad property line '" + lines[ln] + "'");
                    }
                    elements.getLast().props().add(p);
                }
                case "comment", "obj_info", "end_header", "" -> {
                }
                default -> throw new FileFormatException(name, "unknown header keyword '" + t[0] + "'");
            }
        }
        if (format == null) {
            throw new FileFormatException(name, "no format line");
        }
        Element vertex = null;
        Element face = null;
        for (Element e : elements) {
            if (e.name.equals("vertex")) {
                vertex = e;
            } else if (e.name.equals("face")) {
                face = e;
            }
        }
        if (vertex == null) {
            throw new FileFormatException(name, "no vertex element");
        }
        int[] xyz = indices(vertex, name, true, "x", "y", "z");
        int[] nxyz = indices(vertex, name, false, "nx", "ny", "nz");
        int[] rgb = indices(vertex, name, false, "red", "green", "blue");
        int faceList = -1;
        if (face != null) {
            for (int i = 0; i < face.props.size(); i++) {
                Property p = face.props.get(i);
                if (p.isList() && (p.name.equals("vertex_indices") || p.name.equals("vertex_index"))) {
                    faceList = i;
                }
            }
            if (faceList < 0) {
                throw new FileFormatException(name, "face element without a vertex_indices list");
            }
        }
        // ---- counts against the body's size, before allocating
        long body = b.length - end;
        for (Element e : elements) {
            long minRow = 0;
            for (Property p : e.props) {
                minRow += format.equals("ascii") ? 2 : (p.isList() ? p.countType.size : p.type.size);
            }
            if (e.count > 0 && (minRow == 0 ? e.count > body + 1 : e.count > (body + 1) / minRow)) {
                throw new FileFormatException(name, "element " + e.name + " announces " + e.count
                        + " rows but the file has only " + body + " bytes after the header");
            }
        }
        if (vertex.count > Integer.MAX_VALUE / 3) {
            throw new FileFormatException(name, "too many vertices: " + vertex.count);
        }
        int n = (int) vertex.count;
        long vertexBytes = 12L * n * (1 + (nxyz == null ? 0 : 1) + (rgb == null ? 0 : 1));
        limits.check(name, vertexBytes);
        float[] v = new float[3 * n];
        float[] normals = nxyz == null ? null : new float[3 * n];
        float[] colors = rgb == null ? null : new float[3 * n];
        IntList faces = new IntList();
        Source src = format.equals("ascii") ? new AsciiSource(b, end, name)
                : new BinarySource(b, end, name, format.equals("binary_little_endian") ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN);
        for (Element e : elements) {
            int np = e.props.size();
            double[] row = new double[np];
            for (long r = 0; r < e.count; r++) {
                for (int i = 0; i < np; i++) {
                    Property p = e.props.get(i);
                    if (!p.isList()) {
                        row[i] = src.scalar(p.type);
                        continue;
                    }
                    long k = src.integer(p.countType);
                    if (k < 0 || k > src.remaining()) {
                        throw new FileFormatException(name, "list " + p.name + " of element " + e.name + " row " + r
                                + " has bad length " + k);
                    }
                    if (e == face && i == faceList) {
                        if (k < 3) {
                            throw new FileFormatException(name, "face " + r + " has " + k + " vertices (at least 3 needed)");
                        }
                        int first = vertexIndex(src.integer(p.type), n, r, name);
                        int prev = vertexIndex(src.integer(p.type), n, r, name);
                        if (faces.size() > MAX_INDICES - 3 * (k - 2)) {
                            throw new FileFormatException(name, "more than " + MAX_INDICES / 3 + " triangles");
                        }
                        limits.check(name, vertexBytes + 4L * (faces.size() + 3 * (k - 2)));
                        for (long j = 2; j < k; j++) {
                            int cur = vertexIndex(src.integer(p.type), n, r, name);
                            faces.add(first);
                            faces.add(prev);
                            faces.add(cur);
                            prev = cur;
                        }
                    } else {
                        for (long j = 0; j < k; j++) {
                            src.scalar(p.type);
                        }
                    }
                }
                if (e == vertex) {
                    int at = (int) (3 * r);
                    for (int c = 0; c < 3; c++) {
                        v[at + c] = (float) row[xyz[c]];
                        if (normals != null) {
                            normals[at + c] = (float) row[nxyz[c]];
                        }
                        if (colors != null) {
                            Kind ck = e.props.get(rgb[c]).type;
                            colors[at + c] = (float) (ck.isFloat() ? row[rgb[c]] : row[rgb[c]] / ck.max());
                        }
                    }
                }
            }
        }
        src.finish();
        return Mesh.of(v, faces.toArray(), normals, colors);
    }

    private static int vertexIndex(long i, int n, long face, String name) throws FileFormatException {
        if (i < 0 || i >= n) {
            throw new FileFormatException(name, "face " + face + " refers to vertex " + i + " but there are " + n + " vertices");
        }
        return (int) i;
    }

    private static int[] indices(Element e, String name, boolean required, String... names) throws FileFormatException {
        int[] at = new int[names.length];
        int found = 0;
        for (int k = 0; k < names.length; k++) {
            at[k] = -1;
            for (int i = 0; i < e.props.size(); i++) {
                if (e.props.get(i).name.equals(names[k])) {
                    if (e.props.get(i).isList()) {
                        throw new FileFormatException(name, "vertex property " + names[k] + " must not be a list");
                    }
                    at[k] = i;
                }
            }
            if (at[k] >= 0) {
                found++;
            }
        }
        if (found == names.length) {
            return at;
        }
        if (required || found > 0) {
            throw new FileFormatException(name, "vertex element needs all of " + String.join(", ", names)
                    + (required ? "" : " or none of them"));
        }
        return null;
    }

    /** A growable int array. */
    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, Math.multiplyExact(a.length, 2));
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    private interface Source {
        double scalar(Kind k) throws FileFormatException;

        long integer(Kind k) throws FileFormatException;

        long remaining();

        void finish() throws FileFormatException;
    }

    private static final class BinarySource implements Source {
        private final ByteBuffer buf;
        private final String name;

        BinarySource(byte[] b, int start, String name, ByteOrder order) {
            this.buf = ByteBuffer.wrap(b, start, b.length - start).order(order);
            this.name = name;
        }

        private void need(int k) throws FileFormatException {
            if (buf.remaining() < k) {
                throw new FileFormatException(name, "truncated: the data ends at byte " + buf.position());
            }
        }

        @Override
        public double scalar(Kind k) throws FileFormatException {
            need(k.size);
            return switch (k) {
                case INT8 -> buf.get();
                case UINT8 -> buf.get() & 0xff;
                case INT16 -> buf.getShort();
                case UINT16 -> buf.getShort() & 0xffff;
                case INT32 -> buf.getInt();
                case UINT32 -> buf.getInt() & 0xffffffffL;
                case FLOAT32 -> buf.getFloat();
                case FLOAT64 -> buf.getDouble();
            };
        }

        @Override
        public long integer(Kind k) throws FileFormatException {
            return (long) scalar(k);
        }

        @Override
        public long remaining() {
            return buf.remaining();
        }

        @Override
        public void finish() throws FileFormatException {
            if (buf.hasRemaining()) {
                throw new FileFormatException(name, buf.remaining() + " unexpected bytes after the last element");
            }
        }
    }

    private static final class AsciiSource implements Source {
        private final byte[] b;
        private int pos;
        private final String name;

        AsciiSource(byte[] b, int start, String name) {
            this.b = b;
            this.pos = start;
            this.name = name;
        }

        private String token() throws FileFormatException {
            while (pos < b.length && b[pos] <= ' ') {
                pos++;
            }
            int s = pos;
            while (pos < b.length && b[pos] > ' ') {
                pos++;
            }
            if (s == pos) {
                throw new FileFormatException(name, "truncated: more values expected at the end of the file");
            }
            if (pos - s > 64) {
                throw new FileFormatException(name, "value of " + (pos - s) + " characters at byte " + s);
            }
            return new String(b, s, pos - s, StandardCharsets.US_ASCII);
        }

        @Override
        public double scalar(Kind k) throws FileFormatException {
            String t = token();
            try {
                if (k.isFloat()) {
                    return Double.parseDouble(t);
                }
                long v = Long.parseLong(t);
                if (v < -k.max() - 1 || v > k.max()) {
                    throw new FileFormatException(name, "value " + v + " out of range for " + k);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new FileFormatException(name, "bad " + k.name().toLowerCase(Locale.ROOT) + " value '" + t + "' near byte " + pos);
            }
        }

        @Override
        public long integer(Kind k) throws FileFormatException {
            return (long) scalar(k);
        }

        @Override
        public long remaining() {
            return b.length - pos;
        }

        @Override
        public void finish() throws FileFormatException {
            while (pos < b.length && b[pos] <= ' ') {
                pos++;
            }
            if (pos < b.length) {
                throw new FileFormatException(name, "unexpected data after the last element at byte " + pos);
            }
        }
    }

    // =================================================================== writing

    /**
     * Writes a mesh as a PLY file.
     *
     * @param file where to write; an existing file is replaced
     * @param mesh the mesh to write
     * @param binary {@code binary_little_endian} if true, else {@code ascii}
     * @throws IllegalArgumentException if a face refers to a vertex the mesh does not have
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Mesh mesh, boolean binary) throws IOException {
        float[] v = Mesh.floatData(mesh.vertices());
        int[] f = mesh.checkedFaces();
        float[] nrm = mesh.normals() == null ? null : Mesh.floatData(mesh.normals());
        float[] col = mesh.colors() == null ? null : Mesh.floatData(mesh.colors());
        int n = v.length / 3;
        StringBuilder h = new StringBuilder("ply\nformat ").append(binary ? "binary_little_endian" : "ascii")
                .append(" 1.0\ncomment written by Proxima\nelement vertex ").append(n)
                .append("\nproperty float x\nproperty float y\nproperty float z\n");
        if (nrm != null) {
            h.append("property float nx\nproperty float ny\nproperty float nz\n");
        }
        if (col != null) {
            h.append("property uchar red\nproperty uchar green\nproperty uchar blue\n");
        }
        h.append("element face ").append(f.length / 3).append("\nproperty list uchar int vertex_indices\nend_header\n");
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            out.write(h.toString().getBytes(StandardCharsets.US_ASCII));
            int perVertex = 12 + (nrm != null ? 12 : 0) + (col != null ? 3 : 0);
            ByteBuffer bb = ByteBuffer.allocate(Math.max(perVertex, 13)).order(ByteOrder.LITTLE_ENDIAN);
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < n; i++) {
                bb.clear();
                line.setLength(0);
                for (int c = 0; c < 3; c++) {
                    bb.putFloat(v[3 * i + c]);
                    line.append(v[3 * i + c]).append(' ');
                }
                if (nrm != null) {
                    for (int c = 0; c < 3; c++) {
                        bb.putFloat(nrm[3 * i + c]);
                        line.append(nrm[3 * i + c]).append(' ');
                    }
                }
                if (col != null) {
                    for (int c = 0; c < 3; c++) {
                        float x = col[3 * i + c];
                        int q = x > 0 ? (x >= 1 ? 255 : Math.round(x * 255)) : 0;
                        bb.put((byte) q);
                        line.append(q).append(' ');
                    }
                }
                emit(out, binary, bb, line);
            }
            for (int i = 0; i < f.length; i += 3) {
                bb.clear();
                line.setLength(0);
                bb.put((byte) 3);
                line.append("3 ");
                for (int c = 0; c < 3; c++) {
                    bb.putInt(f[i + c]);
                    line.append(f[i + c]).append(' ');
                }
                emit(out, binary, bb, line);
            }
        }
    }

    private static void emit(OutputStream out, boolean binary, ByteBuffer bb, StringBuilder line) throws IOException {
        if (binary) {
            out.write(bb.array(), 0, bb.position());
        } else {
            line.setCharAt(line.length() - 1, '\n');
            out.write(line.toString().getBytes(StandardCharsets.US_ASCII));
        }
    }
}
