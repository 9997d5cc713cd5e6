package io.github.backprop4j.optim;

import io.github.backprop4j.math.Matrix;

/**
 * The optimizers' updates as they were first written, with the plain facade operations ({@code scale},
 * {@code addScaled}, {@code zip} with a lambda, a {@code copy()} per step): the reference that the one-pass
 * kernels behind them must match bit for bit. Kept verbatim, apart from reading the hyper-parameters through
 * the optimizers' getters.
 */
public final class ReferenceOptimizers {

    private ReferenceOptimizers() {
    }

    /**
     * Returns an optimizer that updates with the reference code of a built-in one, for benchmarks that compare
     * the two in one JVM.
     *
     * @param optimizer a built-in optimizer (no transforms)
     * @return the reference form of its update
     */
    public static Optimizer of(Optimizer optimizer) {
        return new Optimizer() {
            @Override
            public double learningRate() {
                return optimizer.learningRate();
            }

            @Override
            public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
                ReferenceOptimizers.update(optimizer, parameter, gradient, eta, state);
            }
        };
    }

    /** The reference update of a built-in optimizer. */
    static void update(Optimizer optimizer, Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        if (optimizer instanceof GradientDescent o) {
            gradientDescent(o.weightDecay(), parameter, gradient, eta);
        } else if (optimizer instanceof Momentum o) {
            Matrix v = velocity(gradient, o.momentum(), state);
            parameter.addScaled(-eta, v); // θ ← θ − η·v
        } else if (optimizer instanceof Nesterov o) {
            Matrix v = velocity(gradient, o.momentum(), state);
            parameter.addScaled(-eta, gradient); //          θ ← θ − η·g
            parameter.addScaled(-eta * o.momentum(), v); //  θ ← θ − η·μ·v
        } else if (optimizer instanceof AdaGrad o) {
            adaGrad(o, parameter, gradient, eta, state);
        } else if (optimizer instanceof RmsProp o) {
            rmsProp(o, parameter, gradient, eta, state);
        } else if (optimizer instanceof Adam o) {
            adam(o, parameter, gradient, eta, state);
        } else if (optimizer instanceof AdamW o) {
            if (o.decaysBiases() || !state.kind().isVector()) {
                parameter.scale(1 - eta * o.weightDecay()); // θ ← θ·(1 − η·λ)
            }
            adam(o.adam(), parameter, gradient, eta, state);
        } else {
            throw new IllegalArgumentException("no reference for " + optimizer);
        }
    }

    private static void gradientDescent(double weightDecay, Matrix parameter, Matrix gradient, double eta) {
        Matrix g = gradient;
        if (weightDecay != 0) {
            g = gradient.copy();
            g.addScaled(weightDecay, parameter); // g ← g + λ·θ
        }
        parameter.addScaled(-eta, g); //           θ ← θ − η·g
    }

    private static Matrix velocity(Matrix g, double mu, ParameterState state) {
        boolean first = !state.hasSlot(Momentum.VELOCITY);
        Matrix v = state.slot(Momentum.VELOCITY);
        if (first) {
            v.copyFrom(g); //       v ← g
        } else {
            v.scale(mu); //         v ← μ·v
            v.addScaled(1, g); //   v ← v + g
        }
        return v;
    }

    private static void adaGrad(AdaGrad o, Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        double epsilon = o.epsilon();
        boolean first = !state.hasSlot(AdaGrad.SUM);
        Matrix s = state.slot(AdaGrad.SUM);
        if (first) {
            s.fill(o.initialAccumulator()); //                                   s ← s₀
        }
        Matrix.zip(s, gradient, (si, gi) -> si + gi * gi, s); //                s ← s + g²
        Matrix step = gradient.copy();
        Matrix.zip(gradient, s, (gi, si) -> gi / (Math.sqrt(si) + epsilon), step); // g / (√s + ε)
        parameter.addScaled(-eta, step); //                                     θ ← θ − η·g / (√s + ε)
    }

    private static void rmsProp(RmsProp o, Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        double alpha = o.alpha();
        double epsilon = o.epsilon();
        Matrix s = state.slot(RmsProp.SQUARE_AVERAGE);
        Matrix.zip(s, gradient, (si, gi) -> alpha * si + (1 - alpha) * gi * gi, s); // s ← α·s + (1 − α)·g²
        Matrix step = gradient.copy();
        Matrix.zip(gradient, s, (gi, si) -> gi / (Math.sqrt(si) + epsilon), step); //  g / (√s + ε)
        parameter.addScaled(-eta, step); //                                            θ ← θ − η·g / (√s + ε)
    }

    private static void adam(Adam o, Matrix parameter, Matrix gradient, double eta, ParameterState state) {
        double beta1 = o.beta1();
        double beta2 = o.beta2();
        double epsilon = o.epsilon();
        Matrix m = state.slot(Adam.FIRST_MOMENT);
        Matrix v = state.slot(Adam.SECOND_MOMENT);
        long t = state.step();
        m.scale(beta1); //                                                           m ← β1·m
        m.addScaled(1 - beta1, gradient); //                                         m ← m + (1 − β1)·g
        Matrix.zip(v, gradient, (vi, gi) -> beta2 * vi + (1 - beta2) * gi * gi, v); // v ← β2·v + (1 − β2)·g²
        double correction1 = 1 - Math.pow(beta1, t); //                              1 − β1ᵗ
        double sqrtCorrection2 = Math.sqrt(1 - Math.pow(beta2, t)); //               √(1 − β2ᵗ)
        Matrix step = m.copy();
        Matrix.zip(m, v, (mi, vi) -> mi / (Math.sqrt(vi) / sqrtCorrection2 + epsilon), step); // m / (√v̂ + ε)
        parameter.addScaled(-eta / correction1, step); //                            θ ← θ − η·m̂ / (√v̂ + ε)
    }

    /** The reference gradient transforms: {@code g + λ·θ}, {@code g + λ·sign θ}, {@code clip(g, −c, c)}. */
    static Matrix l2(double lambda, Matrix parameter, Matrix gradient) {
        Matrix g = gradient.copy();
        g.addScaled(lambda, parameter); // g ← g + λ·θ
        return g;
    }

    static Matrix l1(double lambda, Matrix parameter, Matrix gradient) {
        Matrix g = gradient.copy();
        Matrix.zip(gradient, parameter, (gi, theta) -> gi + lambda * Math.signum(theta), g); // g + λ·sign θ
        return g;
    }

    static Matrix clipByValue(double limit, Matrix gradient) {
        Matrix g = gradient.copy();
        gradient.map(gi -> Math.min(Math.max(gi, -limit), limit), g); // g ← clip(g, −c, c)
        return g;
    }
}
