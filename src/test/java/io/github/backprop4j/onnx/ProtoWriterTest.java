package io.github.backprop4j.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The wire format, byte for byte, against the examples of the protocol buffers encoding guide. */
class ProtoWriterTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    @Test
    void varintsTakeSevenBitsPerByteLeastSignificantFirst() {
        assertThat(new ProtoWriter().int64(1, 150).toByteArray()).isEqualTo(bytes(0x08, 0x96, 0x01));
        assertThat(new ProtoWriter().int64(1, 300).toByteArray()).isEqualTo(bytes(0x08, 0xAC, 0x02));
        assertThat(new ProtoWriter().int64(1, 0).toByteArray()).isEqualTo(bytes(0x08, 0x00));
    }

    @Test
    void negativeIntegersTakeTenBytesAsInt64Does() {
        assertThat(new ProtoWriter().int64(1, -1).toByteArray())
                .isEqualTo(bytes(0x08, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01));
    }

    @Test
    void fieldNumbersFromSixteenOnTakeATwoByteKey() {
        assertThat(new ProtoWriter().int64(20, 2).toByteArray()).isEqualTo(bytes(0xA0, 0x01, 0x02));
    }

    @Test
    void floatsAndDoublesAreLittleEndianFixedWidth() {
        assertThat(new ProtoWriter().float32(2, 1.0f).toByteArray()).isEqualTo(bytes(0x15, 0x00, 0x00, 0x80, 0x3F));
        assertThat(new ProtoWriter().float64(10, -2.0).toByteArray())
                .isEqualTo(bytes(0x51, 0, 0, 0, 0, 0, 0, 0x00, 0xC0));
    }

    @Test
    void stringsAndMessagesAreLengthPrefixed() {
        assertThat(new ProtoWriter().string(2, "testing").toByteArray())
                .isEqualTo(bytes(0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6e, 0x67));
        ProtoWriter inner = new ProtoWriter().int64(1, 150);
        assertThat(new ProtoWriter().message(3, inner).toByteArray()).isEqualTo(bytes(0x1A, 0x03, 0x08, 0x96, 0x01));
        assertThat(new ProtoWriter().string(1, "é").toByteArray()).isEqualTo(bytes(0x0A, 0x02, 0xC3, 0xA9));
    }
}
