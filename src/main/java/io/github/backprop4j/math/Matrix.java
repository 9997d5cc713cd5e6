package io.github.backprop4j.math;

import io.github.backprop4j.internal.Checks;
import io.github.backprop4j.math.kernel.NormKernels;

import java.util.function.DoubleBinaryOperator;
import java.util.function.DoublePredicate;
import java.util.function.DoubleUnaryOperator;

/**
 * A dense, row-major matrix of {@link Precision#FLOAT64} or {@link Precision#FLOAT32} numbers: the one
 * matrix type that model and training code see.
 *
 * <p>This class is the facade between the readable code above it and the loops below it. Every operation
 * states its equation here and hands the arrays to a kernel of the matching precision in
 * {@code io.github.backprop4j.math.kernel}; code above this class never loops over matrix indices.
 * Rows are samples wherever a matrix holds a batch. A vector is a matrix with one row.
 *
 * <p>Operations write into an explicit output matrix, so that a caller can reuse buffers; every operand
 * must have the output's precision, and the shapes are checked with messages that name both sizes. A
 * matrix is mutable unless it is a {@linkplain #readOnlyView() read-only view}; an immutable object that
 * holds matrices (a {@code Layer}, a {@code ForwardPass}) hands out only read-only views or copies.
 * Instances are not thread-safe while they are being written; read-only views may be shared freely.
 */
public abstract sealed class Matrix permits DoubleMatrix, FloatMatrix {

    /** The number of rows. */
    final int rows;
    /** The number of columns. */
    final int cols;
    /** Whether writes through this instance are refused. */
    /** Whether writes are refused; set for good by {@link #freeze()}, before the matrix is shared. */
    boolean readOnly;

    Matrix(int rows, int cols, boolean readOnly) {
        this.rows = rows;
        this.cols = cols;
        this.readOnly = readOnly;
    }

    // ------------------------------------------------------------------ creation

    /**
     * Creates a writable matrix of zeros.
     *
     * @param precision the element type
     * @param rows the number of rows, at least 1
     * @param cols the number of columns, at least 1
     * @return a new {@code rows × cols} matrix of zeros
     * @throws IllegalArgumentException if a size is below 1
     */
    public static Matrix zeros(Precision precision, int rows, int cols) {
        Checks.notNull(precision, "precision");
        Checks.positive(rows, "rows");
        Checks.positive(cols, "cols");
        long size = (long) rows * cols;
        if (size > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + rows + " × " + cols + " matrix has " + size
                    + " elements, more than one Java array can hold");
        }
        return precision == Precision.FLOAT64
                ? new DoubleMatrix(rows, cols, new double[(int) size], false)
                : new FloatMatrix(rows, cols, new float[(int) size], false);
    }

    /**
     * Copies a rectangular {@code double[][]} (rows first) into a new writable matrix.
     *
     * @param precision the element type; for {@link Precision#FLOAT32} each value is rounded to float
     * @param values the rows, at least one, all of the same non-zero length
     * @param name the argument's name, used in error messages
     * @return a new matrix holding the values
     * @throws NullPointerException if {@code values} or one of its rows is {@code null}
     * @throws IllegalArgumentException if {@code values} is empty or its rows differ in length
     */
    public static Matrix of(Precision precision, double[][] values, String name) {
        checkRectangular(values == null ? -1 : values.length, values, name);
        Matrix m = zeros(precision, values.length, values[0].length);
        for (int r = 0; r < values.length; r++) {
            if (precision == Precision.FLOAT32) {
                checkFloatRange(values[r], r, name);
            }
            m.setRow(r, values[r]);
        }
        return m;
    }

    /** Refuses finite doubles that float32 would round to infinity, so the message shows the value given. */
    private static void checkFloatRange(double[] row, int r, String name) {
        for (int c = 0; c < row.length; c++) {
            if (Double.isFinite(row[c]) && Math.abs(row[c]) > Float.MAX_VALUE) {
                throw new IllegalArgumentException(name + ": row " + r + ", column " + c + " is " + row[c]
                        + ", outside the range of FLOAT32 (±" + Float.MAX_VALUE + ")");
            }
        }
    }

    /**
     * Copies a rectangular {@code float[][]} (rows first) into a new writable matrix.
     *
     * @param precision the element type
     * @param values the rows, at least one, all of the same non-zero length
     * @param name the argument's name, used in error messages
     * @return a new matrix holding the values
     * @throws NullPointerException if {@code values} or one of its rows is {@code null}
     * @throws IllegalArgumentException if {@code values} is empty or its rows differ in length
     */
    public static Matrix of(Precision precision, float[][] values, String name) {
        checkRectangular(values == null ? -1 : values.length, values, name);
        Matrix m = zeros(precision, values.length, values[0].length);
        for (int r = 0; r < values.length; r++) {
            if (m instanceof FloatMatrix f) {
                System.arraycopy(values[r], 0, f.data, r * m.cols, m.cols); // the same values, a row at a time
            } else {
                for (int c = 0; c < m.cols; c++) {
                    m.set(r, c, values[r][c]);
                }
            }
        }
        return m;
    }

    /**
     * Copies a {@code double[]} into a new writable one-row matrix.
     *
     * @param precision the element type
     * @param values at least one value
     * @param name the argument's name, used in error messages
     * @return a new {@code 1 × values.length} matrix
     * @throws NullPointerException if {@code values} is {@code null}
     * @throws IllegalArgumentException if {@code values} is empty
     */
    public static Matrix rowVector(Precision precision, double[] values, String name) {
        Checks.notNull(values, name);
        if (values.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return of(precision, new double[][] {values}, name);
    }

    /**
     * Copies a {@code float[]} into a new writable one-row matrix.
     *
     * @param precision the element type
     * @param values at least one value
     * @param name the argument's name, used in error messages
     * @return a new {@code 1 × values.length} matrix
     * @throws NullPointerException if {@code values} is {@code null}
     * @throws IllegalArgumentException if {@code values} is empty
     */
    public static Matrix rowVector(Precision precision, float[] values, String name) {
        Checks.notNull(values, name);
        if (values.length == 0) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return of(precision, new float[][] {values}, name);
    }

    private static void checkRectangular(int length, Object[] values, String name) {
        Checks.notNull(values, name);
        if (length == 0) {
            throw new IllegalArgumentException(name + " must have at least one row");
        }
        int width = -1;
        for (int r = 0; r < length; r++) {
            Object row = values[r];
            if (row == null) {
                throw new NullPointerException(name + ": row " + r + " is null");
            }
            int w = row instanceof double[] d ? d.length : ((float[]) row).length;
            if (r == 0) {
                if (w == 0) {
                    throw new IllegalArgumentException(name + ": rows must not be empty, row 0 has 0 values");
                }
                width = w;
            } else if (w != width) {
                throw new IllegalArgumentException(name + ": rows must all have the same length, but row 0 has "
                        + width + " values and row " + r + " has " + w);
            }
        }
    }

    // ------------------------------------------------------------------ shape and elements

    /**
     * Returns the element type.
     *
     * @return the precision of this matrix
     */
    public abstract Precision precision();

    /**
     * Returns the number of rows.
     *
     * @return the number of rows, at least 1
     */
    public final int rows() {
        return rows;
    }

    /**
     * Returns the number of columns.
     *
     * @return the number of columns, at least 1
     */
    public final int cols() {
        return cols;
    }

    /**
     * Returns whether writes through this instance are refused.
     *
     * @return {@code true} for a read-only view
     */
    public final boolean isReadOnly() {
        return readOnly;
    }

    /**
     * Returns one element, widened to {@code double}.
     *
     * @param row the row, from 0
     * @param col the column, from 0
     * @return the element at {@code (row, col)}
     * @throws IndexOutOfBoundsException if the position is outside the matrix
     */
    public final double get(int row, int col) {
        return getAt(index(row, col));
    }

    /**
     * Sets one element (rounded to {@code float} in a {@link Precision#FLOAT32} matrix).
     *
     * @param row the row, from 0
     * @param col the column, from 0
     * @param value the new value
     * @throws IndexOutOfBoundsException if the position is outside the matrix
     * @throws IllegalStateException if this is a read-only view
     */
    public final void set(int row, int col, double value) {
        checkWritable("this matrix");
        setAt(index(row, col), value);
    }

    /** Throws unless {@code row} is a row of this matrix, naming it and the valid range. */
    final void checkRow(int row) {
        if (row < 0 || row >= rows) {
            throw new IndexOutOfBoundsException("row " + row + " is outside a " + rows + " × " + cols
                    + " matrix: rows are numbered 0.." + (rows - 1));
        }
    }

    private int index(int row, int col) {
        if (row < 0 || row >= rows || col < 0 || col >= cols) {
            throw new IndexOutOfBoundsException("(" + row + ", " + col + ") is outside a " + rows + " × " + cols
                    + " matrix");
        }
        return row * cols + col;
    }

    abstract double getAt(int index);

    abstract void setAt(int index, double value);

    abstract void setRow(int row, double[] values);

    /**
     * Returns a writable copy with its own storage.
     *
     * @return a new matrix equal to this one
     */
    public abstract Matrix copy();

    /**
     * Returns a view of the same storage that refuses writes; the view sees later writes made through
     * this matrix.
     *
     * @return a read-only view, or this matrix if it already is one
     */
    public abstract Matrix readOnlyView();

    /**
     * Returns a read-only copy that nothing can ever write: unlike a {@linkplain #readOnlyView() view}, its
     * elements never change, so it may keep forms of itself that make products faster. On the scalar path (no
     * Vector API) one does: the first {@code x · thisᵀ} (predicting, when this holds a layer's weights) makes a
     * transposed copy of this matrix, as much memory again, kept for the copy's lifetime. An immutable holder
     * of parameters (a {@code Layer}) keeps them so, through {@link #freeze()}, which needs no copy.
     *
     * @return an immutable copy, or this matrix if it already is one
     */
    public abstract Matrix immutableCopy();

    /**
     * Makes this matrix immutable without copying it, for a caller that holds the only reference to it (a layer
     * taking over weights it has just built or copied): from then on every write through it is refused, as
     * through a {@linkplain #readOnlyView() read-only view}, and, like an {@linkplain #immutableCopy() immutable
     * copy}, it may keep forms of itself that make products faster. A read-only view, whose owner may still
     * write, is copied instead. Freeze a matrix before it is shared with other threads.
     *
     * @return this matrix, now immutable, or an immutable copy of a read-only view
     */
    public abstract Matrix freeze();

    /**
     * Returns a writable copy in the given precision (rounding to {@code float} when narrowing).
     *
     * @param precision the precision of the copy
     * @return a new matrix
     */
    public abstract Matrix toPrecision(Precision precision);

    /**
     * Returns a writable copy in the given precision, as {@link #toPrecision(Precision)}, but refuses a finite
     * value that {@link Precision#FLOAT32} would round to infinity, so that an argument converted on the way
     * into a float32 network fails with the value given rather than turning into an infinity.
     *
     * @param precision the precision of the copy
     * @param name the argument's name, for the message
     * @return a new matrix
     * @throws IllegalArgumentException naming the argument, row, column and value, if a value is out of range
     */
    public final Matrix toPrecision(Precision precision, String name) {
        Checks.notNull(precision, "precision");
        if (precision == Precision.FLOAT32 && precision() == Precision.FLOAT64) {
            int[] at = firstWhere(v -> Double.isFinite(v) && Math.abs(v) > Float.MAX_VALUE);
            if (at != null) {
                throw new IllegalArgumentException(name + ": row " + at[0] + ", column " + at[1] + " is "
                        + get(at[0], at[1]) + ", outside the range of FLOAT32 (±" + Float.MAX_VALUE + ")");
            }
        }
        return toPrecision(precision);
    }

    /**
     * Copies the elements into a new {@code double[rows][cols]}.
     *
     * @return the rows, widened to double
     */
    public final double[][] toDoubleArray() {
        double[][] out = new double[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = row(r);
        }
        return out;
    }

    /**
     * Copies the elements into a new {@code float[rows][cols]}.
     *
     * @return the rows, rounded to float where this matrix holds doubles
     */
    public final float[][] toFloatArray() {
        float[][] out = new float[rows][];
        for (int r = 0; r < rows; r++) {
            out[r] = rowAsFloat(r);
        }
        return out;
    }

    /**
     * Copies one row into a new {@code double[]}.
     *
     * @param row the row, from 0
     * @return the row's elements, widened to double
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public abstract double[] row(int row);

    /**
     * Copies one row into a new {@code float[]}.
     *
     * @param row the row, from 0
     * @return the row's elements, rounded to float where this matrix holds doubles
     * @throws IndexOutOfBoundsException if there is no such row
     */
    public abstract float[] rowAsFloat(int row);

    /**
     * Finds the first element, in row-major order, that is NaN or infinite.
     *
     * @return {@code {row, col}} of that element, or {@code null} if every element is finite
     */
    public final int[] firstNonFinite() {
        int i = indexOfNonFinite();
        return i < 0 ? null : new int[] {i / cols, i % cols};
    }

    abstract int indexOfNonFinite();

    /**
     * Fills this matrix with an inverted-dropout mask: each element, in row-major order, is 0 with
     * probability {@code rate} and {@code 1 / (1 − rate)} otherwise, so that multiplying activations by the
     * mask keeps their expected value and inference needs no rescaling.
     *
     * @param random the source of the draws, one {@code nextDouble()} per element
     * @param rate the probability of dropping, in [0, 1)
     * @throws IllegalArgumentException if the rate is outside [0, 1)
     */
    public final void fillDropoutMask(java.util.random.RandomGenerator random, double rate) {
        Checks.notNull(random, "random");
        if (!(rate >= 0 && rate < 1)) {
            throw new IllegalArgumentException("dropout rate must be in [0, 1), was " + rate);
        }
        checkWritable("this matrix");
        double kept = 1 / (1 - rate);
        for (int i = 0; i < rows * cols; i++) {
            setAt(i, random.nextDouble() < rate ? 0 : kept);
        }
    }

    /**
     * Finds the first element, in row-major order, that satisfies a condition.
     *
     * @param condition the test, applied to each element widened to double
     * @return {@code {row, col}} of that element, or {@code null} if none satisfies it
     */
    public final int[] firstWhere(DoublePredicate condition) {
        Checks.notNull(condition, "condition");
        for (int i = 0; i < rows * cols; i++) {
            if (condition.test(getAt(i))) {
                return new int[] {i / cols, i % cols};
            }
        }
        return null;
    }

    /**
     * Throws unless every element is finite, naming the argument, the row and the column.
     *
     * @param name the argument's name, for the message
     * @return this matrix
     * @throws IllegalArgumentException if an element is NaN or infinite
     */
    public final Matrix requireFinite(String name) {
        int[] at = firstNonFinite();
        if (at != null) {
            throw new IllegalArgumentException(name + ": row " + at[0] + ", column " + at[1] + " is "
                    + get(at[0], at[1]) + "; every value must be finite");
        }
        return this;
    }

    /**
     * Sums every element in row-major order, accumulating in double.
     *
     * @return {@code Σᵢⱼ mᵢⱼ}
     */
    public abstract double sum();

    // ------------------------------------------------------------------ operations

    /**
     * {@code out = a · bᵀ}: the weighted sums {@code z = a_prev · Wᵀ} of a batch.
     *
     * @param a {@code [n × k]}
     * @param b {@code [m × k]}
     * @param out {@code [n × m]}, writable, sharing no storage with {@code a} or {@code b}
     * @throws IllegalArgumentException if shapes or precisions do not fit
     */
    public static void multiplyTransposed(Matrix a, Matrix b, Matrix out) {
        Checks.notNull(a, "a");
        Checks.notNull(b, "b");
        checkProduct(a, b, out, "a · bᵀ", a.cols, b.cols, a.rows, b.rows);
        out.gemmNT(a, b);
    }

    /**
     * {@code out = aᵀ · b}: the weight gradient {@code ∂C/∂W = δᵀ · a_prev} of a batch.
     *
     * @param a {@code [n × m]}
     * @param b {@code [n × k]}
     * @param out {@code [m × k]}, writable, sharing no storage with {@code a} or {@code b}
     * @throws IllegalArgumentException if shapes or precisions do not fit
     */
    public static void transposedMultiply(Matrix a, Matrix b, Matrix out) {
        Checks.notNull(a, "a");
        Checks.notNull(b, "b");
        checkProduct(a, b, out, "aᵀ · b", a.rows, b.rows, a.cols, b.cols);
        out.gemmTN(a, b);
    }

    /**
     * {@code out = a · b}: the error signal sent back a layer, {@code δ · W}.
     *
     * @param a {@code [n × k]}
     * @param b {@code [k × m]}
     * @param out {@code [n × m]}, writable, sharing no storage with {@code a} or {@code b}
     * @throws IllegalArgumentException if shapes or precisions do not fit
     */
    public static void multiply(Matrix a, Matrix b, Matrix out) {
        Checks.notNull(a, "a");
        Checks.notNull(b, "b");
        checkProduct(a, b, out, "a · b", a.cols, b.rows, a.rows, b.cols);
        out.gemmNN(a, b);
    }

    private static void checkProduct(Matrix a, Matrix b, Matrix out, String what, int innerA, int innerB,
            int outRows, int outCols) {
        checkOutput(out, a, b);
        if (innerA != innerB) {
            throw new IllegalArgumentException(what + ": inner sizes differ, a is " + a.shape() + " and b is "
                    + b.shape());
        }
        if (out.rows != outRows || out.cols != outCols) {
            throw new IllegalArgumentException(what + ": out is " + out.shape() + " but must be " + outRows + " × "
                    + outCols + " for a " + a.shape() + " and b " + b.shape());
        }
        if (out.sharesStorage(a) || out.sharesStorage(b)) {
            throw new IllegalArgumentException(what + ": out must not share storage with an operand");
        }
    }

    /**
     * {@code this[r][c] += v[0][c]} for every row r: adds the bias to each sample's weighted sums.
     *
     * @param v {@code [1 × cols]}
     * @throws IllegalArgumentException if {@code v} is not one row of this matrix's width
     */
    public final void addRowVector(Matrix v) {
        checkWritable("this matrix");
        checkOutput(this, v, v);
        if (v.rows != 1 || v.cols != cols) {
            throw new IllegalArgumentException("addRowVector: v is " + v.shape() + " but must be 1 × " + cols
                    + " for a " + shape() + " matrix");
        }
        addRowVectorKernel(v);
    }

    /**
     * {@code out[0][c] = Σ_r this[r][c]}: sums over the samples, as in the bias gradient
     * {@code ∂C/∂b = Σ_samples δ}.
     *
     * @param out {@code [1 × cols]}, writable
     * @throws IllegalArgumentException if {@code out} has the wrong shape or precision
     */
    public final void columnSums(Matrix out) {
        checkOutput(out, this, this);
        if (out.rows != 1 || out.cols != cols) {
            throw new IllegalArgumentException("columnSums: out is " + out.shape() + " but must be 1 × " + cols);
        }
        columnSumsKernel(out);
    }

    /**
     * {@code out = f(this)}, element by element; {@code out} may be this matrix.
     *
     * @param f the function, applied in double precision
     * @param out a writable matrix of the same shape and precision
     */
    public final void map(DoubleUnaryOperator f, Matrix out) {
        Checks.notNull(f, "f");
        checkSameShape(out, this, "map");
        mapKernel(f, out);
    }

    /**
     * {@code out = g ⊙ f'(z, a)}, element by element: the backward step of an element-wise activation,
     * {@code ∂C/∂z = ∂C/∂a ⊙ σ'(z)}. {@code out} may be {@code g}.
     *
     * @param z the weighted sums
     * @param a the activations {@code σ(z)}
     * @param g the upstream gradient {@code ∂C/∂a}
     * @param derivative {@code σ'} as a function of {@code (z, a)}
     * @param out a writable matrix of the same shape and precision
     */
    public static void mapBackward(Matrix z, Matrix a, Matrix g, DoubleBinaryOperator derivative, Matrix out) {
        Checks.notNull(derivative, "derivative");
        checkSameShape(out, z, "mapBackward");
        checkSameShape(out, a, "mapBackward");
        checkSameShape(out, g, "mapBackward");
        out.mapBackwardKernel(z, a, g, derivative);
    }

    /**
     * {@code out[r] = softmax(this[r])} for every row, computed stably as
     * {@code exp(x − max) / Σ exp(x − max)}; {@code out} may be this matrix.
     *
     * @param out a writable matrix of the same shape and precision
     */
    public final void softmaxRows(Matrix out) {
        checkSameShape(out, this, "softmaxRows");
        softmaxRowsKernel(out);
    }

    /**
     * The backward step of a row-wise softmax: {@code out[r] = a[r] ⊙ (g[r] − (g[r]·a[r]))}, which is
     * {@code ∂C/∂z} for {@code a = softmax(z)} and upstream gradient {@code g = ∂C/∂a}.
     *
     * @param a the softmax outputs
     * @param g the upstream gradient
     * @param out a writable matrix of the same shape and precision; may be {@code g}
     */
    public static void softmaxBackward(Matrix a, Matrix g, Matrix out) {
        checkSameShape(out, a, "softmaxBackward");
        checkSameShape(out, g, "softmaxBackward");
        out.softmaxBackwardKernel(a, g);
    }

    /**
     * {@code this += alpha · x}, element by element: the shape of every gradient-descent update.
     *
     * @param alpha the factor
     * @param x a matrix of the same shape and precision
     */
    public final void addScaled(double alpha, Matrix x) {
        checkWritable("this matrix");
        checkSameShape(this, x, "addScaled");
        addScaledKernel(alpha, x);
    }

    /**
     * {@code this = alpha · this}.
     *
     * @param alpha the factor
     */
    public final void scale(double alpha) {
        checkWritable("this matrix");
        scaleKernel(alpha);
    }

    /**
     * Copies every element of {@code source} into this matrix.
     *
     * @param source a matrix of the same shape and precision
     */
    public final void copyFrom(Matrix source) {
        checkWritable("this matrix");
        checkSameShape(this, source, "copyFrom");
        copyFromKernel(source);
    }

    /**
     * Copies the elements, row-major, into {@code out[offset .. offset + rows·cols)}, e.g. to send several
     * matrices as one message.
     *
     * @param out the destination
     * @param offset where the first element goes
     * @throws IndexOutOfBoundsException if the elements do not fit in {@code out} from {@code offset}
     */
    public final void copyTo(double[] out, int offset) {
        Checks.notNull(out, "out");
        checkFlatRange(out.length, offset, "out");
        if (this instanceof DoubleMatrix d) {
            System.arraycopy(d.data, 0, out, offset, rows * cols);
        } else {
            for (int i = 0; i < rows * cols; i++) {
                out[offset + i] = getAt(i);
            }
        }
    }

    /**
     * Copies the elements, row-major, into {@code out[offset .. offset + rows·cols)}, rounded to float where this
     * matrix holds doubles.
     *
     * @param out the destination
     * @param offset where the first element goes
     * @throws IndexOutOfBoundsException if the elements do not fit in {@code out} from {@code offset}
     */
    public final void copyTo(float[] out, int offset) {
        Checks.notNull(out, "out");
        checkFlatRange(out.length, offset, "out");
        if (this instanceof FloatMatrix f) {
            System.arraycopy(f.data, 0, out, offset, rows * cols);
        } else {
            for (int i = 0; i < rows * cols; i++) {
                out[offset + i] = (float) getAt(i);
            }
        }
    }

    /**
     * Sets the elements, row-major, from {@code in[offset .. offset + rows·cols)}: the inverse of
     * {@link #copyTo(double[], int)}.
     *
     * @param in the source
     * @param offset where the first element is
     * @throws IndexOutOfBoundsException if {@code in} holds fewer elements from {@code offset}
     * @throws IllegalStateException if this matrix is read-only
     */
    public final void copyFrom(double[] in, int offset) {
        checkWritable("this matrix");
        Checks.notNull(in, "in");
        checkFlatRange(in.length, offset, "in");
        if (this instanceof DoubleMatrix d) {
            System.arraycopy(in, offset, d.data, 0, rows * cols);
        } else {
            for (int i = 0; i < rows * cols; i++) {
                setAt(i, in[offset + i]);
            }
        }
    }

    /**
     * Sets the elements, row-major, from {@code in[offset .. offset + rows·cols)}: the inverse of
     * {@link #copyTo(float[], int)}.
     *
     * @param in the source
     * @param offset where the first element is
     * @throws IndexOutOfBoundsException if {@code in} holds fewer elements from {@code offset}
     * @throws IllegalStateException if this matrix is read-only
     */
    public final void copyFrom(float[] in, int offset) {
        checkWritable("this matrix");
        Checks.notNull(in, "in");
        checkFlatRange(in.length, offset, "in");
        if (this instanceof FloatMatrix f) {
            System.arraycopy(in, offset, f.data, 0, rows * cols);
        } else {
            for (int i = 0; i < rows * cols; i++) {
                setAt(i, in[offset + i]);
            }
        }
    }

    private void checkFlatRange(int length, int offset, String name) {
        if (offset < 0 || (long) offset + (long) rows * cols > length) {
            throw new IndexOutOfBoundsException(name + ": a " + shape() + " matrix needs " + (long) rows * cols
                    + " elements from offset " + offset + ", but the array holds " + length);
        }
    }

    /**
     * Sets every element to {@code value}.
     *
     * @param value the value
     */
    public final void fill(double value) {
        checkWritable("this matrix");
        fillKernel(value);
    }

    /**
     * {@code out = f(x, y)}, element by element; {@code out} may be {@code x} or {@code y}.
     *
     * @param x the first operand
     * @param y the second operand, of the same shape
     * @param f the function, applied in double precision
     * @param out a writable matrix of the same shape and precision
     */
    public static void zip(Matrix x, Matrix y, DoubleBinaryOperator f, Matrix out) {
        Checks.notNull(f, "f");
        checkSameShape(out, x, "zip");
        checkSameShape(out, y, "zip");
        out.zipKernel(x, y, f);
    }

    /**
     * {@code Σᵢⱼ xᵢⱼ·yᵢⱼ}, accumulated in double in row-major order.
     *
     * @param x the first operand
     * @param y the second operand, of the same shape and precision
     * @return the sum of the element-wise products
     */
    public static double dot(Matrix x, Matrix y) {
        Checks.notNull(x, "x");
        Checks.notNull(y, "y");
        if (x.rows != y.rows || x.cols != y.cols || x.precision() != y.precision()) {
            throw new IllegalArgumentException("dot: operands differ, " + x + " and " + y);
        }
        return x.dotKernel(y);
    }

    /**
     * {@code out[r][0] = Σ_c this[r][c]}: one sum per sample.
     *
     * @param out {@code [rows × 1]}, writable
     */
    public final void rowSums(Matrix out) {
        checkColumnOutput(out, "rowSums");
        rowSumsKernel(out);
    }

    /**
     * {@code out[r][0] = log Σ_c exp(this[r][c])}, computed stably by subtracting the row's maximum.
     *
     * @param out {@code [rows × 1]}, writable
     */
    public final void logSumExpRows(Matrix out) {
        checkColumnOutput(out, "logSumExpRows");
        logSumExpRowsKernel(out);
    }

    /**
     * {@code this[r][c] *= v[r][0]}: scales each sample's row by its own factor.
     *
     * @param v {@code [rows × 1]}
     */
    public final void multiplyRows(Matrix v) {
        checkWritable("this matrix");
        checkOutput(this, v, v);
        if (v.rows != rows || v.cols != 1) {
            throw new IllegalArgumentException("multiplyRows: v is " + v.shape() + " but must be " + rows + " × 1");
        }
        multiplyRowsKernel(v);
    }

    private void checkColumnOutput(Matrix out, String what) {
        checkOutput(out, this, this);
        if (out.rows != rows || out.cols != 1) {
            throw new IllegalArgumentException(what + ": out is " + out.shape() + " but must be " + rows + " × 1");
        }
    }

    /**
     * {@code Σ_r Σ_c y[r][c]·(log Σ_j e^{z[r][j]} − z[r][c])}: the summed softmax cross-entropy of a batch,
     * computed from the weighted sums with a stable log-sum-exp, in double, without temporaries.
     *
     * @param z the weighted sums (logits), {@code [batch × classes]}
     * @param y the targets, the same shape and precision
     * @return the sum over samples (divide by the batch size for the mean)
     */
    public static double softmaxCrossEntropy(Matrix z, Matrix y) {
        Checks.notNull(z, "z");
        Checks.notNull(y, "y");
        if (z.rows != y.rows || z.cols != y.cols || z.precision() != y.precision()) {
            throw new IllegalArgumentException("softmaxCrossEntropy: operands differ, " + z + " and " + y);
        }
        return z.softmaxCrossEntropyKernel(y);
    }

    /**
     * {@code out[r] = (a[r]·Σ_c y[r][c] − y[r])·scale}: the fused error signal of softmax with cross-entropy,
     * without temporaries.
     *
     * @param a the softmax outputs, {@code [batch × classes]}
     * @param y the targets, the same shape
     * @param scale the factor, e.g. {@code 1/batch}
     * @param out a writable matrix of the same shape and precision
     */
    public static void softmaxCrossEntropyErrorSignal(Matrix a, Matrix y, double scale, Matrix out) {
        checkSameShape(out, a, "softmaxCrossEntropyErrorSignal");
        checkSameShape(out, y, "softmaxCrossEntropyErrorSignal");
        out.softmaxCrossEntropyErrorSignalKernel(a, y, scale);
    }

    /**
     * Adds a row vector to every row and applies ReLU, in one pass: {@code this[r] += v}, then
     * {@code out = relu(this)}. The same bits as {@link #addRowVector} followed by {@link #relu}; used by the
     * built-in ReLU to add a layer's biases and activate in one go.
     *
     * @param v {@code [1 × cols]}, the same precision
     * @param out a writable matrix of this shape and precision; may be this matrix
     * @throws IllegalArgumentException if v or out does not fit
     * @throws IllegalStateException if this matrix or out is read-only
     */
    public final void addRowVectorRelu(Matrix v, Matrix out) {
        checkWritable("this matrix");
        checkOutput(this, v, v);
        if (v.rows != 1 || v.cols != cols) {
            throw new IllegalArgumentException("addRowVectorRelu: v is " + v.shape() + " but must be 1 × " + cols
                    + " for a " + shape() + " matrix");
        }
        checkSameShape(out, this, "addRowVectorRelu");
        addRowVectorReluKernel(v, out);
    }

    /**
     * {@code out = relu(this)}: {@code out[i] = x[i] > 0 ? x[i] : 0}, element by element (as the ReLU activation,
     * without a function call per element); {@code out} may be this matrix.
     *
     * @param out a writable matrix of the same shape and precision
     */
    public final void relu(Matrix out) {
        checkSameShape(out, this, "relu");
        reluKernel(out);
    }

    /**
     * The backward step of ReLU: {@code out[i] = z[i] > 0 ? g[i] : 0·g[i]}, which is {@code g ⊙ relu'(z)}
     * to the bit; {@code out} may be {@code g}.
     *
     * @param z the weighted sums
     * @param g the upstream gradient {@code ∂C/∂a}
     * @param out a writable matrix of the same shape and precision
     */
    public static void reluBackward(Matrix z, Matrix g, Matrix out) {
        checkSameShape(out, z, "reluBackward");
        checkSameShape(out, g, "reluBackward");
        out.reluBackwardKernel(z, g);
    }

    abstract void reluKernel(Matrix out);

    abstract void addRowVectorReluKernel(Matrix v, Matrix out);

    abstract void reluBackwardKernel(Matrix z, Matrix g);

    abstract double softmaxCrossEntropyKernel(Matrix y);

    abstract void softmaxCrossEntropyErrorSignalKernel(Matrix a, Matrix y, double scale);

    abstract void zipKernel(Matrix x, Matrix y, DoubleBinaryOperator f);

    abstract double dotKernel(Matrix y);

    abstract void rowSumsKernel(Matrix out);

    abstract void logSumExpRowsKernel(Matrix out);

    abstract void multiplyRowsKernel(Matrix v);

    abstract void gemmNT(Matrix a, Matrix b);

    abstract void gemmTN(Matrix a, Matrix b);

    abstract void gemmNN(Matrix a, Matrix b);

    abstract void addRowVectorKernel(Matrix v);

    abstract void columnSumsKernel(Matrix out);

    abstract void mapKernel(DoubleUnaryOperator f, Matrix out);

    abstract void mapBackwardKernel(Matrix z, Matrix a, Matrix g, DoubleBinaryOperator derivative);

    abstract void softmaxRowsKernel(Matrix out);

    abstract void softmaxBackwardKernel(Matrix a, Matrix g);

    abstract void addScaledKernel(double alpha, Matrix x);

    abstract void scaleKernel(double alpha);

    abstract void copyFromKernel(Matrix source);

    abstract void fillKernel(double value);

    abstract boolean sharesStorage(Matrix other);

    // ------------------------------------------------------------------ normalization and embeddings

    /**
     * Layer normalization's statistics and normalized values, per sample (row): {@code μᵣ = Σ_c x[r][c]/cols},
     * {@code σ²ᵣ = Σ_c (x[r][c] − μᵣ)²/cols} (biased), {@code x̂[r][c] = (x[r][c] − μᵣ)/√(σ²ᵣ + ε)}.
     *
     * @param x {@code [rows × cols]}
     * @param eps {@code ε}, finite and &gt; 0
     * @param xhat {@code [rows × cols]}, writable
     * @param mean {@code [rows × 1]}, writable: {@code μ}
     * @param var {@code [rows × 1]}, writable: {@code σ²}
     */
    public static void normalizeRows(Matrix x, double eps, Matrix xhat, Matrix mean, Matrix var) {
        checkNormalization(x, xhat, mean, var, x.rows, 1, "normalizeRows");
        if (x instanceof DoubleMatrix d) {
            NormKernels.normalize(d.data, dd(xhat), dd(mean), dd(var), x.rows, x.cols, x.cols, 1, eps);
        } else {
            NormKernels.normalize(ff(x), ff(xhat), ff(mean), ff(var), x.rows, x.cols, x.cols, 1, eps);
        }
    }

    /**
     * Batch normalization's statistics and normalized values, per feature (column), over the samples:
     * {@code μ_c = Σ_r x[r][c]/rows}, {@code σ²_c = Σ_r (x[r][c] − μ_c)²/rows} (biased),
     * {@code x̂[r][c] = (x[r][c] − μ_c)/√(σ²_c + ε)}.
     *
     * @param x {@code [rows × cols]}
     * @param eps {@code ε}, finite and &gt; 0
     * @param xhat {@code [rows × cols]}, writable
     * @param mean {@code [1 × cols]}, writable: {@code μ}
     * @param var {@code [1 × cols]}, writable: {@code σ²}
     */
    public static void normalizeColumns(Matrix x, double eps, Matrix xhat, Matrix mean, Matrix var) {
        checkNormalization(x, xhat, mean, var, 1, x.cols, "normalizeColumns");
        if (x instanceof DoubleMatrix d) {
            NormKernels.normalize(d.data, dd(xhat), dd(mean), dd(var), x.cols, x.rows, 1, x.cols, eps);
        } else {
            NormKernels.normalize(ff(x), ff(xhat), ff(mean), ff(var), x.cols, x.rows, 1, x.cols, eps);
        }
    }

    /**
     * Normalizes each feature (column) with given statistics, {@code x̂[r][c] = (x[r][c] − μ_c)/√(σ²_c + ε)}.
     *
     * @param x {@code [rows × cols]}
     * @param mean {@code [1 × cols]}
     * @param var {@code [1 × cols]}
     * @param eps {@code ε}, finite and &gt; 0
     * @param xhat {@code [rows × cols]}, writable
     */
    public static void normalizeColumnsWith(Matrix x, Matrix mean, Matrix var, double eps, Matrix xhat) {
        checkNormalization(x, xhat, mean, var, 1, x.cols, "normalizeColumnsWith");
        if (x instanceof DoubleMatrix d) {
            NormKernels.normalizeColumnsWith(d.data, dd(mean), dd(var), eps, dd(xhat), x.rows, x.cols);
        } else {
            NormKernels.normalizeColumnsWith(ff(x), ff(mean), ff(var), eps, ff(xhat), x.rows, x.cols);
        }
    }

    /**
     * The gradient through {@link #normalizeRows}: per row,
     * {@code ∂C/∂x = (∂C/∂x̂ − mean(∂C/∂x̂) − x̂·mean(∂C/∂x̂ ⊙ x̂)) / √(σ² + ε)}.
     *
     * @param dxhat {@code ∂C/∂x̂}, {@code [rows × cols]}
     * @param xhat {@code x̂}, {@code [rows × cols]}
     * @param var {@code [rows × 1]}, as {@link #normalizeRows} wrote it
     * @param eps {@code ε}
     * @param dx {@code [rows × cols]}, writable; may be {@code dxhat}
     */
    public static void normalizeRowsBackward(Matrix dxhat, Matrix xhat, Matrix var, double eps, Matrix dx) {
        checkNormalization(xhat, dx, var, var, xhat.rows, 1, "normalizeRowsBackward");
        checkSameShape(dx, dxhat, "normalizeRowsBackward");
        if (dx instanceof DoubleMatrix d) {
            NormKernels.normalizeBackward(dd(dxhat), dd(xhat), dd(var), d.data, xhat.rows, xhat.cols, xhat.cols, 1,
                    eps);
        } else {
            NormKernels.normalizeBackward(ff(dxhat), ff(xhat), ff(var), ff(dx), xhat.rows, xhat.cols, xhat.cols, 1,
                    eps);
        }
    }

    /**
     * The gradient through {@link #normalizeColumns}: per column,
     * {@code ∂C/∂x = (∂C/∂x̂ − mean(∂C/∂x̂) − x̂·mean(∂C/∂x̂ ⊙ x̂)) / √(σ² + ε)}, the means over the samples.
     *
     * @param dxhat {@code ∂C/∂x̂}, {@code [rows × cols]}
     * @param xhat {@code x̂}, {@code [rows × cols]}
     * @param var {@code [1 × cols]}, as {@link #normalizeColumns} wrote it
     * @param eps {@code ε}
     * @param dx {@code [rows × cols]}, writable; may be {@code dxhat}
     */
    public static void normalizeColumnsBackward(Matrix dxhat, Matrix xhat, Matrix var, double eps, Matrix dx) {
        checkNormalization(xhat, dx, var, var, 1, xhat.cols, "normalizeColumnsBackward");
        checkSameShape(dx, dxhat, "normalizeColumnsBackward");
        if (dx instanceof DoubleMatrix d) {
            NormKernels.normalizeBackward(dd(dxhat), dd(xhat), dd(var), d.data, xhat.cols, xhat.rows, 1, xhat.cols,
                    eps);
        } else {
            NormKernels.normalizeBackward(ff(dxhat), ff(xhat), ff(var), ff(dx), xhat.cols, xhat.rows, 1, xhat.cols,
                    eps);
        }
    }

    /**
     * The gradient through {@link #normalizeColumnsWith}: {@code ∂C/∂x[r][c] = ∂C/∂x̂[r][c]/√(σ²_c + ε)}.
     *
     * @param dxhat {@code [rows × cols]}
     * @param var {@code [1 × cols]}
     * @param eps {@code ε}
     * @param dx {@code [rows × cols]}, writable; may be {@code dxhat}
     */
    public static void normalizeColumnsWithBackward(Matrix dxhat, Matrix var, double eps, Matrix dx) {
        checkNormalization(dxhat, dx, var, var, 1, dxhat.cols, "normalizeColumnsWithBackward");
        if (dx instanceof DoubleMatrix d) {
            NormKernels.normalizeColumnsWithBackward(dd(dxhat), dd(var), eps, d.data, dx.rows, dx.cols);
        } else {
            NormKernels.normalizeColumnsWithBackward(ff(dxhat), ff(var), eps, ff(dx), dx.rows, dx.cols);
        }
    }

    /**
     * A per-feature scale and shift, {@code out[r][c] = x[r][c]·γ_c + β_c}.
     *
     * @param x {@code [rows × cols]}
     * @param gamma {@code [1 × cols]}
     * @param beta {@code [1 × cols]}
     * @param out {@code [rows × cols]}, writable; may be {@code x}
     */
    public static void scaleShift(Matrix x, Matrix gamma, Matrix beta, Matrix out) {
        checkNormalization(x, out, gamma, beta, 1, x.cols, "scaleShift");
        if (x instanceof DoubleMatrix d) {
            NormKernels.scaleShift(d.data, dd(gamma), dd(beta), dd(out), x.rows, x.cols);
        } else {
            NormKernels.scaleShift(ff(x), ff(gamma), ff(beta), ff(out), x.rows, x.cols);
        }
    }

    /**
     * Scales each column by its own factor, {@code out[r][c] = x[r][c]·v_c}.
     *
     * @param x {@code [rows × cols]}
     * @param v {@code [1 × cols]}
     * @param out {@code [rows × cols]}, writable; may be {@code x}
     */
    public static void multiplyColumns(Matrix x, Matrix v, Matrix out) {
        checkNormalization(x, out, v, v, 1, x.cols, "multiplyColumns");
        if (x instanceof DoubleMatrix d) {
            NormKernels.multiplyColumns(d.data, dd(v), dd(out), x.rows, x.cols);
        } else {
            NormKernels.multiplyColumns(ff(x), ff(v), ff(out), x.rows, x.cols);
        }
    }

    /**
     * {@code out_c = Σ_r x[r][c]·y[r][c]}, accumulated in double in order of r.
     *
     * @param x {@code [rows × cols]}
     * @param y {@code [rows × cols]}
     * @param out {@code [1 × cols]}, writable
     */
    public static void columnDots(Matrix x, Matrix y, Matrix out) {
        checkNormalization(x, y, out, out, 1, x.cols, "columnDots");
        if (x instanceof DoubleMatrix d) {
            NormKernels.columnDots(d.data, dd(y), dd(out), x.rows, x.cols);
        } else {
            NormKernels.columnDots(ff(x), ff(y), ff(out), x.rows, x.cols);
        }
    }

    /**
     * Checks an operation over {@code x} that writes {@code out} of {@code x}'s shape and reads or writes two
     * statistics of shape {@code statRows × statCols}, all of one precision.
     */
    private static void checkNormalization(Matrix x, Matrix out, Matrix s1, Matrix s2, int statRows, int statCols,
            String what) {
        Checks.notNull(x, "x");
        checkSameShape(out, x, what);
        checkStatistic(x, s1, statRows, statCols, what); // one call each, not a loop over a new array: no garbage
        checkStatistic(x, s2, statRows, statCols, what);
    }

    private static void checkStatistic(Matrix x, Matrix s, int statRows, int statCols, String what) {
        Checks.notNull(s, "statistics");
        if (s.precision() != x.precision()) {
            throw new IllegalArgumentException(what + ": precision mismatch, " + s + " and " + x);
        }
        if (s.rows != statRows || s.cols != statCols) {
            throw new IllegalArgumentException(what + ": a statistic is " + s.shape() + " but must be " + statRows
                    + " × " + statCols + " for " + x.shape());
        }
    }

    /**
     * Checks the categorical columns of a batch: {@code x[r][numeric + k]} must be a whole number in
     * {@code 0..cardinalities[k]−1} for every sample {@code r} and category column {@code k}.
     *
     * @param x {@code [rows × (numeric + tables)]}
     * @param numeric the number of numeric columns before the categorical ones
     * @param cardinalities the number of categories of each categorical column
     * @param name the argument's name, for messages
     * @throws IllegalArgumentException naming the sample, the column, its value and the valid indices
     */
    public static void requireCategoryIndices(Matrix x, int numeric, int[] cardinalities, String name) {
        Checks.notNull(x, name);
        if (x.cols != numeric + cardinalities.length) { // the messages only on a mismatch: no strings per batch
            Checks.sameSize(x.cols, numeric + cardinalities.length, name + ": the number of columns",
                    numeric + " numeric + " + cardinalities.length + " categorical columns");
        }
        for (int r = 0; r < x.rows; r++) {
            for (int k = 0; k < cardinalities.length; k++) {
                double v = x.get(r, numeric + k);
                if (!(v >= 0 && v < cardinalities[k] && v == Math.rint(v))) {
                    throw new IllegalArgumentException(name + ": sample " + r + ", categorical column " + k
                            + " (column " + (numeric + k) + ") holds " + v + ", which is not a category index: "
                            + "its table has " + cardinalities[k] + " categories, indices 0.." + (cardinalities[k] - 1));
                }
            }
        }
    }

    /**
     * An embedding lookup: row {@code r} of {@code out} is {@code x[r][0..numeric)} followed by, for each
     * categorical column {@code k}, row {@code x[r][numeric + k]} of {@code tables.get(k)}. The indices must have
     * been checked with {@link #requireCategoryIndices}.
     *
     * @param x {@code [rows × (numeric + tables)]}
     * @param numeric the number of numeric columns
     * @param tables one {@code [cardinality × dim]} table per categorical column, in column order
     * @param out {@code [rows × (numeric + Σ dim)]}, writable
     */
    public static void embed(Matrix x, int numeric, java.util.List<Matrix> tables, Matrix out) {
        checkEmbedding(x, numeric, tables, out, "embed");
        out.checkWritable("out");
        for (int r = 0; r < x.rows; r++) {
            for (int c = 0; c < numeric; c++) {
                out.setAt(r * out.cols + c, x.getAt(r * x.cols + c));
            }
            int at = numeric;
            for (int k = 0; k < tables.size(); k++) {
                Matrix table = tables.get(k);
                int row = (int) x.getAt(r * x.cols + numeric + k);
                for (int d = 0; d < table.cols; d++) {
                    out.setAt(r * out.cols + at + d, table.getAt(row * table.cols + d));
                }
                at += table.cols;
            }
        }
    }

    /**
     * The gradients of an embedding lookup: each table's gradient is zeroed, then row {@code c} of table
     * {@code k} receives the sum, in order of the samples, of the slices of {@code delta} of the samples whose
     * category {@code k} is {@code c}; {@code dx}, if given, receives the numeric columns of {@code delta} (its
     * categorical columns get 0: an index has no gradient).
     *
     * @param x {@code [rows × (numeric + tables)]}, the batch whose lookup this was
     * @param numeric the number of numeric columns
     * @param delta {@code ∂C/∂out}, {@code [rows × (numeric + Σ dim)]}
     * @param tableGradients one writable {@code [cardinality × dim]} matrix per table
     * @param dx {@code [rows × (numeric + tables)]}, writable, or {@code null}
     */
    public static void embedBackward(Matrix x, int numeric, Matrix delta, java.util.List<Matrix> tableGradients,
            Matrix dx) {
        checkEmbedding(x, numeric, tableGradients, delta, "embedBackward");
        for (int k = 0; k < tableGradients.size(); k++) {
            tableGradients.get(k).fill(0); // checks that it is writable
        }
        for (int r = 0; r < x.rows; r++) {
            int at = numeric;
            for (int k = 0; k < tableGradients.size(); k++) {
                Matrix g = tableGradients.get(k);
                int row = (int) x.getAt(r * x.cols + numeric + k);
                for (int d = 0; d < g.cols; d++) {
                    int i = row * g.cols + d;
                    g.setAt(i, g.getAt(i) + delta.getAt(r * delta.cols + at + d));
                }
                at += g.cols;
            }
        }
        if (dx != null) {
            checkSameShape(dx, x, "embedBackward");
            for (int r = 0; r < x.rows; r++) {
                for (int c = 0; c < x.cols; c++) {
                    dx.setAt(r * dx.cols + c, c < numeric ? delta.getAt(r * delta.cols + c) : 0);
                }
            }
        }
    }

    private static void checkEmbedding(Matrix x, int numeric, java.util.List<Matrix> tables, Matrix out,
            String what) {
        Checks.notNull(x, "x");
        Checks.notNull(tables, "tables");
        Checks.notNull(out, "out");
        int width = numeric;
        for (int k = 0; k < tables.size(); k++) { // indexed, not for-each: no iterator per batch
            Matrix t = Checks.notNull(tables.get(k), "table");
            if (t.precision() != out.precision()) {
                throw new IllegalArgumentException(what + ": precision mismatch, " + t + " and " + out);
            }
            width += t.cols;
        }
        if (x.cols != numeric + tables.size() || out.rows != x.rows || out.cols != width) {
            throw new IllegalArgumentException(what + ": x is " + x.shape() + " and out " + out.shape() + ", but "
                    + numeric + " numeric columns and " + tables.size() + " tables need " + (numeric + tables.size())
                    + " and " + width + " columns, equal rows");
        }
    }

    private static double[] dd(Matrix m) {
        return ((DoubleMatrix) m).data;
    }

    private static float[] ff(Matrix m) {
        return ((FloatMatrix) m).data;
    }

    /**
     * {@code out[i − from] = source[rows[i]]} for every position {@code i} in {@code [from, to)}: gathers
     * chosen rows (a mini-batch) into consecutive rows, in one pass. The precisions may differ: a float64 row
     * is rounded to float32 as {@link #rowAsFloat} rounds it, a float32 row widened as {@link #row} widens it.
     *
     * @param source the rows to choose from, {@code [n × cols]}
     * @param rows row numbers of {@code source}, each in {@code 0..n-1}
     * @param from the first position in {@code rows}
     * @param to the end (exclusive) of the positions, {@code from < to ≤ rows.length}
     * @param out {@code [(to − from) × cols]}, writable, sharing no storage with {@code source}
     * @throws IllegalArgumentException if the range, a row number or a shape does not fit, naming the sizes
     */
    public static void gatherRows(Matrix source, int[] rows, int from, int to, Matrix out) {
        Checks.notNull(source, "source");
        Checks.notNull(rows, "rows");
        Checks.notNull(out, "out");
        out.checkWritable("out");
        if (from < 0 || from >= to || to > rows.length) {
            throw new IllegalArgumentException("gatherRows: positions " + from + ".." + to + " must satisfy 0 <= from"
                    + " < to <= " + rows.length + " (the number of row numbers)");
        }
        if (out.rows != to - from || out.cols != source.cols) {
            throw new IllegalArgumentException("gatherRows: out is " + out.shape() + " but must be " + (to - from)
                    + " × " + source.cols + " for " + (to - from) + " rows of a " + source.shape() + " source");
        }
        if (out.sharesStorage(source)) {
            throw new IllegalArgumentException("gatherRows: out must not share storage with the source");
        }
        for (int i = from; i < to; i++) {
            if (rows[i] < 0 || rows[i] >= source.rows) {
                throw new IllegalArgumentException("gatherRows: rows[" + i + "] is " + rows[i] + " but the source has "
                        + source.rows + " rows, numbered 0.." + (source.rows - 1));
            }
        }
        out.gatherRowsKernel(source, rows, from, to);
    }

    abstract void gatherRowsKernel(Matrix source, int[] rows, int from, int to);

    // ------------------------------------------------------------------ optimizer steps

    /**
     * One step of gradient descent with coupled weight decay, in one pass over the arrays:
     * {@code θ ← θ − η·(g + λ·θ)}. The same bits as {@code g' = g + λ·θ} by {@link #addScaled} into a copy,
     * then {@code θ.addScaled(−η, g')}.
     *
     * @param theta the parameter {@code θ}, writable, updated in place
     * @param g the gradient {@code ∂C/∂θ}, the same shape and precision
     * @param eta the learning rate {@code η}
     * @param lambda the weight decay {@code λ}; 0 for none
     * @throws IllegalArgumentException if the shapes or precisions differ
     * @throws IllegalStateException if {@code theta} is read-only
     */
    public static void gradientDescentStep(Matrix theta, Matrix g, double eta, double lambda) {
        checkStep(theta, g, null, null, "gradientDescentStep");
        theta.gradientDescentKernel(g, eta, lambda);
    }

    /**
     * One step of heavy-ball or Nesterov momentum, in one pass: {@code v ← g} on the first step, else
     * {@code v ← μ·v + g}; then {@code θ ← θ − η·v} (heavy ball) or {@code θ ← θ − η·g − η·μ·v} (Nesterov,
     * the two terms subtracted in that order). The same bits as {@link #scale}, {@link #addScaled} and
     * {@link #copyFrom} one after another.
     *
     * @param theta the parameter {@code θ}, writable, updated in place
     * @param g the gradient {@code ∂C/∂θ}, the same shape and precision
     * @param v the velocity, the same shape and precision, writable, updated in place
     * @param eta the learning rate {@code η}
     * @param mu the momentum {@code μ}
     * @param first whether this is the first step, when {@code v} is set to {@code g}
     * @param nesterov whether to take Nesterov's look-ahead step
     * @throws IllegalArgumentException if the shapes or precisions differ or the buffers share storage
     * @throws IllegalStateException if {@code theta} or {@code v} is read-only
     */
    public static void momentumStep(Matrix theta, Matrix g, Matrix v, double eta, double mu, boolean first,
            boolean nesterov) {
        Checks.notNull(v, "v");
        checkStep(theta, g, v, v, "momentumStep");
        theta.momentumKernel(g, v, eta, mu, first, nesterov);
    }

    /**
     * One AdaGrad step, in one pass: {@code s ← s + g²}, then {@code θ ← θ − η·g / (√s + ε)}, element by
     * element, in the matrix's own precision: float arithmetic in a float32 matrix, as {@code torch.optim}
     * computes a float32 parameter.
     *
     * @param theta the parameter {@code θ}, writable, updated in place
     * @param g the gradient {@code ∂C/∂θ}, the same shape and precision
     * @param s the sum of squared gradients, the same shape and precision, writable, updated in place
     * @param eta the learning rate {@code η}
     * @param epsilon {@code ε}
     * @throws IllegalArgumentException if the shapes or precisions differ or the buffers share storage
     * @throws IllegalStateException if {@code theta} or {@code s} is read-only
     */
    public static void adaGradStep(Matrix theta, Matrix g, Matrix s, double eta, double epsilon) {
        Checks.notNull(s, "s");
        checkStep(theta, g, s, s, "adaGradStep");
        theta.adaGradKernel(g, s, eta, epsilon);
    }

    /**
     * One RMSProp step, in one pass: {@code s ← α·s + (1 − α)·g²}, then {@code θ ← θ − η·g / (√s + ε)},
     * element by element, in the matrix's own precision: float arithmetic in a float32 matrix, as
     * {@code torch.optim} computes a float32 parameter.
     *
     * @param theta the parameter {@code θ}, writable, updated in place
     * @param g the gradient {@code ∂C/∂θ}, the same shape and precision
     * @param s the running mean of squared gradients, the same shape and precision, writable, updated
     * @param eta the learning rate {@code η}
     * @param alpha the smoothing constant {@code α}
     * @param epsilon {@code ε}
     * @throws IllegalArgumentException if the shapes or precisions differ or the buffers share storage
     * @throws IllegalStateException if {@code theta} or {@code s} is read-only
     */
    public static void rmsPropStep(Matrix theta, Matrix g, Matrix s, double eta, double alpha, double epsilon) {
        Checks.notNull(s, "s");
        checkStep(theta, g, s, s, "rmsPropStep");
        theta.rmsPropKernel(g, s, eta, alpha, epsilon);
    }

    /**
     * One Adam (or AdamW) step, in one pass: {@code θ ← d·θ}, {@code m ← β1·m + (1 − β1)·g},
     * {@code v ← β2·v + (1 − β2)·g²}, then {@code θ ← θ + k·m / (√v / c₂ + ε)}, element by element, with
     * the bias corrections folded into {@code k = −η / (1 − β1ᵗ)} and {@code c₂ = √(1 − β2ᵗ)}. In the
     * matrix's own precision: a float32 matrix is computed in float arithmetic, as {@code torch.optim} computes
     * a float32 parameter, with the quotient as {@code (k·c₂)·m / (√v + ε·c₂)}, one division per element.
     *
     * @param theta the parameter {@code θ}, writable, updated in place
     * @param g the gradient {@code ∂C/∂θ}, the same shape and precision
     * @param m the first moment, the same shape and precision, writable, updated in place
     * @param v the second moment, the same shape and precision, writable, updated in place
     * @param beta1 {@code β1}
     * @param beta2 {@code β2}
     * @param epsilon {@code ε}
     * @param stepFactor {@code k = −η / (1 − β1ᵗ)}
     * @param sqrtCorrection2 {@code c₂ = √(1 − β2ᵗ)}
     * @param decay {@code d = 1 − η·λ}, AdamW's decoupled decay; 1 for plain Adam (multiplying by one changes
     *     no number)
     * @throws IllegalArgumentException if the shapes or precisions differ or the buffers share storage
     * @throws IllegalStateException if {@code theta}, {@code m} or {@code v} is read-only
     */
    public static void adamStep(Matrix theta, Matrix g, Matrix m, Matrix v, double beta1, double beta2,
            double epsilon, double stepFactor, double sqrtCorrection2, double decay) {
        Checks.notNull(m, "m");
        Checks.notNull(v, "v");
        checkStep(theta, g, m, v, "adamStep");
        theta.adamKernel(g, m, v, beta1, beta2, epsilon, stepFactor, sqrtCorrection2, decay);
    }

    /**
     * {@code out = g + λ·sign(θ)}, element by element, with {@code sign(0) = 0}: the gradient of an L1
     * penalty added; computed in double as {@link #zip} computes it. {@code out} may be {@code g}.
     *
     * @param g the gradient
     * @param lambda {@code λ}
     * @param theta the parameter, the same shape and precision
     * @param out a writable matrix of the same shape and precision
     * @throws IllegalArgumentException if the shapes or precisions differ
     */
    public static void addScaledSign(Matrix g, double lambda, Matrix theta, Matrix out) {
        checkSameShape(out, g, "addScaledSign");
        checkSameShape(out, theta, "addScaledSign");
        out.addScaledSignKernel(g, lambda, theta);
    }

    /**
     * {@code out = min(max(this, lo), hi)}, element by element, computed in double as {@link #map} computes
     * it; {@code out} may be this matrix.
     *
     * @param lo the lower bound
     * @param hi the upper bound, &ge; {@code lo}
     * @param out a writable matrix of the same shape and precision
     * @throws IllegalArgumentException if the shapes or precisions differ, or {@code lo > hi}
     */
    public final void clamp(double lo, double hi, Matrix out) {
        checkSameShape(out, this, "clamp");
        if (!(lo <= hi)) {
            throw new IllegalArgumentException("clamp: lo must be at most hi, but lo is " + lo + " and hi is " + hi);
        }
        out.clampKernel(this, lo, hi);
    }

    /**
     * The checks of an optimizer step: θ writable, the gradient and the state buffers {@code s1}, {@code s2}
     * (the same matrix when there is one, {@code null} when there is none) of θ's shape and precision, the
     * buffers writable and apart from θ, the gradient and each other.
     */
    private static void checkStep(Matrix theta, Matrix g, Matrix s1, Matrix s2, String what) {
        Checks.notNull(theta, "theta");
        Checks.notNull(g, "gradient");
        theta.checkWritable("theta");
        checkLike(theta, g, "the gradient", what);
        for (int k = 0; k < 2; k++) {
            Matrix s = k == 0 ? s1 : s2;
            if (s == null) {
                continue;
            }
            s.checkWritable("the state buffer");
            checkLike(theta, s, "a state buffer", what);
            if (s.sharesStorage(theta) || s.sharesStorage(g) || (k == 1 && s1 != s2 && s.sharesStorage(s1))) {
                throw new IllegalArgumentException(what + ": the state buffers must not share storage with theta, "
                        + "the gradient or each other");
            }
        }
    }

    private static void checkLike(Matrix theta, Matrix x, String name, String what) {
        if (x.rows != theta.rows || x.cols != theta.cols || x.precision() != theta.precision()) {
            throw new IllegalArgumentException(what + ": theta is " + theta + " but " + name + " is " + x
                    + "; every operand must have theta's shape and precision");
        }
    }

    abstract void gradientDescentKernel(Matrix g, double eta, double lambda);

    abstract void momentumKernel(Matrix g, Matrix v, double eta, double mu, boolean first, boolean nesterov);

    abstract void adaGradKernel(Matrix g, Matrix s, double eta, double epsilon);

    abstract void rmsPropKernel(Matrix g, Matrix s, double eta, double alpha, double epsilon);

    abstract void adamKernel(Matrix g, Matrix m, Matrix v, double beta1, double beta2, double epsilon,
            double stepFactor, double sqrtCorrection2, double decay);

    abstract void addScaledSignKernel(Matrix g, double lambda, Matrix theta);

    abstract void clampKernel(Matrix x, double lo, double hi);

    // ------------------------------------------------------------------ checks

    private static void checkOutput(Matrix out, Matrix x, Matrix y) {
        Checks.notNull(out, "out");
        Checks.notNull(x, "operand");
        Checks.notNull(y, "operand");
        out.checkWritable("out");
        if (x.precision() != out.precision() || y.precision() != out.precision()) {
            throw new IllegalArgumentException("precision mismatch: out is " + out.precision() + ", operands are "
                    + x.precision() + " and " + y.precision());
        }
    }

    private static void checkSameShape(Matrix out, Matrix x, String what) {
        checkOutput(out, x, x);
        if (out.rows != x.rows || out.cols != x.cols) {
            throw new IllegalArgumentException(what + ": shapes differ, " + out.shape() + " and " + x.shape());
        }
    }

    final void checkWritable(String name) {
        if (readOnly) {
            throw new IllegalStateException(name + " is a read-only view and cannot be written");
        }
    }

    /**
     * Returns the shape as text, e.g. {@code "3 × 4"}.
     *
     * @return rows × cols
     */
    public final String shape() {
        return rows + " × " + cols;
    }

    /**
     * Two matrices are equal when they have the same precision, shape and bit-identical elements
     * (as {@link java.util.Arrays#equals(double[], double[])} compares them); read-only views equal
     * the matrix they view.
     */
    @Override
    public abstract boolean equals(Object other);

    @Override
    public abstract int hashCode();

    /** Returns the precision and shape, e.g. {@code "Matrix[FLOAT64, 3 × 4]"}; never the numbers. */
    @Override
    public final String toString() {
        return "Matrix[" + precision() + ", " + shape() + "]";
    }
}
