package io.github.backprop4j.repro;

import io.github.backprop4j.Activation;
import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.Trainer;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * Runs one seeded prediction-and-training case several times in this JVM and prints one digest of the bits
 * per repetition: {@code DIGEST <repetition> <sha-256>}. The first repetition runs cold (interpreted, or with
 * whatever the JIT has compiled by then), the later ones warm. {@link CrossJvmDeterminismTest} starts it in
 * forked JVMs with other compiler and vector-width flags and compares every digest.
 *
 * <p>Arguments: the case ({@code small}: 12-8-5, 48 samples, few enough elements for {@code -Xint};
 * {@code medium}: 64-32-16-32-10 with tanh, SiLU and ReLU, 512 samples), the precision ({@code FLOAT32} or {@code FLOAT64}) and the number
 * of repetitions.
 */
public final class DeterminismMain {

    private DeterminismMain() {
    }

    /**
     * Prints the digests.
     *
     * @param args case, precision, repetitions
     * @throws Exception never in practice
     */
    public static void main(String[] args) throws Exception {
        String size = args[0];
        Precision precision = Precision.valueOf(args[1]);
        int repetitions = Integer.parseInt(args[2]);
        Engine.setThreads(1);
        StringBuilder out = new StringBuilder();
        for (int r = 0; r < repetitions; r++) {
            out.append("DIGEST ").append(r).append(' ').append(digest(size, precision)).append('\n');
        }
        System.out.print(out);
        System.out.println("KERNELS " + Engine.kernels());
    }

    /**
     * The digest of one run of the case: predictions of a batch and of single samples, then two epochs of
     * training with a softmax output, then the trained network's parameters and predictions.
     *
     * @param size {@code small} or {@code medium}
     * @param precision the network's precision
     * @return the SHA-256 of every bit, in hex
     * @throws NoSuchAlgorithmException never
     */
    static String digest(String size, Precision precision) throws NoSuchAlgorithmException {
        boolean small = size.equals("small");
        int in = small ? 12 : 64;
        int hidden = small ? 8 : 32;
        int classes = small ? 5 : 10;
        int samples = small ? 48 : 512;
        SplittableRandom random = new SplittableRandom(20261201);
        double[][] x = new double[samples][in];
        int[] labels = new int[samples];
        for (int i = 0; i < samples; i++) {
            for (int j = 0; j < in; j++) {
                x[i][j] = random.nextDouble(-2, 2);
            }
            labels[i] = random.nextInt(classes);
        }
        Network.Builder builder = Network.builder().input(in).dense(hidden, Activation.TANH);
        if (!small) {
            builder = builder.dense(16, Activation.SILU).dense(hidden, Activation.RELU);
        }
        Network network = builder.dense(classes, Activation.SOFTMAX).precision(precision).seed(5).build();
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        absorb(sha, network, x);
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(Optimizer.adam(0.01))
                .epochs(2).batchSize(small ? 8 : 32).seed(3).build();
        DataSet data = DataSet.ofLabels(x, labels, classes);
        Network trained = trainer.fit(network, data).network();
        absorb(sha, trained, x);
        for (int l = 1; l <= trained.layerCount(); l++) {
            DenseLayer layer = trained.dense(l);
            for (double[] row : layer.weights()) {
                put(sha, row);
            }
            put(sha, layer.bias());
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void absorb(MessageDigest sha, Network network, double[][] x) {
        for (double[] row : network.predict(x)) {
            put(sha, row);
        }
        for (int i = 0; i < 3; i++) {
            put(sha, network.predict(x[i]));
        }
    }

    private static void put(MessageDigest sha, double[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * Double.BYTES);
        for (double v : values) {
            bytes.putLong(Double.doubleToRawLongBits(v));
        }
        sha.update(bytes.array());
    }
}
