package io.github.backprop4j.io;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads and writes the safetensors container: an 8-byte little-endian header length {@code N}, {@code N}
 * bytes of UTF-8 JSON (padded with spaces to a multiple of 8), then the tensors' little-endian bytes,
 * contiguous and in offset order up to the end of the file. Knows nothing of networks.
 *
 * <p>The reader trusts nothing: the header is streamed through the bounded {@link Json} reader, every
 * length, offset, shape and dtype is checked before it is used, and the data are then read tensor by tensor
 * ({@link #readHeader}, {@link #readData}). Memory is allocated only as far as real bytes justify it: the
 * file's size, once the header has been checked against it, or else the bytes that have arrived.
 */
final class Safetensors {

    /** The largest header accepted, as the reference implementation (100 MB). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    /** The highest tensor rank accepted. */
    static final int MAX_RANK = 8;
    /** The key of the string-to-string metadata in the header. */
    static final String METADATA_KEY = "__metadata__";
    /** Bytes read at a time when the size of the rest is not yet proven by the data itself. */
    private static final int CHUNK = 1 << 20;
    /** The largest byte array one tensor may need. */
    private static final long MAX_TENSOR_BYTES = Integer.MAX_VALUE - 8;
    /** The dtypes of the safetensors specification that this library cannot hold. */
    private static final Set<String> OTHER_DTYPES = Set.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16",
            "I32", "U32", "U64", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2", "C64");

    private Safetensors() {
    }

    /**
     * The element types that can be read; F64, F32 and I64 can be written. I64 is read only as a count (a batch
     * normalization's {@code num_batches_tracked}): {@link Elements#nextLong()}.
     */
    enum DType {
        F64(8), F32(4), F16(2), BF16(2), I64(8);

        final int size;

        DType(int size) {
            this.size = size;
        }
    }

    /**
     * One tensor: its element type, shape and raw little-endian bytes.
     *
     * @param dtype the element type
     * @param shape the sizes, outermost first
     * @param data {@code product(shape) · dtype.size} bytes
     */
    record Tensor(DType dtype, long[] shape, byte[] data) {

        /** Returns the number of elements. */
        long elementCount() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return n;
        }

        String shapeText() {
            return Arrays.toString(shape);
        }
    }

    /**
     * Converts an IEEE 754 half-precision value to float, exactly (every half is a float).
     *
     * @param half the 16 bits
     * @return the same number as a float
     */
    static float halfToFloat(short half) {
        int bits = half & 0xffff;
        int sign = (bits & 0x8000) << 16;
        int exponent = (bits >>> 10) & 0x1f;
        int mantissa = bits & 0x3ff;
        if (exponent == 0) { // zero or subnormal: mantissa · 2⁻²⁴
            float magnitude = Math.scalb((float) mantissa, -24);
            return sign != 0 ? -magnitude : magnitude;
        }
        if (exponent == 0x1f) { // infinity or NaN
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        return Float.intBitsToFloat(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
    }

    // ------------------------------------------------------------------ writing

    /**
     * Writes a file in the reference writer's layout: metadata first in the header, then the tensors sorted
     * by element size (largest first) and name, their data contiguous in that order.
     *
     * @param out where to write; not closed
     * @param metadata the metadata strings
     * @param tensors the tensors by name
     * @throws IOException if writing fails
     */
    static void write(OutputStream out, Map<String, String> metadata, Map<String, Tensor> tensors)
            throws IOException {
        List<Map.Entry<String, Tensor>> ordered = new ArrayList<>(tensors.entrySet());
        ordered.sort(Comparator.<Map.Entry<String, Tensor>>comparingInt(e -> -e.getValue().dtype().size)
                .thenComparing(Map.Entry::getKey));
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            Json.writeString(json, METADATA_KEY);
            json.append(":{");
            String separator = "";
            for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
                json.append(separator);
                Json.writeString(json, e.getKey());
                json.append(':');
                Json.writeString(json, e.getValue());
                separator = ",";
            }
            json.append('}');
        }
        long offset = 0;
        for (Map.Entry<String, Tensor> e : ordered) {
            Tensor t = e.getValue();
            if (json.length() > 1) {
                json.append(',');
            }
            Json.writeString(json, e.getKey());
            json.append(":{\"dtype\":\"").append(t.dtype()).append("\",\"shape\":[");
            for (int i = 0; i < t.shape().length; i++) {
                json.append(i == 0 ? "" : ",").append(t.shape()[i]);
            }
            json.append("],\"data_offsets\":[").append(offset).append(',').append(offset + t.data().length)
                    .append("]}");
            offset += t.data().length;
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (header.length + 7) / 8 * 8;
        byte[] head = new byte[8 + padded];
        ByteBuffer.wrap(head).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
        System.arraycopy(header, 0, head, 8, header.length);
        Arrays.fill(head, 8 + header.length, head.length, (byte) ' ');
        out.write(head);
        for (Map.Entry<String, Tensor> e : ordered) {
            out.write(e.getValue().data());
        }
    }

    /**
     * Encodes doubles as a little-endian tensor of the given dtype (F64, or F32 rounding each value).
     *
     * @param dtype F64 or F32
     * @param shape the shape
     * @param values the elements in row-major order
     * @return the tensor
     */
    static Tensor encode(DType dtype, long[] shape, double[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * dtype.size).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            switch (dtype) {
                case F64 -> b.putDouble(v);
                case F32 -> b.putFloat((float) v);
                default -> throw new IllegalArgumentException("cannot write " + dtype);
            }
        }
        return new Tensor(dtype, shape.clone(), b.array());
    }

    /**
     * Encodes a count as a scalar {@code I64} tensor (shape {@code []}), as PyTorch saves
     * {@code num_batches_tracked}.
     *
     * @param count the value
     * @return the tensor
     */
    static Tensor encodeCount(long count) {
        return new Tensor(DType.I64, new long[0], ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN)
                .putLong(count).array());
    }

    // ------------------------------------------------------------------ reading

    /**
     * What a header says, checked against itself and, where known, the file's size: the metadata and where
     * each tensor's data lie.
     *
     * @param metadata the {@code __metadata__} strings (empty if absent), sorted by key
     * @param tensors the tensors by name, in the order of their data
     * @param dataStart the file offset of the first tensor's data, {@code 8 + header length}
     * @param dataLength the bytes of tensor data that the header accounts for
     */
    record Header(Map<String, String> metadata, Map<String, Entry> tensors, long dataStart, long dataLength) {
    }

    /**
     * One tensor as the header describes it.
     *
     * @param name its name
     * @param dtype its element type
     * @param shape its sizes, outermost first
     * @param begin the offset of its first byte after the header
     * @param end the offset after its last byte
     */
    record Entry(String name, DType dtype, long[] shape, long begin, long end) {

        /** Returns the shape as text, e.g. {@code [3, 4]}. */
        String shapeText() {
            return Arrays.toString(shape);
        }
    }

    /** Turns one tensor's elements into whatever the caller keeps. */
    @FunctionalInterface
    interface TensorDecoder<T> {
        /**
         * Decodes one tensor.
         *
         * @param entry what the header says of it
         * @param elements its elements in row-major order, each widened to double exactly
         * @return what to keep
         * @throws IOException if the values are unacceptable ({@link ModelFormatException}) or reading fails
         */
        T decode(Entry entry, Elements elements) throws IOException;
    }

    /** A tensor's elements, read in order, one at a time. */
    abstract static class Elements {
        private final DType dtype;
        private final ByteBuffer buffer;

        Elements(DType dtype, ByteBuffer buffer) {
            this.dtype = dtype;
            this.buffer = buffer.order(ByteOrder.LITTLE_ENDIAN);
        }

        /** Makes at least {@code bytes} bytes available in the buffer. */
        abstract void require(ByteBuffer buffer, int bytes) throws IOException;

        /** Returns the next element of a floating-point tensor, widened to double. */
        final double next() throws IOException {
            if (buffer.remaining() < dtype.size) {
                require(buffer, dtype.size);
            }
            return switch (dtype) {
                case F64 -> buffer.getDouble();
                case F32 -> buffer.getFloat();
                case F16 -> halfToFloat(buffer.getShort());
                case BF16 -> Float.intBitsToFloat((buffer.getShort() & 0xffff) << 16);
                case I64 -> throw new IllegalStateException("an I64 tensor is read with nextLong()");
            };
        }

        /** Returns the next element of an {@code I64} tensor. */
        final long nextLong() throws IOException {
            if (dtype != DType.I64) {
                throw new IllegalStateException("a " + dtype + " tensor is read with next()");
            }
            if (buffer.remaining() < dtype.size) {
                require(buffer, dtype.size);
            }
            return buffer.getLong();
        }
    }

    /**
     * Reads and checks the header: its length, its JSON (streamed, so never held as a whole), every entry,
     * and that the entries' data tile the rest of the file exactly.
     *
     * @param in the file's bytes from its start; left at the first tensor's data
     * @param size the number of bytes in the file if known, else -1
     * @param where the file's name, for messages
     * @return the header
     * @throws ModelFormatException if the header is not valid, naming what and where
     * @throws IOException if reading fails
     */
    static Header readHeader(InputStream in, long size, String where) throws IOException {
        if (size >= 0 && size < 8) {
            throw new ModelFormatException(where + " has " + size + " bytes, too few for the 8-byte header length");
        }
        byte[] lengthBytes = readExactly(in, 8, "the 8-byte header length", where, false);
        long headerLength = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN).getLong();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new ModelFormatException("header length " + Long.toUnsignedString(headerLength) + " (bytes 0-7 of "
                    + where + ") is outside 2.." + MAX_HEADER_BYTES);
        }
        if (size >= 0 && headerLength > size - 8) {
            throw new ModelFormatException("header length " + headerLength + " (bytes 0-7 of " + where
                    + ") exceeds the " + (size - 8) + " bytes that follow it");
        }
        String headerWhere = "the header of " + where;
        HeaderBytes headerBytes = new HeaderBytes(in, headerLength, where);
        Reader text = new InputStreamReader(headerBytes, StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
        Object parsed = Json.parse(text, headerWhere);
        if (headerBytes.first != '{') {
            throw new ModelFormatException(headerWhere + " does not start with '{' (byte 8 of the file)");
        }
        if (!(parsed instanceof Map<?, ?> header)) {
            throw new ModelFormatException(headerWhere + " is not a JSON object");
        }

        Map<String, String> metadata = new TreeMap<>();
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<?, ?> e : header.entrySet()) {
            String name = (String) e.getKey();
            if (name.equals(METADATA_KEY)) {
                metadata = readMetadata(e.getValue(), headerWhere);
            } else {
                entries.add(readEntry(name, e.getValue(), headerWhere));
            }
        }
        entries.sort(Comparator.comparingLong(Entry::begin));
        long expectedBegin = 0;
        for (Entry e : entries) {
            if (e.begin != expectedBegin) {
                throw new ModelFormatException("tensor \"" + Json.shorten(e.name) + "\" in " + headerWhere
                        + " starts at data offset " + e.begin + " but the data before it end at " + expectedBegin
                        + (e.begin < expectedBegin ? " (tensors overlap)" : " (a gap)"));
            }
            expectedBegin = e.end;
        }
        long dataLength = expectedBegin;
        if (size >= 0 && 8 + headerLength + dataLength != size) {
            throw new ModelFormatException(where + " has " + (size - 8 - headerLength) + " bytes of tensor data "
                    + "after its header, but the header's data_offsets cover " + dataLength);
        }
        Map<String, Entry> tensors = new LinkedHashMap<>();
        for (Entry e : entries) {
            tensors.put(e.name, e);
        }
        return new Header(metadata, tensors, 8 + headerLength, dataLength);
    }

    /**
     * Reads the tensors' data in file order, one tensor at a time, handing each tensor's elements to the
     * decoder. When the file's size is known (the header has been checked against it, so the bytes exist),
     * the elements stream through a 64 KB buffer; otherwise each tensor's bytes are first read into storage
     * that grows as they arrive, so that a false header in a short stream costs no more memory than the stream
     * holds. Checks that the data end where the header says.
     *
     * @param in the bytes after the header
     * @param header the header read from the same stream
     * @param size the number of bytes in the file if known, else -1
     * @param where the file's name, for messages
     * @param decoder what to make of each tensor
     * @param <T> what the decoder makes
     * @return the decoded tensors by name, in file order
     * @throws ModelFormatException if the data are short or followed by more, or the decoder refuses them
     * @throws IOException if reading fails
     */
    static <T> Map<String, T> readData(InputStream in, Header header, long size, String where,
            TensorDecoder<T> decoder) throws IOException {
        Map<String, T> decoded = new LinkedHashMap<>();
        long fileOffset = header.dataStart();
        byte[] chunk = size >= 0 ? new byte[1 << 16] : null;
        for (Entry e : header.tensors().values()) {
            String what = "the data of tensor \"" + Json.shorten(e.name) + "\" (file bytes " + (fileOffset + e.begin)
                    + ".." + (fileOffset + e.end) + ")";
            int length = (int) (e.end - e.begin);
            Elements elements;
            if (chunk == null) {
                elements = new Elements(e.dtype, ByteBuffer.wrap(readExactly(in, length, what, where, false))) {
                    @Override
                    void require(ByteBuffer buffer, int bytes) {
                        throw new IllegalStateException("read past the end of " + what);
                    }
                };
            } else {
                ByteBuffer buffer = ByteBuffer.wrap(chunk).limit(0);
                long[] left = {length};
                elements = new Elements(e.dtype, buffer) {
                    @Override
                    void require(ByteBuffer b, int bytes) throws IOException {
                        b.compact();
                        while (b.position() < bytes) {
                            int n = in.read(chunk, b.position(), (int) Math.min(b.remaining(), left[0]));
                            if (n < 0 || left[0] == 0) {
                                throw new ModelFormatException(where + " ends after "
                                        + (length - left[0] - b.position()) + " of the " + length + " bytes of "
                                        + what, new EOFException());
                            }
                            b.position(b.position() + n);
                            left[0] -= n;
                        }
                        b.flip();
                    }
                };
            }
            decoded.put(e.name, decoder.decode(e, elements));
        }
        if (in.read() != -1) {
            throw new ModelFormatException(where + " has bytes after the last tensor's data, which ends at file byte "
                    + (fileOffset + header.dataLength()));
        }
        return decoded;
    }

    /**
     * The header's bytes as a stream: ends after the header length, remembers the first byte, and reports a
     * file that ends early as a {@link ModelFormatException}.
     */
    private static final class HeaderBytes extends InputStream {
        private final InputStream in;
        private final long length;
        private final String where;
        private long read;
        int first = -1;

        HeaderBytes(InputStream in, long length, String where) {
            this.in = in;
            this.length = length;
            this.where = where;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (read == length) {
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, length - read));
            if (n < 0) {
                throw new ModelFormatException(where + " ends after " + read + " of the " + length + " bytes of the "
                        + length + "-byte header", new EOFException());
            }
            if (read == 0 && n > 0) {
                first = b[off] & 0xff;
            }
            read += n;
            return n;
        }
    }

    private static Map<String, String> readMetadata(Object value, String where) throws ModelFormatException {
        if (!(value instanceof Map<?, ?> map)) {
            throw new ModelFormatException("\"" + METADATA_KEY + "\" in " + where + " is not a JSON object");
        }
        Map<String, String> metadata = new TreeMap<>();
        for (Map.Entry<?, ?> e : map.entrySet()) {
            if (!(e.getValue() instanceof String s)) {
                throw new ModelFormatException("metadata \"" + Json.shorten((String) e.getKey()) + "\" in " + where
                        + " is not a string");
            }
            metadata.put((String) e.getKey(), s);
        }
        return metadata;
    }

    private static Entry readEntry(String name, Object value, String where) throws ModelFormatException {
        String what = "tensor \"" + Json.shorten(name) + "\" in " + where;
        if (!(value instanceof Map<?, ?> fields)) {
            throw new ModelFormatException(what + " is not a JSON object");
        }
        for (Object key : fields.keySet()) {
            if (!Set.of("dtype", "shape", "data_offsets").contains(key)) {
                throw new ModelFormatException(what + " has an unknown field \"" + Json.shorten((String) key) + "\"");
            }
        }
        if (!(fields.get("dtype") instanceof String dtypeName)) {
            throw new ModelFormatException(what + " has no string \"dtype\"");
        }
        DType dtype;
        try {
            dtype = DType.valueOf(dtypeName);
        } catch (IllegalArgumentException e) {
            throw new ModelFormatException(what + " has " + (OTHER_DTYPES.contains(dtypeName) ? "the unsupported"
                    : "an unknown") + " dtype \"" + Json.shorten(dtypeName) + "\"; supported are F64, F32, F16, BF16 "
                    + "(and I64 for a count)");
        }
        List<Long> shapeList = nonNegativeIntegers(fields.get("shape"), "shape", what);
        if (shapeList.size() > MAX_RANK) {
            throw new ModelFormatException(what + " has rank " + shapeList.size() + ", more than " + MAX_RANK);
        }
        List<Long> offsets = nonNegativeIntegers(fields.get("data_offsets"), "data_offsets", what);
        if (offsets.size() != 2) {
            throw new ModelFormatException(what + " has " + offsets.size() + " data_offsets instead of 2");
        }
        long begin = offsets.get(0);
        long end = offsets.get(1);
        if (end < begin) {
            throw new ModelFormatException(what + " has data_offsets [" + begin + ", " + end + "] that end before "
                    + "they begin");
        }
        long[] shape = shapeList.stream().mapToLong(Long::longValue).toArray();
        long bytes = dtype.size;
        try {
            for (long s : shape) {
                bytes = Math.multiplyExact(bytes, s);
            }
        } catch (ArithmeticException e) {
            throw new ModelFormatException(what + " has shape " + Arrays.toString(shape) + ", too many elements");
        }
        if (bytes != end - begin) {
            throw new ModelFormatException(what + " has shape " + Arrays.toString(shape) + " of " + dtype + ", "
                    + bytes + " bytes, but data_offsets [" + begin + ", " + end + "] hold " + (end - begin));
        }
        if (bytes > MAX_TENSOR_BYTES) {
            throw new ModelFormatException(what + " has " + bytes + " bytes, more than one Java array can hold");
        }
        return new Entry(name, dtype, shape, begin, end);
    }

    private static List<Long> nonNegativeIntegers(Object value, String field, String what)
            throws ModelFormatException {
        if (!(value instanceof List<?> list)) {
            throw new ModelFormatException(what + " has no array \"" + field + "\"");
        }
        List<Long> result = new ArrayList<>();
        for (Object element : list) {
            if (!(element instanceof Json.Num num) || !num.text().matches("0|[1-9][0-9]{0,17}")) {
                String text = element instanceof String string ? "\"" + Json.shorten(string) + "\" (a string)"
                        : Json.shorten(String.valueOf(element));
                throw new ModelFormatException(what + " has \"" + field + "\" element " + text
                        + ", not an integer in 0..999999999999999999");
            }
            result.add(Long.parseLong(num.text()));
        }
        return result;
    }

    /**
     * Reads exactly {@code n} bytes. Unless the file's size has proven that they exist, storage is allocated
     * only as they arrive, so that a false length in a short stream costs no more memory than the stream holds.
     */
    static byte[] readExactly(InputStream in, int n, String what, String where, boolean sizeProven)
            throws IOException {
        byte[] buffer = new byte[sizeProven ? n : Math.min(n, CHUNK)];
        int filled = 0;
        while (filled < n) {
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, (int) Math.min(n, 2L * buffer.length));
            }
            int read = in.read(buffer, filled, buffer.length - filled);
            if (read < 0) {
                EOFException cause = new EOFException();
                throw new ModelFormatException(where + " ends after " + filled + " of the " + n + " bytes of " + what,
                        cause);
            }
            filled += read;
        }
        return buffer;
    }
}
