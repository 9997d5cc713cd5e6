package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The bundled {@code data/shop-returns} files are what {@link ShopReturns} writes, and read as it documents. */
class ShopReturnsTest {

    private static String resource(String file) throws IOException {
        try (InputStream in = ShopReturnsTest.class.getResourceAsStream("/data/shop-returns/" + file)) {
            assertThat(in).as("resource data/shop-returns/%s", file).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("\r\n", "\n"); // a CRLF checkout
        }
    }

    @Test
    void theCommittedFilesAreWhatTheGeneratorWrites() throws IOException {
        String[] generated = ShopReturns.generate();

        assertThat(resource("train.csv")).as("train.csv; regenerate as ShopReturns says").isEqualTo(generated[0]);
        assertThat(resource("test.csv")).as("test.csv; regenerate as ShopReturns says").isEqualTo(generated[1]);
        assertThat(generated[0].lines()).hasSize(1 + ShopReturns.TRAIN_ROWS).first().isEqualTo(ShopReturns.HEADER);
        assertThat(generated[1].lines()).hasSize(1 + ShopReturns.TEST_ROWS);
    }

    @Test
    void theReaderGivesEveryValueTheIndexTheGeneratorScoredItBy() throws IOException {
        CsvReader reader = CsvReader.create().header(true).labelColumn("returned")
                .categoryColumns("colour", "city", "product");
        DataSet train = reader.read(new StringReader(resource("train.csv")));
        DataSet test = reader.categories(train.categories()).read(new StringReader(resource("test.csv")));

        // the scores are decorrelated from these indices, so the lists must be in the order the reader learns
        assertThat(train.categories().mapping("colour").values()).isEqualTo(ShopReturns.COLOURS);
        assertThat(train.categories().mapping("city").values()).isEqualTo(ShopReturns.CITIES);
        assertThat(train.categories().mapping("product").values()).isEqualTo(ShopReturns.PRODUCTS);
        assertThat(train.numericFeatureCount()).isEqualTo(2);
        assertThat(train.classNames()).isEqualTo(List.of("no", "yes"));
        assertThat(test.size()).isEqualTo(ShopReturns.TEST_ROWS);
        long returned = java.util.Arrays.stream(train.labels()).filter(k -> k == 1).count();
        assertThat(returned).as("orders returned of %s", train.size()).isBetween(600L, 1000L);
    }
}
