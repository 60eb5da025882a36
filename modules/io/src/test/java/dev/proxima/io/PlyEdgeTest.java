package dev.proxima.io;

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
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.proxima.testkit.NoLeaks;

/**
 * PLY sizes at their edges: the decoded-size limit exactly met and missed by one byte (vertices with normals
 * and colours, then a quad's two triangles), element counts exactly as large as the body can hold (ASCII
 * and binary), empty elements, and the shortest files.
 */
@ExtendWith(NoLeaks.class)
class PlyEdgeTest {

    private static final String HEADER = "ply\nformat ascii 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\n"
            + "property float nx\nproperty float ny\nproperty float nz\nproperty uchar red\nproperty uchar green\nproperty uchar blue\n"
            + "element face 1\nproperty list uchar int vertex_indices\nelement edge 0\nproperty int vertex1\nend_header\n";
    private static final String BODY = "0 0 0 0 0 1 255 0 0\n1 0 0 0 0 1 0 255 0\n1 1 0 0 0 1 0 0 255\n0 1 0 0 0 1 255 255 255\n4 0 1 2 3\n";

    private static Path write(Path dir, byte[] bytes) throws IOException {
        Path p = dir.resolve("m.ply");
        Files.write(p, bytes);
        return p;
    }

    private static String refused(Path p, Mesh.Limits limits) {
        return assertThrows(FileFormatException.class, () -> Ply.read(p, limits).close()).getMessage().substring(p.toString().length() + 2);
    }

    @Test
    void decodedSizeLimitExactlyMet(@TempDir Path tmp) throws IOException {
        Path p = write(tmp, (HEADER + BODY).getBytes(StandardCharsets.US_ASCII));
        // 4 vertices × (xyz + normal + colour) × 12 bytes = 144, then 2 triangles × 12 bytes = 24
        try (Mesh m = Ply.read(p, new Mesh.Limits(168))) {
            assertArrayEquals(new long[]{0, 1, 2, 0, 2, 3}, m.faces().toLongArray());
            assertArrayEquals(new float[]{1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1}, m.colors().toFloatArray(), 1e-7f);
            assertEquals(1f, m.normals().toFloatArray()[11]);
        }
        String over = "the mesh decodes to more than the limit of %d bytes (Mesh.Limits, system property proxima.mesh.maxDecodedBytes)";
        assertEquals(String.format(over, 167), refused(p, new Mesh.Limits(167)));
        assertEquals(String.format(over, 143), refused(p, new Mesh.Limits(143)));
        try (Mesh m = Ply.read(p, new Mesh.Limits(168))) {
            assertEquals(4, m.vertexCount());
        }
    }

    @Test
    void elementCountsAsLargeAsTheBodyHolds(@TempDir Path tmp) throws IOException {
        String ascii = "ply\nformat ascii 1.0\nelement vertex %d\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n";
        try (Mesh m = Ply.read(write(tmp, String.format(ascii, 1).getBytes(StandardCharsets.US_ASCII)))) {
            assertEquals(1, m.vertexCount());
        }
        Path two = write(tmp, String.format(ascii, 2).getBytes(StandardCharsets.US_ASCII));
        assertEquals("element vertex announces 2 rows but the file has only 6 bytes after the header", refused(two, Mesh.Limits.defaults()));
        String bin = "ply\nformat binary_little_endian 1.0\nelement vertex %d\nproperty float x\nproperty float y\nproperty float z\nend_header\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(String.format(bin, 1).getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3).array());
        try (Mesh m = Ply.read(write(tmp, out.toByteArray()))) {
            assertArrayEquals(new float[]{1, 2, 3}, m.vertices().toFloatArray());
        }
        ByteArrayOutputStream two12 = new ByteArrayOutputStream();
        two12.writeBytes(String.format(bin, 2).getBytes(StandardCharsets.US_ASCII));
        two12.writeBytes(new byte[12]);
        assertEquals("element vertex announces 2 rows but the file has only 12 bytes after the header",
                refused(write(tmp, two12.toByteArray()), Mesh.Limits.defaults()));
        // one byte short of a row passes the count check and is then found truncated where its third float starts
        byte[] short11 = java.util.Arrays.copyOf(out.toByteArray(), out.size() - 1);
        assertEquals("truncated: the data ends at byte " + (short11.length - 3), refused(write(tmp, short11), Mesh.Limits.defaults()));
    }

    @Test
    void shortestFiles(@TempDir Path tmp) throws IOException {
        assertEquals("not a PLY file (it must start with 'ply')", refused(write(tmp, "ply".getBytes(StandardCharsets.US_ASCII)), Mesh.Limits.defaults()));
        assertEquals("no end_header line in the first 4 bytes", refused(write(tmp, "ply\n".getBytes(StandardCharsets.US_ASCII)), Mesh.Limits.defaults()));
        assertEquals("negative element count -1",
                refused(write(tmp, "ply\nformat ascii 1.0\nelement vertex -1\nend_header\n".getBytes(StandardCharsets.US_ASCII)), Mesh.Limits.defaults()));
        // the marker may be the very first bytes after 'ply\n' and the last bytes before the body
        try (Mesh m = Ply.read(write(tmp, "ply\nformat ascii 1.0\nelement vertex 0\nproperty float x\nproperty float y\nproperty float z\nend_header \t\r\n"
                .getBytes(StandardCharsets.US_ASCII)))) {
            assertEquals(0, m.vertexCount());
        }
    }
}
