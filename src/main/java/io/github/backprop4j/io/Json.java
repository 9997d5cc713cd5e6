package io.github.backprop4j.io;

import io.github.backprop4j.internal.JsonText;
import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.CharacterCodingException;
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
 * and {@link #NULL}. It reads characters one at a time from a {@link Reader} (so a header is never held twice,
 * as bytes and as text), is recursive in nothing but nesting, which it bounds by {@link #MAX_DEPTH}, and it
 * bounds the length of every string ({@link #MAX_STRING_LENGTH}) and number ({@link #MAX_NUMBER_LENGTH}), the
 * elements of one array ({@link #MAX_ARRAY_ELEMENTS}) and the number of values in the whole text
 * ({@link #MAX_VALUES}), each checked as the value arrives, so that no input can make it overflow the stack or
 * hold much more memory than the input's own size. Every error is a {@link ModelFormatException} naming the
 * character offset in the text.
 */
final class Json {

    /** The deepest nesting of arrays and objects accepted; safetensors headers need 3. */
    static final int MAX_DEPTH = 16;
    /** The longest string accepted, in characters. */
    static final int MAX_STRING_LENGTH = 1 << 20;
    /** The longest number literal accepted, in characters. */
    static final int MAX_NUMBER_LENGTH = 64;
    /** The most elements one array may hold; a safetensors shape holds at most 8, data offsets 2. */
    static final int MAX_ARRAY_ELEMENTS = 1024;
    /**
     * The most values (objects, arrays, strings, numbers and literals, including object members) the whole
     * text may hold: about 37,000 tensors, or a checkpoint's history of about 40,000 epochs. Parsed, they take
     * some 150 bytes each, about 40 MB at this limit.
     */
    static final int MAX_VALUES = 1 << 18;

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

    private static final char END = '\uFFFF';

    private final Reader in;
    private final String where;
    private final char[] buffer = new char[8192];
    private int buffered;
    private int next;
    /** The offset, in characters, of the character {@link #peek()} returns. */
    private long pos;
    private int values;

    private Json(Reader in, String where) {
        this.in = in;
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
        try {
            return parse(new StringReader(text), where);
        } catch (ModelFormatException e) {
            throw e;
        } catch (IOException e) {
            throw new IllegalStateException("a StringReader failed", e);
        }
    }

    /**
     * Parses one JSON value that must fill all the characters of a reader (trailing whitespace allowed).
     *
     * @param in the characters, read to their end; not closed
     * @param where what the text is, for messages
     * @return the value
     * @throws ModelFormatException if the text is not one valid JSON value within the limits, or is not
     *     valid in the reader's encoding
     * @throws IOException if reading fails
     */
    static Object parse(Reader in, String where) throws IOException {
        Json json = new Json(in, where);
        try {
            json.skipWhitespace();
            Object value = json.value(0);
            json.skipWhitespace();
            if (!json.atEnd()) {
                throw json.error("unexpected " + json.describeHere() + " after the JSON value");
            }
            return value;
        } catch (CharacterCodingException e) {
            throw new ModelFormatException(where + " is not valid UTF-8: the bytes after character " + json.pos
                    + " do not decode", e);
        }
    }

    private Object value(int depth) throws IOException {
        if (++values > MAX_VALUES) {
            throw error("more than " + MAX_VALUES + " JSON values");
        }
        char c = peek();
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
            case END:
                if (atEnd()) {
                    throw error("unexpected end of JSON, expected a value");
                }
                throw error("unexpected " + describeHere() + ", expected a value");
            default:
                if (c == '-' || isDigit(c)) {
                    return number();
                }
                throw error("unexpected " + describeHere() + ", expected a value");
        }
    }

    private Map<String, Object> object(int depth) throws IOException {
        checkDepth(depth);
        advance(); // {
        Map<String, Object> members = new LinkedHashMap<>();
        skipWhitespace();
        if (peek() == '}') {
            advance();
            return members;
        }
        while (true) {
            skipWhitespace();
            if (peek() != '"') {
                throw error("unexpected " + describeHere() + ", expected a member name in double quotes");
            }
            long keyAt = pos;
            if (++values > MAX_VALUES) {
                throw error("more than " + MAX_VALUES + " JSON values");
            }
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
            if (c == '}') {
                advance();
                return members;
            }
            if (c != ',') {
                throw error("unexpected " + describeHere() + ", expected ',' or '}'");
            }
            advance();
        }
    }

    private List<Object> array(int depth) throws IOException {
        checkDepth(depth);
        advance(); // [
        List<Object> elements = new ArrayList<>();
        skipWhitespace();
        if (peek() == ']') {
            advance();
            return elements;
        }
        while (true) {
            skipWhitespace();
            if (elements.size() == MAX_ARRAY_ELEMENTS) {
                throw error("an array of more than " + MAX_ARRAY_ELEMENTS + " elements");
            }
            elements.add(value(depth));
            skipWhitespace();
            char c = peek();
            if (c == ']') {
                advance();
                return Collections.unmodifiableList(elements);
            }
            if (c != ',') {
                throw error("unexpected " + describeHere() + ", expected ',' or ']'");
            }
            advance();
        }
    }

    private String string() throws IOException {
        long start = pos;
        advance(); // "
        StringBuilder s = new StringBuilder();
        while (true) {
            if (atEnd()) {
                throw new ModelFormatException("unterminated string starting at character " + start + " of " + where);
            }
            if (s.length() > MAX_STRING_LENGTH) {
                throw new ModelFormatException("string starting at character " + start + " of " + where
                        + " is longer than " + MAX_STRING_LENGTH + " characters");
            }
            char c = peek();
            if (c < 0x20) {
                throw error("control character U+" + String.format("%04X", (int) c) + " in a string");
            }
            advance();
            if (c == '"') {
                return s.toString();
            }
            if (c != '\\') {
                s.append(c);
                continue;
            }
            if (atEnd()) {
                throw new ModelFormatException("unterminated string starting at character " + start + " of " + where);
            }
            char e = peek();
            switch (e) {
                case '"', '\\', '/' -> s.append(e);
                case 'b' -> s.append('\b');
                case 'f' -> s.append('\f');
                case 'n' -> s.append('\n');
                case 'r' -> s.append('\r');
                case 't' -> s.append('\t');
                case 'u' -> {
                    advance();
                    int code = 0;
                    for (int i = 0; i < 4; i++) {
                        if (atEnd()) {
                            throw error("incomplete \\u escape");
                        }
                        int digit = Character.digit(peek(), 16);
                        if (digit < 0) {
                            throw error("invalid hex digit in a \\u escape");
                        }
                        code = code * 16 + digit;
                        advance();
                    }
                    s.append((char) code);
                    continue;
                }
                default -> throw error("invalid escape \\" + e);
            }
            advance();
        }
    }

    private Num number() throws IOException {
        long start = pos;
        StringBuilder s = new StringBuilder();
        if (peek() == '-') {
            take(s, start);
        }
        if (peek() == '0') {
            take(s, start);
        } else if (isDigit(peek())) {
            digits(s, start);
        } else {
            throw error("invalid number: expected a digit");
        }
        if (peek() == '.') {
            take(s, start);
            if (!isDigit(peek())) {
                throw error("invalid number: expected a digit after '.'");
            }
            digits(s, start);
        }
        if (peek() == 'e' || peek() == 'E') {
            take(s, start);
            if (peek() == '+' || peek() == '-') {
                take(s, start);
            }
            if (!isDigit(peek())) {
                throw error("invalid number: expected a digit in the exponent");
            }
            digits(s, start);
        }
        return new Num(s.toString());
    }

    /** Moves the current character of a number into {@code s}, refusing a number that grows too long. */
    private void take(StringBuilder s, long start) throws IOException {
        if (s.length() == MAX_NUMBER_LENGTH) {
            throw new ModelFormatException("number at character " + start + " of " + where + " is longer than "
                    + MAX_NUMBER_LENGTH + " characters");
        }
        s.append(peek());
        advance();
    }

    private void digits(StringBuilder s, long start) throws IOException {
        while (isDigit(peek())) {
            take(s, start);
        }
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private void literal(String word) throws IOException {
        for (int i = 0; i < word.length(); i++) {
            if (peek() != word.charAt(i)) {
                throw error("unexpected " + describeHere() + ", expected a value");
            }
            advance();
        }
    }

    private void expect(char c) throws IOException {
        if (peek() != c) {
            throw error("unexpected " + describeHere() + ", expected '" + c + "'");
        }
        advance();
    }

    /** Returns the current character, or U+FFFF (never valid here) at the end. */
    private char peek() throws IOException {
        if (next == buffered) {
            if (buffered < 0) {
                return END;
            }
            buffered = in.read(buffer, 0, buffer.length);
            next = 0;
            if (buffered <= 0) {
                buffered = -1;
                next = -1;
                return END;
            }
        }
        return buffer[next];
    }

    private boolean atEnd() throws IOException {
        return peek() == END && buffered < 0;
    }

    private void advance() {
        next++;
        pos++;
    }

    private void skipWhitespace() throws IOException {
        while (true) {
            char c = peek();
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                return;
            }
            advance();
        }
    }

    private void checkDepth(int depth) throws ModelFormatException {
        if (depth > MAX_DEPTH) {
            throw error("JSON nested deeper than " + MAX_DEPTH + " levels");
        }
    }

    private String describeHere() throws IOException {
        if (atEnd()) {
            return "end of JSON";
        }
        char c = peek();
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
        JsonText.appendString(out, s);
    }
}
