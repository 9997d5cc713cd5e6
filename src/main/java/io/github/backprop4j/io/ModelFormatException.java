package io.github.backprop4j.io;

import java.io.IOException;

/**
 * A model or checkpoint file that is malformed, inconsistent or not what the caller asked for: its message
 * says what is wrong and where (the tensor, metadata key or byte offset).
 *
 * <p>Loading any file, however damaged or hostile, ends either in a valid result or in this exception (or
 * a plain {@link IOException} from the file system); never in another exception.
 */
public class ModelFormatException extends IOException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and where
     */
    public ModelFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong and where
     * @param cause the underlying error
     */
    public ModelFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
