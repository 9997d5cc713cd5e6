package io.github.backprop4j.io;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import java.nio.file.Path;

/**
 * Run in a forked JVM by {@link HostileFilesTest}: loads one file and writes the outcome as one line to its
 * standard output, which the test reads: {@code LOADED <ms>}, {@code REFUSED <ms> <message>},
 * {@code ESCAPED <ms> <throwable>} or {@code OOM <ms>}.
 */
public final class LoadProbe {

    private LoadProbe() {
    }

    /**
     * Loads a file.
     *
     * @param args the kind ({@code model}, {@code weights} or {@code checkpoint}) and the file
     */
    public static void main(String[] args) {
        long start = System.nanoTime();
        String outcome;
        try {
            Path file = Path.of(args[1]);
            switch (args[0]) {
                case "model" -> ModelFile.load(file);
                case "weights" -> ModelFile.loadWeights(file, Network.builder().input(3).dense(2, Activation.RELU)
                        .seed(1).build());
                default -> Checkpoint.load(file);
            }
            outcome = "LOADED";
        } catch (ModelFormatException e) {
            outcome = "REFUSED " + e.getMessage();
        } catch (OutOfMemoryError e) {
            outcome = "OOM";
        } catch (Throwable e) {
            outcome = "ESCAPED " + e;
        }
        long ms = (System.nanoTime() - start) / 1_000_000;
        String[] parts = outcome.split(" ", 2);
        System.out.println(parts[0] + " " + ms + (parts.length > 1 ? " " + parts[1] : ""));
    }
}
