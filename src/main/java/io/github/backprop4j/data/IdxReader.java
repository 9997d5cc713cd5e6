package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the IDX format of the MNIST database: a big-endian header (two zero bytes, a type byte {@code 0x08}
 * for unsigned bytes, the number of dimensions; then each dimension as a 32-bit integer) followed by the
 * values, the last dimension varying fastest. Images are magic {@code 0x00000803} ({@code count × rows ×
 * columns}), labels {@code 0x00000801} ({@code count}). Files may be plain or gzip-compressed; gzip is
 * recognised by its first two bytes, {@code 1f 8b}, not by the file name.
 *
 * <pre>{@code
 * DataSet train = IdxReader.dataSet(Path.of("train-images-idx3-ubyte.gz"),
 *         Path.of("train-labels-idx1-ubyte.gz"), 10);     // pixels / 255, one-hot targets [n × 10]
 * }</pre>
 *
 * <p>A malformed file raises {@link MalformedDataException} naming the source and the fault: a bad magic
 * number, a truncated header or data, data beyond the declared size, gzip data that are corrupt or cut short,
 * or dimensions that are absurd (zero, more values than a Java array holds, or more than this JVM's heap has
 * free for reading them: one and a half times the declared bytes, since the first half of the data is read
 * in 256 KB chunks as it arrives and then copied into one array of the exact size, which takes the rest).
 * Declared sizes are never trusted for more than twice the bytes that have arrived, so neither a forged
 * header nor a gzip bomb can cause an {@link OutOfMemoryError}.
 */
public final class IdxReader {

    /** The magic number of an IDX file of unsigned-byte images, {@code count × rows × columns}. */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** The magic number of an IDX file of unsigned-byte labels, {@code count}. */
    public static final int LABELS_MAGIC = 0x00000801;

    private static final int MAX_ARRAY = Integer.MAX_VALUE - 8;
    private static final int CHUNK = 1 << 18;

    private IdxReader() {
    }

    // ------------------------------------------------------------------ images

    /**
     * Reads an IDX image file, plain or gzip.
     *
     * @param file the file
     * @return the images
     * @throws MalformedDataException if the file is not a well-formed IDX image file
     * @throws IOException if it cannot be read
     */
    public static IdxImages readImages(Path file) throws IOException {
        Checks.notNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return readImages(in, String.valueOf(file.getFileName()));
        }
    }

    /**
     * Reads an IDX image stream, plain or gzip, to its end; does not close it.
     *
     * @param in the stream
     * @return the images
     * @throws MalformedDataException if the data are not a well-formed IDX image file
     * @throws IOException if the stream cannot be read
     */
    public static IdxImages readImages(InputStream in) throws IOException {
        Checks.notNull(in, "in");
        return readImages(in, "images");
    }

    private static IdxImages readImages(InputStream raw, String source) throws IOException {
        DataInputStream in = open(raw, source);
        int[] dims = header(in, source, IMAGES_MAGIC, "image");
        byte[] pixels = values(in, source, dims);
        return new IdxImages(dims[0], dims[1], dims[2], pixels);
    }

    // ------------------------------------------------------------------ labels

    /**
     * Reads an IDX label file, plain or gzip.
     *
     * @param file the file
     * @return the labels, each 0..255
     * @throws MalformedDataException if the file is not a well-formed IDX label file
     * @throws IOException if it cannot be read
     */
    public static int[] readLabels(Path file) throws IOException {
        Checks.notNull(file, "file");
        try (InputStream in = Files.newInputStream(file)) {
            return readLabels(in, String.valueOf(file.getFileName()));
        }
    }

    /**
     * Reads an IDX label stream, plain or gzip, to its end; does not close it.
     *
     * @param in the stream
     * @return the labels, each 0..255
     * @throws MalformedDataException if the data are not a well-formed IDX label file
     * @throws IOException if the stream cannot be read
     */
    public static int[] readLabels(InputStream in) throws IOException {
        Checks.notNull(in, "in");
        return readLabels(in, "labels");
    }

    private static int[] readLabels(InputStream raw, String source) throws IOException {
        DataInputStream in = open(raw, source);
        int[] dims = header(in, source, LABELS_MAGIC, "label");
        byte[] bytes = values(in, source, dims);
        int[] labels = new int[bytes.length];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = bytes[i] & 0xff;
        }
        return labels;
    }

    // ------------------------------------------------------------------ data sets

    /**
     * Reads images and their labels into a classification data set: one row of {@code rows · columns}
     * features per image, each pixel scaled to {@code [0, 1]} as {@code p / 255}, stored as floats; targets
     * one-hot.
     *
     * @param images the IDX image file
     * @param labels the IDX label file
     * @param classCount the number of classes, e.g. 10 for digits
     * @return the data set, with labels
     * @throws MalformedDataException if a file is malformed, or the files hold different numbers of items
     * @throws IOException if a file cannot be read
     * @throws IllegalArgumentException if a label is not below {@code classCount}, naming the image, or if the
     *     features ({@code 4} bytes a pixel) need more memory than this JVM's heap has free
     */
    public static DataSet dataSet(Path images, Path labels, int classCount) throws IOException {
        Checks.notNull(images, "images");
        Checks.notNull(labels, "labels");
        Checks.positive(classCount, "classCount");
        return dataSet(readImages(images), String.valueOf(images.getFileName()), readLabels(labels),
                String.valueOf(labels.getFileName()), classCount);
    }

    /**
     * Reads images and their labels from streams; see {@link #dataSet(Path, Path, int)}. Does not close them.
     *
     * @param images the IDX image stream
     * @param labels the IDX label stream
     * @param classCount the number of classes, e.g. 10 for digits
     * @return the data set, with labels
     * @throws MalformedDataException if a stream is malformed, or they hold different numbers of items
     * @throws IOException if a stream cannot be read
     * @throws IllegalArgumentException if a label is not below {@code classCount}, naming the image, or if the
     *     features need more memory than this JVM's heap has free
     */
    public static DataSet dataSet(InputStream images, InputStream labels, int classCount) throws IOException {
        Checks.notNull(images, "images");
        Checks.notNull(labels, "labels");
        Checks.positive(classCount, "classCount");
        return dataSet(readImages(images), "images", readLabels(labels), "labels", classCount);
    }

    /**
     * Pairs images with labels; see {@link #dataSet(Path, Path, int)}.
     *
     * @param images the images
     * @param labels one label per image
     * @param classCount the number of classes
     * @return the data set, pixels scaled to {@code [0, 1]}
     * @throws IllegalArgumentException if the counts differ or a label is not below {@code classCount}
     */
    public static DataSet dataSet(IdxImages images, int[] labels, int classCount) {
        Checks.notNull(images, "images");
        Checks.notNull(labels, "labels");
        try {
            return dataSet(images, "images", labels, "labels", classCount);
        } catch (MalformedDataException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    private static DataSet dataSet(IdxImages images, String imageSource, int[] labels, String labelSource,
            int classCount) throws MalformedDataException {
        Checks.positive(classCount, "classCount");
        if (images.count() != labels.length) {
            throw new MalformedDataException(imageSource + " holds " + images.count() + " images but " + labelSource
                    + " holds " + labels.length + " labels");
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= classCount) {
                throw new IllegalArgumentException(labelSource + ": the label of image " + i + " is " + labels[i]
                        + " but must be in 0.." + (classCount - 1) + " for " + classCount + " classes");
            }
        }
        byte[] pixels = images.storage();
        int width = images.pixelsPerImage();
        Checks.fitsInHeap(4L * images.count() * width, imageSource + ": the float32 features of " + images.count()
                + " images of " + width + " pixels");
        Matrix x = Matrix.zeros(Precision.FLOAT32, images.count(), width);
        for (int i = 0; i < images.count(); i++) {
            for (int j = 0; j < width; j++) {
                int p = pixels[i * width + j] & 0xff;
                if (p != 0) {
                    x.set(i, j, p / 255f);
                }
            }
        }
        return DataSet.withOneHotTargets(x, labels, classCount);
    }

    // ------------------------------------------------------------------ format

    private static DataInputStream open(InputStream raw, String source) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw, 1 << 16);
        in.mark(2);
        int b0 = in.read();
        int b1 = in.read();
        in.reset();
        boolean gzip = b0 == 0x1f && b1 == 0x8b;
        if (!gzip) {
            return new DataInputStream(in);
        }
        GZIPInputStream unzipped;
        try {
            unzipped = new GZIPInputStream(in, 1 << 16);
        } catch (EOFException | ZipException e) {
            throw corruptGzip(source, e);
        }
        return new DataInputStream(new BufferedInputStream(new GzipErrors(unzipped, source), 1 << 16));
    }

    private static MalformedDataException corruptGzip(String source, IOException e) {
        MalformedDataException m = new MalformedDataException(source + ": the gzip data are "
                + (e instanceof EOFException ? "cut short (the compressed file ends early: " + e.getMessage() + ")"
                        : "corrupt (" + e.getMessage() + ")"));
        m.initCause(e);
        return m;
    }

    /** Reports a truncated or corrupt gzip stream as a {@link MalformedDataException} naming the source. */
    private static final class GzipErrors extends FilterInputStream {
        private final String source;

        GzipErrors(InputStream in, String source) {
            super(in);
            this.source = source;
        }

        @Override
        public int read() throws IOException {
            try {
                return super.read();
            } catch (EOFException | ZipException e) {
                throw corruptGzip(source, e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return super.read(b, off, len);
            } catch (EOFException | ZipException e) {
                throw corruptGzip(source, e);
            }
        }
    }

    /** Reads and checks the magic number and dimensions; returns the dimensions. */
    private static int[] header(DataInputStream in, String source, int expectedMagic, String kind)
            throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new MalformedDataException(source + ": too short for an IDX file: it ends within the 4-byte"
                    + " magic number");
        }
        if (magic != expectedMagic) {
            String other = magic == IMAGES_MAGIC ? " (it is an IDX image file)"
                    : magic == LABELS_MAGIC ? " (it is an IDX label file)"
                    : (magic >>> 16) == 0 ? " (an IDX file of another type or shape)" : "";
            throw new MalformedDataException(source + ": bad magic number " + hex(magic) + other + "; an IDX " + kind
                    + " file starts with " + hex(expectedMagic));
        }
        int[] dims = new int[magic & 0xff];
        long total = 1;
        for (int d = 0; d < dims.length; d++) {
            try {
                dims[d] = in.readInt();
            } catch (EOFException e) {
                throw new MalformedDataException(source + ": truncated header: it ends before dimension " + (d + 1)
                        + " of " + dims.length);
            }
            if (dims[d] < 1) {
                throw new MalformedDataException(source + ": dimension " + (d + 1) + " is " + (dims[d] & 0xffffffffL)
                        + "; every dimension must be at least 1");
            }
            total *= dims[d];
            if (total > MAX_ARRAY) {
                throw new MalformedDataException(source + ": the header declares dimensions "
                        + Arrays.toString(Arrays.copyOf(dims, d + 1)) + ", more than " + MAX_ARRAY
                        + " values, which one Java array cannot hold");
            }
        }
        try {
            // Half the data arrive in chunks, which are then copied into one array of the exact size.
            Checks.fitsInHeap(total + total / 2, source + ": the header declares " + Arrays.toString(dims) + " = "
                    + total + " bytes of data; reading them (half in chunks, then one array of the exact size) would");
        } catch (IllegalArgumentException e) {
            throw new MalformedDataException(e.getMessage());
        }
        return dims;
    }

    /**
     * Reads the declared number of bytes, growing the buffer only as data arrive, and checks that nothing
     * follows them.
     */
    private static byte[] values(DataInputStream in, String source, int[] dims) throws IOException {
        int total = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        // Until half the declared bytes have arrived, they are kept in small chunks (below the size at which
        // G1 treats an array as humongous); then, the data having proven half their size, one array of the
        // exact size takes them and the rest is read straight into it.
        List<byte[]> chunks = new ArrayList<>();
        int filled = 0;
        while (filled < total && (filled < total / 2 || total <= CHUNK)) {
            byte[] chunk = new byte[Math.min(total - filled, CHUNK)];
            int n = in.readNBytes(chunk, 0, chunk.length);
            filled += n;
            if (n < chunk.length) {
                throw truncated(source, dims, total, filled);
            }
            chunks.add(chunk);
        }
        byte[] data;
        if (chunks.size() == 1 && filled == total) {
            data = chunks.get(0);
        } else {
            try {
                data = new byte[total];
            } catch (OutOfMemoryError tooLarge) { // one array failed: the heap is as it was, and can say so
                chunks.clear();
                throw new MalformedDataException(source + ": the header declares " + Arrays.toString(dims) + " = "
                        + total + " bytes of data, and this JVM's heap (maximum " + Runtime.getRuntime().maxMemory()
                        + " bytes) cannot hold them in one array beside the half already read; raise -Xmx");
            }
            for (int i = 0, at = 0; i < chunks.size(); i++) {
                System.arraycopy(chunks.get(i), 0, data, at, chunks.get(i).length);
                at += chunks.get(i).length;
                chunks.set(i, null);
            }
            int n = in.readNBytes(data, filled, total - filled);
            filled += n;
            if (filled < total) {
                throw truncated(source, dims, total, filled);
            }
        }
        if (in.read() >= 0) {
            throw new MalformedDataException(source + ": more data than the header declares: "
                    + Arrays.toString(dims) + " = " + total + " values, then further bytes");
        }
        return data;
    }

    private static MalformedDataException truncated(String source, int[] dims, int total, int filled) {
        return new MalformedDataException(source + ": truncated: the header declares " + Arrays.toString(dims)
                + " = " + total + " values but the data end after " + filled);
    }

    private static String hex(int value) {
        return String.format("0x%08x", value);
    }
}
