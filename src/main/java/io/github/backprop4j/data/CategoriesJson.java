package io.github.backprop4j.data;

import io.github.backprop4j.internal.JsonText;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The JSON form of {@link Categories}: a writer of strings and a reader of exactly the shape
 * {@code {"columns":[{"name":…,"values":[…],"unknown_bucket":…},…]}} (RFC 8259 tokens and whitespace).
 *
 * <p>The reader follows that shape, so it nests no deeper than it and holds nothing but the strings it returns.
 * (The library's general JSON reader lives in the {@code io} package, which depends on this one.)
 */
final class CategoriesJson {

    private final String text;
    private int pos;

    private CategoriesJson(String text) {
        this.text = text;
    }

    /** Appends a JSON string literal: quote, backslash, control characters and unpaired surrogates escaped. */
    static void writeString(StringBuilder out, String s) {
        JsonText.appendString(out, s);
    }

    /** Reads the whole text as categories. */
    static Categories read(String text) {
        CategoriesJson in = new CategoriesJson(text);
        List<CategoryMapping> mappings = new ArrayList<>();
        in.expect('{');
        in.key("columns", Set.of("columns"), new HashSet<>());
        in.expect('[');
        if (!in.consume(']')) {
            do {
                mappings.add(in.column(mappings.size()));
            } while (in.consumeSeparator(']'));
        }
        in.expect('}');
        in.skipWhitespace();
        if (in.pos < text.length()) {
            throw in.error("text after the end of the JSON object");
        }
        return Categories.of(mappings);
    }

    private CategoryMapping column(int index) {
        expect('{');
        Set<String> seen = new HashSet<>();
        String name = null;
        List<String> values = null;
        boolean bucket = false;
        if (consume('}')) {
            throw error("column " + index + " lacks \"name\" and \"values\"");
        }
        int start = pos;
        do {
            String key = key(null, Set.of("name", "values", "unknown_bucket"), seen);
            switch (key) {
                case "name" -> name = string();
                case "values" -> values = strings();
                default -> bucket = bool();
            }
        } while (consumeSeparator('}'));
        if (name == null || values == null) {
            pos = start;
            throw error("column " + index + " lacks \"" + (name == null ? "name" : "values") + "\"");
        }
        try {
            return CategoryMapping.of(name, values, bucket);
        } catch (IllegalArgumentException e) {
            pos = start;
            throw error("column " + index + ": " + e.getMessage());
        }
    }

    /** Reads {@code "key":}, the key one of {@code allowed} and not in {@code seen} (to which it is added). */
    private String key(String expected, Set<String> allowed, Set<String> seen) {
        int at = pos;
        String key = string();
        if (!allowed.contains(key)) {
            pos = at;
            throw error("unexpected key " + CategoryMapping.quote(key) + "; expected "
                    + (expected != null ? "\"" + expected + "\"" : "one of " + new java.util.TreeSet<>(allowed)));
        }
        if (!seen.add(key)) {
            pos = at;
            throw error("the key \"" + key + "\" appears twice");
        }
        expect(':');
        return key;
    }

    private List<String> strings() {
        expect('[');
        List<String> out = new ArrayList<>();
        if (!consume(']')) {
            do {
                out.add(string());
            } while (consumeSeparator(']'));
        }
        return out;
    }

    private boolean bool() {
        skipWhitespace();
        if (text.startsWith("true", pos)) {
            pos += 4;
            return true;
        }
        if (text.startsWith("false", pos)) {
            pos += 5;
            return false;
        }
        throw error("expected true or false");
    }

    private String string() {
        expect('"');
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw error("the string is not closed");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return s.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("a control character (U+" + String.format("%04X", (int) c) + ") must be escaped in a"
                        + " string");
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw error("the string is not closed");
            }
            char e = text.charAt(pos++);
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("\\u needs four hexadecimal digits");
                    }
                    int code = 0;
                    for (int k = 0; k < 4; k++) {
                        int digit = Character.digit(text.charAt(pos + k), 16);
                        if (digit < 0) {
                            throw error("\\u needs four hexadecimal digits");
                        }
                        code = code * 16 + digit;
                    }
                    pos += 4;
                    s.append((char) code);
                }
                default -> {
                    pos--;
                    throw error("\\" + e + " is not a JSON escape");
                }
            }
        }
    }

    /** After an element: {@code true} at a comma (another follows), {@code false} at {@code close}. */
    private boolean consumeSeparator(char close) {
        if (consume(',')) {
            return true;
        }
        if (consume(close)) {
            return false;
        }
        throw error("expected ',' or '" + close + "'");
    }

    private boolean consume(char c) {
        skipWhitespace();
        if (pos < text.length() && text.charAt(pos) == c) {
            pos++;
            return true;
        }
        return false;
    }

    private void expect(char c) {
        if (!consume(c)) {
            throw error("expected '" + c + "'");
        }
    }

    private void skipWhitespace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private IllegalArgumentException error(String message) {
        String found = pos >= text.length() ? "the end of the text" : "'" + text.charAt(pos) + "'";
        return new IllegalArgumentException("categories JSON, at character " + pos + " (" + found + "): "
                + message);
    }
}
