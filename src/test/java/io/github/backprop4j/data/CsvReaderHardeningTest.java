package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 13, items 2 and 9: label inference is bounded and numeric; byte-order marks and bad UTF-8. */
class CsvReaderHardeningTest {

    @TempDir
    Path folder;

    private static DataSet read(CsvReader reader, String text) throws IOException {
        return reader.read(new StringReader(text));
    }

    @Test
    void aHugeWholeNumberLabelIsRefusedNamingTheColumnLineAndSizes() throws IOException {
        for (String huge : new String[] {"999999999", "20000000", "65536"}) {
            MalformedDataException e = (MalformedDataException) org.assertj.core.api.Assertions.catchThrowable(
                    () -> read(CsvReader.create().labelColumn(1), "1,0\n2," + huge + "\n"));
            assertThat(e).as(huge).isNotNull().hasMessageContaining("line 2, column 2 (index 1)")
                    .hasMessageContaining("up to " + huge).hasMessageContaining("for 2 distinct labels")
                    .hasMessageContaining("classNames");
            assertThat(e.line()).isEqualTo(2);
            assertThat(e.column()).isEqualTo(2);
        }
        // 21 classes for 2 distinct labels is more than ten times; 20 is not.
        assertThatThrownBy(() -> read(CsvReader.create().labelColumn(1), "1,0\n2,20\n"))
                .hasMessageContaining("21 classes");
        assertThat(read(CsvReader.create().labelColumn(1), "1,0\n2,19\n").classNames()).hasSize(20);
        // Named classes still take any index below their count.
        String[] names = new String[30];
        java.util.Arrays.setAll(names, k -> "c" + k);
        assertThat(read(CsvReader.create().labelColumn(1).classNames(names), "1,0\n2,29\n").labels())
                .containsExactly(0, 29);
    }

    @Test
    void labelsThatAreTheSameNumberAreOneClassAndNumbersSortAsNumbers() throws IOException {
        DataSet whole = read(CsvReader.create().labelColumn(1), "1,1\n2,1.0\n3,0\n4,2e0\n");
        assertThat(whole.classNames()).containsExactly("0", "1", "2");
        assertThat(whole.labels()).containsExactly(1, 1, 0, 2);
        DataSet mixed = read(CsvReader.create().labelColumn(1), "1,x\n2,10\n3,2\n4,2.0\n5,-1\n");
        assertThat(mixed.classNames()).containsExactly("-1", "2", "10", "x");
        assertThat(mixed.labels()).containsExactly(3, 2, 1, 1, 0);
        DataSet fractions = read(CsvReader.create().labelColumn(1), "1,0.5\n2,10\n3,2.25\n");
        assertThat(fractions.classNames()).containsExactly("0.5", "2.25", "10");
    }

    @Test
    void aByteOrderMarkIsNotPartOfTheFirstCell() throws IOException {
        byte[] bytes = "\uFEFFa,b,c\n1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8);
        DataSet byName = CsvReader.create().header(true).labelColumn("a").read(new ByteArrayInputStream(bytes));
        assertThat(byName.classNames()).containsExactly("0", "1", "2", "3");
        assertThat(byName.labels()).containsExactly(1, 3);
        Path file = folder.resolve("bom.csv");
        Files.write(file, "\uFEFF1,2,0\n3,4,1\n".getBytes(StandardCharsets.UTF_8));
        DataSet data = CsvReader.create().labelColumn(2).read(file);
        assertThat(data.features().get(0, 0)).isEqualTo(1.0);
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedNamingTheFileAndLine() throws IOException {
        byte[] latin1 = "1,2,0\n3,4,1\n5,6,caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1);
        Path file = folder.resolve("latin1.csv");
        Files.write(file, latin1);
        assertThatThrownBy(() -> CsvReader.create().labelColumn(2).read(file))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("latin1.csv: the bytes after line 0")
                .hasMessageContaining("not valid UTF-8");
        assertThatThrownBy(() -> CsvReader.create().labelColumn(2).read(new ByteArrayInputStream(latin1)))
                .isInstanceOf(MalformedDataException.class).hasMessageContaining("input: the bytes after line");
    }
}
