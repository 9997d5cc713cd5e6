package io.github.backprop4j.spark;

import io.github.backprop4j.Layer;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.spark.Blocks.Block;
import io.github.backprop4j.spark.Blocks.EpochBlock;
import io.github.backprop4j.train.StepRunner;
import io.github.backprop4j.train.TrainingSnapshot;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.apache.spark.BarrierTaskContext;
import scala.collection.Iterator;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The work of one task of a barrier stage: it keeps its partition's samples and a replica of the network and
 * optimizer state (decoded from the stage's {@link Carrier#run} bytes), trains them in step with the other tasks
 * through a {@link Ring}, and returns the stage's result. Every replica applies the same updates to the same
 * bits, so each task ends with the same network; task 0 returns it, every task its checksum.
 */
abstract class StageTask extends AbstractFunction1<Iterator<Block>, Iterator<StageTask.Result>>
        implements Serializable {

    private static final long serialVersionUID = 1L;

    /**
     * What a task returns.
     *
     * @param task the task's index
     * @param checksum the CRC-32 of its final {@link Carrier#run} bytes, equal on every task
     * @param run task 0's network and optimizer state as {@link Carrier#run} bytes; {@code null} on the others
     * @param losses per step (or averaging round) of the stage, its loss
     * @param samples per step (or round), the samples it used over all tasks
     * @param failure why the stage stopped early (a non-finite loss or parameter), or {@code null}
     * @param times where the task's time went, for the driver's debug log: see {@link Times}
     */
    record Result(int task, long checksum, byte[] run, double[] losses, double[] samples, String failure,
            long[] times) implements Serializable {
        Result(int task, long checksum, byte[] run, double[] losses, double[] samples, String failure) {
            this(task, checksum, run, losses, samples, failure, new long[Times.COUNT]);
        }
    }

    /**
     * The indices of {@link Result#times}: the task's start and end on the wall clock (milliseconds since the
     * epoch, to compare with the driver's submission on the same host), and the nanoseconds of its phases.
     */
    static final class Times {
        static final int STARTED = 0;
        static final int JOIN = 1;
        static final int PREPARE = 2;
        static final int STEPS = 3;
        static final int ENCODE = 4;
        static final int ENDED = 5;
        static final int COUNT = 6;

        private Times() {
        }
    }

    final byte[] start;
    final long seed;
    final int epoch;
    final int batchSize;
    final double clipNorm;
    final long timeoutMillis;
    /** The driver's address book, {@code host:port}, and this stage's number in the run, set by {@link #at}. */
    String book;
    int stage;

    /**
     * Sets where the tasks find each other: the driver's {@link AddressBook} and the stage's number.
     *
     * @return this task
     */
    StageTask at(String bookAddress, int stageNumber) {
        this.book = bookAddress;
        this.stage = stageNumber;
        return this;
    }

    StageTask(byte[] start, long seed, int epoch, int batchSize, double clipNorm, Duration timeout) {
        this.start = start;
        this.seed = seed;
        this.epoch = epoch;
        this.batchSize = batchSize;
        this.clipNorm = clipNorm;
        this.timeoutMillis = timeout.toMillis();
    }

    @Override
    public final Iterator<Result> apply(Iterator<Block> blocks) {
        long started = System.currentTimeMillis();
        long t = System.nanoTime();
        BarrierTaskContext task = BarrierTaskContext.get();
        java.util.Iterator<Block> it = CollectionConverters.asJava(blocks);
        Block block = it.next();
        while (it.hasNext()) { // drain: the cached block's read lock is released when its iterator ends
            it.next();
        }
        try (Ring ring = Ring.join(task, Duration.ofMillis(timeoutMillis), book, stage)) {
            long[] times = new long[Times.COUNT];
            times[Times.JOIN] = System.nanoTime() - t;
            Result result = run(task.partitionId(), block, ring, times);
            System.arraycopy(times, Times.JOIN + 1, result.times(), Times.JOIN + 1, Times.ENDED - Times.JOIN - 1);
            result.times()[Times.STARTED] = started;
            result.times()[Times.JOIN] = times[Times.JOIN];
            result.times()[Times.ENDED] = System.currentTimeMillis();
            return CollectionConverters.asScala(List.of(result).iterator());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Runs the stage's steps on this task's block; records the nanoseconds of its phases in {@code times}
     * ({@link Times#PREPARE}, {@link Times#STEPS}, {@link Times#ENCODE}).
     */
    abstract Result run(int task, Block block, Ring ring, long[] times) throws IOException;

    static Result result(int task, Network network, OptimizerState state, TrainingSnapshot start, double[] losses,
            double[] samples, String failure) {
        byte[] run = Carrier.run(network, state, start.loss(), start.optimizer());
        CRC32 crc = new CRC32();
        crc.update(run);
        return new Result(task, crc.getValue(), task == 0 ? run : null, losses, samples, failure);
    }

    /**
     * A block's rows in one flat array of the network's precision, converted once per stage, from which each step
     * copies its contiguous rows into a matrix (converting {@code double[][]} rows at every step cost as much as
     * the step's arithmetic).
     */
    static final class Rows {
        private final Precision precision;
        private final int width;
        private final float[] floats;
        private final double[] doubles;

        Rows(Precision precision, double[][] rows) {
            this.precision = precision;
            this.width = rows.length == 0 ? 0 : rows[0].length;
            if (precision == Precision.FLOAT32) {
                floats = new float[rows.length * width];
                doubles = null;
                for (int r = 0; r < rows.length; r++) {
                    for (int c = 0; c < width; c++) {
                        floats[r * width + c] = (float) rows[r][c];
                    }
                }
            } else {
                doubles = new double[rows.length * width];
                floats = null;
                for (int r = 0; r < rows.length; r++) {
                    System.arraycopy(rows[r], 0, doubles, r * width, width);
                }
            }
        }

        private Rows(Precision precision, int width, float[] floats, double[] doubles) {
            this.precision = precision;
            this.width = width;
            this.floats = floats;
            this.doubles = doubles;
        }

        /** These rows in another order: row {@code i} of the result is row {@code order[i]} of these. */
        Rows reorder(int[] order) {
            if (floats != null) {
                float[] to = new float[order.length * width];
                for (int i = 0; i < order.length; i++) {
                    System.arraycopy(floats, order[i] * width, to, i * width, width);
                }
                return new Rows(precision, width, to, null);
            }
            double[] to = new double[order.length * width];
            for (int i = 0; i < order.length; i++) {
                System.arraycopy(doubles, order[i] * width, to, i * width, width);
            }
            return new Rows(precision, width, null, to);
        }

        /** Rows {@code from..to−1} as a new {@code [(to−from) × width]} matrix. */
        Matrix slice(int from, int to) {
            Matrix m = Matrix.zeros(precision, to - from, width);
            if (floats != null) {
                m.copyFrom(floats, from * width);
            } else {
                m.copyFrom(doubles, from * width);
            }
            return m;
        }
    }

    /**
     * Synchronous steps of one or more epochs: for each epoch of the stage, steps {@code first..} of it; per
     * global batch, this task's share's gradient scaled by {@code nₚ/N}, summed over the tasks, and the
     * optimizer's update on every replica. The replica and its optimizer state carry on from one epoch of the
     * stage to the next exactly as they would from one stage to the next.
     */
    static final class Synchronous extends StageTask {
        private static final long serialVersionUID = 1L;
        private final int samples;
        private final int first;
        private final double[][] etas;

        /**
         * @param epoch the stage's first epoch
         * @param first the first step of the first epoch (1 unless the epoch is cut into several stages); later
         *     epochs of the stage start at step 1
         * @param etas per epoch of the stage, the learning rate of each of its steps
         */
        Synchronous(byte[] start, long seed, int epoch, int batchSize, double clipNorm, Duration timeout, int samples,
                int first, double[][] etas) {
            super(start, seed, epoch, batchSize, clipNorm, timeout);
            this.samples = samples;
            this.first = first;
            this.etas = etas;
        }

        @Override
        Result run(int task, Block block, Ring ring, long[] times) throws IOException {
            long t = System.nanoTime();
            TrainingSnapshot snapshot = Carrier.run(start);
            OptimizerState state = snapshot.optimizerState();
            StepRunner runner = new StepRunner(snapshot.network(), snapshot.loss(), snapshot.optimizer(), state,
                    clipNorm);
            Precision precision = snapshot.network().precision();
            Rows features = new Rows(precision, block.features()); // converted once per stage, in the block's order
            Rows targets = new Rows(precision, block.targets());
            List<Matrix> gradients = runner.gradientBuffers();
            int n = gradients.stream().mapToInt(m -> m.rows() * m.cols()).sum();
            Ring.Values flat = Ring.Values.of(precision, n);
            double[] loss = new double[1];
            int total = 0;
            for (double[] e : etas) {
                total += e.length;
            }
            double[] losses = new double[total];
            double[] counts = new double[total];
            int done = 0;
            String failure = null;
            times[Times.PREPARE] = System.nanoTime() - t;
            for (int e = 0; e < etas.length && failure == null; e++) {
                t = System.nanoTime();
                int epochNumber = epoch + e;
                int[] numberPosition = GlobalBatches.positions(samples, seed, epochNumber);
                int[] order = block.orderBy(numberPosition); // rows by position in the epoch
                int[] positions = new int[order.length];
                for (int i = 0; i < order.length; i++) {
                    positions[i] = numberPosition[block.numbers()[order[i]]];
                }
                Rows x = features.reorder(order);
                Rows y = targets.reorder(order);
                times[Times.PREPARE] += System.nanoTime() - t;
                t = System.nanoTime();
                int firstStep = e == 0 ? first : 1;
                for (int k = 0; k < etas[e].length; k++) {
                    int step = firstStep + k;
                    int from = (step - 1) * batchSize;
                    int to = Math.min(from + batchSize, samples);
                    int lo = firstAtOrAfter(positions, from);
                    int hi = firstAtOrAfter(positions, to);
                    if (lo < hi) {
                        double share = (double) (hi - lo) / (to - from); // scaled by the global batch, not this share
                        loss[0] = runner.gradients(x.slice(lo, hi), y.slice(lo, hi)) * share;
                        for (Matrix g : gradients) {
                            g.scale(share);
                        }
                    } else {
                        loss[0] = 0;
                        for (Matrix g : gradients) {
                            g.fill(0);
                        }
                    }
                    flat.gather(gradients, 0);
                    ring.sum(flat, loss); // ∂C/∂θ = Σₚ (nₚ/N)·∂Cₚ/∂θ, the same bits on every task
                    losses[done] = loss[0];
                    counts[done] = to - from;
                    if (!Double.isFinite(loss[0])) {
                        failure = "the loss became " + loss[0] + " at epoch " + epochNumber + ", batch " + step
                                + "; try a smaller learning rate or scaling the inputs";
                        losses = Arrays.copyOf(losses, done);
                        counts = Arrays.copyOf(counts, done);
                        break;
                    }
                    done++;
                    flat.scatter(gradients, 0);
                    runner.applyGradients(etas[e][k]);
                }
                times[Times.STEPS] += System.nanoTime() - t;
            }
            t = System.nanoTime();
            Network network;
            try {
                network = runner.network();
            } catch (ArithmeticException e) {
                return new Result(task, 0, null, losses, counts, e.getMessage() + " (epochs from " + epoch + ")");
            }
            Result result = result(task, network, state, snapshot, losses, counts, failure);
            times[Times.ENCODE] = System.nanoTime() - t;
            return result;
        }

        /** Returns the first index whose position is at least {@code position} (positions ascending). */
        private static int firstAtOrAfter(int[] positions, int position) {
            int i = Arrays.binarySearch(positions, position);
            return i >= 0 ? i : -i - 1;
        }
    }

    /**
     * Parameter averaging over an epoch: each task trains its replica alone on its own shuffled samples, K local
     * steps a round, then the replicas' parameters (and optimizer states) are replaced by their average weighted
     * by the samples each saw in the round.
     */
    static final class Averaging extends StageTask {
        private static final long serialVersionUID = 1L;
        private final int[] sizes;
        private final int interval;
        private final boolean averageState;
        private final double[][] etas;

        Averaging(byte[] start, long seed, int epoch, int batchSize, double clipNorm, Duration timeout, int[] sizes,
                int interval, boolean averageState, double[][] etas) {
            super(start, seed, epoch, batchSize, clipNorm, timeout);
            this.sizes = sizes;
            this.interval = interval;
            this.averageState = averageState;
            this.etas = etas;
        }

        /** The samples task {@code p} trains on in the round starting at local step {@code firstStep}. */
        private long samplesIn(int p, int firstStep, int steps) {
            long lo = (long) firstStep * batchSize;
            long hi = Math.min(sizes[p], (long) (firstStep + steps) * batchSize);
            return Math.max(0, hi - lo);
        }

        @Override
        Result run(int task, Block block, Ring ring, long[] times) throws IOException {
            long clock = System.nanoTime();
            EpochBlock local = block.inLocalOrder(seed, epoch, task);
            TrainingSnapshot snapshot = Carrier.run(start);
            Network network = snapshot.network();
            Precision precision = network.precision();
            OptimizerState state = averageState ? snapshot.optimizerState() : new OptimizerState();
            Rows features = new Rows(precision, local.features());
            Rows targets = new Rows(precision, local.targets());
            times[Times.PREPARE] = System.nanoTime() - clock;
            clock = System.nanoTime();
            double[] losses = new double[etas.length];
            double[] counts = new double[etas.length];
            String failure = null;
            for (int round = 0; round < etas.length; round++) {
                int firstStep = round * interval;
                int steps = etas[round].length;
                long mine = samplesIn(task, firstStep, steps);
                long all = 0;
                for (int p = 0; p < sizes.length; p++) {
                    all += samplesIn(p, firstStep, steps);
                }
                OptimizerState roundState = averageState ? state : new OptimizerState();
                long stepCount = roundState.stepCount();
                StepRunner runner = new StepRunner(network, snapshot.loss(), snapshot.optimizer(), roundState,
                        clipNorm);
                double[] extra = new double[1];
                for (int k = 0; k < steps && failure == null; k++) {
                    int lo = (firstStep + k) * batchSize;
                    if (lo >= local.size()) {
                        break;
                    }
                    int hi = Math.min(lo + batchSize, local.size());
                    try {
                        double loss = runner.step(features.slice(lo, hi), targets.slice(lo, hi), etas[round][k]);
                        extra[0] += loss * (hi - lo);
                    } catch (ArithmeticException e) {
                        extra[0] = Double.NaN; // every task learns of it from the sum, and stops with it
                        failure = e.getMessage() + " (task " + task + ", epoch " + epoch + ", round " + (round + 1) + ")";
                    }
                }
                Network trained;
                try {
                    trained = runner.network();
                } catch (ArithmeticException e) {
                    trained = network;
                    extra[0] = Double.NaN;
                    failure = e.getMessage() + " (task " + task + ", epoch " + epoch + ", round " + (round + 1) + ")";
                }
                List<Matrix> tensors = new ArrayList<>();
                for (int l = 1; l <= trained.layerCount(); l++) {
                    for (Parameter p : trained.layer(l).parameters()) {
                        tensors.add(p.value());
                    }
                }
                Map<String, Matrix> slots = averageState ? slotsOf(roundState, mine, network, snapshot) : Map.of();
                tensors.addAll(slots.values());
                int n = tensors.stream().mapToInt(m -> m.rows() * m.cols()).sum();
                Ring.Values flat = Ring.Values.of(precision, n);
                double share = (double) mine / all;
                List<Matrix> scaled = new ArrayList<>();
                for (Matrix m : tensors) {
                    Matrix c = m.copy();
                    c.scale(share);
                    scaled.add(c);
                }
                flat.gather(scaled, 0);
                ring.sum(flat, extra); // θ = Σₚ (mₚ/m)·θₚ, and the states likewise
                flat.scatter(scaled, 0);
                losses[round] = extra[0];
                counts[round] = all;
                if (!Double.isFinite(extra[0])) {
                    if (failure == null) {
                        failure = "the loss became NaN or infinite in another task's local steps of epoch " + epoch
                                + ", round " + (round + 1) + "; try a smaller learning rate or scaling the inputs";
                    }
                    losses = Arrays.copyOf(losses, round);
                    counts = Arrays.copyOf(counts, round);
                    break;
                }
                int t = 0;
                List<Layer> layers = new ArrayList<>();
                for (int l = 1; l <= trained.layerCount(); l++) {
                    List<Matrix> values = new ArrayList<>();
                    for (int i = 0; i < trained.layer(l).parameters().size(); i++) {
                        values.add(scaled.get(t++));
                    }
                    layers.add(trained.layer(l).withParameters(values));
                }
                network = Network.of(layers);
                if (averageState) {
                    Map<String, Matrix> averaged = new TreeMap<>();
                    for (String name : slots.keySet()) {
                        averaged.put(name, scaled.get(t++));
                    }
                    state = OptimizerState.restore(averaged, stepCount + steps);
                }
            }
            times[Times.STEPS] = System.nanoTime() - clock;
            clock = System.nanoTime();
            if (failure != null) {
                return new Result(task, 0, null, losses, counts, failure);
            }
            Result result = result(task, network, state, snapshot, losses, counts, null);
            times[Times.ENCODE] = System.nanoTime() - clock;
            return result;
        }

        /**
         * The optimizer state's buffers by name, the layout every task sends. A task that trained in the round has
         * them; one that did not, and started from an empty state, learns their names and shapes from an update of
         * a throwaway copy with zero gradients (its weight in the average is 0).
         */
        private static Map<String, Matrix> slotsOf(OptimizerState state, long samples, Network network,
                TrainingSnapshot snapshot) {
            if (samples > 0 || !state.slots().isEmpty()) {
                return state.slots();
            }
            OptimizerState primed = new OptimizerState();
            new StepRunner(network, snapshot.loss(), snapshot.optimizer(), primed, 0).applyGradients(0);
            return primed.slots();
        }
    }
}
