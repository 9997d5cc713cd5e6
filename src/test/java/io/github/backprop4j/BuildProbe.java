package io.github.backprop4j;

import io.github.backprop4j.math.Precision;

/**
 * Run in a forked JVM by {@link LargeNetworkTest}: builds {@code input(args[0]).dense(args[1])} in float32 and
 * writes the outcome as one line to its standard output: {@code BUILT}, {@code REFUSED <message>},
 * {@code OOM} or {@code ESCAPED <throwable>}.
 */
public final class BuildProbe {

    private BuildProbe() {
    }

    /**
     * Builds one network.
     *
     * @param args the input size and the layer size
     */
    public static void main(String[] args) {
        String outcome;
        try {
            Network network = Network.builder().input(Integer.parseInt(args[0]))
                    .dense(Integer.parseInt(args[1]), Activation.RELU).precision(Precision.FLOAT32).seed(3).build();
            outcome = "BUILT " + network.parameterCount();
        } catch (IllegalArgumentException e) {
            outcome = "REFUSED " + e.getMessage();
        } catch (OutOfMemoryError e) {
            outcome = "OOM";
        } catch (Throwable e) {
            outcome = "ESCAPED " + e;
        }
        System.out.println(outcome);
    }
}
