package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files built to exhaust memory, loaded in forked JVMs with small heaps (issue 13, items 1 and 8, and the
 * peak heap of a valid load). Each child reports its outcome on one line; see {@link LoadProbe}.
 */
class HostileFilesTest {

    /** The size of each hostile file, as in the issue: the most a safetensors header may hold. */
    private static final int FILE_BYTES = 100_000_000;

    @TempDir
    Path folder;

    @Test
    void hundredMegabyteHeadersAreRefusedInA256MegabyteHeap() throws Exception {
        // A shape of 50 M zeros, 7 M metadata entries, 1.6 M empty tensors, 100 strings of 1 M characters.
        List<String> outcomes = new ArrayList<>();
        outcomes.add(probe("-Xmx256m", "model", header("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,0],\"shape\":[",
                i -> i == 0 ? "0" : ",0", "]}}")));
        outcomes.add(probe("-Xmx256m", "checkpoint", header("{\"__metadata__\":{",
                i -> (i == 0 ? "" : ",") + "\"" + Integer.toString(i, 36) + "\":\"\"", "}}")));
        outcomes.add(probe("-Xmx256m", "model", header("{", i -> (i == 0 ? "" : ",") + "\"" + Integer.toString(i, 36)
                + "\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}", "}")));
        String megabyte = "x".repeat(Json.MAX_STRING_LENGTH - 16);
        outcomes.add(probe("-Xmx256m", "weights", header("{\"__metadata__\":{",
                i -> (i == 0 ? "" : ",") + "\"" + i + "\":\"" + megabyte + "\"", "}}")));
        assertThat(outcomes).allSatisfy(o -> assertThat(o).startsWith("REFUSED"));
        assertThat(outcomes.get(0)).contains("more than " + Json.MAX_ARRAY_ELEMENTS + " elements");
        assertThat(outcomes.get(1)).contains("more than " + Json.MAX_VALUES + " JSON values");
        assertThat(outcomes.get(2)).contains("more than " + Json.MAX_VALUES + " JSON values");
        assertThat(outcomes.get(3)).contains("no tensor \"0.weight\"");
    }

    @Test
    void aValidModelLoadsInAboutItsOwnSizePlusOneTensor() throws Exception {
        // 3000 × 2000 and 2000 × 3000 float32 weights: 48 MB of parameters, 24 MB the largest tensor.
        Network network = Network.builder().input(2000).dense(3000, Activation.RELU).dense(2000, Activation.IDENTITY)
                .precision(Precision.FLOAT32).seed(5).build();
        Path file = folder.resolve("large.safetensors");
        ModelFile.save(network, file);
        network = null;
        String outcome = probe("-Xmx100m", "model", file);
        assertThat(outcome).startsWith("LOADED");
        // Heaps where the up-front estimate passes but the collector cannot give the arrays (72–88 MB before the
        // decoding caught it): loaded, or refused with the sizes, never an OutOfMemoryError.
        for (int heap = 64; heap <= 92; heap += 7) {
            assertThat(probe("-Xmx" + heap + "m", "model", file)).as("-Xmx%dm", heap)
                    .satisfiesAnyOf(o -> assertThat(o).startsWith("LOADED"),
                            o -> assertThat(o).startsWith("REFUSED").contains("MB").contains("-Xmx"));
        }
        Files.delete(file);
    }

    @Test
    void aFolderOrANamedPipeIsRefusedNamingIt() throws Exception {
        assertThatThrownBy(() -> ModelFile.load(folder)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining(folder.toString()).hasMessageContaining("a folder");
        assertThatThrownBy(() -> Checkpoint.load(folder)).isInstanceOf(FileSystemException.class)
                .hasMessageContaining(folder.toString());
        Path missing = folder.resolve("missing.safetensors");
        assertThatThrownBy(() -> ModelFile.load(missing)).isInstanceOf(IOException.class)
                .hasMessageContaining(missing.toString());
        Path pipe = folder.resolve("pipe.safetensors");
        Process mkfifo;
        try {
            mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).start();
        } catch (IOException e) {
            mkfifo = null;
        }
        assumeTrue(mkfifo != null && mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0,
                "mkfifo is available");
        Assertions.assertTimeoutPreemptively(Duration.ofSeconds(30), () -> {
            assertThatThrownBy(() -> ModelFile.load(pipe)).isInstanceOf(FileSystemException.class)
                    .hasMessageContaining(pipe.toString()).hasMessageContaining("not a regular file");
            assertThatThrownBy(() -> ModelFile.loadWeights(pipe, Network.builder().input(1).dense(1,
                    Activation.IDENTITY).build())).isInstanceOf(FileSystemException.class);
        });
    }

    /** Writes a header of about {@link #FILE_BYTES} bytes: the start, repeated parts, the end; no data. */
    private Path header(String start, java.util.function.IntFunction<String> part, String end) throws IOException {
        StringBuilder json = new StringBuilder(FILE_BYTES);
        json.append(start);
        for (int i = 0; json.length() < FILE_BYTES - 8 - end.length() - 2_000_000; i++) {
            json.append(part.apply(i));
        }
        json.append(end);
        byte[] bytes = json.toString().getBytes(StandardCharsets.UTF_8);
        json = null;
        Path file = folder.resolve("hostile.safetensors");
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(bytes.length).array());
            out.write(bytes);
        }
        return file;
    }

    /** Loads a file in a forked JVM and returns its one-line outcome; a child that hangs is killed. */
    static String probe(String heap, String kind, Path file) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process child = new ProcessBuilder(java, heap, "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", LoadProbe.class.getName(), kind, file.toString())
                .redirectErrorStream(true).start();
        if (!child.waitFor(60, TimeUnit.SECONDS)) {
            child.destroyForcibly();
            return "HUNG loading " + file + " in " + heap;
        }
        String text = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        String last = text.substring(text.lastIndexOf('\n') + 1);
        if (file.getFileName().toString().equals("hostile.safetensors")) {
            Files.delete(file);
        }
        return last;
    }
}
