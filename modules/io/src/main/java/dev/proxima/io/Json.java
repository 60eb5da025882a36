package dev.proxima.io;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small, strict JSON (RFC 8259) reader and writer for file headers that come from untrusted sources.
 *
 * <p>Values are read as {@link Map} (insertion-ordered {@link LinkedHashMap}), {@link List}, {@link String},
 * {@link Long} (integers without fraction or exponent that fit a {@code long}), {@link BigDecimal} (other
 * numbers), {@link Boolean} and {@link #NULL}. The reader rejects, with a {@link FileFormatException}: a
 * duplicate key in an object, nesting deeper than a limit, invalid escapes, unpaired surrogates, control
 * characters in strings, leading zeros, and anything after the value except the whitespace the caller allows.
 * It never recurses more than the depth limit, so hostile nesting cannot overflow the stack.
 */
final class Json {

    /** JSON {@code null}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private final String text;
    private final String source;
    private final int maxDepth;
    private int pos;

    private Json(String text, String source, int maxDepth) {
        this.text = text;
        this.source = source;
        this.maxDepth = maxDepth;
    }

    /**
     * Parses one JSON value that fills {@code text} up to trailing whitespace (space, tab, CR, LF).
     *
     * @param text     the JSON text
     * @param source   names the file in error messages
     * @param maxDepth the deepest nesting of arrays and objects accepted (1 = a flat object)
     * @return the value
     * @throws FileFormatException if the text is not one valid JSON value within the depth limit
     */
    static Object parse(String text, String source, int maxDepth) throws FileFormatException {
        Json p = new Json(text, source, maxDepth);
        p.skipWhitespace();
        Object v = p.value(0);
        p.skipWhitespace();
        if (p.pos != text.length()) {
            throw p.fail("unexpected " + p.describe() + " after the JSON value");
        }
        return v;
    }

    private Object value(int depth) throws FileFormatException {
        if (pos >= text.length()) {
            throw fail("the JSON text ends where a value was expected");
        }
        char c = text.charAt(pos);
        return switch (c) {
            case '{' -> object(depth + 1);
            case '[' -> array(depth + 1);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    yield number();
                }
                throw fail("unexpected " + describe() + " where a JSON value was expected");
            }
        };
    }

    private Map<String, Object> object(int depth) throws FileFormatException {
        checkDepth(depth);
        pos++; // '{'
        LinkedHashMap<String, Object> map = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw fail("expected a string key in a JSON object, found " + describe());
            }
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object v = value(depth);
            if (map.putIfAbsent(key, v) != null) {
                throw new FileFormatException(source, "duplicate key \"" + shorten(key) + "\" in a JSON object (at character " + keyAt + ")");
            }
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') {
                return map;
            }
            if (c != ',') {
                pos--;
                throw fail("expected ',' or '}' in a JSON object, found " + describe());
            }
        }
    }

    private List<Object> array(int depth) throws FileFormatException {
        checkDepth(depth);
        pos++; // '['
        List<Object> list = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipWhitespace();
            list.add(value(depth));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') {
                return list;
            }
            if (c != ',') {
                pos--;
                throw fail("expected ',' or ']' in a JSON array, found " + describe());
            }
        }
    }

    private void checkDepth(int depth) throws FileFormatException {
        if (depth > maxDepth) {
            throw fail("JSON nested deeper than " + maxDepth + " levels");
        }
    }

    private String string() throws FileFormatException {
        int start = pos;
        pos++; // '"'
        StringBuilder sb = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                pos = start;
                throw fail("unterminated JSON string");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return sb.toString();
            }
            if (c < 0x20) {
                pos--;
                throw fail("control character U+" + String.format("%04X", (int) c) + " in a JSON string (must be escaped)");
            }
            if (Character.isSurrogate(c)) {
                // the header was decoded from UTF-8, so surrogates arrive in valid pairs
                sb.append(c);
                continue;
            }
            if (c != '\\') {
                sb.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw fail("unterminated escape in a JSON string");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"' -> sb.append('"');
                case '\\' -> sb.append('\\');
                case '/' -> sb.append('/');
                case 'b' -> sb.append('\b');
                case 'f' -> sb.append('\f');
                case 'n' -> sb.append('\n');
                case 'r' -> sb.append('\r');
                case 't' -> sb.append('\t');
                case 'u' -> {
                    char u = hex4();
                    if (Character.isHighSurrogate(u)) {
                        if (pos + 1 < text.length() && text.charAt(pos) == '\\' && text.charAt(pos + 1) == 'u') {
                            pos += 2;
                            char low = hex4();
                            if (!Character.isLowSurrogate(low)) {
                                throw fail("unpaired surrogate escape in a JSON string");
                            }
                            sb.append(u).append(low);
                        } else {
                            throw fail("unpaired surrogate escape in a JSON string");
                        }
                    } else if (Character.isLowSurrogate(u)) {
                        throw fail("unpaired surrogate escape in a JSON string");
                    } else {
                        sb.append(u);
                    }
                }
                default -> {
                    pos--;
                    throw fail("invalid escape '\\" + e + "' in a JSON string");
                }
            }
        }
    }

    private char hex4() throws FileFormatException {
        if (pos + 4 > text.length()) {
            throw fail("truncated \\u escape in a JSON string");
        }
        int v = 0;
        for (int i = 0; i < 4; i++) {
            int d = Character.digit(text.charAt(pos + i), 16);
            if (d < 0) {
                throw fail("invalid \\u escape in a JSON string");
            }
            v = v * 16 + d;
        }
        pos += 4;
        return (char) v;
    }

    private Object number() throws FileFormatException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        int intStart = pos;
        digits();
        if (pos - intStart > 1 && text.charAt(intStart) == '0') {
            pos = intStart;
            throw fail("leading zero in a JSON number");
        }
        boolean integral = true;
        if (peek() == '.') {
            pos++;
            digits();
            integral = false;
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            digits();
            integral = false;
        }
        String s = text.substring(start, pos);
        if (integral) {
            try {
                return Long.parseLong(s);
            } catch (NumberFormatException e) {
                // an integer beyond the long range: kept exact as a BigDecimal
            }
        }
        if (s.length() > 100) {
            pos = start;
            throw fail("JSON number with more than 100 characters");
        }
        try {
            return new BigDecimal(s);
        } catch (NumberFormatException e) { // an exponent beyond the int range
            pos = start;
            throw fail("JSON number out of range");
        }
    }

    private void digits() throws FileFormatException {
        int start = pos;
        while (pos < text.length() && text.charAt(pos) >= '0' && text.charAt(pos) <= '9') {
            pos++;
        }
        if (pos == start) {
            throw fail("expected a digit in a JSON number, found " + describe());
        }
    }

    private Object literal(String word, Object value) throws FileFormatException {
        if (!text.startsWith(word, pos)) {
            throw fail("unexpected " + describe() + " where a JSON value was expected");
        }
        pos += word.length();
        return value;
    }

    private void expect(char c) throws FileFormatException {
        if (peek() != c) {
            throw fail("expected '" + c + "', found " + describe());
        }
        pos++;
    }

    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\0';
    }

    private void skipWhitespace() {
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            pos++;
        }
    }

    private String describe() {
        if (pos >= text.length()) {
            return "the end of the JSON text";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7F ? "'" + c + "'" : "U+" + String.format("%04X", (int) c);
    }

    private FileFormatException fail(String problem) {
        return new FileFormatException(source, problem + " (at character " + pos + " of the JSON header)");
    }

    private static String shorten(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    // =================================================================== writing

    /**
     * Appends {@code s} as a JSON string: quotes, backslashes and control characters escaped (control
     * characters as {@code \n}, {@code \t}… or a six-character {@code u00xx} escape), everything else as is.
     *
     * @param out the text to append to
     * @param s   the string
     * @return {@code out}
     */
    static StringBuilder writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                default -> {
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.append('"');
    }
}
