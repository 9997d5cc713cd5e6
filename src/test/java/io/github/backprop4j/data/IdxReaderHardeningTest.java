package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, items 7 and 9: gzip bombs and corrupt or truncated gzip IDX files. */
class IdxReaderHardeningTest {

    @TempDir
    Path folder;

    /** A gzip IDX image file of {@code count × rows × cols} zero pixels. */
    private static byte[] zeroImages(int count, int rows, int cols) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (OutputStream out = new GZIPOutputStream(bytes, 1 << 16)) {
            out.write(ByteBuffer.allocate(16).putInt(IdxReader.IMAGES_MAGIC).putInt(count).putInt(rows).putInt(cols)
                    .array());
            byte[] zeros = new byte[1 << 20];
            for (long left = (long) count * rows * cols; left > 0; left -= zeros.length) {
                out.write(zeros, 0, (int) Math.min(left, zeros.length));
            }
        }
        return bytes.toByteArray();
    }

    @Test
    void aGzipBombIsRefusedUpFrontAndLargeRealDataReadInAboutTheirOwnSize() throws Exception {
        // 1 × 15000 × 15000 = 225 MB of zeros in about 220 KB of gzip, read in a 256 MB heap.
        Path bomb = folder.resolve("bomb.gz");
        Files.write(bomb, zeroImages(1, 15_000, 15_000));
        assertThat(probe("-Xmx256m", bomb)).startsWith("REFUSED").contains("bomb.gz")
                .contains("[1, 15000, 15000] = 225000000 bytes").contains("337.5 MB of memory");
        // 1 × 8000 × 10000 = 80 MB of real pixels: read in one and a half times their size, in a 160 MB heap.
        Path large = folder.resolve("large.gz");
        Files.write(large, zeroImages(1, 8_000, 10_000));
        assertThat(probe("-Xmx160m", large)).isEqualTo("READ 80000000");
    }

    @Test
    void corruptAndTruncatedGzipAreNamedAsSuch() throws Exception {
        byte[] good = zeroImages(2, 3, 4);
        Path half = folder.resolve("half.gz");
        Files.write(half, Arrays.copyOf(good, good.length / 2));
        assertThatThrownBy(() -> IdxReader.readImages(half)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("half.gz: the gzip data are cut short").hasMessageNotContaining("magic number");
        byte[] corrupt = good.clone();
        for (int i = 12; i < corrupt.length - 8; i++) {
            corrupt[i] = (byte) 0xff;
        }
        Path bad = folder.resolve("bad.gz");
        Files.write(bad, corrupt);
        assertThatThrownBy(() -> IdxReader.readImages(bad)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("bad.gz: the gzip data are corrupt");
        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 8})))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("labels: the gzip data are");
    }

    private static String probe(String heap, Path file) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                IdxProbe.class.getName(), file.toString()).redirectErrorStream(true).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            return "HUNG";
        }
        String text = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        return text.substring(text.lastIndexOf('\n') + 1);
    }
}
