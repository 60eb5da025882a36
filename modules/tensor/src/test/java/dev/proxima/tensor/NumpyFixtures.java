package dev.proxima.tensor;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reader of {@code fixtures/numpy_cases.txt}, the NumPy reference cases written by
 * {@code src/test/resources/fixtures/make_fixtures.py} (whose header documents the format), and
 * helpers to turn its inputs into tensors.
 */
final class NumpyFixtures {

    static final String RESOURCE = "/fixtures/numpy_cases.txt";

    /** A tensor in the file: dtype, shape, row-major values as text, and an optional view recipe. */
    record Data(DType dtype, long[] shape, String recipe, String[] values) {

        /** The values as doubles (NaN and infinities included). */
        double[] doubles() {
            double[] out = new double[values.length];
            for (int i = 0; i < values.length; i++) {
                // f32 values are written as the shortest text of the float, not of the double
                out[i] = dtype == DType.F32 ? parseFloat(values[i]) : parseDouble(values[i]);
            }
            return out;
        }

        long[] longs() {
            return Arrays.stream(values).mapToLong(Long::parseLong).toArray();
        }

        boolean[] booleans() {
            boolean[] out = new boolean[values.length];
            for (int i = 0; i < values.length; i++) {
                out[i] = !values[i].equals("0");
            }
            return out;
        }

        /** A contiguous tensor of {@link #dtype()} and {@link #shape()} holding the values, then the recipe applied. */
        Tensor tensor() {
            Tensor flat = switch (dtype) {
                case F32 -> {
                    float[] f = new float[values.length];
                    for (int i = 0; i < f.length; i++) {
                        f[i] = parseFloat(values[i]);
                    }
                    yield Tensor.of(f);
                }
                case F64 -> Tensor.of(doubles());
                case I32 -> Tensor.of(Arrays.stream(values).mapToInt(Integer::parseInt).toArray());
                case I64 -> Tensor.of(longs());
                case I8, U8 -> Tensor.of(longs()).cast(dtype);
                case F16, BF16 -> Tensor.of(doubles()).cast(dtype);
                case BOOL -> Tensor.of(booleans());
            };
            return applyRecipe(flat.reshape(shape), recipe);
        }
    }

    /** One reference case. */
    record Case(String name, String op, Map<String, String> params, List<Data> inputs, Data expected,
                double rtol, double atol) {
        @Override
        public String toString() {
            return name;
        }

        boolean has(String key) {
            return params.containsKey(key);
        }

        String param(String key) {
            String v = params.get(key);
            if (v == null) {
                throw new IllegalArgumentException("case " + name + " has no parameter " + key);
            }
            return v;
        }

        int[] ints(String key) {
            return Arrays.stream(param(key).split(",")).mapToInt(Integer::parseInt).toArray();
        }

        boolean keep() {
            return params.getOrDefault("keep", "0").equals("1");
        }
    }

    private NumpyFixtures() {
    }

    static double parseDouble(String s) {
        return switch (s) {
            case "nan" -> Double.NaN;
            case "inf" -> Double.POSITIVE_INFINITY;
            case "-inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    static float parseFloat(String s) {
        return switch (s) {
            case "nan" -> Float.NaN;
            case "inf" -> Float.POSITIVE_INFINITY;
            case "-inf" -> Float.NEGATIVE_INFINITY;
            default -> Float.parseFloat(s);
        };
    }

    static DType dtype(String name) {
        return DType.valueOf(name.toUpperCase(Locale.ROOT));
    }

    static long[] shape(String text) {
        if (!text.startsWith("[") || !text.endsWith("]")) {
            throw new IllegalArgumentException("bad shape " + text);
        }
        String inner = text.substring(1, text.length() - 1);
        return inner.isEmpty() ? new long[0] : Arrays.stream(inner.split(",")).mapToLong(Long::parseLong).toArray();
    }

    /** Applies a view recipe such as {@code reshape(4,6)/T/slice(0,1,6,2)} (see make_fixtures.py). */
    static Tensor applyRecipe(Tensor t, String recipe) {
        if (recipe == null || recipe.isEmpty()) {
            return t;
        }
        for (String step : recipe.split("/")) {
            String name = step;
            long[] a = new long[0];
            int paren = step.indexOf('(');
            if (paren >= 0) {
                name = step.substring(0, paren);
                String args = step.substring(paren + 1, step.length() - 1);
                a = args.isEmpty() ? new long[0] : Arrays.stream(args.split(",")).mapToLong(Long::parseLong).toArray();
            }
            t = switch (name) {
                case "T" -> t.transpose();
                case "permute" -> t.permute(Arrays.stream(a).mapToInt(x -> (int) x).toArray());
                case "swap" -> t.transpose((int) a[0], (int) a[1]);
                case "reshape" -> t.reshape(a);
                case "slice" -> t.slice((int) a[0], a[1], a[2], a[3]);
                case "select" -> t.select((int) a[0], a[1]);
                case "bcast" -> t.broadcastTo(a);
                case "unsqueeze" -> t.unsqueeze((int) a[0]);
                case "squeeze" -> t.squeeze();
                default -> throw new IllegalArgumentException("unknown view step " + step);
            };
        }
        return t;
    }

    private static Data data(String line, String kind) {
        // "<kind> <dtype> <shape> [view=<recipe>] : v1 v2 ..."
        int colon = line.indexOf(" :");
        String[] head = line.substring(kind.length() + 1, colon).split(" ");
        String rest = line.substring(colon + 2).trim();
        String recipe = null;
        for (int i = 2; i < head.length; i++) {
            if (head[i].startsWith("view=")) {
                recipe = head[i].substring(5);
            }
        }
        String[] values = rest.isEmpty() ? new String[0] : rest.split(" ");
        return new Data(dtype(head[0]), shape(head[1]), recipe, values);
    }

    /** Every case of the fixture file, in file order. */
    static List<Case> load() {
        try (InputStream in = open(); BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            List<Case> cases = new ArrayList<>();
            String name = null;
            String op = null;
            Map<String, String> params = null;
            List<Data> inputs = null;
            Data out = null;
            double rtol = Double.NaN;
            double atol = Double.NaN;
            int lineNo = 0;
            for (String line; (line = r.readLine()) != null; ) {
                lineNo++;
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                try {
                    if (line.startsWith("case ")) {
                        name = line.substring(5).trim();
                        op = null;
                        params = new LinkedHashMap<>();
                        inputs = new ArrayList<>();
                        out = null;
                        rtol = Double.NaN;
                        atol = Double.NaN;
                    } else if (line.startsWith("op ")) {
                        String[] parts = line.substring(3).trim().split(" ");
                        op = parts[0];
                        for (int i = 1; i < parts.length; i++) {
                            int eq = parts[i].indexOf('=');
                            params.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
                        }
                    } else if (line.startsWith("in ")) {
                        inputs.add(data(line, "in"));
                    } else if (line.startsWith("out ")) {
                        out = data(line, "out");
                    } else if (line.startsWith("tol ")) {
                        String[] parts = line.substring(4).trim().split(" ");
                        rtol = Double.parseDouble(parts[0]);
                        atol = Double.parseDouble(parts[1]);
                    } else if (line.equals("end")) {
                        if (name == null || op == null || out == null) {
                            throw new IllegalStateException("incomplete case");
                        }
                        cases.add(new Case(name, op, Map.copyOf(params), List.copyOf(inputs), out, rtol, atol));
                        name = null;
                    } else {
                        throw new IllegalStateException("unexpected line");
                    }
                } catch (RuntimeException e) {
                    throw new IllegalStateException(RESOURCE + ":" + lineNo + ": " + e.getMessage() + ": " + abbreviate(line), e);
                }
            }
            if (cases.isEmpty()) {
                throw new IllegalStateException(RESOURCE + " holds no case");
            }
            return cases;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String abbreviate(String line) {
        return line.length() > 120 ? line.substring(0, 120) + "..." : line;
    }

    private static InputStream open() throws IOException {
        InputStream in = NumpyFixtures.class.getResourceAsStream(RESOURCE);
        if (in != null) {
            return in;
        }
        // outside a test run that put the test resources on the module/class path
        Path file = Path.of("src/test/resources" + RESOURCE);
        if (Files.isRegularFile(file)) {
            return Files.newInputStream(file);
        }
        throw new IllegalStateException("fixture " + RESOURCE + " not found; regenerate it with make_fixtures.py");
    }
}
