package io.github.backprop4j.optim;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Everything an optimizer remembers between steps of one training run: named buffers per parameter
 * tensor (e.g. {@code "layer2.weights.momentum"}) and the number of completed steps. Kept apart from the
 * optimizer's configuration and from the model, so that one configuration can train many networks and a
 * state can be copied, saved and restored.
 *
 * <p>Mutable and not thread-safe: one state belongs to one training run at a time. Start a run with
 * {@code new OptimizerState()}.
 */
public final class OptimizerState {

    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z0-9_]+");
    /** {@code layer<l>.<path><kind>.<buffer>}, the path naming an inner tensor ({@code f.0.}, {@code tables.2.}). */
    private static final Pattern SLOT_NAME = Pattern.compile(
            "layer([1-9][0-9]*)\\.((?:[a-z]+\\.[0-9]{1,9}\\.)*)(weights|bias|scale|shift|embedding)\\.[A-Za-z0-9_]+");
    private static final Pattern PATH = Pattern.compile("(?:[a-z]+\\.[0-9]{1,9}\\.)*");

    private static final int KINDS = ParameterKind.values().length;

    private final TreeMap<String, Matrix> slots = new TreeMap<>();
    /** The views handed out, by {@code (layer − 1)·kinds + kind}, so that a training step allocates none. */
    private ParameterState[] views = new ParameterState[0];
    /** The views of tensors inside layers (a path other than ""), by the prefix of their buffers' names. */
    private final Map<String, ParameterState> innerViews = new java.util.HashMap<>();
    private long stepCount;

    /** Creates the empty state of a training run that has made no step yet. */
    public OptimizerState() {
    }

    /**
     * Restores a saved state, e.g. from a checkpoint: the buffers as {@link #slots()} returned them and the
     * step count.
     *
     * @param slots every buffer by its full name, {@code layer<l>.<path><kind>.<buffer>} (see {@link #slots()}); copied
     * @param stepCount the number of completed steps, &ge; 0
     * @return a new state holding copies of the buffers
     * @throws NullPointerException if the map, a name or a matrix is {@code null}
     * @throws IllegalArgumentException naming the buffer, if a name is malformed, a bias buffer is not one
     *     row, buffers of one parameter differ in shape or precision, or the step count is negative
     */
    public static OptimizerState restore(Map<String, Matrix> slots, long stepCount) {
        Checks.notNull(slots, "slots");
        if (stepCount < 0) {
            throw new IllegalArgumentException("stepCount must be at least 0, was " + stepCount);
        }
        OptimizerState state = new OptimizerState();
        Map<String, Matrix> firstOfParameter = new TreeMap<>();
        for (Map.Entry<String, Matrix> e : slots.entrySet()) {
            String name = Checks.notNull(e.getKey(), "slots: a buffer name");
            Matrix buffer = Checks.notNull(e.getValue(), "slots: buffer " + name);
            java.util.regex.Matcher m = SLOT_NAME.matcher(name);
            if (!m.matches() || m.group(1).length() > 9) {
                throw new IllegalArgumentException("slots: buffer name must be layer<l>.<path><kind>.<buffer> with "
                        + "l >= 1, a path such as f.0. or tables.1. (or none), a kind of weights, bias, scale, shift or "
                        + "embedding, and a buffer of letters, digits and underscores, was '" + name + "'");
            }
            boolean vector = !m.group(3).equals(ParameterKind.WEIGHTS.label())
                    && !m.group(3).equals(ParameterKind.EMBEDDING.label());
            if (vector && buffer.rows() != 1) {
                throw new IllegalArgumentException("slots: buffer " + name + " belongs to a " + m.group(3)
                        + " and must be one row, but is " + buffer.shape());
            }
            String parameter = "layer" + m.group(1) + "." + m.group(2) + m.group(3);
            Matrix first = firstOfParameter.putIfAbsent(parameter, buffer);
            if (first != null && (first.rows() != buffer.rows() || first.cols() != buffer.cols()
                    || first.precision() != buffer.precision())) {
                throw new IllegalArgumentException("slots: buffers of " + parameter + " differ: " + name + " is "
                        + buffer + " but another is " + first);
            }
            state.slots.put(name, buffer.copy());
        }
        state.stepCount = stepCount;
        return state;
    }

    /**
     * Returns the number of completed steps.
     *
     * @return 0 before the first step
     */
    public long stepCount() {
        return stepCount;
    }

    /**
     * Returns the state of one parameter tensor, through which an optimizer reads and creates its buffers.
     *
     * @param layer the layer's number, 1..L
     * @param kind weights or bias
     * @param parameter the parameter (or any matrix of its shape and precision), which fixes the shape of
     *     new buffers
     * @return a view of this state for that parameter
     * @throws IllegalArgumentException if buffers for that parameter exist with another shape or precision,
     *     i.e. the state belongs to a different network
     */
    public ParameterState forParameter(int layer, ParameterKind kind, Matrix parameter) {
        return forParameter(layer, "", kind, parameter);
    }

    /**
     * Returns the state of one parameter tensor inside a layer, e.g. an inner layer's weights in a residual block
     * ({@code path} {@code "f.1."}) or one table of an embedding layer ({@code "tables.0."}); its buffers are named
     * {@code layer<l>.<path><kind>.<buffer>}.
     *
     * @param layer the layer's number, 1..L
     * @param path the tensor's place inside the layer, {@link io.github.backprop4j.Parameter#path()}: {@code ""}
     *     for a top-level tensor, else segments of a lower-case word and a number, each followed by a dot
     * @param kind what the tensor is
     * @param parameter the parameter (or any matrix of its shape and precision), which fixes the shape of
     *     new buffers
     * @return a view of this state for that parameter
     * @throws IllegalArgumentException if the path is malformed, or buffers for that parameter exist with another
     *     shape or precision, i.e. the state belongs to a different network
     */
    public ParameterState forParameter(int layer, String path, ParameterKind kind, Matrix parameter) {
        Checks.positive(layer, "layer");
        Checks.notNull(path, "path");
        Checks.notNull(kind, "kind");
        Checks.notNull(parameter, "parameter");
        if (!path.isEmpty()) {
            return forInnerParameter(layer, path, kind, parameter);
        }
        int index = (layer - 1) * KINDS + kind.ordinal();
        if (index < views.length && views[index] != null && views[index].fits(parameter)) {
            return views[index]; // its buffers were checked when it was made, and made since with its shape
        }
        String prefix = slotName(layer, "", kind, "");
        // The buffers of one parameter are the names that start with its prefix: one range of the sorted map.
        for (Map.Entry<String, Matrix> e : slots.subMap(prefix, prefix + Character.MAX_VALUE).entrySet()) {
            requireShape(e.getKey(), e.getValue(), parameter);
        }
        ParameterState view = new ParameterState(this, layer, "", kind, parameter);
        if (index >= views.length) {
            views = java.util.Arrays.copyOf(views, index + 1);
        }
        views[index] = view;
        return view;
    }

    private ParameterState forInnerParameter(int layer, String path, ParameterKind kind, Matrix parameter) {
        String prefix = slotName(layer, path, kind, "");
        ParameterState view = innerViews.get(prefix);
        if (view != null && view.fits(parameter)) {
            return view;
        }
        for (Map.Entry<String, Matrix> e : slots.subMap(prefix, prefix + Character.MAX_VALUE).entrySet()) {
            requireShape(e.getKey(), e.getValue(), parameter);
        }
        view = new ParameterState(this, layer, path, kind, parameter);
        innerViews.put(prefix, view);
        return view;
    }

    /** Marks the end of a step: every parameter has been updated. */
    public void completeStep() {
        stepCount++;
    }

    /**
     * Returns every buffer by its full name, {@code layer<l>.<path><kind>.<buffer>}, as read-only views: e.g.
     * {@code layer2.weights.momentum} for a dense layer, {@code layer3.scale.m} for a normalization's
     * {@code γ}, {@code layer1.tables.0.embedding.v} for an embedding table, {@code layer4.f.1.bias.m} for the
     * bias of a residual block's second inner layer.
     *
     * @return an unmodifiable map, sorted by name
     */
    public Map<String, Matrix> slots() {
        Map<String, Matrix> views = new TreeMap<>();
        slots.forEach((name, m) -> views.put(name, m.readOnlyView()));
        return Collections.unmodifiableMap(views);
    }

    /**
     * Returns an independent copy, e.g. to keep the state of the best epoch.
     *
     * @return a new state with copies of every buffer and the same step count
     */
    public OptimizerState copy() {
        OptimizerState copy = new OptimizerState();
        slots.forEach((name, m) -> copy.slots.put(name, m.copy()));
        copy.stepCount = stepCount;
        return copy;
    }

    static String slotName(int layer, String path, ParameterKind kind, String buffer) {
        if (!buffer.isEmpty() && !IDENTIFIER.matcher(buffer).matches()) {
            throw new IllegalArgumentException("buffer name must be letters, digits and underscores, was '"
                    + buffer + "'");
        }
        if (!path.isEmpty() && !PATH.matcher(path).matches()) {
            throw new IllegalArgumentException("path must be segments such as f.0. or tables.1., or empty, was '"
                    + path + "'");
        }
        return "layer" + layer + "." + path + kind.label() + "." + buffer;
    }

    boolean hasSlot(String fullName) {
        return slots.containsKey(fullName);
    }

    Matrix slot(String fullName, Matrix shapeOf) {
        Matrix existing = slots.get(fullName);
        if (existing != null) {
            requireShape(fullName, existing, shapeOf);
            return existing;
        }
        Matrix created = Matrix.zeros(shapeOf.precision(), shapeOf.rows(), shapeOf.cols());
        slots.put(fullName, created);
        return created;
    }

    private static void requireShape(String name, Matrix buffer, Matrix parameter) {
        if (buffer.rows() != parameter.rows() || buffer.cols() != parameter.cols()
                || buffer.precision() != parameter.precision()) {
            throw new IllegalArgumentException("optimizer state does not fit this network: " + name + " is "
                    + buffer + " but the parameter is " + parameter);
        }
    }

    @Override
    public String toString() {
        return "OptimizerState[" + stepCount + " steps, " + slots.size() + " buffers]";
    }
}
