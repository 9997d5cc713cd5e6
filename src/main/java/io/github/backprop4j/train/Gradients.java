package io.github.backprop4j.train;

import io.github.backprop4j.Layer;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.ParameterKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The result of backpropagating one batch: the loss, and for every layer the error signal
 * {@code δˡ = ∂C/∂zˡ} and the gradient of every parameter — for a dense layer {@code ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹} and
 * {@code ∂C/∂bˡ = Σ_samples δˡ}; for the other kinds their own (see {@link Layer}).
 *
 * <p>Layers are numbered 1..L. Immutable: matrices are handed out as read-only views.
 *
 * <p>Gradients assembled with {@link #ofParameters(double, List)}, e.g. summed from the parts of a batch that
 * were backpropagated on different machines, carry no error signals.
 */
public final class Gradients {

    private final double loss;
    private final List<Matrix> errorSignals;
    /** Per layer, one entry per parameter, in {@link Layer#parameters()} order: name, kind, and the gradient. */
    private final List<List<Parameter>> parameterGradients;
    /** Per layer, the layer after the forward pass (batch normalization's updated running statistics); or null. */
    private final List<Layer> afterForward;
    /** Per layer, the named values its backward pass recorded (inner error signals), copied; or null. */
    private final List<Map<String, Matrix>> recorded;
    /** {@code ∂C/∂x}, made on first request; or null when unknown. */
    private final Supplier<Matrix> inputGradient;
    private Matrix inputGradientValue;

    Gradients(double loss, List<Matrix> errorSignals, List<List<Parameter>> parameterGradients,
            List<Layer> afterForward, Supplier<Matrix> inputGradient) {
        this(loss, errorSignals, parameterGradients, afterForward, null, inputGradient);
    }

    Gradients(double loss, List<Matrix> errorSignals, List<List<Parameter>> parameterGradients,
            List<Layer> afterForward, List<Map<String, Matrix>> recorded, Supplier<Matrix> inputGradient) {
        this.loss = loss;
        this.errorSignals = errorSignals == null ? null : errorSignals.stream().map(Matrix::readOnlyView).toList();
        List<List<Parameter>> views = new ArrayList<>();
        for (List<Parameter> layer : parameterGradients) {
            views.add(layer.stream().map(p -> new Parameter(p.name(), p.kind(), p.value().readOnlyView())).toList());
        }
        this.parameterGradients = List.copyOf(views);
        this.afterForward = afterForward == null ? null : List.copyOf(afterForward);
        this.recorded = recorded == null ? null : List.copyOf(recorded);
        this.inputGradient = inputGradient;
    }

    /**
     * Assembles gradients of a network of any layer kinds computed elsewhere, one list per layer in the order of
     * {@link Layer#parameters()} (each entry's value being the gradient). The result has no error signals and,
     * for batch normalization, no updated running statistics.
     *
     * @param loss the cost of the whole batch, {@code C}
     * @param byLayer per layer 1..L, the gradient of each parameter; copied
     * @return the gradients, ready for {@link Backpropagator#apply}
     * @throws NullPointerException if a list or an entry is {@code null}
     * @throws IllegalArgumentException if there is no layer or the precisions differ
     */
    public static Gradients ofParameters(double loss, List<List<Parameter>> byLayer) {
        Checks.notNull(byLayer, "byLayer");
        if (byLayer.isEmpty()) {
            throw new IllegalArgumentException("byLayer: there must be at least one layer");
        }
        List<List<Parameter>> layers = new ArrayList<>();
        for (int l = 1; l <= byLayer.size(); l++) {
            List<Parameter> copies = new ArrayList<>();
            for (Parameter p : Checks.notNull(byLayer.get(l - 1), "layer " + l + " gradients")) {
                Checks.notNull(p, "layer " + l + " gradient");
                copies.add(new Parameter(p.name(), p.kind(), p.value().copy()));
            }
            layers.add(copies);
        }
        return new Gradients(loss, null, layers, null, null);
    }

    /**
     * Returns the cost of the batch, {@code C}, as the loss function's batch mean.
     *
     * @return the loss
     */
    public double loss() {
        return loss;
    }

    /**
     * Returns the number of layers, L.
     *
     * @return the number of layers
     */
    public int layerCount() {
        return parameterGradients.size();
    }

    /**
     * Returns a layer's error signal {@code δˡ = ∂C/∂zˡ}, one row per sample (already scaled by the batch
     * mean).
     *
     * @param layer 1..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     * @throws IllegalStateException if these gradients were assembled by {@link #ofParameters(double, List)}
     */
    public Matrix errorSignal(int layer) {
        int i = index(layer);
        if (errorSignals == null) {
            throw new IllegalStateException("these gradients were assembled from parts with Gradients.ofParameters and "
                    + "carry no error signals");
        }
        return errorSignals.get(i);
    }

    /**
     * Returns a dense layer's weight gradient {@code ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹}.
     *
     * @param layer 1..L
     * @return {@code [out × in]}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     * @throws IllegalStateException if the layer is not dense
     */
    public Matrix weightGradient(int layer) {
        return dense(layer, ParameterKind.WEIGHTS, 0);
    }

    /**
     * Returns a dense layer's bias gradient {@code ∂C/∂bˡ = Σ_samples δˡ}.
     *
     * @param layer 1..L
     * @return {@code [1 × out]}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     * @throws IllegalStateException if the layer is not dense
     */
    public Matrix biasGradient(int layer) {
        return dense(layer, ParameterKind.BIAS, 1);
    }

    private Matrix dense(int layer, ParameterKind kind, int position) {
        List<Parameter> p = parameterGradients.get(index(layer));
        if (p.size() != 2 || p.get(position).kind() != kind || !p.get(position).path().isEmpty()) {
            throw new IllegalStateException("layer " + layer + " is not a dense layer: its parameters are "
                    + p.stream().map(Parameter::name).toList() + "; use parameterGradients(" + layer + ")");
        }
        return p.get(position).value();
    }

    /**
     * Returns the gradient of every parameter of a layer, in the order of {@link Layer#parameters()}: each entry
     * has the parameter's name and kind, and {@code ∂C/∂θ} as its value.
     *
     * @param layer 1..L
     * @return an unmodifiable list, values read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     */
    public List<Parameter> parameterGradients(int layer) {
        return parameterGradients.get(index(layer));
    }

    /**
     * Returns the gradient of one parameter by its name within the layer.
     *
     * @param layer 1..L
     * @param name e.g. {@code "weight"}, {@code "tables.1.weight"}, {@code "f.0.bias"}
     * @return {@code ∂C/∂θ}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     * @throws IllegalArgumentException naming the layer's parameters, if it has none of that name
     */
    public Matrix parameterGradient(int layer, String name) {
        Checks.notNull(name, "name");
        for (Parameter p : parameterGradients(layer)) {
            if (p.name().equals(name)) {
                return p.value();
            }
        }
        throw new IllegalArgumentException("layer " + layer + " has no parameter '" + name + "'; it has "
                + parameterGradients(layer).stream().map(Parameter::name).toList());
    }

    /**
     * Returns the named values a layer's backward pass computed inside it, as its
     * {@link io.github.backprop4j.LayerComputation#recorded()} names them: for a residual block, the error signal
     * {@code "inner.j.delta"} = {@code δⱼ = ∂C/∂zⱼ} of each inner layer {@code j} from 0 (where {@code zⱼ} is
     * {@link ForwardPass#recorded(int)}'s {@code "inner.j.z"}). The values of the forward pass are in
     * {@link ForwardPass#recorded(int)}.
     *
     * @param layer 1..L
     * @return an unmodifiable map, values read-only; empty for the other kinds and for gradients assembled by
     *     {@code of} or {@code ofParameters}
     * @throws IndexOutOfBoundsException if there is no such layer
     */
    public Map<String, Matrix> recorded(int layer) {
        int i = index(layer);
        return recorded == null ? Map.of() : recorded.get(i);
    }

    /**
     * Returns the gradient of the loss with respect to the inputs, {@code ∂C/∂x}, one row per sample (for an
     * embedding network: the numeric columns' gradients, and 0 in the categorical ones).
     *
     * @return {@code [batch × inputSize]}, read-only
     * @throws IllegalStateException if these gradients were assembled by {@code of}
     */
    public synchronized Matrix inputGradient() {
        if (inputGradient == null) {
            throw new IllegalStateException("these gradients were assembled from parts and carry no input gradient");
        }
        if (inputGradientValue == null) {
            inputGradientValue = inputGradient.get().readOnlyView();
        }
        return inputGradientValue;
    }

    /** The layer as the forward pass left it (with updated running statistics), or null when not recorded. */
    Layer afterForward(int layer) {
        return afterForward == null ? null : afterForward.get(index(layer));
    }

    /**
     * Returns the global L2 norm of all parameter gradients, {@code ‖g‖ = √(Σ (∂C/∂θ)²)} over every
     * parameter of every layer.
     *
     * @return the norm, accumulated in double
     */
    public double globalNorm() {
        double sumOfSquares = 0;
        for (List<Parameter> layer : parameterGradients) {
            for (Parameter p : layer) {
                sumOfSquares += Matrix.dot(p.value(), p.value());
            }
        }
        return Math.sqrt(sumOfSquares);
    }

    /**
     * Clips by global norm: if {@code ‖g‖ > maxNorm}, every parameter gradient is scaled by
     * {@code maxNorm / ‖g‖} (as {@code torch.nn.utils.clip_grad_norm_}); otherwise they are returned as they
     * are. The loss, the error signals and the input gradient are kept.
     *
     * @param maxNorm the largest allowed global norm, finite and &gt; 0
     * @return these gradients, or a scaled copy
     * @throws IllegalArgumentException if {@code maxNorm} is not a finite number &gt; 0
     */
    public Gradients clippedByGlobalNorm(double maxNorm) {
        Checks.positiveFinite(maxNorm, "maxNorm");
        double norm = globalNorm();
        if (!(norm > maxNorm)) {
            return this;
        }
        double factor = maxNorm / norm;
        List<List<Parameter>> scaled = new ArrayList<>();
        for (List<Parameter> layer : parameterGradients) {
            scaled.add(layer.stream().map(p -> {
                Matrix copy = p.value().copy();
                copy.scale(factor);
                return new Parameter(p.name(), p.kind(), copy);
            }).toList());
        }
        return new Gradients(loss, errorSignals, scaled, afterForward, recorded, inputGradient);
    }

    private int index(int layer) {
        if (layer < 1 || layer > parameterGradients.size()) {
            throw new IndexOutOfBoundsException("layer " + layer + " does not exist: layers are numbered 1.."
                    + parameterGradients.size());
        }
        return layer - 1;
    }

    @Override
    public String toString() {
        return "Gradients[loss=" + loss + ", " + layerCount() + " layers]";
    }
}
