package io.github.backprop4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** Runs each example's {@code main} and checks what it prints. */
class ExamplesSmokeTest {

    /** One printed line of XorExample, e.g. {@code "0 xor 1 -> 0.981"} (the decimal mark follows the locale). */
    private static final Pattern XOR_LINE = Pattern.compile("([01]) xor ([01]) -> ([0-9]+[.,][0-9]+)");

    @Test
    void xorExamplePrintsAllFourCasesCorrectly() {
        String output = captureStdout(() -> XorExample.main(new String[0]));

        Matcher m = XOR_LINE.matcher(output);
        int cases = 0;
        while (m.find()) {
            int x = Integer.parseInt(m.group(1));
            int y = Integer.parseInt(m.group(2));
            double predicted = Double.parseDouble(m.group(3).replace(',', '.'));
            boolean expected = (x ^ y) == 1;
            assertThat(predicted > 0.5).as("%s xor %s printed %s", x, y, predicted).isEqualTo(expected);
            cases++;
        }
        assertThat(cases).as("XOR lines in:%n%s", output).isEqualTo(4);
        assertThat(output).contains("final loss: ");
        assertThat(output.lines().toList()).hasSize(5);
        assertThat(List.of(output.split("\\R"))).first().asString().startsWith("0 xor 0 -> ");
    }

    private static String captureStdout(Runnable action) {
        PrintStream original = System.out;
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setOut(original);
        }
        return buffer.toString(StandardCharsets.UTF_8);
    }
}
