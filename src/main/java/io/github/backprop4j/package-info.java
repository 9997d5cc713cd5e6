/**
 * The model: immutable {@link io.github.backprop4j.Network networks} of dense
 * {@link io.github.backprop4j.Layer layers}, their {@link io.github.backprop4j.Activation activations},
 * {@link io.github.backprop4j.Loss losses} and {@link io.github.backprop4j.WeightInit weight
 * initialisations}. Nothing here holds training state; training lives in {@code io.github.backprop4j.train}
 * and the optimizers in {@code io.github.backprop4j.optim}.
 *
 * <p>Layers are numbered 1..L with the input as layer 0, everywhere: in the API, the documentation and
 * error messages. Matrices hold one sample per row.
 */
package io.github.backprop4j;
