package io.github.backprop4j.train;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link ProgressListener#standardOutputIsTerminal()} in forked JVMs: this test's own JDK (17, where a console
 * exists only on a terminal) and, when one is installed, a JDK 22 or later (where {@code Console.isTerminal()}
 * decides, found reflectively), each with its output piped (no terminal) and, where the {@code script} tool of
 * util-linux can give it a pseudo-terminal, on a terminal. A JDK 22+ is looked for in {@code -Dbackprop4j.jdk22}
 * (a JDK's home), then under {@code /usr/lib/jvm}; without one, or without {@code script}, those cases are skipped.
 */
class TerminalDetectionTest {

    @Test
    void thisJdkSeesNoTerminalWhenItsOutputIsPiped() throws Exception {
        assertThat(probe(currentJava(), false)).endsWith(" terminal=false");
    }

    @Test
    void thisJdkSeesATerminalOnAPseudoTerminal() throws Exception {
        assumeScript();
        assertThat(probe(currentJava(), true)).endsWith(" terminal=true");
    }

    @Test
    void jdk22OrLaterAsksConsoleIsTerminalAndSeesNoTerminalWhenPiped() throws Exception {
        Path java = jdk22().orElse(null);
        Assumptions.assumeTrue(java != null, "no JDK 22 or later found (-Dbackprop4j.jdk22 or /usr/lib/jvm)");
        String piped = probe(java, false);
        assertThat(piped).contains("isTerminalMethod=true").endsWith(" terminal=false");
    }

    @Test
    void jdk22OrLaterSeesATerminalThroughConsoleIsTerminal() throws Exception {
        Path java = jdk22().orElse(null);
        Assumptions.assumeTrue(java != null, "no JDK 22 or later found (-Dbackprop4j.jdk22 or /usr/lib/jvm)");
        assumeScript();
        // A console exists and has isTerminal(), so the decision came through the reflective call.
        assertThat(probe(java, true)).isEqualTo("console=true isTerminalMethod=true terminal=true");
    }

    /** Runs {@link TerminalProbe} with {@code java}, piped or under {@code script}, and returns its line. */
    private static String probe(Path java, boolean terminal) throws IOException, InterruptedException {
        String classpath = location(ProgressListener.class) + File.pathSeparator + location(TerminalProbe.class);
        List<String> command = new ArrayList<>(List.of(java.toString(), "-cp", classpath,
                TerminalProbe.class.getName()));
        if (terminal) {
            command = List.of("script", "-qec", String.join(" ", command.stream().map(TerminalDetectionTest::quoted)
                    .toList()), "/dev/null");
        }
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the probe ends").isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("exit of %s, which printed: %s", command, text).isZero();
        return text.lines().filter(l -> l.startsWith("console=")).reduce((a, b) -> b).orElse(text).strip();
    }

    private static String quoted(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    private static String location(Class<?> type) {
        try {
            return Paths.get(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (java.net.URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path currentJava() {
        return Paths.get(System.getProperty("java.home"), "bin", "java");
    }

    private static void assumeScript() throws InterruptedException {
        boolean found;
        try {
            Process p = new ProcessBuilder("script", "-qec", "true", "/dev/null").redirectErrorStream(true).start();
            p.getOutputStream().close();
            p.getInputStream().readAllBytes();
            found = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            found = false;
        }
        Assumptions.assumeTrue(found, "no working 'script' (util-linux) to give the probe a pseudo-terminal");
    }

    /** The {@code java} of a JDK 22 or later: {@code -Dbackprop4j.jdk22}, else the newest under /usr/lib/jvm. */
    private static Optional<Path> jdk22() throws IOException {
        String given = System.getProperty("backprop4j.jdk22");
        List<Path> homes = new ArrayList<>();
        if (given != null && !given.isBlank()) {
            homes.add(Paths.get(given));
        } else if (Files.isDirectory(Paths.get("/usr/lib/jvm"))) {
            try (Stream<Path> listed = Files.list(Paths.get("/usr/lib/jvm"))) {
                listed.sorted().forEach(homes::add);
            }
        }
        Path best = null;
        int bestVersion = 0;
        for (Path home : homes) {
            int version = featureVersion(home);
            Path java = home.resolve("bin").resolve("java");
            if (version >= 22 && version > bestVersion && Files.isExecutable(java)) {
                best = java;
                bestVersion = version;
            }
        }
        return Optional.ofNullable(best);
    }

    /** The feature version in a JDK's {@code release} file ({@code JAVA_VERSION="25.0.1"} is 25), 0 if none. */
    private static int featureVersion(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return 0;
        }
        for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
            if (line.startsWith("JAVA_VERSION=")) {
                String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                String feature = v.split("[.+-]")[0];
                try {
                    return Integer.parseInt(feature);
                } catch (NumberFormatException e) {
                    return 0;
                }
            }
        }
        return 0;
    }
}
