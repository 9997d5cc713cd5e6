package io.github.backprop4j.onnx;

import io.github.backprop4j.io.ModelFormatException;

/**
 * An ONNX model that {@link OnnxImport} cannot read: malformed protocol buffers (a truncated field, an absurd
 * length, dimension or count), an inconsistent tensor, or a graph outside the supported subset. The message says
 * what is wrong and where (the byte offset, the tensor or the node with its op type, and what is supported).
 *
 * <p>Reading any byte sequence, however damaged, ends either in a network or in this exception (or a plain
 * {@link java.io.IOException} from the file system or stream); never in another exception.
 */
public class OnnxFormatException extends ModelFormatException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong and where
     */
    public OnnxFormatException(String message) {
        super(message);
    }

    /**
     * Creates the exception with a cause.
     *
     * @param message what is wrong and where
     * @param cause the underlying error
     */
    public OnnxFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
