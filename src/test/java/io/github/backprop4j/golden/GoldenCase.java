package io.github.backprop4j.golden;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.backprop4j.Activation;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * One reference case of {@code src/test/resources/golden} (see its README): a small network, a batch, and
 * the values PyTorch computed for it in float64.
 */
public record GoldenCase(
        String name,
        List<LayerValues> layers,
        String loss,
        double[][] input,
        double[][] target,
        List<ForwardValues> forward,
        double lossValue,
        List<double[][]> delta,
        List<ParameterValues> gradients,
        Map<String, OptimizerRun> optimizers) {

    /** The file names of every case, in the order of the README. */
    public static final List<String> FILES = List.of(
            "single-layer-sigmoid-mse", "sigmoid-mse", "tanh-identity-mse", "tanh-identity-mae",
            "gelu-identity-huber", "relu-softmax-ce", "leaky-elu-softmax-ce", "softplus-silu-sigmoid-bce");

    /** A layer as the case gives it. */
    public record LayerValues(int in, int out, String activation, double[][] weights, double[] bias) {
    }

    /** One layer's recorded weighted sums and activations. */
    public record ForwardValues(double[][] z, double[][] a) {
    }

    /** Weights and bias of one layer (a gradient, or parameters after steps). */
    public record ParameterValues(double[][] weights, double[] bias) {
    }

    /** Three steps of one optimizer from the case's parameters. */
    public record OptimizerRun(Map<String, Object> hyperparameters, int steps, double[] lossBeforeEachStep,
            List<ParameterValues> after) {

        /**
         * Returns a hyper-parameter as a number.
         *
         * @param key its name in the file
         * @return its value
         */
        public double number(String key) {
            Object v = hyperparameters.get(key);
            if (v == null) {
                throw new IllegalArgumentException("no hyper-parameter " + key + " in " + hyperparameters);
            }
            return ((Number) v).doubleValue();
        }
    }

    /**
     * Reads a case from the test resources.
     *
     * @param file its name without {@code .json}
     * @return the case
     */
    public static GoldenCase load(String file) {
        String path = "/golden/" + file + ".json";
        try (InputStream in = GoldenCase.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource " + path);
            }
            JsonObject json = new Gson().fromJson(new InputStreamReader(in, StandardCharsets.UTF_8), JsonObject.class);
            // Gson maps snake_case fields through a renamed copy of the tree.
            json.add("lossValue", json.get("loss_value"));
            for (Map.Entry<String, com.google.gson.JsonElement> e : json.getAsJsonObject("optimizers").entrySet()) {
                JsonObject run = e.getValue().getAsJsonObject();
                run.add("lossBeforeEachStep", run.get("loss_before_each_step"));
            }
            return new Gson().fromJson(json, GoldenCase.class);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Maps the file's activation names to the library's activations.
     *
     * @param name the name in the file
     * @return the activation
     */
    public static Activation activation(String name) {
        return switch (name) {
            case "identity" -> Activation.IDENTITY;
            case "sigmoid" -> Activation.SIGMOID;
            case "tanh" -> Activation.TANH;
            case "relu" -> Activation.RELU;
            case "leaky_relu" -> Activation.LEAKY_RELU;
            case "elu" -> Activation.ELU;
            case "softplus" -> Activation.SOFTPLUS;
            case "silu" -> Activation.SILU;
            case "gelu_tanh" -> Activation.GELU;
            case "softmax" -> Activation.SOFTMAX;
            default -> throw new IllegalArgumentException("unknown activation in golden file: " + name);
        };
    }

    /**
     * Returns the case's loss.
     *
     * @return the loss named in the file
     */
    public Loss lossFunction() {
        return loss(loss);
    }

    /**
     * Maps the file's loss names (shared with the layers-1 files of {@code golden/layers}) to the library's
     * losses.
     *
     * @param loss the name in the file
     * @return the loss
     */
    public static Loss loss(String loss) {
        return switch (loss) {
            case "mse" -> Loss.MSE;
            case "mae" -> Loss.MAE;
            case "huber" -> Loss.HUBER;
            case "cross_entropy" -> Loss.CROSS_ENTROPY;
            case "binary_cross_entropy" -> Loss.BINARY_CROSS_ENTROPY;
            default -> throw new IllegalArgumentException("unknown loss in golden file: " + loss);
        };
    }

    /**
     * Builds the case's network from its explicit weights, biases and activations.
     *
     * @param precision the precision; float32 rounds the parameters first
     * @return the network
     */
    public Network network(Precision precision) {
        return Network.of(layers.stream()
                .map(l -> Layer.of(l.weights(), l.bias(), activation(l.activation()), precision))
                .toList());
    }

    @Override
    public String toString() {
        return name;
    }
}
