package dev.proxima.tensor.internal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The generator of the CPU backend's F32 kernel files from their hand-written F64 sources (STYLE.md item 10; EJML
 * generates its 32-bit code from the 64-bit code the same way): {@code ElementwiseF32.java}, {@code ReduceF32.java}
 * and {@code SoftmaxF32.java} in {@code dev.proxima.tensor.internal} are written from {@link #SOURCES}, marked as
 * generated, and never edited by hand. {@code F32KernelGeneratorTest} regenerates them in memory and fails while a
 * committed file differs. Regenerate from the repository root with {@link #REGENERATE} (a single-file program: any
 * JDK 17 or newer runs it without a build).
 *
 * <p>The rules, applied to every line of a source (code and comments alike, so the prose of a source is written to
 * read right for both types):
 * <ol>
 *   <li>a line ending in {@code // F32: text} becomes {@code text} at the line's indentation, and is dropped when
 *       the text is empty: the F32 form of a line that differs otherwise (a sum that stays in double, a block size);
 *       no other rule touches it;</li>
 *   <li>on every other line, whole words: {@code DoubleVector} → {@code FloatVector}, {@code Double} → {@code Float},
 *       {@code double} → {@code float}, a word ending in {@code F64} ends in {@code F32} ({@code ElementwiseF64},
 *       {@code ElementAccess.F64}, {@code DType.F64}); and, for the integer lanes of the same width (a select moves bits),
 *       {@code LongVector} → {@code IntVector}, {@code <Long>} → {@code <Integer>}, {@code I64} → {@code I32}.</li>
 * </ol>
 * Numbers are never rewritten: sources write element sizes as {@code Double.BYTES} and narrowing casts as
 * {@code (double)} (redundant there, {@code (float)} here).
 */
public final class F32KernelGenerator {

    /** The hand-written sources, in {@link #DIRECTORY}. */
    static final List<String> SOURCES = List.of("ElementwiseF64.java", "ReduceF64.java", "SoftmaxF64.java");

    /** The package directory of the sources and the generated files, from the repository root. */
    static final String DIRECTORY = "modules/tensor/src/main/java/dev/proxima/tensor/internal";

    /** The command, from the repository root, that rewrites every generated file. */
    static final String REGENERATE = "java modules/tensor/src/test/java/dev/proxima/tensor/internal/F32KernelGenerator.java";

    private static final String MARKER = "// F32:";

    private static final Pattern F64_SUFFIX = Pattern.compile("\\b(\\w*)F64\\b");

    /** Whole-word rewrites other than the F64 suffix, in order. */
    private static final String[][] WORDS = {
            {"\\bDoubleVector\\b", "FloatVector"},
            {"\\bDouble\\b", "Float"},
            {"\\bdouble\\b", "float"},
            {"\\bLongVector\\b", "IntVector"},
            {"<Long>", "<Integer>"},
            {"\\bI64\\b", "I32"},
    };

    private F32KernelGenerator() {
    }

    /**
     * The generated file's name for a source: {@code ElementwiseF64.java} gives {@code ElementwiseF32.java}.
     *
     * @param source a name from {@link #SOURCES}
     * @return the generated file's name
     * @throws IllegalArgumentException if the name does not end in {@code F64.java}
     */
    static String target(String source) {
        if (!source.endsWith("F64.java")) {
            throw new IllegalArgumentException("an F64 source's name ends in F64.java, got " + source);
        }
        return source.substring(0, source.length() - "F64.java".length()) + "F32.java";
    }

    /**
     * The F32 file for an F64 source: the generated-file header, then the source with the rules applied.
     *
     * @param source the source's file name (for the header)
     * @param text   the source's text, LF line ends
     * @return the generated text, LF line ends
     */
    static String generate(String source, String text) {
        StringBuilder out = new StringBuilder();
        out.append("// GENERATED from ").append(source).append(" by dev.proxima.tensor.internal.F32KernelGenerator")
                .append(" (modules/tensor/src/test/java): never edit by hand.\n")
                .append("// Edit ").append(source).append(", then regenerate from the repository root with\n")
                .append("//   ").append(REGENERATE).append('\n');
        for (String line : text.split("\n", -1)) {
            String translated = translate(line);
            if (translated != null) {
                out.append(translated).append('\n');
            }
        }
        // split(-1) gave a last, empty piece after the final LF: drop the line end it added
        out.setLength(out.length() - 1);
        return out.toString();
    }

    /** One line under the rules, or null for a dropped line. */
    static String translate(String line) {
        int marker = line.lastIndexOf(MARKER);
        if (marker >= 0) {
            String replacement = line.substring(marker + MARKER.length()).trim();
            if (replacement.isEmpty()) {
                return null;
            }
            int indent = 0;
            while (indent < line.length() && line.charAt(indent) == ' ') {
                indent++;
            }
            return line.substring(0, indent) + replacement;
        }
        Matcher m = F64_SUFFIX.matcher(line);
        String s = m.replaceAll("$1F32");
        for (String[] w : WORDS) {
            s = s.replaceAll(w[0], w[1]);
        }
        return s;
    }

    /**
     * The repository root: {@code start} or the nearest folder above it that holds {@link #DIRECTORY}.
     *
     * @param start where to start looking (a module folder when tests run, the root from the command line)
     * @return the root
     * @throws IllegalStateException if no folder above {@code start} holds the sources
     */
    static Path repositoryRoot(Path start) {
        for (Path p = start.toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isDirectory(p.resolve(DIRECTORY))) {
                return p;
            }
        }
        throw new IllegalStateException("no " + DIRECTORY + " in " + start.toAbsolutePath() + " or above it");
    }

    /**
     * Reads a source under {@code root}.
     *
     * @param root   the repository root
     * @param source a name from {@link #SOURCES}
     * @return its text
     */
    static String read(Path root, String source) {
        try {
            return Files.readString(root.resolve(DIRECTORY).resolve(source), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Rewrites every generated file under the repository root (the current folder or one above it).
     *
     * @param args none
     * @throws IOException if a file cannot be read or written
     */
    public static void main(String[] args) throws IOException {
        Path root = repositoryRoot(Path.of(""));
        for (String source : SOURCES) {
            Path file = root.resolve(DIRECTORY).resolve(target(source));
            Files.writeString(file, generate(source, read(root, source)), StandardCharsets.UTF_8);
            System.out.println("wrote " + root.relativize(file));
        }
    }
}
