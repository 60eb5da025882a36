package dev.proxima.tensor.internal;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The generated F32 kernel files: each is what {@link F32KernelGenerator} writes from its F64 source now, and the
 * generator's rules do what its documentation says.
 */
class F32KernelGeneratorTest {

    @Test
    void committedF32FilesAreWhatTheirF64SourcesGenerate() throws IOException {
        Path root = F32KernelGenerator.repositoryRoot(Path.of(""));
        for (String source : F32KernelGenerator.SOURCES) {
            String target = F32KernelGenerator.target(source);
            Path file = root.resolve(F32KernelGenerator.DIRECTORY).resolve(target);
            String committed = Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
            String expected = F32KernelGenerator.generate(source, F32KernelGenerator.read(root, source));
            if (!committed.equals(expected)) {
                List<String> c = committed.lines().toList();
                List<String> e = expected.lines().toList();
                int line = 0;
                while (line < Math.min(c.size(), e.size()) && c.get(line).equals(e.get(line))) {
                    line++;
                }
                fail(target + " is not what " + source + " generates (first difference at line " + (line + 1) + ": committed '"
                        + (line < c.size() ? c.get(line) : "<end of file>") + "', generated '"
                        + (line < e.size() ? e.get(line) : "<end of file>") + "'). Edit " + source
                        + ", never the generated file, and regenerate from the repository root with:\n  " + F32KernelGenerator.REGENERATE);
            }
            assertTrue(committed.startsWith("// GENERATED from " + source), target + " is marked as generated");
            String body = String.join("\n", committed.lines().skip(3).toList());  // below the header, which names the source
            assertFalse(body.contains("F64"), target + " still names F64");
            assertFalse(body.contains("DoubleVector"), target + " still uses DoubleVector");
        }
    }

    @Test
    void typesAndNamesBecomeTheirF32Counterparts() {
        assertEquals("        float x = s.getAtIndex(F32, so + j * ss);",
                F32KernelGenerator.translate("        double x = s.getAtIndex(F64, so + j * ss);"));
        assertEquals("    private static final VectorSpecies<Float> SPECIES = FloatVector.SPECIES_PREFERRED;",
                F32KernelGenerator.translate("    private static final VectorSpecies<Double> SPECIES = DoubleVector.SPECIES_PREFERRED;"));
        assertEquals("final class ReduceF32 { float[] acc; int b = Float.BYTES; DType t = DType.F32; }",
                F32KernelGenerator.translate("final class ReduceF64 { double[] acc; int b = Double.BYTES; DType t = DType.F64; }"));
        assertEquals("d.setAtIndex(F32, i, (float) Elementwise.unaryDouble(op, x));",
                F32KernelGenerator.translate("d.setAtIndex(F64, i, (double) Elementwise.unaryDouble(op, x));"));
        // the integer lanes of the same width
        assertEquals("VectorMask<Integer> m; IntVector y = IntVector.broadcast(BITS, b.getAtIndex(I32, bo));",
                F32KernelGenerator.translate("VectorMask<Long> m; LongVector y = LongVector.broadcast(BITS, b.getAtIndex(I64, bo));"));
    }

    @Test
    void partsOfWordsAndNumbersStayAsTheyAre() {
        String line = "long n = Long.MAX_VALUE * 8; ElementAccess.getDouble(s, t, i); foldDouble(op, acc, x); Float64 f; doubles; I640";
        assertEquals(line, F32KernelGenerator.translate(line));
    }

    @Test
    void aMarkedLineIsReplacedByItsF32FormOrDropped() {
        assertEquals("        double total = 0;", F32KernelGenerator.translate("        double total = 0; // F32: double total = 0;"));
        assertEquals("    private static final long SUM_BLOCK = Reduce.BLOCK;",
                F32KernelGenerator.translate("    private static final long SUM_BLOCK = Long.MAX_VALUE; // F32: private static final long SUM_BLOCK = Reduce.BLOCK;"));
        assertEquals("    // blocks of 1024", F32KernelGenerator.translate("    // one block per row // F32: // blocks of 1024"));
        assertNull(F32KernelGenerator.translate("// hand-written: the source of XF32.java // F32:"));
    }

    @Test
    void theGeneratedFileStartsWithItsHeaderAndKeepsTheLineEnds() {
        String generated = F32KernelGenerator.generate("XF64.java", "package p;\n// note // F32:\nclass XF64 { double d; }\n");
        List<String> lines = generated.lines().toList();
        assertEquals("// GENERATED from XF64.java by dev.proxima.tensor.internal.F32KernelGenerator (modules/tensor/src/test/java): "
                + "never edit by hand.", lines.get(0));
        assertEquals("//   " + F32KernelGenerator.REGENERATE, lines.get(2));
        assertEquals(List.of("package p;", "class XF32 { float d; }"), lines.subList(3, lines.size()));
        assertTrue(generated.endsWith("}\n"), "one final line end, as in the source");
    }

    @Test
    void targetsAreNamedAfterTheirSources() {
        assertEquals("ElementwiseF32.java", F32KernelGenerator.target("ElementwiseF64.java"));
        assertEquals(List.of("ElementwiseF32.java", "ReduceF32.java", "SoftmaxF32.java"),
                F32KernelGenerator.SOURCES.stream().map(F32KernelGenerator::target).toList());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> F32KernelGenerator.target("Reduce.java"));
        assertTrue(e.getMessage().contains("Reduce.java"), e.getMessage());
    }
}
