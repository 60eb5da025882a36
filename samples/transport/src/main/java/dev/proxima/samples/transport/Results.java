package dev.proxima.samples.transport;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The demo's numbers, collected under dotted keys ({@code "colourTransfer.emd.cost"}) and written as nested
 * JSON objects in the order they were put.
 */
final class Results {

    private final Map<String, Object> root = new LinkedHashMap<>();

    /**
     * Records a value.
     *
     * @param key   dotted path, e.g. {@code "pointClouds.sinkhorn.iterations"}; no part may be empty, and no key
     *              may be a prefix path of another
     * @param value a String, Boolean, Integer, Long, Double or double[]
     * @throws IllegalArgumentException if the key is malformed or clashes with an earlier one, or the value is of
     *                                  another type
     */
    @SuppressWarnings("unchecked")
    void put(String key, Object value) {
        if (!(value instanceof String || value instanceof Boolean || value instanceof Integer || value instanceof Long
                || value instanceof Double || value instanceof double[])) {
            throw new IllegalArgumentException("a result is a string, boolean, number or double[], got "
                    + (value == null ? "null" : value.getClass().getName()) + " for " + key);
        }
        String[] parts = key.split("\\.", -1);
        Map<String, Object> node = root;
        for (int i = 0; i < parts.length; i++) {
            if (parts[i].isEmpty()) {
                throw new IllegalArgumentException("a result key is a dotted path of non-empty names, got '" + key + "'");
            }
            Object existing = node.get(parts[i]);
            if (i == parts.length - 1) {
                if (existing != null) {
                    throw new IllegalArgumentException("the result " + key + " was already recorded");
                }
                node.put(parts[i], value);
            } else if (existing == null) {
                Map<String, Object> child = new LinkedHashMap<>();
                node.put(parts[i], child);
                node = child;
            } else if (existing instanceof Map<?, ?> map) {
                node = (Map<String, Object>) map;
            } else {
                throw new IllegalArgumentException("the result " + key + " would nest under the value " + parts[i]);
            }
        }
    }

    /**
     * The results as JSON text (two-space indentation, a final newline).
     *
     * @return the JSON document
     */
    String json() {
        StringBuilder sb = new StringBuilder();
        write(sb, root, "");
        return sb.append('\n').toString();
    }

    private static void write(StringBuilder sb, Object value, String indent) {
        switch (value) {
            case Map<?, ?> map -> {
                sb.append("{\n");
                int k = 0;
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    sb.append(indent).append("  ");
                    string(sb, (String) e.getKey());
                    sb.append(": ");
                    write(sb, e.getValue(), indent + "  ");
                    sb.append(++k < map.size() ? ",\n" : "\n");
                }
                sb.append(indent).append('}');
            }
            case String s -> string(sb, s);
            case Double d -> number(sb, d);
            case double[] a -> {
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    if (i > 0) {
                        sb.append(", ");
                    }
                    number(sb, a[i]);
                }
                sb.append(']');
            }
            default -> sb.append(value);
        }
    }

    private static void number(StringBuilder sb, double d) {
        if (Double.isFinite(d)) {
            sb.append(d);
        } else {
            sb.append("null");
        }
    }

    private static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }
}
