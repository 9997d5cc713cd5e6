package io.github.backprop4j.data;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * Reads a delimited text file (CSV) into a {@link DataSet}: some columns are features, and either one column
 * is a class label or some columns are numeric targets.
 *
 * <pre>{@code
 * DataSet data = CsvReader.create()
 *         .header(true)
 *         .featureColumns("sepal length", "sepal width")
 *         .labelColumn("species")                  // class names, sorted: the classes are reported
 *         .read(Path.of("flowers.csv"));
 * data.classNames();                               // [setosa, versicolor, virginica]
 * }</pre>
 *
 * <p>The bundled Iris file starts with a line of counts and class names, {@code 150,4,setosa,versicolor,
 * virginica}, followed by rows of four measurements and a class index; skip the first line and name the
 * classes:
 *
 * <pre>{@code
 * DataSet iris = CsvReader.create()
 *         .skipLines(1)
 *         .labelColumn(4)
 *         .classNames("setosa", "versicolor", "virginica")
 *         .read(Path.of("iris.csv"));
 * }</pre>
 *
 * <p><b>Format.</b> Lines are split at the {@linkplain #delimiter delimiter} (a comma unless set); fields are
 * trimmed (a quoted one only where it is a number), and a field in double quotes may contain the delimiter
 * ({@code ""} is a quote); a field cannot span lines. Blank lines are skipped. Files and streams are read as
 * UTF-8; a byte-order mark at the start is skipped, and bytes that are not UTF-8 are refused naming the line
 * after which they occur. Numbers are decimal
 * ({@code -1.5}, {@code 2e-3}); NaN, infinities, empty fields and Java suffixes such as {@code 1f} are
 * refused. Every data line must have the same number of fields as the first.
 *
 * <p><b>Columns</b> are chosen by index, from 0, or by name from the {@linkplain #header header}. Unless
 * {@link #featureColumns} are chosen, every column that is not the label, a target or a category column is a
 * numeric feature.
 *
 * <p><b>Labels.</b> With {@link #classNames}, a label is one of those names or a class index {@code 0..k-1}.
 * Without, labels that are numbers are compared as numbers, so {@code 1}, {@code 1.0} and {@code 1e0} are one
 * label. If every label is a whole number &ge; 0 the labels are class indices and there are {@code max + 1}
 * classes, named {@code "0"}, {@code "1"}, …; but so that a stray value cannot create millions of empty
 * classes, {@code max + 1} may exceed neither 65,536 nor ten times the number of distinct labels (a file of
 * labels {@code 0} and {@code 999999999} is refused, naming the column and the line of the largest label;
 * name the classes with {@link #classNames} to use such indices). Otherwise every distinct label is a class
 * name and the classes are sorted, numeric labels first in numeric order, then the others as text (as
 * scikit-learn's {@code LabelEncoder} sorts each kind), so that files which hold the same classes in a
 * different order agree: {@code 2, 10, x} give the classes {@code [2, 10, x]}. A class is named by the first
 * spelling of its label in the file. Either way {@link DataSet#classNames()} reports the classes.
 *
 * <p><b>Categorical columns.</b> {@link #categoryColumns(String...)} declares columns whose values are
 * categories, text such as {@code red} or {@code Zürich} (a value that looks like a number is text too). Each
 * value becomes its 0-based category index, and each feature row holds the numeric features first, then the
 * category indices in the declared order; the data set's {@link DataSet#categories()} reports the mappings and
 * {@link DataSet#numericFeatureCount()} the split. The mappings are learnt from the file, the values of each
 * column sorted as {@link CategoryMapping#learn} states, or given with {@link #categories(Categories)}, so that a
 * test file is read with the training file's indices:
 *
 * <pre>{@code
 * CsvReader reader = CsvReader.create().header(true).labelColumn("bought").categoryColumns("color", "city");
 * DataSet train = reader.read(Path.of("train.csv"));
 * DataSet test = reader.categories(train.categories()).read(Path.of("test.csv"));
 * }</pre>
 *
 * A value in a category column is the field as split: trimmed unless quoted, and possibly empty (the empty
 * string is a category of its own).
 *
 * <p><b>Errors.</b> A file that does not fit raises {@link MalformedDataException} naming the source, the
 * line and the column, both counted from 1 as in an editor, with the column's index and header name:
 * {@code iris.csv: line 7, column 2 (index 1, "sepal width"): "3,5" is not a number}.
 *
 * <p>A reader is a mutable configuration, not thread-safe; once configured it may read any number of files.
 */
public final class CsvReader {

    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    private static final Pattern CLASS_INDEX = Pattern.compile("\\+?\\d{1,9}");

    private boolean header;
    private int skipLines;
    private char delimiter = ',';
    private Precision precision = Precision.FLOAT64;
    private Columns features;
    private Columns targets;
    private Columns label;
    private List<String> classNames;
    private Columns categoryColumns;
    private Categories givenCategories;
    private boolean unknownBucket;

    private CsvReader() {
    }

    /** Columns chosen by index or by header name. */
    private record Columns(int[] indices, String[] names) {
        static Columns ofIndices(String what, int... indices) {
            Checks.notNull(indices, what);
            Checks.positive(indices.length, what + ": the number of columns");
            for (int i : indices) {
                if (i < 0) {
                    throw new IllegalArgumentException(what + ": column index " + i + " is negative; columns"
                            + " are numbered from 0");
                }
            }
            return new Columns(indices.clone(), null);
        }

        int count() {
            return names != null ? names.length : indices.length;
        }

        @Override
        public String toString() {
            return names != null ? Arrays.toString(names) : Arrays.toString(indices);
        }

        static Columns ofNames(String what, String... names) {
            Checks.notNull(names, what);
            Checks.positive(names.length, what + ": the number of columns");
            for (int i = 0; i < names.length; i++) {
                Checks.notNull(names[i], what + ": name " + i);
            }
            return new Columns(null, names.clone());
        }
    }

    /**
     * Starts a configuration: no header, no skipped lines, comma-delimited, stored as doubles.
     *
     * @return a new reader
     */
    public static CsvReader create() {
        return new CsvReader();
    }

    /**
     * Sets whether the first line read (after {@link #skipLines skipped lines}) holds the column names.
     *
     * @param value {@code true} if there is a header line; {@code false} unless set
     * @return this reader
     */
    public CsvReader header(boolean value) {
        header = value;
        return this;
    }

    /**
     * Skips lines at the start of the file, before the header or the data, e.g. the line of counts that
     * starts the bundled Iris file. Skipped lines still count in the line numbers of messages.
     *
     * @param count the number of lines, at least 0; 0 unless set
     * @return this reader
     * @throws IllegalArgumentException if {@code count} is negative
     */
    public CsvReader skipLines(int count) {
        if (count < 0) {
            throw new IllegalArgumentException("skipLines: count must be at least 0, was " + count);
        }
        skipLines = count;
        return this;
    }

    /**
     * Sets the field delimiter.
     *
     * @param value the delimiter, e.g. {@code ';'} or {@code '\t'}; not a double quote; {@code ','} unless set
     * @return this reader
     * @throws IllegalArgumentException if it is a double quote, a line break or a space
     */
    public CsvReader delimiter(char value) {
        if (value == '"' || value == '\n' || value == '\r' || value == ' ') {
            throw new IllegalArgumentException("delimiter must not be a quote, space or line break, was '" + value
                    + "'");
        }
        delimiter = value;
        return this;
    }

    /**
     * Sets the precision in which the data set stores its values.
     *
     * @param value the storage precision; {@link Precision#FLOAT64} unless set
     * @return this reader
     */
    public CsvReader precision(Precision value) {
        precision = Checks.notNull(value, "precision");
        return this;
    }

    /**
     * Chooses the numeric feature columns by index, in the order they take in each feature row (before any
     * {@linkplain #categoryColumns(int...) category columns}).
     *
     * @param columns at least one column index, from 0
     * @return this reader
     * @throws IllegalArgumentException if there is none or an index is negative
     */
    public CsvReader featureColumns(int... columns) {
        features = Columns.ofIndices("featureColumns", columns);
        return this;
    }

    /**
     * Chooses the numeric feature columns by header name, in the order they take in each feature row (before
     * any {@linkplain #categoryColumns(String...) category columns}).
     *
     * @param names at least one column name; requires {@link #header header(true)}
     * @return this reader
     * @throws IllegalArgumentException if there is none
     */
    public CsvReader featureColumns(String... names) {
        features = Columns.ofNames("featureColumns", names);
        return this;
    }

    /**
     * Chooses numeric target columns by index (for regression); replaces a label column.
     *
     * @param columns at least one column index, from 0
     * @return this reader
     * @throws IllegalArgumentException if there is none or an index is negative
     */
    public CsvReader targetColumns(int... columns) {
        targets = Columns.ofIndices("targetColumns", columns);
        label = null;
        return this;
    }

    /**
     * Chooses numeric target columns by header name (for regression); replaces a label column.
     *
     * @param names at least one column name; requires {@link #header header(true)}
     * @return this reader
     * @throws IllegalArgumentException if there is none
     */
    public CsvReader targetColumns(String... names) {
        targets = Columns.ofNames("targetColumns", names);
        label = null;
        return this;
    }

    /**
     * Chooses the class-label column by index (for classification): the targets become the labels one-hot
     * encoded; replaces target columns.
     *
     * @param column the column index, from 0
     * @return this reader
     * @throws IllegalArgumentException if the index is negative
     */
    public CsvReader labelColumn(int column) {
        label = Columns.ofIndices("labelColumn", column);
        targets = null;
        return this;
    }

    /**
     * Chooses the class-label column by header name; see {@link #labelColumn(int)}.
     *
     * @param name the column name; requires {@link #header header(true)}
     * @return this reader
     */
    public CsvReader labelColumn(String name) {
        label = Columns.ofNames("labelColumn", name);
        targets = null;
        return this;
    }

    /**
     * Names the classes, in class order; a label is then one of these names or a class index.
     *
     * @param names at least one distinct name
     * @return this reader
     * @throws IllegalArgumentException if there is none or two are equal
     */
    public CsvReader classNames(String... names) {
        Checks.notNull(names, "classNames");
        Checks.positive(names.length, "classNames: the number of classes");
        List<String> list = List.of(names);
        if (new LinkedHashSet<>(list).size() != list.size()) {
            throw new IllegalArgumentException("classNames must be distinct, were " + list);
        }
        classNames = list;
        return this;
    }

    /**
     * Declares categorical feature columns by index. Their values are text (a value that looks like a number
     * is text too: {@code 1} and {@code 1.0} are two categories); each becomes its category index, and the
     * feature rows hold the numeric features first and then these indices, in the order given here.
     *
     * @param columns at least one column index, from 0, none repeated
     * @return this reader
     * @throws IllegalArgumentException if there is none, an index is negative, or one repeats
     */
    public CsvReader categoryColumns(int... columns) {
        categoryColumns = Columns.ofIndices("categoryColumns", columns);
        for (int i = 0; i < columns.length; i++) {
            for (int k = 0; k < i; k++) {
                if (columns[k] == columns[i]) {
                    throw new IllegalArgumentException("categoryColumns: column index " + columns[i] + " is given"
                            + " twice, at positions " + k + " and " + i);
                }
            }
        }
        return this;
    }

    /**
     * Declares categorical feature columns by header name; see {@link #categoryColumns(int...)}.
     *
     * @param names at least one column name, none repeated; requires {@link #header header(true)}
     * @return this reader
     * @throws IllegalArgumentException if there is none or one repeats
     */
    public CsvReader categoryColumns(String... names) {
        categoryColumns = Columns.ofNames("categoryColumns", names);
        if (new LinkedHashSet<>(List.of(names)).size() != names.length) {
            throw new IllegalArgumentException("categoryColumns: the names must be distinct, were "
                    + Arrays.toString(names));
        }
        return this;
    }

    /**
     * Reads the categorical columns with these mappings instead of learning them, e.g. a test file with the
     * training file's {@link DataSet#categories()}, so that a value has the same index in both. A value a
     * mapping does not know is then refused, naming the line and the column, unless the mapping has an
     * {@linkplain CategoryMapping#withUnknownBucket() unknown bucket}.
     *
     * <p>Without {@link #categoryColumns} the columns are the mappings' {@linkplain Categories#columnNames()
     * names}, found in the header. With them, there must be one mapping per declared column, in the same order,
     * and if the file has a header, each declared column's header name must be its mapping's name.
     *
     * @param categories the mappings, in column order; {@code null} to learn them from each file again (the
     *     default)
     * @return this reader
     */
    public CsvReader categories(Categories categories) {
        givenCategories = categories;
        return this;
    }

    /**
     * Sets whether the mappings learnt from a file get an {@linkplain CategoryMapping#withUnknownBucket()
     * unknown bucket}, so that reading other files with them maps values they lack to one extra index instead of
     * refusing them. Mappings given by {@link #categories(Categories)} keep their own choice.
     *
     * @param value {@code true} for a bucket in every learnt mapping; {@code false} unless set
     * @return this reader
     */
    public CsvReader unknownBucket(boolean value) {
        unknownBucket = value;
        return this;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Reads a file in UTF-8.
     *
     * @param file the file
     * @return the data set
     * @throws MalformedDataException if the file does not fit the configuration, naming line and column
     * @throws IOException if the file cannot be read
     * @throws IllegalStateException if neither a label column nor target columns were chosen
     */
    public DataSet read(Path file) throws IOException {
        Checks.notNull(file, "file");
        try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            return read(in, String.valueOf(file.getFileName()));
        }
    }

    /**
     * Reads a stream in UTF-8; does not close it.
     *
     * @param in the stream
     * @return the data set
     * @throws MalformedDataException if the data do not fit the configuration, naming line and column
     * @throws IOException if the stream cannot be read
     * @throws IllegalStateException if neither a label column nor target columns were chosen
     */
    public DataSet read(InputStream in) throws IOException {
        Checks.notNull(in, "in");
        return read(new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)), "input");
    }

    /**
     * Reads characters; does not close the reader.
     *
     * @param in the characters, e.g. a {@link java.io.StringReader}
     * @return the data set
     * @throws MalformedDataException if the data do not fit the configuration, naming line and column
     * @throws IOException if the reader fails
     * @throws IllegalStateException if neither a label column nor target columns were chosen
     */
    public DataSet read(Reader in) throws IOException {
        Checks.notNull(in, "in");
        return read(in, "input");
    }

    private DataSet read(Reader reader, String source) throws IOException {
        if (label == null && targets == null) {
            throw new IllegalStateException("choose a labelColumn (classification) or targetColumns (regression)"
                    + " before reading");
        }
        if (givenCategories != null && categoryColumns != null
                && givenCategories.count() != categoryColumns.count()) {
            throw new IllegalStateException("categories: " + givenCategories.count() + " mappings "
                    + givenCategories.columnNames() + " for the " + categoryColumns.count() + " categoryColumns "
                    + categoryColumns + "; give one mapping per declared column, in the same order");
        }
        if (givenCategories != null && categoryColumns != null && categoryColumns.names() != null
                && !givenCategories.columnNames().equals(List.of(categoryColumns.names()))) {
            throw new IllegalStateException("categories: the mappings are of the columns "
                    + givenCategories.columnNames() + " but the categoryColumns are " + categoryColumns);
        }
        Parse p = new Parse(source);
        BufferedReader in = reader instanceof BufferedReader b ? b : new BufferedReader(reader);
        try {
            return read(in, p);
        } catch (java.nio.charset.CharacterCodingException e) {
            throw new MalformedDataException(source + ": the bytes after line " + p.line + " are not valid UTF-8 ("
                    + e + "); save the file as UTF-8", p.line + 1, 0);
        }
    }

    private DataSet read(BufferedReader in, Parse p) throws IOException {
        in.mark(1);
        if (in.read() != '\uFEFF') { // a UTF-8 byte-order mark is not part of the first cell
            in.reset();
        }
        for (int i = 0; i < skipLines; i++) {
            if (in.readLine() == null) {
                throw p.error("has only " + i + " lines, fewer than the " + skipLines + " to skip", i, 0);
            }
            p.line++;
        }
        String[] names = null;
        List<double[]> x = new ArrayList<>();
        List<double[]> t = new ArrayList<>();
        List<String> rawLabels = new ArrayList<>();
        List<Integer> labelLines = new ArrayList<>();
        for (String text = in.readLine(); text != null; text = in.readLine()) {
            p.line++;
            if (text.isBlank()) {
                continue;
            }
            String[] fields = p.split(text);
            if (header && names == null) {
                names = fields;
                p.names = names;
                p.headerLine = p.line;
                continue;
            }
            if (p.width < 0) {
                p.width = fields.length;
                p.firstLine = p.line;
                p.resolve(names);
            } else if (fields.length != p.width) {
                throw p.error("line " + p.line + " has " + fields.length + " columns but line " + p.firstLine
                        + " has " + p.width, p.line, 0);
            }
            x.add(p.featureRow(fields));
            if (p.labelIdx >= 0) {
                rawLabels.add(fields[p.labelIdx]);
                labelLines.add(p.line);
            } else {
                t.add(p.numbers(fields, p.targetIdx));
            }
        }
        if (x.isEmpty()) {
            throw p.error("has no data lines", p.line, 0);
        }
        Categories categories = p.finishCategories(x);
        Matrix features = Matrix.of(precision, x.toArray(double[][]::new), "features");
        if (p.labelIdx < 0) {
            return DataSet.of(features, Matrix.of(precision, t.toArray(double[][]::new), "targets"))
                    .withCategories(categories);
        }
        Map<String, Integer> byName = new HashMap<>();
        List<String> classes = classNames != null ? classNames : inferClasses(rawLabels, labelLines, p, byName);
        if (classNames != null) {
            for (int k = 0; k < classes.size(); k++) {
                byName.put(classes.get(k), k);
            }
        }
        int[] labels = new int[rawLabels.size()];
        for (int i = 0; i < labels.length; i++) {
            String value = rawLabels.get(i);
            Integer k = byName.get(value);
            if (k == null && classNames != null && CLASS_INDEX.matcher(value).matches()
                    && Integer.parseInt(value) < classes.size()) {
                k = Integer.parseInt(value);
            }
            if (k == null) {
                throw p.error(p.where(labelLines.get(i), p.labelIdx) + ": \"" + value + "\" is neither a class name "
                        + classes + " nor a class index 0.." + (classes.size() - 1), labelLines.get(i),
                        p.labelIdx + 1);
            }
            labels[i] = k;
        }
        return DataSet.withOneHotTargets(features, labels, classes.size()).withClassNames(classes)
                .withCategories(categories);
    }

    /** The most classes that whole-number labels may imply. */
    private static final int MAX_INFERRED_CLASSES = 65_536;

    /**
     * Infers the classes from the labels, as the class comment states, and maps every distinct label text to
     * its class in {@code byLabel}.
     */
    private static List<String> inferClasses(List<String> rawLabels, List<Integer> labelLines, Parse p,
            Map<String, Integer> byLabel) throws MalformedDataException {
        Map<String, Double> numbers = new java.util.LinkedHashMap<>(); // distinct label text -> its value
        Set<String> texts = new LinkedHashSet<>();
        boolean wholeNumbers = true;
        double max = -1;
        int maxAt = -1;
        for (int i = 0; i < rawLabels.size(); i++) {
            String label = rawLabels.get(i);
            if (numbers.containsKey(label) || texts.contains(label)) {
                continue;
            }
            if (NUMBER.matcher(label).matches() && Double.isFinite(Double.parseDouble(label))) {
                double value = Double.parseDouble(label) + 0.0; // -0 and 0 are one label
                numbers.put(label, value);
                wholeNumbers &= value >= 0 && value == Math.rint(value);
                if (value > max) {
                    max = value;
                    maxAt = i;
                }
            } else {
                texts.add(label);
                wholeNumbers = false;
            }
        }
        if (wholeNumbers) {
            long distinct = numbers.values().stream().distinct().count();
            if (max + 1 > MAX_INFERRED_CLASSES || max + 1 > 10 * distinct) {
                int line = labelLines.get(maxAt);
                throw p.error(p.where(line, p.labelIdx) + ": the labels are whole numbers up to "
                        + rawLabels.get(maxAt) + ", which as class indices would make " + (long) (max + 1)
                        + " classes for " + distinct + " distinct labels; at most " + MAX_INFERRED_CLASSES
                        + " classes, and at most ten times the distinct labels, are inferred. Name the classes with "
                        + "classNames(...) to use such indices", line, p.labelIdx + 1);
            }
            List<String> names = new ArrayList<>();
            for (int k = 0; k <= (int) max; k++) {
                names.add(Integer.toString(k));
            }
            numbers.forEach((label, value) -> byLabel.put(label, value.intValue()));
            return names;
        }
        // Numeric labels first, in numeric order (one class per value, named by its first spelling), then text.
        java.util.TreeMap<Double, String> numeric = new java.util.TreeMap<>();
        numbers.forEach((label, value) -> numeric.putIfAbsent(value, label));
        List<String> names = new ArrayList<>(numeric.values());
        Map<Double, Integer> byValue = new HashMap<>();
        numeric.keySet().forEach(v -> byValue.put(v, byValue.size()));
        numbers.forEach((label, value) -> byLabel.put(label, byValue.get(value)));
        for (String text : new TreeSet<>(texts)) {
            byLabel.put(text, names.size());
            names.add(text);
        }
        return names;
    }

    /** The state of one read: position, resolved columns, and the error messages that use them. */
    private final class Parse {
        final String source;
        int line;
        int width = -1;
        int firstLine;
        int headerLine;
        String[] names;
        int[] featureIdx;
        int[] targetIdx;
        int labelIdx = -1;
        /** The categorical columns, in the declared order; empty if there are none. */
        int[] categoryIdx = new int[0];
        /** The mappings read with, or {@code null} while learning them. */
        Categories mappings;
        /** While learning: per categorical column, each distinct value's provisional id (first seen first). */
        List<Map<String, Integer>> seen;
        List<List<String>> seenInOrder;

        Parse(String source) {
            this.source = source;
        }

        /** The numeric features of a line, then the index (while learning: the provisional id) of each category. */
        double[] featureRow(String[] fields) throws MalformedDataException {
            double[] out = Arrays.copyOf(numbers(fields, featureIdx), featureIdx.length + categoryIdx.length);
            for (int c = 0; c < categoryIdx.length; c++) {
                String value = fields[categoryIdx[c]];
                int index;
                if (mappings != null) {
                    CategoryMapping m = mappings.mapping(c);
                    if (!m.contains(value) && !m.hasUnknownBucket()) {
                        throw error(where(line, categoryIdx[c]) + ": " + m.unknownValue(value), line,
                                categoryIdx[c] + 1);
                    }
                    index = m.indexOf(value);
                } else {
                    List<String> inOrder = seenInOrder.get(c);
                    index = seen.get(c).computeIfAbsent(value, v -> {
                        inOrder.add(v);
                        return inOrder.size() - 1;
                    });
                }
                out[featureIdx.length + c] = index;
            }
            return out;
        }

        /**
         * Returns the categories of the data read; when they were learnt, sorts each column's values and turns
         * the provisional ids in {@code rows} into the final indices.
         */
        Categories finishCategories(List<double[]> rows) throws MalformedDataException {
            if (mappings != null) {
                return mappings;
            }
            List<CategoryMapping> learnt = new ArrayList<>();
            for (int c = 0; c < categoryIdx.length; c++) {
                String name = names != null ? names[categoryIdx[c]] : Integer.toString(categoryIdx[c]);
                CategoryMapping m;
                try {
                    m = CategoryMapping.learn(name, seenInOrder.get(c));
                    m = unknownBucket ? m.withUnknownBucket() : m;
                } catch (IllegalArgumentException e) {
                    throw error(e.getMessage(), 0, categoryIdx[c] + 1);
                }
                int[] index = seenInOrder.get(c).stream().mapToInt(m::indexOf).toArray();
                int at = featureIdx.length + c;
                for (double[] row : rows) {
                    row[at] = index[(int) row[at]];
                }
                learnt.add(m);
            }
            try {
                return Categories.of(learnt);
            } catch (IllegalArgumentException e) {
                throw error("categoryColumns: " + e.getMessage(), 0, 0);
            }
        }

        MalformedDataException error(String message, int atLine, int column) {
            return new MalformedDataException(source + ": " + message, atLine, column);
        }

        String where(int atLine, int index) {
            String name = names != null && index < names.length ? ", \"" + names[index] + "\"" : "";
            return "line " + atLine + ", column " + (index + 1) + " (index " + index + name + ")";
        }

        void resolve(String[] headerNames) throws MalformedDataException {
            if (label != null) {
                labelIdx = indices(label, "labelColumn", headerNames)[0];
            } else {
                targetIdx = indices(targets, "targetColumns", headerNames);
            }
            resolveCategories(headerNames);
            if (features != null) {
                featureIdx = indices(features, "featureColumns", headerNames);
            } else {
                Set<Integer> taken = new LinkedHashSet<>();
                if (labelIdx >= 0) {
                    taken.add(labelIdx);
                } else {
                    Arrays.stream(targetIdx).forEach(taken::add);
                }
                Arrays.stream(categoryIdx).forEach(taken::add);
                featureIdx = IntStream.range(0, width).filter(c -> !taken.contains(c)).toArray();
                if (featureIdx.length + categoryIdx.length == 0) {
                    throw error("line " + line + " has " + width + " columns, all of them targets: no column is"
                            + " left for features", line, 0);
                }
            }
            for (int f : featureIdx) {
                if (f == labelIdx || (targetIdx != null && Arrays.stream(targetIdx).anyMatch(c -> c == f))) {
                    throw new IllegalArgumentException("column " + f + " is chosen both as a feature and as "
                            + (f == labelIdx ? "the label" : "a target"));
                }
            }
            for (int k : categoryIdx) {
                String role = k == labelIdx ? "the label"
                        : targetIdx != null && Arrays.stream(targetIdx).anyMatch(c -> c == k) ? "a target"
                        : Arrays.stream(featureIdx).anyMatch(c -> c == k) ? "a numeric feature" : null;
                if (role != null) {
                    throw new IllegalArgumentException("column " + k + " is chosen both as a category column and"
                            + " as " + role);
                }
            }
        }

        /** Finds the categorical columns and, when mappings are given, checks them against the header. */
        private void resolveCategories(String[] headerNames) throws MalformedDataException {
            mappings = givenCategories;
            Columns declared = categoryColumns;
            if (declared == null && mappings != null && !mappings.isEmpty()) {
                if (headerNames == null) {
                    throw new IllegalStateException("categories: without categoryColumns the columns are found by"
                            + " the mappings' names " + mappings.columnNames() + ", which needs a header line;"
                            + " call header(true) or declare the categoryColumns");
                }
                declared = Columns.ofNames("categories", mappings.columnNames().toArray(String[]::new));
            }
            if (declared == null) {
                return;
            }
            categoryIdx = indices(declared, declared == categoryColumns ? "categoryColumns" : "categories",
                    headerNames);
            if (mappings != null && headerNames != null) {
                for (int c = 0; c < categoryIdx.length; c++) {
                    String expected = mappings.mapping(c).column();
                    if (!headerNames[categoryIdx[c]].equals(expected)) {
                        throw error("categories: categorical column " + c + " is " + where(headerLine,
                                categoryIdx[c]) + " but its mapping is of the column \"" + expected + "\"",
                                headerLine, categoryIdx[c] + 1);
                    }
                }
            }
            if (mappings == null) {
                seen = new ArrayList<>();
                seenInOrder = new ArrayList<>();
                for (int c = 0; c < categoryIdx.length; c++) {
                    seen.add(new HashMap<>());
                    seenInOrder.add(new ArrayList<>());
                }
            }
        }

        int[] indices(Columns columns, String what, String[] headerNames) throws MalformedDataException {
            if (columns.names() == null) {
                for (int c : columns.indices()) {
                    if (c >= width) {
                        throw error(what + ": column index " + c + " does not exist: line " + line + " has "
                                + width + " columns (indices 0.." + (width - 1) + ")", line, 0);
                    }
                }
                return columns.indices();
            }
            if (headerNames == null) {
                throw new IllegalStateException(what + ": columns chosen by name " + Arrays.toString(columns.names())
                        + " need a header line; call header(true)");
            }
            int[] out = new int[columns.names().length];
            for (int i = 0; i < out.length; i++) {
                out[i] = List.of(headerNames).indexOf(columns.names()[i]);
                if (out[i] < 0 || out[i] >= width) {
                    throw error(what + ": no column named \"" + columns.names()[i] + "\" in the header (line "
                            + (skipLines + 1) + "): " + Arrays.toString(headerNames), skipLines + 1, 0);
                }
            }
            return out;
        }

        double[] numbers(String[] fields, int[] columns) throws MalformedDataException {
            double[] out = new double[columns.length];
            for (int i = 0; i < columns.length; i++) {
                String text = fields[columns[i]].strip();
                if (!NUMBER.matcher(text).matches()) {
                    throw error(where(line, columns[i]) + ": " + (text.isEmpty() ? "the field is empty"
                            : "\"" + text + "\" is not a number"), line, columns[i] + 1);
                }
                out[i] = Double.parseDouble(text);
                if (Double.isInfinite(out[i])) {
                    throw error(where(line, columns[i]) + ": " + text + " is too large for a double", line,
                            columns[i] + 1);
                }
            }
            return out;
        }

        String[] split(String text) throws MalformedDataException {
            List<String> fields = new ArrayList<>();
            StringBuilder field = new StringBuilder();
            int i = 0;
            while (true) {
                while (i < text.length() && text.charAt(i) == ' ') {
                    i++;
                }
                if (i < text.length() && text.charAt(i) == '"') {
                    i++;
                    while (true) {
                        if (i >= text.length()) {
                            throw error(where(line, fields.size()) + ": the quoted field is not closed", line,
                                    fields.size() + 1);
                        }
                        char c = text.charAt(i++);
                        if (c == '"') {
                            if (i < text.length() && text.charAt(i) == '"') {
                                field.append('"');
                                i++;
                            } else {
                                break;
                            }
                        } else {
                            field.append(c);
                        }
                    }
                    while (i < text.length() && text.charAt(i) != delimiter) {
                        if (!Character.isWhitespace(text.charAt(i))) {
                            throw error(where(line, fields.size()) + ": text after the closing quote", line,
                                    fields.size() + 1);
                        }
                        i++;
                    }
                    fields.add(field.toString());
                } else {
                    int end = text.indexOf(delimiter, i);
                    end = end < 0 ? text.length() : end;
                    fields.add(text.substring(i, end).strip());
                    i = end;
                }
                field.setLength(0);
                if (i >= text.length()) {
                    return fields.toArray(String[]::new);
                }
                i++; // the delimiter
            }
        }
    }
}
