package io.github.backprop4j.math;

import io.github.backprop4j.math.kernel.FloatKernels;
import io.github.backprop4j.math.kernel.GatherKernels;
import io.github.backprop4j.math.kernel.OptimizerKernels;
import io.github.backprop4j.math.kernel.ScalarFloatGemm;
import java.util.Arrays;
import java.util.function.DoubleBinaryOperator;
import java.util.function.DoubleUnaryOperator;

/** A {@link Matrix} of floats, row-major in one array; every operation goes to {@link FloatKernels},
 * except the multiplies and the hot element-wise passes, which go to the {@link Engine}'s fast kernels. */
final class FloatMatrix extends Matrix {

    final float[] data;
    /**
     * Whether nothing can write {@link #data}: made by {@link #immutableCopy()}, which owns a fresh copy, or by
     * {@link #freeze()}, set once before the matrix is shared.
     */
    boolean frozen;
    /**
     * {@code data} transposed into one array per column, for products of a few rows on the scalar path; made on
     * first need, only for a frozen matrix. Two threads may both make it: the copies are equal.
     */
    private volatile float[][] transposedRows;

    FloatMatrix(int rows, int cols, float[] data, boolean readOnly) {
        this(rows, cols, data, readOnly, false);
    }

    private FloatMatrix(int rows, int cols, float[] data, boolean readOnly, boolean frozen) {
        super(rows, cols, readOnly);
        this.data = data;
        this.frozen = frozen;
    }

    /** The transposed copy of a frozen matrix, {@code cols} arrays of {@code rows}, made once. */
    float[][] transposedRows() {
        float[][] t = transposedRows;
        if (t == null) {
            t = ScalarFloatGemm.transposeToRows(data, rows, cols);
            transposedRows = t;
        }
        return t;
    }

    private static float[] f(Matrix m) {
        return ((FloatMatrix) m).data;
    }

    @Override
    public Precision precision() {
        return Precision.FLOAT32;
    }

    @Override
    double getAt(int index) {
        return data[index];
    }

    @Override
    void setAt(int index, double value) {
        data[index] = (float) value;
    }

    @Override
    void setRow(int row, double[] values) {
        for (int c = 0; c < cols; c++) {
            data[row * cols + c] = (float) values[c];
        }
    }

    @Override
    public Matrix copy() {
        return new FloatMatrix(rows, cols, data.clone(), false);
    }

    @Override
    public Matrix readOnlyView() {
        return readOnly ? this : new FloatMatrix(rows, cols, data, true);
    }

    @Override
    public Matrix immutableCopy() {
        return frozen ? this : new FloatMatrix(rows, cols, data.clone(), true, true);
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
        if (precision == Precision.FLOAT32) {
            return copy();
        }
        double[] wide = new double[data.length];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = data[i];
        }
        return new DoubleMatrix(rows, cols, wide, false);
    }

    @Override
    public double[] row(int row) {
        checkRow(row);
        double[] out = new double[cols];
        for (int c = 0; c < cols; c++) {
            out[c] = data[row * cols + c];
        }
        return out;
    }

    @Override
    public float[] rowAsFloat(int row) {
        checkRow(row);
        return Arrays.copyOfRange(data, row * cols, (row + 1) * cols);
    }

    @Override
    int indexOfNonFinite() {
        return Engine.indexOfNonFinite(data);
    }

    @Override
    public double sum() {
        return FloatKernels.sum(data);
    }

    @Override
    void gemmNT(Matrix a, Matrix b) {
        Engine.multiplyTransposed(f(a), (FloatMatrix) b, data, a.rows, a.cols, b.rows);
    }

    @Override
    void gemmTN(Matrix a, Matrix b) {
        Engine.transposedMultiply(f(a), f(b), data, a.rows, a.cols, b.cols);
    }

    @Override
    void gemmNN(Matrix a, Matrix b) {
        Engine.multiply(f(a), f(b), data, a.rows, a.cols, b.cols);
    }

    @Override
    void addRowVectorKernel(Matrix v) {
        FloatKernels.addRowVector(data, f(v), rows, cols);
    }

    @Override
    void columnSumsKernel(Matrix out) {
        FloatKernels.columnSums(data, f(out), rows, cols);
    }

    @Override
    void mapKernel(DoubleUnaryOperator f, Matrix out) {
        FloatKernels.map(data, f, f(out));
    }

    @Override
    void mapBackwardKernel(Matrix z, Matrix a, Matrix g, DoubleBinaryOperator derivative) {
        FloatKernels.mapBackward(f(z), f(a), f(g), derivative, data);
    }

    @Override
    void softmaxRowsKernel(Matrix out) {
        Engine.softmaxRows(data, f(out), rows, cols);
    }

    @Override
    void softmaxBackwardKernel(Matrix a, Matrix g) {
        FloatKernels.softmaxBackward(f(a), f(g), data, rows, cols);
    }

    @Override
    void addScaledKernel(double alpha, Matrix x) {
        FloatKernels.addScaled(alpha, f(x), data);
    }

    @Override
    void scaleKernel(double alpha) {
        FloatKernels.scale(alpha, data);
    }

    @Override
    void copyFromKernel(Matrix source) {
        System.arraycopy(f(source), 0, data, 0, data.length);
    }

    @Override
    void fillKernel(double value) {
        Arrays.fill(data, (float) value);
    }

    @Override
    void zipKernel(Matrix x, Matrix y, DoubleBinaryOperator f) {
        FloatKernels.zip(f(x), f(y), f, data);
    }

    @Override
    void reluKernel(Matrix out) {
        Engine.relu(data, f(out));
    }

    @Override
    void addRowVectorReluKernel(Matrix v, Matrix out) {
        Engine.addRowVectorRelu(data, f(v), f(out), rows, cols);
    }

    @Override
    void reluBackwardKernel(Matrix z, Matrix g) {
        Engine.reluBackward(f(z), f(g), data);
    }

    @Override
    double softmaxCrossEntropyKernel(Matrix y) {
        return FloatKernels.softmaxCrossEntropy(data, f(y), rows, cols);
    }

    @Override
    void softmaxCrossEntropyErrorSignalKernel(Matrix a, Matrix y, double scale) {
        FloatKernels.softmaxCrossEntropyErrorSignal(f(a), f(y), scale, data, rows, cols);
    }

    @Override
    double dotKernel(Matrix y) {
        return FloatKernels.dot(data, f(y));
    }

    @Override
    void rowSumsKernel(Matrix out) {
        FloatKernels.rowSums(data, f(out), rows, cols);
    }

    @Override
    void logSumExpRowsKernel(Matrix out) {
        FloatKernels.logSumExpRows(data, f(out), rows, cols);
    }

    @Override
    void multiplyRowsKernel(Matrix v) {
        FloatKernels.multiplyRows(data, f(v), rows, cols);
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
        OptimizerKernels.gradientDescent(data, f(g), eta, lambda);
    }

    @Override
    void momentumKernel(Matrix g, Matrix v, double eta, double mu, boolean first, boolean nesterov) {
        if (nesterov) {
            OptimizerKernels.nesterov(data, f(g), f(v), eta, mu, first);
        } else {
            OptimizerKernels.momentum(data, f(g), f(v), eta, mu, first);
        }
    }

    @Override
    void adaGradKernel(Matrix g, Matrix s, double eta, double epsilon) {
        OptimizerKernels.adaGrad(data, f(g), f(s), eta, epsilon);
    }

    @Override
    void rmsPropKernel(Matrix g, Matrix s, double eta, double alpha, double epsilon) {
        OptimizerKernels.rmsProp(data, f(g), f(s), eta, alpha, epsilon);
    }

    @Override
    void adamKernel(Matrix g, Matrix m, Matrix v, double beta1, double beta2, double epsilon, double stepFactor,
            double sqrtCorrection2, double decay) {
        OptimizerKernels.adam(data, f(g), f(m), f(v), beta1, beta2, epsilon, stepFactor, sqrtCorrection2,
                decay);
    }

    @Override
    void addScaledSignKernel(Matrix g, double lambda, Matrix theta) {
        OptimizerKernels.addScaledSign(f(g), lambda, f(theta), data);
    }

    @Override
    void clampKernel(Matrix x, double lo, double hi) {
        OptimizerKernels.clamp(f(x), lo, hi, data);
    }

    @Override
    boolean sharesStorage(Matrix other) {
        return other instanceof FloatMatrix m && m.data == data;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof FloatMatrix m && m.rows == rows && m.cols == cols && Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + Arrays.hashCode(data);
    }
}
