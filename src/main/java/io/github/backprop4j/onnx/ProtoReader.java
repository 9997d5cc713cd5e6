package io.github.backprop4j.onnx;

import java.nio.charset.StandardCharsets;

/**
 * A bounded reader of the protocol buffers wire format, the counterpart of {@link ProtoWriter}: it reads one
 * message, {@code [start, limit)} of a byte array, field by field. Every length is checked against the bytes
 * that remain before anything is allocated, a varint longer than ten bytes is refused, and each read moves
 * forward, so no input can make it allocate more than the input's size or loop forever. Malformed input ends
 * in an {@link OnnxFormatException} that names the byte offset.
 */
final class ProtoReader {

    static final int VARINT = 0;
    static final int FIXED64 = 1;
    static final int LENGTH_DELIMITED = 2;
    static final int FIXED32 = 5;

    private final byte[] data;
    private final int limit;
    private int position;
    private int wireType;

    ProtoReader(byte[] data) {
        this(data, 0, data.length);
    }

    private ProtoReader(byte[] data, int start, int limit) {
        this.data = data;
        this.position = start;
        this.limit = limit;
    }

    /** Whether a field remains in the message. */
    boolean hasNext() {
        return position < limit;
    }

    /** Reads the next field's key and returns its number; {@link #wireType()} then gives its wire type. */
    int next() throws OnnxFormatException {
        int at = position;
        long key = varint();
        wireType = (int) (key & 7);
        long field = key >>> 3;
        if (field < 1 || field > 536_870_911L) {
            throw new OnnxFormatException("bad field number " + field + " at byte " + at);
        }
        if (wireType != VARINT && wireType != FIXED64 && wireType != LENGTH_DELIMITED && wireType != FIXED32) {
            throw new OnnxFormatException("unsupported wire type " + wireType + " of field " + field + " at byte " + at);
        }
        return (int) field;
    }

    /** The wire type of the field just read by {@link #next()}. */
    int wireType() {
        return wireType;
    }

    /** The current byte offset, for messages. */
    int position() {
        return position;
    }

    /** Reads a varint (at most ten bytes). */
    long varint() throws OnnxFormatException {
        long result = 0;
        int at = position;
        for (int shift = 0; shift < 70; shift += 7) {
            if (position >= limit) {
                throw new OnnxFormatException("truncated varint at byte " + at);
            }
            int b = data[position++] & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new OnnxFormatException("varint longer than ten bytes at byte " + at);
    }

    /** Reads an integer field, checking its wire type. */
    long int64(String what) throws OnnxFormatException {
        expect(VARINT, what);
        return varint();
    }

    /** Reads a {@code float} field (wire type 5). */
    float float32(String what) throws OnnxFormatException {
        expect(FIXED32, what);
        return Float.intBitsToFloat((int) fixed(4));
    }

    /** Reads 4 or 8 little-endian bytes. */
    long fixed(int bytes) throws OnnxFormatException {
        require(bytes);
        long v = 0;
        for (int i = 0; i < bytes; i++) {
            v |= (long) (data[position++] & 0xFF) << (8 * i);
        }
        return v;
    }

    /** Reads a length-delimited field as a reader over its bytes. */
    ProtoReader message(String what) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, what);
        int length = length(what);
        ProtoReader r = new ProtoReader(data, position, position + length);
        position += length;
        return r;
    }

    /** Reads a length-delimited field as bytes. */
    byte[] bytes(String what) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, what);
        int length = length(what);
        byte[] b = new byte[length];
        System.arraycopy(data, position, b, 0, length);
        position += length;
        return b;
    }

    /** Reads a length-delimited field as UTF-8 text. */
    String string(String what) throws OnnxFormatException {
        expect(LENGTH_DELIMITED, what);
        int length = length(what);
        String s = new String(data, position, length, StandardCharsets.UTF_8);
        position += length;
        return s;
    }

    /** Skips the value of the field just read. */
    void skip() throws OnnxFormatException {
        switch (wireType) {
            case VARINT -> varint();
            case FIXED64 -> fixed(8);
            case FIXED32 -> fixed(4);
            default -> {
                int length = length("a skipped field");
                position += length;
            }
        }
    }

    private int length(String what) throws OnnxFormatException {
        int at = position;
        long length = varint();
        if (length < 0 || length > limit - position) {
            throw new OnnxFormatException(what + " at byte " + at + " claims " + Long.toUnsignedString(length)
                    + " bytes but only " + (limit - position) + " remain");
        }
        return (int) length;
    }

    private void require(int bytes) throws OnnxFormatException {
        if (limit - position < bytes) {
            throw new OnnxFormatException("truncated field at byte " + position + ": " + bytes + " bytes needed, "
                    + (limit - position) + " remain");
        }
    }

    private void expect(int type, String what) throws OnnxFormatException {
        if (wireType != type) {
            throw new OnnxFormatException(what + " before byte " + position + " has wire type " + wireType
                    + ", expected " + type);
        }
    }
}
