package io.github.backprop4j.io;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A structure-aware mutator of safetensors files for {@link ModelFileFuzzTest}: it parses the header, edits
 * one thing a hostile or careless writer could get wrong (a dtype, a shape, data offsets, a metadata value, a
 * tensor's presence or name, an added int64 tensor), and writes the file again. Unless the mutation is of the
 * offsets themselves, offsets are recomputed from the tensors' bytes, so that the mutant passes the
 * container's checks and reaches the model's.
 */
final class StructuredMutator {

    private static final String[] DTYPES = {"F64", "F32", "F16", "BF16", "I64", "I32", "U8", "BOOL", "f32", ""};
    private static final String[] METADATA_VALUES = {"0", "1", "2", "3", "-1", "999999999", "1000000000", "01", "+1",
        "1.5", "1e400", "NaN", "Infinity", "", " 1", "float32", "float64", "float16", "relu", "softmax", "identity",
        "leaky_relu", "elu", "no_such_activation", "backprop4j.network", "backprop4j.checkpoint", "mse",
        "cross_entropy", "adam", "sgd", "loss,loss", "loss", "val_loss", "9223372036854775807",
        "-9223372036854775808", "99999999999999999999", "0.001", "-0.0", "a,b,c", "dense", "layer_norm",
        "batch_norm", "embedding", "residual", "conv", "layer_kinds", "layer_kinds,qz", ",layer_kinds", "1.0E-5", "1e-5",
        "-1.0E-5", "0.0", "0.1", "1.0", "1.0000001", "8", "7", "6", "4", "5", "standardizer", "min_max", "[]",
        "[\"a\"]", "[\"a\",\"a\"]", "[\"a\",\"b\",\"c\"]", "[1]", "{\"columns\":[]}",
        "{\"columns\":[{\"name\":\"c\",\"values\":[\"x\",\"y\",\"z\"]}]}"};
    private static final String[] METADATA_KEYS = {"format", "format_version", "precision", "input_size",
        "layer_count", "layer1.units", "layer1.activation", "layer1.activation.alpha", "layer2.units",
        "layer9.units", "required_features", "epoch", "seed", "optimizer_state.step_count", "loss", "optimizer",
        "optimizer.learning_rate", "optimizer.beta1", "history.1.names", "history.1.value.0", "history.1.samples",
        "history.2.learning_rate", "history.3.names", "library_version", "layer1.kind", "layer2.kind", "layer3.kind",
        "layer3.eps", "layer3.momentum", "layer5.eps", "layer1.numeric_columns", "layer1.tables",
        "layer1.tables.0.cardinality", "layer1.tables.1.dimension", "layer1.tables.2.dimension", "layer4.inner_layers",
        "layer4.f.0.kind", "layer4.f.1.units", "layer4.f.0.activation", "layer4.f.2.units", "layer4.f.2.kind",
        "layer6.f.0.eps", "layer6.f.2.inner_layers", "layer6.f.2.f.0.kind", "layer6.f.2.f.1.activation.alpha",
        "bundle_format_version", "bundle.scaler", "bundle.scaler.lower", "bundle.scaler.upper", "bundle.categories",
        "bundle.class_names", "bundle.feature_names", "bundle.x"};
    private static final String[] TENSOR_NAMES = {"0.weight", "0.bias", "1.weight", "2.weight", "2.bias", "4.weight",
        "optimizer.layer1.weights.exp_avg", "optimizer.layer1.bias.exp_avg_sq", "optimizer.layer9.weights.m",
        "optimizer.layer1.weights", "optimizer.layer0.bias.v", "optimizer.layer1.kernel.v", "x", "", "__metadata__",
        "0.tables.0.weight", "0.tables.2.weight", "3.weight", "3.running_mean", "3.running_var",
        "3.num_batches_tracked", "5.f.0.weight", "5.f.1.weight", "5.f.2.bias", "9.f.0.num_batches_tracked",
        "optimizer.layer1.tables.0.embedding.exp_avg", "optimizer.layer3.scale.exp_avg", "optimizer.layer3.shift.m",
        "optimizer.layer4.f.0.weights.exp_avg_sq", "optimizer.layer4.f.2.bias.exp_avg", "optimizer.layer4.f.x.bias.m",
        "optimizer.layer3.running_mean.m", "optimizer.layer6.f.2.f.1.weights.exp_avg", "preprocessing.mean",
        "preprocessing.std", "preprocessing.min", "preprocessing.max", "preprocessing.x"};

    private StructuredMutator() {
    }

    /** A tensor taken apart: its header fields (in order) and its bytes. */
    private record Part(String name, Map<String, Object> fields, byte[] data) {
    }

    /**
     * Returns a mutant of a valid file, describing the mutation in {@code how[0]} (its first word is the kind).
     *
     * @param original a valid safetensors file
     * @param random the source of choices
     * @param how receives the description
     * @return the mutant
     */
    @SuppressWarnings("unchecked")
    static byte[] mutate(byte[] original, SplittableRandom random, String[] how) {
        long n = ByteBuffer.wrap(original).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Map<String, Object> header;
        try {
            header = (Map<String, Object>) Json.parse(new String(original, 8, (int) n, StandardCharsets.UTF_8), "seed");
        } catch (ModelFormatException e) {
            throw new IllegalStateException("a seed file does not parse", e);
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        List<Part> parts = new ArrayList<>();
        for (Map.Entry<String, Object> e : header.entrySet()) {
            if (e.getKey().equals(Safetensors.METADATA_KEY)) {
                metadata.putAll((Map<String, Object>) e.getValue());
                continue;
            }
            Map<String, Object> fields = new LinkedHashMap<>((Map<String, Object>) e.getValue());
            List<Object> offsets = (List<Object>) fields.get("data_offsets");
            int begin = Integer.parseInt(offsets.get(0).toString());
            int end = Integer.parseInt(offsets.get(1).toString());
            parts.add(new Part(e.getKey(), fields, Arrays.copyOfRange(original, (int) (8 + n + begin),
                    (int) (8 + n + end))));
        }
        parts.sort((a, b) -> Long.compare(offset(a), offset(b)));
        boolean keepOffsets = false;
        Part part = parts.get(random.nextInt(parts.size()));
        switch (random.nextInt(10)) {
            case 0 -> {
                String dtype = DTYPES[random.nextInt(DTYPES.length)];
                part.fields().put("dtype", dtype);
                how[0] = "dtype of " + part.name() + " := " + dtype;
            }
            case 1 -> { // change the dtype and convert the data, so that sizes still agree
                String from = (String) part.fields().get("dtype");
                String to = from.equals("F64") ? "F32" : "F64";
                parts.set(parts.indexOf(part), convert(part, from, to));
                how[0] = "converted " + part.name() + " from " + from + " to " + to;
            }
            case 2 -> {
                List<Object> shape = new ArrayList<>((List<Object>) part.fields().get("shape"));
                Object[] values = {new Json.Num("0"), new Json.Num("1"), new Json.Num("2"), new Json.Num("3"),
                    new Json.Num("2147483648"), new Json.Num("9223372036854775807"), new Json.Num("-1"),
                    new Json.Num("1.5"), "4", Json.NULL};
                Object value = values[random.nextInt(values.length)];
                int what = random.nextInt(4);
                if (what == 0 || shape.isEmpty()) {
                    shape.add(random.nextInt(shape.size() + 1), value);
                } else if (what == 1) {
                    shape.remove(random.nextInt(shape.size()));
                } else if (what == 2) {
                    shape.set(random.nextInt(shape.size()), value);
                } else {
                    java.util.Collections.reverse(shape);
                }
                part.fields().put("shape", shape);
                how[0] = "shape of " + part.name() + " := " + shape;
            }
            case 3 -> {
                keepOffsets = true;
                how[0] = "offsets of " + part.name() + " " + editOffsets(parts, part, random);
            }
            case 4 -> {
                String key = pick(random, metadata, METADATA_KEYS);
                String value = METADATA_VALUES[random.nextInt(METADATA_VALUES.length)];
                metadata.put(key, value);
                how[0] = "metadata " + key + " := " + value;
            }
            case 5 -> {
                String key = pick(random, metadata, METADATA_KEYS);
                metadata.remove(key);
                how[0] = "metadata " + key + " removed";
            }
            case 6 -> {
                parts.remove(part);
                how[0] = "tensor " + part.name() + " removed";
            }
            case 7 -> {
                String name = TENSOR_NAMES[random.nextInt(TENSOR_NAMES.length)];
                parts.set(parts.indexOf(part), new Part(name, part.fields(), part.data()));
                how[0] = "tensor " + part.name() + " renamed " + name;
            }
            case 8 -> { // an int64 vector, or a scalar count as PyTorch saves num_batches_tracked
                Map<String, Object> fields = new LinkedHashMap<>();
                fields.put("dtype", "I64");
                boolean scalar = random.nextBoolean();
                fields.put("shape", scalar ? List.of() : List.of(new Json.Num("2")));
                byte[] data = scalar ? ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(random.nextInt(3)
                        - 1).array() : ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(random.nextLong())
                        .putLong(7).array();
                String name = TENSOR_NAMES[random.nextInt(TENSOR_NAMES.length)];
                parts.removeIf(p -> p.name().equals(name));
                parts.add(random.nextInt(parts.size() + 1), new Part(name, fields, data));
                how[0] = "int64 tensor " + name + " added";
            }
            default -> { // a copy of a tensor under another name, or an unknown field
                if (random.nextBoolean()) {
                    String name = TENSOR_NAMES[random.nextInt(TENSOR_NAMES.length)];
                    parts.removeIf(p -> p.name().equals(name));
                    parts.add(new Part(name, new LinkedHashMap<>(part.fields()), part.data()));
                    how[0] = "tensor copied " + part.name() + " as " + name;
                } else {
                    part.fields().put("extra", new Json.Num("1"));
                    how[0] = "tensor field added to " + part.name();
                }
            }
        }
        if (parts.isEmpty() && metadata.isEmpty()) {
            metadata.put("format", "backprop4j.network");
        }
        return write(metadata, parts, keepOffsets);
    }

    private static long offset(Part p) {
        return Long.parseLong(((List<?>) p.fields().get("data_offsets")).get(0).toString());
    }

    private static String pick(SplittableRandom random, Map<String, Object> metadata, String[] pool) {
        if (!metadata.isEmpty() && random.nextBoolean()) {
            List<String> keys = new ArrayList<>(metadata.keySet());
            return keys.get(random.nextInt(keys.size()));
        }
        return pool[random.nextInt(pool.length)];
    }

    private static Part convert(Part part, String from, String to) {
        ByteBuffer in = ByteBuffer.wrap(part.data()).order(ByteOrder.LITTLE_ENDIAN);
        int size = from.equals("F64") ? 8 : from.equals("F32") ? 4 : 2;
        int count = part.data().length / size;
        ByteBuffer out = ByteBuffer.allocate(count * (to.equals("F64") ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; i++) {
            double v = switch (from) {
                case "F64" -> in.getDouble(i * 8);
                case "F32" -> in.getFloat(i * 4);
                case "F16" -> Safetensors.halfToFloat(in.getShort(i * 2));
                default -> Float.intBitsToFloat((in.getShort(i * 2) & 0xffff) << 16);
            };
            if (to.equals("F64")) {
                out.putDouble(v);
            } else {
                out.putFloat((float) v);
            }
        }
        Map<String, Object> fields = new LinkedHashMap<>(part.fields());
        fields.put("dtype", to);
        return new Part(part.name(), fields, out.array());
    }

    /** Edits one tensor's offsets after the others are laid out; returns a description. */
    private static String editOffsets(List<Part> parts, Part part, SplittableRandom random) {
        layOut(parts);
        List<?> offsets = (List<?>) part.fields().get("data_offsets");
        long begin = Long.parseLong(offsets.get(0).toString());
        long end = Long.parseLong(offsets.get(1).toString());
        long[][] choices = {{end, begin}, {begin + 1, end + 1}, {begin - 1, end - 1}, {begin, end + 8},
            {0, end - begin}, {begin, Long.MAX_VALUE}, {begin, begin}, {begin + 4, end}};
        long[] chosen = choices[random.nextInt(choices.length)];
        part.fields().put("data_offsets", List.of(new Json.Num(Long.toString(chosen[0])),
                new Json.Num(Long.toString(chosen[1]))));
        return "[" + begin + ", " + end + "] := " + Arrays.toString(chosen);
    }

    /** Sets every tensor's offsets to its place in the given order. */
    private static void layOut(List<Part> parts) {
        long at = 0;
        for (Part p : parts) {
            p.fields().put("data_offsets", List.of(new Json.Num(Long.toString(at)),
                    new Json.Num(Long.toString(at + p.data().length))));
            at += p.data().length;
        }
    }

    private static byte[] write(Map<String, Object> metadata, List<Part> parts, boolean keepOffsets) {
        if (!keepOffsets) {
            layOut(parts);
        }
        StringBuilder json = new StringBuilder("{");
        if (!metadata.isEmpty()) {
            Json.writeString(json, Safetensors.METADATA_KEY);
            json.append(':');
            value(json, metadata);
        }
        for (Part p : parts) {
            if (json.length() > 1) {
                json.append(',');
            }
            Json.writeString(json, p.name());
            json.append(':');
            value(json, p.fields());
        }
        json.append('}');
        byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
        out.writeBytes(header);
        for (Part p : parts) {
            out.writeBytes(p.data());
        }
        return out.toByteArray();
    }

    /** Writes a value as {@link Json} reads it back. */
    private static void value(StringBuilder out, Object v) {
        if (v instanceof String s) {
            Json.writeString(out, s);
        } else if (v instanceof Map<?, ?> m) {
            out.append('{');
            String separator = "";
            for (Map.Entry<?, ?> e : m.entrySet()) {
                out.append(separator);
                Json.writeString(out, (String) e.getKey());
                out.append(':');
                value(out, e.getValue());
                separator = ",";
            }
            out.append('}');
        } else if (v instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                out.append(i == 0 ? "" : ",");
                value(out, list.get(i));
            }
            out.append(']');
        } else {
            out.append(v); // Num, Boolean, NULL
        }
    }
}
