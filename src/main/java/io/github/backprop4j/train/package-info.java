/**
 * Training: the forward pass, backpropagation and the update, equation by equation.
 *
 * <h2>Symbols</h2>
 * <table>
 *   <caption>Symbols and their names in the API</caption>
 *   <tr><th>symbol</th><th>name in the API</th><th>shape (rows are samples)</th></tr>
 *   <tr><td>{@code l}</td><td>layer number, 1..L; the input is layer 0</td><td></td></tr>
 *   <tr><td>{@code Wˡ}</td><td>{@code Layer.weights()}</td><td>{@code [out × in]}</td></tr>
 *   <tr><td>{@code bˡ}</td><td>{@code Layer.bias()}</td><td>{@code [out]}</td></tr>
 *   <tr><td>{@code zˡ}</td><td>{@link io.github.backprop4j.train.ForwardPass#weightedSums(int) weightedSums(l)}</td>
 *       <td>{@code [batch × out]}</td></tr>
 *   <tr><td>{@code aˡ}</td><td>{@link io.github.backprop4j.train.ForwardPass#activations(int) activations(l)}</td>
 *       <td>{@code [batch × out]}</td></tr>
 *   <tr><td>{@code σˡ}</td><td>{@code Layer.activation()}</td><td></td></tr>
 *   <tr><td>{@code C}</td><td>{@link io.github.backprop4j.train.Gradients#loss() loss()}</td><td>scalar</td></tr>
 *   <tr><td>{@code δˡ = ∂C/∂zˡ}</td><td>{@link io.github.backprop4j.train.Gradients#errorSignal(int) errorSignal(l)}</td>
 *       <td>{@code [batch × out]}</td></tr>
 *   <tr><td>{@code ∂C/∂Wˡ}</td><td>{@link io.github.backprop4j.train.Gradients#weightGradient(int) weightGradient(l)}</td>
 *       <td>{@code [out × in]}</td></tr>
 *   <tr><td>{@code ∂C/∂bˡ}</td><td>{@link io.github.backprop4j.train.Gradients#biasGradient(int) biasGradient(l)}</td>
 *       <td>{@code [1 × out]}</td></tr>
 *   <tr><td>{@code η}</td><td>{@code Optimizer.learningRate()}</td><td>scalar</td></tr>
 * </table>
 *
 * <h2>The algorithm</h2>
 * <pre>
 *   a⁰     = x                                  the input batch
 *   zˡ     = aˡ⁻¹·Wˡᵀ + bˡ                      (1) weighted sum          ForwardPass.run
 *   aˡ     = σˡ(zˡ)                             (2) activation            ForwardPass.run
 *   C      = loss(aᴸ, y)                            the cost, a batch mean  Loss.value
 *   δᴸ     = ∇ₐC ⊙ σᴸ'(zᴸ)                      (3) output error          Loss.outputErrorSignal
 *   δˡ     = (δˡ⁺¹·Wˡ⁺¹) ⊙ σˡ'(zˡ)              (4) hidden error          Activation.backward
 *   ∂C/∂Wˡ = δˡᵀ·aˡ⁻¹                           (5) weight gradient       Backpropagator.gradients
 *   ∂C/∂bˡ = Σ_samples δˡ                       (6) bias gradient         Backpropagator.gradients
 *   θ      ← θ − η·∂C/∂θ                        (7) gradient descent      GradientDescent.update
 * </pre>
 * Per sample, (4) is the textbook {@code δˡ = (Wˡ⁺¹)ᵀδˡ⁺¹ ⊙ σ'(zˡ)} and (5) is {@code δ·a_prevᵀ}; with
 * samples as rows the transposes move. Because {@code C} is a batch mean, {@code δ} already carries the
 * {@code 1/batch} factor, so (5) and (6) sum over samples rather than average.
 *
 * <p>Other optimizers change only (7), through {@link io.github.backprop4j.optim.Optimizer}.
 *
 * <p>{@link io.github.backprop4j.train.ExplainedStep} keeps every quantity of (1)–(7) of one batch and one step
 * and prints them as tables; {@link io.github.backprop4j.train.Attributions} carries the error signal of a chosen
 * output one layer further back, to the input ({@code ∂f/∂x = δ¹·W¹}), and builds input × gradient, integrated
 * gradients and permutation importance on it.
 */
package io.github.backprop4j.train;
