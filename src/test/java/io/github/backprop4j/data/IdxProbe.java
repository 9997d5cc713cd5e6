package io.github.backprop4j.data;

import java.nio.file.Path;

/**
 * Run in a forked JVM by {@link IdxReaderHardeningTest}: reads one IDX image file and writes the outcome as
 * one line to its standard output: {@code READ <pixels>}, {@code REFUSED <message>}, {@code OOM} or
 * {@code ESCAPED <throwable>}.
 */
public final class IdxProbe {

    private IdxProbe() {
    }

    /**
     * Reads a file.
     *
     * @param args the file
     */
    public static void main(String[] args) {
        String outcome;
        try {
            IdxImages images = IdxReader.readImages(Path.of(args[0]));
            outcome = "READ " + (long) images.count() * images.pixelsPerImage();
        } catch (MalformedDataException e) {
            outcome = "REFUSED " + e.getMessage();
        } catch (OutOfMemoryError e) {
            outcome = "OOM";
        } catch (Throwable e) {
            outcome = "ESCAPED " + e;
        }
        System.out.println(outcome);
    }
}
