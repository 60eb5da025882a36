package dev.proxima.reliability;

import dev.proxima.io.arrow.ArrowTensors;
import dev.proxima.io.FileFormatException;
import dev.proxima.io.Mesh;
import dev.proxima.io.Npy;
import dev.proxima.io.Obj;
import dev.proxima.io.Ply;
import dev.proxima.io.Png;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static dev.proxima.reliability.Expect.refused;
import static dev.proxima.reliability.Expect.that;

/**
 * Hostile files for every reader: the reader refuses them with a {@link FileFormatException} (or an
 * {@link IOException} for what is not a readable file) before allocating what they claim, and never lets an
 * {@link Error} or a runtime exception out.
 */
final class HostileFileProbes {

    private HostileFileProbes() {
    }

    /** Reads a file and closes what it gave. */
    @FunctionalInterface
    interface Reader {
        void read(Path file) throws IOException;
    }

    private static final Map<String, Reader> READERS = Map.of(
            "npy", f -> Npy.read(f).close(),
            "npz", f -> Npy.readNpz(f).values().forEach(Tensor::close),
            "png", f -> Png.read(f).close(),
            "ply", f -> Ply.read(f).close(),
            "obj", f -> Obj.read(f).close(),
            "arrow", f -> ArrowTensors.readBatch(f, "x").close());

    static void register(Probes p) {
        for (String format : new String[]{"npy", "npz", "png", "ply", "obj", "arrow"}) {
            Reader reader = READERS.get(format);
            // an empty OBJ file is an empty mesh; every other format has a required header
            p.add("files." + format + ".empty", () -> {
                if (format.equals("obj")) {
                    readsOrRejects(reader, new byte[0]);
                } else {
                    rejects(reader, new byte[0]);
                }
            });
            p.add("files." + format + ".directory", () -> {
                Path dir = Files.createTempDirectory("probe");
                try {
                    refused(IOException.class, () -> reader.read(dir));
                } finally {
                    Files.delete(dir);
                }
            });
            p.add("files." + format + ".garbage", () -> {
                SplittableRandom random = new SplittableRandom(format.hashCode());
                for (int size : new int[]{1, 7, 64, 4096}) {
                    byte[] b = new byte[size];
                    random.nextBytes(b);
                    if (format.equals("obj") && size < 64) {
                        readsOrRejects(reader, b);   // a few bytes of text can be a valid (empty) OBJ file
                    } else {
                        rejects(reader, b);
                    }
                }
            });
            p.add("files." + format + ".truncatedAndFlipped", () -> {
                byte[] valid = valid(format);
                SplittableRandom random = new SplittableRandom(31 * format.hashCode());
                for (int k = 1; k < 32; k++) {
                    readsOrRejects(reader, Arrays.copyOf(valid, valid.length * k / 32));
                    byte[] flipped = valid.clone();
                    for (int i = 0; i < 1 + k / 8; i++) {
                        flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                    }
                    readsOrRejects(reader, flipped);
                }
            });
        }
        p.add("files.arrow.hugeMessageLength", () -> rejects(READERS.get("arrow"),
                new byte[]{(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xF0, (byte) 0xFF, (byte) 0xFF, 0x7F}));
        p.add("files.npy.hugeShapeClaim", () -> rejects(READERS.get("npy"),
                npy("<f8", "(4611686018427387904,)", 64)));
        p.add("files.npy.negativeShape", () -> rejects(READERS.get("npy"), npy("<f4", "(-3,)", 64)));
        p.add("files.npy.unknownDescr", () -> rejects(READERS.get("npy"), npy("<c32", "(2,)", 64)));
        p.add("files.npy.dataShorterThanShape", () -> rejects(READERS.get("npy"), npy("<f8", "(1000,)", 80)));
        p.add("files.npz.hugeSizeClaims", () -> {
            byte[] zip = valid("npz");
            ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
            for (int i = 0; i + 4 <= zip.length; i++) {
                if (b.getInt(i) == 0x02014b50) {
                    b.putInt(i + 20, 0x7FFFFFF0);
                    b.putInt(i + 24, 0xFFFFFFF0);
                }
            }
            readsOrRejects(READERS.get("npz"), zip);
        });
        p.add("files.png.decodedSizeAmplification", () -> {
            byte[] png = pngWithSize(valid("png"), 32768, 32767);
            refused(FileFormatException.class, () -> READERS.get("png").read(write(png)), "limit");
        });
        p.add("files.png.maximumSide", () -> rejects(READERS.get("png"), pngWithSize(valid("png"), Integer.MAX_VALUE, 1)));
        p.add("files.ply.hugeVertexClaim", () -> rejects(READERS.get("ply"), ascii("""
                ply
                format binary_little_endian 1.0
                element vertex 2147483647
                property float x
                property float y
                property float z
                end_header
                """ + "\0".repeat(24))));
        p.add("files.ply.hugeFaceList", () -> {
            byte[] header = ascii("""
                    ply
                    format binary_little_endian 1.0
                    element vertex 3
                    property float x
                    property float y
                    property float z
                    element face 1
                    property list uint int vertex_indices
                    end_header
                    """);
            ByteBuffer body = ByteBuffer.allocate(36 + 4 + 12).order(ByteOrder.LITTLE_ENDIAN);
            body.position(36);
            body.putInt(0x7FFFFFFF);
            rejects(READERS.get("ply"), concat(header, body.array()));
        });
        p.add("files.ply.decodedSizeLimit", () -> {
            // 3 one-byte vertices and faces of 255 one-byte indices: 253 triangles (3 036 bytes) per 256 bytes
            StringBuilder h = new StringBuilder("ply\nformat binary_little_endian 1.0\nelement vertex 3\n"
                    + "property uchar x\nproperty uchar y\nproperty uchar z\nelement face 4096\n"
                    + "property list uchar uchar vertex_indices\nend_header\n");
            byte[] body = new byte[9 + 4096 * 256];
            for (int f = 0; f < 4096; f++) {
                body[9 + 256 * f] = (byte) 255;
                for (int i = 1; i < 256; i++) {
                    body[9 + 256 * f + i] = (byte) (i % 3);
                }
            }
            withMeshLimit(1 << 20, () -> refused(FileFormatException.class,
                    () -> READERS.get("ply").read(write(concat(ascii(h.toString()), body))), "limit"));
        });
        p.add("files.obj.hugeIndex", () -> rejects(READERS.get("obj"), ascii("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 99999999999999999999\n")));
        p.add("files.obj.longLine", () -> rejects(READERS.get("obj"), ascii("# " + "x".repeat(2 << 20) + "\n")));
        p.add("files.obj.decodedSizeLimit", () -> {
            StringBuilder s = new StringBuilder("v 0 0 0\nv 1 0 0\nv 0 1 0\n");
            for (int f = 0; f < 64; f++) {
                s.append("f 1 2");
                s.append(" 3 1 2".repeat(5000));
                s.append('\n');
            }
            withMeshLimit(1 << 20, () -> refused(FileFormatException.class,
                    () -> READERS.get("obj").read(write(ascii(s.toString()))), "limit"));
        });
    }

    private static void withMeshLimit(long bytes, Probe body) throws Exception {
        String old = System.getProperty(Mesh.Limits.PROPERTY);
        System.setProperty(Mesh.Limits.PROPERTY, Long.toString(bytes));
        try {
            body.run();
        } finally {
            if (old == null) {
                System.clearProperty(Mesh.Limits.PROPERTY);
            } else {
                System.setProperty(Mesh.Limits.PROPERTY, old);
            }
        }
    }

    /** The reader must refuse the bytes with a FileFormatException. */
    private static void rejects(Reader reader, byte[] bytes) throws IOException {
        Path f = write(bytes);
        try {
            refused(FileFormatException.class, () -> reader.read(f));
        } finally {
            Files.deleteIfExists(f);
        }
    }

    /** The reader may read the bytes (they can still be a valid file) or refuse them with a FileFormatException. */
    private static void readsOrRejects(Reader reader, byte[] bytes) throws IOException {
        Path f = write(bytes);
        try {
            reader.read(f);
        } catch (FileFormatException expected) {
            that(expected.getMessage() != null && !expected.getMessage().isBlank(), "a message");
        } catch (IOException | RuntimeException e) {
            AssertionError a = new AssertionError("a damaged file of " + bytes.length + " bytes gave " + e
                    + " instead of a FileFormatException");
            a.initCause(e);
            throw a;
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static Path write(byte[] bytes) throws IOException {
        Path f = Files.createTempFile("probe", ".bin");
        f.toFile().deleteOnExit();
        return Files.write(f, bytes);
    }

    /** A small valid file of the format, written by Proxima itself. */
    private static byte[] valid(String format) throws IOException {
        Path f = Files.createTempFile("probe", "." + format);
        try (Scope ignored = Scope.open()) {
            Tensor x = Tensor.arange(0, 24, 1, DType.F32).reshape(2, 3, 4);
            switch (format) {
                case "npy" -> Npy.write(f, x);
                case "npz" -> Npy.writeNpz(f, Map.of("x", x, "y", Tensor.of(1L, 2L)), true);
                case "png" -> Png.write(f, Tensor.arange(0, 48, 1, DType.F32).div(48).reshape(4, 4, 3));
                case "ply", "obj" -> {
                    try (Mesh m = Mesh.of(new float[]{0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 1}, new int[]{0, 1, 2, 1, 3, 2},
                            new float[]{0, 0, 1, 0, 0, 1, 0, 0, 1, 0, 0, 1}, null)) {
                        if (format.equals("ply")) {
                            Ply.write(f, m, true);
                        } else {
                            Obj.write(f, m);
                        }
                    }
                }
                case "arrow" -> ArrowTensors.writeBatch(f, "x", x, ArrowTensors.Format.STREAM);
                default -> throw new IllegalArgumentException(format);
            }
            return Files.readAllBytes(f);
        } finally {
            Files.deleteIfExists(f);
        }
    }

    private static byte[] npy(String descr, String shape, int dataBytes) {
        String header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int total = 10 + header.length() + 1;
        int pad = (64 - total % 64) % 64;
        String h = header + " ".repeat(pad) + "\n";
        ByteBuffer b = ByteBuffer.allocate(10 + h.length() + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
        b.putShort((short) h.length());
        b.put(h.getBytes(StandardCharsets.US_ASCII));
        return b.array();
    }

    /** A PNG with its IHDR's width and height replaced (and the chunk's CRC recomputed). */
    private static byte[] pngWithSize(byte[] png, int width, int height) {
        byte[] b = png.clone();
        ByteBuffer buf = ByteBuffer.wrap(b);
        buf.putInt(16, width);
        buf.putInt(20, height);
        b[24] = 1;   // bit depth 1
        b[25] = 0;   // gray
        CRC32 crc = new CRC32();
        crc.update(b, 12, 17);
        buf.putInt(29, (int) crc.getValue());
        return b;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }
}
