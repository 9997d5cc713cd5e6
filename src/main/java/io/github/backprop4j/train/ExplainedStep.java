package io.github.backprop4j.train;

import io.github.backprop4j.DenseLayer;
import io.github.backprop4j.Layer;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.Parameter;
import io.github.backprop4j.data.Batch;
import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.optim.GradientDescent;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.optim.OptimizerState;
import io.github.backprop4j.optim.ParameterKind;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One batch and one optimizer step, with every quantity of the equations (1)–(7) of this package recorded layer
 * by layer: the weighted sums {@code zˡ}, the activations {@code aˡ}, the error signals {@code δˡ}, the gradient
 * of every parameter ({@code ∂C/∂Wˡ}, {@code ∂C/∂bˡ} for a dense layer), the parameters before and after the
 * step, the learning rate {@code η}, and the loss before and after.
 *
 * <p>Everything is computed by the readable path and nothing else: {@link ForwardPass#run(Network, Matrix)},
 * {@link Backpropagator#gradients(ForwardPass, Matrix)}, optionally {@link Gradients#clippedByGlobalNorm}, and
 * {@link Backpropagator#apply(Network, Gradients, Optimizer, OptimizerState, double)} with a fresh
 * {@link OptimizerState} (the first step of a run). The network after the step is therefore, bit for bit, the
 * network a one-epoch {@link Trainer#fit} on this single batch returns (without shuffling or dropout).
 *
 * <p>The gradients shown are {@code ∂C/∂θ} of the loss, before any gradient transform of the optimizer
 * (weight decay, L1/L2, clipping by value) is applied inside its update.
 *
 * <p><b>Printing.</b> {@link #toText()} (and {@link #toString()}) prints one block per layer with aligned
 * columns: a table of {@code z}, {@code a} and {@code δ} with one row per sample and unit, and a table of every
 * parameter entry (before, gradient, after). Dense layers are labelled with the equations; layers of the other
 * kinds list their parameters by {@link Parameter#name()}. {@link #toHtml()} renders the same tables as an HTML
 * fragment. <b>Truncation rule:</b> with a limit {@code n} ({@value #DEFAULT_LIMIT} unless given), at most
 * {@code n} samples are shown, at most {@code n} units of each shown sample, and at most {@code n} entries of
 * each parameter (in row-major order); whatever is left out is counted in a line {@code "… k more …"}.
 * Numbers are printed with ten decimals in {@link Locale#ROOT}, or in scientific notation when they are
 * non-zero and smaller than 1e-6 or at least 1e6 in magnitude.
 *
 * <p>Immutable; the matrices it hands out are read-only.
 */
public final class ExplainedStep {

    /** The default truncation limit of {@link #toText()} and {@link #toHtml()}. */
    public static final int DEFAULT_LIMIT = 8;

    private final Network before;
    private final Network after;
    private final ForwardPass pass;
    private final Gradients gradients;
    private final Loss loss;
    private final Optimizer optimizer;
    private final double learningRate;
    private final double lossAfter;
    private final double clipNorm;

    private ExplainedStep(Network before, Network after, ForwardPass pass, Gradients gradients, Loss loss,
            Optimizer optimizer, double learningRate, double lossAfter, double clipNorm) {
        this.before = before;
        this.after = after;
        this.pass = pass;
        this.gradients = gradients;
        this.loss = loss;
        this.optimizer = optimizer;
        this.learningRate = learningRate;
        this.lossAfter = lossAfter;
        this.clipNorm = clipNorm;
    }

    /**
     * Explains one step of an optimizer on one batch, with the optimizer's own learning rate.
     *
     * @param network the network before the step, not changed
     * @param inputs {@code [batch × inputSize]}
     * @param targets {@code [batch × outputSize]}
     * @param loss the cost function {@code C}
     * @param optimizer the optimizer, whose first step (fresh state) is made
     * @return the explained step
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the inputs or targets do not fit the network, each other or the loss
     */
    public static ExplainedStep of(Network network, Matrix inputs, Matrix targets, Loss loss, Optimizer optimizer) {
        Checks.notNull(optimizer, "optimizer");
        return explain(network, inputs, targets, loss, optimizer, optimizer.learningRate(), 0);
    }

    /**
     * Explains one step on a batch given as rows of doubles; see {@link #of(Network, Matrix, Matrix, Loss, Optimizer)}.
     *
     * @param network the network before the step, not changed
     * @param inputs {@code [batch × inputSize]}
     * @param targets {@code [batch × outputSize]}
     * @param loss the cost function {@code C}
     * @param optimizer the optimizer, whose first step (fresh state) is made
     * @return the explained step
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the batch is empty or ragged, or does not fit the network or the loss
     */
    public static ExplainedStep of(Network network, double[][] inputs, double[][] targets, Loss loss,
            Optimizer optimizer) {
        Checks.notNull(network, "network");
        return of(network, Matrix.of(network.precision(), inputs, "inputs"),
                Matrix.of(network.precision(), targets, "targets"), loss, optimizer);
    }

    /**
     * Explains the first step a trainer would make on a batch: its loss and optimizer, its gradient clipping, and
     * its learning-rate schedule's rate for step 1 of epoch 1.
     *
     * @param trainer the trainer, which must use no dropout (its masks are random)
     * @param network the network before the step, not changed
     * @param batch the batch
     * @return the explained step
     * @throws NullPointerException if an argument is {@code null}
     * @throws IllegalArgumentException if the trainer uses dropout, or the batch does not fit the network
     */
    public static ExplainedStep of(Trainer trainer, Network network, Batch batch) {
        Checks.notNull(trainer, "trainer");
        Checks.notNull(batch, "batch");
        if (!trainer.dropout().isNone()) {
            throw new IllegalArgumentException("trainer: an explained step runs without dropout, but the trainer "
                    + "uses " + trainer.dropout() + "; explain with a trainer built without dropout");
        }
        double eta = trainer.learningRateSchedule().learningRate(trainer.optimizer().learningRate(), 1, 1);
        if (!(eta >= 0) || eta == Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("trainer: its learning-rate schedule gives " + eta
                    + " for step 1 of epoch 1; a learning rate must be a finite number >= 0");
        }
        return explain(network, batch.features(), batch.targets(), trainer.loss(), trainer.optimizer(), eta,
                trainer.clipGradientNorm());
    }

    private static ExplainedStep explain(Network network, Matrix inputs, Matrix targets, Loss loss,
            Optimizer optimizer, double eta, double clipNorm) {
        Checks.notNull(network, "network");
        Checks.notNull(loss, "loss");
        Backpropagator backprop = new Backpropagator(loss);
        ForwardPass pass = ForwardPass.run(network, inputs); //                     (1), (2)
        Gradients gradients = backprop.gradients(pass, targets); //                 (3)–(6)
        if (clipNorm > 0) {
            gradients = gradients.clippedByGlobalNorm(clipNorm);
        }
        Network updated = backprop.apply(network, gradients, optimizer, new OptimizerState(), eta); // (7)
        double lossAfter = backprop.gradients(ForwardPass.run(updated, inputs), targets).loss();
        return new ExplainedStep(network, updated, pass, gradients, loss, optimizer, eta, lossAfter, clipNorm);
    }

    /**
     * Returns the network before the step.
     *
     * @return the network the batch went through
     */
    public Network networkBefore() {
        return before;
    }

    /**
     * Returns the network after the step.
     *
     * @return the updated network
     */
    public Network networkAfter() {
        return after;
    }

    /**
     * Returns the recorded forward pass of the batch: {@code zˡ}, {@code aˡ}.
     *
     * @return the pass
     */
    public ForwardPass forwardPass() {
        return pass;
    }

    /**
     * Returns the gradients of the batch: {@code δˡ}, {@code ∂C/∂θ} (clipped, if the trainer clips).
     *
     * @return the gradients the optimizer was given
     */
    public Gradients gradients() {
        return gradients;
    }

    /**
     * Returns the loss function.
     *
     * @return {@code C}
     */
    public Loss lossFunction() {
        return loss;
    }

    /**
     * Returns the optimizer that made the step.
     *
     * @return the optimizer
     */
    public Optimizer optimizer() {
        return optimizer;
    }

    /**
     * Returns the learning rate of the step, {@code η}.
     *
     * @return the rate given to the optimizer
     */
    public double learningRate() {
        return learningRate;
    }

    /**
     * Returns the loss of the batch before the step.
     *
     * @return {@code C}, the batch mean
     */
    public double lossBefore() {
        return gradients.loss();
    }

    /**
     * Returns the loss of the same batch after the step.
     *
     * @return {@code C} of the updated network, the batch mean
     */
    public double lossAfter() {
        return lossAfter;
    }

    /**
     * Returns the number of layers, L.
     *
     * @return the number of layers
     */
    public int layerCount() {
        return before.layerCount();
    }

    /**
     * Returns a layer's weighted sums, (1) {@code zˡ}.
     *
     * @param layer 1..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Matrix weightedSums(int layer) {
        return pass.weightedSums(layer);
    }

    /**
     * Returns a layer's activations, (2) {@code aˡ = σ(zˡ)}; layer 0 is the input.
     *
     * @param layer 0..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public Matrix activations(int layer) {
        return pass.activations(layer);
    }

    /**
     * Returns a layer's error signal, (3) or (4) {@code δˡ = ∂C/∂zˡ}.
     *
     * @param layer 1..L
     * @return {@code [batch × outputs of layer l]}, read-only
     * @throws IndexOutOfBoundsException if there is no such layer
     */
    public Matrix errorSignal(int layer) {
        return gradients.errorSignal(layer);
    }

    /**
     * Returns a layer's parameters before the step.
     *
     * @param layer 1..L
     * @return in the order of {@link Layer#parameters()}
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public List<Parameter> parametersBefore(int layer) {
        return before.layer(layer).parameters();
    }

    /**
     * Returns the gradient of each of a layer's parameters, (5), (6) {@code ∂C/∂θ}.
     *
     * @param layer 1..L
     * @return in the order of {@link Layer#parameters()}
     * @throws IndexOutOfBoundsException if there is no such layer
     */
    public List<Parameter> parameterGradients(int layer) {
        return gradients.parameterGradients(layer);
    }

    /**
     * Returns a layer's parameters after the step, (7).
     *
     * @param layer 1..L
     * @return in the order of {@link Layer#parameters()}
     * @throws IndexOutOfBoundsException naming the valid range, if there is no such layer
     */
    public List<Parameter> parametersAfter(int layer) {
        return after.layer(layer).parameters();
    }

    /**
     * Prints the step as tables, truncated at {@value #DEFAULT_LIMIT} rows per block; see the class comment.
     *
     * @return the text, lines ending in {@code \n}
     */
    public String toText() {
        return toText(DEFAULT_LIMIT);
    }

    /**
     * Prints the step as tables with aligned columns, truncated as the class comment describes.
     *
     * @param limit the most samples, units per sample, and entries per parameter shown, &ge; 1
     * @return the text, lines ending in {@code \n}
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public String toText(int limit) {
        checkLimit(limit);
        StringBuilder s = new StringBuilder();
        s.append(heading()).append('\n');
        s.append(lossLine()).append('\n');
        for (Block block : blocks(limit)) {
            s.append('\n').append(block.title).append('\n');
            for (Object item : block.items) {
                if (item instanceof Table table) {
                    table.appendText(s, "  ");
                } else {
                    s.append("  ").append(item).append('\n');
                }
            }
        }
        return s.toString();
    }

    /**
     * Renders the step as an HTML fragment: one {@code <section class="explained-step">} with a heading, and
     * per layer its equations and tables, truncated as the class comment describes. All text is escaped; the
     * fragment holds no script, style sheet or external reference, so a report can embed it as it is.
     *
     * @return the fragment
     */
    public String toHtml() {
        return toHtml(DEFAULT_LIMIT);
    }

    /**
     * Renders the step as an HTML fragment; see {@link #toHtml()}.
     *
     * @param limit the most samples, units per sample, and entries per parameter shown, &ge; 1
     * @return the fragment
     * @throws IllegalArgumentException if {@code limit} is less than 1
     */
    public String toHtml(int limit) {
        checkLimit(limit);
        StringBuilder h = new StringBuilder("<section class=\"explained-step\">\n");
        h.append("<h2>").append(escape(heading())).append("</h2>\n");
        h.append("<p>").append(escape(lossLine())).append("</p>\n");
        for (Block block : blocks(limit)) {
            h.append("<h3>").append(escape(block.title)).append("</h3>\n");
            for (Object item : block.items) {
                if (item instanceof Table table) {
                    table.appendHtml(h);
                } else {
                    h.append("<p class=\"equation\">").append(escape((String) item)).append("</p>\n");
                }
            }
        }
        return h.append("</section>\n").toString();
    }

    /** Prints {@link #toText()}. */
    @Override
    public String toString() {
        return toText();
    }

    private static void checkLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1, but is " + limit);
        }
    }

    private String heading() {
        int n = pass.batchSize();
        return "Explained step: " + before + ", " + n + (n == 1 ? " sample" : " samples") + ", loss " + loss
                + ", optimizer " + optimizer + ", learning rate η = " + learningRate
                + (clipNorm > 0 ? ", gradients clipped to global norm " + number(clipNorm) : "");
    }

    private String lossLine() {
        return "loss C = " + number(lossBefore()) + " before the step, " + number(lossAfter) + " after it";
    }

    /** The blocks to print: the input, then every layer. */
    private List<Block> blocks(int limit) {
        List<Block> blocks = new ArrayList<>();
        Block input = new Block("layer 0: the input a0");
        input.items.add(unitTable(limit, new String[] {"a0"}, pass.activations(0)));
        blocks.add(input);
        int last = before.layerCount();
        for (int l = 1; l <= last; l++) {
            Layer layer = before.layer(l);
            boolean dense = layer instanceof DenseLayer;
            String act = layer.activation().toString();
            Block b = new Block("layer " + l + ": " + layer.kind() + " " + layer.inputSize() + " → "
                    + layer.outputSize() + ", " + act);
            String p = String.valueOf(l - 1);
            String n = String.valueOf(l);
            String next = String.valueOf(l + 1);
            b.items.add(dense ? "(1) z" + n + " = a" + p + "·W" + n + "ᵀ + b" + n
                    : "z" + n + " = " + layer.kind() + "(a" + p + "), the layer's own forward pass");
            b.items.add("(2) a" + n + " = " + act + "(z" + n + ")");
            b.items.add(l == last ? "(3) δ" + n + " = ∂C/∂z" + n + " = ∇ₐC ⊙ σ'(z" + n + ")"
                    : "(4) δ" + n + " = (∂C/∂a" + n + ") ⊙ σ'(z" + n + ")"
                            + (before.layer(l + 1) instanceof DenseLayer ? ", ∂C/∂a" + n + " = δ" + next + "·W" + next
                                    : ", ∂C/∂a" + n + " from layer " + next + "'s backward pass"));
            b.items.add(unitTable(limit, new String[] {"z" + n, "a" + n, "δ" + n},
                    pass.weightedSums(l), pass.activations(l), gradients.errorSignal(l)));
            if (dense) {
                b.items.add("(5) ∂C/∂W" + n + " = δ" + n + "ᵀ·a" + p + ", (6) ∂C/∂b" + n + " = Σ_samples δ" + n);
            } else if (!layer.parameters().isEmpty()) {
                b.items.add("∂C/∂θ for each parameter θ from the layer's own backward pass");
            }
            if (!layer.parameters().isEmpty()) {
                b.items.add(optimizer instanceof GradientDescent
                        ? "(7) θ ← θ − η·∂C/∂θ with η = " + learningRate
                                + (((GradientDescent) optimizer).weightDecay() > 0 ? " (after weight decay)" : "")
                        : "(7) θ updated by " + optimizer + " from ∂C/∂θ with η = " + learningRate);
                b.items.add(parameterTable(limit, l, dense));
            }
            blocks.add(b);
        }
        return blocks;
    }

    /** One row per shown sample and unit, with a column for each matrix. */
    private Table unitTable(int limit, String[] names, Matrix... values) {
        String[] header = new String[names.length + 2];
        header[0] = "sample";
        header[1] = "unit";
        System.arraycopy(names, 0, header, 2, names.length);
        Table t = new Table(2, header);
        int samples = values[0].rows();
        int units = values[0].cols();
        for (int s = 0; s < Math.min(samples, limit); s++) {
            for (int j = 0; j < Math.min(units, limit); j++) {
                String[] row = new String[header.length];
                row[0] = String.valueOf(s);
                row[1] = String.valueOf(j);
                for (int m = 0; m < values.length; m++) {
                    row[m + 2] = number(values[m].get(s, j));
                }
                t.rows.add(row);
            }
            if (units > limit) {
                t.rows.add(omitted(header.length, "… " + (units - limit) + " more units of sample " + s));
            }
        }
        if (samples > limit) {
            t.rows.add(omitted(header.length, "… " + (samples - limit) + " more samples"));
        }
        return t;
    }

    /** One row per shown entry of each parameter: before, gradient, after. */
    private Table parameterTable(int limit, int l, boolean dense) {
        Table t = new Table(1, "parameter", "before", "∂C/∂θ", "after");
        List<Parameter> was = parametersBefore(l);
        List<Parameter> grad = parameterGradients(l);
        List<Parameter> now = parametersAfter(l);
        for (int i = 0; i < was.size(); i++) {
            Parameter p = was.get(i);
            String name = dense ? (i == 0 ? "W" : "b") + l : p.name();
            Matrix v = p.value();
            long size = p.size();
            for (int k = 0; k < Math.min(size, limit); k++) {
                int r = (int) (k / v.cols());
                int c = (int) (k % v.cols());
                String label = v.rows() == 1 && p.kind() != ParameterKind.WEIGHTS ? name + "[" + c + "]" : name + "[" + r + "][" + c + "]";
                t.rows.add(new String[] {label, number(v.get(r, c)), number(grad.get(i).value().get(r, c)),
                        number(now.get(i).value().get(r, c))});
            }
            if (size > limit) {
                t.rows.add(omitted(4, "… " + (size - limit) + " more entries of " + name));
            }
        }
        return t;
    }

    private static String[] omitted(int width, String text) {
        String[] row = new String[width];
        row[0] = text;
        return row;
    }

    /** A number as the tables print it; see the class comment. */
    static String number(double v) {
        double m = Math.abs(v);
        if (v != 0 && (m < 1e-6 || m >= 1e6) && Double.isFinite(v)) {
            return String.format(Locale.ROOT, "%.6e", v);
        }
        return String.format(Locale.ROOT, "%.10f", v);
    }

    static String escape(String text) {
        StringBuilder s = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> s.append("&amp;");
                case '<' -> s.append("&lt;");
                case '>' -> s.append("&gt;");
                case '"' -> s.append("&quot;");
                case '\'' -> s.append("&#39;");
                default -> s.append(c);
            }
        }
        return s.toString();
    }

    /** A titled group of notes and tables. */
    private static final class Block {
        final String title;
        /** Notes (strings) and tables, in the order they are printed. */
        final List<Object> items = new ArrayList<>();

        Block(String title) {
            this.title = title;
        }
    }

    /**
     * A table of strings: the first {@code left} columns left-aligned, the others right-aligned. A row whose cells after the
     * first are null is a note spanning the table ("… k more").
     */
    private static final class Table {
        final int left;
        final String[] header;
        final List<String[]> rows = new ArrayList<>();

        Table(int left, String... header) {
            this.left = left;
            this.header = header;
        }

        void appendText(StringBuilder s, String indent) {
            int[] width = new int[header.length];
            for (int c = 0; c < header.length; c++) {
                width[c] = header[c].length();
            }
            for (String[] row : rows) {
                if (row[1] != null) {
                    for (int c = 0; c < row.length; c++) {
                        width[c] = Math.max(width[c], row[c].length());
                    }
                }
            }
            appendRow(s, indent, header, width);
            for (String[] row : rows) {
                if (row[1] == null) {
                    s.append(indent).append(row[0]).append('\n');
                } else {
                    appendRow(s, indent, row, width);
                }
            }
        }

        private void appendRow(StringBuilder s, String indent, String[] row, int[] width) {
            StringBuilder line = new StringBuilder(indent);
            for (int c = 0; c < row.length; c++) {
                String pad = " ".repeat(width[c] - row[c].length());
                line.append(c == 0 ? "" : "  ").append(c < left ? row[c] + pad : pad + row[c]);
            }
            s.append(line.toString().stripTrailing()).append('\n');
        }

        void appendHtml(StringBuilder h) {
            h.append("<table>\n<thead><tr>");
            for (String cell : header) {
                h.append("<th>").append(escape(cell)).append("</th>");
            }
            h.append("</tr></thead>\n<tbody>\n");
            for (String[] row : rows) {
                h.append("<tr>");
                if (row[1] == null) {
                    h.append("<td colspan=\"").append(header.length).append("\">").append(escape(row[0]))
                            .append("</td>");
                } else {
                    for (int c = 0; c < row.length; c++) {
                        h.append(c == 0 ? "<td>" : "<td class=\"number\">").append(escape(row[c])).append("</td>");
                    }
                }
                h.append("</tr>\n");
            }
            h.append("</tbody>\n</table>\n");
        }
    }
}
