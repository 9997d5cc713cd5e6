package io.github.backprop4j.data;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Generates the bundled synthetic data set {@code data/shop-returns} (see {@code src/test/resources/data/README.md}):
 * orders of an imaginary online clothes shop, and whether each order was sent back. Seeded and deterministic;
 * {@code ShopReturnsTest} checks that the committed files are what this class writes. To write them again:
 *
 * <pre>
 * mvn -q test-compile
 * java -cp target/classes:target/test-classes io.github.backprop4j.data.ShopReturns src/test/resources/data/shop-returns
 * </pre>
 *
 * <p>Columns: {@code price_eur} (log-normal around 40, two decimals), {@code delivery_days} (1 to 8, uniform),
 * {@code colour}, {@code city}, {@code product} (text, uniform over {@link #COLOURS}, {@link #CITIES},
 * {@link #PRODUCTS}) and the class {@code returned} ({@code yes} or {@code no}). Every value {@code k} of each
 * categorical column {@code c} has a hidden score {@code s_c[k]}, drawn from a standard normal distribution and
 * centred; with {@code g} the standard normal behind the price and {@code ε} another one,
 *
 * <pre>
 *     returned = yes  if  s_colour + s_city + s_product + 0.35·g + 0.15·(delivery_days − 4.5) + 0.35·ε &gt; 0.4
 * </pre>
 *
 * <p>As in {@link CategoricalTasks}, each column's scores are redrawn until they correlate with the index that
 * {@link CsvReader} gives each value (its position in alphabetical order) by less than 0.2 in absolute value, so
 * that the indices read as numbers say almost nothing about the scores. Normal draws are Box–Muller over
 * {@link SplittableRandom#nextDouble()} with {@link StrictMath}, so the files are the same on every JVM.
 */
public final class ShopReturns {

    /** The seed of the scores and of the rows. */
    public static final long SEED = 2024;

    /** The number of training rows, written to {@code train.csv}. */
    public static final int TRAIN_ROWS = 2000;

    /** The number of test rows, written to {@code test.csv}, drawn after the training rows. */
    public static final int TEST_ROWS = 600;

    /** The header line. */
    public static final String HEADER = "price_eur,delivery_days,colour,city,product,returned";

    /** The values of {@code colour}, in the order {@link CategoryMapping#learn} sorts them. */
    static final List<String> COLOURS = List.of("beige", "black", "blue", "brown", "green", "grey", "navy",
            "olive", "pink", "red", "white", "yellow");

    /** The values of {@code city}, in the order {@link CategoryMapping#learn} sorts them. */
    static final List<String> CITIES = List.of("Amsterdam", "Antwerp", "Barcelona", "Berlin", "Brussels",
            "Copenhagen", "Dublin", "Hamburg", "Lisbon", "Lyon", "Madrid", "Milan", "Munich", "Paris", "Prague",
            "Vienna");

    /** The values of {@code product}, in the order {@link CategoryMapping#learn} sorts them. */
    static final List<String> PRODUCTS = List.of("blouse", "coat", "dress", "hoodie", "jacket", "jeans", "jumper",
            "shirt", "shorts", "skirt");

    private static final List<List<String>> COLUMNS = List.of(COLOURS, CITIES, PRODUCTS);

    private ShopReturns() {
    }

    /**
     * Writes {@code train.csv} and {@code test.csv} into a directory.
     *
     * @param args the directory, which must exist
     * @throws IOException if a file cannot be written
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ShopReturns <directory>, e.g. src/test/resources/data/"
                    + "shop-returns; got " + args.length + " arguments");
        }
        Path dir = Path.of(args[0]);
        String[] files = generate();
        Files.writeString(dir.resolve("train.csv"), files[0], StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("test.csv"), files[1], StandardCharsets.UTF_8);
    }

    /**
     * Generates both files' text.
     *
     * @return the text of {@code train.csv}, then of {@code test.csv}, each a header and one line per row,
     *     lines ending in {@code \n}
     */
    static String[] generate() {
        SplittableRandom random = new SplittableRandom(SEED);
        double[][] scores = new double[COLUMNS.size()][];
        for (int c = 0; c < scores.length; c++) {
            do {
                scores[c] = centredNormals(COLUMNS.get(c).size(), random);
            } while (Math.abs(CategoricalTasks.indexCorrelation(scores[c])) >= CategoricalTasks.MAX_INDEX_CORRELATION);
        }
        return new String[] {rows(TRAIN_ROWS, scores, random), rows(TEST_ROWS, scores, random)};
    }

    private static String rows(int count, double[][] scores, SplittableRandom random) {
        StringBuilder out = new StringBuilder(HEADER).append('\n');
        for (int i = 0; i < count; i++) {
            double g = gaussian(random);
            double price = 40 * StrictMath.exp(0.6 * g);
            int days = 1 + random.nextInt(8);
            int[] k = new int[COLUMNS.size()];
            double z = 0.35 * g + 0.15 * (days - 4.5);
            for (int c = 0; c < k.length; c++) {
                k[c] = random.nextInt(COLUMNS.get(c).size());
                z += scores[c][k[c]];
            }
            z += 0.35 * gaussian(random);
            out.append(String.format(Locale.ROOT, "%.2f,%d,%s,%s,%s,%s", price, days, COLOURS.get(k[0]),
                    CITIES.get(k[1]), PRODUCTS.get(k[2]), z > 0.4 ? "yes" : "no")).append('\n');
        }
        return out.toString();
    }

    private static double[] centredNormals(int n, SplittableRandom random) {
        double[] s = new double[n];
        double mean = 0;
        for (int k = 0; k < n; k++) {
            s[k] = gaussian(random);
            mean += s[k] / n;
        }
        for (int k = 0; k < n; k++) {
            s[k] -= mean;
        }
        return s;
    }

    /** A standard normal draw by Box–Muller, in strict (platform-independent) arithmetic. */
    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble(); // in (0, 1]
        double v = random.nextDouble();
        return StrictMath.sqrt(-2 * StrictMath.log(u)) * StrictMath.cos(2 * Math.PI * v);
    }
}
