package io.github.backprop4j.io;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingResult;
import io.github.backprop4j.train.TrainingRun;
import io.github.backprop4j.train.TrainingSnapshot;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * Saves and loads training checkpoints: a {@link TrainingSnapshot} in the same safetensors format as
 * {@link ModelFile}, so that a run can be resumed bit-identically with
 * {@link io.github.backprop4j.train.Trainer#resume}.
 *
 * <pre>{@code
 * Trainer trainer = Trainer.builder()...listeners(Checkpoint.every(folder, 5)).build();
 * trainer.fit(network, training, validation);          // writes folder/checkpoint.safetensors
 * // later, perhaps in another process:
 * TrainingResult result = trainer.resume(Checkpoint.load(Checkpoint.file(folder)), training, validation);
 * }</pre>
 *
 * <p>A checkpoint file holds the network's tensors under their {@link ModelFile#tensorNames model names},
 * the optimizer's buffers as {@code optimizer.layer<l>.<path><kind>.<buffer>} (e.g.
 * {@code optimizer.layer2.weights.m}, {@code optimizer.layer4.f.1.scale.exp_avg}; buffers of biases, scales and
 * shifts as vectors, like the parameters), and in its metadata the architecture, the epoch, the seed, the optimizer's step count, the
 * loss and optimizer by their {@link Components registered} names and parameters, and the history. Every
 * write is atomic. Loading treats the file as untrusted, like {@link ModelFile#load(Path)}.
 */
public final class Checkpoint {

    /** The value of the {@code format} metadata of a checkpoint. */
    static final String FORMAT = "backprop4j.checkpoint";
    /** The file that {@link #every(Path, int)} writes in its folder. */
    public static final String FILE_NAME = "checkpoint.safetensors";
    private static final String SLOT_PREFIX = "optimizer.";

    private Checkpoint() {
    }

    /**
     * Returns the checkpoint file that {@link #every(Path, int)} writes in a folder.
     *
     * @param directory the folder
     * @return {@code directory/checkpoint.safetensors}
     */
    public static Path file(Path directory) {
        return Checks.notNull(directory, "directory").resolve(FILE_NAME);
    }

    /**
     * Returns a listener that saves a checkpoint every {@code everyEpochs} epochs and at the end of training
     * (after the last completed epoch), each time atomically replacing {@link #file(Path) the folder's
     * checkpoint file}. Add it with {@code Trainer.Builder.listeners(...)}.
     *
     * @param directory the folder, created if missing
     * @param everyEpochs how often, at least 1
     * @return the listener; a failed write ends training with an {@link UncheckedIOException}
     */
    public static TrainingListener every(Path directory, int everyEpochs) {
        Checks.notNull(directory, "directory");
        Checks.positive(everyEpochs, "everyEpochs");
        return new TrainingListener() {
            private int saved;

            @Override
            public void onEpochEnd(TrainingRun run, io.github.backprop4j.train.EpochSummary summary) {
                if (summary.epoch() % everyEpochs == 0 || summary.epoch() == run.totalEpochs()) {
                    write(run);
                }
            }

            @Override
            public void onTrainingEnd(TrainingRun run, TrainingResult result) {
                if (run.history().size() != saved) {
                    write(run);
                }
            }

            private void write(TrainingRun run) {
                run.snapshot().ifPresent(snapshot -> {
                    try {
                        Files.createDirectories(directory);
                        save(snapshot, file(directory));
                        saved = snapshot.epoch();
                    } catch (IOException e) {
                        throw new UncheckedIOException("could not write the checkpoint of epoch " + snapshot.epoch()
                                + " to " + file(directory), e);
                    }
                });
            }
        };
    }

    // ------------------------------------------------------------------ saving

    /**
     * Saves a snapshot atomically.
     *
     * @param snapshot the snapshot
     * @param file the file to create or replace
     * @throws IOException if the file cannot be written
     * @throws IllegalArgumentException if an activation, the loss or the optimizer is not registered with
     *     {@link Components}
     */
    public static void save(TrainingSnapshot snapshot, Path file) throws IOException {
        Checks.notNull(snapshot, "snapshot");
        Checks.notNull(file, "file");
        ModelFile.Contents contents = encode(snapshot);
        AtomicFiles.write(file, out -> Safetensors.write(out, contents.metadata(), contents.tensors()));
    }

    /**
     * Writes a snapshot to a stream.
     *
     * @param snapshot the snapshot
     * @param out where to write; flushed, not closed
     * @throws IOException if writing fails
     * @throws IllegalArgumentException if an activation, the loss or the optimizer is not registered
     */
    public static void save(TrainingSnapshot snapshot, OutputStream out) throws IOException {
        Checks.notNull(snapshot, "snapshot");
        Checks.notNull(out, "out");
        ModelFile.Contents contents = encode(snapshot);
        Safetensors.write(out, contents.metadata(), contents.tensors());
        out.flush();
    }

    private static ModelFile.Contents encode(TrainingSnapshot s) {
        Map<String, String> meta = new TreeMap<>();
        Map<String, Safetensors.Tensor> tensors = new LinkedHashMap<>();
        ModelFile.encodeNetwork(s.network(), meta, tensors);
        meta.put("format", FORMAT);
        meta.put("epoch", Integer.toString(s.epoch()));
        meta.put("seed", Long.toString(s.seed()));
        meta.put("optimizer_state.step_count", Long.toString(s.optimizerState().stepCount()));
        describe(meta, "loss", Components.describe(s.loss()));
        describe(meta, "optimizer", Components.describe(s.optimizer()));
        s.optimizerState().slots().forEach((name, m) ->
                tensors.put(SLOT_PREFIX + name, ModelFile.tensorOf(m, isVectorSlot(name))));
        for (EpochSummary e : s.history().epochs()) {
            String prefix = "history." + e.epoch() + ".";
            meta.put(prefix + "samples", Long.toString(e.samples()));
            meta.put(prefix + "duration_nanos", Long.toString(e.duration().toNanos()));
            meta.put(prefix + "learning_rate", Double.toString(e.learningRate()));
            List<String> names = new ArrayList<>(e.values().keySet());
            meta.put(prefix + "names", String.join(",", names));
            for (int i = 0; i < names.size(); i++) {
                meta.put(prefix + "value." + i, Double.toString(e.values().get(names.get(i))));
            }
        }
        return new ModelFile.Contents(meta, tensors);
    }

    /**
     * Returns whether a buffer named {@code layer<l>.<path><kind>.<buffer>} belongs to a one-row parameter (a
     * bias, scale or shift), which is saved as a vector like the parameter itself.
     */
    private static boolean isVectorSlot(String name) {
        String[] parts = name.split("\\.");
        String kind = parts[parts.length - 2];
        for (io.github.backprop4j.optim.ParameterKind k : io.github.backprop4j.optim.ParameterKind.values()) {
            if (k.label().equals(kind)) {
                return k.isVector();
            }
        }
        return false;
    }

    private static void describe(Map<String, String> meta, String key, Components.Described d) {
        meta.put(key, d.name());
        d.parameters().forEach((k, v) -> meta.put(key + "." + k, Double.toString(v)));
    }

    // ------------------------------------------------------------------ loading

    /**
     * Loads a checkpoint.
     *
     * @param file the file
     * @return the snapshot it holds
     * @throws ModelFormatException if the file is not a valid checkpoint, names a loss or optimizer that is
     *     not registered, or, after at least one step, lacks a buffer that its optimizer keeps (such as Adam's
     *     {@code exp_avg_sq}), saying what is wrong and where
     * @throws IOException if the file is missing, not a regular file or cannot be read, naming the path
     */
    public static TrainingSnapshot load(Path file) throws IOException {
        Checks.notNull(file, "file");
        try (InputStream in = ModelFile.open(file)) {
            return read(in, Files.size(file), file.toString());
        }
    }

    /**
     * Reads a checkpoint from a stream, which must end with the file.
     *
     * @param in the file's bytes; read to the end, not closed
     * @return the snapshot it holds
     * @throws ModelFormatException if the bytes are not a valid checkpoint, saying what is wrong and where
     * @throws IOException if reading fails
     */
    public static TrainingSnapshot load(InputStream in) throws IOException {
        Checks.notNull(in, "in");
        return read(in, -1, "the stream");
    }

    /**
     * Reads a checkpoint: the whole header is checked (architecture, optimizer buffers' names, dtypes and
     * shapes, loss, optimizer, history) before the tensors are read one by one into their matrices.
     */
    static TrainingSnapshot read(InputStream in, long size, String where) throws IOException {
        Safetensors.Header header = Safetensors.readHeader(in, size, where);
        NavigableMap<String, String> meta = new TreeMap<>(header.metadata());
        String format = meta.get("format");
        if (!FORMAT.equals(format)) {
            throw new ModelFormatException(where + " is not a checkpoint: its format is "
                    + (format == null ? "missing" : "\"" + Json.shorten(format) + "\"") + ", not \"" + FORMAT + "\"");
        }
        // The network part reads like a model file.
        Map<String, String> networkMeta = new TreeMap<>(meta);
        networkMeta.put("format", ModelFile.FORMAT);
        Map<String, ModelFile.Wanted> wanted = new LinkedHashMap<>();
        ModelFile.NetworkPlan plan = ModelFile.planNetwork(new Safetensors.Header(networkMeta, header.tensors(),
                header.dataStart(), header.dataLength()), null, where, wanted);
        int epoch = ModelFile.positiveInt(meta, "epoch", where);
        long seed = parseLong(meta, "seed", where);
        long stepCount = ModelFile.nonNegativeLong(meta, "optimizer_state.step_count", where);
        Loss loss;
        Optimizer optimizer;
        try {
            loss = Components.loss(ModelFile.required(meta, "loss", where), parameters(meta, "loss", where));
        } catch (RuntimeException e) {
            throw new ModelFormatException("metadata \"loss\" of " + where + ": " + e.getMessage(), e);
        }
        try {
            optimizer = Components.optimizer(ModelFile.required(meta, "optimizer", where),
                    parameters(meta, "optimizer", where));
        } catch (RuntimeException e) {
            throw new ModelFormatException("metadata \"optimizer\" of " + where + ": " + e.getMessage(), e);
        }
        Set<String> parameters = new HashSet<>(wanted.keySet());
        for (Safetensors.Entry e : header.tensors().values()) {
            String name = e.name();
            if (parameters.contains(name)) {
                continue;
            }
            if (!name.startsWith(SLOT_PREFIX)) {
                throw new ModelFormatException(where + " holds the tensor \"" + Json.shorten(name) + "\", which is "
                        + "neither a parameter of the network nor an optimizer buffer (" + SLOT_PREFIX + "…)");
            }
            wanted.put(name, slot(plan, wanted, name, e, where));
        }
        if (epoch > meta.size()) { // each epoch needs several metadata entries: refuse before looping
            throw new ModelFormatException("metadata \"epoch\" of " + where + " is " + epoch + " but the file has "
                    + "too little metadata for so long a history");
        }
        List<EpochSummary> epochs = new ArrayList<>();
        for (int e = 1; e <= epoch; e++) {
            epochs.add(summary(meta, e, where));
        }
        ModelFile.requireHeap(wanted.values(), where);
        Network network;
        OptimizerState state;
        try {
            Map<String, Object> matrices = Safetensors.readData(in, header, size, where,
                    (e, data) -> ModelFile.decode(e, data, wanted.get(e.name()), where));
            Map<String, Matrix> slots = new TreeMap<>();
            for (String name : wanted.keySet()) {
                if (!parameters.contains(name)) {
                    slots.put(name.substring(SLOT_PREFIX.length()), (Matrix) matrices.remove(name));
                }
            }
            network = plan.build(matrices, where);
            if (stepCount > 0) {
                requireBuffersTheOptimizerKeeps(optimizer, network, slots.keySet(), stepCount, where);
            }
            try {
                state = OptimizerState.restore(slots, stepCount);
            } catch (IllegalArgumentException e) {
                throw new ModelFormatException("the optimizer state of " + where + ": " + e.getMessage(), e);
            }
        } catch (OutOfMemoryError e) {
            throw ModelFile.outOfMemory(wanted.values(), where);
        }
        try {
            return new TrainingSnapshot(network, state, epoch, seed, new History(epochs), loss, optimizer);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Refuses a checkpoint of a run that has taken steps but lacks a buffer its optimizer keeps (e.g. Adam's
     * {@code exp_avg_sq}), which would otherwise resume as if the buffer were zero and reach a different
     * network. The buffers an optimizer keeps are found by letting it take one step on a copy of each
     * parameter's first element in a fresh state; an optimizer that fails on that probe is not checked.
     */
    private static void requireBuffersTheOptimizerKeeps(Optimizer optimizer, Network network, Set<String> present,
            long steps, String where) throws ModelFormatException {
        for (int l = 1; l <= network.layerCount(); l++) {
            for (io.github.backprop4j.Parameter p : network.layer(l).parameters()) {
                Set<String> kept;
                try {
                    OptimizerState probe = new OptimizerState();
                    Matrix parameter = Matrix.zeros(network.precision(), 1, 1);
                    optimizer.update(parameter, Matrix.zeros(network.precision(), 1, 1), 1e-3,
                            probe.forParameter(l, p.path(), p.kind(), parameter));
                    kept = probe.slots().keySet();
                } catch (RuntimeException notProbed) {
                    return;
                }
                for (String name : kept) {
                    if (!present.contains(name)) {
                        throw new ModelFormatException(where + " lacks the optimizer buffer \"" + SLOT_PREFIX + name
                                + "\" that " + Components.describe(optimizer).name() + " keeps: after " + steps
                                + " steps the run cannot resume as it was without it");
                    }
                }
            }
        }
    }

    /**
     * Checks one optimizer buffer, {@code optimizer.layer<l>.<path><kind>.<buffer>}, whose shape and dtype must be
     * those of the parameter it belongs to.
     */
    private static ModelFile.Wanted slot(ModelFile.NetworkPlan plan, Map<String, ModelFile.Wanted> wanted,
            String tensorName, Safetensors.Entry t, String where) throws ModelFormatException {
        // Taken apart by hand: a regular expression's repetition could overflow the stack on a hostile name.
        String[] parts = tensorName.split("\\.", -1); // optimizer, layer<l>, path segments…, kind, buffer
        boolean named = parts.length >= 4 && parts.length % 2 == 0 && parts.length <= 4 + 2 * Architecture.MAX_DEPTH
                && parts[1].matches("layer[1-9][0-9]{0,8}") && parts[parts.length - 1].matches("[A-Za-z0-9_]{1,200}");
        for (int i = 2; named && i < parts.length - 2; i += 2) {
            named = parts[i].matches("[a-z]{1,20}") && parts[i + 1].matches("0|[1-9][0-9]{0,8}");
        }
        if (!named) {
            throw new ModelFormatException(where + " holds the tensor \"" + Json.shorten(tensorName) + "\", not "
                    + "named optimizer.layer<l>.<path><kind>.<buffer> (e.g. optimizer.layer2.weights.m, "
                    + "optimizer.layer3.f.1.bias.exp_avg)");
        }
        int layer = Integer.parseInt(parts[1].substring(5));
        int layerCount = plan.layers().size();
        if (layer > layerCount) {
            throw new ModelFormatException("optimizer buffer \"" + Json.shorten(tensorName) + "\" of " + where
                    + " is for layer " + layer + " but the network has " + layerCount + " layers");
        }
        String pathAndKind = String.join(".", java.util.Arrays.asList(parts).subList(2, parts.length - 1));
        Architecture.TensorSpec parameter = plan.parameter(layer, pathAndKind);
        if (parameter == null) {
            throw new ModelFormatException("optimizer buffer \"" + Json.shorten(tensorName) + "\" of " + where
                    + " is for the parameter " + Json.shorten(pathAndKind) + " of layer " + layer + ", which that layer ("
                    + plan.layers().get(layer - 1).kind() + ") does not have");
        }
        ModelFile.Wanted wantedParameter = wanted.get(parameter.name());
        Safetensors.DType dtype = wantedParameter.target() == Precision.FLOAT64 ? Safetensors.DType.F64
                : Safetensors.DType.F32;
        if (t.dtype() != dtype) {
            throw new ModelFormatException("optimizer buffer \"" + Json.shorten(tensorName) + "\" of " + where
                    + " is " + t.dtype() + " but the network's precision needs " + dtype);
        }
        if (!java.util.Arrays.equals(t.shape(), wantedParameter.shape())) {
            throw new ModelFormatException("tensor \"" + Json.shorten(tensorName) + "\" of " + where + " has shape "
                    + t.shapeText() + " but the architecture needs "
                    + java.util.Arrays.toString(wantedParameter.shape()));
        }
        return wantedParameter;
    }

    private static EpochSummary summary(NavigableMap<String, String> meta, int epoch, String where)
            throws ModelFormatException {
        String prefix = "history." + epoch + ".";
        long samples = ModelFile.nonNegativeLong(meta, prefix + "samples", where);
        long nanos = ModelFile.nonNegativeLong(meta, prefix + "duration_nanos", where);
        double learningRate = ModelFile.decimal(meta, prefix + "learning_rate", where);
        String namesText = ModelFile.required(meta, prefix + "names", where);
        String[] names = namesText.isEmpty() ? new String[0] : namesText.split(",", -1);
        Map<String, Double> values = new LinkedHashMap<>();
        for (int i = 0; i < names.length; i++) {
            if (values.put(names[i], ModelFile.decimal(meta, prefix + "value." + i, where)) != null) {
                throw new ModelFormatException("metadata \"" + prefix + "names\" of " + where + " repeats \""
                        + Json.shorten(names[i]) + "\"");
            }
        }
        return new EpochSummary(epoch, values, samples, Duration.ofNanos(nanos), learningRate);
    }

    private static Map<String, Double> parameters(NavigableMap<String, String> meta, String key, String where)
            throws ModelFormatException {
        Map<String, Double> parameters = new TreeMap<>();
        String prefix = key + ".";
        for (String k : meta.tailMap(prefix, true).keySet()) {
            if (!k.startsWith(prefix)) {
                break;
            }
            parameters.put(k.substring(prefix.length()), ModelFile.decimal(meta, k, where));
        }
        return parameters;
    }

    private static long parseLong(Map<String, String> meta, String key, String where) throws ModelFormatException {
        String value = ModelFile.required(meta, key, where);
        try {
            if (value.length() > 20 || !value.matches("-?[0-9]+")) {
                throw new NumberFormatException();
            }
            return Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new ModelFormatException("metadata \"" + key + "\" of " + where + " is \"" + Json.shorten(value)
                    + "\", not a whole number");
        }
    }
}
