/**
 * Saving and loading models and training checkpoints in the safetensors format.
 *
 * <ul>
 *   <li>{@link io.github.backprop4j.io.ModelFile} saves and loads networks, and loads weights exported from
 *       PyTorch into a declared architecture;</li>
 *   <li>{@link io.github.backprop4j.io.ModelBundle} saves a network with its fitted scaler, category mappings and
 *       class and feature names in one file, and predicts from raw rows;</li>
 *   <li>{@link io.github.backprop4j.io.Checkpoint} saves and loads
 *       {@link io.github.backprop4j.train.TrainingSnapshot training snapshots} and writes them during
 *       training;</li>
 *   <li>{@link io.github.backprop4j.io.Components} names activations, losses and optimizers in files, with
 *       {@link io.github.backprop4j.io.ComponentProvider} for user-defined ones;</li>
 *   <li>{@link io.github.backprop4j.io.ModelFormatException} is the one exception a malformed file gives.</li>
 * </ul>
 *
 * <p>Every file is treated as untrusted: no Java serialization is used anywhere, lengths and offsets are
 * checked before anything is allocated, and the JSON header is read by a small strict parser with bounded
 * nesting and string lengths. Every write goes to a temporary file that replaces the target atomically.
 * The format and its guarantees are described in {@code docs/model-format.md}.
 */
package io.github.backprop4j.io;
