package io.github.backprop4j.io;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Saves and loads networks as <a href="https://github.com/huggingface/safetensors">safetensors</a> files
 * that PyTorch reads as they are. The format and its guarantees are described in
 * {@code docs/model-format.md}.
 *
 * <pre>{@code
 * ModelFile.save(network, Path.of("iris.safetensors"));
 * Network same = ModelFile.load(Path.of("iris.safetensors"));          // equal, bit for bit
 * Network fromTorch = ModelFile.loadWeights(Path.of("torch.safetensors"),
 *         Network.builder().input(4).dense(16, Activation.RELU).dense(3, Activation.SOFTMAX).build());
 * }</pre>
 *
 * <p><b>Tensor names.</b> Layer {@code l}'s weights {@code [out × in]} and bias {@code [out]} are named as
 * PyTorch names the parameters of an {@code nn.Sequential} in which every layer is an {@code nn.Linear}
 * followed by its activation module: {@code 0.weight}, {@code 0.bias}, then {@code 2.weight} … . An
 * identity activation has no module and takes no index, so {@code nn.Sequential(nn.Linear(4, 8),
 * nn.Linear(8, 3))} matches a network of two identity layers ({@code 0.*}, {@code 1.*}). See
 * {@link #tensorNames(Network)}.
 *
 * <p><b>Untrusted files.</b> Loading runs no code from the file, allocates memory only as far as the file's
 * real bytes justify, and ends either in a valid network or in a {@link ModelFormatException} saying what
 * is wrong and where (or another {@link IOException} from the file system).
 */
public final class ModelFile {

    /** The value of the {@code format} metadata of a network file. */
    static final String FORMAT = "backprop4j.network";
    /** The format version this library writes and reads. */
    static final int FORMAT_VERSION = 1;
    /** Metadata features a reader must understand; this version defines none. */
    private static final Set<String> KNOWN_FEATURES = Set.of();
    private static final Pattern POSITIVE_INT = Pattern.compile("[1-9][0-9]{0,8}");
    private static final Pattern DECIMAL = Pattern.compile(
            "-?(?:[0-9]{1,400}(?:\\.[0-9]{0,400})?|\\.[0-9]{1,400})(?:[eE][+-]?[0-9]{1,4})?|-?Infinity|NaN");

    private ModelFile() {
    }

    // ------------------------------------------------------------------ saving

    /**
     * Saves a network atomically: the file is either the complete new model or, if saving fails or the
     * process dies, whatever it was before.
     *
     * @param network the network
     * @param file the file to create or replace, conventionally ending in {@code .safetensors}
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if an activation is not registered with {@link Components}
     */
    public static void save(Network network, Path file) throws IOException {
        Checks.notNull(network, "network");
        Checks.notNull(file, "file");
        Contents contents = encode(network); // fails before touching the file system
        AtomicFiles.write(file, out -> Safetensors.write(out, contents.metadata, contents.tensors));
    }

    /**
     * Writes a network to a stream.
     *
     * @param network the network
     * @param out where to write; flushed, not closed
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if an activation is not registered with {@link Components}
     */
    public static void save(Network network, OutputStream out) throws IOException {
        Checks.notNull(network, "network");
        Checks.notNull(out, "out");
        Contents contents = encode(network);
        Safetensors.write(out, contents.metadata, contents.tensors);
        out.flush();
    }

    /**
     * Returns the tensor names of a network's parameters, in layer order: weights, then bias, of layer 1,
     * then of layer 2, and so on.
     *
     * @param network the network
     * @return e.g. {@code [0.weight, 0.bias, 2.weight, 2.bias]} for a ReLU layer followed by a softmax layer
     */
    public static List<String> tensorNames(Network network) {
        Checks.notNull(network, "network");
        List<Activation> activations = network.layers().stream().map(Layer::activation).toList();
        List<String> names = new ArrayList<>();
        for (int index : moduleIndices(activations)) {
            names.add(index + ".weight");
            names.add(index + ".bias");
        }
        return names;
    }

    /**
     * Returns the {@code nn.Sequential} index of each layer's {@code nn.Linear}, element 0 for layer 1: each
     * layer takes one index for its linear module and one for its activation module, unless that is the
     * identity.
     */
    static int[] moduleIndices(List<Activation> activations) {
        int[] indices = new int[activations.size()];
        for (int l = 1; l < indices.length; l++) {
            indices[l] = indices[l - 1] + (activations.get(l - 1).equals(Activation.IDENTITY) ? 1 : 2);
        }
        return indices;
    }

    /** Metadata and tensors, before writing or after reading. */
    record Contents(Map<String, String> metadata, Map<String, Safetensors.Tensor> tensors) {
    }

    static Contents encode(Network network) {
        Map<String, String> meta = new TreeMap<>();
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        encodeNetwork(network, meta, tensors);
        return new Contents(meta, tensors);
    }

    /** Adds a network's architecture to the metadata and its parameters to the tensors. */
    static void encodeNetwork(Network network, Map<String, String> meta, Map<String, Safetensors.Tensor> tensors) {
        meta.put("format", FORMAT);
        meta.put("format_version", Integer.toString(FORMAT_VERSION));
        meta.put("library_version", libraryVersion());
        meta.put("precision", network.precision() == Precision.FLOAT64 ? "float64" : "float32");
        meta.put("input_size", Integer.toString(network.inputSize()));
        meta.put("layer_count", Integer.toString(network.layerCount()));
        int[] modules = moduleIndices(network.layers().stream().map(Layer::activation).toList());
        for (int l = 1; l <= network.layerCount(); l++) {
            DenseLayer layer = network.dense(l);
            Components.Described activation = Components.describe(layer.activation());
            String prefix = "layer" + l + ".";
            meta.put(prefix + "units", Integer.toString(layer.outputSize()));
            meta.put(prefix + "activation", activation.name());
            activation.parameters().forEach((k, v) -> meta.put(prefix + "activation." + k, Double.toString(v)));
            tensors.put(modules[l - 1] + ".weight", tensorOf(layer.weightMatrix(), false));
            tensors.put(modules[l - 1] + ".bias", tensorOf(layer.biasVector(), true));
        }
    }

    /** Encodes a matrix in its own precision; a one-row matrix becomes a vector if asked. */
    static Safetensors.Tensor tensorOf(Matrix m, boolean asVector) {
        long[] shape = asVector ? new long[] {m.cols()} : new long[] {m.rows(), m.cols()};
        double[] values = new double[m.rows() * m.cols()];
        for (int r = 0, i = 0; r < m.rows(); r++) {
            for (int c = 0; c < m.cols(); c++) {
                values[i++] = m.get(r, c);
            }
        }
        return Safetensors.encode(m.precision() == Precision.FLOAT64 ? Safetensors.DType.F64
                : Safetensors.DType.F32, shape, values);
    }

    /** The library's version from the jar manifest, or {@code "development"} when run from classes. */
    static String libraryVersion() {
        String version = ModelFile.class.getPackage().getImplementationVersion();
        return version != null ? version : "development";
    }

    // ------------------------------------------------------------------ loading

    /**
     * Loads a network saved by {@link #save(Network, Path)}, in the precision it was saved in.
     *
     * @param file the file
     * @return a network equal to the saved one
     * @throws ModelFormatException if the file is not a valid network file, saying what is wrong and where, or
     *     its parameters need more memory than this JVM's heap has free (both sizes are named)
     * @throws IOException if the file is missing, not a regular file (a folder, a named pipe) or cannot be read;
     *     the message names the path
     */
    public static Network load(Path file) throws IOException {
        return load(file, null);
    }

    /**
     * Loads a network in the given precision: a float64 file loaded as {@link Precision#FLOAT32} is rounded
     * to float; a float32 file loaded as float64 is widened exactly.
     *
     * @param file the file
     * @param precision the precision of the result, or {@code null} for the file's own
     * @return the network
     * @throws ModelFormatException if the file is not a valid network file, saying what is wrong and where; or
     *     if, loading as {@link Precision#FLOAT32}, a finite weight is beyond float's range (the message names the
     *     file, the tensor, the element and the value); or if the parameters need more memory than this JVM's
     *     heap has free
     * @throws IOException if the file is missing, not a regular file (a folder, a named pipe) or cannot be read;
     *     the message names the path
     */
    public static Network load(Path file, Precision precision) throws IOException {
        Checks.notNull(file, "file");
        try (InputStream in = open(file)) {
            return read(in, Files.size(file), precision, file.toString());
        }
    }

    /**
     * Opens a file to load, refusing anything that is not a regular file (a folder, a named pipe, a device),
     * which could otherwise block for ever or fail without naming the path.
     *
     * @param file the file
     * @return a buffered stream of its bytes
     * @throws IOException naming the path if it is missing, not a regular file or unreadable
     */
    static InputStream open(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new java.nio.file.NoSuchFileException(file.toString(), null, "no such file");
        }
        if (!Files.isRegularFile(file)) {
            String kind = Files.isDirectory(file) ? "a folder" : "not a regular file (a pipe, socket or device?)";
            throw new java.nio.file.FileSystemException(file.toString(), null, "is " + kind + ", not a model or "
                    + "checkpoint file");
        }
        return new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    }

    /**
     * Reads a network from a stream, in the precision it was saved in. The stream must end with the file.
     *
     * @param in the file's bytes; read to the end, not closed
     * @return the network
     * @throws ModelFormatException if the bytes are not a valid network file, saying what is wrong and where
     * @throws IOException if reading fails
     */
    public static Network load(InputStream in) throws IOException {
        return load(in, null);
    }

    /**
     * Reads a network from a stream in the given precision.
     *
     * @param in the file's bytes; read to the end, not closed
     * @param precision the precision of the result, or {@code null} for the file's own
     * @return the network
     * @throws ModelFormatException if the bytes are not a valid network file, saying what is wrong and where
     * @throws IOException if reading fails
     */
    public static Network load(InputStream in, Precision precision) throws IOException {
        Checks.notNull(in, "in");
        return read(in, -1, precision, "the stream");
    }

    /**
     * Reads a network: the header first, which is checked entirely (metadata, every tensor's name, dtype and
     * shape, the memory it needs) before any tensor data is read; then the data, tensor by tensor, each
     * decoded straight into its matrix.
     */
    static Network read(InputStream in, long size, Precision precision, String where) throws IOException {
        Safetensors.Header header = Safetensors.readHeader(in, size, where);
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        NetworkPlan plan = planNetwork(header, precision, where, wanted);
        requireAllUsed(header.tensors().keySet(), wanted.keySet(), where);
        requireHeap(wanted.values(), where);
        try {
            return plan.build(Safetensors.readData(in, header, size, where,
                    (e, data) -> toMatrix(e, data, wanted.get(e.name()), where)), where);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(wanted.values(), where);
        }
    }

    /**
     * What to throw for an {@link OutOfMemoryError} while the tensors that {@link #requireHeap} let through
     * are decoded: the check can only estimate what the garbage collector will give, and once the error has
     * unwound the decoding its partial matrices are garbage and the heap is as it was, so the caller can say
     * so with the sizes instead.
     */
    static ModelFormatException outOfMemory(java.util.Collection<Wanted> wanted, String where) {
        long bytes = 0;
        for (Wanted w : wanted) {
            bytes += w.heapBytes();
        }
        return new ModelFormatException(String.format(java.util.Locale.ROOT, "the %d tensors of %s need %.1f MB "
                + "of memory and a copy of the largest, but this JVM's heap (maximum %.1f MB) ran out while they "
                + "were read; raise the maximum with -Xmx", wanted.size(), where, bytes / 1e6,
                Runtime.getRuntime().maxMemory() / 1e6));
    }

    /**
     * A tensor the architecture needs: its shape ({@code [rows, cols]}, or {@code [n]} for a row), the dtype
     * the file must hold ({@code null} for any) and the precision of the matrix it becomes.
     */
    record Wanted(long[] shape, Safetensors.DType dtype, Precision target) {
        long heapBytes() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n * (target == Precision.FLOAT64 ? 8 : 4);
        }
    }

    /** What the metadata say of a network, checked, before its tensors are read. */
    record NetworkPlan(List<Activation> activations, List<String[]> tensorNames) {

        /** Builds the network from its decoded tensors, dropping each matrix once its layer holds a copy. */
        Network build(Map<String, Matrix> matrices, String where) throws ModelFormatException {
            List<Layer> layers = new ArrayList<>();
            for (int l = 1; l <= activations.size(); l++) {
                String[] names = tensorNames.get(l - 1);
                layers.add(Layer.of(matrices.remove(names[0]), matrices.remove(names[1]), activations.get(l - 1)));
            }
            return Network.of(layers);
        }
    }

    /**
     * Reads a network's architecture from the metadata and checks that the header holds each of its tensors
     * with the right dtype and shape, adding them to {@code wanted}.
     */
    static NetworkPlan planNetwork(Safetensors.Header header, Precision requested, String where,
            Map<String, Wanted> wanted) throws ModelFormatException {
        NavigableMap<String, String> meta = new TreeMap<>(header.metadata());
        String format = meta.get("format");
        if (format == null) {
            throw new ModelFormatException(where + " carries no backprop4j architecture (no \"format\" in its "
                    + "__metadata__); if it holds PyTorch weights, use ModelFile.loadWeights(file, architecture)");
        }
        if (!format.equals(FORMAT)) {
            throw new ModelFormatException(where + " has format \"" + Json.shorten(format) + "\", not \"" + FORMAT
                    + "\"");
        }
        checkVersion(meta, where);
        String precisionText = required(meta, "precision", where);
        Precision saved = switch (precisionText) {
            case "float64" -> Precision.FLOAT64;
            case "float32" -> Precision.FLOAT32;
            default -> throw new ModelFormatException("metadata \"precision\" of " + where + " is \""
                    + Json.shorten(precisionText) + "\", not float64 or float32");
        };
        Safetensors.DType dtype = saved == Precision.FLOAT64 ? Safetensors.DType.F64 : Safetensors.DType.F32;
        Precision target = requested != null ? requested : saved;
        int inputSize = positiveInt(meta, "input_size", where);
        int layerCount = positiveInt(meta, "layer_count", where);
        if (layerCount > header.tensors().size() / 2) {
            throw new ModelFormatException("metadata \"layer_count\" of " + where + " is " + layerCount + " but the "
                    + "file holds only " + header.tensors().size() + " tensors");
        }
        List<Activation> activations = new ArrayList<>();
        List<Integer> units = new ArrayList<>();
        for (int l = 1; l <= layerCount; l++) {
            units.add(positiveInt(meta, "layer" + l + ".units", where));
            activations.add(activation(meta, "layer" + l + ".activation", where));
        }
        int[] modules = moduleIndices(activations);
        List<String[]> names = new ArrayList<>();
        int previous = inputSize;
        for (int l = 1; l <= layerCount; l++) {
            String weightName = modules[l - 1] + ".weight";
            String biasName = modules[l - 1] + ".bias";
            want(header, weightName, new Wanted(new long[] {units.get(l - 1), previous}, dtype, target), where,
                    "the metadata's precision", wanted);
            want(header, biasName, new Wanted(new long[] {units.get(l - 1)}, dtype, target), where,
                    "the metadata's precision", wanted);
            names.add(new String[] {weightName, biasName});
            previous = units.get(l - 1);
        }
        return new NetworkPlan(activations, names);
    }

    static void checkVersion(Map<String, String> meta, String where) throws ModelFormatException {
        String version = required(meta, "format_version", where);
        if (!version.equals(Integer.toString(FORMAT_VERSION))) {
            throw new ModelFormatException(where + " has format_version \"" + Json.shorten(version) + "\"; this "
                    + "library (" + libraryVersion() + ") reads version " + FORMAT_VERSION);
        }
        String features = meta.getOrDefault("required_features", "");
        for (String feature : features.split(",")) {
            if (!feature.isBlank() && !KNOWN_FEATURES.contains(feature.strip())) {
                throw new ModelFormatException(where + " requires the feature \"" + Json.shorten(feature.strip())
                        + "\", which this library (" + libraryVersion() + ") does not know");
            }
        }
    }

    private static Activation activation(NavigableMap<String, String> meta, String key, String where)
            throws ModelFormatException {
        String name = required(meta, key, where);
        Map<String, Double> parameters = new TreeMap<>();
        String prefix = key + ".";
        for (Map.Entry<String, String> e : meta.tailMap(prefix).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            parameters.put(e.getKey().substring(prefix.length()), decimal(meta, e.getKey(), where));
        }
        try {
            return Components.activation(name, parameters);
        } catch (RuntimeException e) {
            throw new ModelFormatException("metadata \"" + key + "\" of " + where + ": " + e.getMessage(), e);
        }
    }

    /** Checks that the header holds a tensor of the wanted dtype and shape, and adds it to {@code wanted}. */
    static void want(Safetensors.Header header, String name, Wanted w, String where, String dtypeReason,
            Map<String, Wanted> wanted) throws ModelFormatException {
        Safetensors.Entry e = header.tensors().get(name);
        if (e == null) {
            throw new ModelFormatException(where + " has no tensor \"" + name + "\"; it has "
                    + Json.shorten(new TreeSet<>(header.tensors().keySet()).toString()));
        }
        if (w.dtype() != null && e.dtype() != w.dtype()) {
            throw new ModelFormatException("tensor \"" + Json.shorten(name) + "\" of " + where + " is " + e.dtype()
                    + " but " + dtypeReason + " needs " + w.dtype());
        }
        if (!java.util.Arrays.equals(e.shape(), w.shape())) {
            throw new ModelFormatException("tensor \"" + Json.shorten(name) + "\" of " + where + " has shape "
                    + e.shapeText() + " but the architecture needs " + java.util.Arrays.toString(w.shape()));
        }
        wanted.put(name, w);
    }

    /**
     * Refuses, before anything is allocated, tensors that need more memory than this JVM's heap has free
     * (their matrices and one copy of the largest), naming both sizes.
     */
    static void requireHeap(java.util.Collection<Wanted> wanted, String where) throws ModelFormatException {
        long bytes = 0;
        long largest = 0;
        for (Wanted w : wanted) {
            bytes += w.heapBytes();
            largest = Math.max(largest, w.heapBytes());
        }
        bytes += largest; // a layer copies its matrices once they are decoded
        try {
            Checks.fitsInHeap(bytes, "the " + wanted.size() + " tensors of " + where);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(e.getMessage());
        }
    }

    /**
     * Decodes one tensor's little-endian bytes straight into a matrix of the wanted precision, refusing values
     * that are not finite, or too large for float32 when that is the target, by element and value.
     */
    static Matrix toMatrix(Safetensors.Entry e, Safetensors.Elements data, Wanted w, String where)
            throws IOException {
        long[] shape = w.shape();
        int rows = shape.length == 2 ? (int) shape[0] : 1;
        int cols = (int) shape[shape.length - 1];
        Matrix m = Matrix.zeros(w.target(), rows, cols);
        boolean toFloat = w.target() == Precision.FLOAT32;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                double v = data.next();
                if (!Double.isFinite(v) || (toFloat && Math.abs(v) > Float.MAX_VALUE)) {
                    String at = shape.length == 2 ? "[" + r + ", " + c + "]" : "[" + c + "]";
                    throw new ModelFormatException("tensor \"" + Json.shorten(e.name()) + "\" of " + where + " holds "
                            + v + " at element " + at + (Double.isFinite(v) ? ", outside the range of FLOAT32 (±"
                                    + Float.MAX_VALUE + "); load it as FLOAT64" : ""));
                }
                m.set(r, c, v);
            }
        }
        return m;
    }

    static void requireAllUsed(Set<String> present, Set<String> used, String where) throws ModelFormatException {
        Set<String> extra = new TreeSet<>(present);
        extra.removeAll(used);
        if (!extra.isEmpty()) {
            throw new ModelFormatException(where + " holds tensors that the architecture does not use: "
                    + Json.shorten(extra.toString()));
        }
    }

    static String required(Map<String, String> meta, String key, String where) throws ModelFormatException {
        String value = meta.get(key);
        if (value == null) {
            throw new ModelFormatException(where + " lacks the metadata \"" + key + "\"");
        }
        return value;
    }

    static int positiveInt(Map<String, String> meta, String key, String where) throws ModelFormatException {
        String value = required(meta, key, where);
        if (!POSITIVE_INT.matcher(value).matches()) {
            throw new ModelFormatException("metadata \"" + key + "\" of " + where + " is \"" + Json.shorten(value)
                    + "\", not a whole number in 1..999999999");
        }
        return Integer.parseInt(value);
    }

    static long nonNegativeLong(Map<String, String> meta, String key, String where) throws ModelFormatException {
        String value = required(meta, key, where);
        if (!value.matches("0|[1-9][0-9]{0,17}")) {
            throw new ModelFormatException("metadata \"" + key + "\" of " + where + " is \"" + Json.shorten(value)
                    + "\", not a whole number in 0..999999999999999999");
        }
        return Long.parseLong(value);
    }

    static double decimal(Map<String, String> meta, String key, String where) throws ModelFormatException {
        String value = required(meta, key, where);
        if (value.length() > 1000 || !DECIMAL.matcher(value).matches()) {
            throw new ModelFormatException("metadata \"" + key + "\" of " + where + " is \"" + Json.shorten(value)
                    + "\", not a decimal number");
        }
        return Double.parseDouble(value);
    }

    // ------------------------------------------------------------------ PyTorch weights

    /**
     * Loads weights saved from PyTorch (a {@code state_dict} of an {@code nn.Sequential} of {@code nn.Linear}
     * and activation modules, written as safetensors) into an architecture declared by the caller. Any
     * {@code __metadata__} is ignored. {@code F16} and {@code BF16} values are converted exactly; {@code F64}
     * values are rounded if the architecture is {@link Precision#FLOAT32}.
     *
     * @param file the file
     * @param architecture a network whose sizes, activations and precision the result takes (its weights
     *     are ignored); its tensor names are {@link #tensorNames(Network)}
     * @return a network like {@code architecture} with the file's weights
     * @throws ModelFormatException if a tensor is missing, extra, of another shape than the architecture
     *     needs, not finite, or (for a {@link Precision#FLOAT32} architecture) beyond float's range, naming the
     *     file, the tensor, both shapes or the element and its value
     * @throws IOException if the file is missing, not a regular file or cannot be read, naming the path
     */
    public static Network loadWeights(Path file, Network architecture) throws IOException {
        Checks.notNull(file, "file");
        Checks.notNull(architecture, "architecture");
        try (InputStream in = open(file)) {
            return loadWeights(in, Files.size(file), architecture, file.toString());
        }
    }

    /**
     * Reads weights saved from PyTorch into a declared architecture; see {@link #loadWeights(Path, Network)}.
     *
     * @param in the file's bytes; read to the end, not closed
     * @param architecture a network whose sizes, activations and precision the result takes
     * @return a network like {@code architecture} with the stream's weights
     * @throws ModelFormatException if the tensors do not fit the architecture, naming the tensor and shapes
     * @throws IOException if reading fails
     */
    public static Network loadWeights(InputStream in, Network architecture) throws IOException {
        Checks.notNull(in, "in");
        Checks.notNull(architecture, "architecture");
        return loadWeights(in, -1, architecture, "the stream");
    }

    static Network loadWeights(InputStream in, long size, Network architecture, String where) throws IOException {
        Safetensors.Header header = Safetensors.readHeader(in, size, where);
        int[] modules = moduleIndices(architecture.layers().stream().map(Layer::activation).toList());
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        List<String[]> names = new ArrayList<>();
        for (int l = 1; l <= architecture.layerCount(); l++) {
            Layer declared = architecture.layer(l);
            String weightName = modules[l - 1] + ".weight";
            String biasName = modules[l - 1] + ".bias";
            want(header, weightName, new Wanted(new long[] {declared.outputSize(), declared.inputSize()}, null,
                    architecture.precision()), where, "", wanted);
            want(header, biasName, new Wanted(new long[] {declared.outputSize()}, null, architecture.precision()),
                    where, "", wanted);
            names.add(new String[] {weightName, biasName});
        }
        requireAllUsed(header.tensors().keySet(), wanted.keySet(), where);
        requireHeap(wanted.values(), where);
        NetworkPlan plan = new NetworkPlan(architecture.layers().stream().map(Layer::activation).toList(), names);
        try {
            return plan.build(Safetensors.readData(in, header, size, where,
                    (e, data) -> toMatrix(e, data, wanted.get(e.name()), where)), where);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(wanted.values(), where);
        }
    }
}
