package io.github.backprop4j.train;

import io.github.backprop4j.internal.JsonText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The measurements of every completed epoch of a training run, in order. Immutable.
 *
 * @param epochs one summary per completed epoch
 */
public record History(List<EpochSummary> epochs) {

    /**
     * Copies the list.
     *
     * @param epochs one summary per completed epoch
     */
    public History {
        epochs = List.copyOf(epochs);
    }

    /**
     * Returns the number of completed epochs.
     *
     * @return the number of summaries
     */
    public int size() {
        return epochs.size();
    }

    /**
     * Returns the names measured, e.g. {@code [loss, accuracy, val_loss, val_accuracy]}.
     *
     * @return the names in the order of the first epoch
     */
    public Set<String> names() {
        Set<String> names = new LinkedHashSet<>();
        epochs.forEach(e -> names.addAll(e.values().keySet()));
        return names;
    }

    /**
     * Returns one measurement for every epoch.
     *
     * @param name e.g. {@code "val_loss"}
     * @return the values, element 0 for epoch 1
     * @throws IllegalArgumentException if some epoch lacks the measurement
     */
    public double[] values(String name) {
        return epochs.stream().mapToDouble(e -> e.value(name)).toArray();
    }

    /**
     * Returns the last completed epoch.
     *
     * @return its summary
     * @throws IllegalStateException if no epoch completed
     */
    public EpochSummary last() {
        if (epochs.isEmpty()) {
            throw new IllegalStateException("no epoch completed");
        }
        return epochs.get(epochs.size() - 1);
    }

    // ------------------------------------------------------------------ CSV and JSON

    /** The columns of {@link #toCsv()} before the measurements. */
    private static final List<String> CSV_FIXED = List.of("epoch", "samples", "seconds", "learning_rate");

    /**
     * Returns the history as CSV (RFC 4180, {@code \n} line ends): a header {@code epoch,samples,seconds,
     * learning_rate} followed by every measured name ({@link #names()}), then one row per epoch. Numbers are
     * written as {@link Double#toString(double)} writes them, so {@link #fromCsv(String)} reads back the same
     * values bit for bit; a measurement an epoch lacks is an empty cell, a non-finite one {@code NaN},
     * {@code Infinity} or {@code -Infinity}.
     *
     * @return the CSV text
     */
    public String toCsv() {
        StringBuilder s = new StringBuilder();
        List<String> header = new ArrayList<>(CSV_FIXED);
        header.addAll(names());
        for (int i = 0; i < header.size(); i++) {
            s.append(i == 0 ? "" : ",").append(csvCell(header.get(i)));
        }
        s.append('\n');
        for (EpochSummary e : epochs) {
            s.append(e.epoch()).append(',').append(e.samples()).append(',').append(seconds(e.duration())).append(',')
                    .append(e.learningRate());
            for (String name : names()) {
                Double v = e.values().get(name);
                s.append(',').append(v == null ? "" : v.toString());
            }
            s.append('\n');
        }
        return s.toString();
    }

    /**
     * Reads a history written by {@link #toCsv()}.
     *
     * @param csv the CSV text
     * @return the history, equal to the one written
     * @throws IllegalArgumentException if the header lacks the fixed columns, a row has the wrong number of cells
     *     or a cell is not a number, naming the line and the column
     */
    public static History fromCsv(String csv) {
        io.github.backprop4j.internal.Checks.notNull(csv, "csv");
        List<List<String>> rows = csvRows(csv);
        if (rows.isEmpty() || rows.get(0).size() < CSV_FIXED.size()
                || !rows.get(0).subList(0, CSV_FIXED.size()).equals(CSV_FIXED)) {
            throw new IllegalArgumentException("csv: line 1 must start with the columns " + String.join(",", CSV_FIXED)
                    + ", not " + (rows.isEmpty() ? "nothing" : String.join(",", rows.get(0))));
        }
        List<String> header = rows.get(0);
        List<EpochSummary> epochs = new ArrayList<>();
        for (int r = 1; r < rows.size(); r++) {
            List<String> row = rows.get(r);
            int line = r + 1;
            if (row.size() != header.size()) {
                throw new IllegalArgumentException("csv: line " + line + " has " + row.size() + " cells but the header "
                        + "has " + header.size());
            }
            Map<String, Double> values = new LinkedHashMap<>();
            for (int c = CSV_FIXED.size(); c < header.size(); c++) {
                if (!row.get(c).isEmpty()) {
                    values.put(header.get(c), csvNumber(row.get(c), line, header.get(c)));
                }
            }
            long nanos = Math.round(csvNumber(row.get(2), line, "seconds") * 1e9);
            epochs.add(new EpochSummary((int) csvNumber(row.get(0), line, "epoch"), values,
                    (long) csvNumber(row.get(1), line, "samples"), Duration.ofNanos(nanos),
                    csvNumber(row.get(3), line, "learning_rate")));
        }
        return new History(epochs);
    }

    /**
     * Returns the history as JSON: {@code {"names": [...], "epochs": [{"epoch": 1, "samples": 105,
     * "seconds": 0.012, "learning_rate": 0.01, "values": {"loss": 0.93, ...}}, ...]}}, numbers as
     * {@link Double#toString(double)} writes them; a non-finite measurement, which JSON cannot hold, is
     * {@code null}.
     *
     * @return the JSON text, one epoch per line
     */
    public String toJson() {
        StringBuilder s = new StringBuilder("{\"names\": [");
        String separator = "";
        for (String name : names()) {
            s.append(separator);
            JsonText.appendString(s, name);
            separator = ", ";
        }
        s.append("],\n \"epochs\": [");
        for (int i = 0; i < epochs.size(); i++) {
            EpochSummary e = epochs.get(i);
            s.append(i == 0 ? "\n  " : ",\n  ").append("{\"epoch\": ").append(e.epoch()).append(", \"samples\": ")
                    .append(e.samples()).append(", \"seconds\": ").append(seconds(e.duration()))
                    .append(", \"learning_rate\": ").append(jsonNumber(e.learningRate())).append(", \"values\": {");
            separator = "";
            for (Map.Entry<String, Double> v : e.values().entrySet()) {
                s.append(separator);
                JsonText.appendString(s, v.getKey());
                s.append(": ").append(jsonNumber(v.getValue()));
                separator = ", ";
            }
            s.append("}}");
        }
        return s.append(epochs.isEmpty() ? "]}\n" : "\n ]}\n").toString();
    }

    private static String seconds(Duration d) {
        return Double.toString(d.toNanos() / 1e9);
    }

    private static String jsonNumber(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static String csvCell(String s) {
        return s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
                ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    private static double csvNumber(String cell, int line, String column) {
        try {
            return Double.parseDouble(cell);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("csv: line " + line + ", column " + column + ": \"" + cell
                    + "\" is not a number", e);
        }
    }

    /** Splits RFC 4180 text into rows of cells (quoted cells may hold commas, quotes and line breaks). */
    private static List<List<String>> csvRows(String csv) {
        List<List<String>> rows = new ArrayList<>();
        List<String> row = new ArrayList<>();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean any = false;
        for (int i = 0; i < csv.length(); i++) {
            char c = csv.charAt(i);
            if (quoted) {
                if (c == '"' && i + 1 < csv.length() && csv.charAt(i + 1) == '"') {
                    cell.append('"');
                    i++;
                } else if (c == '"') {
                    quoted = false;
                } else {
                    cell.append(c);
                }
            } else if (c == '"') {
                quoted = true;
                any = true;
            } else if (c == ',') {
                row.add(cell.toString());
                cell.setLength(0);
                any = true;
            } else if (c == '\n' || c == '\r') {
                if (c == '\r' && i + 1 < csv.length() && csv.charAt(i + 1) == '\n') {
                    i++;
                }
                if (any || cell.length() > 0) {
                    row.add(cell.toString());
                    rows.add(row);
                }
                row = new ArrayList<>();
                cell.setLength(0);
                any = false;
            } else {
                cell.append(c);
                any = true;
            }
        }
        if (any || cell.length() > 0) {
            row.add(cell.toString());
            rows.add(row);
        }
        return rows;
    }

    /** Returns one line per epoch. */
    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        epochs.forEach(e -> s.append(e).append('\n'));
        return s.toString();
    }
}
