package io.github.backprop4j.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON reader and writer for safetensors headers (RFC 8259, no extensions).
 *
 * <p>The reader returns {@code Map<String, Object>} (insertion-ordered, duplicate keys refused),
 * {@code List<Object>}, {@code String}, {@link Num} for numbers (kept as their literal text), {@code Boolean}
 * and {@link #NULL}. It is iterative in nothing but nesting, which it bounds by {@link #MAX_DEPTH}, and it
 * bounds the length of every string and the number of values, so that no input can make it overflow the
 * stack or allocate much more than the input itself. Every error is a {@link ModelFormatException} naming
 * the byte offset in the header.
 */
final class Json {

    /** The deepest nesting of arrays and objects accepted; safetensors headers need 3. */
    static final int MAX_DEPTH = 16;
    /** The longest string accepted, in characters. */
    static final int MAX_STRING_LENGTH = 1 << 20;
    /** The longest number literal accepted, in characters. */
    static final int MAX_NUMBER_LENGTH = 64;

    /** The JSON {@code null}. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    /** A JSON number, kept as the literal text that the grammar accepted. */
    record Num(String text) {
        @Override
        public String toString() {
            return text;
        }
    }

    private final String text;
    private final String where;
    private int pos;

    private Json(String text, String where) {
        this.text = text;
        this.where = where;
    }

    /**
     * Parses one JSON value that must fill the whole text (trailing whitespace allowed).
     *
     * @param text the JSON text
     * @param where what the text is, for messages (e.g. "the header of model.safetensors")
     * @return the value
     * @throws ModelFormatException if the text is not one valid JSON value within the limits
     */
    static Object parse(String text, String where) throws ModelFormatException {
        Json json = new Json(text, where);
        json.skipWhitespace();
        Object value = json.value(0);
        json.skipWhitespace();
        if (json.pos != text.length()) {
            throw json.error("unexpected " + json.describeHere() + " after the JSON value");
        }
        return value;
    }

    private Object value(int depth) throws ModelFormatException {
        if (pos >= text.length()) {
            throw error("unexpected end of JSON, expected a value");
        }
        char c = text.charAt(pos);
        switch (c) {
            case '{':
                return object(depth + 1);
            case '[':
                return array(depth + 1);
            case '"':
                return string();
            case 't':
                literal("true");
                return Boolean.TRUE;
            case 'f':
                literal("false");
                return Boolean.FALSE;
            case 'n':
                literal("null");
                return NULL;
            default:
                if (c == '-' || (c >= '0' && c <= '9')) {
                    return number();
                }
                throw error("unexpected " + describeHere() + ", expected a value");
        }
    }

    private Map<String, Object> object(int depth) throws ModelFormatException {
        checkDepth(depth);
        pos++; // {
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            pos++;
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("unexpected " + describeHere() + ", expected a member name in double quotes");
            }
            int keyAt = pos;
            String key = string();
            skipWhitespace();
            expect(':');
            skipWhitespace();
            Object member = value(depth);
            if (members.putIfAbsent(key, member) != null) {
                throw new ModelFormatException("duplicate key \"" + shorten(key) + "\" at character " + keyAt + " of "
                        + where);
            }
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == '}') {
                return members;
            }
            if (c != ',') {
                pos--;
                throw error("unexpected " + describeHere() + ", expected ',' or '}'");
            }
        }
    }

    private List<Object> array(int depth) throws ModelFormatException {
        checkDepth(depth);
        pos++; // [
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            pos++;
            return elements;
        }
        while (true) {
            skipWhitespace();
            elements.add(value(depth));
            skipWhitespace();
            char c = peek();
            pos++;
            if (c == ']') {
                return Collections.unmodifiableList(elements);
            }
            if (c != ',') {
                pos--;
                throw error("unexpected " + describeHere() + ", expected ',' or ']'");
            }
        }
    }

    private String string() throws ModelFormatException {
        int start = pos;
        pos++; // "
        StringBuilder s = new StringBuilder();
        while (true) {
            if (pos >= text.length()) {
                throw new ModelFormatException("unterminated string starting at character " + start + " of " + where);
            }
            if (s.length() > MAX_STRING_LENGTH) {
                throw new ModelFormatException("string starting at character " + start + " of " + where
                        + " is longer than " + MAX_STRING_LENGTH + " characters");
            }
            char c = text.charAt(pos++);
            if (c == '"') {
                return s.toString();
            }
            if (c < 0x20) {
                pos--;
                throw error("control character U+" + String.format("%04X", (int) c) + " in a string");
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            if (pos >= text.length()) {
                throw new ModelFormatException("unterminated string starting at character " + start + " of " + where);
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
                        throw error("incomplete \\u escape");
                    }
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        int digit = Character.digit(text.charAt(pos), 16);
                        if (digit < 0) {
                            throw error("invalid hex digit in a \\u escape");
                        }
                        code = code * 16 + digit;
                        pos++;
                    }
                    s.append((char) code);
                }
                default -> {
                    pos -= 2;
                    throw error("invalid escape \\" + e);
                }
            }
        }
    }

    private Num number() throws ModelFormatException {
        int start = pos;
        if (peek() == '-') {
            pos++;
        }
        if (peek() == '0') {
            pos++;
        } else if (isDigit(peek())) {
            digits();
        } else {
            throw error("invalid number: expected a digit");
        }
        if (peek() == '.') {
            pos++;
            if (!isDigit(peek())) {
                throw error("invalid number: expected a digit after '.'");
            }
            digits();
        }
        if (peek() == 'e' || peek() == 'E') {
            pos++;
            if (peek() == '+' || peek() == '-') {
                pos++;
            }
            if (!isDigit(peek())) {
                throw error("invalid number: expected a digit in the exponent");
            }
            digits();
        }
        if (pos - start > MAX_NUMBER_LENGTH) {
            throw new ModelFormatException("number at character " + start + " of " + where + " is longer than "
                    + MAX_NUMBER_LENGTH + " characters");
        }
        return new Num(text.substring(start, pos));
    }

    private void digits() {
        while (isDigit(peek())) {
            pos++;
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) throws ModelFormatException {
        if (!text.startsWith(word, pos)) {
            throw error("unexpected " + describeHere() + ", expected a value");
        }
        pos += word.length();
    }

    private void expect(char c) throws ModelFormatException {
        if (peek() != c) {
            throw error("unexpected " + describeHere() + ", expected '" + c + "'");
        }
        pos++;
    }

    /** Returns the character at the position, or U+FFFF (never valid here) at the end. */
    private char peek() {
        return pos < text.length() ? text.charAt(pos) : '\uFFFF';
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

    private void checkDepth(int depth) throws ModelFormatException {
        if (depth > MAX_DEPTH) {
            throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String describeHere() {
        if (pos >= text.length()) {
            return "end of JSON";
        }
        char c = text.charAt(pos);
        return c >= 0x20 && c < 0x7f ? "'" + c + "'" : "character U+" + String.format("%04X", (int) c);
    }

    private ModelFormatException error(String message) {
        return new ModelFormatException(message + " at character " + pos + " of " + where);
    }

    /** Returns the start of a long string, for messages. */
    static String shorten(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    // ------------------------------------------------------------------ writing

    /**
     * Appends a JSON string literal, escaping quotes, backslashes and control characters.
     *
     * @param out where to append
     * @param s the string
     */
    static void writeString(StringBuilder out, String s) {
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
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        out.append('"');
    }
}
