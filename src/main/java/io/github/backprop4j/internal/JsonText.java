package io.github.backprop4j.internal;

import java.util.List;

/**
 * JSON text written by the library's packages (safetensors headers, category mappings, histories, ONNX metadata,
 * Spark ML metadata): string literals escaped one way everywhere. Reading stays with each format's own bounded
 * parser.
 */
public final class JsonText {

    private JsonText() {
    }

    /**
     * Appends a JSON string literal: quote, backslash and control characters escaped ({@code \n}, {@code \r},
     * {@code \t} by name, the others as {@code \}{@code uXXXX}), and so are unpaired surrogates, which UTF-8 cannot
     * encode; every other character, a surrogate pair included, as it is.
     *
     * @param out where to append
     * @param s the string
     */
    public static void appendString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    boolean paired = Character.isHighSurrogate(c) && i + 1 < s.length()
                            && Character.isLowSurrogate(s.charAt(i + 1));
                    if (paired) {
                        out.append(c).append(s.charAt(++i));
                    } else if (c < 0x20 || Character.isSurrogate(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }

    /**
     * Returns a JSON array of string literals, as {@link #appendString} writes them.
     *
     * @param values the strings
     * @return e.g. {@code ["a","b"]}
     */
    public static String stringArray(List<String> values) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                out.append(',');
            }
            appendString(out, values.get(i));
        }
        return out.append(']').toString();
    }
}
