package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A residual block, {@code y = x + f(x)}, over a list of inner layers {@code f}, then an optional activation
 * after the sum. With {@code u₀ = x} and {@code uⱼ = σⱼ(fⱼ(uⱼ₋₁))} for the inner layers {@code j = 1..J}:
 * <pre>
 *   z = x + u_J          a = σ(z)
 * </pre>
 * and backwards, from {@code δ = ∂C/∂z}: the inner layers are backpropagated from {@code ∂C/∂u_J = δ} as a
 * network of their own (each inner error signal {@code δⱼ = ∂C/∂uⱼ ⊙ σⱼ'(zⱼ)}), and the gradient passed to the
 * previous layer is the skip path plus what flows back through them, {@code ∂C/∂x = δ + ∂C/∂u₀}. The first inner
 * layer takes and the last gives the block's width. Parameters: the inner layers', named
 * {@code "f.j.<name>"} with {@code j} counting the inner layers from 0 (activations take no index), e.g.
 * {@code "f.1.bias"}. Immutable and thread-safe.
 */
public final class Residual extends Layer {

    private final List<Layer> inner;
    private final Activation activation;

    private Residual(List<Layer> inner, Activation activation) {
        this.inner = List.copyOf(inner);
        this.activation = activation;
    }

    /**
     * A residual block over the given inner layers.
     *
     * @param inner at least one layer, chaining from the block's width back to it, of one precision; no
     *     embedding layer
     * @param activation the activation after the sum
     * @return the block
     * @throws IllegalArgumentException naming the inner layer and sizes, if the layers do not chain, do not end at
     *     the width they start from, differ in precision, or include an embedding layer
     */
    public static Residual of(List<? extends Layer> inner, Activation activation) {
        Checks.notNull(inner, "inner");
        Checks.notNull(activation, "activation");
        if (inner.isEmpty()) {
            throw new IllegalArgumentException("inner: a residual block needs at least one inner layer");
        }
        for (int j = 0; j < inner.size(); j++) {
            Layer layer = Checks.notNull(inner.get(j), "inner layer " + j);
            if (layer instanceof Embedding) {
                throw new IllegalArgumentException("inner layer " + j + " is an embedding layer, which must be the "
                        + "first layer of a network");
            }
            if (j > 0) {
                Layer previous = inner.get(j - 1);
                if (layer.inputSize() != previous.outputSize()) {
                    throw new IllegalArgumentException("inner layers do not chain: inner layer " + j + " has "
                            + layer.inputSize() + " inputs but inner layer " + (j - 1) + " has " + previous.outputSize()
                            + " outputs");
                }
                if (layer.precision() != previous.precision()) {
                    throw new IllegalArgumentException("inner layers differ in precision: inner layer " + j + " is "
                            + layer.precision() + " but inner layer " + (j - 1) + " is " + previous.precision());
                }
            }
        }
        int width = inner.get(0).inputSize();
        int last = inner.get(inner.size() - 1).outputSize();
        if (last != width) {
            throw new IllegalArgumentException("a residual block adds its input to its inner layers' output, so they "
                    + "must end at the width they start from: inner layer 0 takes " + width + " inputs but inner layer "
                    + (inner.size() - 1) + " gives " + last + " outputs");
        }
        return new Residual(new ArrayList<>(inner), activation);
    }

    @Override
    public String kind() {
        return "residual";
    }

    @Override
    public int inputSize() {
        return inner.get(0).inputSize();
    }

    @Override
    public int outputSize() {
        return inputSize();
    }

    /**
     * Returns the inner layers, {@code f}, in order.
     *
     * @return an unmodifiable list
     */
    public List<Layer> inner() {
        return inner;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public Precision precision() {
        return inner.get(0).precision();
    }

    /** Returns the inner layers' parameters, each named {@code "f.j.<its name>"}. */
    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (int j = 0; j < inner.size(); j++) {
            for (Parameter p : inner.get(j).parameters()) {
                all.add(new Parameter("f." + j + "." + p.name(), p.kind(), p.value()));
            }
        }
        return List.copyOf(all);
    }

    @Override
    public java.util.Map<String, Matrix> buffers() {
        java.util.Map<String, Matrix> all = new java.util.LinkedHashMap<>();
        for (int j = 0; j < inner.size(); j++) {
            for (var b : inner.get(j).buffers().entrySet()) {
                all.put("f." + j + "." + b.getKey(), b.getValue());
            }
        }
        return java.util.Collections.unmodifiableMap(all);
    }

    @Override
    public Residual withParameters(List<Matrix> values) {
        checkValues(values, parameters(), this);
        List<Layer> updated = new ArrayList<>();
        int at = 0;
        for (Layer layer : inner) {
            int n = layer.parameters().size();
            updated.add(layer.withParameters(values.subList(at, at + n)));
            at += n;
        }
        return new Residual(updated, activation);
    }

    /**
     * Returns this block with other inner layers (e.g. with updated running statistics), keeping the activation.
     *
     * @param newInner the inner layers, as {@link #of} requires them
     * @return a new block
     */
    public Residual withInner(List<? extends Layer> newInner) {
        return of(newInner, activation);
    }

    @Override
    public Residual withActivation(Activation newActivation) {
        return new Residual(inner, Checks.notNull(newActivation, "activation"));
    }

    @Override
    public Residual toPrecision(Precision newPrecision) {
        Checks.notNull(newPrecision, "precision");
        if (newPrecision == precision()) {
            return this;
        }
        List<Layer> converted = new ArrayList<>();
        for (int j = 0; j < inner.size(); j++) {
            try {
                converted.add(inner.get(j).toPrecision(newPrecision));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("inner layer " + j + ": " + e.getMessage(), e);
            }
        }
        return new Residual(converted, activation);
    }

    @Override
    public LayerComputation newComputation() {
        return new Computation(this);
    }

    @Override
    Matrix predict(Matrix input) {
        Matrix u = input;
        for (Layer layer : inner) {
            u = layer.predict(u); //   uⱼ = σⱼ(fⱼ(uⱼ₋₁))
        }
        Matrix z = u == input ? u.copy() : u;
        z.addScaled(1, input); //      z = x + u_J
        activation.forward(z, z);
        return z;
    }

    @Override
    String details() {
        StringBuilder s = new StringBuilder("x + f(x), f =");
        for (Layer layer : inner) {
            s.append(' ').append(layer.kind()).append('(').append(layer.outputSize()).append(", ")
                    .append(layer.activation()).append(')');
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Residual r && r.activation.equals(activation) && r.inner.equals(inner);
    }

    @Override
    public int hashCode() {
        return 31 * inner.hashCode() + activation.hashCode();
    }

    /** Returns the width and inner layers, e.g. {@code "Residual[6: [Layer[6 → 8, tanh, FLOAT64], Layer[8 → 6, identity, FLOAT64]], identity]"}. */
    @Override
    public String toString() {
        return "Residual[" + inputSize() + ": " + inner + ", " + activation + "]";
    }

    /** The block on the computations of its inner layers. */
    static final class Computation extends LayerComputation {

        private final Activation sigma;
        private final Activation[] innerSigma;
        private final LayerComputation[] f;
        private final List<Matrix> values;
        private final List<Matrix> gradients;
        /** Per batch size, per inner layer j: {@code zⱼ}, {@code uⱼ}, {@code δⱼ}, {@code ∂C/∂uⱼ₋₁} (unused for j = 0). */
        private final PerBatch buffers;
        /** The batch size of the last forward pass; 0 before the first. */
        private int lastRows;
        /** Whether a backward pass has run since the last forward pass (so the inner error signals are set). */
        private boolean backwardDone;

        Computation(Residual block) {
            this.sigma = block.activation;
            int count = block.inner.size();
            this.f = new LayerComputation[count];
            this.innerSigma = new Activation[count];
            List<Matrix> v = new ArrayList<>();
            List<Matrix> g = new ArrayList<>();
            for (int j = 0; j < count; j++) {
                f[j] = block.inner.get(j).newComputation();
                innerSigma[j] = block.inner.get(j).activation();
                v.addAll(f[j].values());
                g.addAll(f[j].gradients());
            }
            this.values = List.copyOf(v);
            this.gradients = List.copyOf(g);
            Precision p = block.precision();
            int[] in = block.inner.stream().mapToInt(Layer::inputSize).toArray();
            int[] out = block.inner.stream().mapToInt(Layer::outputSize).toArray();
            this.buffers = new PerBatch(rows -> {
                Matrix[] b = new Matrix[4 * count];
                for (int j = 0; j < count; j++) {
                    b[4 * j] = Matrix.zeros(p, rows, out[j]);
                    b[4 * j + 1] = Matrix.zeros(p, rows, out[j]);
                    b[4 * j + 2] = Matrix.zeros(p, rows, out[j]);
                    b[4 * j + 3] = j == 0 ? null : Matrix.zeros(p, rows, in[j]);
                }
                return b;
            });
        }

        @Override
        public void forward(Matrix x, Matrix z, boolean training) {
            Matrix[] b = buffers.forRows(x.rows());
            lastRows = 0;
            backwardDone = false;
            Matrix u = x;
            for (int j = 0; j < f.length; j++) {
                f[j].forward(u, b[4 * j], b[4 * j + 1], training); // uⱼ = σⱼ(fⱼ(uⱼ₋₁))
                u = b[4 * j + 1];
            }
            z.copyFrom(x); //                                          z = x + u_J
            z.addScaled(1, u);
            lastRows = x.rows();
        }

        @Override
        public void backward(Matrix x, Matrix delta, Matrix dx) {
            Matrix[] b = buffers.forRows(x.rows());
            Matrix upstream = delta; //                                  ∂C/∂u_J = δ
            for (int j = f.length - 1; j >= 0; j--) {
                Matrix dj = b[4 * j + 2];
                innerSigma[j].backward(b[4 * j], b[4 * j + 1], upstream, dj); // δⱼ = ∂C/∂uⱼ ⊙ σⱼ'(zⱼ)
                Matrix in = j == 0 ? x : b[4 * (j - 1) + 1];
                Matrix down = j == 0 ? dx : b[4 * j + 3];
                f[j].backward(in, dj, down); //                          ∂C/∂θⱼ, ∂C/∂uⱼ₋₁
                upstream = down;
            }
            if (dx != null) {
                dx.addScaled(1, delta); //                               ∂C/∂x = ∂C/∂u₀ + δ (the skip path)
            }
            backwardDone = lastRows == x.rows();
        }

        /**
         * Returns, per inner layer {@code j}: {@code "inner.j.z"}, {@code "inner.j.a"}, the inner layer's own
         * values prefixed {@code "inner.j."}, and after a backward pass {@code "inner.j.delta"}.
         */
        @Override
        public Map<String, Matrix> recorded() {
            if (lastRows == 0) {
                return Map.of();
            }
            Matrix[] b = buffers.forRows(lastRows);
            Map<String, Matrix> r = new LinkedHashMap<>();
            for (int j = 0; j < f.length; j++) {
                String prefix = "inner." + j + ".";
                r.put(prefix + "z", b[4 * j].readOnlyView());
                r.put(prefix + "a", b[4 * j + 1].readOnlyView());
                for (Map.Entry<String, Matrix> e : f[j].recorded().entrySet()) {
                    r.put(prefix + e.getKey(), e.getValue());
                }
                if (backwardDone) {
                    r.put(prefix + "delta", b[4 * j + 2].readOnlyView());
                }
            }
            return Collections.unmodifiableMap(r);
        }

        @Override
        public Activation activation() {
            return sigma;
        }

        @Override
        public List<Matrix> values() {
            return values;
        }

        @Override
        public List<Matrix> gradients() {
            return gradients;
        }

        @Override
        public Residual snapshot() {
            List<Layer> layers = new ArrayList<>();
            for (LayerComputation c : f) {
                layers.add(c.snapshot());
            }
            return new Residual(layers, sigma);
        }
    }
}
