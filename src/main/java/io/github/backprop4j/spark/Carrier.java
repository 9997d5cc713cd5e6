package io.github.backprop4j.spark;

import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.io.Checkpoint;
import io.github.backprop4j.io.ModelFile;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.TrainingSnapshot;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What travels between the driver and the tasks, in the library's own file formats rather than Java
 * serialization: a network as {@link ModelFile} bytes; a network with its optimizer state, loss and optimizer
 * as {@link Checkpoint} bytes (whose epoch and history are placeholders: only the parts above are read).
 * Custom activations, losses and optimizers therefore need to be registered with
 * {@code io.github.backprop4j.io.Components} on the executors too (a {@code ComponentProvider} does that).
 */
final class Carrier {

    private Carrier() {
    }

    static byte[] network(Network network) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ModelFile.save(network, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static Network network(byte[] bytes) {
        try {
            return ModelFile.load(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] run(Network network, OptimizerState state, Loss loss, Optimizer optimizer) {
        History placeholder = new History(List.of(new EpochSummary(1, Map.of("loss", 0.0), 0, Duration.ZERO,
                optimizer.learningRate())));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            Checkpoint.save(new TrainingSnapshot(network, state, 1, 0, placeholder, loss, optimizer), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    static TrainingSnapshot run(byte[] bytes) {
        try {
            return Checkpoint.load(new ByteArrayInputStream(bytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
