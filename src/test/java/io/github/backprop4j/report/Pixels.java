package io.github.backprop4j.report;

import java.awt.image.BufferedImage;

/** Pixel counts over a box of an image, for tests that must not depend on fonts or exact bytes. */
final class Pixels {

    private Pixels() {
    }

    /** The number of pixels in the box whose colour is within {@code tolerance} (per channel) of {@code rgb}. */
    static int countNear(BufferedImage image, LineChart.Box box, int rgb, int tolerance) {
        int n = 0;
        for (int y = Math.max(0, box.top()); y <= Math.min(image.getHeight() - 1, box.bottom()); y++) {
            for (int x = Math.max(0, box.left()); x <= Math.min(image.getWidth() - 1, box.right()); x++) {
                if (near(image.getRGB(x, y), rgb, tolerance)) {
                    n++;
                }
            }
        }
        return n;
    }

    /** The number of pixels in the box that are not (nearly) white. */
    static int countNonWhite(BufferedImage image, LineChart.Box box) {
        if (box.right() < box.left() || box.bottom() < box.top()) {
            return 0;
        }
        return (box.right() - box.left() + 1) * (box.bottom() - box.top() + 1) - countNear(image, box, 0xFFFFFF, 8);
    }

    /** The smallest box holding every pixel of the box within {@code tolerance} of {@code rgb}. */
    static LineChart.Box boundsOf(BufferedImage image, LineChart.Box box, int rgb, int tolerance) {
        int left = Integer.MAX_VALUE;
        int top = Integer.MAX_VALUE;
        int right = -1;
        int bottom = -1;
        for (int y = Math.max(0, box.top()); y <= Math.min(image.getHeight() - 1, box.bottom()); y++) {
            for (int x = Math.max(0, box.left()); x <= Math.min(image.getWidth() - 1, box.right()); x++) {
                if (near(image.getRGB(x, y), rgb, tolerance)) {
                    left = Math.min(left, x);
                    top = Math.min(top, y);
                    right = Math.max(right, x);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        return right < 0 ? new LineChart.Box(0, 0, -1, -1) : new LineChart.Box(left, top, right, bottom);
    }

    static boolean near(int argb, int rgb, int tolerance) {
        for (int shift = 0; shift <= 16; shift += 8) {
            if (Math.abs((argb >> shift & 0xFF) - (rgb >> shift & 0xFF)) > tolerance) {
                return false;
            }
        }
        return true;
    }
}
