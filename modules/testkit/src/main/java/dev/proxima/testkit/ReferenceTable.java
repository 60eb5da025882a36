package dev.proxima.testkit;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A table of named reference tensors computed outside Proxima (by a committed PyTorch or NumPy script),
 * read from a small text fixture so that tests need neither Python nor the io module. One tensor per line:
 * <pre>
 * # comment lines and blank lines are ignored
 * &lt;name&gt; &lt;f64|i64&gt; &lt;d0,d1,…|scalar&gt; &lt;value&gt; &lt;value&gt; …
 * </pre>
 * with the values in row-major order (F64 values as decimal or {@code nan}/{@code inf}/{@code -inf}).
 * Names are free-form without spaces; by convention {@code case/name}, with a case's parameters and buffers
 * under {@code case/state.<state-dict key>} so that {@link #state(String)} gives the map a module's
 * {@code loadStateDict} takes.
 *
 * {@snippet :
 * ReferenceTable table;
 * try (InputStream in = MyTest.class.getResourceAsStream("torch_layers.txt")) {
 *     table = ReferenceTable.read(in);
 * }
 * try (Scope scope = Scope.open()) {
 *     linear.loadStateDict(table.state("linear"));
 *     Tensor y = linear.forward(table.tensor("linear/input"));
 *     TensorAssertions.assertClose(table.tensor("linear/output"), y, Tolerance.of(DType.F64));
 * }
 * }
 */
public final class ReferenceTable {

    private record Entry(DType dtype, long[] shape, double[] values, long[] longs) {
    }

    private final Map<String, Entry> entries;

    private ReferenceTable(Map<String, Entry> entries) {
        this.entries = entries;
    }

    /**
     * Parses a fixture (UTF-8). The stream is read to its end, not closed.
     *
     * @param in the fixture's bytes
     * @return the table
     * @throws IOException              if reading fails
     * @throws IllegalArgumentException naming the line number if a line is malformed: too few fields, an
     *                                  unknown dtype, a bad shape, a value count that does not match the
     *                                  shape, an unparsable value or a repeated name
     * @throws NullPointerException     if {@code in} is null
     */
    public static ReferenceTable read(InputStream in) throws IOException {
        Objects.requireNonNull(in, "in");
        Map<String, Entry> entries = new LinkedHashMap<>();
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        String line;
        int number = 0;
        while ((line = reader.readLine()) != null) {
            number++;
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            String[] f = trimmed.split("\\s+");
            if (f.length < 3) {
                throw bad(number, "expected '<name> <dtype> <shape> <values…>', got " + f.length + " fields");
            }
            DType dtype = switch (f[1]) {
                case "f64" -> DType.F64;
                case "i64" -> DType.I64;
                default -> throw bad(number, "dtype must be f64 or i64, got '" + f[1] + "'");
            };
            long[] shape = parseShape(number, f[2]);
            long size = 1;
            for (long d : shape) {
                size *= d;
            }
            if (f.length - 3 != size) {
                throw bad(number, "shape " + Arrays.toString(shape) + " needs " + size + " values, got " + (f.length - 3));
            }
            double[] values = dtype == DType.F64 ? new double[(int) size] : null;
            long[] longs = dtype == DType.I64 ? new long[(int) size] : null;
            try {
                for (int i = 0; i < size; i++) {
                    if (values != null) {
                        values[i] = parseDouble(f[3 + i]);
                    } else {
                        longs[i] = Long.parseLong(f[3 + i]);
                    }
                }
            } catch (NumberFormatException e) {
                throw bad(number, "unparsable " + f[1] + " value: " + e.getMessage());
            }
            if (entries.put(f[0], new Entry(dtype, shape, values, longs)) != null) {
                throw bad(number, "repeated name '" + f[0] + "'");
            }
        }
        return new ReferenceTable(Collections.unmodifiableMap(entries));
    }

    private static long[] parseShape(int number, String s) {
        if (s.equals("scalar")) {
            return new long[0];
        }
        String[] dims = s.split(",");
        long[] shape = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            try {
                shape[i] = Long.parseLong(dims[i]);
            } catch (NumberFormatException e) {
                shape[i] = -1;
            }
            if (shape[i] < 0) {
                throw bad(number, "shape must be 'scalar' or comma-separated sizes >= 0, got '" + s + "'");
            }
        }
        return shape;
    }

    private static double parseDouble(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    private static IllegalArgumentException bad(int line, String what) {
        return new IllegalArgumentException("reference table line " + line + ": " + what);
    }

    /**
     * Whether the table holds {@code name}.
     *
     * @param name a tensor's name
     * @return true if present
     */
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    /**
     * A new host tensor (F64 or I64) with the values of {@code name}, owned by the caller (or the open scope).
     *
     * @param name a tensor's name
     * @return the tensor, of the stored shape
     * @throws IllegalArgumentException if the table has no tensor of that name
     */
    public Tensor tensor(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("reference table has no tensor '" + name + "'");
        }
        if (e.shape.length == 0) {
            return Tensor.scalar(e.dtype == DType.F64 ? e.values[0] : e.longs[0], e.dtype);
        }
        return (e.dtype == DType.F64 ? Tensor.of(e.values) : Tensor.of(e.longs)).reshape(e.shape);
    }

    /**
     * The stored values of {@code name} as doubles, in row-major order (a copy).
     *
     * @param name a tensor's name
     * @return the values
     * @throws IllegalArgumentException if the table has no tensor of that name
     */
    public double[] values(String name) {
        Entry e = entries.get(name);
        if (e == null) {
            throw new IllegalArgumentException("reference table has no tensor '" + name + "'");
        }
        return e.dtype == DType.F64 ? e.values.clone() : Arrays.stream(e.longs).asDoubleStream().toArray();
    }

    /**
     * The state dict of case {@code name}: every tensor named {@code name/state.<key>}, as new tensors keyed
     * by {@code <key>} (owned by the caller or the open scope), in the table's order.
     *
     * @param name the case
     * @return the map, for a module's {@code loadStateDict}
     * @throws IllegalArgumentException if the case has no state entries
     */
    public Map<String, Tensor> state(String name) {
        String prefix = name + "/state.";
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (String k : entries.keySet()) {
            if (k.startsWith(prefix)) {
                out.put(k.substring(prefix.length()), tensor(k));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("reference table has no state entries for '" + name + "' (names '" + prefix + "…')");
        }
        return out;
    }
}
