package io.github.backprop4j.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import io.github.backprop4j.Activation;
import io.github.backprop4j.Network;
import io.github.backprop4j.math.Precision;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Weights exported from PyTorch by {@code src/test/python/export_torch_model.py} (a plain {@code state_dict}
 * of {@code nn.Sequential(Linear(4, 8), Tanh(), Linear(8, 6), ReLU(), Linear(6, 3))}, no metadata) load into
 * the declared architecture and predict what PyTorch predicts with the same weights.
 */
class TorchInteropTest {

    private static InputStream resource(String name) {
        InputStream in = TorchInteropTest.class.getResourceAsStream("/io/torch/" + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }

    @Test
    void torchWeightsPredictAsInTorchInEveryDtype() throws IOException {
        JsonObject expected;
        try (InputStreamReader reader = new InputStreamReader(resource("expected.json"), StandardCharsets.UTF_8)) {
            expected = new Gson().fromJson(reader, JsonObject.class);
        }
        double[][] inputs = new Gson().fromJson(expected.get("inputs"), double[][].class);
        for (String dtype : new String[] {"F32", "F16", "BF16"}) {
            Network architecture = Network.builder().input(4).dense(8, Activation.TANH).dense(6, Activation.RELU)
                    .dense(3, Activation.SOFTMAX).precision(Precision.FLOAT64).seed(1).build();
            Network network;
            try (InputStream in = resource("sequential-" + dtype.toLowerCase() + ".safetensors")) {
                network = ModelFile.loadWeights(in, architecture);
            }
            double[][] torch = new Gson().fromJson(expected.get(dtype), double[][].class);
            double[][] ours = network.predict(inputs);
            for (int r = 0; r < inputs.length; r++) {
                for (int c = 0; c < 3; c++) {
                    assertThat(ours[r][c]).as("%s sample %d class %d", dtype, r, c).isCloseTo(torch[r][c],
                            within(1e-12));
                }
            }
        }
    }
}
