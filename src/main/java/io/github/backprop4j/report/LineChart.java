package io.github.backprop4j.report;

import io.github.backprop4j.io.AtomicFiles;
import io.github.backprop4j.internal.Checks;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import javax.imageio.ImageIO;

/**
 * A line chart as a value: series of {@code (x, y)} points, a title, axis labels and an optional logarithmic
 * x axis, drawn as SVG ({@link #toSvg()}, hand-written XML) or as a PNG ({@link #toImage()}, Java2D, headless)
 * with the same layout. Immutable; the {@code with…} methods return new charts.
 *
 * <pre>{@code
 * LineChart chart = LineChart.of("loss", "epoch", "loss")
 *         .withSeries("loss", epochs, history.values("loss"))
 *         .withSeries("val_loss", epochs, history.values("val_loss"));
 * chart.writeSvg(Path.of("target/loss.svg"));
 * chart.writePng(Path.of("target/loss.png"));
 * }</pre>
 *
 * <p>Points whose {@code y} is not finite (a diverged loss), or whose {@code x} is not positive on a
 * logarithmic axis, are left out of the drawing. Series {@code i} is drawn in {@link #seriesColor(int)
 * seriesColor(i)}. The plot box (the area inside the axes) is {@link #plotBox()}, in pixels from the top left
 * corner, in both the SVG and the PNG.
 */
public final class LineChart {

    /** The default width in pixels. */
    public static final int DEFAULT_WIDTH = 640;
    /** The default height in pixels. */
    public static final int DEFAULT_HEIGHT = 360;

    /** Colour-blind-safe colours (Okabe–Ito), as {@code 0xRRGGBB}, used in turn by the series. */
    private static final int[] PALETTE = {0x0072B2, 0xD55E00, 0x009E73, 0xCC79A7, 0xE69F00, 0x56B4E9, 0x000000};
    private static final int LEFT = 72;
    private static final int RIGHT = 20;
    private static final int TOP = 36;
    private static final int BOTTOM = 52;
    private static final int FONT_SIZE = 12;

    /**
     * One line of the chart.
     *
     * @param name its name, shown in the legend
     * @param x the x values, {@code [points]}
     * @param y the y values, {@code [points]}
     */
    public record Series(String name, double[] x, double[] y) {

        /**
         * Checks and copies the arguments.
         *
         * @param name the name
         * @param x the x values
         * @param y the y values, as many as {@code x}
         * @throws IllegalArgumentException if the lengths differ, naming both and the series
         */
        public Series {
            Checks.notNull(name, "name");
            x = Checks.notNull(x, "x of series \"" + name + "\"").clone();
            y = Checks.notNull(y, "y of series \"" + name + "\"").clone();
            Checks.sameSize(y.length, x.length, "series \"" + name + "\": the number of y values",
                    "the number of x values");
        }

        /**
         * Returns a copy of the x values.
         *
         * @return {@code [points]}
         */
        @Override
        public double[] x() {
            return x.clone();
        }

        /**
         * Returns a copy of the y values.
         *
         * @return {@code [points]}
         */
        @Override
        public double[] y() {
            return y.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Series s && name.equals(s.name) && Arrays.equals(x, s.x) && Arrays.equals(y, s.y);
        }

        @Override
        public int hashCode() {
            return name.hashCode() * 31 * 31 + Arrays.hashCode(x) * 31 + Arrays.hashCode(y);
        }

        @Override
        public String toString() {
            return "Series[" + name + ", " + x.length + " points]";
        }
    }

    /**
     * A pixel rectangle.
     *
     * @param left the left edge
     * @param top the top edge
     * @param right the right edge
     * @param bottom the bottom edge
     */
    public record Box(int left, int top, int right, int bottom) {

        /**
         * Returns whether a point lies inside the box or on its edge.
         *
         * @param px the x coordinate in pixels
         * @param py the y coordinate in pixels
         * @return {@code true} if inside
         */
        public boolean contains(double px, double py) {
            return px >= left && px <= right && py >= top && py <= bottom;
        }
    }

    /** Where the legend goes inside the plot box. */
    public enum Legend {
        /** The top right corner, for curves that fall (losses). */
        TOP_RIGHT,
        /** The bottom right corner, for curves that rise (accuracies, reliability diagrams). */
        BOTTOM_RIGHT
    }

    private final String title;
    private final String xLabel;
    private final String yLabel;
    private final boolean logX;
    private final int width;
    private final int height;
    private final Legend legend;
    private final List<Series> series;

    private LineChart(String title, String xLabel, String yLabel, boolean logX, int width, int height, Legend legend,
            List<Series> series) {
        this.legend = legend;
        this.title = title;
        this.xLabel = xLabel;
        this.yLabel = yLabel;
        this.logX = logX;
        this.width = width;
        this.height = height;
        this.series = List.copyOf(series);
    }

    /**
     * Returns an empty chart of the default size with a linear x axis.
     *
     * @param title the title above the plot
     * @param xLabel the label of the x axis
     * @param yLabel the label of the y axis
     * @return the chart
     */
    public static LineChart of(String title, String xLabel, String yLabel) {
        return new LineChart(Checks.notNull(title, "title"), Checks.notNull(xLabel, "xLabel"),
                Checks.notNull(yLabel, "yLabel"), false, DEFAULT_WIDTH, DEFAULT_HEIGHT, Legend.TOP_RIGHT,
                List.of());
    }

    /**
     * Returns this chart with one more series, drawn after (above) the others.
     *
     * @param name the series' name for the legend
     * @param x the x values, {@code [points]}
     * @param y the y values, {@code [points]}
     * @return a new chart
     * @throws IllegalArgumentException if the lengths differ
     */
    public LineChart withSeries(String name, double[] x, double[] y) {
        return withSeries(new Series(name, x, y));
    }

    /**
     * Returns this chart with one more series.
     *
     * @param s the series
     * @return a new chart
     */
    public LineChart withSeries(Series s) {
        Checks.notNull(s, "series");
        List<Series> more = new ArrayList<>(series);
        more.add(s);
        return new LineChart(title, xLabel, yLabel, logX, width, height, legend, more);
    }

    /**
     * Returns this chart with a logarithmic (base 10) or linear x axis; a learning-rate range test wants a
     * logarithmic one.
     *
     * @param logarithmic {@code true} for a logarithmic x axis
     * @return a new chart
     */
    public LineChart withLogX(boolean logarithmic) {
        return new LineChart(title, xLabel, yLabel, logarithmic, width, height, legend, series);
    }

    /**
     * Returns this chart in another size.
     *
     * @param newWidth the width in pixels, at least 200
     * @param newHeight the height in pixels, at least 150
     * @return a new chart
     * @throws IllegalArgumentException if a size is too small, naming it
     */
    public LineChart withSize(int newWidth, int newHeight) {
        if (newWidth < 200 || newHeight < 150) {
            throw new IllegalArgumentException("width and height must be at least 200 × 150 pixels, not " + newWidth
                    + " × " + newHeight);
        }
        return new LineChart(title, xLabel, yLabel, logX, newWidth, newHeight, legend, series);
    }

    /**
     * Returns this chart with its legend in another corner.
     *
     * @param corner where the legend goes
     * @return a new chart
     */
    public LineChart withLegend(Legend corner) {
        return new LineChart(title, xLabel, yLabel, logX, width, height, Checks.notNull(corner, "legend"), series);
    }

    /**
     * Returns where the legend goes.
     *
     * @return the corner
     */
    public Legend legend() {
        return legend;
    }

    /**
     * Returns the title.
     *
     * @return the title
     */
    public String title() {
        return title;
    }

    /**
     * Returns the label of the x axis.
     *
     * @return the label
     */
    public String xLabel() {
        return xLabel;
    }

    /**
     * Returns the label of the y axis.
     *
     * @return the label
     */
    public String yLabel() {
        return yLabel;
    }

    /**
     * Returns whether the x axis is logarithmic.
     *
     * @return {@code true} if logarithmic
     */
    public boolean logX() {
        return logX;
    }

    /**
     * Returns the width.
     *
     * @return pixels
     */
    public int width() {
        return width;
    }

    /**
     * Returns the height.
     *
     * @return pixels
     */
    public int height() {
        return height;
    }

    /**
     * Returns the series in drawing order.
     *
     * @return an unmodifiable list
     */
    public List<Series> series() {
        return series;
    }

    /**
     * Returns the area inside the axes, where the series are drawn.
     *
     * @return the box in pixels from the top left corner
     */
    public Box plotBox() {
        return new Box(LEFT, TOP, width - RIGHT, height - BOTTOM);
    }

    /**
     * Returns the colour series {@code i} is drawn in.
     *
     * @param i the series' index, from 0
     * @return {@code 0xRRGGBB}
     */
    public static int seriesColor(int i) {
        return PALETTE[Math.floorMod(i, PALETTE.length)];
    }

    // ------------------------------------------------------------------ layout

    /** The data ranges and the mapping of data to pixels, shared by SVG and PNG. */
    private final class Layout {
        final Box box = plotBox();
        final double xMin;
        final double xMax;
        final double yMin;
        final double yMax;
        final double[] xTicks;
        final double[] yTicks;

        Layout() {
            double x0 = Double.POSITIVE_INFINITY;
            double x1 = Double.NEGATIVE_INFINITY;
            double y0 = Double.POSITIVE_INFINITY;
            double y1 = Double.NEGATIVE_INFINITY;
            for (Series s : series) {
                for (int i = 0; i < s.x.length; i++) {
                    if (drawn(s.x[i], s.y[i])) {
                        double x = logX ? Math.log10(s.x[i]) : s.x[i];
                        x0 = Math.min(x0, x);
                        x1 = Math.max(x1, x);
                        y0 = Math.min(y0, s.y[i]);
                        y1 = Math.max(y1, s.y[i]);
                    }
                }
            }
            if (x0 > x1) { // nothing to draw
                x0 = 0;
                x1 = 1;
                y0 = 0;
                y1 = 1;
            }
            if (x0 == x1) {
                x0 -= 0.5;
                x1 += 0.5;
            }
            if (y0 == y1) {
                double pad = y0 == 0 ? 1 : Math.abs(y0) * 0.1;
                y0 -= pad;
                y1 += pad;
            }
            double yPad = (y1 - y0) * 0.05;
            yTicks = ticks(y0 - yPad, y1 + yPad);
            yMin = Math.min(y0 - yPad, yTicks[0]);
            yMax = Math.max(y1 + yPad, yTicks[yTicks.length - 1]);
            xMin = x0;
            xMax = x1;
            xTicks = logX ? logTicks(x0, x1) : ticks(x0, x1);
        }

        boolean drawn(double x, double y) {
            return Double.isFinite(x) && Double.isFinite(y) && (!logX || x > 0);
        }

        /** The pixel column of a data x (already log10 on a log axis). */
        double px(double x) {
            return box.left() + (x - xMin) / (xMax - xMin) * (box.right() - box.left());
        }

        double py(double y) {
            return box.bottom() - (y - yMin) / (yMax - yMin) * (box.bottom() - box.top());
        }

        double dataX(double x) {
            return logX ? Math.log10(x) : x;
        }

        String xTickLabel(double t) {
            return logX ? number(Math.pow(10, t)) : number(t);
        }
    }

    /** About five round ticks (1, 2 or 5 × 10ᵏ apart) inside {@code [lo, hi]}, or its ends if none are round. */
    static double[] ticks(double lo, double hi) {
        double raw = (hi - lo) / 6;
        double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
        double step = magnitude;
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * magnitude >= raw) {
                step = m * magnitude;
                break;
            }
        }
        List<Double> out = new ArrayList<>();
        for (long k = (long) Math.ceil(lo / step - 1e-9); k * step <= hi + step * 1e-9; k++) {
            out.add(Double.parseDouble(String.format(Locale.ROOT, "%.12g", k * step))); // 0.6, not 0.6000000000000001
        }
        if (out.isEmpty()) {
            return new double[] {lo, hi};
        }
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** The powers of ten inside {@code [lo, hi]} (decades, as log10), or linear ticks of the exponent if fewer than 2. */
    private static double[] logTicks(double lo, double hi) {
        List<Double> out = new ArrayList<>();
        for (double e = Math.ceil(lo - 1e-9); e <= hi + 1e-9; e++) {
            out.add(e);
        }
        return out.size() >= 2 ? out.stream().mapToDouble(Double::doubleValue).toArray() : ticks(lo, hi);
    }

    /** A short decimal: up to 4 significant digits, no trailing zeros, scientific outside 1e-3..1e5. */
    static String number(double v) {
        if (v == 0) {
            return "0";
        }
        double a = Math.abs(v);
        String s = a >= 1e-3 && a < 1e5 ? String.format(Locale.ROOT, "%.4g", v) : String.format(Locale.ROOT, "%.2e", v);
        if (s.contains("e")) {
            String[] parts = s.split("e");
            return stripZeros(parts[0]) + "e" + Integer.parseInt(parts[1]);
        }
        return stripZeros(s);
    }

    private static String stripZeros(String s) {
        if (!s.contains(".")) {
            return s;
        }
        s = s.replaceAll("0+$", "");
        return s.endsWith(".") ? s.substring(0, s.length() - 1) : s;
    }

    // ------------------------------------------------------------------ SVG

    /**
     * Draws the chart as an SVG document: an {@code <svg>} element (with its namespace, so that it is a valid
     * file on its own and can be put inline into HTML), a {@code <path class="series">} per series, its text
     * escaped.
     *
     * @return the SVG text
     */
    public String toSvg() {
        Layout l = new Layout();
        Box b = l.box;
        StringBuilder s = new StringBuilder();
        s.append("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(width).append("\" height=\"")
                .append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"sans-serif\" font-size=\"").append(FONT_SIZE).append("\">\n");
        s.append("<title>").append(escape(title)).append("</title>\n");
        s.append("<rect width=\"").append(width).append("\" height=\"").append(height).append("\" fill=\"#ffffff\"/>\n");
        s.append("<g class=\"grid\" stroke=\"#e0e0e0\" stroke-width=\"1\">\n");
        for (double t : l.yTicks) {
            String y = f(l.py(t));
            s.append("<line x1=\"").append(b.left()).append("\" y1=\"").append(y).append("\" x2=\"").append(b.right())
                    .append("\" y2=\"").append(y).append("\"/>\n");
        }
        for (double t : l.xTicks) {
            String x = f(l.px(t));
            s.append("<line x1=\"").append(x).append("\" y1=\"").append(b.top()).append("\" x2=\"").append(x)
                    .append("\" y2=\"").append(b.bottom()).append("\"/>\n");
        }
        s.append("</g>\n");
        s.append("<rect class=\"plot\" x=\"").append(b.left()).append("\" y=\"").append(b.top()).append("\" width=\"")
                .append(b.right() - b.left()).append("\" height=\"").append(b.bottom() - b.top())
                .append("\" fill=\"none\" stroke=\"#808080\"/>\n");
        s.append("<g class=\"ticks\" fill=\"#333333\">\n");
        for (double t : l.yTicks) {
            s.append("<text x=\"").append(b.left() - 6).append("\" y=\"").append(f(l.py(t) + 4))
                    .append("\" text-anchor=\"end\">").append(escape(number(t))).append("</text>\n");
        }
        for (double t : l.xTicks) {
            s.append("<text x=\"").append(f(l.px(t))).append("\" y=\"").append(b.bottom() + 16)
                    .append("\" text-anchor=\"middle\">").append(escape(l.xTickLabel(t))).append("</text>\n");
        }
        s.append("</g>\n");
        s.append("<text class=\"title\" x=\"").append(width / 2).append("\" y=\"22\" text-anchor=\"middle\" "
                + "font-size=\"").append(FONT_SIZE + 2).append("\" font-weight=\"bold\">").append(escape(title))
                .append("</text>\n");
        s.append("<text class=\"x-label\" x=\"").append((b.left() + b.right()) / 2).append("\" y=\"")
                .append(height - 12).append("\" text-anchor=\"middle\">").append(escape(xLabel + (logX ? " (log)" : "")))
                .append("</text>\n");
        s.append("<text class=\"y-label\" x=\"16\" y=\"").append((b.top() + b.bottom()) / 2)
                .append("\" text-anchor=\"middle\" transform=\"rotate(-90 16 ").append((b.top() + b.bottom()) / 2)
                .append(")\">").append(escape(yLabel)).append("</text>\n");
        for (int i = 0; i < series.size(); i++) {
            Series se = series.get(i);
            StringBuilder d = new StringBuilder();
            boolean pen = false;
            for (int k = 0; k < se.x.length; k++) {
                if (!l.drawn(se.x[k], se.y[k])) {
                    pen = false; // a gap, not a line across it
                    continue;
                }
                d.append(d.length() == 0 ? "" : " ").append(pen ? 'L' : 'M').append(f(l.px(l.dataX(se.x[k]))))
                        .append(' ').append(f(l.py(se.y[k])));
                pen = true;
            }
            s.append("<path class=\"series\" data-series=\"").append(escape(se.name)).append("\" d=\"").append(d)
                    .append("\" fill=\"none\" stroke=\"").append(hex(seriesColor(i)))
                    .append("\" stroke-width=\"2\" stroke-linejoin=\"round\"/>\n");
        }
        s.append("<g class=\"legend\">\n");
        if (!series.isEmpty()) {
            s.append("<rect x=\"").append(legendLeft() - 6).append("\" y=\"").append(legendTop()).append("\" width=\"")
                    .append(b.right() - 4 - legendLeft() + 6).append("\" height=\"").append(16 * series.size() + 4)
                    .append("\" fill=\"#ffffff\" fill-opacity=\"0.85\" stroke=\"#cccccc\"/>\n");
        }
        for (int i = 0; i < series.size(); i++) {
            int y = legendTop() + 14 + 16 * i;
            int x = legendLeft();
            s.append("<line x1=\"").append(x).append("\" y1=\"").append(y - 4).append("\" x2=\"").append(x + 20)
                    .append("\" y2=\"").append(y - 4).append("\" stroke=\"").append(hex(seriesColor(i)))
                    .append("\" stroke-width=\"2\"/>");
            s.append("<text x=\"").append(x + 26).append("\" y=\"").append(y).append("\">")
                    .append(escape(series.get(i).name)).append("</text>\n");
        }
        s.append("</g>\n</svg>\n");
        return s.toString();
    }

    /** The legend box's top edge. */
    private int legendTop() {
        return legend == Legend.TOP_RIGHT ? plotBox().top() + 4 : plotBox().bottom() - 8 - 16 * series.size();
    }

    /** The legend's left edge: far enough from the plot's right edge for the longest name (about 7 px a letter). */
    private int legendLeft() {
        int longest = series.stream().mapToInt(se -> se.name.length()).max().orElse(0);
        return Math.max(plotBox().left() + 8, plotBox().right() - 40 - 7 * longest);
    }

        private static String f(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    static String hex(int rgb) {
        return String.format(Locale.ROOT, "#%06x", rgb & 0xFFFFFF);
    }

    /**
     * Escapes text for XML and HTML content and attribute values: {@code & < > " '}.
     *
     * @param text the text
     * @return the escaped text
     */
    static String escape(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(c < 0x20 && c != '\n' && c != '\t' ? ' ' : c); // XML 1.0 forbids controls
            }
        }
        return out.toString();
    }

    /**
     * Writes {@link #toSvg()} to a file, atomically.
     *
     * @param file the file to create or replace, conventionally ending in {@code .svg}
     * @throws IOException if the file cannot be written
     */
    public void writeSvg(Path file) throws IOException {
        Checks.notNull(file, "file");
        byte[] bytes = toSvg().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(bytes));
    }

    // ------------------------------------------------------------------ PNG

    /** Refuses, with what to do, where Java2D's module is not readable (a module-path application without it). */
    static void requireJava2d() {
        Module desktop = ModuleLayer.boot().findModule("java.desktop").orElse(null);
        if (desktop == null || !LineChart.class.getModule().canRead(desktop)) {
            throw new UnsupportedOperationException("PNG charts draw with Java2D, in the module java.desktop, which "
                    + "this JVM has not resolved: add 'requires java.desktop;' to the application's module-info, or "
                    + "run with --add-modules java.desktop (SVG charts and the HTML report need nothing)");
        }
    }

    /**
     * Draws the chart into an image with Java2D; needs no display ({@code java.awt.headless} may be true).
     *
     * <p>Java2D lives in the module {@code java.desktop}, which the library requires only statically: on the class
     * path, and on the module path of a full JDK, it is there as usual; a runtime image linked without it refuses, and
     * an application that wants PNG charts there says {@code requires java.desktop;}. SVG and the HTML report need
     * nothing.
     *
     * @return a new {@code width × height} RGB image
     * @throws UnsupportedOperationException if the JVM has not resolved the module {@code java.desktop}
     */
    public BufferedImage toImage() {
        requireJava2d();
        return new Java2d().draw();
    }

    /**
     * Writes {@link #toImage()} to a PNG file, atomically.
     *
     * @param file the file to create or replace, conventionally ending in {@code .png}
     * @throws IOException if the file cannot be written
     * @throws UnsupportedOperationException if the JVM has not resolved the module {@code java.desktop} (see
     *     {@link #toImage()})
     */
    public void writePng(Path file) throws IOException {
        Checks.notNull(file, "file");
        requireJava2d();
        new Java2d().writePng(file);
    }

    /**
     * The drawing with Java2D, in a class of its own: the verifier loads the {@code java.awt} classes a method uses
     * when it links the method's class, so that {@code LineChart} (and its SVG) works where {@code java.desktop} is
     * missing, and only this class needs it.
     */
    private final class Java2d {

        BufferedImage draw() {
            Layout l = new Layout();
            Box b = l.box;
            BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = image.createGraphics();
            try {
                g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
                g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
                g.setColor(Color.WHITE);
                g.fillRect(0, 0, width, height);
                g.setStroke(new BasicStroke(1));
                g.setColor(new Color(0xE0E0E0));
                for (double t : l.yTicks) {
                    int y = (int) Math.round(l.py(t));
                    g.drawLine(b.left(), y, b.right(), y);
                }
                for (double t : l.xTicks) {
                    int x = (int) Math.round(l.px(t));
                    g.drawLine(x, b.top(), x, b.bottom());
                }
                g.setColor(new Color(0x808080));
                g.drawRect(b.left(), b.top(), b.right() - b.left(), b.bottom() - b.top());
                Font font = new Font(Font.SANS_SERIF, Font.PLAIN, FONT_SIZE);
                g.setFont(font);
                FontMetrics fm = g.getFontMetrics();
                g.setColor(new Color(0x333333));
                for (double t : l.yTicks) {
                    String text = number(t);
                    g.drawString(text, b.left() - 6 - fm.stringWidth(text), (int) Math.round(l.py(t) + 4));
                }
                for (double t : l.xTicks) {
                    String text = l.xTickLabel(t);
                    g.drawString(text, (int) Math.round(l.px(t)) - fm.stringWidth(text) / 2, b.bottom() + 16);
                }
                String x = xLabel + (logX ? " (log)" : "");
                g.drawString(x, (b.left() + b.right()) / 2 - fm.stringWidth(x) / 2, height - 12);
                Graphics2D rotated = (Graphics2D) g.create();
                rotated.rotate(-Math.PI / 2, 16, (b.top() + b.bottom()) / 2.0);
                rotated.drawString(yLabel, 16 - fm.stringWidth(yLabel) / 2, (b.top() + b.bottom()) / 2);
                rotated.dispose();
                g.setFont(font.deriveFont(Font.BOLD, FONT_SIZE + 2f));
                g.setColor(Color.BLACK);
                g.drawString(title, width / 2 - g.getFontMetrics().stringWidth(title) / 2, 22);
                g.setFont(font);
                g.setStroke(new BasicStroke(2, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
                for (int i = 0; i < series.size(); i++) {
                    Series se = series.get(i);
                    g.setColor(new Color(seriesColor(i)));
                    Path2D.Double path = new Path2D.Double();
                    boolean pen = false;
                    for (int k = 0; k < se.x.length; k++) {
                        if (!l.drawn(se.x[k], se.y[k])) {
                            pen = false;
                            continue;
                        }
                        double px = l.px(l.dataX(se.x[k]));
                        double py = l.py(se.y[k]);
                        if (pen) {
                            path.lineTo(px, py);
                        } else {
                            path.moveTo(px, py);
                        }
                        pen = true;
                    }
                    g.draw(path);
                }
                if (!series.isEmpty()) {
                    g.setColor(new Color(255, 255, 255, 217));
                    g.fillRect(legendLeft() - 6, legendTop(), b.right() - 4 - legendLeft() + 6, 16 * series.size() + 4);
                    g.setColor(new Color(0xCCCCCC));
                    g.drawRect(legendLeft() - 6, legendTop(), b.right() - 4 - legendLeft() + 6, 16 * series.size() + 4);
                }
                g.setStroke(new BasicStroke(2));
                for (int i = 0; i < series.size(); i++) {
                    int y = legendTop() + 14 + 16 * i;
                    int lx = legendLeft();
                    g.setColor(new Color(seriesColor(i)));
                    g.drawLine(lx, y - 4, lx + 20, y - 4);
                    g.setColor(new Color(0x333333));
                    g.drawString(series.get(i).name, lx + 26, y);
                }
            } finally {
                g.dispose();
            }
            return image;
        }

        void writePng(Path file) throws IOException {
            BufferedImage image = draw();
            AtomicFiles.write(file, out -> {
                if (!ImageIO.write(image, "png", out)) {
                    throw new IOException("no PNG writer in this JDK's ImageIO");
                }
            });
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LineChart c && title.equals(c.title) && xLabel.equals(c.xLabel)
                && yLabel.equals(c.yLabel) && logX == c.logX && width == c.width && height == c.height
                && legend == c.legend && series.equals(c.series);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(title, xLabel, yLabel, logX, width, height, legend, series);
    }

    @Override
    public String toString() {
        return "LineChart[" + title + ", " + series.size() + " series" + (logX ? ", log x" : "") + "]";
    }
}
