package io.github.backprop4j.data;

/**
 * Grey-scale images read from an IDX file by {@link IdxReader#readImages(java.nio.file.Path)}: {@code count}
 * images of {@code rows × columns} unsigned-byte pixels (0..255), stored compactly as one byte per pixel.
 *
 * <p>Immutable.
 */
public final class IdxImages {

    private final int count;
    private final int rows;
    private final int columns;
    private final byte[] pixels;

    IdxImages(int count, int rows, int columns, byte[] pixels) {
        this.count = count;
        this.rows = rows;
        this.columns = columns;
        this.pixels = pixels;
    }

    /**
     * Returns the number of images.
     *
     * @return the first dimension of the file
     */
    public int count() {
        return count;
    }

    /**
     * Returns the height of each image.
     *
     * @return the number of pixel rows, e.g. 28 for MNIST
     */
    public int rows() {
        return rows;
    }

    /**
     * Returns the width of each image.
     *
     * @return the number of pixel columns, e.g. 28 for MNIST
     */
    public int columns() {
        return columns;
    }

    /**
     * Returns the number of pixels per image, the number of features of a data set made from them.
     *
     * @return {@code rows() · columns()}
     */
    public int pixelsPerImage() {
        return rows * columns;
    }

    /**
     * Returns one pixel.
     *
     * @param image the image, from 0
     * @param row the pixel row, from 0
     * @param column the pixel column, from 0
     * @return the pixel's value, 0..255
     * @throws IndexOutOfBoundsException if a position is outside the images
     */
    public int pixel(int image, int row, int column) {
        check(image, count, "image", "images");
        check(row, rows, "row", "rows");
        check(column, columns, "column", "columns");
        return pixels[(image * rows + row) * columns + column] & 0xff;
    }

    /**
     * Copies one image, row by row.
     *
     * @param image the image, from 0
     * @return a new array of {@link #pixelsPerImage()} values, 0..255
     * @throws IndexOutOfBoundsException if there is no such image
     */
    public int[] pixels(int image) {
        check(image, count, "image", "images");
        int[] out = new int[pixelsPerImage()];
        int base = image * out.length;
        for (int i = 0; i < out.length; i++) {
            out[i] = pixels[base + i] & 0xff;
        }
        return out;
    }

    private static void check(int index, int size, String name, String plural) {
        if (index < 0 || index >= size) {
            throw new IndexOutOfBoundsException(name + " " + index + " does not exist: there are " + size + " "
                    + plural + ", numbered 0.." + (size - 1));
        }
    }

    /** Returns the shared storage; for {@link IdxReader} only, which never writes it. */
    byte[] storage() {
        return pixels;
    }

    /** Returns the sizes, e.g. {@code "IdxImages[8000 × 28 × 28]"}. */
    @Override
    public String toString() {
        return "IdxImages[" + count + " × " + rows + " × " + columns + "]";
    }
}
