package io.github.backprop4j.bench;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.math.Engine;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.EpochSummary;
import io.github.backprop4j.train.Mnist;
import io.github.backprop4j.train.Trainer;
import io.github.backprop4j.train.TrainingListener;
import io.github.backprop4j.train.TrainingResult;
import io.github.backprop4j.train.TrainingRun;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The backprop4j side of {@code bench/run_side_by_side.sh}: training and prediction timed through the public
 * API, as a user calls it, one JSON line per measurement on standard output ({@code bench/summarize.py}
 * turns the lines into the targets table of issue 12). Nothing here reaches below the public API, so it
 * measures whatever kernels the library has.
 *
 * <ul>
 *   <li>{@code fit}: {@link Trainer#fit} of one epoch per call over the 8,000 bundled MNIST training digits
 *       in order (no shuffling; the last batch of 128 is short, as {@code Trainer} makes it), a
 *       784-128(ReLU)-10(softmax) network, cross-entropy, plain SGD (η = 0.01), batches of 32 and 128; each
 *       call continues from the network the previous one returned. One warm-up epoch, then the timed
 *       epochs; the value is the median of samples/s over the timed calls (wall time of the whole call).
 *       Also the bytes the training thread allocates per step in the steady state (from one batch's end to
 *       the next, through a {@link TrainingListener}) and per call divided by the steps (helper threads'
 *       allocations are not counted).</li>
 *   <li>{@code optimizers}: the same at 784-256(ReLU)-10 with batches of 32 and 64, for SGD (the baseline),
 *       Adam, AdamW, RMSProp and AdaGrad, with the learning rates of {@code bench/pytorch_mnist_bench.py}
 *       and torch's other defaults.</li>
 *   <li>{@code predict}: {@link Network#predict(float[])} (or {@code double[]} for a float64 network) of
 *       one sample, the median over runs of the mean latency of a run of calls (µs); and
 *       {@link Network#predict(Matrix)} of the first 1,000 digits, median samples/s over runs.</li>
 * </ul>
 * Each measurement is taken with {@link Engine#setThreads(int)} 1 and 2 (or the list given), in one JVM,
 * after one untimed SGD epoch at each batch size of the first kind of training row asked for, which warms up
 * the code all rows share.
 *
 * <p>Arguments ({@code --name value}): {@code --path} the label of the configuration (required, e.g.
 * {@code float32-vector}); {@code --precision float32|float64}; {@code --rows fit,predict,optimizers};
 * {@code --threads 1,2}; {@code --epochs 7} timed epochs, at least {@code --min-epochs 3} and then only
 * while the row's timed epochs took less than {@code --seconds 20}; {@code --warmup 1} epochs and at least
 * {@code --warmup-seconds 2} of warm-up per row (predictions too);
 * {@code --runs 7} prediction runs of about {@code --run-seconds 0.2} each. The digits come from the
 * directory of {@code -Dmnist.dir} (see {@link Mnist}).
 */
public final class FitBench {

    private static final int HIDDEN = 128;
    private static final int OPTIMIZER_HIDDEN = 256;
    private static final int[] FIT_BATCHES = {32, 128};
    private static final int[] OPTIMIZER_BATCHES = {32, 64};
    private static final double SGD_RATE = 0.01;
    private static final long SEED = 1;

    private final Map<String, String> args;
    private final String path;
    private final Precision precision;
    private final int timedEpochs;
    private final int minEpochs;
    private final double rowSeconds;
    private final int warmupEpochs;
    /**
     * Seconds each row is warmed up at least: on JDK 17, C2 takes seconds to compile the Vector API kernels
     * on two busy cores, and a row measured before that measures the interpreter's boxed vectors.
     */
    private final double warmupSeconds;
    private final int runs;
    private final double runSeconds;
    private final DataSet data;
    private final float[][] images;

    private FitBench(Map<String, String> args) {
        this.args = args;
        this.path = required(args, "path");
        this.precision = switch (args.getOrDefault("precision", "float32")) {
            case "float32" -> Precision.FLOAT32;
            case "float64" -> Precision.FLOAT64;
            default -> throw new IllegalArgumentException("--precision must be float32 or float64, was "
                    + args.get("precision"));
        };
        this.timedEpochs = (int) number(args, "epochs", 7, 1, true);
        this.minEpochs = Math.min(timedEpochs, (int) number(args, "min-epochs", 3, 1, true));
        this.rowSeconds = number(args, "seconds", 20, 0, false);
        this.warmupEpochs = (int) number(args, "warmup", 1, 0, true);
        this.warmupSeconds = number(args, "warmup-seconds", 2, 0, false);
        this.runs = (int) number(args, "runs", 7, 1, true);
        this.runSeconds = number(args, "run-seconds", 0.2, 0, false);
        Mnist mnist = Mnist.training();
        this.images = mnist.images;
        this.data = DataSet.of(mnist.images, mnist.labels);
    }

    /**
     * Runs the rows the arguments ask for and prints one JSON line per measurement.
     *
     * @param argv {@code --name value} pairs, see the class comment
     */
    public static void main(String[] argv) {
        Map<String, String> args = parse(argv, List.of("path", "precision", "rows", "threads", "epochs",
                "min-epochs", "seconds", "warmup", "warmup-seconds", "runs", "run-seconds"));
        FitBench bench = new FitBench(args);
        List<String> rows = List.of(args.getOrDefault("rows", "fit,predict").split(","));
        int[] threads = Arrays.stream(args.getOrDefault("threads", "1,2").split(","))
                .mapToInt(t -> (int) number(Map.of("threads", t), "threads", 1, 1, true)).toArray();
        emit(bench.meta());
        if (rows.contains("fit")) {
            bench.warmUpJvm(HIDDEN, FIT_BATCHES);
        } else if (rows.contains("optimizers")) {
            bench.warmUpJvm(OPTIMIZER_HIDDEN, OPTIMIZER_BATCHES);
        }
        for (String row : rows) {
            switch (row) {
                case "fit" -> {
                    for (int batch : FIT_BATCHES) {
                        for (int t : threads) {
                            bench.fit(HIDDEN, "sgd", batch, t);
                        }
                    }
                }
                case "optimizers" -> {
                    for (String optimizer : List.of("sgd", "adam", "adamw", "rmsprop", "adagrad")) {
                        for (int batch : OPTIMIZER_BATCHES) {
                            for (int t : threads) {
                                bench.fit(OPTIMIZER_HIDDEN, optimizer, batch, t);
                            }
                        }
                    }
                }
                case "predict" -> {
                    for (int t : threads) {
                        bench.predictOne(t);
                        bench.predictBatch(t);
                    }
                }
                default -> throw new IllegalArgumentException("--rows: unknown row '" + row
                        + "' (fit, predict, optimizers)");
            }
        }
        Engine.shutdown();
    }

    /** The optimizer of a row; the learning rates match bench/pytorch_mnist_bench.py. */
    static Optimizer optimizer(String name) {
        return switch (name) {
            case "sgd" -> Optimizer.sgd(SGD_RATE);
            case "adam" -> Optimizer.adam(1e-3);
            case "adamw" -> Optimizer.adamW(1e-3, 1e-2);
            case "rmsprop" -> Optimizer.rmsprop(1e-3);
            case "adagrad" -> Optimizer.adagrad(1e-2);
            default -> throw new IllegalArgumentException("unknown optimizer " + name);
        };
    }

    private Network network(int hidden) {
        return Network.builder().input(784).dense(hidden, Activation.RELU).dense(10, Activation.SOFTMAX)
                .seed(SEED).precision(precision).build();
    }

    private Map<String, Object> meta() {
        Map<String, Object> m = row("meta", Engine.threads());
        m.remove("threads");
        m.put("vm", System.getProperty("java.vm.name"));
        m.put("vector_module", ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent());
        m.put("processors", Runtime.getRuntime().availableProcessors());
        m.put("samples", data.size());
        return m;
    }

    /**
     * One untimed SGD epoch at each batch size on one thread before the first row, so that the first row
     * measured does not pay for compiling the code every row shares.
     */
    private void warmUpJvm(int hidden, int[] batches) {
        Engine.setThreads(1);
        for (int batch : batches) {
            Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(optimizer("sgd")).epochs(1)
                    .batchSize(batch).shuffle(false).seed(SEED).logging(false).build();
            trainer.fit(network(hidden), data);
        }
    }

    private void fit(int hidden, String optimizerName, int batch, int threads) {
        Engine.setThreads(threads);
        AllocationListener allocation = new AllocationListener();
        Trainer trainer = Trainer.builder().loss(Loss.CROSS_ENTROPY).optimizer(optimizer(optimizerName)).epochs(1)
                .batchSize(batch).shuffle(false).seed(SEED).logging(false).listeners(allocation).build();
        Network network = network(hidden);
        long warmupStart = System.nanoTime();
        for (int e = 0; e < warmupEpochs || System.nanoTime() - warmupStart < warmupSeconds * 1e9; e++) {
            network = trainer.fit(network, data).network();
        }
        List<Double> rates = new ArrayList<>();
        List<Double> bytesPerStep = new ArrayList<>();
        long steps = (data.size() + batch - 1) / batch;
        double timed = 0;
        double loss = Double.NaN;
        while (rates.size() < timedEpochs && (rates.size() < minEpochs || timed < rowSeconds)) {
            long bytes = allocatedBytes();
            long start = System.nanoTime();
            TrainingResult result = trainer.fit(network, data);
            double seconds = (System.nanoTime() - start) * 1e-9;
            bytesPerStep.add((double) (allocatedBytes() - bytes) / steps);
            EpochSummary epoch = result.history().last();
            rates.add(epoch.samples() / seconds);
            loss = epoch.value("loss");
            timed += seconds;
            network = result.network();
        }
        Map<String, Object> m = row("train", threads);
        m.put("net", "784-" + hidden + "-10");
        m.put("optimizer", optimizerName);
        m.put("batch", batch);
        m.put("value", median(rates));
        m.put("unit", "samples/s");
        m.put("runs", rates);
        m.put("alloc_bytes_per_step", allocation.steadyState());
        m.put("alloc_bytes_per_call_per_step", median(bytesPerStep));
        m.put("loss", loss);
        emit(m);
    }

    private void predictOne(int threads) {
        Engine.setThreads(threads);
        Network network = network(HIDDEN);
        float[] f = images[0];
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        Runnable call = precision == Precision.FLOAT32 ? () -> sink(network.predict(f)[0])
                : () -> sink(network.predict(d)[0]);
        List<Double> latencies = timeRuns(call, 3000);
        Map<String, Object> m = row("predict1", threads);
        m.put("net", "784-" + HIDDEN + "-10");
        m.put("batch", 1);
        m.put("value", median(latencies) * 1e6);
        m.put("unit", "us");
        m.put("runs", latencies.stream().map(s -> s * 1e6).toList());
        emit(m);
    }

    private void predictBatch(int threads) {
        Engine.setThreads(threads);
        Network network = network(HIDDEN);
        Matrix thousand = Matrix.of(precision, Arrays.copyOf(images, 1000), "x");
        List<Double> latencies = timeRuns(() -> sink(network.predict(thousand).get(0, 0)), 10);
        Map<String, Object> m = row("predict1000", threads);
        m.put("net", "784-" + HIDDEN + "-10");
        m.put("batch", 1000);
        m.put("value", 1000 / median(latencies));
        m.put("unit", "samples/s");
        m.put("runs", latencies.stream().map(s -> 1000 / s).toList());
        emit(m);
    }

    /**
     * Warms the call up (at least {@code warmupCalls} calls and {@link #warmupSeconds}), then times {@link #runs} runs
     * of about {@link #runSeconds} each.
     *
     * @return the mean seconds per call of each run
     */
    private List<Double> timeRuns(Runnable call, int warmupCalls) {
        long start = System.nanoTime();
        int calls = 0;
        while (calls < warmupCalls || System.nanoTime() - start < warmupSeconds * 1e9) {
            call.run();
            calls++;
        }
        double perCall = (System.nanoTime() - start) * 1e-9 / calls;
        int perRun = (int) Math.max(1, Math.round(runSeconds / perCall));
        List<Double> out = new ArrayList<>();
        for (int r = 0; r < runs; r++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perRun; i++) {
                call.run();
            }
            out.add((System.nanoTime() - t0) * 1e-9 / perRun);
        }
        return out;
    }

    private static volatile double sinkValue;

    private static void sink(double v) {
        sinkValue = v;
    }

    private Map<String, Object> row(String row, int threads) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("side", "backprop4j");
        m.put("path", path);
        m.put("jdk", Runtime.version().feature());
        m.put("java_version", System.getProperty("java.version"));
        m.put("vector", Engine.isVectorized());
        m.put("kernels", Engine.kernels());
        m.put("precision", precision == Precision.FLOAT32 ? "float32" : "float64");
        m.put("row", row);
        m.put("threads", threads);
        return m;
    }

    private static void emit(Map<String, Object> m) {
        System.out.println(Json.line(m));
        System.out.flush();
    }

    /**
     * The bytes the training thread allocates from one batch's end to the next, over the last epoch: the
     * steady-state allocation of a step in {@link Trainer#fit}, without what a call allocates once (its session,
     * the snapshot it returns). A listener call per batch costs far less than a step.
     */
    private static final class AllocationListener implements TrainingListener {
        private final List<Double> deltas = new ArrayList<>();
        private long last = -1;

        @Override
        public void onEpochStart(TrainingRun run, int epoch) {
            deltas.clear();
            last = -1;
        }

        @Override
        public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
            long now = allocatedBytes();
            if (last >= 0) {
                deltas.add((double) (now - last));
            }
            last = now;
        }

        /** The median of the last epoch's batch-to-batch allocations, the short last batch's left out. */
        double steadyState() {
            List<Double> whole = deltas.size() > 1 ? deltas.subList(0, deltas.size() - 1) : deltas;
            return whole.isEmpty() ? Double.NaN : median(whole);
        }
    }

    /** Bytes the calling thread has allocated so far (HotSpot's per-thread counter). */
    private static long allocatedBytes() {
        return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
    }

    static double median(List<Double> values) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /**
     * Reads {@code --name value} pairs.
     *
     * @throws IllegalArgumentException for a lone word or a name not in {@code known}, naming it
     */
    static Map<String, String> parse(String[] argv, List<String> known) {
        Map<String, String> args = new HashMap<>();
        for (int i = 0; i < argv.length; i++) {
            if (!argv[i].startsWith("--") || i + 1 == argv.length) {
                throw new IllegalArgumentException("arguments are --name value pairs; got '" + argv[i] + "' at "
                        + i + " of " + Arrays.toString(argv));
            }
            String name = argv[i].substring(2);
            if (!known.contains(name)) {
                throw new IllegalArgumentException("unknown argument --" + name + "; known: " + known);
            }
            args.put(name, argv[++i]);
        }
        return args;
    }

    private static String required(Map<String, String> args, String name) {
        String v = args.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    /**
     * The number argument {@code name}, or {@code fallback}.
     *
     * @throws IllegalArgumentException naming the argument if it is not a number (an integer if asked), or
     *     below {@code min}
     */
    static double number(Map<String, String> args, String name, double fallback, double min, boolean integer) {
        String text = args.get(name);
        if (text == null) {
            return fallback;
        }
        double v;
        try {
            v = integer ? Integer.parseInt(text) : Double.parseDouble(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + " must be " + (integer ? "an integer" : "a number")
                    + ", was '" + text + "'", e);
        }
        if (!(v >= min)) {
            throw new IllegalArgumentException("--" + name + " must be at least " + min + ", was " + text);
        }
        return v;
    }

    /** A minimal JSON writer for flat maps of strings, numbers, booleans and lists of numbers. */
    static final class Json {
        private Json() {
        }

        static String line(Map<String, ?> m) {
            StringBuilder b = new StringBuilder("{");
            for (Map.Entry<String, ?> e : m.entrySet()) {
                if (b.length() > 1) {
                    b.append(", ");
                }
                b.append(quote(e.getKey())).append(": ").append(value(e.getValue()));
            }
            return b.append('}').toString();
        }

        private static String value(Object v) {
            if (v == null) {
                return "null";
            }
            if (v instanceof List<?> list) {
                StringBuilder b = new StringBuilder("[");
                for (Object o : list) {
                    if (b.length() > 1) {
                        b.append(", ");
                    }
                    b.append(value(o));
                }
                return b.append(']').toString();
            }
            if (v instanceof Double d) {
                return d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.6g", d);
            }
            if (v instanceof Number || v instanceof Boolean) {
                return v.toString();
            }
            return quote(v.toString());
        }

        static String quote(String s) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }
    }
}
