package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JsonTest {

    @Test
    @SuppressWarnings("unchecked")
    void parsesTheGrammar() throws ModelFormatException {
        Object v = Json.parse(" {\"a\": [1, -2.5e3, true, false, null, \"x\\u00e9\\n\"], \"b\": {}} ", "t");
        assertThat(v).isInstanceOf(Map.class);
        Map<?, ?> m = (Map<?, ?>) v;
        assertThat((List<Object>) m.get("a")).containsExactly(new Json.Num("1"), new Json.Num("-2.5e3"), true, false,
                Json.NULL, "xé\n");
        assertThat((Map<?, ?>) m.get("b")).isEmpty();
    }

    @Test
    void refusesWhatRfc8259Refuses() {
        for (String bad : new String[] {"", "{", "{\"a\":1,}", "[1,]", "01", "1.", "-", "+1", "'a'", "{a:1}",
            "\"\\x\"", "\"\u0001\"", "[1] x", "tru", "{\"a\" 1}", "NaN", "\"\\u12G4\"", "[", "{\"a\":1 \"b\":2}"}) {
            assertThatThrownBy(() -> Json.parse(bad, "t")).as(bad).isInstanceOf(ModelFormatException.class)
                    .hasMessageContaining(" of t");
        }
    }

    @Test
    void refusesDuplicateKeys() {
        assertThatThrownBy(() -> Json.parse("{\"a\":1,\"a\":2}", "t")).hasMessageContaining("duplicate key \"a\"");
    }

    @Test
    void deepNestingIsAnErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        assertThatThrownBy(() -> Json.parse(deep, "t")).isInstanceOf(ModelFormatException.class)
                .hasMessageContaining("nested deeper than " + Json.MAX_DEPTH);
    }

    @Test
    void longStringsAndNumbersAreBounded() {
        String longString = "\"" + "a".repeat(Json.MAX_STRING_LENGTH + 10) + "\"";
        assertThatThrownBy(() -> Json.parse(longString, "t")).hasMessageContaining("longer than");
        String longNumber = "1" + "0".repeat(100);
        assertThatThrownBy(() -> Json.parse(longNumber, "t")).hasMessageContaining("longer than");
    }

    @Test
    void writtenStringsReadBack() throws ModelFormatException {
        StringBuilder s = new StringBuilder();
        String tricky = "a\"b\\c\n\t\u0001é";
        Json.writeString(s, tricky);
        assertThat(Json.parse(s.toString(), "t")).isEqualTo(tricky);
    }
}
