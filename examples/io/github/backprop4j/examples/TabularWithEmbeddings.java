package io.github.backprop4j.examples;

import io.github.backprop4j.Activation;
import io.github.backprop4j.Loss;
import io.github.backprop4j.Network;
import io.github.backprop4j.data.Categories;
import io.github.backprop4j.data.CategoryMapping;
import io.github.backprop4j.data.CsvReader;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.Standardizer;
import io.github.backprop4j.optim.Optimizer;
import io.github.backprop4j.train.ConfusionMatrix;
import io.github.backprop4j.train.Trainer;
import java.util.Locale;

/**
 * Tabular data with text-valued categorical columns: which orders of an online clothes shop are sent back. The
 * bundled synthetic data ({@code data/shop-returns}, 2,000 training and 600 test orders) have two numeric columns,
 * {@code price_eur} and {@code delivery_days}, three categorical ones, {@code colour}, {@code city} and
 * {@code product}, and the class {@code returned} ({@code no} or {@code yes}); most of the signal lies in the
 * categories.
 *
 * <p>The example reads the CSV with {@link CsvReader#categoryColumns(String...)} (each text value becomes its
 * category index), scales the numeric columns with a {@link Standardizer} (which leaves the indices alone), and
 * trains with Adam a network that shows the layer kinds a tabular model wants: an embedding per categorical column,
 * a dense layer with layer normalization, a residual block and a softmax. It prints the network's summary and its
 * test accuracy (the test file read with the training file's {@link Categories}, so that every value keeps its
 * index), then the accuracy of the same hidden layers fed the category indices as plain numbers, which cannot
 * tell {@code "red"} from {@code "pink"} except by their alphabetical order, and last the prediction for one raw
 * order.
 *
 * <p>Run it from an IDE, or with {@code mvn -q test-compile exec:exec -Dexample=TabularWithEmbeddings}.
 */
public final class TabularWithEmbeddings {

    private static final String[] CATEGORY_COLUMNS = {"colour", "city", "product"};

    private TabularWithEmbeddings() {
    }

    /**
     * Trains both networks and prints their test accuracies and one prediction.
     *
     * @param args optionally the number of epochs (20 unless given)
     */
    public static void main(String[] args) {
        int epochs = args.length > 0 ? Integer.parseInt(args[0]) : 20;
        CsvReader reader = CsvReader.create().header(true).labelColumn("returned").categoryColumns(CATEGORY_COLUMNS);
        DataSet rawTrain = BundledData.shopReturns("train.csv", reader);
        Categories categories = rawTrain.categories(); // learnt from the training file: values sorted, indices 0..n-1
        DataSet rawTest = BundledData.shopReturns("test.csv", reader.categories(categories));

        Standardizer scaler = Standardizer.fit(rawTrain); // the numeric columns only; the indices stay indices
        DataSet train = scaler.transform(rawTrain);
        DataSet test = scaler.transform(rawTest);
        System.out.println(train.size() + " training orders, " + test.size() + " test orders; " + categories);

        Network.Builder builder = Network.builder().input(train.numericFeatureCount()); // price_eur, delivery_days
        for (CategoryMapping column : categories.mappings()) {
            builder.categorical(column.cardinality(), embeddingWidth(column.cardinality()));
        }
        Network embedded = hiddenLayers(builder).seed(7).build();
        System.out.println(embedded.summary());
        Network trained = trainer(epochs).fit(embedded, train).network();
        System.out.printf(Locale.ROOT, "test accuracy with embeddings: %.4f%n",
                ConfusionMatrix.of(trained, test).accuracy());

        // The same hidden layers fed the category indices as plain numbers, standardized like the numeric columns.
        DataSet trainAsNumbers = rawTrain.withCategories(Categories.none()); // every column numeric
        Standardizer allColumns = Standardizer.fit(trainAsNumbers);
        Network numbers = hiddenLayers(Network.builder().input(trainAsNumbers.featureCount())).seed(7).build();
        Network trainedOnNumbers = trainer(epochs).fit(numbers, allColumns.transform(trainAsNumbers)).network();
        DataSet testAsNumbers = allColumns.transform(rawTest.withCategories(Categories.none()));
        System.out.printf(Locale.ROOT, "test accuracy with indices as numbers: %.4f%n",
                ConfusionMatrix.of(trainedOnNumbers, testAsNumbers).accuracy());

        // One raw order: the numeric values, then each text value's index, then the numeric columns scaled.
        double price = 49.90;
        int days = 3;
        String[] values = {"red", "Munich", "dress"};
        int[] indices = categories.indicesOf(values);
        double[] input = scaler.transformNumeric(new double[] {price, days, indices[0], indices[1], indices[2]});
        double[] probabilities = trained.predict(input);
        int predicted = trained.predictClass(input);
        System.out.printf(Locale.ROOT, "a %s %s for %.2f EUR to %s, delivered in %d days: returned = %s (p = %.2f)%n",
                values[0], values[2], price, values[1], days, train.classNames().get(predicted),
                probabilities[predicted]);
    }

    /** A common rule of thumb for an embedding's width: half the categories, at most 8. */
    private static int embeddingWidth(int cardinality) {
        return Math.min(8, (cardinality + 1) / 2);
    }

    /**
     * The layers after the input: a dense layer with layer normalization, a residual block and the classifier.
     * (For batch normalization instead, {@code .batchNorm(Activation.RELU)}; it needs batches of at least 2.)
     */
    private static Network.Builder hiddenLayers(Network.Builder builder) {
        return builder
                .dense(32)
                .layerNorm(Activation.RELU)
                .residual(Activation.RELU, b -> b.dense(32, Activation.RELU).dense(32))
                .dense(2, Activation.SOFTMAX);
    }

    private static Trainer trainer(int epochs) {
        return Trainer.builder()
                .loss(Loss.CROSS_ENTROPY)
                .optimizer(Optimizer.adam(0.003))
                .epochs(epochs)
                .batchSize(64)
                .logging(false)
                .progress() // a bar within each epoch on a terminal, a line per epoch elsewhere
                .seed(7)
                .build();
    }
}
