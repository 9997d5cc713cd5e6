package io.github.backprop4j.optim;

import io.github.backprop4j.math.Checks;
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
    private static final Pattern SLOT_NAME = Pattern.compile("layer([1-9][0-9]*)\\.(weights|bias)\\.[A-Za-z0-9_]+");

    private static final int KINDS = ParameterKind.values().length;

    private final TreeMap<String, Matrix> slots = new TreeMap<>();
    /** The views handed out, by {@code (layer − 1)·kinds + kind}, so that a training step allocates none. */
    private ParameterState[] views = new ParameterState[0];
    private long stepCount;

    /** Creates the empty state of a training run that has made no step yet. */
    public OptimizerState() {
    }

    /**
     * Restores a saved state, e.g. from a checkpoint: the buffers as {@link #slots()} returned them and the
     * step count.
     *
     * @param slots every buffer by its full name, {@code layer<l>.<weights|bias>.<buffer>}; copied
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
                throw new IllegalArgumentException("slots: buffer name must be layer<l>.<weights|bias>.<buffer> with "
                        + "l >= 1 and a buffer of letters, digits and underscores, was '" + name + "'");
            }
            if (m.group(2).equals(ParameterKind.BIAS.label()) && buffer.rows() != 1) {
                throw new IllegalArgumentException("slots: buffer " + name + " belongs to a bias and must be one row, "
                        + "but is " + buffer.shape());
            }
            String parameter = "layer" + m.group(1) + "." + m.group(2);
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
        Checks.positive(layer, "layer");
        Checks.notNull(kind, "kind");
        Checks.notNull(parameter, "parameter");
        int index = (layer - 1) * KINDS + kind.ordinal();
        if (index < views.length && views[index] != null && views[index].fits(parameter)) {
            return views[index]; // its buffers were checked when it was made, and made since with its shape
        }
        String prefix = slotName(layer, kind, "");
        // The buffers of one parameter are the names that start with its prefix: one range of the sorted map.
        for (Map.Entry<String, Matrix> e : slots.subMap(prefix, prefix + Character.MAX_VALUE).entrySet()) {
            requireShape(e.getKey(), e.getValue(), parameter);
        }
        ParameterState view = new ParameterState(this, layer, kind, parameter);
        if (index >= views.length) {
            views = java.util.Arrays.copyOf(views, index + 1);
        }
        views[index] = view;
        return view;
    }

    /** Marks the end of a step: every parameter has been updated. */
    public void completeStep() {
        stepCount++;
    }

    /**
     * Returns every buffer by its full name, {@code layer<l>.<weights|bias>.<buffer>}, as read-only views.
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

    static String slotName(int layer, ParameterKind kind, String buffer) {
        if (!buffer.isEmpty() && !IDENTIFIER.matcher(buffer).matches()) {
            throw new IllegalArgumentException("buffer name must be letters, digits and underscores, was '"
                    + buffer + "'");
        }
        return "layer" + layer + "." + kind.label() + "." + buffer;
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
