package dev.proxima.io;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * OBJ indices and limits at their edges: the most negative relative index, one past the last vertex or
 * normal, the largest parsable index, lines of exactly the maximum length, corners with an empty vertex
 * part, and the mesh's own shape checks.
 */
@ExtendWith(NoLeaks.class)
class ObjEdgeTest {

    private static final String TRIANGLE = "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\n";

    private static Path write(Path dir, String text) throws IOException {
        Path p = dir.resolve("m.obj");
        Files.writeString(p, text, StandardCharsets.UTF_8);
        return p;
    }

    private static String refused(Path dir, String text) throws IOException {
        Path p = write(dir, text);
        return assertThrows(FileFormatException.class, () -> Obj.read(p).close()).getMessage().substring(p.toString().length() + 2);
    }

    @Test
    void indicesAtTheirEdges(@TempDir Path tmp) throws IOException {
        try (Mesh m = Obj.read(write(tmp, TRIANGLE + "f -3//-1 -2//1 -1//-1\n"))) {
            assertArrayEquals(new long[]{0, 1, 2}, m.faces().toLongArray());
            assertArrayEquals(new float[]{0, 0, 1, 0, 0, 1, 0, 0, 1}, m.normals().toFloatArray());
        }
        assertEquals("line 5: vertex index -4 out of range (3 vertexs defined so far)", refused(tmp, TRIANGLE + "f -4 1 2\n"));
        assertEquals("a face refers to vertex 4 but there are 3 vertices", refused(tmp, TRIANGLE + "f 1 2 4\n"));
        assertEquals("a face refers to normal 2 but there are 1 normals", refused(tmp, TRIANGLE + "f 1//1 2//2 3//1\n"));
        assertEquals("a face refers to vertex 2147483647 but there are 3 vertices", refused(tmp, TRIANGLE + "f 1 2 2147483647\n"));
        assertEquals("line 5: vertex index 2147483648 out of range (3 vertexs defined so far)", refused(tmp, TRIANGLE + "f 1 2 2147483648\n"));
        assertEquals("line 5: bad vertex index ''", refused(tmp, TRIANGLE + "f /1 2 3\n"));
        assertEquals("line 5: a face needs at least 3 corners, got 2", refused(tmp, TRIANGLE + "f 1 2\n"));
        assertEquals("line 1: v needs 3, 4 or 6 numbers, got 2", refused(tmp, "v 1 2\n"));
        assertEquals("line 1: vn needs 3 numbers, got 4", refused(tmp, "vn 1 2 3 4\n"));
    }

    @Test
    void linesOfExactlyTheMaximumLength(@TempDir Path tmp) throws IOException {
        int max = 1 << 20;
        String comment = "#" + "x".repeat(max - 1);
        try (Mesh m = Obj.read(write(tmp, comment + "\n" + TRIANGLE + "f 1 2 3\n"))) {
            assertEquals(1, m.faceCount());
            assertNull(m.colors());
        }
        assertEquals("line 1 is longer than 1048576 bytes", refused(tmp, comment + "x\n" + TRIANGLE));
    }

    @Test
    void decodedSizeLimitExactlyMet(@TempDir Path tmp) throws IOException {
        // the largest check is the last line's: 9 coordinates, 9 colour values, 3 normal values, 3 + 3 face
        // entries so far, and 6 per corner beyond the third of the line itself (five here) = 57 values of 4 bytes
        String text = "v 0 0 0 1 0 0\nv 1 0 0 0 1 0\nv 0 1 0 0 0 1\nvn 0 0 1\nf 1//1 2//1 3//1\nf 3//1 2//1 1//1 3//1 2//1 1//1 3//1\n";
        Path p = write(tmp, text);
        try (Mesh m = Obj.read(p, new Mesh.Limits(228))) {
            assertEquals(6, m.faceCount());
            assertArrayEquals(new float[]{1, 0, 0, 0, 1, 0, 0, 0, 1}, m.colors().toFloatArray());
        }
        FileFormatException e = assertThrows(FileFormatException.class, () -> Obj.read(p, new Mesh.Limits(227)).close());
        assertEquals(p + ": the mesh decodes to more than the limit of 227 bytes (Mesh.Limits, system property proxima.mesh.maxDecodedBytes)",
                e.getMessage());
        try (Mesh one = Obj.read(write(tmp, "# nothing but a comment\n"), new Mesh.Limits(1))) { // the smallest limit
            assertEquals(0, one.vertexCount());
        }
    }

    @Test
    void meshShapesAreChecked() {
        try (Scope s = Scope.open()) {
            float[] v = {0, 0, 0, 1, 0, 0, 0, 1, 0};
            int[] f = {0, 1, 2};
            try (Mesh ok = Mesh.of(v, f, v, v)) {
                assertEquals(3, ok.vertexCount());
            }
            Tensor vt = Tensor.of(v).reshape(3, 3);
            Tensor ft = Tensor.of(f).reshape(1, 3);
            assertEquals("mesh vertices must be F32[n, 3], got F32[9]",
                    assertThrows(IllegalArgumentException.class, () -> new Mesh(Tensor.of(v), ft, null, null)).getMessage());
            assertEquals("mesh faces must be I32[n, 3], got I32[3, 1]",
                    assertThrows(IllegalArgumentException.class, () -> new Mesh(vt, ft.reshape(3, 1), null, null)).getMessage());
            assertEquals("mesh normals must be F32[3, 3], got F32[2, 3]",
                    assertThrows(IllegalArgumentException.class, () -> new Mesh(vt, ft, Tensor.zeros(DType.F32, 2, 3), null)).getMessage());
            assertEquals("mesh colors must be F32[3, 3], got F64[3, 3]",
                    assertThrows(IllegalArgumentException.class, () -> new Mesh(vt, ft, null, Tensor.zeros(DType.F64, 3, 3))).getMessage());
            assertEquals("maxDecodedBytes must be positive, got 0", assertThrows(IllegalArgumentException.class, () -> new Mesh.Limits(0)).getMessage());
        }
    }
}
