package io.github.backprop4j.io;

import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-side access to the library's strict JSON reader ({@link Json}, package-private) for test code of other
 * packages: parses a text into plain Java values.
 *
 * <p>Objects become insertion-ordered {@code Map<String, Object>} (duplicate keys are refused by the reader),
 * arrays {@code List<Object>}, strings {@code String}, {@code true}/{@code false} {@code Boolean}, {@code null}
 * {@link #NULL}; a number written without fraction or exponent becomes a {@code Long} (a {@code Double} if it
 * does not fit), any other number a {@code Double} parsed from its literal text, so that {@code 3} and
 * {@code 3.0} stay apart.
 */
public final class JsonTrees {

    /** The JSON {@code null}. */
    public static final Object NULL = Json.NULL;

    private JsonTrees() {
    }

    /**
     * Parses one JSON text with the library's reader and its limits ({@link Json#MAX_DEPTH} and the others).
     *
     * @param in the text, read to its end; not closed
     * @param where what the text is, for messages
     * @return the value, as described in the class comment
     * @throws ModelFormatException if the text is not one valid JSON value within the reader's limits
     * @throws IOException if reading fails
     */
    public static Object parse(Reader in, String where) throws IOException {
        return plain(Json.parse(in, where));
    }

    private static Object plain(Object value) {
        if (value instanceof Json.Num number) {
            String text = number.text();
            if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException tooLong) {
                    return Double.parseDouble(text);
                }
            }
            return Double.parseDouble(text);
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.put((String) e.getKey(), plain(e.getValue()));
            }
            return out;
        }
        if (value instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            for (Object element : list) {
                out.add(plain(element));
            }
            return out;
        }
        return value;
    }
}
