package dev.proxima.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Seeded mutation fuzzing of a reader: each case flips, overwrites, inserts or deletes bytes of a
 * valid file (with a bias to the first bytes, where headers live) or truncates it. The reader must
 * either throw an {@link IOException} or return a value the check accepts; anything else fails.
 */
final class Fuzz {

    /** Reads a file; returns normally or throws IOException. */
    interface Reader {
        void read(Path file) throws IOException;
    }

    private Fuzz() {
    }

    static byte[] mutate(byte[] valid, SplittableRandom rnd) {
        byte[] b = valid.clone();
        int kind = rnd.nextInt(6);
        int headerBias = Math.min(b.length, 160);
        switch (kind) {
            case 0 -> { // truncate
                return Arrays.copyOf(b, rnd.nextInt(b.length));
            }
            case 1, 2 -> { // flip 1..4 bytes, mostly in the header
                int n = 1 + rnd.nextInt(4);
                for (int i = 0; i < n; i++) {
                    int at = rnd.nextInt(4) == 0 ? rnd.nextInt(b.length) : rnd.nextInt(headerBias);
                    b[at] ^= (byte) (1 + rnd.nextInt(255));
                }
                return b;
            }
            case 3 -> { // overwrite a byte with an "interesting" value
                int at = rnd.nextInt(headerBias);
                byte[] v = {0, (byte) 0xff, (byte) 0x7f, (byte) 0x80, '9', '(', ')', ',', '\'', '-'};
                b[at] = v[rnd.nextInt(v.length)];
                return b;
            }
            case 4 -> { // insert bytes
                int at = rnd.nextInt(b.length);
                int n = 1 + rnd.nextInt(8);
                byte[] out = new byte[b.length + n];
                System.arraycopy(b, 0, out, 0, at);
                for (int i = 0; i < n; i++) {
                    out[at + i] = (byte) rnd.nextInt(256);
                }
                System.arraycopy(b, at, out, at + n, b.length - at);
                return out;
            }
            default -> { // delete bytes
                int at = rnd.nextInt(b.length);
                int n = Math.min(b.length - at, 1 + rnd.nextInt(8));
                byte[] out = new byte[b.length - n];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(b, at + n, out, at, b.length - at - n);
                return out;
            }
        }
    }

    /** Runs {@code cases} mutations of each valid file; returns how many were rejected. */
    static int run(Path dir, long seed, int cases, Reader reader, byte[]... valid) throws IOException {
        SplittableRandom rnd = new SplittableRandom(seed);
        Path f = dir.resolve("fuzz.bin");
        int rejected = 0;
        for (int c = 0; c < cases; c++) {
            byte[] src = valid[c % valid.length];
            byte[] m = mutate(src, rnd);
            Files.write(f, m);
            try {
                reader.read(f);
            } catch (IOException expected) {
                if (expected.getMessage() == null || expected.getMessage().isBlank()) {
                    fail("case " + c + " (seed " + seed + "): exception without a message", expected);
                }
                rejected++;
            } catch (RuntimeException | Error e) {
                Files.write(dir.resolve("fuzz-failure-" + c + ".bin"), m);
                fail("case " + c + " (seed " + seed + "): unexpected " + e, e);
            }
        }
        return rejected;
    }
}
