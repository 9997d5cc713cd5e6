package io.github.backprop4j.train;

import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/**
 * The MNIST digits for the benchmarks, read from IDX files (gzipped) in the directory given by the system
 * property {@code mnist.dir} (default {@code src/test/resources/data/mnist}): pixels scaled to [0, 1], labels
 * one-hot. Public for the benchmarks of other packages ({@code io.github.backprop4j.bench}).
 */
public final class Mnist {

    /** The images, {@code [count × 784]}, pixels in [0, 1]. */
    public final float[][] images;
    /** The labels one-hot, {@code [count × 10]}. */
    public final float[][] labels;

    private Mnist(float[][] images, float[][] labels) {
        this.images = images;
        this.labels = labels;
    }

    /**
     * Reads the training files of the directory {@code mnist.dir}.
     *
     * @return the digits
     * @throws IllegalStateException if the directory holds no training files
     */
    public static Mnist training() {
        Path dir = Path.of(System.getProperty("mnist.dir", "src/test/resources/data/mnist"));
        try (var listing = Files.list(dir)) {
            Path[] files = listing.map(Path::toString).filter(n -> n.contains("train")).sorted()
                    .map(Path::of).toArray(Path[]::new);
            Path images = null;
            Path labels = null;
            for (Path f : files) {
                if (f.toString().contains("images")) {
                    images = f;
                } else if (f.toString().contains("labels")) {
                    labels = f;
                }
            }
            if (images == null || labels == null) {
                throw new IllegalStateException("no MNIST training files in " + dir + " (set -Dmnist.dir)");
            }
            return new Mnist(readImages(images), readLabels(labels));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DataInputStream open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        return new DataInputStream(new java.io.BufferedInputStream(
                file.toString().endsWith(".gz") ? new GZIPInputStream(in) : in));
    }

    private static float[][] readImages(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            in.readInt();
            int count = in.readInt();
            int size = in.readInt() * in.readInt();
            float[][] x = new float[count][size];
            byte[] row = new byte[size];
            for (int i = 0; i < count; i++) {
                in.readFully(row);
                for (int p = 0; p < size; p++) {
                    x[i][p] = (row[p] & 0xff) / 255f;
                }
            }
            return x;
        }
    }

    private static float[][] readLabels(Path file) throws IOException {
        try (DataInputStream in = open(file)) {
            in.readInt();
            int count = in.readInt();
            float[][] y = new float[count][10];
            for (int i = 0; i < count; i++) {
                y[i][in.readUnsignedByte()] = 1;
            }
            return y;
        }
    }

    /** The samples cut into consecutive batches of the given precision (the last one dropped if short). */
    Matrix[][] batches(int batchSize, Precision precision) {
        int count = images.length / batchSize;
        Matrix[][] out = new Matrix[count][];
        for (int b = 0; b < count; b++) {
            float[][] x = java.util.Arrays.copyOfRange(images, b * batchSize, (b + 1) * batchSize);
            float[][] y = java.util.Arrays.copyOfRange(labels, b * batchSize, (b + 1) * batchSize);
            out[b] = new Matrix[] {Matrix.of(precision, x, "x"), Matrix.of(precision, y, "y")};
        }
        return out;
    }
}
