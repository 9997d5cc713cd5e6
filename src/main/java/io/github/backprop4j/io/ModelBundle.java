package io.github.backprop4j.io;

import io.github.backprop4j.Embedding;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Categories;
import io.github.backprop4j.data.CategoryMapping;
import io.github.backprop4j.data.FeatureScaler;
import io.github.backprop4j.data.MinMaxScaler;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.train.TemperatureScaling;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * A network together with everything needed to predict from raw feature rows: the fitted scaler of the numeric
 * features (a {@link Standardizer} or a {@link MinMaxScaler}), the {@link Categories} of the embedding's
 * categorical columns, the class names and the numeric features' names. Saved in one safetensors file, which
 * {@link ModelFile#load(Path)} and PyTorch also read as a plain network file.
 *
 * <pre>{@code
 * ModelBundle bundle = ModelBundle.of(network).withScaler(scaler).withCategories(train.categories())
 *         .withClassNames("setosa", "versicolor", "virginica");
 * bundle.save(Path.of("iris.safetensors"));
 * ModelBundle same = ModelBundle.load(Path.of("iris.safetensors"));   // equal, bit for bit
 * ModelBundle.Prediction p = same.predict(5.1, 3.5, 1.4, 0.2);         // raw, unscaled features
 * p.className();                                                       // "setosa"
 * p.probabilities();                                                   // {setosa=0.97, versicolor=0.02, ...}
 * }</pre>
 *
 * <p><b>Raw rows.</b> A raw row is the numeric features, unscaled, followed by one value per categorical column
 * (the layout of {@link io.github.backprop4j.data.DataSet}): as a {@code double[]} the categories are given by
 * index, as {@link #predict(Object...)} or {@link #predict(String...)} by their text, which the column's
 * {@link CategoryMapping} turns into an index (an unknown value is refused, naming the column and the known
 * values, or goes to the column's unknown bucket if it has one). Only the numeric features are scaled.
 *
 * <p><b>File.</b> The network's metadata and tensors exactly as {@link ModelFile} writes them, plus the metadata
 * {@code bundle_format_version} ({@code "1"}), {@code bundle.scaler} ({@code "standardizer"} or
 * {@code "min_max"}; absent without a scaler), {@code bundle.scaler.lower}/{@code upper} (min-max only),
 * {@code bundle.categories} ({@link Categories#toJson()}), {@code bundle.class_names} and
 * {@code bundle.feature_names} (JSON arrays of strings), {@code bundle.temperature} (the
 * {@link TemperatureScaling} temperature as a decimal; absent when it is 1), and the scaler's values as {@code F64} vectors:
 * {@code preprocessing.mean} and {@code preprocessing.std}, or {@code preprocessing.min} and
 * {@code preprocessing.max}. See {@code docs/model-format.md}.
 *
 * <p><b>Calibration.</b> {@link #withTemperature(TemperatureScaling)} keeps a temperature fitted on held-out data
 * ({@link TemperatureScaling#fit}) with the model; {@link #outputs(double...)} and the {@code predict} methods then
 * return {@code softmax(zᴸ / T)} (or {@code σ(zᴸ / T)}) in place of the network's own probabilities. The class never
 * changes, only how sure the bundle says it is.
 *
 * <p><b>ONNX.</b> {@code io.github.backprop4j.onnx.OnnxExport.save(bundle, path)} writes the bundle as an ONNX model
 * that takes raw rows: its scaler becomes leading {@code Sub}/{@code Div} nodes on the numeric columns, and its names
 * and category mappings go into the model's metadata (see {@code docs/onnx.md}).
 *
 * <p>Immutable and thread-safe; the {@code with…} methods return new bundles. Loading treats the file as
 * untrusted, as {@link ModelFile} does: the whole header is checked before any tensor is read, and every
 * malformed file ends in a {@link ModelFormatException}.
 */
public final class ModelBundle {

    /** The value of the {@code bundle_format_version} metadata this library writes and reads. */
    static final String BUNDLE_VERSION = "1";
    static final String VERSION_KEY = "bundle_format_version";
    /** The prefix of a bundle's tensors that are not the network's. */
    static final String TENSOR_PREFIX = "preprocessing.";
    private static final String STANDARDIZER = "standardizer";
    private static final String MIN_MAX = "min_max";

    private final Network network;
    private final FeatureScaler scaler;
    private final Categories categories;
    private final List<String> classNames;
    private final List<String> featureNames;
    private final TemperatureScaling temperature;

    private ModelBundle(Network network, FeatureScaler scaler, Categories categories, List<String> classNames,
            List<String> featureNames, TemperatureScaling temperature) {
        this.network = network;
        this.scaler = scaler;
        this.categories = categories;
        this.classNames = classNames;
        this.featureNames = featureNames;
        this.temperature = temperature;
    }

    /**
     * Returns a bundle of a network alone: no scaling, no categorical columns' mappings, no names.
     *
     * @param network the network
     * @return the bundle
     */
    public static ModelBundle of(Network network) {
        Checks.notNull(network, "network");
        return new ModelBundle(network, null, Categories.none(), List.of(), List.of(), NO_SCALING);
    }

    /**
     * Returns this bundle with a fitted scaler of the numeric features.
     *
     * @param newScaler a {@link Standardizer} or {@link MinMaxScaler} of as many features as the network has
     *     numeric input columns, or {@code null} for none
     * @return a new bundle
     * @throws IllegalArgumentException if the scaler is of another class (which could not be saved) or its feature
     *     count differs from the number of numeric columns, naming both
     */
    public ModelBundle withScaler(FeatureScaler newScaler) {
        if (newScaler != null) {
            if (!(newScaler instanceof Standardizer) && !(newScaler instanceof MinMaxScaler)) {
                throw new IllegalArgumentException("scaler: a " + newScaler.getClass().getName() + " cannot be saved"
                        + " in a bundle; only a Standardizer or a MinMaxScaler can");
            }
            Checks.sameSize(newScaler.featureCount(), numericColumns(network),
                    "scaler: the number of features it was fitted on", "the number of numeric input columns of the"
                            + " network (input size " + network.inputSize() + ", " + categoricalColumns(network)
                            + " categorical)");
        }
        return new ModelBundle(network, newScaler, categories, classNames, featureNames, temperature);
    }

    /**
     * Returns this bundle with the mappings of the categorical columns, which turn text values into the indices
     * the network's embedding reads.
     *
     * @param newCategories one mapping per table of the network's first layer, an {@link Embedding}, each of the
     *     table's cardinality; {@link Categories#none()} for none (the categories are then given by index)
     * @return a new bundle
     * @throws IllegalArgumentException if the number of columns or a cardinality differs from the embedding's,
     *     naming the column and both sizes
     */
    public ModelBundle withCategories(Categories newCategories) {
        Checks.notNull(newCategories, "categories");
        if (newCategories.isEmpty()) {
            return new ModelBundle(network, scaler, newCategories, classNames, featureNames, temperature);
        }
        int[] tables = cardinalities(network);
        Checks.sameSize(newCategories.count(), tables.length, "categories: the number of categorical columns",
                "the number of embedding tables of layer 1");
        for (int c = 0; c < tables.length; c++) {
            CategoryMapping m = newCategories.mappings().get(c);
            Checks.sameSize(m.cardinality(), tables[c], "categories: the cardinality of column " + c + " (\""
                    + m.column() + "\")", "the rows of embedding table " + c + " of layer 1");
        }
        return new ModelBundle(network, scaler, newCategories, classNames, featureNames, temperature);
    }

    /**
     * Returns this bundle with the names of the classes, in the order of the network's outputs.
     *
     * @param names one distinct name per output, or two for a network of one output (class 0 where the output is
     *     at most {@link Network#BINARY_THRESHOLD}, class 1 above); none for a regression network
     * @return a new bundle
     * @throws IllegalArgumentException if the number of names does not fit the outputs (naming both) or a name
     *     repeats
     */
    public ModelBundle withClassNames(String... names) {
        Checks.notNull(names, "classNames");
        return withClassNames(Arrays.asList(names));
    }

    /**
     * Returns this bundle with the names of the classes; see {@link #withClassNames(String...)}.
     *
     * @param names one distinct name per output, or two for a network of one output; empty for none
     * @return a new bundle
     * @throws IllegalArgumentException if the number of names does not fit the outputs or a name repeats
     */
    public ModelBundle withClassNames(List<String> names) {
        List<String> copy = names(names, "classNames");
        int outputs = network.outputSize();
        if (!copy.isEmpty() && copy.size() != (outputs == 1 ? 2 : outputs)) {
            throw new IllegalArgumentException("classNames: " + copy.size() + " names, but the network has "
                    + outputs + " output" + (outputs == 1 ? ", which needs 2 names (class 0 and class 1)"
                            : "s, which need as many names"));
        }
        return new ModelBundle(network, scaler, categories, copy, featureNames, temperature);
    }

    /**
     * Returns this bundle with the names of the numeric features, in column order (the categorical columns are
     * named by their {@link CategoryMapping#column() mappings}).
     *
     * @param names one distinct name per numeric input column; none to drop the names
     * @return a new bundle
     * @throws IllegalArgumentException if the number of names differs from the number of numeric columns (naming
     *     both) or a name repeats
     */
    public ModelBundle withFeatureNames(String... names) {
        Checks.notNull(names, "featureNames");
        return withFeatureNames(Arrays.asList(names));
    }

    /**
     * Returns this bundle with the names of the numeric features; see {@link #withFeatureNames(String...)}.
     *
     * @param names one distinct name per numeric input column; empty for none
     * @return a new bundle
     * @throws IllegalArgumentException if the number of names differs from the number of numeric columns or a name
     *     repeats
     */
    public ModelBundle withFeatureNames(List<String> names) {
        List<String> copy = names(names, "featureNames");
        if (!copy.isEmpty()) {
            Checks.sameSize(copy.size(), numericColumns(network), "featureNames: the number of names",
                    "the number of numeric input columns of the network");
        }
        return new ModelBundle(network, scaler, categories, classNames, copy, temperature);
    }

    /** Temperature 1: the network's own probabilities. */
    private static final TemperatureScaling NO_SCALING = new TemperatureScaling(1);

    /**
     * Returns this bundle with a temperature that its predictions divide the output layer's logits by.
     *
     * @param scaling a temperature fitted with {@link TemperatureScaling#fit}; temperature 1 for none
     * @return a new bundle
     * @throws IllegalArgumentException if the temperature is not 1 and the network's output layer is neither a
     *     softmax over several outputs nor a sigmoid on one, naming the layer and its activation
     */
    public ModelBundle withTemperature(TemperatureScaling scaling) {
        Checks.notNull(scaling, "scaling");
        if (scaling.temperature() != 1) {
            TemperatureScaling.requireProbabilisticOutput(network);
        }
        return new ModelBundle(network, scaler, categories, classNames, featureNames, scaling);
    }

    /**
     * Returns the temperature the predictions apply.
     *
     * @return the scaling, temperature 1 if none was set
     */
    public TemperatureScaling temperature() {
        return temperature;
    }

    private static List<String> names(List<String> names, String what) {
        Checks.notNull(names, what);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < names.size(); i++) {
            String name = Checks.notNull(names.get(i), what + ": name " + i);
            if (!seen.add(name)) {
                throw new IllegalArgumentException(what + ": name " + i + " (\"" + Json.shorten(name)
                        + "\") repeats an earlier one; the names must be distinct");
            }
        }
        return List.copyOf(names);
    }

    /** The numeric input columns: all of them, or those before the embedding's category indices. */
    private static int numericColumns(Network network) {
        return network.layer(1) instanceof Embedding e ? e.numericColumns() : network.inputSize();
    }

    private static int categoricalColumns(Network network) {
        return cardinalities(network).length;
    }

    private static int[] cardinalities(Network network) {
        return network.layer(1) instanceof Embedding e ? e.cardinalities() : new int[0];
    }

    // ------------------------------------------------------------------ accessors

    /**
     * Returns the network.
     *
     * @return the network, which takes scaled rows
     */
    public Network network() {
        return network;
    }

    /**
     * Returns the scaler of the numeric features, if any.
     *
     * @return the scaler, or {@code null} if the network takes the numeric features as they are
     */
    public FeatureScaler scaler() {
        return scaler;
    }

    /**
     * Returns the mappings of the categorical columns.
     *
     * @return the categories, {@link Categories#none()} if there are none
     */
    public Categories categories() {
        return categories;
    }

    /**
     * Returns the class names.
     *
     * @return the names in output order, empty if none were given
     */
    public List<String> classNames() {
        return classNames;
    }

    /**
     * Returns the names of the numeric features.
     *
     * @return the names in column order, empty if none were given
     */
    public List<String> featureNames() {
        return featureNames;
    }

    // ------------------------------------------------------------------ predicting

    /**
     * What a bundle predicts for one raw row.
     *
     * @param outputs the network's outputs, {@code [outputSize]}
     * @param classIndex the predicted class as {@link Network#predictClass(double[])} gives it
     * @param className its name, or {@code null} if the bundle has no class names
     * @param probabilities the outputs by class name, in class order, empty without class names: the
     *     probabilities of a softmax output layer, or {@code 1 − y} and {@code y} for a single output; for other
     *     output activations the outputs as they are (scores)
     */
    public record Prediction(double[] outputs, int classIndex, String className, Map<String, Double> probabilities) {

        /**
         * Checks and copies the arguments.
         *
         * @param outputs the outputs
         * @param classIndex the class index
         * @param className the class name or {@code null}
         * @param probabilities the probabilities by class name
         */
        public Prediction {
            outputs = Checks.notNull(outputs, "outputs").clone();
            probabilities = Collections.unmodifiableMap(new LinkedHashMap<>(Checks.notNull(probabilities,
                    "probabilities")));
        }

        /**
         * Returns a copy of the outputs.
         *
         * @return the network's outputs
         */
        @Override
        public double[] outputs() {
            return outputs.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Prediction p && Arrays.equals(outputs, p.outputs) && classIndex == p.classIndex
                    && Objects.equals(className, p.className) && probabilities.equals(p.probabilities);
        }

        @Override
        public int hashCode() {
            return Objects.hash(Arrays.hashCode(outputs), classIndex, className, probabilities);
        }

        @Override
        public String toString() {
            return "Prediction[" + (className != null ? className + " " + probabilities : "class " + classIndex
                    + ", outputs " + Arrays.toString(outputs)) + "]";
        }
    }

    /**
     * Scales the numeric features of a raw row, leaving its category indices as they are.
     *
     * @param rawRow the numeric features, unscaled, then one category index per categorical column,
     *     {@code [inputSize]}
     * @return a new row that the network takes
     * @throws IllegalArgumentException if the length differs from the network's input size, naming both
     */
    public double[] scale(double[] rawRow) {
        Checks.notNull(rawRow, "rawRow");
        Checks.sameSize(rawRow.length, network.inputSize(), "rawRow: the number of values (" + numericColumns(network)
                + " numeric, " + categoricalColumns(network) + " categorical)", "the input size of the network");
        return scaler == null ? rawRow.clone() : scaler.transformNumeric(rawRow);
    }

    /**
     * Returns the network's outputs for a raw row: scaled, then predicted, with the bundle's
     * {@linkplain #temperature() temperature} applied to the output layer's logits. For a regression network,
     * these are the predictions.
     *
     * @param rawRow the numeric features, unscaled, then the category indices, {@code [inputSize]}
     * @return the outputs, {@code [outputSize]}
     * @throws IllegalArgumentException if the length is wrong, a value is not finite or an index is outside its
     *     table
     */
    public double[] outputs(double... rawRow) {
        double[] row = scale(rawRow);
        if (temperature.temperature() == 1) {
            return network.predict(row);
        }
        network.predict(row); // checks the row as prediction does (finite, indices inside their tables)
        return temperature.probabilities(network, Matrix.of(Precision.FLOAT64, new double[][] {row}, "rawRow"))
                .row(0); // softmax(zᴸ / T)
    }

    /**
     * Predicts from a raw row of numbers.
     *
     * @param rawRow the numeric features, unscaled, then one category index per categorical column,
     *     {@code [inputSize]}
     * @return the outputs, the class and, with class names, its name and the probabilities by name
     * @throws IllegalArgumentException if the length is wrong, a value is not finite or an index is outside its
     *     table
     */
    public Prediction predict(double[] rawRow) {
        double[] out = outputs(rawRow);
        int index = Network.classesOf(Matrix.of(Precision.FLOAT64, new double[][] {out}, "outputs"))[0];
        if (classNames.isEmpty()) {
            return new Prediction(out, index, null, Map.of());
        }
        Map<String, Double> probabilities = new LinkedHashMap<>();
        if (out.length == 1) {
            probabilities.put(classNames.get(0), 1 - out[0]);
            probabilities.put(classNames.get(1), out[0]);
        } else {
            for (int k = 0; k < out.length; k++) {
                probabilities.put(classNames.get(k), out[k]);
            }
        }
        return new Prediction(out, index, classNames.get(index), probabilities);
    }

    /**
     * Predicts from a raw row of text, as read from a CSV line: the numeric features as decimal numbers, then
     * each categorical column's value, mapped through its {@link CategoryMapping}.
     *
     * @param rawRow {@code [inputSize]} values
     * @return the prediction, as {@link #predict(double[])} gives it
     * @throws IllegalArgumentException if the length is wrong, a numeric value is not a finite number (naming the
     *     column), or a category value is unknown to a column without an unknown bucket (naming the column, the
     *     value and the known values)
     */
    public Prediction predict(String... rawRow) {
        Checks.notNull(rawRow, "rawRow");
        return predict((Object[]) rawRow);
    }

    /**
     * Predicts from a raw row of mixed values: a {@link Number} (or its decimal text) for each numeric feature,
     * then for each categorical column its value as a {@link String}, mapped through the column's
     * {@link CategoryMapping}, or its index as an {@link Integer}.
     *
     * @param rawRow {@code [inputSize]} values
     * @return the prediction, as {@link #predict(double[])} gives it
     * @throws IllegalArgumentException if the length is wrong, a value is of the wrong type or not finite (naming
     *     the column), a category value is unknown to a column without an unknown bucket, or the bundle has no
     *     mapping for a categorical column given as text
     */
    public Prediction predict(Object... rawRow) {
        Checks.notNull(rawRow, "rawRow");
        int numeric = numericColumns(network);
        Checks.sameSize(rawRow.length, network.inputSize(), "rawRow: the number of values (" + numeric
                + " numeric, " + categoricalColumns(network) + " categorical)", "the input size of the network");
        double[] row = new double[rawRow.length];
        for (int j = 0; j < rawRow.length; j++) {
            Object v = Checks.notNull(rawRow[j], "rawRow: column " + j);
            row[j] = j < numeric ? number(v, j) : categoryIndex(v, j - numeric, j);
        }
        return predict(row);
    }

    private double number(Object v, int j) {
        String column = "rawRow: column " + j + (featureNames.isEmpty() ? "" : " (\"" + featureNames.get(j) + "\")");
        double x;
        if (v instanceof Number n) {
            x = n.doubleValue();
        } else if (v instanceof String s) {
            try {
                x = Double.parseDouble(s.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(column + " is \"" + Json.shorten(s) + "\", not a number", e);
            }
        } else {
            throw new IllegalArgumentException(column + " is a " + v.getClass().getName() + "; a numeric feature is"
                    + " a Number or its decimal text");
        }
        return Checks.finite(x, column);
    }

    private double categoryIndex(Object v, int c, int j) {
        if (v instanceof Integer index) {
            return index;
        }
        if (!(v instanceof String s)) {
            throw new IllegalArgumentException("rawRow: column " + j + " (categorical column " + c + ") is a "
                    + v.getClass().getName() + "; a category is its text (String) or its index (Integer)");
        }
        if (categories.isEmpty()) {
            throw new IllegalArgumentException("rawRow: column " + j + " (categorical column " + c + ") is the text \""
                    + Json.shorten(s) + "\", but this bundle has no category mappings to turn it into an index; "
                    + "give the index, or add the mappings with withCategories");
        }
        return categories.mapping(c).indexOf(s);
    }

    // ------------------------------------------------------------------ saving

    /**
     * Saves the bundle atomically in one safetensors file: the file is either the complete new bundle or, if
     * saving fails or the process dies, whatever it was before.
     *
     * @param file the file to create or replace, conventionally ending in {@code .safetensors}
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if an activation is not registered with {@link Components}
     */
    public void save(Path file) throws IOException {
        Checks.notNull(file, "file");
        ModelFile.Contents contents = encode();
        AtomicFiles.write(file, out -> Safetensors.write(out, contents.metadata(), contents.tensors()));
    }

    /**
     * Writes the bundle to a stream.
     *
     * @param out where to write; flushed, not closed
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if an activation is not registered with {@link Components}
     */
    public void save(OutputStream out) throws IOException {
        Checks.notNull(out, "out");
        ModelFile.Contents contents = encode();
        Safetensors.write(out, contents.metadata(), contents.tensors());
        out.flush();
    }

    ModelFile.Contents encode() {
        Map<String, String> meta = new TreeMap<>();
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        ModelFile.encodeNetwork(network, meta, tensors);
        meta.put(VERSION_KEY, BUNDLE_VERSION);
        if (scaler instanceof Standardizer s) {
            meta.put("bundle.scaler", STANDARDIZER);
            tensors.put(TENSOR_PREFIX + "mean", vector(s.means()));
            tensors.put(TENSOR_PREFIX + "std", vector(s.standardDeviations()));
        } else if (scaler instanceof MinMaxScaler m) {
            meta.put("bundle.scaler", MIN_MAX);
            meta.put("bundle.scaler.lower", Double.toString(m.lower()));
            meta.put("bundle.scaler.upper", Double.toString(m.upper()));
            tensors.put(TENSOR_PREFIX + "min", vector(m.minimums()));
            tensors.put(TENSOR_PREFIX + "max", vector(m.maximums()));
        }
        if (!categories.isEmpty()) {
            meta.put("bundle.categories", categories.toJson());
        }
        if (!classNames.isEmpty()) {
            meta.put("bundle.class_names", jsonArray(classNames));
        }
        if (!featureNames.isEmpty()) {
            meta.put("bundle.feature_names", jsonArray(featureNames));
        }
        if (temperature.temperature() != 1) {
            meta.put("bundle.temperature", Double.toString(temperature.temperature()));
        }
        return new ModelFile.Contents(meta, tensors);
    }

    private static Safetensors.Tensor vector(double[] values) {
        return Safetensors.encode(Safetensors.DType.F64, new long[] {values.length}, values);
    }

    private static String jsonArray(List<String> names) {
        StringBuilder out = new StringBuilder("[");
        for (int i = 0; i < names.size(); i++) {
            out.append(i == 0 ? "" : ",");
            Json.writeString(out, names.get(i));
        }
        return out.append(']').toString();
    }

    // ------------------------------------------------------------------ loading

    /**
     * Loads a bundle saved by {@link #save(Path)}, in the precision it was saved in; a plain network file
     * (written by {@link ModelFile#save(Network, Path)}) gives a bundle of the network alone.
     *
     * @param file the file
     * @return a bundle equal to the saved one
     * @throws ModelFormatException if the file is not a valid network or bundle file, saying what is wrong and
     *     where
     * @throws IOException if the file is missing, not a regular file or cannot be read; the message names the path
     */
    public static ModelBundle load(Path file) throws IOException {
        Checks.notNull(file, "file");
        try (InputStream in = ModelFile.open(file)) {
            return read(in, Files.size(file), file.toString());
        }
    }

    /**
     * Reads a bundle (or a plain network file) from a stream; see {@link #load(Path)}.
     *
     * @param in the file's bytes; read to the end, not closed
     * @return the bundle
     * @throws ModelFormatException if the bytes are not a valid network or bundle file
     * @throws IOException if reading fails
     */
    public static ModelBundle load(InputStream in) throws IOException {
        Checks.notNull(in, "in");
        return read(in, -1, "the stream");
    }

    /**
     * Reads a bundle: the whole header first (the network's metadata and tensors as {@link ModelFile} checks them,
     * then the bundle's metadata and preprocessing tensors, and that their sizes agree with the network's), then
     * the data.
     */
    static ModelBundle read(InputStream in, long size, String where) throws IOException {
        Safetensors.Header header = Safetensors.readHeader(in, size, where);
        Map<String, ModelFile.Wanted> wanted = new LinkedHashMap<>();
        ModelFile.NetworkPlan plan = ModelFile.planNetwork(header, null, where, wanted);
        Map<String, String> meta = header.metadata();
        String version = meta.get(VERSION_KEY);
        int numeric = plan.layers().get(0) instanceof Architecture.Embed e ? e.numeric()
                : ModelFile.positiveInt(meta, "input_size", where);
        String scalerKind = null;
        List<String> scalerTensors = List.of();
        if (version != null) {
            if (!version.equals(BUNDLE_VERSION)) {
                throw new ModelFormatException(where + " has " + VERSION_KEY + " \"" + Json.shorten(version)
                        + "\"; this library (" + ModelFile.libraryVersion() + ") reads version " + BUNDLE_VERSION);
            }
            for (String key : meta.keySet()) {
                if (key.startsWith("bundle.") && !KNOWN_KEYS.contains(key)) {
                    throw new ModelFormatException(where + " has the metadata \"" + Json.shorten(key) + "\", which "
                            + "this library (" + ModelFile.libraryVersion() + ") does not know; it knows "
                            + new java.util.TreeSet<>(KNOWN_KEYS));
                }
            }
            scalerKind = meta.get("bundle.scaler");
            if (scalerKind != null) {
                scalerTensors = switch (scalerKind) {
                    case STANDARDIZER -> List.of(TENSOR_PREFIX + "mean", TENSOR_PREFIX + "std");
                    case MIN_MAX -> List.of(TENSOR_PREFIX + "min", TENSOR_PREFIX + "max");
                    default -> throw new ModelFormatException("metadata \"bundle.scaler\" of " + where + " is \""
                            + Json.shorten(scalerKind) + "\", not " + STANDARDIZER + " or " + MIN_MAX);
                };
                for (String name : scalerTensors) {
                    ModelFile.want(header, name, new ModelFile.Wanted(new long[] {numeric}, Safetensors.DType.F64,
                            Precision.FLOAT64), where, "a scaler", wanted);
                }
            }
        } else {
            for (String key : meta.keySet()) {
                if (key.startsWith("bundle.")) {
                    throw new ModelFormatException(where + " has the metadata \"" + Json.shorten(key) + "\" but no "
                            + "\"" + VERSION_KEY + "\"");
                }
            }
        }
        ModelFile.requireAllUsed(header.tensors().keySet(), wanted.keySet(), where);
        // Everything the metadata hold is checked before the data are read.
        Categories categories = Categories.none();
        String categoriesJson = meta.get("bundle.categories");
        if (categoriesJson != null) {
            try {
                categories = Categories.fromJson(categoriesJson);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException("metadata \"bundle.categories\" of " + where + ": " + e.getMessage(), e);
            }
        }
        List<String> classNames = stringArray(meta, "bundle.class_names", where);
        List<String> featureNames = stringArray(meta, "bundle.feature_names", where);
        double lower = 0;
        double upper = 0;
        if (MIN_MAX.equals(scalerKind)) {
            lower = ModelFile.decimal(meta, "bundle.scaler.lower", where);
            upper = ModelFile.decimal(meta, "bundle.scaler.upper", where);
        } else if (meta.containsKey("bundle.scaler.lower") || meta.containsKey("bundle.scaler.upper")) {
            throw new ModelFormatException(where + " has bundle.scaler.lower or upper, which only a min_max scaler "
                    + "takes");
        }
        TemperatureScaling temperature = NO_SCALING;
        if (meta.containsKey("bundle.temperature")) {
            double t = ModelFile.decimal(meta, "bundle.temperature", where);
            if (!(t > 0) || !Double.isFinite(t)) {
                throw new ModelFormatException("metadata \"bundle.temperature\" of " + where + " is " + t
                        + "; a temperature is finite and positive");
            }
            temperature = new TemperatureScaling(t);
        }
        ModelFile.requireHeap(wanted.values(), where);
        Map<String, Object> decoded;
        try {
            decoded = Safetensors.readData(in, header, size, where,
                    (e, data) -> ModelFile.decode(e, data, wanted.get(e.name()), where));
        } catch (OutOfMemoryError e) {
            throw ModelFile.outOfMemory(wanted.values(), where);
        }
        Network network = plan.build(decoded, where);
        try {
            ModelBundle bundle = of(network);
            if (scalerKind != null) {
                double[] first = ((Matrix) decoded.get(scalerTensors.get(0))).row(0);
                double[] second = ((Matrix) decoded.get(scalerTensors.get(1))).row(0);
                bundle = bundle.withScaler(scalerKind.equals(STANDARDIZER) ? Standardizer.of(first, second)
                        : MinMaxScaler.of(first, second, lower, upper));
            }
            return bundle.withCategories(categories).withClassNames(classNames).withFeatureNames(featureNames)
                    .withTemperature(temperature);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException("the bundle of " + where + ": " + e.getMessage(), e);
        }
    }

    private static final Set<String> KNOWN_KEYS = Set.of("bundle.scaler", "bundle.scaler.lower",
            "bundle.scaler.upper", "bundle.categories", "bundle.class_names", "bundle.feature_names",
            "bundle.temperature");

    private static List<String> stringArray(Map<String, String> meta, String key, String where)
            throws ModelFormatException {
        String text = meta.get(key);
        if (text == null) {
            return List.of();
        }
        Object parsed = Json.parse(text, "metadata \"" + key + "\" of " + where);
        if (!(parsed instanceof List<?> list)) {
            throw new ModelFormatException("metadata \"" + key + "\" of " + where + " is not a JSON array");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String s)) {
                throw new ModelFormatException("metadata \"" + key + "\" of " + where + " holds a value that is not "
                        + "a string at index " + out.size());
            }
            out.add(s);
        }
        return out;
    }

    // ------------------------------------------------------------------ object

    /** Bundles are equal when their networks, scalers, categories, names and temperatures are equal. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ModelBundle b && network.equals(b.network) && Objects.equals(scaler, b.scaler)
                && categories.equals(b.categories) && classNames.equals(b.classNames)
                && featureNames.equals(b.featureNames) && temperature.equals(b.temperature);
    }

    @Override
    public int hashCode() {
        return Objects.hash(network, scaler, categories, classNames, featureNames, temperature);
    }

    @Override
    public String toString() {
        return "ModelBundle[" + network.inputSize() + " inputs → " + network.outputSize() + " outputs, scaler "
                + (scaler == null ? "none" : scaler) + ", " + categories.count() + " categorical columns"
                + (classNames.isEmpty() ? "" : ", classes " + classNames)
                + (temperature.temperature() == 1 ? "" : ", temperature " + temperature.temperature()) + "]";
    }
}
