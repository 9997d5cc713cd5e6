package io.github.backprop4j.module;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The jar as a module: a small application ({@code src/test/modular-app}) whose descriptor says only
 * {@code requires io.github.backprop4j;} is compiled and run on the module path, on the JDK that runs the build and on
 * the newest JDK installed beside it, with and without {@code --add-modules jdk.incubator.vector}. It must start (SLF4J
 * comes with the library), train, reload a model file to the same bits, export ONNX, see the kernels it asked for (a
 * silent fall back to the scalar path is a failure), and find the library's internal packages closed. Runs in the
 * integration-test phase, after the jar is made ({@code mvn verify}).
 */
class ModulePathIT {

    private static final String MAIN = "io.github.backprop4j.demo/io.github.backprop4j.demo.ModularApp";

    @TempDir
    static Path work;

    private static Path compiled;

    @BeforeAll
    static void compileTheApplication() throws Exception {
        compiled = work.resolve("app");
        Ran javac = run(List.of(tool(currentJdk(), "javac"), "-Xlint:-options", "-d", compiled.toString(),
                "--module-path", modulePath(false), "--release", "17",
                appSource("module-info.java"), appSource("io/github/backprop4j/demo/ModularApp.java")), work);
        assertThat(javac.exitValue()).as("javac of the modular application:%n%s", javac.output()).isZero();
    }

    static Stream<Path> jdks() {
        List<Path> jdks = new ArrayList<>(List.of(currentJdk()));
        newestJdkBeside(currentJdk()).ifPresent(jdks::add);
        return jdks.stream();
    }

    @ParameterizedTest(name = "{0} with no option: scalar kernels, everything else works")
    @MethodSource("jdks")
    void runsOnTheModulePathWithoutTheFlag(Path jdk) throws Exception {
        Map<String, String> facts = runApplication(jdk, List.of());

        assertThat(facts.get("kernels")).startsWith("scalar");
        assertThat(facts.get("doubleKernels")).startsWith("scalar");
        assertWorks(facts);
        // A full JDK resolves java.desktop anyway: java.base uses a service that it provides.
        assertThat(facts.get("png")).startsWith("written ");
    }

    @ParameterizedTest(name = "{0} with --add-modules jdk.incubator.vector,java.desktop: vector kernels, PNG charts")
    @MethodSource("jdks")
    void runsTheVectorKernelsOnTheModulePathWithTheFlag(Path jdk) throws Exception {
        Map<String, String> facts = runApplication(jdk, List.of("--add-modules", "jdk.incubator.vector,java.desktop"));

        assertThat(facts.get("vectorized")).isEqualTo("true");
        assertThat(facts.get("kernels")).startsWith("vector");
        assertThat(facts.get("doubleKernels")).startsWith("vector");
        assertWorks(facts);
        assertThat(facts.get("png")).startsWith("written ");
    }

    @Test
    void withoutJava2dAsInAnImageLinkedWithoutItPngChartsAreRefusedByNameAndTheRestWorks() throws Exception {
        Map<String, String> facts = runApplication(currentJdk(),
                List.of("--limit-modules", "io.github.backprop4j.demo,org.slf4j.simple"));

        assertThat(facts.get("png")).startsWith("refused").contains("requires java.desktop;");
        assertWorks(facts);
    }

    @Test
    void anApplicationCannotCompileAgainstTheInternalPackages() throws Exception {
        Path src = work.resolve("bad-src");
        Files.createDirectories(src.resolve("bad"));
        Files.writeString(src.resolve("module-info.java"), "module bad { requires io.github.backprop4j; }\n");
        Files.writeString(src.resolve("bad/UsesInternals.java"), "package bad;\n"
                + "public class UsesInternals {\n"
                + "    public static void main(String[] args) {\n"
                + "        io.github.backprop4j.internal.Checks.positive(1, \"n\");\n"
                + "        System.out.println(io.github.backprop4j.math.kernel.FloatKernels.class);\n"
                + "        System.out.println(io.github.backprop4j.train.internal.Runs.class);\n"
                + "    }\n"
                + "}\n");
        Ran javac = run(List.of(tool(currentJdk(), "javac"), "-d", work.resolve("bad-out").toString(),
                "--module-path", modulePath(false), src.resolve("module-info.java").toString(),
                src.resolve("bad/UsesInternals.java").toString()), work);

        String out = javac.output();
        assertThat(javac.exitValue()).as(out).isNotZero();
        assertThat(out).contains("package io.github.backprop4j.internal is declared in module io.github.backprop4j,"
                + " which does not export it");
        assertThat(out).contains("package io.github.backprop4j.math.kernel is declared in module"
                + " io.github.backprop4j, which does not export it");
        assertThat(out).contains("package io.github.backprop4j.train.internal is declared in module"
                + " io.github.backprop4j, which does not export it");
    }

    private static void assertWorks(Map<String, String> facts) {
        assertThat(facts.get("epochs")).startsWith("30 ");
        assertThat(facts.get("reloadedPredictsSameBits")).isEqualTo("true");
        assertThat(Long.parseLong(facts.get("onnxBytes"))).isPositive();
        assertThat(Integer.parseInt(facts.get("svgChars"))).isPositive();
        assertThat(facts.get("internalChecks")).isEqualTo("inaccessible");
        assertThat(facts.get("kernelClass")).isEqualTo("inaccessible");
    }

    private static Map<String, String> runApplication(Path jdk, List<String> options) throws Exception {
        Path out = Files.createTempDirectory(work, "run");
        List<String> command = new ArrayList<>(List.of(tool(jdk, "java")));
        command.addAll(options);
        command.addAll(List.of("--module-path", modulePath(true) + java.io.File.pathSeparator + compiled,
                "-m", MAIN, out.toString()));
        Ran java = run(command, out);
        String text = java.output();
        assertThat(java.exitValue()).as("%s%n%s", command, text).isZero();
        Map<String, String> facts = new LinkedHashMap<>();
        for (String line : text.split("\\R")) {
            int eq = line.indexOf('=');
            if (eq > 0 && line.substring(0, eq).matches("[A-Za-z]+")) {
                facts.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        assertThat(facts).as(text).containsKeys("kernels", "doubleKernels", "vectorized", "epochs",
                "reloadedPredictsSameBits", "onnxBytes", "svgChars", "png", "internalChecks", "kernelClass");
        return facts;
    }

    /** The library's jar and SLF4J's API; with the simple provider too when running, so the library's log shows. */
    private static String modulePath(boolean withProvider) throws Exception {
        List<String> entries = new ArrayList<>();
        entries.add(Path.of(System.getProperty("backprop4j.jar")).toString());
        entries.add(jarOf("org.slf4j.LoggerFactory"));
        if (withProvider) {
            entries.add(jarOf("org.slf4j.simple.SimpleServiceProvider"));
        }
        return String.join(java.io.File.pathSeparator, entries);
    }

    private static String jarOf(String className) throws Exception {
        return Path.of(Class.forName(className).getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
    }

    private static String appSource(String relative) {
        return Path.of(System.getProperty("backprop4j.modularApp")).resolve(relative).toString();
    }

    private static Path currentJdk() {
        return Path.of(System.getProperty("java.home"));
    }

    /** The JDK of the highest major version in the directory that holds {@code jdk}, if it is newer than it. */
    static Optional<Path> newestJdkBeside(Path jdk) {
        Path parent = jdk.toAbsolutePath().getParent();
        int current = major(jdk).orElse(Runtime.version().feature());
        Path best = null;
        int bestMajor = current;
        try (Stream<Path> homes = Files.list(parent)) {
            for (Path home : (Iterable<Path>) homes::iterator) {
                int m = major(home).orElse(0);
                if (m > bestMajor && Files.isExecutable(home.resolve("bin/java"))
                        && Files.isExecutable(home.resolve("bin/javac"))) {
                    best = home;
                    bestMajor = m;
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return Optional.ofNullable(best);
    }

    private static Optional<Integer> major(Path home) {
        try {
            for (String line : Files.readAllLines(home.resolve("release"), StandardCharsets.UTF_8)) {
                if (line.startsWith("JAVA_VERSION=\"")) {
                    String v = line.substring("JAVA_VERSION=\"".length());
                    return Optional.of(Integer.parseInt(v.split("[.\"]")[0]));
                }
            }
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
        return Optional.empty();
    }

    private static String tool(Path jdk, String name) {
        return jdk.resolve("bin").resolve(name).toString();
    }

    /** A finished process: its exit value and its merged standard output and error. */
    private record Ran(int exitValue, String output) {
    }

    private static Ran run(List<String> command, Path dir) throws Exception {
        Path log = Files.createTempFile(work, "out", ".txt");
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("timed out after 5 minutes: " + command);
        }
        return new Ran(p.exitValue(), Files.readString(log));
    }
}
