package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.History;
import io.github.backprop4j.train.TrainingSnapshot;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.Map;
import io.github.backprop4j.math.Precision;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Mutates valid files and checks that loading ends in a valid network or a {@link ModelFormatException},
 * never anything else. Two thirds of the mutations work on bytes (bit flips, truncation, inserted and deleted
 * bytes, huge lengths, tokens spliced into the JSON); one third on the structure ({@link StructuredMutator}:
 * header values, shapes, offsets, dtypes, metadata, tensors removed, renamed or added, int64 tensors), so that
 * most of those mutants pass the container's checks and reach the model's. The seeds are models of both
 * precisions, PyTorch-style weights (F16, BF16, and an I64 tensor beside them), checkpoints (a momentum
 * optimizer, and a real Adam run) and model bundles (read as bundles, and sometimes as network files).
 *
 * <p>Runs {@value #DEFAULT_CASES} cases from a fixed seed; run more with
 * {@code mvn test -Dtest=ModelFileFuzzTest -Dfuzz.cases=1000000} (and another seed with {@code -Dfuzz.seed=}).
 */
class ModelFileFuzzTest {

    static final int DEFAULT_CASES = 10_000;

    private static final String[] JSON_TOKENS = {"{", "}", "[", "]", ",", ":", "\"", "\\", "0", "-1", "1e400",
        "99999999999999999999", "9223372036854775807", "18446744073709551615", "null", "true", "[[[[[[[[[[[[[[[[[[",
        "\"F16\"", "\"BF16\"", "\"I64\"", "\"F64\"", "\"F32\"", "\"__metadata__\"", "\"shape\"", "\"data_offsets\"",
        "\"dtype\"", "\\u0000", "\u00e9", "\"float32\"", "\"float64\"", "\"softmax\"", "\"leaky_relu\"", "2147483647",
        "4294967296", "1.5", "NaN", "\"Infinity\"", "\"-0.0\"", "\"1e-400\"", "\"layer_count\"", "\"9\"", "\"0\""};

    @Test
    void mutatedFilesLoadOrFailWithModelFormatException() throws IOException {
        int cases = Integer.getInteger("fuzz.cases", DEFAULT_CASES);
        long seed = Long.getLong("fuzz.seed", 20240605L);
        Outcomes outcomes = run(cases, seed);
        String report = System.getProperty("fuzz.report");
        if (report != null) {
            java.nio.file.Files.writeString(java.nio.file.Path.of(report), outcomes.toString());
        }
        assertThat(outcomes.escapes).as("exceptions other than ModelFormatException: %s", outcomes).isEmpty();
        assertThat(outcomes.loaded).as("some mutants are valid files: %s", outcomes).isPositive();
        assertThat(outcomes.refused).as("most mutants are refused: %s", outcomes).isGreaterThan(cases / 2);
    }

    /**
     * The long run behind the heavy profile ({@code mvn -Pheavy verify}): a million cases from another seed,
     * about a minute and a half on one core ({@code -Dfuzz.heavy.cases=} for another number).
     */
    @Test
    @org.junit.jupiter.api.Tag("heavy")
    void aLongRunOfMutatedFilesLoadsOrFailsWithModelFormatException() throws IOException {
        Outcomes outcomes = run(Integer.getInteger("fuzz.heavy.cases", 1_000_000), 77L);
        assertThat(outcomes.escapes).as("exceptions other than ModelFormatException: %s", outcomes).isEmpty();
    }

    /** Counts of outcomes, by outcome and by kind of mutation. */
    static final class Outcomes {
        int loaded;
        int refused;
        final List<String> escapes = new ArrayList<>();
        int escaped;
        final java.util.TreeMap<String, int[]> byKind = new java.util.TreeMap<>(); // loaded, refused, escaped

        void count(String kind, int outcome) {
            byKind.computeIfAbsent(kind, k -> new int[3])[outcome]++;
        }

        @Override
        public String toString() {
            StringBuilder s = new StringBuilder("loaded " + loaded + ", refused " + refused + ", escaped " + escaped
                    + "; by mutation (loaded/refused/escaped):");
            byKind.forEach((k, v) -> s.append(' ').append(k).append(' ').append(v[0]).append('/').append(v[1])
                    .append('/').append(v[2]).append(';'));
            return s.toString();
        }
    }

    static Outcomes run(int cases, long seed) throws IOException {
        List<Seed> seeds = seeds();
        Network torchArchitecture = Network.builder().input(3).dense(5, Activation.RELU).dense(2, Activation.SOFTMAX)
                .seed(1).build();
        Network torchLayersArchitecture = LayerKindsModelFileTest.torchArchitecture(Precision.FLOAT64);
        SplittableRandom random = new SplittableRandom(seed);
        Outcomes outcomes = new Outcomes();
        for (int i = 0; i < cases; i++) {
            Seed original = seeds.get(random.nextInt(seeds.size()));
            String[] how = new String[1];
            byte[] mutated = mutate(original.bytes(), random, how);
            int mode = random.nextInt(4) != 0 ? original.mode() : random.nextInt(4);
            String kind = how[0].split(" ")[0];
            try {
                Network network = switch (mode) {
                    case 0 -> ModelFile.load(new ByteArrayInputStream(mutated));
                    case 1 -> ModelFile.read(new ByteArrayInputStream(mutated), mutated.length, null, "fuzz");
                    case 2 -> ModelFile.loadWeights(new ByteArrayInputStream(mutated), torchArchitecture);
                    case 4 -> ModelFile.loadWeights(new ByteArrayInputStream(mutated), torchLayersArchitecture);
                    case 5 -> ModelBundle.read(new ByteArrayInputStream(mutated), random.nextBoolean() ? -1
                            : mutated.length, "fuzz").network();
                    default -> Checkpoint.read(new ByteArrayInputStream(mutated), random.nextBoolean() ? -1
                            : mutated.length, "fuzz").network();
                };
                assertThat(network.predict(new double[network.inputSize()])).hasSize(network.outputSize());
                outcomes.loaded++;
                outcomes.count(kind, 0);
            } catch (ModelFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
                outcomes.refused++;
                outcomes.count(kind, 1);
            } catch (Throwable escaped) {
                outcomes.escaped++;
                outcomes.count(kind, 2);
                if (outcomes.escapes.size() < 10) {
                    outcomes.escapes.add("case " + i + " (" + how[0] + ", mode " + mode + "): " + escaped);
                }
            }
        }
        return outcomes;
    }

    /**
     * A valid file and the way of loading it that reads it fully: 0 model, 2 PyTorch weights, 3 checkpoint, 4
     * PyTorch weights of {@link LayerKindsModelFileTest#torchArchitecture every kind}, 5 model bundle.
     */
    record Seed(byte[] bytes, int mode) {
    }

    private static List<Seed> seeds() throws IOException {
        List<Seed> seeds = new ArrayList<>();
        seeds.add(new Seed(ModelFileTest.bytesOf(ModelFileTest.sample(Precision.FLOAT64)), 0));
        seeds.add(new Seed(ModelFileTest.bytesOf(ModelFileTest.sample(Precision.FLOAT32)), 0));
        seeds.add(new Seed(ModelFileTest.bytesOf(Network.builder().input(3).dense(5, Activation.RELU)
                .dense(2, Activation.SOFTMAX).seed(1).build()), 2));
        Network small = Network.builder().input(3).dense(2, Activation.TANH).seed(2).build();
        Matrix velocity = Matrix.of(Precision.FLOAT64, new double[][] {{0.5, -0.5}}, "v");
        TrainingSnapshot snapshot = new TrainingSnapshot(small, OptimizerState.restore(Map.of(
                "layer1.bias.velocity", velocity), 3), 2, -5, new History(List.of(
                new EpochSummary(1, Map.of("loss", 0.5), 10, Duration.ofMillis(3), 0.1),
                new EpochSummary(2, Map.of("loss", 0.25, "val_loss", Double.NaN), 10, Duration.ofMillis(4), 0.1))),
                Loss.MSE, new TestComponents.Momentum(0.1, 0.9));
        ByteArrayOutputStream checkpoint = new ByteArrayOutputStream();
        Checkpoint.save(snapshot, checkpoint);
        seeds.add(new Seed(checkpoint.toByteArray(), 3));
        // A checkpoint of a real Adam run: exp_avg and exp_avg_sq for every parameter, float32.
        Network adamNetwork = Network.builder().input(2).dense(3, Activation.RELU).dense(2, Activation.SOFTMAX).seed(4)
                .build();
        java.nio.file.Path folder = java.nio.file.Files.createTempDirectory("fuzz-checkpoint");
        try {
            io.github.backprop4j.train.Trainer.builder().loss(Loss.CROSS_ENTROPY)
                    .optimizer(io.github.backprop4j.optim.Optimizer.adam(0.01)).epochs(2).batchSize(4).seed(1)
                    .logging(false).listeners(Checkpoint.every(folder, 1)).build()
                    .fit(adamNetwork, TestData.twoClasses(12, 3));
            seeds.add(new Seed(java.nio.file.Files.readAllBytes(Checkpoint.file(folder)), 3));
        } finally {
            try (var files = java.nio.file.Files.list(folder)) {
                for (java.nio.file.Path f : files.toList()) {
                    java.nio.file.Files.delete(f);
                }
            }
            java.nio.file.Files.delete(folder);
        }
        // Every layer kind: a model in both precisions, a checkpoint of an Adam run, PyTorch's state_dict.
        seeds.add(new Seed(ModelFileTest.bytesOf(LayerKindsModelFileTest.everyKind(Precision.FLOAT64)), 0));
        seeds.add(new Seed(ModelFileTest.bytesOf(LayerKindsModelFileTest.everyKind(Precision.FLOAT32)), 0));
        seeds.add(new Seed(LayerKindsModelFileTest.resource("/io/torch/layers-f32.safetensors"), 4));
        seeds.add(new Seed(kindsCheckpoint(), 3));
        // Model bundles: a standardizer with class and feature names; a min-max scaler with category mappings.
        seeds.add(new Seed(ModelBundleTest.bytesOf(ModelBundleTest.iris()), 5));
        seeds.add(new Seed(ModelBundleTest.bytesOf(ModelBundleTest.shop()), 5));
        HandWrittenFile f = new HandWrittenFile();
        long[] w = f.bits16(0x3C00, 0xC000, 0x3800, 0x0001, 0x7BFF, 0x8000);
        long[] b = f.bits16(0x3F80, 0x4049);
        seeds.add(new Seed(f.build("{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[" + w[0]
                + "," + w[1] + "]},\"0.bias\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + b[0] + ","
                + b[1] + "]}}"), 2));
        // An int64 tensor (e.g. a step counter as PyTorch saves one) beside float weights.
        HandWrittenFile g = new HandWrittenFile();
        long[] steps = g.f64(Double.longBitsToDouble(12L), Double.longBitsToDouble(-1L));
        long[] gw = g.f32(1, 2, 3, 4, 5, 6);
        long[] gb = g.f32(0.5f, -0.5f);
        seeds.add(new Seed(g.build("{\"step\":{\"dtype\":\"I64\",\"shape\":[2],\"data_offsets\":[" + steps[0] + ","
                + steps[1] + "]},\"0.weight\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[" + gw[0] + ","
                + gw[1] + "]},\"0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[" + gb[0] + ","
                + gb[1] + "]}}"), 2));
        return seeds;
    }

    /** A checkpoint of two Adam steps on a network of every kind: buffers of tables, scales, inner layers. */
    private static byte[] kindsCheckpoint() throws IOException {
        Network network = Network.builder().input(1).categorical(3, 2).dense(4, Activation.TANH).batchNorm()
                .residual(Activation.RELU, b -> b.dense(3, Activation.TANH).dense(4).layerNorm())
                .dense(2, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(6).build();
        double[][] x = {{0.5, 0}, {-0.5, 2}, {0.25, 1}, {1, 2}};
        double[][] y = {{1, 0}, {0, 1}, {0, 1}, {1, 0}};
        OptimizerState state = new OptimizerState();
        io.github.backprop4j.train.Backpropagator backprop = new io.github.backprop4j.train.Backpropagator(
                Loss.CROSS_ENTROPY);
        for (int step = 0; step < 2; step++) {
            network = backprop.step(network, x, y, io.github.backprop4j.optim.Optimizer.adam(0.01), state);
        }
        TrainingSnapshot snapshot = new TrainingSnapshot(network, state, 1, 7, new History(List.of(
                new EpochSummary(1, Map.of("loss", 0.5), 4, Duration.ofMillis(2), 0.01))), Loss.CROSS_ENTROPY,
                io.github.backprop4j.optim.Optimizer.adam(0.01));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Checkpoint.save(snapshot, out);
        return out.toByteArray();
    }

    static byte[] mutate(byte[] original, SplittableRandom random, String[] how) {
        byte[] b = original.clone();
        int n = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (random.nextInt(3) == 0) {
            return StructuredMutator.mutate(original, random, how);
        }
        switch (random.nextInt(9)) {
            case 0 -> { // flip bits, mostly in the header
                int flips = 1 + random.nextInt(4);
                for (int k = 0; k < flips; k++) {
                    int at = random.nextBoolean() ? random.nextInt(Math.min(b.length, 8 + n)) : random.nextInt(b.length);
                    b[at] ^= (byte) (1 << random.nextInt(8));
                }
                how[0] = "bit flips";
            }
            case 1 -> {
                b = Arrays.copyOf(b, random.nextInt(b.length));
                how[0] = "truncated to " + b.length;
            }
            case 2 -> {
                int at = random.nextInt(b.length + 1);
                byte[] extra = new byte[1 + random.nextInt(16)];
                random.nextBytes(extra);
                b = splice(b, at, 0, extra);
                how[0] = "inserted " + extra.length + " bytes at " + at;
            }
            case 3 -> {
                int at = random.nextInt(b.length);
                int len = Math.min(b.length - at, 1 + random.nextInt(16));
                b = splice(b, at, len, new byte[0]);
                how[0] = "deleted " + len + " bytes at " + at;
            }
            case 4 -> {
                long[] lengths = {-1, Long.MIN_VALUE, Long.MAX_VALUE, 1L << 31, 1L << 32, 99_999_999, 100_000_001, 0,
                    1, n - 1, n + 1, n + 8, b.length, random.nextLong()};
                long length = lengths[random.nextInt(lengths.length)];
                ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(0, length);
                how[0] = "header length " + length;
            }
            default -> { // edit the JSON: replace a span of the header by a token, keeping or fixing the length
                String header = new String(b, 8, n, StandardCharsets.ISO_8859_1);
                int at = random.nextInt(header.length());
                int len = random.nextInt(Math.min(12, header.length() - at) + 1);
                String token = JSON_TOKENS[random.nextInt(JSON_TOKENS.length)];
                String edited = header.substring(0, at) + token + header.substring(at + len);
                byte[] h = edited.getBytes(StandardCharsets.ISO_8859_1);
                boolean fixLength = random.nextInt(4) != 0;
                ByteBuffer out = ByteBuffer.allocate(8 + h.length + b.length - 8 - n).order(ByteOrder.LITTLE_ENDIAN);
                out.putLong(fixLength ? h.length : n).put(h).put(b, 8 + n, b.length - 8 - n);
                b = out.array();
                how[0] = "replaced " + len + " header chars at " + at + " by " + token + (fixLength ? "" : ", old length");
            }
        }
        return b;
    }

    private static byte[] splice(byte[] b, int at, int remove, byte[] insert) {
        byte[] out = new byte[b.length - remove + insert.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(insert, 0, out, at, insert.length);
        System.arraycopy(b, at + remove, out, at + insert.length, b.length - at - remove);
        return out;
    }
}
