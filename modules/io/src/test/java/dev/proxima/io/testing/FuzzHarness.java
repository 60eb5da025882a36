package dev.proxima.io.testing;

import dev.proxima.io.FileFormatException;
import dev.proxima.io.Mesh;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.Tensor;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The fuzzing harness of the io readers: the contract every fuzz target checks on one input
 * ({@link #check}), and a seeded mutation fuzzer guided by outcomes ({@link #fuzz}) that drives a
 * target from plain JUnit.
 *
 * <h2>The contract</h2>
 * A reader given any bytes either returns a well-formed value (the target checks it and closes it) or
 * throws a {@link FileFormatException} whose message starts with the source it was given (or another
 * {@link IOException} with a message). Nothing else escapes: no other {@link RuntimeException}, no
 * {@link Error} ({@link OutOfMemoryError}, {@link StackOverflowError}), and
 * {@link Memory#allocatedBytes()} is back where it was after every input, whether the read succeeded
 * or failed. The io tests run with {@code proxima.memory.limit} = 1 GiB, so an input that makes a
 * reader allocate far more than its data justifies fails with Arrow's {@code OutOfMemoryException}.
 *
 * <h2>Why not Jazzer's own fuzzing</h2>
 * The targets are Jazzer {@code @FuzzTest} methods, and Jazzer's regression mode replays their
 * committed inputs ({@code src/test/resources/dev/proxima/io/<Class>Inputs/<method>/}) in every build.
 * Jazzer's coverage-guided mode cannot work on this JDK: Jazzer 0.24.0 (and 0.25.0) bundles ASM 9.7,
 * which reads class files up to Java 23 (major version 67), so its agent fails to instrument every Java
 * 25 class (major version 69) with "Unsupported class file major version 69", and libFuzzer, seeing no
 * coverage, reports "no interesting inputs were found". This fuzzer stands in, coverage-guided through
 * JaCoCo's agent instead (which reads Java 25 classes; {@link Coverage}): it mutates the seed files (bit
 * flips, interesting 8/32/64-bit values in either byte order, ASCII numbers replaced by boundary values,
 * inserted, deleted, duplicated and spliced ranges, truncation; half of the positions in the first 256
 * bytes, where headers live) and keeps a mutant in its corpus when it executes a JaCoCo probe (a branch or
 * block of the readers, or of Arrow's IPC reader) that no earlier input executed, or when it produces an
 * outcome not seen before: an exception of a new type, from a new place (in the reader, or in the library
 * beneath it for a wrapped cause) or with a new message (numbers and quoted text masked; at most 8 mutants
 * per place), or a success of a new kind (the target describes what it read). Without the agent (e.g. a
 * target run from an IDE) outcomes alone guide it.
 *
 * <h2>Budget</h2>
 * System properties (passed through by Maven's {@code -D}): {@code proxima.fuzz.inputs} (inputs per
 * target, default 2500), {@code proxima.fuzz.seconds} (a time cap per target, default 4),
 * {@code proxima.fuzz.seed} (the random seed, default fixed, so a build's run is reproducible),
 * {@code proxima.fuzz.report} (a folder to write each target's distinct outcomes and their counts to). A
 * failing input is written to {@code target/fuzz-findings/<target>/}; committed under the target's
 * {@code Inputs} folder, it becomes a regression case that Jazzer replays.
 */
public final class FuzzHarness {

    /**
     * A fuzz target: reads one input with one reader, checks what the reader returns and closes it.
     * It returns a short description of what it read (the kind of result, not its values: dtype and rank,
     * which optional parts a mesh has), which tells the fuzzer apart successes that took different paths.
     */
    public interface Target {
        String accept(byte[] input) throws IOException;
    }

    /** What one fuzzing run did, for the reliability table. */
    public record Stats(String target, long inputs, long accepted, long rejected, int outcomes, int corpus, int probes,
                        int coveringMutants, double seconds) {
        @Override
        public String toString() {
            String coverage = probes < 0 ? "no coverage agent" : String.format("%d JaCoCo probes newly covered, %d mutants kept"
                    + " for new coverage", probes, coveringMutants);
            return String.format("%s: %d inputs in %.1f s, %d read, %d rejected, %d distinct outcomes, corpus %d, %s;"
                    + " contract held for every input (the run stops at the first crash, leak or Error)",
                    target, inputs, seconds, accepted, rejected, outcomes, corpus, coverage);
        }
    }

    public static final Path SCRATCH = Path.of("target", "fuzz-scratch");
    public static final Path FINDINGS = Path.of("target", "fuzz-findings");
    /** The largest input the mutator builds (seeds are a few hundred bytes). */
    private static final int MAX_INPUT = 1 << 16;
    private static final int MAX_CORPUS = 4000;
    /** Mutants kept per site key (distinct messages from one check add little past a few). */
    private static final int MAX_PER_SITE = 8;

    private FuzzHarness() {
    }

    // =================================================================== one input

    /**
     * Runs {@code target} on {@code input} and checks the readers' contract.
     *
     * @param source what the target names the input as (a {@link FileFormatException} message starts with it)
     * @return the outcome's signature: "ok" and the target's description, or the exception's type, throw
     *         site and masked message and the types and throw sites of its causes
     * @throws AssertionError if the contract is broken; the input is saved under {@link #FINDINGS}
     */
    public static String check(String targetName, String source, byte[] input, Target target) {
        long before = Memory.allocatedBytes();
        String outcome;
        try {
            outcome = "ok " + target.accept(input);
        } catch (FileFormatException e) {
            if (!e.getMessage().startsWith(source)) {
                throw finding(targetName, input, "message does not name the source '" + source + "': " + e.getMessage(), e);
            }
            outcome = signature(e, source);
        } catch (IOException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                throw finding(targetName, input, "IOException without a message", e);
            }
            outcome = signature(e, source);
        } catch (AssertionError e) {
            throw finding(targetName, input, "the read returned a malformed value: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            throw finding(targetName, input, "unexpected " + e, e);
        }
        long leaked = Memory.allocatedBytes() - before;
        if (leaked != 0) {
            throw finding(targetName, input, leaked + " bytes leaked (outcome " + outcome + ")", null);
        }
        return outcome;
    }

    /**
     * An outcome's signature: the exception's type and the place that threw it (the first frame in the io
     * readers), the type and throwing frame of each cause, then, after {@value #DETAIL}, its message with
     * quoted text and every token holding a digit masked (they vary with the input, not with the check).
     * Throw sites are the checks of a reader (or of the library under it), so a new site is new code
     * reached; the part before {@value #DETAIL} is the site key.
     */
    private static String signature(Throwable e, String source) {
        StringBuilder sig = new StringBuilder(sites(e));
        String message = String.valueOf(e.getMessage()).replace(source, "<source>")
                .replaceAll("'[^']*'", "'_'").replaceAll("\"[^\"]*\"", "\"_\"").replaceAll("\\S*[0-9]\\S*", "#");
        return sig.append(DETAIL).append(message, 0, Math.min(message.length(), 100)).toString();
    }

    private static String sites(Throwable e) {
        StringBuilder sig = new StringBuilder(e.getClass().getSimpleName()).append('@').append(site(e, true));
        Throwable c = e.getCause();
        for (int depth = 0; c != null && depth < 3; depth++, c = c.getCause()) {
            sig.append(" <- ").append(c.getClass().getSimpleName()).append('@').append(site(c, false));
        }
        for (Throwable s : e.getSuppressed()) { // a target that tries several reads reports them all
            sig.append(" + ").append(sites(s));
        }
        return sig.toString();
    }

    /** Separates an outcome's site key from its detail. */
    private static final String DETAIL = " :: ";

    /** The site key of an outcome: "ok", or where the exception and its causes were thrown. */
    public static String siteKey(String outcome) {
        int at = outcome.indexOf(DETAIL);
        return outcome.startsWith("ok") ? "ok" : at < 0 ? outcome : outcome.substring(0, at);
    }

    private static String site(Throwable e, boolean inReaders) {
        StackTraceElement[] trace = e.getStackTrace();
        if (trace.length == 0) {
            return "?";
        }
        if (inReaders) {
            for (StackTraceElement s : trace) {
                if (s.getClassName().startsWith("dev.proxima.io.") && !s.getClassName().startsWith("dev.proxima.io.testing.")
                        && !s.getClassName().contains("Test")) {
                    return s.getClassName() + ":" + s.getLineNumber();
                }
            }
        }
        return trace[0].getClassName() + ":" + trace[0].getLineNumber();
    }

    private static AssertionError finding(String targetName, byte[] input, String what, Throwable cause) {
        String name = "crash-" + sha1(input);
        Path dir = FINDINGS.resolve(targetName);
        try {
            Files.createDirectories(dir);
            Files.write(dir.resolve(name), input);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new AssertionError(targetName + ": " + what + "\n  input (" + input.length + " bytes) saved as "
                + dir.resolve(name).toAbsolutePath() + "\n  (commit it under src/test/resources/dev/proxima/io/"
                + targetName + " as a regression case)", cause);
    }

    public static String sha1(byte[] b) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(b));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The scratch file a file-reading target writes its inputs to (one per target; targets run one at a time). */
    public static Path scratchFile(String name) {
        try {
            Files.createDirectories(SCRATCH);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return SCRATCH.resolve(name).toAbsolutePath();
    }

    // =================================================================== well-formed results

    /**
     * Checks that a tensor a reader returned is well formed: a supported dtype, non-negative extents
     * whose product is its size, every element readable, booleans 0 or 1.
     */
    public static void requireWellFormed(Tensor t) {
        long n = 1;
        for (long d : t.shape()) {
            assertTrue(d >= 0, "negative extent");
            n = Math.multiplyExact(n, d);
        }
        assertEquals(n, t.size(), "size is the product of the shape");
        if (n <= 1 << 20) {
            try (Tensor d = t.cast(DType.F64)) {
                double[] v = d.toDoubleArray();
                assertEquals(n, v.length);
                if (t.dtype() == DType.BOOL) {
                    for (double x : v) {
                        assertTrue(x == 0 || x == 1, "boolean element " + x);
                    }
                }
            }
        }
    }

    /** What kind of tensor was read: dtype, rank, and whether it is empty or a strided view. */
    public static String describe(Tensor t) {
        return t.dtype() + "/" + t.rank() + (t.size() == 0 ? "/empty" : "") + (t.isContiguous() ? "" : "/view");
    }

    /** What kind of mesh was read: which optional parts it has, and whether it has faces. */
    public static String describe(Mesh m) {
        return "mesh" + (m.faceCount() > 0 ? "+faces" : "") + (m.normals() != null ? "+normals" : "")
                + (m.colors() != null ? "+colors" : "");
    }

    /** The elements of a tensor as row-major bytes of its dtype (to compare reads bit for bit). */
    public static byte[] bytes(Tensor t) {
        try (Tensor c = t.contiguous()) {
            long n = t.size() * t.dtype().byteSize();
            return c.segment().asSlice(0, n).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        }
    }

    /** Asserts two reads of the same bytes gave the same tensor. */
    public static void assertSame(Tensor a, Tensor b, String what) {
        assertEquals(a.dtype(), b.dtype(), what);
        assertArrayEquals(a.shape(), b.shape(), what);
        assertArrayEquals(bytes(a), bytes(b), what);
    }

    /** Checks a mesh a reader returned: shapes, and every face index in {@code [0, vertexCount)}. */
    public static void requireWellFormed(Mesh m) {
        long n = m.vertexCount();
        assertArrayEquals(new long[]{n, 3}, m.vertices().shape());
        for (int i : m.faces().toIntArray()) {
            assertTrue(i >= 0 && i < n, "face index " + i + " of " + n + " vertices");
        }
        requireWellFormed(m.vertices());
        if (m.normals() != null) {
            requireWellFormed(m.normals());
        }
        if (m.colors() != null) {
            requireWellFormed(m.colors());
        }
    }

    // =================================================================== seeds

    /** The files of a fixtures folder (sorted), plus the target's committed regression inputs of at most 64 KiB. */
    public static List<byte[]> seeds(String targetName, Path fixtures, String glob) {
        List<byte[]> out = new ArrayList<>();
        try {
            try (Stream<Path> s = Files.list(fixtures)) {
                for (Path p : s.filter(p -> p.getFileSystem().getPathMatcher("glob:" + glob).matches(p.getFileName())).sorted().toList()) {
                    out.add(Files.readAllBytes(p));
                }
            }
            Path inputs = Path.of("src/test/resources/dev/proxima/io").resolve(targetName);
            if (Files.isDirectory(inputs)) { // regression inputs too large to mutate are only replayed by Jazzer
                try (Stream<Path> s = Files.walk(inputs)) {
                    for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
                        if (Files.size(p) <= MAX_INPUT) {
                            out.add(Files.readAllBytes(p));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }

    // =================================================================== the mutation fuzzer

    public static long inputsPerTarget() {
        return Long.getLong("proxima.fuzz.inputs", 2500);
    }

    public static double secondsPerTarget() {
        return Double.parseDouble(System.getProperty("proxima.fuzz.seconds", "4"));
    }

    /**
     * Fuzzes a target: runs {@link #check} on mutants of the corpus (first the seeds, unmutated) until
     * {@link #inputsPerTarget()} inputs or {@link #secondsPerTarget()} seconds, keeping mutants with new
     * outcomes in the corpus.
     *
     * @param fixup applied to three of four mutants before they run (to repair checksums so mutants
     *              reach the decoder behind them), or null
     * @return what the run did; the first broken contract fails it
     */
    public static Stats fuzz(String targetName, String source, List<byte[]> seeds, Target target, UnaryOperator<byte[]> fixup) {
        assertTrue(!seeds.isEmpty(), targetName + ": no seeds");
        long seed = Long.getLong("proxima.fuzz.seed", 0x5EEDL) ^ targetName.hashCode();
        SplittableRandom rnd = new SplittableRandom(seed);
        List<byte[]> corpus = new ArrayList<>(seeds);
        Map<String, Integer> outcomes = new HashMap<>();
        Map<String, Integer> perSite = new HashMap<>();
        long maxInputs = inputsPerTarget();
        long deadline = System.nanoTime() + (long) (secondsPerTarget() * 1e9);
        long inputs = 0;
        long accepted = 0;
        int covering = 0;
        int coveredBefore = Coverage.covered();
        long start = System.nanoTime();
        Coverage.newProbes(); // what ran before this target (other tests, class initialisation) is not its coverage
        for (byte[] s : seeds) {
            String o = check(targetName, source, s, target);
            Coverage.newProbes();
            outcomes.merge(o, 1, Integer::sum);
            accepted += o.startsWith("ok") ? 1 : 0;
            inputs++;
        }
        while (inputs < maxInputs && System.nanoTime() < deadline) {
            byte[] parent = corpus.get(rnd.nextInt(corpus.size()));
            byte[] m = parent;
            int stack = 1 + rnd.nextInt(rnd.nextInt(4) == 0 ? 8 : 3);
            for (int i = 0; i < stack; i++) {
                m = mutate(m, corpus, rnd);
            }
            if (fixup != null && rnd.nextInt(4) != 0) {
                m = fixup.apply(m);
            }
            String o = check(targetName, source, m, target);
            int fresh = Coverage.newProbes();
            inputs++;
            if (o.startsWith("ok")) {
                accepted++;
            }
            boolean newOutcome = outcomes.merge(o, 1, Integer::sum) == 1
                    && (o.startsWith("ok") || perSite.merge(siteKey(o), 1, Integer::sum) <= MAX_PER_SITE);
            if ((fresh > 0 || newOutcome) && corpus.size() < MAX_CORPUS) {
                corpus.add(m);
                covering += fresh > 0 ? 1 : 0;
            }
        }
        Stats stats = new Stats(targetName, inputs, accepted, inputs - accepted, outcomes.size(), corpus.size(),
                Coverage.available() ? Coverage.covered() - coveredBefore : -1, covering, (System.nanoTime() - start) / 1e9);
        System.out.println("[fuzz] " + stats);
        String report = System.getProperty("proxima.fuzz.report");
        if (report != null) { // every distinct outcome and how often it occurred, most frequent first
            try {
                Path file = Path.of(report).resolve(targetName.replace('/', '.') + ".outcomes.txt");
                Files.createDirectories(file.getParent());
                Files.write(file, outcomes.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                        .map(en -> en.getValue() + "\t" + en.getKey()).toList());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return stats;
    }

    private static final byte[] INTERESTING_8 = {0, 1, 2, 0x7F, (byte) 0x80, (byte) 0xFF, '0', '1', '9', ' ', '\n', '-', '.',
            ',', '(', ')', '[', ']', '\'', '"', '/', 'e'};
    private static final long[] INTERESTING_32 = {0, 1, 2, 3, 8, 16, 64, 255, 256, 1 << 16, 0x7FFF, 0x8000, 0xFFFF,
            Integer.MAX_VALUE, 0x80000000L, 0xFFFFFFFFL, 0xFFFFFFFEL, 0x7FFFFFF0L, 1 << 24, 1 << 30};
    private static final long[] INTERESTING_64 = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 32, 1L << 40,
            Integer.MAX_VALUE, 0x80000000L, 0xFFFFFFFFL};
    private static final String[] INTERESTING_NUMBERS = {"0", "1", "-1", "2", "3", "255", "256", "-129", "65535", "65536",
            "2147483647", "2147483648", "-2147483649", "4294967295", "4294967296", "9223372036854775807",
            "9223372036854775808", "99999999999999999999", "1e40", "nan", "inf", "-0", "0.5", "00"};

    /** One random mutation of {@code b} (a new array). */
    public static byte[] mutate(byte[] b, List<byte[]> corpus, SplittableRandom rnd) {
        if (b.length == 0) {
            return new byte[]{(byte) rnd.nextInt(256)};
        }
        byte[] m = b.clone();
        switch (rnd.nextInt(14)) {
            case 0 -> m[pos(m.length, rnd)] ^= (byte) (1 << rnd.nextInt(8));
            case 1 -> m[pos(m.length, rnd)] = (byte) rnd.nextInt(256);
            case 2 -> m[pos(m.length, rnd)] = INTERESTING_8[rnd.nextInt(INTERESTING_8.length)];
            case 3 -> m[pos(m.length, rnd)] += (byte) (rnd.nextInt(17) - 8);
            case 4 -> putWord(m, pos(m.length, rnd), INTERESTING_32[rnd.nextInt(INTERESTING_32.length)], 4, rnd.nextBoolean());
            case 5 -> putWord(m, pos(m.length, rnd), INTERESTING_64[rnd.nextInt(INTERESTING_64.length)], 8, rnd.nextBoolean());
            case 6 -> {
                int at = pos(m.length + 1, rnd);
                byte[] ins = new byte[1 + rnd.nextInt(16)];
                rnd.nextBytes(ins);
                return splice(m, at, at, ins);
            }
            case 7 -> {
                int at = pos(m.length, rnd);
                return splice(m, at, Math.min(m.length, at + 1 + rnd.nextInt(16)), new byte[0]);
            }
            case 8 -> { // duplicate a range elsewhere
                int from = rnd.nextInt(m.length);
                int len = Math.min(m.length - from, 1 + rnd.nextInt(64));
                int at = pos(m.length + 1, rnd);
                return splice(m, at, at, java.util.Arrays.copyOfRange(m, from, from + len));
            }
            case 9 -> { // copy a range over another
                int from = rnd.nextInt(m.length);
                int to = rnd.nextInt(m.length);
                int len = Math.min(Math.min(m.length - from, m.length - to), 1 + rnd.nextInt(32));
                System.arraycopy(b, from, m, to, len);
            }
            case 10 -> {
                return java.util.Arrays.copyOf(m, rnd.nextInt(m.length));
            }
            case 11 -> { // the head of this input, the tail of another
                byte[] other = corpus.get(rnd.nextInt(corpus.size()));
                int cut = rnd.nextInt(m.length + 1);
                int from = other.length == 0 ? 0 : rnd.nextInt(other.length);
                return splice(java.util.Arrays.copyOf(m, cut), cut, cut, java.util.Arrays.copyOfRange(other, from, other.length));
            }
            default -> { // an ASCII number replaced by a boundary value
                int at = pos(m.length, rnd);
                int s = at;
                while (s < m.length && !Character.isDigit(m[s])) {
                    s++;
                }
                if (s == m.length) {
                    m[at] = (byte) ('0' + rnd.nextInt(10));
                    break;
                }
                int e = s;
                while (e < m.length && Character.isDigit(m[e])) {
                    e++;
                }
                String v = INTERESTING_NUMBERS[rnd.nextInt(INTERESTING_NUMBERS.length)];
                return splice(m, s, e, v.getBytes(StandardCharsets.US_ASCII));
            }
        }
        return m;
    }

    /** A position, half of the time in the first 256 bytes. */
    private static int pos(int length, SplittableRandom rnd) {
        return rnd.nextBoolean() ? rnd.nextInt(Math.min(length, 256)) : rnd.nextInt(length);
    }

    private static void putWord(byte[] m, int at, long v, int width, boolean bigEndian) {
        for (int i = 0; i < width && at + i < m.length; i++) {
            int shift = 8 * (bigEndian ? width - 1 - i : i);
            m[at + i] = (byte) (v >>> shift);
        }
    }

    /** {@code m} with {@code [from, to)} replaced by {@code ins}, cut to {@link #MAX_INPUT}. */
    private static byte[] splice(byte[] m, int from, int to, byte[] ins) {
        int n = Math.min(MAX_INPUT, m.length - (to - from) + ins.length);
        byte[] out = new byte[n];
        System.arraycopy(m, 0, out, 0, Math.min(from, n));
        if (from < n) {
            System.arraycopy(ins, 0, out, from, Math.min(ins.length, n - from));
        }
        if (from + ins.length < n) {
            System.arraycopy(m, to, out, from + ins.length, n - from - ins.length);
        }
        return out;
    }
}
