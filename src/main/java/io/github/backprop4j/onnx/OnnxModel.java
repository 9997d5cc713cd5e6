package io.github.backprop4j.onnx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parts of an ONNX {@code ModelProto} that {@link OnnxImport} reads, decoded by {@link ProtoReader} with the
 * field numbers of the public {@code onnx.proto} (those {@link GraphBuilder} writes). Unknown fields are skipped.
 */
final class OnnxModel {

    /** The largest rank of a tensor that is read. */
    static final int MAX_RANK = 8;

    long irVersion;
    /** Opset version per domain ("" is the default domain). */
    final Map<String, Long> opsets = new HashMap<>();
    final List<Node> nodes = new ArrayList<>();
    final Map<String, Tensor> initializers = new HashMap<>();
    /** Graph inputs: name and element type (0 when not given). */
    final List<Map.Entry<String, Integer>> inputs = new ArrayList<>();
    final List<String> outputs = new ArrayList<>();
    /** The model's {@code metadata_props} (ModelProto field 14), key to value; a later duplicate key wins. */
    final Map<String, String> metadata = new HashMap<>();

    /** A tensor: its type, dims and values as doubles (float, double and integer types are read). */
    record Tensor(String name, int dataType, long[] dims, double[] values) {
        long count() {
            return values.length;
        }

        boolean isScalar() {
            return values.length == 1;
        }
    }

    /** An attribute: only the forms the importer reads are kept. */
    record Attribute(String name, Float f, Long i, Tensor t, List<Long> ints) {
    }

    /** A node; {@code index} is its position in the graph. */
    record Node(int index, String name, String opType, String domain, List<String> inputs, List<String> outputs,
            Map<String, Attribute> attributes) {
        String describe() {
            return "node " + index + (name.isEmpty() ? "" : " '" + name + "'") + " (" + opType + ")";
        }
    }

    static OnnxModel decode(byte[] bytes) throws OnnxFormatException {
        OnnxModel model = new OnnxModel();
        ProtoReader r = new ProtoReader(bytes);
        boolean graph = false;
        while (r.hasNext()) {
            switch (r.next()) {
                case 1 -> model.irVersion = r.int64("ModelProto.ir_version");
                case 7 -> {
                    model.graph(r.message("ModelProto.graph"));
                    graph = true;
                }
                case 8 -> {
                    ProtoReader o = r.message("ModelProto.opset_import");
                    String domain = "";
                    long version = 0;
                    while (o.hasNext()) {
                        switch (o.next()) {
                            case 1 -> domain = o.string("OperatorSetIdProto.domain");
                            case 2 -> version = o.int64("OperatorSetIdProto.version");
                            default -> o.skip();
                        }
                    }
                    model.opsets.put(domain, version);
                }
                case 14 -> {
                    ProtoReader e = r.message("ModelProto.metadata_props");
                    String key = "";
                    String value = "";
                    while (e.hasNext()) {
                        switch (e.next()) {
                            case 1 -> key = e.string("StringStringEntryProto.key");
                            case 2 -> value = e.string("StringStringEntryProto.value");
                            default -> e.skip();
                        }
                    }
                    model.metadata.put(key, value);
                }
                default -> r.skip();
            }
        }
        if (!graph) {
            throw new OnnxFormatException("the model has no graph (ModelProto field 7)");
        }
        return model;
    }

    private void graph(ProtoReader r) throws OnnxFormatException {
        while (r.hasNext()) {
            switch (r.next()) {
                case 1 -> nodes.add(node(r.message("GraphProto.node"), nodes.size()));
                case 5 -> {
                    Tensor t = tensor(r.message("GraphProto.initializer"));
                    initializers.put(t.name(), t);
                }
                case 11 -> inputs.add(valueInfo(r.message("GraphProto.input")));
                case 12 -> outputs.add(valueInfo(r.message("GraphProto.output")).getKey());
                default -> r.skip();
            }
        }
    }

    private static Map.Entry<String, Integer> valueInfo(ProtoReader r) throws OnnxFormatException {
        String name = "";
        int elemType = 0;
        while (r.hasNext()) {
            switch (r.next()) {
                case 1 -> name = r.string("ValueInfoProto.name");
                case 2 -> {
                    ProtoReader type = r.message("ValueInfoProto.type");
                    while (type.hasNext()) {
                        if (type.next() == 1) {
                            ProtoReader tensor = type.message("TypeProto.tensor_type");
                            while (tensor.hasNext()) {
                                if (tensor.next() == 1) {
                                    elemType = (int) tensor.int64("TypeProto.Tensor.elem_type");
                                } else {
                                    tensor.skip();
                                }
                            }
                        } else {
                            type.skip();
                        }
                    }
                }
                default -> r.skip();
            }
        }
        return Map.entry(name, elemType);
    }

    private static Node node(ProtoReader r, int index) throws OnnxFormatException {
        String name = "";
        String opType = "";
        String domain = "";
        List<String> inputs = new ArrayList<>();
        List<String> outputs = new ArrayList<>();
        Map<String, Attribute> attributes = new HashMap<>();
        while (r.hasNext()) {
            switch (r.next()) {
                case 1 -> inputs.add(r.string("NodeProto.input"));
                case 2 -> outputs.add(r.string("NodeProto.output"));
                case 3 -> name = r.string("NodeProto.name");
                case 4 -> opType = r.string("NodeProto.op_type");
                case 5 -> {
                    Attribute a = attribute(r.message("NodeProto.attribute"));
                    attributes.put(a.name(), a);
                }
                case 7 -> domain = r.string("NodeProto.domain");
                default -> r.skip();
            }
        }
        return new Node(index, name, opType, domain, inputs, outputs, attributes);
    }

    private static Attribute attribute(ProtoReader r) throws OnnxFormatException {
        String name = "";
        Float f = null;
        Long i = null;
        Tensor t = null;
        List<Long> ints = new ArrayList<>();
        while (r.hasNext()) {
            switch (r.next()) {
                case 1 -> name = r.string("AttributeProto.name");
                case 2 -> f = r.float32("AttributeProto.f");
                case 3 -> i = r.int64("AttributeProto.i");
                case 5 -> t = tensor(r.message("AttributeProto.t"));
                case 8 -> {
                    if (r.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        ProtoReader packed = r.message("AttributeProto.ints");
                        while (packed.hasNext()) {
                            ints.add(packed.varint());
                        }
                    } else {
                        ints.add(r.int64("AttributeProto.ints"));
                    }
                }
                default -> r.skip();
            }
        }
        return new Attribute(name, f, i, t, ints);
    }

    /** Decodes a tensor; its element count must be what its dims say, and its data must be stored in the file. */
    static Tensor tensor(ProtoReader r) throws OnnxFormatException {
        String name = "";
        int dataType = 0;
        List<Long> dims = new ArrayList<>();
        byte[] raw = null;
        List<ProtoReader> floatData = new ArrayList<>();
        List<ProtoReader> doubleData = new ArrayList<>();
        List<ProtoReader> int64Data = new ArrayList<>();
        List<Double> scalars = new ArrayList<>();
        while (r.hasNext()) {
            int field = r.next();
            switch (field) {
                case 1 -> {
                    if (r.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        ProtoReader packed = r.message("TensorProto.dims");
                        while (packed.hasNext() && dims.size() <= MAX_RANK) {
                            dims.add(packed.varint());
                        }
                    } else {
                        dims.add(r.int64("TensorProto.dims"));
                    }
                    if (dims.size() > MAX_RANK) {
                        throw new OnnxFormatException("a tensor has more than " + MAX_RANK + " dims");
                    }
                }
                case 2 -> dataType = (int) r.int64("TensorProto.data_type");
                case 3, 13, 14 -> throw new OnnxFormatException("a tensor uses segments or external data (TensorProto "
                        + "field " + field + "), which import does not support; store the tensors in the file");
                case 4 -> {
                    if (r.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        floatData.add(r.message("TensorProto.float_data"));
                    } else {
                        scalars.add((double) r.float32("TensorProto.float_data"));
                    }
                }
                case 7 -> {
                    if (r.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        int64Data.add(r.message("TensorProto.int64_data"));
                    } else {
                        scalars.add((double) r.int64("TensorProto.int64_data"));
                    }
                }
                case 8 -> name = r.string("TensorProto.name");
                case 9 -> raw = r.bytes("TensorProto.raw_data");
                case 10 -> {
                    if (r.wireType() == ProtoReader.LENGTH_DELIMITED) {
                        doubleData.add(r.message("TensorProto.double_data"));
                    } else if (r.wireType() == ProtoReader.FIXED64) {
                        scalars.add(Double.longBitsToDouble(r.fixed(8)));
                    } else {
                        throw new OnnxFormatException("tensor '" + name + "': double_data has wire type " + r.wireType());
                    }
                }
                default -> r.skip();
            }
        }
        long count = 1;
        long[] shape = new long[dims.size()];
        for (int k = 0; k < shape.length; k++) {
            shape[k] = dims.get(k);
            if (shape[k] < 0 || shape[k] > Integer.MAX_VALUE) {
                throw new OnnxFormatException("tensor '" + name + "' has the dimension " + shape[k] + " at axis " + k);
            }
            count *= shape[k];
            if (count > Integer.MAX_VALUE) {
                throw new OnnxFormatException("tensor '" + name + "' has more than " + Integer.MAX_VALUE + " elements");
            }
        }
        int width = switch (dataType) {
            case GraphBuilder.FLOAT -> 4;
            case GraphBuilder.DOUBLE, GraphBuilder.INT64 -> 8;
            default -> throw new OnnxFormatException("tensor '" + name + "' has the data type " + dataType
                    + "; import reads float (1), double (11) and int64 (7)");
        };
        double[] values;
        if (raw != null) {
            if (raw.length != count * width) {
                throw new OnnxFormatException("tensor '" + name + "' has " + raw.length + " bytes of raw_data but its dims "
                        + java.util.Arrays.toString(shape) + " need " + count * width);
            }
            ProtoReader data = new ProtoReader(raw);
            values = new double[(int) count];
            for (int k = 0; k < count; k++) {
                long bits = data.fixed(width);
                values[k] = dataType == GraphBuilder.FLOAT ? Float.intBitsToFloat((int) bits)
                        : dataType == GraphBuilder.DOUBLE ? Double.longBitsToDouble(bits) : (double) bits;
            }
        } else {
            List<Double> list = new ArrayList<>(scalars);
            for (ProtoReader p : floatData) {
                while (p.hasNext() && list.size() <= count) {
                    list.add((double) Float.intBitsToFloat((int) p.fixed(4)));
                }
            }
            for (ProtoReader p : doubleData) {
                while (p.hasNext() && list.size() <= count) {
                    list.add(Double.longBitsToDouble(p.fixed(8)));
                }
            }
            for (ProtoReader p : int64Data) {
                while (p.hasNext() && list.size() <= count) {
                    list.add((double) p.varint());
                }
            }
            if (list.size() != count) {
                throw new OnnxFormatException("tensor '" + name + "' holds " + (list.size() > count ? "more than " + count
                        : list.size()) + " values but its dims " + java.util.Arrays.toString(shape) + " need " + count);
            }
            values = new double[(int) count];
            for (int k = 0; k < count; k++) {
                values[k] = list.get(k);
            }
        }
        return new Tensor(name, dataType, shape, values);
    }
}
