package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.backprop4j.math.Precision;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    private static InputStream resource(String name) {
        InputStream in = IdxReaderTest.class.getResourceAsStream("/data/mnist/" + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }

    private static byte[] idx(int magic, int[] dims, int... values) {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream out = new DataOutputStream(bytes);
            out.writeInt(magic);
            for (int d : dims) {
                out.writeInt(d);
            }
            for (int v : values) {
                out.writeByte(v);
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] gzip(byte[] plain) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
            out.write(plain);
        }
        return bytes.toByteArray();
    }

    private static final byte[] TWO_IMAGES = idx(0x803, new int[] {2, 2, 3}, 0, 255, 128, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    private static final byte[] TWO_LABELS = idx(0x801, new int[] {2}, 7, 1);

    @Test
    void theBundledMnistFilesLoad() throws IOException {
        DataSet train;
        DataSet test;
        try (InputStream images = resource("train-8k-images-idx3-ubyte.gz");
                InputStream labels = resource("train-8k-labels-idx1-ubyte.gz")) {
            train = IdxReader.dataSet(images, labels, 10);
        }
        try (InputStream images = resource("test-2k-images-idx3-ubyte.gz");
                InputStream labels = resource("test-2k-labels-idx1-ubyte.gz")) {
            test = IdxReader.dataSet(images, labels, 10);
        }
        assertThat(train.size()).isEqualTo(8000);
        assertThat(test.size()).isEqualTo(2000);
        for (DataSet d : new DataSet[] {train, test}) {
            assertThat(d.featureCount()).isEqualTo(28 * 28);
            assertThat(d.targetCount()).isEqualTo(10);
            assertThat(d.precision()).isEqualTo(Precision.FLOAT32);
            assertThat(d.features().firstWhere(v -> v < 0 || v > 1)).isNull();
            assertThat(d.features().firstWhere(v -> v == 1)).isNotNull();
            int[] perDigit = new int[10];
            for (int y : d.labels()) {
                perDigit[y]++;
            }
            assertThat(Arrays.stream(perDigit).min().getAsInt()).isGreaterThan(d.size() / 20);
        }
    }

    @Test
    void imagesKeepTheirShapeAndUnsignedPixels() throws IOException {
        IdxImages images;
        try (InputStream in = resource("test-2k-images-idx3-ubyte.gz")) {
            images = IdxReader.readImages(in);
        }
        assertThat(images.count()).isEqualTo(2000);
        assertThat(images.rows()).isEqualTo(28);
        assertThat(images.columns()).isEqualTo(28);
        assertThat(Arrays.stream(images.pixels(0)).max().getAsInt()).isBetween(128, 255);
        assertThat(images).hasToString("IdxImages[2000 × 28 × 28]");
    }

    @Test
    void tinyFilesReadTheSamePlainAndGzipped(@TempDir Path dir) throws IOException {
        Path plain = dir.resolve("images.idx");
        Path zipped = dir.resolve("images.idx.not-named-gz");
        Files.write(plain, TWO_IMAGES);
        Files.write(zipped, gzip(TWO_IMAGES));
        for (Path file : new Path[] {plain, zipped}) {
            IdxImages images = IdxReader.readImages(file);
            assertThat(images.count()).isEqualTo(2);
            assertThat(images.rows()).isEqualTo(2);
            assertThat(images.columns()).isEqualTo(3);
            assertThat(images.pixel(0, 0, 1)).isEqualTo(255);
            assertThat(images.pixels(1)).containsExactly(4, 5, 6, 7, 8, 9);
        }
        assertThat(IdxReader.readLabels(new ByteArrayInputStream(gzip(TWO_LABELS)))).containsExactly(7, 1);
        assertThat(IdxReader.readLabels(new ByteArrayInputStream(TWO_LABELS))).containsExactly(7, 1);
        DataSet data = IdxReader.dataSet(new ByteArrayInputStream(TWO_IMAGES), new ByteArrayInputStream(TWO_LABELS),
                10);
        assertThat(data.features(0)[1]).isEqualTo(1.0);
        assertThat(data.features(0)[2]).isEqualTo(128 / 255f);
        assertThat(data.labels()).containsExactly(7, 1);
        assertThat(data.targets(0)[7]).isEqualTo(1.0);
    }

    @Test
    void aBadMagicNumberIsNamed() {
        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(TWO_LABELS)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("0x00000801")
                .hasMessageContaining("label file").hasMessageContaining("0x00000803");
        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream("hello, world".getBytes())))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("bad magic number 0x68656c6c");
        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream(new byte[] {0, 0})))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("too short");
    }

    @Test
    void truncatedDataOrHeaderIsReported() throws IOException {
        byte[] cut = Arrays.copyOf(TWO_IMAGES, TWO_IMAGES.length - 1);
        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(cut)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("truncated")
                .hasMessageContaining("[2, 2, 3] = 12 values").hasMessageContaining("after 11");
        byte[] zippedCut = gzip(cut);
        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(zippedCut)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("truncated");
        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(Arrays.copyOf(TWO_IMAGES, 9))))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("truncated header");
        byte[] extra = Arrays.copyOf(TWO_LABELS, TWO_LABELS.length + 1);
        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream(extra)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("more data than");
    }

    @Test
    void absurdDeclaredSizesFailWithoutAllocatingThem() {
        byte[] huge = idx(0x803, new int[] {2_000_000_000, 28, 28}, 1, 2, 3);
        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(huge)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("2000000000")
                .hasMessageContaining("one Java array");
        // plausible for an array, but the data are not there: the buffer only grows as bytes arrive
        byte[] lying = idx(0x801, new int[] {500_000_000}, 1, 2, 3);
        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream(lying)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("truncated")
                .hasMessageContaining("after 3");
        byte[] negative = idx(0x801, new int[] {-1});
        assertThatThrownBy(() -> IdxReader.readLabels(new ByteArrayInputStream(negative)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("4294967295");
        byte[] zero = idx(0x803, new int[] {1, 0, 28});
        assertThatThrownBy(() -> IdxReader.readImages(new ByteArrayInputStream(zero)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("dimension 2 is 0");
    }

    @Test
    void imagesAndLabelsMustAgree() {
        byte[] threeLabels = idx(0x801, new int[] {3}, 1, 2, 3);
        assertThatThrownBy(() -> IdxReader.dataSet(new ByteArrayInputStream(TWO_IMAGES),
                new ByteArrayInputStream(threeLabels), 10)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("2 images").hasMessageContaining("3 labels");
        assertThatThrownBy(() -> IdxReader.dataSet(new ByteArrayInputStream(TWO_IMAGES),
                new ByteArrayInputStream(TWO_LABELS), 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("image 0 is 7").hasMessageContaining("0..4");
    }
}
