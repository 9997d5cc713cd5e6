package io.github.backprop4j.math.kernel;

/**
 * Copies chosen rows of one row-major matrix into consecutive rows of another, converting between the
 * element types where they differ: how a mini-batch is gathered from a data set in one pass, with no row
 * arrays in between. Called by {@code io.github.backprop4j.math.Matrix}, which has checked every index.
 */
public final class GatherKernels {

    private GatherKernels() {
    }

    /**
     * {@code out[i − from] = source[rows[i]]} for {@code i} in {@code [from, to)}.
     *
     * @param source the rows to choose from, each {@code cols} long
     * @param cols the row length
     * @param rows the row numbers
     * @param from the first position in {@code rows}
     * @param to the end (exclusive) of the positions in {@code rows}
     * @param out {@code to − from} rows
     */
    public static void gatherRows(float[] source, int cols, int[] rows, int from, int to, float[] out) {
        for (int i = from; i < to; i++) {
            System.arraycopy(source, rows[i] * cols, out, (i - from) * cols, cols);
        }
    }

    /**
     * {@code out[i − from] = source[rows[i]]} for {@code i} in {@code [from, to)}.
     *
     * @param source the rows to choose from, each {@code cols} long
     * @param cols the row length
     * @param rows the row numbers
     * @param from the first position in {@code rows}
     * @param to the end (exclusive) of the positions in {@code rows}
     * @param out {@code to − from} rows
     */
    public static void gatherRows(double[] source, int cols, int[] rows, int from, int to, double[] out) {
        for (int i = from; i < to; i++) {
            System.arraycopy(source, rows[i] * cols, out, (i - from) * cols, cols);
        }
    }

    /**
     * {@code out[i − from] = (float) source[rows[i]]} for {@code i} in {@code [from, to)}: rounded to float.
     *
     * @param source the rows to choose from, each {@code cols} long
     * @param cols the row length
     * @param rows the row numbers
     * @param from the first position in {@code rows}
     * @param to the end (exclusive) of the positions in {@code rows}
     * @param out {@code to − from} rows
     */
    public static void gatherRows(double[] source, int cols, int[] rows, int from, int to, float[] out) {
        for (int i = from; i < to; i++) {
            int s = rows[i] * cols;
            int o = (i - from) * cols;
            for (int c = 0; c < cols; c++) {
                out[o + c] = (float) source[s + c];
            }
        }
    }

    /**
     * {@code out[i − from] = source[rows[i]]} for {@code i} in {@code [from, to)}, widened to double.
     *
     * @param source the rows to choose from, each {@code cols} long
     * @param cols the row length
     * @param rows the row numbers
     * @param from the first position in {@code rows}
     * @param to the end (exclusive) of the positions in {@code rows}
     * @param out {@code to − from} rows
     */
    public static void gatherRows(float[] source, int cols, int[] rows, int from, int to, double[] out) {
        for (int i = from; i < to; i++) {
            int s = rows[i] * cols;
            int o = (i - from) * cols;
            for (int c = 0; c < cols; c++) {
                out[o + c] = source[s + c];
            }
        }
    }
}
