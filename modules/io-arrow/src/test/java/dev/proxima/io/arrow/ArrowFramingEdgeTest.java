package dev.proxima.io.arrow;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.arrow.ArrowTensors.Format;
import dev.proxima.io.testing.Patterns;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The framing checks of Arrow IPC streams and the block checks of Arrow IPC files at their exact edges: one byte
 * short is refused with the message naming the numbers, exactly enough is accepted (or left to Arrow's own
 * validation), so an off-by-one in a check fails a test.
 */
@ExtendWith(NoLeaks.class)
class ArrowFramingEdgeTest {

    private static final byte[] CONTINUATION = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF};

    private static byte[] bytes(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        ByteBuffer b = ByteBuffer.allocate(n);
        for (byte[] p : parts) {
            b.put(p);
        }
        return b.array();
    }

    private static byte[] int32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static String refused(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        FileFormatException e = assertThrows(FileFormatException.class, () -> ArrowTensors.readBatch(file, "t").close());
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        return e.getMessage().substring(file.toString().length() + 2);
    }

    /** A valid stream of one record batch (F64 [4, 64]), and the byte where its record batch message starts. */
    private static byte[] validStream(Path tmp) throws IOException {
        Path p = tmp.resolve("valid.arrows");
        try (Scope ignored = Scope.open()) {
            ArrowTensors.writeBatch(p, "t", Patterns.tensor(DType.F64, 4, 64), Format.STREAM);
        }
        return Files.readAllBytes(p);
    }

    @Test
    void aContinuationMarkerNeedsFourMoreBytes(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("c.arrows");
        assertEquals("IPC message at byte 0: continuation marker without a length",
                refused(f, bytes(CONTINUATION, new byte[3])));
        // four more bytes: a length of 0, the end-of-stream marker — the framing is fine, the stream has no schema
        String empty = refused(f, bytes(CONTINUATION, int32(0)));
        assertFalse(empty.contains("continuation marker"), empty);
        assertTrue(empty.startsWith("invalid Arrow IPC data") || empty.contains("no record batches"), empty);
    }

    @Test
    void metadataLengthsAreCheckedAgainstTheBytesThatFollowToTheByte(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("m.arrows");
        // 16 metadata bytes announced, 15 follow
        assertEquals("IPC message at byte 0 announces 16 metadata bytes but only 15 follow",
                refused(f, bytes(CONTINUATION, int32(16), new byte[15])));
        // 16 announced, 16 follow: the length passes, the metadata itself (zeros) is not a Message
        String exact = refused(f, bytes(CONTINUATION, int32(16), new byte[16]));
        assertFalse(exact.contains("metadata bytes but only"), exact);
        // the second message is checked too, at its own offset
        byte[] valid = validStream(tmp);
        int firstLength = ByteBuffer.wrap(valid, 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        int second = 8 + firstLength; // the schema message has no body
        byte[] cut = Arrays.copyOf(valid, second + 8 + 3);
        assertEquals("IPC message at byte " + second + " announces "
                        + ByteBuffer.wrap(valid, second + 4, 4).order(ByteOrder.LITTLE_ENDIAN).getInt()
                        + " metadata bytes but only 3 follow", refused(f, cut));
    }

    @Test
    void bodyLengthsAreCheckedAgainstTheBytesThatFollowToTheByte(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("b.arrows");
        byte[] valid = validStream(tmp);
        // without its 8-byte end-of-stream marker the stream ends exactly after the batch's body: still readable
        Files.write(f, Arrays.copyOf(valid, valid.length - 8));
        try (Tensor t = ArrowTensors.readBatch(f, "t")) {
            assertArrayEquals(new long[]{4, 64}, t.shape());
        }
        // one byte less: the body is one byte short
        String message = refused(f, Arrays.copyOf(valid, valid.length - 9));
        assertTrue(message.matches("IPC message at byte \\d+ announces a body of (\\d+) bytes but only \\d+ follow"), message);
        String[] numbers = message.replaceAll("[^0-9]+", " ").trim().split(" ");
        assertEquals(Long.parseLong(numbers[1]) - 1, Long.parseLong(numbers[2]), message);
        // three stray bytes after a complete stream (fewer than a length word) are ignored by the framing check
        Files.write(f, bytes(Arrays.copyOf(valid, valid.length - 8), new byte[3]));
        try (Tensor t = ArrowTensors.readBatch(f, "t")) {
            assertArrayEquals(new long[]{4, 64}, t.shape());
        }
    }

    /** The footer's Block structs: offset (int64), metadata length (int32, then 4 bytes of padding), body length (int64). */
    private static int blockOf(byte[] file, long bodyLength) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = file.length - 16; i >= 16; i--) {
            if (b.getLong(i) == bodyLength && b.getLong(i - 16) > 0 && b.getLong(i - 16) < file.length) {
                return i - 16;
            }
        }
        throw new AssertionError("no block with body length " + bodyLength);
    }

    @Test
    void fileBlocksMustLieInsideTheFile(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("blocks.arrow");
        try (Scope ignored = Scope.open()) {
            ArrowTensors.writeBatch(f, "t", Patterns.tensor(DType.F64, 4, 64), Format.FILE);
        }
        byte[] valid = Files.readAllBytes(f);
        byte[] stream = validStream(tmp);
        long body = Long.parseLong(refused(tmp.resolve("x.arrows"), Arrays.copyOf(stream, stream.length - 9))
                .replaceAll(".*announces a body of (\\d+) bytes.*", "$1"));
        int block = blockOf(valid, body);
        ByteBuffer b = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN);
        long offset = b.getLong(block);
        int meta = b.getInt(block + 8);
        int n = valid.length;
        // the body reaches one byte past the end of the file
        byte[] longBody = valid.clone();
        ByteBuffer.wrap(longBody).order(ByteOrder.LITTLE_ENDIAN).putLong(block + 16, n - offset - meta + 1);
        assertEquals("record batch block 0 (offset " + offset + ", metadata " + meta + " bytes, body " + (n - offset - meta + 1)
                + " bytes) does not lie inside the file of " + n + " bytes", refused(f, longBody));
        // metadata shorter than the 8 bytes of its own framing
        byte[] shortMeta = valid.clone();
        ByteBuffer.wrap(shortMeta).order(ByteOrder.LITTLE_ENDIAN).putInt(block + 8, 7);
        assertTrue(refused(f, shortMeta).contains("metadata 7 bytes"));
        // a negative offset, and one past the end of the file
        byte[] negative = valid.clone();
        ByteBuffer.wrap(negative).order(ByteOrder.LITTLE_ENDIAN).putLong(block, -8);
        assertTrue(refused(f, negative).contains("(offset -8,"));
        byte[] past = valid.clone();
        ByteBuffer.wrap(past).order(ByteOrder.LITTLE_ENDIAN).putLong(block, n + 1);
        assertTrue(refused(f, past).contains("(offset " + (n + 1) + ","));
    }

    /** Reads {@code content} and returns null if it was accepted, or the reader's message if it was refused. */
    private static String outcome(Path file, byte[] content) throws IOException {
        Files.write(file, content);
        try (Tensor ignored = ArrowTensors.readBatch(file, "t")) {
            return null;
        } catch (FileFormatException e) {
            return e.getMessage();
        }
    }

    @Test
    void fileBlocksExactlyAtTheEdgesPassTheBlockCheck(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("edges.arrow");
        try (Scope ignored = Scope.open()) {
            ArrowTensors.writeBatch(f, "t", Patterns.tensor(DType.F64, 4, 64), Format.FILE);
        }
        byte[] valid = Files.readAllBytes(f);
        byte[] stream = validStream(tmp);
        long body = Long.parseLong(refused(tmp.resolve("x.arrows"), Arrays.copyOf(stream, stream.length - 9))
                .replaceAll(".*announces a body of (\\d+) bytes.*", "$1"));
        int block = blockOf(valid, body);
        ByteBuffer b = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN);
        long offset = b.getLong(block);
        int meta = b.getInt(block + 8);
        int n = valid.length;
        assertTrue(offset + meta + body < n, "the footer follows the last body");
        // each edge value is inside the file: whatever Arrow makes of the bytes there, the block check lets it pass
        java.util.List<byte[]> edges = new java.util.ArrayList<>();
        byte[] zeroOffset = valid.clone();
        ByteBuffer.wrap(zeroOffset).order(ByteOrder.LITTLE_ENDIAN).putLong(block, 0);
        edges.add(zeroOffset);
        byte[] eightMeta = valid.clone();
        ByteBuffer.wrap(eightMeta).order(ByteOrder.LITTLE_ENDIAN).putInt(block + 8, 8);
        edges.add(eightMeta);
        byte[] emptyBody = valid.clone();
        ByteBuffer.wrap(emptyBody).order(ByteOrder.LITTLE_ENDIAN).putLong(block + 16, 0);
        edges.add(emptyBody);
        byte[] bodyToTheEnd = valid.clone();
        ByteBuffer.wrap(bodyToTheEnd).order(ByteOrder.LITTLE_ENDIAN).putLong(block + 16, n - offset - meta);
        edges.add(bodyToTheEnd);
        byte[] metaToTheEnd = valid.clone();
        ByteBuffer.wrap(metaToTheEnd).order(ByteOrder.LITTLE_ENDIAN).putInt(block + 8, (int) (n - offset)).putLong(block + 16, 0);
        edges.add(metaToTheEnd);
        for (int i = 0; i < edges.size(); i++) {
            String message = outcome(f, edges.get(i));
            assertTrue(message == null || !message.contains("does not lie inside"), "edge " + i + ": " + message);
        }
        // and one past each far edge is refused by it
        byte[] metaPast = valid.clone();
        ByteBuffer.wrap(metaPast).order(ByteOrder.LITTLE_ENDIAN).putInt(block + 8, (int) (n - offset + 1)).putLong(block + 16, 0);
        assertTrue(refused(f, metaPast).contains("metadata " + (n - offset + 1) + " bytes, body 0 bytes) does not lie inside"));
        byte[] offsetAtEnd = valid.clone();
        ByteBuffer.wrap(offsetAtEnd).order(ByteOrder.LITTLE_ENDIAN).putLong(block, n);
        assertTrue(refused(f, offsetAtEnd).contains("(offset " + n + ","));
    }

    @Test
    void aLengthWordInTheLastFourBytesIsChecked(@TempDir Path tmp) throws IOException {
        Path f = tmp.resolve("tail.arrows");
        byte[] valid = validStream(tmp);
        byte[] withoutEnd = Arrays.copyOf(valid, valid.length - 8);
        int at = withoutEnd.length;
        // a bare length word (no continuation marker) announcing 100 metadata bytes, in exactly the last 4 bytes
        assertEquals("IPC message at byte " + at + " announces 100 metadata bytes but only 0 follow",
                refused(f, bytes(withoutEnd, int32(100))));
        // a bare end-of-stream word there is fine
        assertEquals(null, outcome(f, bytes(withoutEnd, int32(0))));
        // a continuation marker with its length in the last 4 bytes
        assertEquals("IPC message at byte " + at + " announces 100 metadata bytes but only 0 follow",
                refused(f, bytes(withoutEnd, CONTINUATION, int32(100))));
    }
}
