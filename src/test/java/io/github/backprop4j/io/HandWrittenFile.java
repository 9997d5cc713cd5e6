package io.github.backprop4j.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Assembles safetensors bytes straight from the specification, independently of {@link Safetensors}: the
 * caller writes the header JSON text itself and appends the data in whatever order it chose.
 */
final class HandWrittenFile {

    private final ByteArrayOutputStream data = new ByteArrayOutputStream();

    /** Appends doubles as little-endian F64 and returns {@code [begin, end]} of their bytes. */
    long[] f64(double... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            b.putDouble(v);
        }
        return append(b.array());
    }

    /** Appends floats as little-endian F32. */
    long[] f32(float... values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return append(b.array());
    }

    /** Appends raw 16-bit patterns (F16 or BF16) little-endian. */
    long[] bits16(int... patterns) {
        ByteBuffer b = ByteBuffer.allocate(patterns.length * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int p : patterns) {
            b.putShort((short) p);
        }
        return append(b.array());
    }

    private long[] append(byte[] bytes) {
        long begin = data.size();
        data.writeBytes(bytes);
        return new long[] {begin, data.size()};
    }

    /** Returns the file: the header length, the header as given (not padded), then the data. */
    byte[] build(String headerJson) {
        byte[] header = headerJson.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + header.length + data.size()).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(header.length).put(header).put(data.toByteArray());
        return b.array();
    }
}
