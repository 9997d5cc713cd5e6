package io.github.backprop4j.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The few pieces of the protocol buffers wire format that an ONNX model needs, written by hand so that the
 * library needs no protobuf dependency. A field is a key {@code (number << 3) | wireType} as a varint, then
 * its value: a varint (wire type 0: integers, enums, booleans), 8 little-endian bytes (type 1: {@code double}),
 * a length-prefixed byte string (type 2: strings, bytes, nested messages) or 4 little-endian bytes (type 5:
 * {@code float}). Repeated fields are written one element per field, which every parser accepts.
 */
final class ProtoWriter {

    private static final int VARINT = 0;
    private static final int FIXED64 = 1;
    private static final int LENGTH_DELIMITED = 2;
    private static final int FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Writes an integer field (int32, int64, enum) as a varint; negative values take ten bytes, as protobuf's do. */
    ProtoWriter int64(int field, long value) {
        key(field, VARINT);
        varint(value);
        return this;
    }

    /** Writes a {@code float} field, 4 little-endian bytes. */
    ProtoWriter float32(int field, float value) {
        key(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) {
            out.write(bits >>> (8 * i));
        }
        return this;
    }

    /** Writes a {@code double} field, 8 little-endian bytes. */
    ProtoWriter float64(int field, double value) {
        key(field, FIXED64);
        long bits = Double.doubleToRawLongBits(value);
        for (int i = 0; i < 8; i++) {
            out.write((int) (bits >>> (8 * i)));
        }
        return this;
    }

    /** Writes a string field, UTF-8, length-prefixed. */
    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    /** Writes a bytes field, length-prefixed. */
    ProtoWriter bytes(int field, byte[] value) {
        key(field, LENGTH_DELIMITED);
        varint(value.length);
        out.write(value, 0, value.length);
        return this;
    }

    /** Writes a nested message field: its encoding, length-prefixed. */
    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    /** Returns the bytes written so far. */
    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void key(int field, int wireType) {
        varint(((long) field << 3) | wireType);
    }

    /** Seven bits per byte, least significant group first, the high bit set on every byte but the last. */
    private void varint(long value) {
        long v = value;
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
    }
}
