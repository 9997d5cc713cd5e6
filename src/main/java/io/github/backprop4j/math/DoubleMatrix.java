package io.github.backprop4j.math;

import io.github.backprop4j.math.kernel.DoubleKernels;
import io.github.backprop4j.math.kernel.ScalarDoubleGemm;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** A {@link Matrix} of doubles, row-major in one array; every operation goes to {@link DoubleKernels},
 * except the multiplies and the hot element-wise passes, which go to the {@link Engine}'s fast kernels. */
final class DoubleMatrix extends Matrix {

    final double[] data;
    /**
     * Whether nothing can write {@link #data}: made by {@link #immutableCopy()}, which owns a fresh copy, or by
     * {@link #freeze()}, set once before the matrix is shared.
     */
    boolean frozen;
    /**
     * {@code data} transposed into one array per column, for products of a few rows on the scalar path; made on
     * first need, only for a frozen matrix. Two threads may both make it: the copies are equal.
     */
    private volatile double[][] transposedRows;

    DoubleMatrix(int rows, int cols, double[] data, boolean readOnly) {
        this(rows, cols, data, readOnly, false);
    }

    private DoubleMatrix(int rows, int cols, double[] data, boolean readOnly, boolean frozen) {
        super(rows, cols, readOnly);
        this.data = data;
        this.frozen = frozen;
    }

    /** The transposed copy of a frozen matrix, {@code cols} arrays of {@code rows}, made once. */
    double[][] transposedRows() {
        double[][] t = transposedRows;
        if (t == null) {
            t = ScalarDoubleGemm.transposeToRows(data, rows, cols);
            transposedRows = t;
        }
        return t;
    }

    private static double[] d(Matrix m) {
        return ((DoubleMatrix) m).data;
    }

    @Override
    public Precision precision() {
        return Precision.FLOAT64;
    }

    @Override
    double getAt(int index) {
        return data[index];
    }

    @Override
    void setAt(int index, double value) {
        data[index] = value;
    }

    @Override
    void setRow(int row, double[] values) {
        System.arraycopy(values, 0, data, row * cols, cols);
    }

    @Override
    public Matrix copy() {
        return new DoubleMatrix(rows, cols, data.clone(), false);
    }

    @Override
    public Matrix readOnlyView() {
        return readOnly ? this : new DoubleMatrix(rows, cols, data, true);
    }

    @Override
    public Matrix immutableCopy() {
        return frozen ? this : new DoubleMatrix(rows, cols, data.clone(), true, true);
    }

    @Override
    public Matrix freeze() {
        if (frozen) {
            return this;
        }
        if (readOnly) {
            return immutableCopy(); // a view: its owner may still write the data
        }
        readOnly = true;
        frozen = true;
        return this;
    }

    @Override
    public Matrix toPrecision(Precision precision) {
        if (precision == Precision.FLOAT64) {
            return copy();
        }
        float[] f = new float[data.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) data[i];
        }
        return new FloatMatrix(rows, cols, f, false);
    }

    @Override
    public double[] row(int row) {
        checkRow(row);
        return Arrays.copyOfRange(data, row * cols, (row + 1) * cols);
    }

    @Override
    public float[] rowAsFloat(int row) {
        checkRow(row);
        float[] out = new float[cols];
        for (int c = 0; c < cols; c++) {
            out[c] = (float) data[row * cols + c];
        }
        return out;
    }

    @Override
    int indexOfNonFinite() {
        return Engine.indexOfNonFinite(data);
    }

    @Override
    public double sum() {
        return DoubleKernels.sum(data);
    }

    @Override
    void gemmNT(Matrix a, Matrix b) {
        Engine.multiplyTransposed(d(a), (DoubleMatrix) b, data, a.rows, a.cols, b.rows);
    }

    @Override
    void gemmTN(Matrix a, Matrix b) {
        Engine.transposedMultiply(d(a), d(b), data, a.rows, a.cols, b.cols);
    }

    @Override
    void gemmNN(Matrix a, Matrix b) {
        Engine.multiply(d(a), d(b), data, a.rows, a.cols, b.cols);
    }

    @Override
    void addRowVectorKernel(Matrix v) {
        DoubleKernels.addRowVector(data, d(v), rows, cols);
    }

    @Override
    void columnSumsKernel(Matrix out) {
        DoubleKernels.columnSums(data, d(out), rows, cols);
    }

    @Override
    void mapKernel(DoubleUnaryOperator f, Matrix out) {
        DoubleKernels.map(data, f, d(out));
    }

    @Override
    void mapBackwardKernel(Matrix z, Matrix a, Matrix g, DoubleBinaryOperator derivative) {
        DoubleKernels.mapBackward(d(z), d(a), d(g), derivative, data);
    }

    @Override
    void softmaxRowsKernel(Matrix out) {
        Engine.softmaxRows(data, d(out), rows, cols);
    }

    @Override
    void softmaxBackwardKernel(Matrix a, Matrix g) {
        DoubleKernels.softmaxBackward(d(a), d(g), data, rows, cols);
    }

    @Override
    void addScaledKernel(double alpha, Matrix x) {
        DoubleKernels.addScaled(alpha, d(x), data);
    }

    @Override
    void scaleKernel(double alpha) {
        DoubleKernels.scale(alpha, data);
    }

    @Override
    void copyFromKernel(Matrix source) {
        System.arraycopy(d(source), 0, data, 0, data.length);
    }

    @Override
    void fillKernel(double value) {
        Arrays.fill(data, value);
    }

    @Override
    void zipKernel(Matrix x, Matrix y, DoubleBinaryOperator f) {
        DoubleKernels.zip(d(x), d(y), f, data);
    }

    @Override
    void reluKernel(Matrix out) {
        Engine.relu(data, d(out));
    }

    @Override
    void addRowVectorReluKernel(Matrix v, Matrix out) {
        Engine.addRowVectorRelu(data, d(v), d(out), rows, cols);
    }

    @Override
    void reluBackwardKernel(Matrix z, Matrix g) {
        Engine.reluBackward(d(z), d(g), data);
    }

    @Override
    double softmaxCrossEntropyKernel(Matrix y) {
        return DoubleKernels.softmaxCrossEntropy(data, d(y), rows, cols);
    }

    @Override
    void softmaxCrossEntropyErrorSignalKernel(Matrix a, Matrix y, double scale) {
        DoubleKernels.softmaxCrossEntropyErrorSignal(d(a), d(y), scale, data, rows, cols);
    }

    @Override
    double dotKernel(Matrix y) {
        return DoubleKernels.dot(data, d(y));
    }

    @Override
    void rowSumsKernel(Matrix out) {
        DoubleKernels.rowSums(data, d(out), rows, cols);
    }

    @Override
    void logSumExpRowsKernel(Matrix out) {
        DoubleKernels.logSumExpRows(data, d(out), rows, cols);
    }

    @Override
    void multiplyRowsKernel(Matrix v) {
        DoubleKernels.multiplyRows(data, d(v), rows, cols);
    }

    @Override
    boolean sharesStorage(Matrix other) {
        return other instanceof DoubleMatrix m && m.data == data;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof DoubleMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }
}
