package io.github.backprop4j.math.kernel;

/**
 * One optimizer step as one pass over flat arrays: the parameter {@code θ}, its gradient {@code g} and the
 * optimizer's state buffers, all of one length, every one indexed by the same {@code i}, with no lambda, no
 * boxing and no allocation, so that C2's SuperWord can vectorise the loops without the Vector API.
 *
 * <p>Each kernel reproduces, element by element, the arithmetic of the plain facade operations the
 * optimizers were first written with ({@code scale}, {@code addScaled}, {@code zip}), in the same order and
 * with the same roundings: a {@code float} kernel works in {@code float} where {@code addScaled} and
 * {@code scale} did (the factor rounded to {@code float} once) and in {@code double}, rounded to {@code float}
 * once per result, where {@code zip} evaluated a {@code double} function. The results are therefore the same
 * bits as those operations one after another. Java never contracts {@code a·b + c} into a fused multiply-add,
 * so the auto-vectorised and the interpreted loop agree too.
 *
 * <p>Called by {@code io.github.backprop4j.math.Matrix}, which has checked that every array has the same
 * length; these methods check nothing and know no model types.
 */
public final class OptimizerKernels {

    private OptimizerKernels() {
    }

    // ------------------------------------------------------------------ gradient descent

    /**
     * {@code θ[i] += −η·(g[i] + λ·θ[i])}, the decay term {@code λ·θ} added to the gradient first.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param eta the learning rate {@code η}
     * @param lambda the weight decay {@code λ}; 0 adds nothing
     */
    public static void gradientDescent(float[] theta, float[] g, double eta, double lambda) {
        float a = (float) -eta;
        if (lambda == 0) {
            for (int i = 0; i < theta.length; i++) {
                theta[i] += a * g[i];
            }
            return;
        }
        float l = (float) lambda;
        for (int i = 0; i < theta.length; i++) {
            float gi = g[i] + l * theta[i];
            theta[i] += a * gi;
        }
    }

    /**
     * {@code θ[i] += −η·(g[i] + λ·θ[i])}, the decay term {@code λ·θ} added to the gradient first.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param eta the learning rate {@code η}
     * @param lambda the weight decay {@code λ}; 0 adds nothing
     */
    public static void gradientDescent(double[] theta, double[] g, double eta, double lambda) {
        double a = -eta;
        if (lambda == 0) {
            for (int i = 0; i < theta.length; i++) {
                theta[i] += a * g[i];
            }
            return;
        }
        for (int i = 0; i < theta.length; i++) {
            double gi = g[i] + lambda * theta[i];
            theta[i] += a * gi;
        }
    }

    // ------------------------------------------------------------------ momentum

    /**
     * Heavy-ball momentum: {@code v[i] = g[i]} on the first step, else {@code v[i] = μ·v[i] + g[i]}; then
     * {@code θ[i] += −η·v[i]}.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param v the velocity, updated
     * @param eta the learning rate {@code η}
     * @param mu the momentum {@code μ}
     * @param first whether this is the first step, when the velocity is set to the gradient
     */
    public static void momentum(float[] theta, float[] g, float[] v, double eta, double mu, boolean first) {
        float a = (float) -eta;
        if (first) {
            for (int i = 0; i < theta.length; i++) {
                float vi = g[i];
                v[i] = vi;
                theta[i] += a * vi;
            }
            return;
        }
        float m = (float) mu;
        for (int i = 0; i < theta.length; i++) {
            float vi = v[i] * m + g[i];
            v[i] = vi;
            theta[i] += a * vi;
        }
    }

    /**
     * Heavy-ball momentum: {@code v[i] = g[i]} on the first step, else {@code v[i] = μ·v[i] + g[i]}; then
     * {@code θ[i] += −η·v[i]}.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param v the velocity, updated
     * @param eta the learning rate {@code η}
     * @param mu the momentum {@code μ}
     * @param first whether this is the first step, when the velocity is set to the gradient
     */
    public static void momentum(double[] theta, double[] g, double[] v, double eta, double mu, boolean first) {
        double a = -eta;
        if (first) {
            for (int i = 0; i < theta.length; i++) {
                double vi = g[i];
                v[i] = vi;
                theta[i] += a * vi;
            }
            return;
        }
        for (int i = 0; i < theta.length; i++) {
            double vi = v[i] * mu + g[i];
            v[i] = vi;
            theta[i] += a * vi;
        }
    }

    /**
     * Nesterov momentum: {@code v[i] = g[i]} on the first step, else {@code v[i] = μ·v[i] + g[i]}; then
     * {@code θ[i] += −η·g[i]} and {@code θ[i] += −η·μ·v[i]}, in that order.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param v the velocity, updated
     * @param eta the learning rate {@code η}
     * @param mu the momentum {@code μ}
     * @param first whether this is the first step, when the velocity is set to the gradient
     */
    public static void nesterov(float[] theta, float[] g, float[] v, double eta, double mu, boolean first) {
        float a = (float) -eta;
        float b = (float) (-eta * mu);
        if (first) {
            for (int i = 0; i < theta.length; i++) {
                float gi = g[i];
                v[i] = gi;
                theta[i] = theta[i] + a * gi + b * gi;
            }
            return;
        }
        float m = (float) mu;
        for (int i = 0; i < theta.length; i++) {
            float gi = g[i];
            float vi = v[i] * m + gi;
            v[i] = vi;
            theta[i] = theta[i] + a * gi + b * vi;
        }
    }

    /**
     * Nesterov momentum: {@code v[i] = g[i]} on the first step, else {@code v[i] = μ·v[i] + g[i]}; then
     * {@code θ[i] += −η·g[i]} and {@code θ[i] += −η·μ·v[i]}, in that order.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param v the velocity, updated
     * @param eta the learning rate {@code η}
     * @param mu the momentum {@code μ}
     * @param first whether this is the first step, when the velocity is set to the gradient
     */
    public static void nesterov(double[] theta, double[] g, double[] v, double eta, double mu, boolean first) {
        double a = -eta;
        double b = -eta * mu;
        if (first) {
            for (int i = 0; i < theta.length; i++) {
                double gi = g[i];
                v[i] = gi;
                theta[i] = theta[i] + a * gi + b * gi;
            }
            return;
        }
        for (int i = 0; i < theta.length; i++) {
            double gi = g[i];
            double vi = v[i] * mu + gi;
            v[i] = vi;
            theta[i] = theta[i] + a * gi + b * vi;
        }
    }

    // ------------------------------------------------------------------ AdaGrad and RMSProp

    /**
     * AdaGrad: {@code s[i] = s[i] + g[i]²}, then {@code θ[i] += −η·g[i] / (√s[i] + ε)}, in float arithmetic as
     * {@code torch.optim.Adagrad} computes a float32 parameter (a loop C2 vectorises; with double arithmetic
     * and the conversions it needs, it stays scalar on JDK 17 and cost more than the rest of a training step).
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param s the sum of squared gradients, updated
     * @param eta the learning rate {@code η}
     * @param epsilon {@code ε}
     */
    public static void adaGrad(float[] theta, float[] g, float[] s, double eta, double epsilon) {
        float a = (float) -eta;
        float e = (float) epsilon;
        for (int i = 0; i < theta.length; i++) {
            float gi = g[i];
            float si = s[i] + gi * gi;
            s[i] = si;
            theta[i] += a * (gi / ((float) Math.sqrt(si) + e));
        }
    }

    /**
     * AdaGrad: {@code s[i] = s[i] + g[i]²}, then {@code θ[i] += −η·g[i] / (√s[i] + ε)}.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param s the sum of squared gradients, updated
     * @param eta the learning rate {@code η}
     * @param epsilon {@code ε}
     */
    public static void adaGrad(double[] theta, double[] g, double[] s, double eta, double epsilon) {
        double a = -eta;
        for (int i = 0; i < theta.length; i++) {
            double gi = g[i];
            double si = s[i] + gi * gi;
            s[i] = si;
            double step = gi / (Math.sqrt(si) + epsilon);
            theta[i] += a * step;
        }
    }

    /**
     * RMSProp: {@code s[i] = α·s[i] + (1 − α)·g[i]²}, then {@code θ[i] += −η·g[i] / (√s[i] + ε)}, in float
     * arithmetic as {@code torch.optim.RMSprop} computes a float32 parameter (a loop C2 vectorises).
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param s the running mean of squared gradients, updated
     * @param eta the learning rate {@code η}
     * @param alpha the smoothing constant {@code α}
     * @param epsilon {@code ε}
     */
    public static void rmsProp(float[] theta, float[] g, float[] s, double eta, double alpha, double epsilon) {
        float a = (float) -eta;
        float al = (float) alpha;
        float rest = (float) (1 - alpha);
        float e = (float) epsilon;
        for (int i = 0; i < theta.length; i++) {
            float gi = g[i];
            float si = al * s[i] + rest * gi * gi;
            s[i] = si;
            theta[i] += a * (gi / ((float) Math.sqrt(si) + e));
        }
    }

    /**
     * RMSProp: {@code s[i] = α·s[i] + (1 − α)·g[i]²}, then {@code θ[i] += −η·g[i] / (√s[i] + ε)}.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param s the running mean of squared gradients, updated
     * @param eta the learning rate {@code η}
     * @param alpha the smoothing constant {@code α}
     * @param epsilon {@code ε}
     */
    public static void rmsProp(double[] theta, double[] g, double[] s, double eta, double alpha, double epsilon) {
        double a = -eta;
        double rest = 1 - alpha;
        for (int i = 0; i < theta.length; i++) {
            double gi = g[i];
            double si = alpha * s[i] + rest * gi * gi;
            s[i] = si;
            double step = gi / (Math.sqrt(si) + epsilon);
            theta[i] += a * step;
        }
    }

    // ------------------------------------------------------------------ Adam

    /**
     * Adam (and AdamW): {@code θ[i] = d·θ[i]}; {@code m[i] = β1·m[i] + (1 − β1)·g[i]};
     * {@code v[i] = β2·v[i] + (1 − β2)·g[i]²}; then {@code θ[i] += k·m[i] / (√v[i] / c₂ + ε)}, computed as
     * {@code (k·c₂)·m[i] / (√v[i] + ε·c₂)}, all in float arithmetic as {@code torch.optim.Adam} computes a
     * float32 parameter: a loop C2 vectorises, where double arithmetic and its conversions kept it scalar on
     * JDK 17, at more than half of a training step.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param m the first moment, updated
     * @param v the second moment, updated
     * @param beta1 {@code β1}
     * @param beta2 {@code β2}
     * @param epsilon {@code ε}
     * @param stepFactor {@code k = −η / (1 − β1ᵗ)}
     * @param sqrtCorrection2 {@code c₂ = √(1 − β2ᵗ)}
     * @param decay {@code d}, the decoupled decay factor {@code 1 − η·λ}; 1 multiplies by one, which changes no
     *     number
     */
    public static void adam(float[] theta, float[] g, float[] m, float[] v, double beta1, double beta2,
            double epsilon, double stepFactor, double sqrtCorrection2, double decay) {
        float b1 = (float) beta1;
        float rest1 = (float) (1 - beta1);
        float b2 = (float) beta2;
        float rest2 = (float) (1 - beta2);
        // k·m/(√v/c₂ + ε) = (k·c₂)·m/(√v + ε·c₂): one division per element instead of two, which the loop's
        // time is bound by (0.75 → 0.3 ns per parameter at 784-256-10 here).
        float kc = (float) (stepFactor * sqrtCorrection2);
        float ec = (float) (epsilon * sqrtCorrection2);
        float d = (float) decay;
        for (int i = 0; i < theta.length; i++) {
            float gi = g[i];
            float mi = m[i] * b1 + rest1 * gi;
            m[i] = mi;
            float vi = b2 * v[i] + rest2 * gi * gi;
            v[i] = vi;
            theta[i] = theta[i] * d + kc * (mi / ((float) Math.sqrt(vi) + ec));
        }
    }

    /**
     * Adam (and AdamW): {@code θ[i] = d·θ[i]}; {@code m[i] = β1·m[i] + (1 − β1)·g[i]};
     * {@code v[i] = β2·v[i] + (1 − β2)·g[i]²}; then {@code θ[i] += k·m[i] / (√v[i] / c₂ + ε)}.
     *
     * @param theta the parameter, updated
     * @param g the gradient
     * @param m the first moment, updated
     * @param v the second moment, updated
     * @param beta1 {@code β1}
     * @param beta2 {@code β2}
     * @param epsilon {@code ε}
     * @param stepFactor {@code k = −η / (1 − β1ᵗ)}
     * @param sqrtCorrection2 {@code c₂ = √(1 − β2ᵗ)}
     * @param decay {@code d}, the decoupled decay factor {@code 1 − η·λ}; 1 multiplies by one, which changes no
     *     number
     */
    public static void adam(double[] theta, double[] g, double[] m, double[] v, double beta1, double beta2,
            double epsilon, double stepFactor, double sqrtCorrection2, double decay) {
        double rest1 = 1 - beta1;
        double rest2 = 1 - beta2;
        for (int i = 0; i < theta.length; i++) {
            double gi = g[i];
            double mi = m[i] * beta1 + rest1 * gi;
            m[i] = mi;
            double vi = beta2 * v[i] + rest2 * gi * gi;
            v[i] = vi;
            double step = mi / (Math.sqrt(vi) / sqrtCorrection2 + epsilon);
            theta[i] = theta[i] * decay + stepFactor * step;
        }
    }

    // ------------------------------------------------------------------ gradient transforms

    /**
     * {@code out[i] = g[i] + λ·sign(θ[i])}, in double, rounded to float once; {@code out} may be {@code g}.
     *
     * @param g the gradient
     * @param lambda {@code λ}
     * @param theta the parameter
     * @param out the result
     */
    public static void addScaledSign(float[] g, double lambda, float[] theta, float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) (g[i] + lambda * Math.signum((double) theta[i]));
        }
    }

    /**
     * {@code out[i] = g[i] + λ·sign(θ[i])}; {@code out} may be {@code g}.
     *
     * @param g the gradient
     * @param lambda {@code λ}
     * @param theta the parameter
     * @param out the result
     */
    public static void addScaledSign(double[] g, double lambda, double[] theta, double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = g[i] + lambda * Math.signum(theta[i]);
        }
    }

    /**
     * {@code out[i] = min(max(x[i], lo), hi)}, in double, rounded to float once; {@code out} may be {@code x}.
     *
     * @param x the values
     * @param lo the lower bound
     * @param hi the upper bound
     * @param out the result
     */
    public static void clamp(float[] x, double lo, double hi, float[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = (float) Math.min(Math.max((double) x[i], lo), hi);
        }
    }

    /**
     * {@code out[i] = min(max(x[i], lo), hi)}; {@code out} may be {@code x}.
     *
     * @param x the values
     * @param lo the lower bound
     * @param hi the upper bound
     * @param out the result
     */
    public static void clamp(double[] x, double lo, double hi, double[] out) {
        for (int i = 0; i < out.length; i++) {
            out[i] = Math.min(Math.max(x[i], lo), hi);
        }
    }
}
