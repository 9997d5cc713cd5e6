package io.github.backprop4j.repro;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.math.Precision;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The same inputs give the same bits whatever the JIT has compiled: {@link DeterminismMain} is run in forked
 * JVMs — cold and warm in one JVM, under the interpreter ({@code -Xint}) and C1 alone for a small case, with
 * vector widths of 128, 256 and 512 bits, and on the newest JDK installed beside this one — and every digest
 * of predictions and of two epochs of training with a softmax output must equal the one this (warm) JVM
 * computes. Before the softmax kernel built its exponential from exactly specified operations, the vector
 * path's digest changed once C2 had compiled the kernel.
 */
class CrossJvmDeterminismTest {

    private static final String VECTOR = "--add-modules=jdk.incubator.vector";

    @TempDir
    Path dir;

    @Test
    void aColdJvmGivesTheBitsOfAWarmOneOnTheVectorPath() throws Exception {
        String warm = warmDigest("medium", Precision.FLOAT32);
        List<String> digests = run(java(), "medium", Precision.FLOAT32, 12, VECTOR);
        assertThat(digests).as("cold (first) and warm repetitions in a fork, against this JVM")
                .hasSize(12).containsOnly(warm);
    }

    @Test
    void theInterpreterAndC1GiveTheBitsOfC2() throws Exception {
        String warm = warmDigest("small", Precision.FLOAT32);
        assertThat(run(java(), "small", Precision.FLOAT32, 1, VECTOR, "-Xint")).as("-Xint").containsOnly(warm);
        assertThat(run(java(), "small", Precision.FLOAT32, 3, VECTOR, "-XX:TieredStopAtLevel=1")).as("C1 only")
                .containsOnly(warm);
        assertThat(run(java(), "small", Precision.FLOAT32, 25, VECTOR)).as("C2, cold to warm").containsOnly(warm);
    }

    @Test
    void everyVectorWidthGivesTheSameBits() throws Exception {
        for (Precision precision : Precision.values()) {
            String warm = warmDigest("medium", precision);
            for (int bytes : new int[] {16, 32, 64}) {
                assertThat(run(java(), "medium", precision, 2, VECTOR, "-XX:MaxVectorSize=" + bytes))
                        .as("%s, -XX:MaxVectorSize=%d", precision, bytes).containsOnly(warm);
            }
        }
    }

    @Test
    void theScalarPathAndFloat64AreTheSameColdAndWarm() throws Exception {
        List<String> scalar = run(java(), "medium", Precision.FLOAT32, 10, "-Dbackprop4j.vector=false");
        assertThat(scalar).as("scalar float32 path, cold to warm").hasSize(10).containsOnly(scalar.get(0));
        String float64 = warmDigest("medium", Precision.FLOAT64);
        assertThat(run(java(), "medium", Precision.FLOAT64, 10, VECTOR)).as("float64, cold to warm")
                .containsOnly(float64);
    }

    @Test
    void theNewestInstalledJdkGivesTheBitsOfThisOne() throws Exception {
        Optional<Path> newer = newestOtherJdk();
        Assumptions.assumeTrue(newer.isPresent(), "no JDK newer than this one is installed beside it");
        Path java = newer.get().resolve("bin").resolve("java");
        String warm = warmDigest("medium", Precision.FLOAT32);
        assertThat(run(java, "medium", Precision.FLOAT32, 2, VECTOR)).as("%s, vector path", newer.get())
                .containsOnly(warm);
        List<String> scalarHere = run(java(), "medium", Precision.FLOAT32, 1, "-Dbackprop4j.vector=false");
        assertThat(run(java, "medium", Precision.FLOAT32, 1, "-Dbackprop4j.vector=false"))
                .as("%s, scalar path", newer.get()).isEqualTo(scalarHere);
        String float64 = warmDigest("medium", Precision.FLOAT64);
        assertThat(run(java, "medium", Precision.FLOAT64, 1, VECTOR)).as("%s, float64", newer.get())
                .containsOnly(float64);
    }

    /** The digest in this JVM, after the case has run often enough for C2 to have compiled its kernels. */
    private static String warmDigest(String size, Precision precision) throws Exception {
        String digest = null;
        for (int i = 0; i < 30; i++) {
            digest = DeterminismMain.digest(size, precision);
        }
        return digest;
    }

    private static Path java() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /** The JDK with the highest feature version above this one's among this JDK's siblings, if any. */
    private static Optional<Path> newestOtherJdk() throws IOException {
        Path home = Path.of(System.getProperty("java.home")).toRealPath();
        Path parent = home.getParent();
        int best = Runtime.version().feature();
        Path found = null;
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path candidate : siblings.toList()) {
                Path release = candidate.resolve("release");
                if (!Files.isRegularFile(release) || !Files.isExecutable(candidate.resolve("bin").resolve("java"))) {
                    continue;
                }
                for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                    if (line.startsWith("JAVA_VERSION=\"")) {
                        String version = line.substring("JAVA_VERSION=\"".length()).split("[.\"+-]")[0];
                        int feature = Integer.parseInt(version);
                        if (feature > best) {
                            best = feature;
                            found = candidate;
                        }
                    }
                }
            }
        }
        return Optional.ofNullable(found);
    }

    private List<String> run(Path java, String size, Precision precision, int repetitions, String... flags)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(java.toString());
        command.addAll(List.of(flags));
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), DeterminismMain.class.getName(), size,
                precision.name(), Integer.toString(repetitions)));
        Path output = Files.createTempFile(dir, "fork", ".txt");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
        boolean finished = process.waitFor(120, TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        String text = Files.readString(output, StandardCharsets.UTF_8);
        assertThat(finished).as("%s finished within 120 s:%n%s", command, text).isTrue();
        assertThat(process.exitValue()).as("%s exit code:%n%s", command, text).isZero();
        List<String> digests = text.lines().filter(l -> l.startsWith("DIGEST ")).map(l -> l.split(" ")[2]).toList();
        assertThat(digests).as("%s printed its digests:%n%s", command, text).hasSize(repetitions);
        return digests;
    }
}
