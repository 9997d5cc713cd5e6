package io.github.backprop4j.math;

import io.github.backprop4j.math.kernel.DoubleKernels;
import io.github.backprop4j.math.kernel.GatherKernels;
import io.github.backprop4j.math.kernel.OptimizerKernels;
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
    void gatherRowsKernel(Matrix source, int[] rows, int from, int to) {
        if (source instanceof FloatMatrix f) {
            GatherKernels.gatherRows(f.data, cols, rows, from, to, data);
        } else {
            GatherKernels.gatherRows(((DoubleMatrix) source).data, cols, rows, from, to, data);
        }
    }

    @Override
    void gradientDescentKernel(Matrix g, double eta, double lambda) {
        OptimizerKernels.gradientDescent(data, d(g), eta, lambda);
    }

    @Override
    void momentumKernel(Matrix g, Matrix v, double eta, double mu, boolean first, boolean nesterov) {
        if (nesterov) {
            OptimizerKernels.nesterov(data, d(g), d(v), eta, mu, first);
        } else {
            OptimizerKernels.momentum(data, d(g), d(v), eta, mu, first);
        }
    }

    @Override
    void adaGradKernel(Matrix g, Matrix s, double eta, double epsilon) {
        OptimizerKernels.adaGrad(data, d(g), d(s), eta, epsilon);
    }

    @Override
    void rmsPropKernel(Matrix g, Matrix s, double eta, double alpha, double epsilon) {
        OptimizerKernels.rmsProp(data, d(g), d(s), eta, alpha, epsilon);
    }

    @Override
    void adamKernel(Matrix g, Matrix m, Matrix v, double beta1, double beta2, double epsilon, double stepFactor,
            double sqrtCorrection2, double decay) {
        OptimizerKernels.adam(data, d(g), d(m), d(v), beta1, beta2, epsilon, stepFactor, sqrtCorrection2,
                decay);
    }

    @Override
    void addScaledSignKernel(Matrix g, double lambda, Matrix theta) {
        OptimizerKernels.addScaledSign(d(g), lambda, d(theta), data);
    }

    @Override
    void clampKernel(Matrix x, double lo, double hi) {
        OptimizerKernels.clamp(d(x), lo, hi, data);
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
