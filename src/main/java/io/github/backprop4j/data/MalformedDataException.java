package io.github.backprop4j.data;

import java.io.IOException;

/**
 * Thrown when a data file does not have the format its reader expects: a bad magic number, a truncated file,
 * a value that is not a number, a line with the wrong number of columns. The message names the source and,
 * where there is one, the position (line and column of a CSV file, 1-based as in an editor).
 */
public class MalformedDataException extends IOException {

    private static final long serialVersionUID = 1L;

    /** The line at fault, from 1, or 0. */
    private final int line;
    /** The column at fault, from 1, or 0. */
    private final int column;

    /**
     * Creates an exception without a position.
     *
     * @param message what is wrong and where
     */
    public MalformedDataException(String message) {
        this(message, 0, 0);
    }

    /**
     * Creates an exception at a position of a text file.
     *
     * @param message what is wrong and where
     * @param line the line, from 1, or 0 if unknown
     * @param column the column, from 1, or 0 if unknown or the whole line is wrong
     */
    public MalformedDataException(String message, int line, int column) {
        super(message);
        this.line = line;
        this.column = column;
    }

    /**
     * Returns the line at fault.
     *
     * @return the line, from 1, or 0 if the problem has no line (a binary file)
     */
    public int line() {
        return line;
    }

    /**
     * Returns the column at fault.
     *
     * @return the column, from 1, or 0 if the problem concerns no single column
     */
    public int column() {
        return column;
    }
}
