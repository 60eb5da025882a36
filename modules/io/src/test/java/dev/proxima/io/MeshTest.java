package dev.proxima.io;

import dev.proxima.tensor.Scope;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@ExtendWith(NoLeaks.class)
class MeshTest {

    static final float[] V = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0.25f, -1.5e-7f, 3.1415927f, 1e30f};
    static final int[] F = {0, 1, 2, 0, 2, 3, 4, 3, 2};
    static final float[] N = {0, 0, 1, 0, 0, 1, 0, 0, -1, 0.6f, 0.8f, 0, 1, 0, 0};
    static final float[] C = {1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2f, 0.4f, 0.6f, 0, 0, 0};

    static void assertMesh(Mesh m, float[] v, int[] f, float[] n, float[] c, float colorTol) {
        assertArrayEquals(v, m.vertices().toFloatArray());
        assertArrayEquals(f, m.faces().toIntArray());
        if (n == null) {
            assertNull(m.normals());
        } else {
            assertArrayEquals(n, m.normals().toFloatArray());
        }
        if (c == null) {
            assertNull(m.colors());
        } else {
            assertArrayEquals(c, m.colors().toFloatArray(), colorTol);
        }
    }

    static Path text(Path dir, String file, String content) throws IOException {
        Path p = dir.resolve(file);
        Files.writeString(p, content, StandardCharsets.US_ASCII);
        return p;
    }

    // ------------------------------------------------------------------ PLY

    @Test
    void plyRoundTripsAsciiAndBinaryWithAndWithoutAttributes(@TempDir Path tmp) throws IOException {
        for (boolean binary : new boolean[]{false, true}) {
            for (int variant = 0; variant < 4; variant++) {
                float[] n = (variant & 1) != 0 ? N : null;
                float[] c = (variant & 2) != 0 ? C : null;
                Path f = tmp.resolve("m" + binary + variant + ".ply");
                try (Scope s = Scope.open()) {
                    Ply.write(f, Mesh.of(V, F, n, c), binary);
                    assertMesh(Ply.read(f), V, F, n, c, 0.5f / 255);
                }
            }
        }
    }

    @Test
    void readsHandWrittenPlyWithQuadsOtherElementsAndTypes(@TempDir Path tmp) throws IOException {
        Path f = text(tmp, "hand.ply", """
                ply
                format ascii 1.0
                comment a unit square as one quad, plus an edge element
                element vertex 4
                property double x
                property double y
                property double z
                property float confidence
                property ushort red
                property ushort green
                property ushort blue
                element face 1
                property uchar flags
                property list uint short vertex_index
                element edge 1
                property int vertex1
                property int vertex2
                end_header
                0 0 0 0.5 65535 0 0
                1 0 0 0.5 0 65535 0
                1 1 0 0.5 0 0 65535
                0 1 0 0.5 0 0 0
                7 4 0 1 2 3
                0 1
                """);
        try (Mesh m = Ply.read(f)) {
            assertMesh(m, new float[]{0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0}, new int[]{0, 1, 2, 0, 2, 3}, null,
                    new float[]{1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0}, 0);
        }
        // the same as binary_little_endian, with int8 counts and uint indices
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes("""
                ply
                format binary_little_endian 1.0
                element vertex 3
                property float x
                property float y
                property float z
                element face 1
                property list char uint vertex_indices
                end_header
                """.getBytes(StandardCharsets.US_ASCII));
        ByteBuffer bb = ByteBuffer.allocate(9 * 4 + 1 + 12).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}) {
            bb.putFloat(x);
        }
        bb.put((byte) 3).putInt(2).putInt(1).putInt(0);
        out.writeBytes(bb.array());
        Path g = tmp.resolve("hand-bin.ply");
        Files.write(g, out.toByteArray());
        try (Mesh m = Ply.read(g)) {
            assertMesh(m, new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, new int[]{2, 1, 0}, null, null, 0);
        }
    }

    @Test
    void readsThePlyAndObjSeedFixtures() throws IOException {
        Path dir = Path.of("src/test/resources/fixtures");
        float a = 0.577f;
        try (Mesh m = Ply.read(dir.resolve("ply/cube_ascii.ply"))) {
            float[] v = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1};
            float[] n = new float[24];
            for (int i = 0; i < 24; i++) {
                n[i] = v[i] == 0 ? -a : a;
            }
            int[] quads = {0, 3, 2, 1, 4, 5, 6, 7, 0, 1, 5, 4, 2, 3, 7, 6, 1, 2, 6, 5, 0, 4, 7, 3};
            int[] f = new int[36];
            for (int q = 0; q < 6; q++) { // fan: (a b c) (a c d)
                int[] t = {quads[4 * q], quads[4 * q + 1], quads[4 * q + 2], quads[4 * q], quads[4 * q + 2], quads[4 * q + 3]};
                System.arraycopy(t, 0, f, 6 * q, 6);
            }
            float[] c = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 0, 0, 1, 1, 1, 0, 1, 1, 1, 1, 0, 0, 0};
            assertMesh(m, v, f, n, c, 0);
        }
        float[] quad = {0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0.5f};
        try (Mesh m = Ply.read(dir.resolve("ply/quad_le.ply"))) {
            assertMesh(m, quad, new int[]{0, 1, 2, 1, 3, 2}, null, null, 0);
        }
        try (Mesh m = Ply.read(dir.resolve("ply/quad_be.ply"))) {
            float g = 32768 / 65535f;
            assertMesh(m, quad, new int[]{0, 1, 3, 0, 3, 2}, null, new float[]{0, g, 0, 1, g, 0, 0, g, 0, 1, g, 0}, 1e-7f);
        }
        try (Mesh m = Obj.read(dir.resolve("obj/forms.obj"))) {
            assertMesh(m, new float[]{0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0},
                    new int[]{0, 1, 2, 0, 2, 3, 0, 2, 3, 1, 2, 0, 1, 2, 0},
                    new float[]{0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, -1}, null, 0);
        }
        try (Mesh m = Obj.read(dir.resolve("obj/colored.obj"))) {
            assertMesh(m, new float[]{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1}, new int[]{0, 1, 2, 1, 3, 2},
                    new float[]{0, 0, 1, a, a, a, a, a, a, a, a, a},
                    new float[]{1, 0, 0, 0, 1, 0, 0, 0, 1, 0.5f, 0.5f, 0.5f}, 0);
        }
    }

    static void assertRejected(Path f, String fragment, Reader r) {
        FileFormatException e = assertThrows(FileFormatException.class, () -> r.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    interface Reader {
        void read(Path f) throws IOException;
    }

    static final Reader PLY = f -> Ply.read(f).close();
    static final Reader OBJ = f -> Obj.read(f).close();

    static final String PLY_HEAD = "ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\n"
            + "element face 1\nproperty list uchar int vertex_indices\nend_header\n";

    @Test
    void rejectsBadPly(@TempDir Path tmp) throws IOException {
        assertRejected(text(tmp, "a.ply", "plx\nformat ascii 1.0\nend_header\n"), "not a PLY", PLY);
        assertRejected(text(tmp, "b.ply", PLY_HEAD + "0 0 0\n1 0 0\n0 1 0\n3 0 1 3\n"), "vertex 3", PLY);
        assertRejected(text(tmp, "c.ply", PLY_HEAD + "0 0 0\n1 0 0\n0 1 0\n3 0 1 -1\n"), "vertex -1", PLY);
        assertRejected(text(tmp, "d.ply", PLY_HEAD + "0 0 0\n1 0 0\n0 1 0\n3 0 1\n"), "truncated", PLY);
        assertRejected(text(tmp, "e.ply", PLY_HEAD.replace("vertex 3", "vertex 4000000000") + "0 0 0\n"), "announces", PLY);
        assertRejected(text(tmp, "f.ply", PLY_HEAD + "0 0 0\n1 0 0\n0 1 0\n2 0 1\n"), "at least 3", PLY);
        assertRejected(text(tmp, "g.ply", PLY_HEAD.replace("end_header\n", "")), "end_header", PLY);
        assertRejected(text(tmp, "h.ply", PLY_HEAD.replace("float z", "quad z")), "unknown PLY property type", PLY);
        assertRejected(text(tmp, "i.ply", PLY_HEAD + "0 0 0\n1 0 0\n0 1 0\n3 0 1 2\n9\n"), "unexpected data", PLY);
        try (Scope s = Scope.open()) {
            Mesh bad = Mesh.of(V, new int[]{0, 1, 5}, null, null);
            assertThrows(IllegalArgumentException.class, () -> Ply.write(tmp.resolve("w.ply"), bad, true));
            assertThrows(IllegalArgumentException.class, () -> Obj.write(tmp.resolve("w.obj"), bad));
        }
    }

    // ------------------------------------------------------------------ OBJ

    @Test
    void objRoundTrips(@TempDir Path tmp) throws IOException {
        for (int variant = 0; variant < 4; variant++) {
            float[] n = (variant & 1) != 0 ? N : null;
            float[] c = (variant & 2) != 0 ? C : null;
            Path f = tmp.resolve("m" + variant + ".obj");
            try (Scope s = Scope.open()) {
                Obj.write(f, Mesh.of(V, F, n, c));
                assertMesh(Obj.read(f), V, F, n, c, 0);
            }
        }
    }

    @Test
    void readsEveryFaceFormNegativeIndicesAndPolygons(@TempDir Path tmp) throws IOException {
        Path f = text(tmp, "forms.obj", """
                # a quad and three triangles
                mtllib x.mtl
                o thing
                v 0 0 0
                v 1 0 0
                v 1 1 0 1.0
                v 0 1 0
                vt 0 0
                vt 1 1
                vn 0 0 1
                vn 0 0 -1
                g faces
                usemtl red
                s off
                f 1/1/1 2/2/1 3/1/1 4/2/1
                f -4//-2 -2//-2 -1//-1
                f 2/1/2 3/2/2 1/1/2
                f -3/-1/1 -2/-2/1 -4/1/1
                """);
        try (Mesh m = Obj.read(f)) {
            assertMesh(m, new float[]{0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0},
                    new int[]{0, 1, 2, 0, 2, 3, 0, 2, 3, 1, 2, 0, 1, 2, 0},
                    // last corner using each vertex wins: v1..v3 from the last face (n1), v4 from the second (n2)
                    new float[]{0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, -1}, null, 0);
        }
        Path g = text(tmp, "plain.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 1\nf 1 2 3\nf 2/1 4/1 3/1\n");
        try (Mesh m = Obj.read(g)) {
            assertMesh(m, new float[]{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1}, new int[]{0, 1, 2, 1, 3, 2}, null, null, 0);
        }
    }

    @Test
    void rejectsBadObj(@TempDir Path tmp) throws IOException {
        assertRejected(text(tmp, "a.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 4\n"), "vertex 4", OBJ);
        assertRejected(text(tmp, "b.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 -4\n"), "line 4", OBJ);
        assertRejected(text(tmp, "c.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 0\n"), "index 0", OBJ);
        assertRejected(text(tmp, "d.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//1 2//2 3//1\n"), "normal 2", OBJ);
        assertRejected(text(tmp, "e.obj", "v 0 0 x\n"), "bad number", OBJ);
        assertRejected(text(tmp, "f.obj", "v 0 0 0\nv 1 0 0\nf 1 2\n"), "at least 3", OBJ);
        assertRejected(text(tmp, "g.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1/ 2 3\n"), "bad face corner", OBJ);
        assertRejected(text(tmp, "h.obj", "v 0 0 0\nv 1 0\n"), "v needs", OBJ);
    }

    @Test
    void decodedSizeIsBoundedByTheLimitsBeforeAllocating(@TempDir Path tmp) throws IOException {
        // a fan of 2 002 corners: 2 000 triangles, 24 000 bytes of indices (OBJ keeps as many normal indices)
        Path obj = text(tmp, "fan.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2" + " 3 2".repeat(1000) + "\n");
        Path ply = text(tmp, "fan.ply", PLY_HEAD.replace("uchar int", "ushort int") + "0 0 0\n1 0 0\n0 1 0\n2002 0 1"
                + " 2 1".repeat(1000) + "\n");
        FileFormatException e = assertThrows(FileFormatException.class, () -> Obj.read(obj, new Mesh.Limits(40_000)).close());
        assertTrue(e.getMessage().contains("limit of 40000 bytes"), e.getMessage());
        e = assertThrows(FileFormatException.class, () -> Ply.read(ply, new Mesh.Limits(20_000)).close());
        assertTrue(e.getMessage().contains("limit of 20000 bytes"), e.getMessage());
        try (Scope s = Scope.open()) {
            assertEquals(2000, Obj.read(obj, new Mesh.Limits(60_000)).faceCount());
            assertEquals(2000, Ply.read(ply, new Mesh.Limits(30_000)).faceCount());
        }
        String old = System.getProperty(Mesh.Limits.PROPERTY);
        try {
            System.setProperty(Mesh.Limits.PROPERTY, "1000");
            assertRejected(ply, "limit of 1000 bytes", PLY);
            System.setProperty(Mesh.Limits.PROPERTY, "lots");
            IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> Obj.read(obj));
            assertTrue(bad.getMessage().contains(Mesh.Limits.PROPERTY), bad.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(Mesh.Limits.PROPERTY);
            } else {
                System.setProperty(Mesh.Limits.PROPERTY, old);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> new Mesh.Limits(0));
    }

    @Test
    void objRefusesBinaryBytes(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("binary.obj");
        Files.write(f, new byte[]{'v', ' ', '1', ' ', 0, ' ', '2', '\n'});
        assertRejected(f, "control byte 0x0", OBJ);
    }
}
