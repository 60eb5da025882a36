package dev.proxima.io;

import dev.proxima.io.internal.WholeFile;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Wavefront OBJ meshes ({@link Mesh}).
 *
 * <h2>Reading</h2>
 * {@code v x y z [w]} (a {@code w} is ignored; {@code v x y z r g b}, the common vertex-colour
 * extension, gives colours when every vertex has them), {@code vn x y z} and faces {@code f} whose
 * corners have the forms {@code v}, {@code v/vt}, {@code v//vn} and {@code v/vt/vn}, with 1-based or
 * negative (relative: {@code -1} is the last one defined so far) indices. Faces with more than three
 * corners are triangulated as a fan ({@code c0 c1 c2}, {@code c0 c2 c3}, …). Normals are per corner in
 * OBJ and per vertex in {@link Mesh}: when every corner names a normal, each vertex gets the normal of
 * the last corner that uses it; otherwise the mesh has no normals. Texture coordinates, groups,
 * objects, materials, smoothing groups, lines, points and comments are ignored. Every index must
 * refer to an existing vertex or normal.
 *
 * <h2>Writing</h2>
 * {@code v} lines (with {@code r g b} when the mesh has colours), {@code vn} lines (one per vertex)
 * when it has normals, and {@code f a//a b//b c//c} (or {@code f a b c}) lines. Floats are written
 * in Java's shortest round-trip form, so a read gives back the same values.
 *
 * <h2>Safety</h2>
 * The file size is limited to 2 GiB, lines to 1 MiB, and the decoded data by {@link Mesh.Limits};
 * violations and malformed lines raise {@link FileFormatException} naming the file and line.
 */
public final class Obj {

    private static final long MAX_FILE = Integer.MAX_VALUE - 64;
    private static final int MAX_LINE = 1 << 20;

    private Obj() {
    }

    /** A growable float array. */
    private static final class FloatList {
        private float[] a = new float[48];
        private int n;

        void add(float v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, a.length * 2);
            }
            a[n++] = v;
        }

        int size() {
            return n;
        }

        float[] toArray() {
            return Arrays.copyOf(a, n);
        }
    }

    /**
     * Reads an OBJ file within {@link Mesh.Limits#defaults()}.
     *
     * @param file the OBJ file
     * @return the mesh (its tensors register with the current scope)
     * @throws FileFormatException      if it is not a valid OBJ mesh, or decodes to more than the limits allow
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException if system property {@value Mesh.Limits#PROPERTY} is invalid
     */
    public static Mesh read(Path file) throws IOException {
        return read(file, Mesh.Limits.defaults());
    }

    /**
     * Reads an OBJ file.
     *
     * @param file   the OBJ file
     * @param limits the most decoded data to accept
     * @return the mesh (its tensors register with the current scope)
     * @throws FileFormatException if it is not a valid OBJ mesh, or decodes to more than {@code limits} allow
     * @throws IOException         if it cannot be read
     */
    public static Mesh read(Path file, Mesh.Limits limits) throws IOException {
        String name = file.toString();
        byte[] b = WholeFile.read(file, "OBJ", MAX_FILE);
        FloatList v = new FloatList();
        FloatList col = new FloatList();
        FloatList vn = new FloatList();
        Ply.IntList fv = new Ply.IntList();
        Ply.IntList fn = new Ply.IntList();
        int vCount = 0;
        int nCount = 0;
        boolean allColored = true;
        boolean allNormals = true;
        int lineNo = 0;
        int pos = 0;
        String[] tok = new String[16];
        long[] cv = new long[16];
        long[] cn = new long[16];
        while (pos < b.length) {
            lineNo++;
            int start = pos;
            while (pos < b.length && b[pos] != '\n') {
                byte c = b[pos];
                if ((c >= 0 && c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != 0x0B) || c == 0x7F) {
                    throw new FileFormatException(name, "line " + lineNo + ": control byte 0x"
                            + Integer.toHexString(c) + " at offset " + pos + "; an OBJ file is text");
                }
                pos++;
            }
            int end = pos;
            pos++;
            if (end - start > MAX_LINE) {
                throw new FileFormatException(name, "line " + lineNo + " is longer than " + MAX_LINE + " bytes");
            }
            String line = new String(b, start, end - start, StandardCharsets.UTF_8).strip();
            if (line.isEmpty() || line.charAt(0) == '#') {
                continue;
            }
            String[] t = line.split("\\s+");
            limits.check(name, 4L * (v.size() + col.size() + vn.size() + fv.size() + fn.size() + 6L * Math.max(0, t.length - 3)));
            switch (t[0]) {
                case "v" -> {
                    if (t.length != 4 && t.length != 5 && t.length != 7) {
                        throw new FileFormatException(name, "line " + lineNo + ": v needs 3, 4 or 6 numbers, got " + (t.length - 1));
                    }
                    for (int i = 1; i <= 3; i++) {
                        v.add(number(t[i], name, lineNo));
                    }
                    if (t.length == 7) {
                        for (int i = 4; i <= 6; i++) {
                            col.add(number(t[i], name, lineNo));
                        }
                    } else {
                        allColored = false;
                    }
                    vCount++;
                }
                case "vn" -> {
                    if (t.length != 4) {
                        throw new FileFormatException(name, "line " + lineNo + ": vn needs 3 numbers, got " + (t.length - 1));
                    }
                    for (int i = 1; i <= 3; i++) {
                        vn.add(number(t[i], name, lineNo));
                    }
                    nCount++;
                }
                case "f" -> {
                    int k = t.length - 1;
                    if (k < 3) {
                        throw new FileFormatException(name, "line " + lineNo + ": a face needs at least 3 corners, got " + k);
                    }
                    if (cv.length < k) {
                        cv = new long[k];
                        cn = new long[k];
                    }
                    for (int i = 0; i < k; i++) {
                        String c = t[i + 1];
                        int s1 = c.indexOf('/');
                        String vs = s1 < 0 ? c : c.substring(0, s1);
                        cv[i] = index(vs, vCount, "vertex", name, lineNo);
                        cn[i] = -1;
                        if (s1 >= 0) {
                            int s2 = c.indexOf('/', s1 + 1);
                            if (s2 >= 0) {
                                if (c.indexOf('/', s2 + 1) >= 0) {
                                    throw new FileFormatException(name, "line " + lineNo + ": bad face corner '" + c + "'");
                                }
                                cn[i] = index(c.substring(s2 + 1), nCount, "normal", name, lineNo);
                            }
                            String vt = s2 < 0 ? c.substring(s1 + 1) : c.substring(s1 + 1, s2);
                            if (!vt.isEmpty()) {
                                number(vt, name, lineNo); // checked for syntax, not used
                            } else if (s2 < 0) {
                                throw new FileFormatException(name, "line " + lineNo + ": bad face corner '" + c + "'");
                            }
                        }
                        if (cn[i] < 0) {
                            allNormals = false;
                        }
                    }
                    if (fv.size() > (1 << 29) - 3 * k) {
                        throw new FileFormatException(name, "line " + lineNo + ": too many triangles");
                    }
                    for (int i = 2; i < k; i++) {
                        int[] corners = {0, i - 1, i};
                        for (int c : corners) {
                            fv.add((int) cv[c]);
                            fn.add((int) cn[c]);
                        }
                    }
                }
                default -> {
                    // vt, vp, o, g, s, usemtl, mtllib, l, p and unknown statements are ignored
                }
            }
        }
        int[] faces = fv.toArray();
        int[] faceNormals = fn.toArray();
        for (int i = 0; i < faces.length; i++) {
            if (faces[i] >= vCount) {
                throw new FileFormatException(name, "a face refers to vertex " + (faces[i] + 1) + " but there are " + vCount + " vertices");
            }
            if (faceNormals[i] >= nCount) {
                throw new FileFormatException(name, "a face refers to normal " + (faceNormals[i] + 1) + " but there are " + nCount + " normals");
            }
        }
        float[] normals = null;
        if (nCount > 0 && allNormals && faces.length > 0) {
            float[] all = vn.toArray();
            normals = new float[3 * vCount];
            for (int i = 0; i < faces.length; i++) {
                System.arraycopy(all, 3 * faceNormals[i], normals, 3 * faces[i], 3);
            }
        }
        float[] colors = vCount > 0 && allColored ? col.toArray() : null;
        return Mesh.of(v.toArray(), faces, normals, colors);
    }

    private static float number(String s, String name, int line) throws FileFormatException {
        try {
            return Float.parseFloat(s);
        } catch (NumberFormatException e) {
            throw new FileFormatException(name, "line " + line + ": bad number '" + s + "'");
        }
    }

    /** A 0-based index from a 1-based or negative (relative) OBJ index; upper bounds are checked at the end. */
    private static long index(String s, int count, String what, String name, int line) throws FileFormatException {
        long i;
        try {
            i = Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new FileFormatException(name, "line " + line + ": bad " + what + " index '" + s + "'");
        }
        if (i == 0 || i < -count || i > Integer.MAX_VALUE) {
            throw new FileFormatException(name, "line " + line + ": " + what + " index " + i + " out of range ("
                    + count + " " + what + "s defined so far)");
        }
        return i > 0 ? i - 1 : count + i;
    }

    /**
     * Writes a mesh as an OBJ file.
     *
     * @param file where to write; an existing file is replaced
     * @param mesh the mesh to write
     * @throws IllegalArgumentException if a face refers to a vertex the mesh does not have
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Mesh mesh) throws IOException {
        float[] v = Mesh.floatData(mesh.vertices());
        int[] f = mesh.checkedFaces();
        float[] nrm = mesh.normals() == null ? null : Mesh.floatData(mesh.normals());
        float[] col = mesh.colors() == null ? null : Mesh.floatData(mesh.colors());
        try (Writer w = new BufferedWriter(Files.newBufferedWriter(file, StandardCharsets.US_ASCII), 1 << 16)) {
            w.write("# written by Proxima\n");
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < v.length; i += 3) {
                sb.setLength(0);
                sb.append("v ").append(v[i]).append(' ').append(v[i + 1]).append(' ').append(v[i + 2]);
                if (col != null) {
                    sb.append(' ').append(col[i]).append(' ').append(col[i + 1]).append(' ').append(col[i + 2]);
                }
                w.append(sb).append('\n');
            }
            if (nrm != null) {
                for (int i = 0; i < nrm.length; i += 3) {
                    sb.setLength(0);
                    sb.append("vn ").append(nrm[i]).append(' ').append(nrm[i + 1]).append(' ').append(nrm[i + 2]);
                    w.append(sb).append('\n');
                }
            }
            for (int i = 0; i < f.length; i += 3) {
                sb.setLength(0);
                sb.append('f');
                for (int c = 0; c < 3; c++) {
                    int k = f[i + c] + 1;
                    sb.append(' ').append(k);
                    if (nrm != null) {
                        sb.append("//").append(k);
                    }
                }
                w.append(sb).append('\n');
            }
        }
    }
}
