package io.github.backprop4j.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Java sample in README.md is the code between the readme-sample markers of XorExample, which the build
 * compiles and {@link ExamplesSmokeTest} runs; so the README's sample is proven to compile and work.
 */
class ReadmeSampleTest {

    private static final Path README = Path.of("README.md");
    private static final Path EXAMPLE = Path.of("examples/io/github/backprop4j/examples/XorExample.java");

    @Test
    void readmeSampleIsTheXorExample() throws IOException {
        List<String> readme = javaBlock(Files.readAllLines(README));
        List<String> example = between(Files.readAllLines(EXAMPLE), "// readme-sample-start", "// readme-sample-end");

        assertThat(readme).as("README's Java block").isNotEmpty();
        assertThat(example).as("the example's marked lines").isNotEmpty();
        assertThat(String.join("\n", stripIndent(readme))).isEqualTo(String.join("\n", stripIndent(example)));
    }

    @Test
    void readmeHasExactlyOneJavaBlock() throws IOException {
        long blocks = Files.readAllLines(README).stream().filter(l -> l.strip().equals("```java")).count();

        assertThat(blocks).isEqualTo(1);
    }

    /** The lines of the first {@code ```java} block, without its fences. */
    private static List<String> javaBlock(List<String> lines) {
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (start < 0 && lines.get(i).strip().equals("```java")) {
                start = i + 1;
            } else if (start >= 0 && lines.get(i).strip().equals("```")) {
                return lines.subList(start, i);
            }
        }
        return List.of();
    }

    /** The lines strictly between the two marker lines. */
    private static List<String> between(List<String> lines, String startMarker, String endMarker) {
        int start = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(startMarker)) {
                start = i + 1;
            } else if (start >= 0 && lines.get(i).strip().equals(endMarker)) {
                return lines.subList(start, i);
            }
        }
        return List.of();
    }

    /** Removes the indentation common to all non-blank lines, and trailing blanks. */
    private static List<String> stripIndent(List<String> lines) {
        int indent = lines.stream().filter(l -> !l.isBlank())
                .mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            out.add(line.isBlank() ? "" : line.substring(indent).stripTrailing());
        }
        return out;
    }
}
