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
 * Mutates valid files (bit flips, truncation, inserted and deleted bytes, huge lengths, edited JSON) and
 * checks that loading ends in a valid network or a {@link ModelFormatException}, never anything else.
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
        List<byte[]> seeds = seeds();
        Network torchArchitecture = Network.builder().input(3).dense(5, Activation.RELU).dense(2, Activation.SOFTMAX)
                .seed(1).build();
        SplittableRandom random = new SplittableRandom(seed);
        List<String> escapes = new ArrayList<>();
        int loaded = 0;
        for (int i = 0; i < cases; i++) {
            byte[] original = seeds.get(random.nextInt(seeds.size()));
            String[] how = new String[1];
            byte[] mutated = mutate(original, random, how);
            int mode = random.nextInt(4);
            try {
                Network network = switch (mode) {
                    case 0 -> ModelFile.load(new ByteArrayInputStream(mutated));
                    case 1 -> ModelFile.read(new ByteArrayInputStream(mutated), mutated.length, null, "fuzz");
                    case 2 -> ModelFile.loadWeights(new ByteArrayInputStream(mutated), torchArchitecture);
                    default -> Checkpoint.load(new ByteArrayInputStream(mutated)).network();
                };
                assertThat(network.predict(new double[network.inputSize()])).hasSize(network.outputSize());
                loaded++;
            } catch (ModelFormatException expected) {
                assertThat(expected.getMessage()).isNotBlank();
            } catch (Throwable escaped) {
                if (escapes.size() < 10) {
                    escapes.add("case " + i + " (" + how[0] + ", mode " + mode + "): " + escaped);
                }
            }
        }
        assertThat(escapes).as("exceptions other than ModelFormatException, %d cases, %d loaded", cases, loaded)
                .isEmpty();
    }

    private static List<byte[]> seeds() throws IOException {
        List<byte[]> seeds = new ArrayList<>();
        seeds.add(ModelFileTest.bytesOf(ModelFileTest.sample(Precision.FLOAT64)));
        seeds.add(ModelFileTest.bytesOf(ModelFileTest.sample(Precision.FLOAT32)));
        seeds.add(ModelFileTest.bytesOf(Network.builder().input(3).dense(5, Activation.RELU)
                .dense(2, Activation.SOFTMAX).seed(1).build()));
        Network small = Network.builder().input(3).dense(2, Activation.TANH).seed(2).build();
        Matrix velocity = Matrix.of(Precision.FLOAT64, new double[][] {{0.5, -0.5}}, "v");
        TrainingSnapshot snapshot = new TrainingSnapshot(small, OptimizerState.restore(Map.of(
                "layer1.bias.velocity", velocity), 3), 2, -5, new History(List.of(
                new EpochSummary(1, Map.of("loss", 0.5), 10, Duration.ofMillis(3), 0.1),
                new EpochSummary(2, Map.of("loss", 0.25, "val_loss", Double.NaN), 10, Duration.ofMillis(4), 0.1))),
                Loss.MSE, new TestComponents.Momentum(0.1, 0.9));
        ByteArrayOutputStream checkpoint = new ByteArrayOutputStream();
        Checkpoint.save(snapshot, checkpoint);
        seeds.add(checkpoint.toByteArray());
        HandWrittenFile f = new HandWrittenFile();
        long[] w = f.bits16(0x3C00, 0xC000, 0x3800, 0x0001, 0x7BFF, 0x8000);
        long[] b = f.bits16(0x3F80, 0x4049);
        seeds.add(f.build("{\"0.weight\":{\"dtype\":\"F16\",\"shape\":[2,3],\"data_offsets\":[" + w[0] + "," + w[1]
                + "]},\"0.bias\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[" + b[0] + "," + b[1] + "]}}"));
        return seeds;
    }

    static byte[] mutate(byte[] original, SplittableRandom random, String[] how) {
        byte[] b = original.clone();
        int n = (int) ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getLong();
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
