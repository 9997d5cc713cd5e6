package io.github.backprop4j;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.Matrix;
import io.github.backprop4j.math.Precision;
import io.github.backprop4j.optim.ParameterKind;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Embeddings for categorical input columns: the first layer of a network whose samples are {@code numeric}
 * numeric columns followed by one column per categorical feature, each holding a category index
 * {@code 0..cardinality−1} (as a whole number in the input matrix; {@code data.CsvReader} can map a column's
 * values to indices). Each categorical column {@code k} has its own table {@code Eₖ [cardinalityₖ × dimₖ]}
 * (PyTorch's {@code nn.Embedding}), and a sample's output is its numeric columns, unchanged, followed by the
 * rows its categories select, in column order:
 * <pre>
 *   z = [x₀ … x_{numeric−1}, E₀[c₀], E₁[c₁], …]          a = σ(z)   (usually no activation)
 *   ∂C/∂Eₖ[r] = Σ over samples n with cₙₖ = r of δₙ restricted to table k's slice
 * </pre>
 * so rows used by several samples accumulate and rows not used in a batch get a zero gradient (which leaves
 * them unchanged under SGD, momentum and Adam alike). The gradient of the numeric columns is the numeric part
 * of {@code δ}; a category index has none. Parameters: {@code "tables.k.weight"}, {@link ParameterKind#EMBEDDING}.
 * Immutable and thread-safe.
 */
public final class Embedding extends Layer {

    private final int numeric;
    private final List<Matrix> tables;
    private final int[] cardinalities;
    private final Activation activation;

    private Embedding(int numeric, List<Matrix> tables, Activation activation) {
        this.numeric = numeric;
        List<Matrix> frozen = new ArrayList<>();
        for (Matrix t : tables) {
            frozen.add(t.freeze());
        }
        this.tables = List.copyOf(frozen);
        this.cardinalities = tables.stream().mapToInt(Matrix::rows).toArray();
        this.activation = activation;
    }

    /**
     * Fresh tables drawn as PyTorch draws them, from the standard normal distribution.
     *
     * @param numeric the number of numeric columns before the categorical ones, &ge; 0
     * @param cardinalities the number of categories of each categorical column, each &ge; 1, at least one column
     * @param dimensions the embedding width of each categorical column, each &ge; 1
     * @param precision the precision of the tables
     * @param random the source of the initial values
     * @return the layer, without activation
     * @throws IllegalArgumentException naming the column, if a size is out of range or the arrays differ in length
     */
    public static Embedding of(int numeric, int[] cardinalities, int[] dimensions, Precision precision,
            SplittableRandom random) {
        Checks.notNull(cardinalities, "cardinalities");
        Checks.notNull(dimensions, "dimensions");
        Checks.notNull(precision, "precision");
        Checks.notNull(random, "random");
        Checks.sameSize(dimensions.length, cardinalities.length, "dimensions: the number of categorical columns",
                "the number of cardinalities");
        List<Matrix> tables = new ArrayList<>();
        for (int k = 0; k < cardinalities.length; k++) {
            Checks.positive(cardinalities[k], "categorical column " + k + " cardinality");
            Checks.positive(dimensions[k], "categorical column " + k + " dimension");
            Matrix t = Matrix.zeros(precision, cardinalities[k], dimensions[k]);
            for (int r = 0; r < t.rows(); r++) {
                for (int c = 0; c < t.cols(); c++) {
                    t.set(r, c, gaussian(random));
                }
            }
            tables.add(t);
        }
        return of(numeric, tables, Activation.IDENTITY);
    }

    /** A standard normal draw by the polar method, from {@code random} alone, so it is the same on every JVM. */
    private static double gaussian(SplittableRandom random) {
        double u;
        double v;
        double s;
        do {
            u = 2 * random.nextDouble() - 1;
            v = 2 * random.nextDouble() - 1;
            s = u * u + v * v;
        } while (s >= 1 || s == 0);
        return u * StrictMath.sqrt(-2 * StrictMath.log(s) / s);
    }

    /**
     * An embedding layer with given tables, e.g. loaded or imported.
     *
     * @param numeric the number of numeric columns before the categorical ones, &ge; 0
     * @param tables one {@code [cardinality × dimension]} table per categorical column, in column order, of one
     *     precision; copied
     * @param activation the activation after it
     * @return the layer
     * @throws IllegalArgumentException if there is no table, the precisions differ, or a value is not finite
     */
    public static Embedding of(int numeric, List<Matrix> tables, Activation activation) {
        Checks.notNull(tables, "tables");
        Checks.notNull(activation, "activation");
        if (numeric < 0) {
            throw new IllegalArgumentException("numeric columns must be at least 0, was " + numeric);
        }
        if (tables.isEmpty()) {
            throw new IllegalArgumentException("tables: an embedding layer needs at least one categorical column");
        }
        List<Matrix> copies = new ArrayList<>();
        for (int k = 0; k < tables.size(); k++) {
            Matrix t = Checks.notNull(tables.get(k), "table " + k);
            if (t.precision() != tables.get(0).precision()) {
                throw new IllegalArgumentException("tables differ in precision: table " + k + " is " + t.precision()
                        + " but table 0 is " + tables.get(0).precision());
            }
            t.requireFinite("table " + k);
            copies.add(t.copy());
        }
        return new Embedding(numeric, copies, activation);
    }

    @Override
    public String kind() {
        return "embedding";
    }

    /** Returns the numeric columns plus one column per table. */
    @Override
    public int inputSize() {
        return numeric + tables.size();
    }

    /** Returns the numeric columns plus the sum of the tables' dimensions. */
    @Override
    public int outputSize() {
        int width = numeric;
        for (Matrix t : tables) {
            width += t.cols();
        }
        return width;
    }

    /**
     * Returns the number of numeric columns, which pass through unchanged.
     *
     * @return &ge; 0
     */
    public int numericColumns() {
        return numeric;
    }

    /**
     * Returns the number of categories of each categorical column.
     *
     * @return a copy, one entry per table
     */
    public int[] cardinalities() {
        return cardinalities.clone();
    }

    /**
     * Returns the tables, in column order.
     *
     * @return read-only {@code [cardinality × dimension]} matrices
     */
    public List<Matrix> tables() {
        return tables;
    }

    @Override
    public Activation activation() {
        return activation;
    }

    @Override
    public Precision precision() {
        return tables.get(0).precision();
    }

    /** Returns {@code "tables.k.weight"} for each table {@code k}. */
    @Override
    public List<Parameter> parameters() {
        List<Parameter> p = new ArrayList<>();
        for (int k = 0; k < tables.size(); k++) {
            p.add(new Parameter("tables." + k + ".weight", ParameterKind.EMBEDDING, tables.get(k)));
        }
        return List.copyOf(p);
    }

    @Override
    public Embedding withParameters(List<Matrix> values) {
        checkValues(values, parameters(), this);
        return of(numeric, values, activation);
    }

    @Override
    public Embedding withActivation(Activation newActivation) {
        return new Embedding(numeric, tables, Checks.notNull(newActivation, "activation"));
    }

    @Override
    public Embedding toPrecision(Precision newPrecision) {
        Checks.notNull(newPrecision, "precision");
        if (newPrecision == precision()) {
            return this;
        }
        List<Matrix> converted = new ArrayList<>();
        for (int k = 0; k < tables.size(); k++) {
            converted.add(tables.get(k).toPrecision(newPrecision, "table " + k));
        }
        return new Embedding(numeric, converted, activation);
    }

    @Override
    public LayerComputation newComputation() {
        return new Computation(this);
    }

    @Override
    Matrix predict(Matrix input) {
        Matrix z = Matrix.zeros(precision(), input.rows(), outputSize());
        Computation.forward(input, numeric, cardinalities, tables, z);
        activation.forward(z, z);
        return z;
    }

    @Override
    String details() {
        StringBuilder s = new StringBuilder(numeric + " numeric");
        for (Matrix t : tables) {
            s.append(", ").append(t.rows()).append("×").append(t.cols());
        }
        return s.toString();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Embedding e && e.numeric == numeric && e.activation.equals(activation)
                && e.tables.equals(tables);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(numeric, tables, activation);
    }

    /** Returns the columns and tables, e.g. {@code "Embedding[3 numeric + 5×3, 4×2 → 8, identity, FLOAT64]"}. */
    @Override
    public String toString() {
        return "Embedding[" + details().replaceFirst(", ", " + ") + " → " + outputSize() + ", " + activation + ", "
                + precision() + "]";
    }

    /** The lookup and its gradient on writable copies of the tables. */
    static final class Computation extends LayerComputation {

        private final int numeric;
        private final int[] cardinalities;
        private final List<Matrix> tables;
        private final List<Matrix> gradients;
        private final Activation sigma;

        Computation(Embedding layer) {
            this.numeric = layer.numeric;
            this.cardinalities = layer.cardinalities;
            this.sigma = layer.activation;
            List<Matrix> t = new ArrayList<>();
            List<Matrix> g = new ArrayList<>();
            for (Matrix table : layer.tables) {
                t.add(table.copy());
                g.add(Matrix.zeros(table.precision(), table.rows(), table.cols()));
            }
            this.tables = List.copyOf(t);
            this.gradients = List.copyOf(g);
        }

        @Override
        public void forward(Matrix x, Matrix z, boolean training) {
            forward(x, numeric, cardinalities, tables, z);
        }

        /** The lookup, shared by training and prediction: {@code z = [x_numeric, E₀[c₀], E₁[c₁], …]}. */
        static void forward(Matrix x, int numeric, int[] cardinalities, List<Matrix> tables, Matrix z) {
            Matrix.requireCategoryIndices(x, numeric, cardinalities, "inputs");
            Matrix.embed(x, numeric, tables, z); // z = [x_numeric, E₀[c₀], E₁[c₁], …]
        }

        @Override
        public void backward(Matrix x, Matrix delta, Matrix dx) {
            Matrix.embedBackward(x, numeric, delta, gradients, dx); // ∂C/∂Eₖ[r] = Σ_{n: cₙₖ = r} δₙ (table k's slice)
        }

        @Override
        public Activation activation() {
            return sigma;
        }

        @Override
        public List<Matrix> values() {
            return tables;
        }

        @Override
        public List<Matrix> gradients() {
            return gradients;
        }

        @Override
        public Embedding snapshot() {
            return of(numeric, tables, sigma);
        }
    }
}
