package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The values of one categorical column and the 0-based index of each: {@code "blue" → 0}, {@code "green" → 1},
 * {@code "red" → 2}. A data row holds the index, as a number, where the column's value was; an embedding layer
 * has one table row per index.
 *
 * <pre>{@code
 * CategoryMapping color = CategoryMapping.learn("color", List.of("red", "blue", "red", "green"));
 * color.values();          // [blue, green, red]
 * color.indexOf("red");    // 2
 * color.value(0);          // "blue"
 * color.indexOf("purple"); // IllegalArgumentException: column "color": unknown value "purple"; ...
 * }</pre>
 *
 * <p><b>Order.</b> {@link #learn} sorts the distinct values, so that the mapping depends only on which values
 * occur, never on the order of the rows (a shuffled copy of a file gives the same indices): values that look
 * like decimal numbers come first, in numeric order ({@code 2} before {@code 10}; equal numbers spelt
 * differently, {@code 1} and {@code 1.0}, are distinct values ordered by their text), then the other values in
 * the order of {@link String#compareTo} (by UTF-16 code unit, the same in every locale). {@link #of} keeps the
 * order it is given.
 *
 * <p><b>Values</b> are compared exactly, as text: {@code "1"} and {@code "1.0"}, {@code "Red"} and {@code "red"},
 * are different values. The empty string is a value like any other.
 *
 * <p><b>Unknown values.</b> By default a value the mapping does not know is refused: {@link #indexOf} throws an
 * exception naming the column, the value and how many values are known. A mapping {@linkplain
 * #withUnknownBucket() with an unknown bucket} instead answers every unknown value with one extra index, the
 * last, {@code values().size()}; its {@link #cardinality()} counts that index. Note that an embedding row for the
 * bucket is trained only by training rows that map to it, so a bucket learned from the training file alone is
 * never trained: it gives unseen values the embedding's initial vector.
 *
 * <p>At most {@value #MAX_CARDINALITY} indices (2<sup>24</sup>), so that every index is an exact
 * {@code float}. Immutable and thread-safe; equal when the column names, the values in order and the bucket
 * are equal.
 */
public final class CategoryMapping {

    /** The most indices a column may have, unknown bucket included: 2²⁴, the integers a float holds exactly. */
    public static final int MAX_CARDINALITY = 1 << 24;

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    /** A value with what it sorts by: numbers first in numeric order (ties by text), then the rest as text. */
    private record SortKey(String value, boolean number, double numeric) implements Comparable<SortKey> {
        static SortKey of(String value) {
            boolean number = NUMBER.matcher(value).matches();
            return new SortKey(value, number, number ? Double.parseDouble(value) + 0.0 : 0); // -0 sorts as 0
        }

        @Override
        public int compareTo(SortKey other) {
            if (number != other.number) {
                return number ? -1 : 1;
            }
            int byValue = Double.compare(numeric, other.numeric);
            return byValue != 0 ? byValue : value.compareTo(other.value);
        }
    }

    private final String column;
    private final List<String> values;
    private final Map<String, Integer> indices;
    private final boolean unknownBucket;

    private CategoryMapping(String column, List<String> values, Map<String, Integer> indices,
            boolean unknownBucket) {
        this.column = column;
        this.values = values;
        this.indices = indices;
        this.unknownBucket = unknownBucket;
    }

    /**
     * Creates a mapping whose indices follow the given order: {@code values.get(i)} has index {@code i}.
     *
     * @param column the column's name, for messages and for matching a file's header; not {@code null}
     * @param values at least one distinct, non-null value, in index order
     * @return the mapping, without an unknown bucket
     * @throws IllegalArgumentException if there is no value, a value repeats (naming both positions) or there
     *     are more than {@value #MAX_CARDINALITY}
     * @throws NullPointerException if the column or a value is {@code null}, naming it
     */
    public static CategoryMapping of(String column, List<String> values) {
        return of(column, values, false);
    }

    /**
     * Creates a mapping of the distinct values among {@code observed}, sorted as the class comment states.
     *
     * @param column the column's name; not {@code null}
     * @param observed the values as they occur, repeats allowed, at least one, none {@code null}
     * @return the mapping, without an unknown bucket
     * @throws IllegalArgumentException if there is no value or more than {@value #MAX_CARDINALITY} distinct ones
     * @throws NullPointerException if the column or a value is {@code null}
     */
    public static CategoryMapping learn(String column, Iterable<String> observed) {
        Checks.notNull(column, "column");
        Checks.notNull(observed, "observed");
        Set<String> distinct = new LinkedHashSet<>();
        int i = 0;
        for (String value : observed) {
            Checks.notNull(value, "column \"" + column + "\": observed value " + i);
            distinct.add(value);
            i++;
        }
        return of(column, distinct.stream().map(SortKey::of).sorted().map(SortKey::value).toList());
    }

    /** Checks and builds; {@code values} are in index order. */
    static CategoryMapping of(String column, List<String> values, boolean unknownBucket) {
        Checks.notNull(column, "column");
        Checks.notNull(values, "values");
        if (values.isEmpty()) {
            throw new IllegalArgumentException("column \"" + column + "\": a category mapping needs at least one"
                    + " value");
        }
        if (values.size() + (unknownBucket ? 1 : 0) > MAX_CARDINALITY) {
            throw new IllegalArgumentException("column \"" + column + "\" has " + values.size() + " values"
                    + (unknownBucket ? " and an unknown bucket" : "") + ", more than the " + MAX_CARDINALITY
                    + " indices a column may have (every index must be exact in float32)");
        }
        Map<String, Integer> indices = new HashMap<>(values.size() * 4 / 3 + 1);
        for (int i = 0; i < values.size(); i++) {
            String value = Checks.notNull(values.get(i), "column \"" + column + "\": value " + i);
            Integer before = indices.putIfAbsent(value, i);
            if (before != null) {
                throw new IllegalArgumentException("column \"" + column + "\": value " + quote(value)
                        + " is both value " + before + " and value " + i + "; the values must be distinct");
            }
        }
        return new CategoryMapping(column, Collections.unmodifiableList(new ArrayList<>(values)), indices,
                unknownBucket);
    }

    /**
     * Returns this mapping with an unknown bucket: every value it does not know gets the index
     * {@code values().size()}, and the cardinality grows by one. The known values keep their indices.
     *
     * @return a mapping with an unknown bucket ({@code this} if it has one)
     * @throws IllegalArgumentException if the extra index would exceed {@value #MAX_CARDINALITY}
     */
    public CategoryMapping withUnknownBucket() {
        return unknownBucket ? this : of(column, values, true);
    }

    /**
     * Returns the column's name: its header name when read from a file with a header, else its 0-based index
     * as text ({@code "3"}).
     *
     * @return the name
     */
    public String column() {
        return column;
    }

    /**
     * Returns the known values in index order.
     *
     * @return an unmodifiable list; value {@code i} has index {@code i}
     */
    public List<String> values() {
        return values;
    }

    /**
     * Returns the number of indices: the known values, plus one for an unknown bucket. An embedding table for
     * this column has this many rows.
     *
     * @return at least 1
     */
    public int cardinality() {
        return values.size() + (unknownBucket ? 1 : 0);
    }

    /**
     * Returns whether unknown values get an index instead of an exception.
     *
     * @return {@code true} if this mapping has an unknown bucket
     */
    public boolean hasUnknownBucket() {
        return unknownBucket;
    }

    /**
     * Returns the index of the unknown bucket.
     *
     * @return {@code values().size()} if there is a bucket, else empty
     */
    public OptionalInt unknownIndex() {
        return unknownBucket ? OptionalInt.of(values.size()) : OptionalInt.empty();
    }

    /**
     * Returns whether a value is one of the known values (the unknown bucket does not count).
     *
     * @param value the value
     * @return {@code true} if it has an index of its own
     */
    public boolean contains(String value) {
        return indices.containsKey(value);
    }

    /**
     * Returns the index of a value.
     *
     * @param value the value, not {@code null}
     * @return its index, or the {@linkplain #unknownIndex() unknown bucket's} if it is unknown and there is one
     * @throws IllegalArgumentException if the value is unknown and there is no bucket, naming the column, the
     *     value and the number of known values (and the first of them)
     * @throws NullPointerException if the value is {@code null}
     */
    public int indexOf(String value) {
        Checks.notNull(value, "column \"" + column + "\": value");
        Integer index = indices.get(value);
        if (index != null) {
            return index;
        }
        if (unknownBucket) {
            return values.size();
        }
        throw new IllegalArgumentException("column \"" + column + "\": " + unknownValue(value));
    }

    /**
     * Says that {@code value} is unknown, listing the known values (the first ten), for a message that has
     * already named the column.
     */
    String unknownValue(String value) {
        List<String> shown = values.subList(0, Math.min(10, values.size()));
        StringBuilder s = new StringBuilder("unknown value ").append(quote(value)).append("; the ")
                .append(values.size()).append(" known value").append(values.size() == 1 ? " is " : "s are ")
                .append('[');
        for (int i = 0; i < shown.size(); i++) {
            s.append(i == 0 ? "" : ", ").append(quote(shown.get(i)));
        }
        s.append(values.size() > shown.size() ? ", …]" : "]");
        return s.append(". Read new data with the mappings learnt from the training data; to map values they"
                + " lack to one extra index, give those an unknown bucket (CategoryMapping.withUnknownBucket,"
                + " CsvReader.unknownBucket)").toString();
    }

    /**
     * Returns the value of an index.
     *
     * @param index a known value's index, {@code 0..values().size()-1}
     * @return the value
     * @throws IllegalArgumentException if {@code index} is the unknown bucket's, which stands for no one value
     * @throws IndexOutOfBoundsException if there is no such index, naming the range
     */
    public String value(int index) {
        if (unknownBucket && index == values.size()) {
            throw new IllegalArgumentException("column \"" + column + "\": index " + index + " is the unknown"
                    + " bucket, which stands for every value not among the " + values.size() + " known ones");
        }
        if (index < 0 || index >= values.size()) {
            throw new IndexOutOfBoundsException("column \"" + column + "\": index " + index + " does not exist;"
                    + " the column has " + cardinality() + " indices, 0.." + (cardinality() - 1));
        }
        return values.get(index);
    }

    /** Quotes a value for a message, showing its exact text (control characters escaped, long ones cut). */
    static String quote(String value) {
        StringBuilder s = new StringBuilder("\"");
        int shown = Math.min(value.length(), 60);
        for (int i = 0; i < shown; i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                s.append('\\').append(c);
            } else if (c < 0x20) {
                s.append(String.format("\\u%04x", (int) c));
            } else {
                s.append(c);
            }
        }
        return s.append(value.length() > shown ? "…\"" : "\"").toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof CategoryMapping m && m.column.equals(column) && m.values.equals(values)
                && m.unknownBucket == unknownBucket;
    }

    @Override
    public int hashCode() {
        return Objects.hash(column, values, unknownBucket);
    }

    /** Returns the name and size, e.g. {@code "CategoryMapping[color: 3 values + unknown bucket]"}. */
    @Override
    public String toString() {
        return "CategoryMapping[" + column + ": " + values.size() + (values.size() == 1 ? " value" : " values")
                + (unknownBucket ? " + unknown bucket]" : "]");
    }
}
