package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training streams its data: a JVM whose heap is a small fraction of the data trains an epoch on a
 * {@link DataSource} that generates its samples on the fly, without running out of memory.
 */
class StreamingMemoryTest {

    /** 2,000,000 samples × 64 float32 features = 512 MB of features, eight times the heap. */
    private static final long SAMPLES = 2_000_000;
    private static final int FEATURES = 64;
    private static final int HEAP_MB = 64;

    private static final Pattern RESULT = Pattern.compile(
            "RESULT samples=(\\d+) trainLoss=(\\S+) before=(\\S+) after=(\\S+) maxHeapMB=(\\d+) peakHeapMB=(\\d+)");

    @Test
    void oneEpochOnDataEightTimesTheHeapFinishesInASmallHeap(@TempDir Path dir) throws IOException,
            InterruptedException {
        assertThat(SAMPLES * FEATURES * Float.BYTES).as("bytes of features")
                .isGreaterThanOrEqualTo(4L * HEAP_MB * (1 << 20));
        Path output = dir.resolve("output.txt");
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                StreamingTrainingMain.class.getName(), Long.toString(SAMPLES))
                .redirectErrorStream(true).redirectOutput(output.toFile()).start();

        boolean finished = process.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);

        assertThat(finished).as("finished within 120 s; output:%n%s", text).isTrue();
        assertThat(process.exitValue()).as("exit code; output:%n%s", text).isZero();
        List<String> results = text.lines().filter(l -> l.startsWith("RESULT")).toList();
        assertThat(results).as(text).hasSize(1);
        Matcher m = RESULT.matcher(results.get(0));
        assertThat(m.matches()).as(results.get(0)).isTrue();
        assertThat(Long.parseLong(m.group(1))).as("samples trained on").isEqualTo(SAMPLES);
        assertThat(Double.parseDouble(m.group(4))).as("held-out loss after the epoch")
                .isLessThan(Double.parseDouble(m.group(3)) / 2);
        assertThat(Long.parseLong(m.group(5))).as("the child's maximum heap, MB").isLessThanOrEqualTo(HEAP_MB);
    }
}
