package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.ParameterState;
import io.github.backprop4j.train.Metrics;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingResult;
import java.util.Locale;

/**
 * Plugs a user-written optimizer into the trainer: "Adam without bias correction, and with the sign of the
 * first moment", a toy written in a dozen lines against the public {@link Optimizer} contract. Its
 * configuration is an immutable record; its per-parameter buffers live in the run's state
 * ({@link ParameterState#slot}), never in the optimizer.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=CustomOptimizerExample}.
 */
public final class CustomOptimizerExample {

    private CustomOptimizerExample() {
    }

    /**
     * The optimizer: {@code m ← β·m + (1 − β)·g}, {@code θ ← θ − η·sign(m)}.
     *
     * @param learningRate {@code η}
     * @param beta {@code β}, the decay of the moving average of gradients
     */
    record SignMomentum(double learningRate, double beta) implements Optimizer {
        @Override
        public void update(Matrix parameter, Matrix gradient, double eta, ParameterState state) {
            Matrix m = state.slot("m"); //                  zeros on the first step
            m.scale(beta);
            m.addScaled(1 - beta, gradient); //             m ← β·m + (1 − β)·g
            Matrix step = m.copy();
            m.map(Math::signum, step);
            parameter.addScaled(-eta, step); //             θ ← θ − η·sign(m)
        }
    }

    /**
     * Trains Iris with the custom optimizer and prints the test accuracy.
     *
     * @param args optionally the number of epochs (60 unless given)
     */
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 60;
        DataSet.Split split = BundledData.iris().split(0.7, 11);
        Standardizer scaler = Standardizer.fit(split.train());

        Network network = Network.builder().input(4).dense(8, Activation.TANH).dense(3, Activation.SOFTMAX)
                .seed(11).build();
        Trainer trainer = Trainer.builder()
                .loss(Loss.CROSS_ENTROPY)
                .optimizer(new SignMomentum(0.005, 0.9))
                .epochs(epochs)
                .batchSize(16)
                .metrics(Metrics.ACCURACY)
                .logging(false)
                .progress() // a bar within each epoch on a terminal, a line per epoch elsewhere
                .seed(11)
                .build();
        TrainingResult result = trainer.fit(network, scaler.transform(split.train()));

        double accuracy = trainer.evaluate(result.network(), scaler.transform(split.test())).get("accuracy");
        System.out.printf(Locale.ROOT, "custom optimizer %s: test accuracy %.4f%n", trainer, accuracy);
    }
}
