package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@linkplain CategoryMapping mappings} of all categorical columns of a data set, in column order. A data
 * row is its numeric features followed by one index per categorical column, in this order; an embedding layer
 * has one table per column, of {@link #cardinalities()}{@code [c]} rows.
 *
 * <pre>{@code
 * DataSet train = CsvReader.create().header(true).labelColumn("bought")
 *         .categoryColumns("color", "city")
 *         .read(Path.of("train.csv"));
 * Categories categories = train.categories();   // learnt from the training file
 * categories.cardinalities();                    // e.g. [3, 17]
 * String saved = categories.toJson();            // keep it with the model
 * Categories same = Categories.fromJson(saved);  // equal to categories
 * }</pre>
 *
 * <p><b>String form.</b> {@link #toJson()} writes one line of JSON (RFC 8259), the mappings in column order
 * and each one's values in index order:
 *
 * <pre>{@code
 * {"columns":[{"name":"color","values":["blue","green","red"],"unknown_bucket":false},
 *             {"name":"city","values":["Lyon","Zürich"],"unknown_bucket":true}]}
 * }</pre>
 *
 * (here broken after the first column; the real text has no line break). Strings escape {@code "}, {@code \},
 * control characters and unpaired surrogates; other characters are written as they are. {@link #fromJson}
 * reads exactly this shape, with any whitespace between tokens, the keys of an object in any order, and
 * {@code "unknown_bucket"} optional ({@code false} when absent); it refuses other keys.
 *
 * <p>Immutable and thread-safe; equal when the mappings are equal, in the same order. The column names are
 * distinct, so that a column can be found by name.
 */
public final class Categories {

    private static final Categories NONE = new Categories(List.of());

    private final List<CategoryMapping> mappings;
    private final Map<String, Integer> byName = new HashMap<>();

    private Categories(List<CategoryMapping> mappings) {
        this.mappings = mappings;
        for (int c = 0; c < mappings.size(); c++) {
            Integer before = byName.putIfAbsent(mappings.get(c).column(), c);
            if (before != null) {
                throw new IllegalArgumentException("categorical columns " + before + " and " + c + " are both named \""
                        + mappings.get(c).column() + "\"; the names must be distinct");
            }
        }
    }

    /**
     * Returns the categories of a data set without categorical columns.
     *
     * @return an empty holder: no columns, {@link #cardinalities()} empty
     */
    public static Categories none() {
        return NONE;
    }

    /**
     * Creates a holder of mappings in column order.
     *
     * @param mappings the mappings, one per categorical column, none {@code null}; none means {@link #none()}
     * @return the holder
     * @throws IllegalArgumentException if two mappings have the same column name, naming both positions
     */
    public static Categories of(CategoryMapping... mappings) {
        Checks.notNull(mappings, "mappings");
        return of(Arrays.asList(mappings));
    }

    /**
     * Creates a holder of mappings in column order.
     *
     * @param mappings the mappings, one per categorical column, none {@code null}; an empty list means
     *     {@link #none()}
     * @return the holder
     * @throws IllegalArgumentException if two mappings have the same column name, naming both positions
     */
    public static Categories of(List<CategoryMapping> mappings) {
        Checks.notNull(mappings, "mappings");
        for (int c = 0; c < mappings.size(); c++) {
            Checks.notNull(mappings.get(c), "mappings: column " + c);
        }
        return mappings.isEmpty() ? NONE : new Categories(List.copyOf(mappings));
    }

    /**
     * Returns the number of categorical columns.
     *
     * @return at least 0
     */
    public int count() {
        return mappings.size();
    }

    /**
     * Returns whether there are no categorical columns.
     *
     * @return {@code true} for {@link #none()}
     */
    public boolean isEmpty() {
        return mappings.isEmpty();
    }

    /**
     * Returns the mappings in column order.
     *
     * @return an unmodifiable list of {@link #count()} mappings
     */
    public List<CategoryMapping> mappings() {
        return mappings;
    }

    /**
     * Returns the mapping of one categorical column.
     *
     * @param column the column's position among the categorical columns, from 0 (not its position in the row)
     * @return its mapping
     * @throws IndexOutOfBoundsException if there is no such column, naming the count
     */
    public CategoryMapping mapping(int column) {
        if (column < 0 || column >= count()) {
            throw new IndexOutOfBoundsException("categorical column " + column + " does not exist: there are "
                    + count() + (count() == 0 ? "" : ", numbered 0.." + (count() - 1)));
        }
        return mappings.get(column);
    }

    /**
     * Returns the mapping of the column with this name.
     *
     * @param column the column's name
     * @return its mapping
     * @throws IllegalArgumentException if no categorical column has that name, listing the names
     */
    public CategoryMapping mapping(String column) {
        Checks.notNull(column, "column");
        Integer c = byName.get(column);
        if (c == null) {
            throw new IllegalArgumentException("no categorical column is named \"" + column + "\"; the columns are "
                    + columnNames());
        }
        return mappings.get(c);
    }

    /**
     * Returns the column names in column order.
     *
     * @return an unmodifiable list of {@link #count()} names
     */
    public List<String> columnNames() {
        return mappings.stream().map(CategoryMapping::column).toList();
    }

    /**
     * Returns each column's number of indices, unknown bucket included: the sizes of the embedding tables.
     *
     * @return a new array of {@link #count()} cardinalities, each at least 1
     */
    public int[] cardinalities() {
        return mappings.stream().mapToInt(CategoryMapping::cardinality).toArray();
    }

    /**
     * Returns these categories with an {@linkplain CategoryMapping#withUnknownBucket() unknown bucket} in
     * every column.
     *
     * @return a holder of the same columns, each with a bucket
     */
    public Categories withUnknownBuckets() {
        return of(mappings.stream().map(CategoryMapping::withUnknownBucket).toList());
    }

    /**
     * Maps one sample's categorical values to their indices, e.g. to build the input of a prediction:
     * the numeric features followed by these indices.
     *
     * @param values one value per categorical column, in column order
     * @return a new array of {@link #count()} indices
     * @throws IllegalArgumentException if the number of values differs from {@link #count()} (naming both), or a
     *     value is unknown to a column without an unknown bucket (naming the column and the value)
     */
    public int[] indicesOf(String... values) {
        Checks.notNull(values, "values");
        Checks.sameSize(values.length, count(), "values: the number of categorical values",
                "the number of categorical columns");
        int[] out = new int[values.length];
        for (int c = 0; c < out.length; c++) {
            out[c] = mappings.get(c).indexOf(values[c]);
        }
        return out;
    }

    // ------------------------------------------------------------------ string form

    /**
     * Writes these categories as one line of JSON, in the shape the class comment shows.
     *
     * @return the JSON text, which {@link #fromJson} reads back into equal categories
     */
    public String toJson() {
        StringBuilder out = new StringBuilder("{\"columns\":[");
        for (int c = 0; c < mappings.size(); c++) {
            CategoryMapping m = mappings.get(c);
            out.append(c == 0 ? "" : ",").append("{\"name\":");
            CategoriesJson.writeString(out, m.column());
            out.append(",\"values\":[");
            for (int i = 0; i < m.values().size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                CategoriesJson.writeString(out, m.values().get(i));
            }
            out.append("],\"unknown_bucket\":").append(m.hasUnknownBucket()).append('}');
        }
        return out.append("]}").toString();
    }

    /**
     * Reads categories written by {@link #toJson()}.
     *
     * @param json the JSON text
     * @return the categories
     * @throws IllegalArgumentException if the text is not JSON of that shape (naming the character offset and
     *     what was expected) or the mappings it holds are invalid (a repeated value, an empty column, two
     *     columns of one name)
     */
    public static Categories fromJson(String json) {
        Checks.notNull(json, "json");
        return CategoriesJson.read(json);
    }

    // ------------------------------------------------------------------ object

    /** Holders are equal when their mappings are equal, in the same order. */
    @Override
    public boolean equals(Object other) {
        return other instanceof Categories c && c.mappings.equals(mappings);
    }

    @Override
    public int hashCode() {
        return mappings.hashCode();
    }

    /** Returns the names and cardinalities, e.g. {@code "Categories[color: 3, city: 17]"}. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("Categories[");
        for (int c = 0; c < mappings.size(); c++) {
            s.append(c == 0 ? "" : ", ").append(mappings.get(c).column()).append(": ")
                    .append(mappings.get(c).cardinality());
        }
        return s.append(']').toString();
    }
}
