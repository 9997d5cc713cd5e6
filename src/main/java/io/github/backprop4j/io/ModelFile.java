package io.github.backprop4j.io;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
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
 * nn.Linear(8, 3))} matches a network of two identity layers ({@code 0.*}, {@code 1.*}). The other layer kinds
 * take one index each too, named as PyTorch names {@code nn.LayerNorm} and {@code nn.BatchNorm1d}
 * ({@code weight}, {@code bias}, {@code running_mean}, {@code running_var}, and {@code num_batches_tracked} as an
 * {@code I64} scalar), an embedding's tables ({@code tables.k.weight}) and a residual block's inner
 * {@code nn.Sequential} ({@code f.<j>.}, numbered by the same rule). See {@link #tensorNames(Network)}.
 *
 * <p><b>Layer kinds.</b> A network of dense layers only is saved exactly as format version 1 always saved it; any
 * other kind adds the required feature {@code layer_kinds}, which readers from before the kinds refuse by name,
 * and a description of every layer ({@code layer<l>.kind}, its hyper-parameters, a block's inner layers under
 * {@code layer<l>.f.<j>.}). {@link #loadWeights(Path, Network)} also reads PyTorch models named module per layer
 * (module {@code i} is layer {@code i}, activations inside the modules).
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
    /**
     * Metadata features a reader must understand: {@value Architecture#LAYER_KINDS}, layers other than dense (a
     * reader before it refuses such files by this name).
     */
    private static final Set<String> KNOWN_FEATURES = Set.of(Architecture.LAYER_KINDS);
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
     * Returns the names of the tensors a network's file holds, in layer order and, within a layer, in PyTorch's
     * {@code state_dict} order: a dense layer's weights then bias; a normalization's {@code weight} ({@code γ}) and
     * {@code bias} ({@code β}), then batch normalization's {@code running_mean}, {@code running_var} and
     * {@code num_batches_tracked}; an embedding's {@code tables.k.weight}; a residual block's inner layers' tensors
     * under {@code f.<j>.}. Module indices follow format version 1's rule (see the class comment).
     *
     * @param network the network
     * @return e.g. {@code [0.weight, 0.bias, 2.weight, 2.bias]} for a ReLU layer followed by a softmax layer
     */
    public static List<String> tensorNames(Network network) {
        Checks.notNull(network, "network");
        List<String> names = new ArrayList<>();
        for (List<Architecture.TensorSpec> layer : Architecture.tensors(Architecture.of(network),
                Architecture.Naming.SEQUENTIAL)) {
            for (Architecture.TensorSpec t : layer) {
                names.add(t.name());
            }
        }
        return names;
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

    /**
     * Adds a network's architecture to the metadata and its parameters and buffers to the tensors. A network of
     * dense layers only gives exactly the files of format version 1 before the layer kinds; any other kind adds
     * the required feature {@value Architecture#LAYER_KINDS} and a {@code layer<l>.kind} for every layer.
     */
    static void encodeNetwork(Network network, Map<String, String> meta, Map<String, Safetensors.Tensor> tensors) {
        meta.put("format", FORMAT);
        meta.put("format_version", Integer.toString(FORMAT_VERSION));
        meta.put("library_version", libraryVersion());
        meta.put("precision", network.precision() == Precision.FLOAT64 ? "float64" : "float32");
        meta.put("input_size", Integer.toString(network.inputSize()));
        meta.put("layer_count", Integer.toString(network.layerCount()));
        List<Architecture.Spec> specs = Architecture.of(network);
        boolean kinds = !Architecture.allDense(specs);
        if (kinds) {
            meta.put("required_features", Architecture.LAYER_KINDS);
        }
        List<List<Architecture.TensorSpec>> names = Architecture.tensors(specs, Architecture.Naming.SEQUENTIAL);
        for (int l = 1; l <= network.layerCount(); l++) {
            Layer layer = network.layer(l);
            Architecture.describe(specs.get(l - 1), "layer" + l + ".", meta, kinds);
            Map<String, Matrix> values = new java.util.HashMap<>(layer.buffers());
            for (io.github.backprop4j.Parameter p : layer.parameters()) {
                values.put(p.name(), p.value());
            }
            for (Architecture.TensorSpec t : names.get(l - 1)) {
                tensors.put(t.name(), t.count() ? Safetensors.encodeCount(batchesTracked(layer, t.parameter()))
                        : tensorOf(values.get(t.parameter()), t.shape().length == 1));
            }
        }
    }

    /** Returns the {@code num_batches_tracked} of the batch normalization at {@code path} inside a layer. */
    private static long batchesTracked(Layer layer, String path) {
        Layer at = layer;
        String rest = path;
        while (rest.startsWith("f.")) {
            int dot = rest.indexOf('.', 2);
            at = ((io.github.backprop4j.Residual) at).inner().get(Integer.parseInt(rest.substring(2, dot)));
            rest = rest.substring(dot + 1);
        }
        return ((io.github.backprop4j.BatchNorm) at).numBatchesTracked();
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
     * Loads a network saved by {@link #save(Network, Path)}, in the precision it was saved in. A file saved by
     * {@link ModelBundle#save(Path)} loads too: its network, without the preprocessing (its {@code preprocessing.*}
     * tensors are skipped; in any other file they are refused as unused).
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
        // A model bundle's file (ModelBundle) holds its preprocessing beside the network: read as a network file,
        // those tensors are skipped; any other tensor the architecture does not use is refused.
        boolean bundle = header.metadata().containsKey(ModelBundle.VERSION_KEY);
        Set<String> used = new HashSet<>(wanted.keySet());
        if (bundle) {
            for (String name : header.tensors().keySet()) {
                if (name.startsWith(ModelBundle.TENSOR_PREFIX)) {
                    used.add(name);
                }
            }
        }
        requireAllUsed(header.tensors().keySet(), used, where);
        requireHeap(wanted.values(), where);
        try {
            return plan.build(Safetensors.readData(in, header, size, where,
                    (e, data) -> wanted.containsKey(e.name()) ? decode(e, data, wanted.get(e.name()), where)
                            : skip(e, data)), where);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(wanted.values(), where);
        }
    }

    /** Reads a tensor's elements without keeping them, so that the next tensor's data start where they should. */
    private static Object skip(Safetensors.Entry e, Safetensors.Elements data) throws IOException {
        long count = (e.end() - e.begin()) / e.dtype().size;
        for (long i = 0; i < count; i++) {
            if (e.dtype() == Safetensors.DType.I64) {
                data.nextLong();
            } else {
                data.next();
            }
        }
        return Boolean.TRUE; // a placeholder: the network does not use it
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
     * A tensor the architecture needs: its shape ({@code [rows, cols]}, {@code [n]} for a row, {@code []} for a
     * count), the dtype the file must hold ({@code null} for any floating-point one; {@code I64} for a count) and
     * the precision of the matrix it becomes.
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

    /**
     * What the metadata (or a declared architecture) say of a network, checked, before its tensors are read: each
     * layer's description and its tensors under the naming the file uses.
     */
    record NetworkPlan(List<Architecture.Spec> layers, Architecture.Naming naming,
            List<List<Architecture.TensorSpec>> tensors) {

        static NetworkPlan of(List<Architecture.Spec> layers, Architecture.Naming naming) {
            return new NetworkPlan(layers, naming, Architecture.tensors(layers, naming));
        }

        /**
         * Returns the tensor of layer {@code layer}'s parameter whose optimizer-state prefix is
         * {@code <path><kind label>} (e.g. {@code "f.1.weights"}), or {@code null} if the layer has none such.
         */
        Architecture.TensorSpec parameter(int layer, String pathAndKind) {
            for (Architecture.TensorSpec t : tensors.get(layer - 1)) {
                if (t.kind() != null) {
                    int dot = t.parameter().lastIndexOf('.');
                    String path = dot < 0 ? "" : t.parameter().substring(0, dot + 1);
                    if ((path + t.kind().label()).equals(pathAndKind)) {
                        return t;
                    }
                }
            }
            return null;
        }

        /** Builds the network from its decoded tensors, dropping each matrix once its layer holds a copy. */
        Network build(Map<String, ?> decoded, String where) throws ModelFormatException {
            @SuppressWarnings("unchecked")
            Map<String, Object> values = (Map<String, Object>) decoded;
            List<Layer> built = new ArrayList<>();
            for (int l = 1; l <= layers.size(); l++) {
                try {
                    built.add(Architecture.build(layers.get(l - 1), tensors.get(l - 1), values));
                } catch (IllegalArgumentException e) {
                    throw new ModelFormatException("layer " + l + " (" + layers.get(l - 1).kind() + ") of " + where
                            + ": " + e.getMessage(), e);
                }
            }
            try {
                return Network.of(built);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException(where + ": " + e.getMessage(), e);
            }
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
        boolean kinds = checkVersion(meta, where);
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
        if (layerCount > header.tensors().size()) { // every layer holds at least one tensor: refuse before looping
            throw new ModelFormatException("metadata \"layer_count\" of " + where + " is " + layerCount + " but the "
                    + "file holds only " + header.tensors().size() + " tensors");
        }
        Architecture.Budget budget = new Architecture.Budget(header.tensors().size() - (long) layerCount);
        List<Architecture.Spec> layers = new ArrayList<>();
        int previous = inputSize;
        for (int l = 1; l <= layerCount; l++) {
            Architecture.Spec spec = Architecture.read(meta, "layer" + l + ".", previous, l == 1, 0, kinds, budget,
                    where);
            layers.add(spec);
            previous = spec.outputSize();
        }
        NetworkPlan plan = NetworkPlan.of(layers, Architecture.Naming.SEQUENTIAL);
        for (List<Architecture.TensorSpec> layer : plan.tensors()) {
            for (Architecture.TensorSpec t : layer) {
                want(header, t.name(), new Wanted(t.shape(), t.count() ? Safetensors.DType.I64 : dtype, target),
                        where, t.count() ? "a count of batches" : "the metadata's precision", wanted);
            }
        }
        return plan;
    }

    /**
     * Refuses another format version or an unknown required feature, naming it.
     *
     * @return whether the file requires {@value Architecture#LAYER_KINDS}
     */
    static boolean checkVersion(Map<String, String> meta, String where) throws ModelFormatException {
        String version = required(meta, "format_version", where);
        if (!version.equals(Integer.toString(FORMAT_VERSION))) {
            throw new ModelFormatException(where + " has format_version \"" + Json.shorten(version) + "\"; this "
                    + "library (" + libraryVersion() + ") reads version " + FORMAT_VERSION);
        }
        String features = meta.getOrDefault("required_features", "");
        boolean kinds = false;
        for (String feature : features.split(",")) {
            if (!feature.isBlank() && !KNOWN_FEATURES.contains(feature.strip())) {
                throw new ModelFormatException(where + " requires the feature \"" + Json.shorten(feature.strip())
                        + "\", which this library (" + libraryVersion() + ") does not know");
            }
            kinds |= feature.strip().equals(Architecture.LAYER_KINDS);
        }
        return kinds;
    }

    static Activation activation(NavigableMap<String, String> meta, String key, String where)
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
        if (w.dtype() == null && e.dtype() == Safetensors.DType.I64) {
            throw new ModelFormatException("tensor \"" + Json.shorten(name) + "\" of " + where + " is I64, integers, "
                    + "but it holds parameter values; only a batch normalization's num_batches_tracked may be I64");
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
     * Decodes one tensor: a count ({@code I64}, {@code num_batches_tracked}) into a {@link Long}, refusing a
     * negative one; anything else into a matrix, see {@link #toMatrix}.
     */
    static Object decode(Safetensors.Entry e, Safetensors.Elements data, Wanted w, String where) throws IOException {
        if (w.dtype() != Safetensors.DType.I64) {
            return toMatrix(e, data, w, where);
        }
        long count = data.nextLong();
        if (count < 0) {
            throw new ModelFormatException("tensor \"" + Json.shorten(e.name()) + "\" of " + where + " holds " + count
                    + ", but a count of batches is never negative");
        }
        return count;
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
     * values are rounded if the architecture is {@link Precision#FLOAT32}. Layers of other kinds take their
     * hyper-parameters from the architecture and their parameters and buffers from the file (a batch
     * normalization's {@code num_batches_tracked} as an {@code I64} scalar, the only integer tensor accepted). The
     * names may follow either of two namings, told apart by the names present: {@link #tensorNames(Network)}'s
     * (each non-identity activation a module of its own), or module per layer ({@code i.*} is layer {@code i},
     * {@code i.f.j.*} inner layer {@code j} of a residual block).
     *
     * @param file the file
     * @param architecture a network whose sizes, activations and precision the result takes (its weights
     *     are ignored); its tensor names are {@link #tensorNames(Network)}
     * @return a network like {@code architecture} with the file's weights
     * @throws ModelFormatException if a tensor is missing or extra (the message then lists the names of both
     *     namings), of another shape than the architecture needs, of an integer dtype where values are needed, not
     *     finite, or (for a {@link Precision#FLOAT32} architecture) beyond float's range, naming the file, the
     *     tensor, both shapes or the element and its value
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
        List<Architecture.Spec> specs = Architecture.of(architecture);
        NetworkPlan sequential = NetworkPlan.of(specs, Architecture.Naming.SEQUENTIAL);
        NetworkPlan perLayer = NetworkPlan.of(specs, Architecture.Naming.MODULE_PER_LAYER);
        Set<String> present = header.tensors().keySet();
        Set<String> a = names(sequential);
        Set<String> b = names(perLayer);
        NetworkPlan plan;
        String expected = null;
        // The namings give one set of names only when they number every module alike (the sequential indices
        // are the per-layer ones exactly when no activation before the last takes a module), so a file that
        // matches both is never ambiguous: its names mean the same tensors either way.
        if (a.equals(present)) {
            plan = sequential;
        } else if (b.equals(present)) {
            plan = perLayer;
        } else {
            plan = overlap(b, present) > overlap(a, present) ? perLayer : sequential;
            expected = "; this architecture's tensors are " + listed(a) + " (" + sequential.naming().description + ")"
                    + (a.equals(b) ? "" : " or " + listed(b) + " (" + perLayer.naming().description + ")");
        }
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        try {
            for (List<Architecture.TensorSpec> layer : plan.tensors()) {
                for (Architecture.TensorSpec t : layer) {
                    want(header, t.name(), new Wanted(t.shape(), t.count() ? Safetensors.DType.I64 : null,
                            architecture.precision()), where, "a count of batches", wanted);
                }
            }
            requireAllUsed(present, wanted.keySet(), where);
        } catch (ModelFormatException e) {
            if (expected == null) {
                throw e;
            }
            throw new ModelFormatException(e.getMessage() + expected, e);
        }
        requireHeap(wanted.values(), where);
        try {
            return plan.build(Safetensors.readData(in, header, size, where,
                    (e, data) -> decode(e, data, wanted.get(e.name()), where)), where);
        } catch (OutOfMemoryError e) {
            throw outOfMemory(wanted.values(), where);
        }
    }

    private static Set<String> names(NetworkPlan plan) {
        Set<String> names = new java.util.LinkedHashSet<>();
        for (List<Architecture.TensorSpec> layer : plan.tensors()) {
            for (Architecture.TensorSpec t : layer) {
                names.add(t.name());
            }
        }
        return names;
    }

    private static int overlap(Set<String> names, Set<String> present) {
        int n = 0;
        for (String name : names) {
            n += present.contains(name) ? 1 : 0;
        }
        return n;
    }

    /** The names, in order, shortened to a readable length. */
    private static String listed(Set<String> names) {
        String text = names.toString();
        return text.length() <= 2000 ? text : text.substring(0, 1997) + "...";
    }
}
