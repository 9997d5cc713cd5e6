package io.github.backprop4j.train;

import io.github.backprop4j.internal.Checks;
import java.io.Console;
import java.io.Flushable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.util.Locale;
import java.util.OptionalLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Shows the progress of training as people expect it from Keras: on an interactive terminal, a bar for the
 * epoch in progress, redrawn in place with {@code \r} at most {@value #MAX_REDRAWS_PER_SECOND} times a second,
 *
 * <pre>
 * epoch 3/10 [========&gt;           ]  45/100  5263 samples/s  loss 0.2314  0:12 left
 * </pre>
 *
 * and, where the output is not a terminal (an IDE console, a CI log, a file), nothing within an epoch; either
 * way each completed epoch leaves one line, {@link EpochSummary#format(int)}:
 *
 * <pre>
 * epoch 3/10: loss 0.2314, accuracy 0.9312 (8000 samples, 1.52 s, 5263 samples/s)
 * </pre>
 *
 * The running loss is the mean of the epoch's batch losses so far, weighted by their samples (as the epoch's
 * {@code loss} is); the time left is the epoch's, from its pace so far. When the training data do not declare
 * their size ({@link io.github.backprop4j.data.DataSource#sampleCount()}), the bar counts batches without a
 * total or a time left. A run that ends before its last epoch (early stopping, a stop request, divergence)
 * ends with a line saying why.
 *
 * <p>Turn it on with {@link Trainer.Builder#progress()}, which writes to {@code System.out} (read when training
 * starts) and asks {@link #standardOutputIsTerminal()} whether that is a terminal, or add one made by
 * {@link #to(Appendable, boolean)} with {@link Trainer.Builder#listeners}. It is independent of the SLF4J
 * {@link LoggingListener}, which suits applications; with both on, a terminal shows the log lines between the
 * bars, so interactive runs usually turn {@linkplain Trainer.Builder#logging(boolean) logging} off.
 *
 * <p>Per step it adds two numbers and, on a terminal, reads the clock; it allocates only when it draws. Its
 * state is kept per training thread, so one listener may serve concurrent runs, but their bars would overwrite
 * each other on one terminal: give each its own output, or use it for one run at a time.
 */
public final class ProgressListener implements TrainingListener {

    /** The most redraws of the bar per second; the bar is redrawn when this much time has passed. */
    static final int MAX_REDRAWS_PER_SECOND = 10;
    static final long REDRAW_INTERVAL_NANOS = 1_000_000_000L / MAX_REDRAWS_PER_SECOND;
    /** Characters between the brackets of the bar. */
    static final int BAR_WIDTH = 20;

    private final Supplier<? extends Appendable> output;
    private final BooleanSupplier terminalTest;
    private final LongSupplier clock;
    private final ThreadLocal<State> states = ThreadLocal.withInitial(State::new);

    /** What one run shows: its output, and the epoch in progress. */
    private static final class State {
        Appendable out;
        boolean terminal;
        long epochStart;
        long lastDraw;
        boolean drawn;
        /** The width of the bar's line as last drawn, to blank what a shorter line does not cover. */
        int drawnWidth;
        int batches;
        double lossSum;
        long lossWeight;
        long samples;
    }

    /**
     * A listener; package-private so that tests can give it a fake clock.
     *
     * @param output where to write, asked for when each run starts
     * @param terminalTest whether that output is an interactive terminal, asked when each run starts
     * @param clock {@link System#nanoTime()} or a fake
     */
    ProgressListener(Supplier<? extends Appendable> output, BooleanSupplier terminalTest, LongSupplier clock) {
        this.output = output;
        this.terminalTest = terminalTest;
        this.clock = clock;
    }

    /**
     * Returns a listener writing to {@code System.out} as it is when each run starts (so a redirected
     * {@code System.out} is honoured), with a bar only if {@link #standardOutputIsTerminal()}.
     *
     * @return the listener {@link Trainer.Builder#progress()} adds
     */
    public static ProgressListener toStandardOutput() {
        return new ProgressListener(() -> System.out, ProgressListener::standardOutputIsTerminal, System::nanoTime);
    }

    /**
     * Returns a listener writing to the given output, e.g. {@code System.err}, a {@code StringBuilder} or a
     * {@code Writer}; it is flushed after every write if it is {@link Flushable}.
     *
     * @param out where to write
     * @param terminal {@code true} to draw the bar within each epoch (for an interactive terminal), {@code false}
     *     for one line per epoch
     * @return the listener
     * @throws NullPointerException if {@code out} is {@code null}
     */
    public static ProgressListener to(Appendable out, boolean terminal) {
        Checks.notNull(out, "out");
        return new ProgressListener(() -> out, () -> terminal, System::nanoTime);
    }

    /**
     * Returns whether the JVM's standard output (and input) is an interactive terminal. On JDK 22 and later
     * {@link System#console()} exists even when the output is redirected, and {@code Console.isTerminal()}
     * (looked up reflectively, as this library is compiled for Java 17) answers; before JDK 22 the console
     * exists only for a terminal.
     *
     * @return {@code true} on an interactive terminal, {@code false} for a pipe, a file or an IDE console
     */
    public static boolean standardOutputIsTerminal() {
        return isTerminal(System.console());
    }

    /** Whether a console, as {@link System#console()} returned it, stands for a terminal. */
    static boolean isTerminal(Console console) {
        if (console == null) {
            return false;
        }
        Method isTerminal;
        try {
            isTerminal = Console.class.getMethod("isTerminal"); // JDK 22+
        } catch (NoSuchMethodException beforeJdk22) {
            return true;
        }
        try {
            return (Boolean) isTerminal.invoke(console);
        } catch (ReflectiveOperationException | RuntimeException e) {
            return false; // cannot tell: the safe choice writes no carriage returns
        }
    }

    @Override
    public void onTrainingStart(TrainingRun run) {
        State s = states.get();
        s.out = Checks.notNull(output.get(), "output");
        s.terminal = terminalTest.getAsBoolean();
        s.lastDraw = clock.getAsLong() - REDRAW_INTERVAL_NANOS;
        s.drawn = false;
        s.drawnWidth = 0;
    }

    @Override
    public void onEpochStart(TrainingRun run, int epoch) {
        State s = states.get();
        s.epochStart = clock.getAsLong();
        s.batches = 0;
        s.lossSum = 0;
        s.lossWeight = 0;
        s.samples = 0;
        if (s.terminal && s.epochStart - s.lastDraw >= REDRAW_INTERVAL_NANOS) {
            draw(s, run, s.epochStart);
        }
    }

    @Override
    public void onBatchEnd(TrainingRun run, int epoch, int batch, double loss) {
        State s = states.get();
        long samples = run.samplesIn(batch) - run.samplesIn(s.batches);
        long weight = samples > 0 ? samples : 1; // a loop that did not declare its batch size: batches weigh alike
        s.batches = batch;
        s.lossSum += loss * weight;
        s.lossWeight += weight;
        s.samples += samples;
        if (s.terminal) {
            long now = clock.getAsLong();
            if (now - s.lastDraw >= REDRAW_INTERVAL_NANOS) {
                draw(s, run, now);
            }
        }
    }

    @Override
    public void onEpochEnd(TrainingRun run, EpochSummary summary) {
        State s = states.get();
        String line = summary.format(run.totalEpochs());
        if (s.drawn) {
            write(s, "\r" + line + " ".repeat(Math.max(0, s.drawnWidth - line.length())) + "\n");
            s.drawn = false;
            s.drawnWidth = 0;
        } else {
            write(s, line + "\n");
        }
    }

    @Override
    public void onTrainingEnd(TrainingRun run, TrainingResult result) {
        State s = states.get();
        if (s.drawn) {
            write(s, "\n"); // keep the bar of the interrupted epoch, end its line
            s.drawn = false;
        }
        if (result.history().size() < run.totalEpochs()) {
            write(s, "training ended: " + result.stopReason() + "\n");
        }
        s.out = null;
        states.remove();
    }

    /** Redraws the bar's line in place. */
    private void draw(State s, TrainingRun run, long now) {
        String line = barLine(run, s, now);
        write(s, "\r" + line + " ".repeat(Math.max(0, s.drawnWidth - line.length())));
        s.drawnWidth = line.length();
        s.drawn = true;
        s.lastDraw = now;
    }

    /**
     * The bar's line, e.g. {@code "epoch 3/10 [========>           ]  45/100  5263 samples/s  loss 0.2314  0:12
     * left"}, or without a known total {@code "epoch 3/10  45 batches  5263 samples/s  loss 0.2314"}.
     */
    static String barLine(TrainingRun run, int batches, double runningLoss, long samples, long elapsedNanos) {
        StringBuilder line = new StringBuilder("epoch ").append(run.epoch()).append('/').append(run.totalEpochs());
        OptionalLong known = run.batchesPerEpoch();
        boolean total = known.isPresent() && batches <= known.getAsLong();
        if (total) {
            long all = known.getAsLong();
            int filled = (int) (BAR_WIDTH * batches / all);
            line.append(" [").append("=".repeat(filled));
            if (filled < BAR_WIDTH) {
                line.append(batches > 0 ? ">" : " ").append(" ".repeat(BAR_WIDTH - filled - 1));
            }
            String width = "%" + Long.toString(all).length() + "d";
            line.append("]  ").append(String.format(Locale.ROOT, width, batches)).append('/').append(all);
        } else {
            line.append("  ").append(batches).append(batches == 1 ? " batch" : " batches");
        }
        double seconds = elapsedNanos / 1e9;
        if (batches > 0 && seconds > 0 && samples > 0) {
            line.append(String.format(Locale.ROOT, "  %.0f samples/s", samples / seconds));
        }
        if (batches > 0) {
            line.append(String.format(Locale.ROOT, "  loss %.4f", runningLoss));
        }
        if (total && batches > 0 && elapsedNanos > 0) {
            long left = Math.round(seconds * (known.getAsLong() - batches) / batches);
            line.append("  ").append(duration(left)).append(" left");
        }
        return line.toString();
    }

    private static String barLine(TrainingRun run, State s, long now) {
        double runningLoss = s.lossWeight > 0 ? s.lossSum / s.lossWeight : Double.NaN;
        return barLine(run, s.batches, runningLoss, s.samples, now - s.epochStart);
    }

    /** Seconds as {@code m:ss}, or {@code h:mm:ss} from an hour. */
    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long sec = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, sec)
                : String.format(Locale.ROOT, "%d:%02d", m, sec);
    }

    private static void write(State s, String text) {
        Appendable out = s.out;
        if (out == null) {
            return;
        }
        try {
            out.append(text);
            if (out instanceof Flushable f) {
                f.flush();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("progress: cannot write to " + out, e);
        }
    }

    @Override
    public String toString() {
        return "ProgressListener";
    }
}
