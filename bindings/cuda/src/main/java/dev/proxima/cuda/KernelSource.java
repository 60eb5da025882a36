package dev.proxima.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A kernel file from {@code native/cuda} (carried in this jar under {@code dev/proxima/cuda/kernels/}),
 * specialised by {@code #define}s and with its {@code #include "x.cuh"} lines inlined, ready for NVRTC
 * (which has no file system access).
 *
 * @param name    the file name, e.g. {@code "elementwise.cu"}
 * @param defines the macros prepended, in order (e.g. {@code PX_T → float})
 * @param text    the full assembled source
 */
public record KernelSource(String name, Map<String, String> defines, String text) {

    private static final Pattern INCLUDE = Pattern.compile("^\\s*#\\s*include\\s+\"([A-Za-z0-9_.-]+)\"\\s*$", Pattern.MULTILINE);
    private static final Pattern MACRO = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    /** The kernel files shipped in this jar. */
    public static final List<String> FILES = List.of("elementwise.cu", "convert.cu", "reduce.cu", "softmax.cu", "philox.cu");

    /**
     * Loads {@code name} from the jar's kernel folder.
     *
     * @param name a file name of letters, digits, {@code _ . -} ending in {@code .cu} or {@code .cuh}
     * @return the file's text (UTF-8)
     * @throws IllegalArgumentException if the name is not of that form or the jar has no such file
     */
    public static String resource(String name) {
        if (name == null || !name.matches("[A-Za-z0-9_.-]+\\.cuh?")) {
            throw new IllegalArgumentException("not a kernel file name: " + name);
        }
        try (InputStream in = KernelSource.class.getResourceAsStream("kernels/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no kernel source " + name + " in " + KernelSource.class.getModule());
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Assembles {@code name} from the jar with {@code defines} (macro → replacement; order kept).
     *
     * @param name    the main file in the jar's kernel folder
     * @param defines macro name to one-line replacement, prepended as {@code #define}s in iteration order
     * @return the assembled source with its includes inlined
     * @throws IllegalArgumentException for a bad macro name or value, a missing file, or an include cycle
     */
    public static KernelSource of(String name, Map<String, String> defines) {
        return assemble(name, defines, KernelSource::resource);
    }

    /**
     * Assembles {@code name} reading files through {@code reader} (tests pass their own).
     *
     * @param name    the main file
     * @param defines macro name to one-line replacement, prepended as {@code #define}s in iteration order
     * @param reader  returns the text of a file by name
     * @return the assembled source with its includes inlined
     * @throws IllegalArgumentException for a bad macro name or value, or an include cycle
     */
    public static KernelSource assemble(String name, Map<String, String> defines, java.util.function.Function<String, String> reader) {
        Map<String, String> defs = new LinkedHashMap<>(defines);
        StringBuilder sb = new StringBuilder();
        sb.append("// assembled by dev.proxima.cuda.KernelSource from ").append(name).append('\n');
        for (Map.Entry<String, String> e : defs.entrySet()) {
            if (!MACRO.matcher(e.getKey()).matches()) {
                throw new IllegalArgumentException("not a macro name: '" + e.getKey() + "'");
            }
            String v = e.getValue();
            if (v == null || v.contains("\n") || v.contains("\r")) {
                throw new IllegalArgumentException("macro " + e.getKey() + " needs a one-line value, got " + v);
            }
            sb.append("#define ").append(e.getKey()).append(' ').append(v).append('\n');
        }
        sb.append(inline(name, reader, new HashSet<>(), new ArrayList<>()));
        return new KernelSource(name, Map.copyOf(defs), sb.toString());
    }

    private static String inline(String name, java.util.function.Function<String, String> reader, Set<String> done, List<String> stack) {
        if (stack.contains(name)) {
            throw new IllegalArgumentException("include cycle: " + String.join(" -> ", stack) + " -> " + name);
        }
        if (!done.add(name)) {
            return "// (" + name + " already included)\n";
        }
        stack.add(name);
        String src = reader.apply(name).replace("#pragma once", "");
        Matcher m = INCLUDE.matcher(src);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement("// begin " + m.group(1) + "\n"
                    + inline(m.group(1), reader, done, stack) + "// end " + m.group(1)));
        }
        m.appendTail(out);
        stack.removeLast();
        return out.toString();
    }

    /**
     * The per-dtype macros of the element kernels: {@code PX_T} (C type) and {@code PX_IS_FLOAT}.
     *
     * @param cType e.g. {@code "float"}, {@code "double"}, {@code "int"}, {@code "long long"},
     *              {@code "signed char"}, {@code "unsigned char"}
     * @return a new insertion-ordered map: {@code PX_T} to {@code cType}, {@code PX_IS_FLOAT} to "1" or "0"
     */
    public static Map<String, String> elementDefines(String cType) {
        boolean isFloat = cType.equals("float") || cType.equals("double");
        Map<String, String> m = new LinkedHashMap<>();
        m.put("PX_T", cType);
        m.put("PX_IS_FLOAT", isFloat ? "1" : "0");
        return m;
    }
}
