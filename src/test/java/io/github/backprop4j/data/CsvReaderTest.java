package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.backprop4j.math.Precision;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

    private static final String FLOWERS = """
            sepal length,sepal width,species
            5.1,3.5,setosa
            7.0,3.2,versicolor

            6.3,3.3,virginica
            4.9,3.0,setosa
            """;

    private static DataSet read(CsvReader reader, String text) throws IOException {
        return reader.read(new StringReader(text));
    }

    @Test
    void readsTheBundledIrisFileBySkippingItsCountLine() throws IOException {
        DataSet iris;
        try (InputStream in = getClass().getResourceAsStream("/data/iris/iris.csv")) {
            iris = CsvReader.create().skipLines(1).labelColumn(4).classNames("setosa", "versicolor", "virginica")
                    .read(in);
        }
        assertThat(iris.size()).isEqualTo(150);
        assertThat(iris.featureCount()).isEqualTo(4);
        assertThat(iris.classNames()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(iris.features(0)).containsExactly(5.1, 3.5, 1.4, 0.2);
        assertThat(iris.label(0)).isZero();
        assertThat(iris.label(149)).isEqualTo(2);
        int[] perClass = new int[3];
        for (int y : iris.labels()) {
            perClass[y]++;
        }
        assertThat(perClass).containsExactly(50, 50, 50);
    }

    @Test
    void headerNamesChooseColumnsAndClassNamesAreSortedAndReported() throws IOException {
        DataSet data = read(CsvReader.create().header(true).featureColumns("sepal width", "sepal length")
                .labelColumn("species"), FLOWERS);
        assertThat(data.size()).isEqualTo(4);
        assertThat(data.features(0)).containsExactly(3.5, 5.1);
        assertThat(data.classNames()).containsExactly("setosa", "versicolor", "virginica");
        assertThat(data.labels()).containsExactly(0, 1, 2, 0);
        assertThat(data.targets(1)).containsExactly(0, 1, 0);
    }

    @Test
    void withoutFeatureColumnsEveryOtherColumnIsAFeature() throws IOException {
        DataSet data = read(CsvReader.create().header(true).labelColumn(2), FLOWERS);
        assertThat(data.featureCount()).isEqualTo(2);
        assertThat(data.features(1)).containsExactly(7.0, 3.2);
    }

    @Test
    void integerLabelsAreClassIndicesAndGivenClassNamesAcceptNamesOrIndices() throws IOException {
        DataSet data = read(CsvReader.create().labelColumn(0), "2,1.5\n0,2.5\n");
        assertThat(data.classNames()).containsExactly("0", "1", "2");
        assertThat(data.labels()).containsExactly(2, 0);
        DataSet mixed = read(CsvReader.create().labelColumn(0).classNames("no", "yes"), "yes,1\n0,2\nno,3\n");
        assertThat(mixed.labels()).containsExactly(1, 0, 0);
        MalformedDataException e = catchThrowableOfType(MalformedDataException.class,
                () -> read(CsvReader.create().labelColumn(0).classNames("no", "yes"), "yes,1\nmaybe,2\n"));
        assertThat(e).hasMessageContaining("line 2, column 1").hasMessageContaining("\"maybe\"")
                .hasMessageContaining("[no, yes]");
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.column()).isEqualTo(1);
    }

    @Test
    void targetColumnsGiveARegressionDataSetInTheChosenPrecisionAndDelimiter() throws IOException {
        DataSet data = read(CsvReader.create().delimiter(';').targetColumns(0, 2).precision(Precision.FLOAT32),
                "1;2;3\n4;5;6e1\n");
        assertThat(data.hasLabels()).isFalse();
        assertThat(data.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(data.featuresAsArray()).isEqualTo(new double[][] {{2}, {5}});
        assertThat(data.targetsAsArray()).isEqualTo(new double[][] {{1, 3}, {4, 60}});
    }

    @Test
    void quotedFieldsMayHoldTheDelimiter() throws IOException {
        DataSet data = read(CsvReader.create().header(true).labelColumn("kind"),
                "\"x, in cm\",kind\n\" 1.5 \",\"a, \"\"quoted\"\" b\"\n2,c\n");
        assertThat(data.classNames()).containsExactly("a, \"quoted\" b", "c");
        assertThat(data.features(0)).containsExactly(1.5);
    }

    @Test
    void aBadNumberNamesLineColumnAndHeaderName(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("flowers.csv");
        Files.writeString(file, FLOWERS.replace("3.2", "3,2x").replace("7.0,3,2x", "7.0,3.2x"),
                StandardCharsets.UTF_8);
        MalformedDataException e = catchThrowableOfType(MalformedDataException.class,
                () -> CsvReader.create().header(true).labelColumn("species").read(file));
        assertThat(e).hasMessage("flowers.csv: line 3, column 2 (index 1, \"sepal width\"): \"3.2x\" is not a"
                + " number");
        assertThat(e.line()).isEqualTo(3);
        assertThat(e.column()).isEqualTo(2);
        for (String bad : new String[] {"NaN", "Infinity", "1f", "0x10", "", "1e999"}) {
            assertThatThrownBy(() -> read(CsvReader.create().labelColumn(1), "1,0\n" + bad + ",1\n"))
                    .as(bad).isInstanceOf(MalformedDataException.class).hasMessageContaining("line 2, column 1");
        }
    }

    @Test
    void aRaggedLineIsNamedWithTheLineItDisagreesWith() {
        assertThatThrownBy(() -> read(CsvReader.create().skipLines(1).labelColumn(2), "junk\n1,2,0\n3,4,1\n5,1\n"))
                .isInstanceOf(MalformedDataException.class)
                .hasMessage("input: line 4 has 2 columns but line 2 has 3");
    }

    @Test
    void missingColumnsAreNamed() {
        assertThatThrownBy(() -> read(CsvReader.create().header(true).labelColumn("colour"), FLOWERS))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("no column named \"colour\"")
                .hasMessageContaining("line 1").hasMessageContaining("[sepal length, sepal width, species]");
        assertThatThrownBy(() -> read(CsvReader.create().labelColumn(5), "1,2\n"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("labelColumn")
                .hasMessageContaining("index 5").hasMessageContaining("2 columns");
        assertThatThrownBy(() -> read(CsvReader.create().labelColumn("species"), FLOWERS))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("header(true)");
        assertThatThrownBy(() -> read(CsvReader.create(), FLOWERS)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("labelColumn");
        assertThatThrownBy(() -> read(CsvReader.create().labelColumn(0).featureColumns(0, 1), "1,2\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("column 0");
    }

    @Test
    void emptyOrTooShortInputsAreReported() {
        assertThatThrownBy(() -> read(CsvReader.create().header(true).labelColumn(0), "a,b\n\n"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("no data lines");
        assertThatThrownBy(() -> read(CsvReader.create().skipLines(3).labelColumn(0), "a\n"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("only 1 lines");
        assertThatThrownBy(() -> read(CsvReader.create().labelColumn(0), "1,\"open\n"))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("not closed");
        assertThatThrownBy(() -> CsvReader.create().skipLines(-1)).hasMessageContaining("-1");
        assertThatThrownBy(() -> CsvReader.create().featureColumns(-2)).hasMessageContaining("-2");
    }
}
