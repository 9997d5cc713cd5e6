package io.github.backprop4j.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.github.backprop4j.math.Precision;
import java.io.IOException;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class CategoricalCsvTest {

    private static final String TRAIN = """
            size,color,weight,city,bought
            1.5,red,10,Lyon,yes
            2.5,blue,20,"Zürich, Altstadt",no
            3.5,red,30,Lyon,no
            4.5,green,40,Bern,yes
            """;

    private static DataSet read(CsvReader reader, String text) throws IOException {
        return reader.read(new StringReader(text));
    }

    private static CsvReader trainReader() {
        return CsvReader.create().header(true).labelColumn("bought").categoryColumns("color", "city");
    }

    // ------------------------------------------------------------------ mappings

    @Test
    void learntValuesAreSortedNumbersFirstInNumericOrderThenTextWhateverTheRowOrder() {
        List<String> observed = List.of("b", "10", "a", "2", "", "1.0", "1", "-3", "B", "a", "2");
        CategoryMapping m = CategoryMapping.learn("x", observed);
        assertThat(m.values()).containsExactly("-3", "1", "1.0", "2", "10", "", "B", "a", "b");
        List<String> reversed = new ArrayList<>(observed);
        Collections.reverse(reversed);
        assertThat(CategoryMapping.learn("x", reversed)).isEqualTo(m);
        assertThat(m.indexOf("10")).isEqualTo(4);
        assertThat(m.indexOf("")).isEqualTo(5);
        assertThat(m.value(8)).isEqualTo("b");
        assertThat(m.cardinality()).isEqualTo(9);
        assertThat(m.unknownIndex()).isEmpty();
    }

    @Test
    void ofKeepsTheGivenOrderAndRefusesRepeatsAndEmptiness() {
        CategoryMapping m = CategoryMapping.of("color", List.of("red", "blue"));
        assertThat(m.indexOf("red")).isZero();
        assertThat(m.indexOf("blue")).isEqualTo(1);
        assertThatThrownBy(() -> CategoryMapping.of("color", List.of("red", "blue", "red")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column \"color\"").hasMessageContaining("\"red\" is both value 0 and value 2");
        assertThatThrownBy(() -> CategoryMapping.of("color", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least one value");
    }

    @Test
    void anUnknownValueNamesTheColumnTheValueAndHowManyAreKnown() {
        CategoryMapping m = CategoryMapping.learn("color", List.of("red", "blue", "green"));
        assertThatThrownBy(() -> m.indexOf("purple"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("column \"color\": unknown value \"purple\"; the 3 known values are"
                        + " [\"blue\", \"green\", \"red\"]");
        assertThat(m.contains("purple")).isFalse();
        assertThatThrownBy(() -> m.value(3)).isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessageContaining("3 indices, 0..2");
    }

    @Test
    void anUnknownBucketIsTheLastIndexAndCountsInTheCardinality() {
        CategoryMapping m = CategoryMapping.learn("color", List.of("red", "blue")).withUnknownBucket();
        assertThat(m.cardinality()).isEqualTo(3);
        assertThat(m.indexOf("purple")).isEqualTo(2);
        assertThat(m.indexOf("red")).isEqualTo(1);
        assertThat(m.unknownIndex()).hasValue(2);
        assertThat(m.contains("purple")).isFalse();
        assertThatThrownBy(() -> m.value(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown bucket");
        assertThat(m).isNotEqualTo(CategoryMapping.learn("color", List.of("red", "blue")));
    }

    @Test
    void categoriesReportCardinalitiesInColumnOrderAndFindColumnsByName() {
        Categories c = Categories.of(CategoryMapping.learn("color", List.of("red", "blue", "green")),
                CategoryMapping.learn("city", List.of("Lyon", "Bern")).withUnknownBucket());
        assertThat(c.cardinalities()).containsExactly(3, 3);
        assertThat(c.columnNames()).containsExactly("color", "city");
        assertThat(c.mapping("city").indexOf("Bern")).isZero();
        assertThat(c.indicesOf("green", "Paris")).containsExactly(1, 2);
        assertThat(c.toString()).isEqualTo("Categories[color: 3, city: 3]");
        assertThatThrownBy(() -> c.mapping("size")).hasMessageContaining("\"size\"")
                .hasMessageContaining("[color, city]");
        assertThatThrownBy(() -> c.indicesOf("red")).hasMessageContaining("is 1")
                .hasMessageContaining("is 2");
        assertThatThrownBy(() -> Categories.of(CategoryMapping.learn("a", List.of("x")),
                CategoryMapping.learn("a", List.of("y")))).hasMessageContaining("both named \"a\"");
        assertThat(Categories.none().cardinalities()).isEmpty();
        assertThat(Categories.of(List.of())).isSameAs(Categories.none());
    }

    // ------------------------------------------------------------------ string form

    @Test
    void jsonRoundTripsCommasQuotesUnicodeControlCharactersAndEmptyStrings() {
        Categories c = Categories.of(
                CategoryMapping.of("na,me \"q\"", List.of("a,b", "say \"hi\"", "", "back\\slash", "Zürich",
                        "日本", "emoji \uD83D\uDE00", "tab\tnew\nline\u0001", "lone \uD800 surrogate", "/")),
                CategoryMapping.of("", List.of("1", "1.0")).withUnknownBucket());
        String json = c.toJson();
        assertThat(json).doesNotContain("\n").doesNotContain("\t").startsWith("{\"columns\":[{\"name\":");
        assertThat(json).contains("\"lone \\ud800 surrogate\"").contains("\uD83D\uDE00");
        Categories back = Categories.fromJson(json);
        assertThat(back).isEqualTo(c);
        assertThat(back.mapping(0).values()).isEqualTo(c.mapping(0).values());
        assertThat(back.mapping(1).hasUnknownBucket()).isTrue();
        assertThat(Categories.fromJson(Categories.none().toJson())).isSameAs(Categories.none());
    }

    @Test
    void jsonIsTheDocumentedShapeAndReadsWhitespaceKeyOrderAndEscapes() {
        Categories c = Categories.of(CategoryMapping.of("color", List.of("blue", "red")));
        assertThat(c.toJson())
                .isEqualTo("{\"columns\":[{\"name\":\"color\",\"values\":[\"blue\",\"red\"],"
                        + "\"unknown_bucket\":false}]}");
        Categories read = Categories.fromJson("""
                 { "columns" : [ { "values" : [ "bl\\u0075e" , "r\\/ed" ] ,
                   "name" : "color" } ] }
                """);
        assertThat(read.mapping(0).values()).containsExactly("blue", "r/ed");
        assertThat(read.mapping(0).hasUnknownBucket()).isFalse();
    }

    @Test
    void badJsonIsRefusedNamingTheOffsetAndWhatWasExpected() {
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[{\"name\":\"a\",\"values\":[\"x\"],"
                + "\"colour\":1}]}")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at character 39").hasMessageContaining("unexpected key \"colour\"");
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[{\"name\":\"a\"}]}"))
                .hasMessageContaining("column 0 lacks \"values\"");
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[{\"name\":\"a\",\"values\":[\"x\",\"x\"]}]}"))
                .hasMessageContaining("column 0: column \"a\": value \"x\" is both value 0 and value 1");
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[]} x"))
                .hasMessageContaining("text after the end");
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[{\"name\":\"a\",\"name\":\"b\"}]}"))
                .hasMessageContaining("\"name\" appears twice");
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[{\"name\":\"a\",\"values\":[\"x\"]"))
                .hasMessageContaining("the end of the text").hasMessageContaining("expected ',' or '}'");
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[{\"name\":\"a\\q\"}]}"))
                .hasMessageContaining("\\q is not a JSON escape");
        assertThatThrownBy(() -> Categories.fromJson("{\"columns\":[{\"name\":\"a\u0001\"}]}"))
                .hasMessageContaining("U+0001");
    }

    // ------------------------------------------------------------------ reading

    @Test
    void numericColumnsComeFirstThenCategoryIndicesInTheDeclaredOrder() throws IOException {
        DataSet data = read(trainReader(), TRAIN);
        assertThat(data.featureCount()).isEqualTo(4);
        assertThat(data.numericFeatureCount()).isEqualTo(2);
        Categories c = data.categories();
        assertThat(c.columnNames()).containsExactly("color", "city");
        assertThat(c.mapping("color").values()).containsExactly("blue", "green", "red");
        assertThat(c.mapping("city").values()).containsExactly("Bern", "Lyon", "Zürich, Altstadt");
        // size, weight, color, city
        assertThat(data.features(0)).containsExactly(1.5, 10, 2, 1);
        assertThat(data.features(1)).containsExactly(2.5, 20, 0, 2);
        assertThat(data.features(3)).containsExactly(4.5, 40, 1, 0);
        assertThat(data.classNames()).containsExactly("no", "yes");

        DataSet reversed = read(CsvReader.create().header(true).labelColumn("bought").categoryColumns("city", "color"),
                TRAIN);
        assertThat(reversed.categories().columnNames()).containsExactly("city", "color");
        assertThat(reversed.features(0)).containsExactly(1.5, 10, 1, 2);
        assertThat(data.toString()).contains("4 features (2 numeric + 2 categorical: color, city)");
    }

    @Test
    void aTestFileReadWithTheTrainingMappingGetsItsIndicesAndRefusesUnknownValuesNamingLineAndColumn()
            throws IOException {
        DataSet train = read(trainReader(), TRAIN);
        CsvReader reader = trainReader().categories(train.categories());
        DataSet test = read(reader, """
                size,color,weight,city,bought
                9,green,1,Lyon,no
                8,red,2,Bern,yes
                """);
        assertThat(test.categories()).isEqualTo(train.categories());
        assertThat(test.features(0)).containsExactly(9, 1, 1, 1);
        assertThat(test.features(1)).containsExactly(8, 2, 2, 0);

        MalformedDataException e = catchThrowableOfType(() -> read(reader, """
                size,color,weight,city,bought
                9,green,1,Lyon,no

                8,purple,2,Bern,yes
                """), MalformedDataException.class);
        assertThat(e).hasMessageStartingWith("input: line 4, column 2 (index 1, \"color\"): unknown value \"purple\";"
                + " the 3 known values are [\"blue\", \"green\", \"red\"]");
        assertThat(e.line()).isEqualTo(4);
        assertThat(e.column()).isEqualTo(2);

        // the mappings alone find their columns by name
        DataSet byNames = read(CsvReader.create().header(true).labelColumn("bought").categories(train.categories()),
                "bought,city,color,size,weight\nno,Lyon,green,9,1\n");
        assertThat(byNames.features(0)).containsExactly(9, 1, 1, 1);
    }

    @Test
    void anUnknownBucketTakesValuesTheTrainingFileLacked() throws IOException {
        DataSet train = read(trainReader().unknownBucket(true), TRAIN);
        assertThat(train.categories().cardinalities()).containsExactly(4, 4);
        DataSet test = read(trainReader().categories(train.categories()), """
                size,color,weight,city,bought
                8,purple,2,Paris,yes
                8,red,2,Bern,yes
                """);
        assertThat(test.features(0)).containsExactly(8, 2, 3, 3);
        assertThat(test.features(1)).containsExactly(8, 2, 2, 0);
    }

    @Test
    void withoutAHeaderColumnsAreChosenByIndexAndNamedByIt() throws IOException {
        DataSet data = read(CsvReader.create().labelColumn(3).categoryColumns(1), """
                1,b,2,0
                3,a,4,1
                """);
        assertThat(data.categories().columnNames()).containsExactly("1");
        assertThat(data.features(0)).containsExactly(1, 2, 1);
        assertThat(data.features(1)).containsExactly(3, 4, 0);
        DataSet test = read(CsvReader.create().labelColumn(3).categoryColumns(1).categories(data.categories()),
                "5,a,6,0\n");
        assertThat(test.features(0)).containsExactly(5, 6, 0);
        assertThatThrownBy(() -> read(CsvReader.create().labelColumn(3).categories(data.categories()), "5,a,6,0\n"))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("header(true)");
    }

    @Test
    void categoryValuesAreTextQuotedOnesExactUnquotedOnesTrimmedAndEmptyIsAValue() throws IOException {
        DataSet data = read(CsvReader.create().header(true).targetColumns("y").categoryColumns("code"), """
                code,y
                 007 ,1
                7,2
                " 7 ",3
                ,4
                "a ""b""\",5
                """);
        assertThat(data.categories().mapping(0).values()).containsExactly("007", "7", "", " 7 ", "a \"b\"");
        assertThat(data.numericFeatureCount()).isZero();
        assertThat(data.featuresAsArray()).isEqualTo(new double[][] {{0}, {1}, {3}, {2}, {4}});
    }

    @Test
    void aMappingOfAnotherColumnOrCountIsRefused() throws IOException {
        DataSet train = read(trainReader(), TRAIN);
        assertThatThrownBy(() -> read(CsvReader.create().header(true).labelColumn("bought").categoryColumns(3, 1)
                .categories(train.categories()), TRAIN)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("line 1, column 4 (index 3, \"city\") but its mapping is of the column"
                        + " \"color\"");
        assertThatThrownBy(() -> read(CsvReader.create().header(true).labelColumn("bought").categoryColumns("color")
                .categories(train.categories()), TRAIN)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("2 mappings [color, city] for the 1 categoryColumns [color]");
        assertThatThrownBy(() -> read(CsvReader.create().header(true).labelColumn("bought")
                .categoryColumns("city", "color").categories(train.categories()), TRAIN))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[color, city]")
                .hasMessageContaining("[city, color]");
    }

    @Test
    void aCategoryColumnCannotAlsoBeAFeatureTheLabelOrMissing() {
        assertThatThrownBy(() -> read(trainReader().featureColumns("size", "color"), TRAIN))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("column 1 is chosen both as a category column and as a numeric feature");
        assertThatThrownBy(() -> read(CsvReader.create().header(true).labelColumn("bought")
                .categoryColumns("bought"), TRAIN)).hasMessageContaining("as the label");
        assertThatThrownBy(() -> read(CsvReader.create().header(true).labelColumn("bought")
                .categoryColumns("colour"), TRAIN)).isInstanceOf(MalformedDataException.class)
                .hasMessageContaining("no column named \"colour\"");
        assertThatThrownBy(() -> CsvReader.create().categoryColumns(1, 2, 1))
                .hasMessageContaining("index 1 is given twice, at positions 0 and 2");
        assertThatThrownBy(() -> CsvReader.create().categoryColumns("a", "a"))
                .hasMessageContaining("distinct");
    }

    @Test
    void float32DataSetsHoldTheSameIndices() throws IOException {
        DataSet data = read(trainReader().precision(Precision.FLOAT32), TRAIN);
        assertThat(data.precision()).isEqualTo(Precision.FLOAT32);
        assertThat(data.features(1)).containsExactly(2.5, 20, 0, 2);
    }

    // ------------------------------------------------------------------ data sets

    @Test
    void splitsSubsetsAndClassNamesKeepTheCategories() throws IOException {
        DataSet data = read(trainReader(), TRAIN);
        DataSet.Split split = data.split(0.5, 3);
        assertThat(split.train().categories()).isEqualTo(data.categories());
        assertThat(split.test().categories()).isEqualTo(data.categories());
        assertThat(split.train().numericFeatureCount()).isEqualTo(2);
        DataSet shuffled = data.subset(new int[] {3, 1, 0, 2});
        assertThat(shuffled.categories()).isEqualTo(data.categories());
        assertThat(shuffled.features(0)).containsExactly(data.features(3));
        assertThat(data.head(2).categories()).isEqualTo(data.categories());
        assertThat(data.withClassNames(List.of("n", "y")).categories()).isEqualTo(data.categories());
        assertThat(data).isNotEqualTo(data.withCategories(Categories.none()));
    }

    @Test
    void withCategoriesChecksThatTheTrailingColumnsAreIndices() {
        DataSet plain = DataSet.ofLabels(new double[][] {{0.5, 2, 0}, {1.5, 1, 1}}, new int[] {0, 1}, 2);
        Categories c = Categories.of(CategoryMapping.of("a", List.of("x", "y", "z")),
                CategoryMapping.of("b", List.of("p", "q")));
        DataSet data = plain.withCategories(c);
        assertThat(data.numericFeatureCount()).isEqualTo(1);
        assertThat(data.categories()).isSameAs(c);
        Categories tooSmall = Categories.of(CategoryMapping.of("a", List.of("x", "y")),
                CategoryMapping.of("b", List.of("p", "q")));
        assertThatThrownBy(() -> plain.withCategories(tooSmall)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("row 0, feature column 1 (categorical column 0, \"a\") holds 2.0")
                .hasMessageContaining("2 indices, 0..1");
        DataSet fraction = DataSet.ofLabels(new double[][] {{0.5}}, new int[] {0}, 1);
        assertThatThrownBy(() -> fraction.withCategories(Categories.of(CategoryMapping.of("a", List.of("x")))))
                .hasMessageContaining("holds 0.5");
        assertThatThrownBy(() -> fraction.withCategories(c)).hasMessageContaining("2 categorical columns [a, b]")
                .hasMessageContaining("only 1 features");
    }

    // ------------------------------------------------------------------ scaling

    @Test
    void scalersFitAndScaleTheNumericColumnsAndLeaveTheCategoryColumnsAlone() throws IOException {
        DataSet data = read(trainReader(), TRAIN);
        Standardizer standardizer = Standardizer.fit(data);
        assertThat(standardizer.featureCount()).isEqualTo(2);
        assertThat(standardizer.means()).containsExactly(3, 25);
        DataSet standardized = standardizer.transform(data);
        assertThat(standardized.categories()).isEqualTo(data.categories());
        for (int i = 0; i < data.size(); i++) {
            double[] raw = data.features(i);
            double[] scaled = standardized.features(i);
            assertThat(scaled[0]).isEqualTo(standardizer.transform(0, raw[0]));
            assertThat(scaled[1]).isEqualTo(standardizer.transform(1, raw[1]));
            assertThat(scaled[2]).isEqualTo(raw[2]);
            assertThat(scaled[3]).isEqualTo(raw[3]);
        }

        MinMaxScaler minMax = MinMaxScaler.fit(data);
        assertThat(minMax.maximums()).containsExactly(4.5, 40);
        DataSet squeezed = minMax.transform(data);
        assertThat(squeezed.features(1)).containsExactly(1.0 / 3, 1.0 / 3, 0, 2);
        assertThat(minMax.transformNumeric(new double[] {4.5, 10, 2, 1})).containsExactly(1, 0, 2, 1);
        assertThatThrownBy(() -> minMax.transformNumeric(new double[] {1}))
                .hasMessageContaining("1 values, fewer than the 2 numeric features");
    }

    @Test
    void aScalerFittedOnEveryColumnIsRefusedForDataWithCategoryColumns() throws IOException {
        DataSet data = read(trainReader(), TRAIN);
        Standardizer all = Standardizer.fit(data.featuresAsArray());
        assertThatThrownBy(() -> all.transform(data)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("data: the number of numeric features (beside 2 categorical columns, which are never"
                        + " scaled) is 2 but the number of features the scaler was fitted on is 4");
        DataSet onlyCategories = read(CsvReader.create().header(true).labelColumn("bought")
                .categoryColumns("size", "color", "weight", "city"), TRAIN);
        assertThat(onlyCategories.numericFeatureCount()).isZero();
        assertThatThrownBy(() -> Standardizer.fit(onlyCategories)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("all 4 features are categorical columns [size, color, weight, city]");
        assertThatThrownBy(() -> MinMaxScaler.fit(onlyCategories)).hasMessageContaining("nothing to fit");
    }
}
