package io.github.backprop4j.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The core's peak for {@code bench/run_side_by_side.sh}: a register-only loop of {@value #CHAINS} independent
 * FMA chains, {@code aₖ ← aₖ·m + c} on vectors of the preferred species, so nothing but FMAs and the loop
 * counter run; one thread. Each FMA is two FLOP per lane. The chains converge to {@code c / (1 − m)}, so no
 * value overflows or becomes subnormal. Prints one JSON line per precision: the best run's GFLOP/s (the
 * peak) and the median of the runs. Needs {@code --add-modules jdk.incubator.vector}.
 *
 * <p>Arguments: {@code --runs 7} timed runs of about {@code --run-seconds 0.3}.
 */
public final class PeakFlops {

    /** Independent chains: more than FMA latency × FMA ports on any current core (4 × 2). */
    static final int CHAINS = 12;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> DOUBLES = DoubleVector.SPECIES_PREFERRED;

    private PeakFlops() {
    }

    /**
     * Measures and prints the float32 and float64 peaks.
     *
     * @param argv {@code --runs N --run-seconds S}
     */
    public static void main(String[] argv) {
        Map<String, String> args = FitBench.parse(argv, List.of("runs", "run-seconds"));
        int runs = (int) FitBench.number(args, "runs", 7, 1, true);
        double runSeconds = FitBench.number(args, "run-seconds", 0.3, 0, false);
        measure("float32", FLOATS.length(), FLOATS.vectorBitSize(), PeakFlops::floatChains, runs, runSeconds);
        measure("float64", DOUBLES.length(), DOUBLES.vectorBitSize(), PeakFlops::doubleChains, runs, runSeconds);
    }

    private interface Loop {
        double run(int iterations);
    }

    private static void measure(String precision, int lanes, int bits, Loop loop, int runs, double runSeconds) {
        double sink = 0;
        for (int i = 0; i < 20; i++) { // C2 compiles the loop (OSR first, then the method)
            sink += loop.run(1_000_000);
        }
        long t0 = System.nanoTime();
        sink += loop.run(10_000_000);
        double perIteration = (System.nanoTime() - t0) * 1e-9 / 10_000_000;
        int iterations = (int) Math.min(Integer.MAX_VALUE, Math.max(1_000_000, runSeconds / perIteration));
        double flopPerIteration = 2.0 * CHAINS * lanes;
        List<Double> gflops = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long start = System.nanoTime();
            sink += loop.run(iterations);
            double seconds = (System.nanoTime() - start) * 1e-9;
            gflops.add(iterations * flopPerIteration / seconds * 1e-9);
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("side", "backprop4j");
        m.put("row", "peak");
        m.put("jdk", Runtime.version().feature());
        m.put("java_version", System.getProperty("java.version"));
        m.put("precision", precision);
        m.put("vector_bits", bits);
        m.put("lanes", lanes);
        m.put("chains", CHAINS);
        m.put("threads", 1);
        m.put("value", gflops.stream().mapToDouble(Double::doubleValue).max().orElseThrow());
        m.put("median", FitBench.median(gflops));
        m.put("unit", "GFLOP/s");
        m.put("runs", gflops);
        m.put("check", sink); // keeps the chains' results alive; c / (1 − m) per lane and chain, summed
        System.out.println(FitBench.Json.line(m));
        System.out.flush();
    }

    static double floatChains(int iterations) {
        FloatVector m = FloatVector.broadcast(FLOATS, 0.999f);
        FloatVector c = FloatVector.broadcast(FLOATS, 0.001f);
        FloatVector a0 = FloatVector.broadcast(FLOATS, 0.0f);
        FloatVector a1 = FloatVector.broadcast(FLOATS, 0.1f);
        FloatVector a2 = FloatVector.broadcast(FLOATS, 0.2f);
        FloatVector a3 = FloatVector.broadcast(FLOATS, 0.3f);
        FloatVector a4 = FloatVector.broadcast(FLOATS, 0.4f);
        FloatVector a5 = FloatVector.broadcast(FLOATS, 0.5f);
        FloatVector a6 = FloatVector.broadcast(FLOATS, 0.6f);
        FloatVector a7 = FloatVector.broadcast(FLOATS, 0.7f);
        FloatVector a8 = FloatVector.broadcast(FLOATS, 0.8f);
        FloatVector a9 = FloatVector.broadcast(FLOATS, 0.9f);
        FloatVector a10 = FloatVector.broadcast(FLOATS, 1.1f);
        FloatVector a11 = FloatVector.broadcast(FLOATS, 1.2f);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }

    static double doubleChains(int iterations) {
        DoubleVector m = DoubleVector.broadcast(DOUBLES, 0.999);
        DoubleVector c = DoubleVector.broadcast(DOUBLES, 0.001);
        DoubleVector a0 = DoubleVector.broadcast(DOUBLES, 0.0);
        DoubleVector a1 = DoubleVector.broadcast(DOUBLES, 0.1);
        DoubleVector a2 = DoubleVector.broadcast(DOUBLES, 0.2);
        DoubleVector a3 = DoubleVector.broadcast(DOUBLES, 0.3);
        DoubleVector a4 = DoubleVector.broadcast(DOUBLES, 0.4);
        DoubleVector a5 = DoubleVector.broadcast(DOUBLES, 0.5);
        DoubleVector a6 = DoubleVector.broadcast(DOUBLES, 0.6);
        DoubleVector a7 = DoubleVector.broadcast(DOUBLES, 0.7);
        DoubleVector a8 = DoubleVector.broadcast(DOUBLES, 0.8);
        DoubleVector a9 = DoubleVector.broadcast(DOUBLES, 0.9);
        DoubleVector a10 = DoubleVector.broadcast(DOUBLES, 1.1);
        DoubleVector a11 = DoubleVector.broadcast(DOUBLES, 1.2);
        for (int i = 0; i < iterations; i++) {
            a0 = a0.fma(m, c);
            a1 = a1.fma(m, c);
            a2 = a2.fma(m, c);
            a3 = a3.fma(m, c);
            a4 = a4.fma(m, c);
            a5 = a5.fma(m, c);
            a6 = a6.fma(m, c);
            a7 = a7.fma(m, c);
            a8 = a8.fma(m, c);
            a9 = a9.fma(m, c);
            a10 = a10.fma(m, c);
            a11 = a11.fma(m, c);
        }
        return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10).add(a11)
                .reduceLanes(VectorOperators.ADD);
    }
}
