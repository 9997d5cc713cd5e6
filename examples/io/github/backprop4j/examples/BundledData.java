package io.github.backprop4j.examples;

import io.github.backprop4j.data.CsvReader;
import io.github.backprop4j.data.DataSet;
import io.github.backprop4j.data.IdxReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The data sets bundled with the project (under {@code src/test/resources/data}, with their attribution and
 * licences), read from the classpath so that the examples run from a fresh clone and from an IDE.
 */
final class BundledData {

    private BundledData() {
    }

    /**
     * The 8,000 training digits of the bundled MNIST subset, pixels scaled to [0, 1], labels one-hot.
     *
     * @return the training set
     */
    static DataSet mnistTrain() {
        return mnist("train-8k");
    }

    /**
     * The 2,000 test digits of the bundled MNIST subset, none of them in the training set.
     *
     * @return the test set
     */
    static DataSet mnistTest() {
        return mnist("test-2k");
    }

    /**
     * Fisher's 150 irises: 4 measurements and one of 3 species.
     *
     * @return the data set, with class names
     */
    static DataSet iris() {
        try (InputStream in = open("/data/iris/iris.csv")) {
            return CsvReader.create().skipLines(1).labelColumn(4)
                    .classNames("setosa", "versicolor", "virginica").read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * One file of the bundled synthetic shop-returns data, read by the given reader.
     *
     * @param file {@code "train.csv"} (2,000 orders) or {@code "test.csv"} (600 more)
     * @param reader the configured reader
     * @return the data set
     */
    static DataSet shopReturns(String file, CsvReader reader) {
        try (InputStream in = open("/data/shop-returns/" + file)) {
            return reader.read(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static DataSet mnist(String part) {
        try (InputStream images = open("/data/mnist/" + part + "-images-idx3-ubyte.gz");
                InputStream labels = open("/data/mnist/" + part + "-labels-idx1-ubyte.gz")) {
            return IdxReader.dataSet(images, labels, 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static InputStream open(String resource) {
        InputStream in = BundledData.class.getResourceAsStream(resource);
        if (in == null) {
            throw new IllegalStateException("bundled data " + resource + " is missing from the classpath; run the "
                    + "examples with the test classpath (mvn test-compile exec:exec, or from the IDE)");
        }
        return in;
    }
}
