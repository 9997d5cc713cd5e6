package io.github.backprop4j.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * An ONNX graph being written: its nodes and initializers as encoded {@code NodeProto} and {@code TensorProto}
 * messages, with fresh value names. The field numbers are those of the public {@code onnx.proto}; the
 * constants below name them.
 */
final class GraphBuilder {

    // TensorProto.DataType
    static final int FLOAT = 1;
    static final int INT64 = 7;
    static final int DOUBLE = 11;

    // ModelProto
    private static final int MODEL_IR_VERSION = 1;
    private static final int MODEL_PRODUCER_NAME = 2;
    private static final int MODEL_PRODUCER_VERSION = 3;
    private static final int MODEL_DOC_STRING = 6;
    private static final int MODEL_GRAPH = 7;
    private static final int MODEL_OPSET_IMPORT = 8;
    private static final int MODEL_METADATA_PROPS = 14;
    // StringStringEntryProto
    private static final int ENTRY_KEY = 1;
    private static final int ENTRY_VALUE = 2;
    // OperatorSetIdProto
    private static final int OPSET_DOMAIN = 1;
    private static final int OPSET_VERSION = 2;
    // GraphProto
    private static final int GRAPH_NODE = 1;
    private static final int GRAPH_NAME = 2;
    private static final int GRAPH_INITIALIZER = 5;
    private static final int GRAPH_INPUT = 11;
    private static final int GRAPH_OUTPUT = 12;
    // NodeProto
    private static final int NODE_INPUT = 1;
    private static final int NODE_OUTPUT = 2;
    private static final int NODE_NAME = 3;
    private static final int NODE_OP_TYPE = 4;
    private static final int NODE_ATTRIBUTE = 5;
    // AttributeProto and AttributeProto.AttributeType
    private static final int ATTR_NAME = 1;
    private static final int ATTR_F = 2;
    private static final int ATTR_I = 3;
    private static final int ATTR_INTS = 8;
    private static final int ATTR_TYPE = 20;
    private static final int ATTR_TYPE_FLOAT = 1;
    private static final int ATTR_TYPE_INT = 2;
    private static final int ATTR_TYPE_INTS = 7;
    // TensorProto
    private static final int TENSOR_DIMS = 1;
    private static final int TENSOR_DATA_TYPE = 2;
    private static final int TENSOR_NAME = 8;
    private static final int TENSOR_RAW_DATA = 9;
    // ValueInfoProto, TypeProto, TypeProto.Tensor, TensorShapeProto, TensorShapeProto.Dimension
    private static final int VALUE_INFO_NAME = 1;
    private static final int VALUE_INFO_TYPE = 2;
    private static final int TYPE_TENSOR_TYPE = 1;
    private static final int TENSOR_TYPE_ELEM_TYPE = 1;
    private static final int TENSOR_TYPE_SHAPE = 2;
    private static final int SHAPE_DIM = 1;
    private static final int DIM_VALUE = 1;
    private static final int DIM_PARAM = 2;

    /** An attribute of a node, already encoded. */
    record Attribute(ProtoWriter encoded) {
        static Attribute of(String name, long value) {
            return new Attribute(new ProtoWriter().string(ATTR_NAME, name).int64(ATTR_I, value)
                    .int64(ATTR_TYPE, ATTR_TYPE_INT));
        }

        static Attribute of(String name, float value) {
            return new Attribute(new ProtoWriter().string(ATTR_NAME, name).float32(ATTR_F, value)
                    .int64(ATTR_TYPE, ATTR_TYPE_FLOAT));
        }

        static Attribute ints(String name, long... values) {
            ProtoWriter w = new ProtoWriter().string(ATTR_NAME, name);
            for (long v : values) {
                w.int64(ATTR_INTS, v);
            }
            return new Attribute(w.int64(ATTR_TYPE, ATTR_TYPE_INTS));
        }
    }

    private final int elemType;
    private final List<NodeSpec> nodes = new ArrayList<>();
    private final List<ProtoWriter> initializers = new ArrayList<>();
    private int counter;

    /**
     * @param elemType the element type of every floating-point tensor, {@link #FLOAT} or {@link #DOUBLE}
     */
    GraphBuilder(int elemType) {
        this.elemType = elemType;
    }

    /** Whether the graph computes in float64. */
    boolean isDouble() {
        return elemType == DOUBLE;
    }

    /**
     * Adds a node with one output, named from the given prefix.
     *
     * @return the name of the output
     */
    String node(String opType, String prefix, List<String> inputs, Attribute... attributes) {
        String output = prefix + "/" + opType + "_" + (counter++);
        nodes.add(new NodeSpec(opType, output, List.copyOf(inputs), attributes.clone()));
        return output;
    }

    /** Adds a node with one output, named from the given prefix. */
    String node(String opType, String prefix, String... inputs) {
        return node(opType, prefix, List.of(inputs));
    }

    /** Adds a floating-point initializer in the graph's element type, {@code values} in row-major order. */
    String initializer(String name, double[] values, long... dims) {
        boolean d = isDouble();
        ByteBuffer raw = ByteBuffer.allocate(values.length * (d ? 8 : 4)).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : values) {
            if (d) {
                raw.putDouble(v);
            } else {
                raw.putFloat((float) v);
            }
        }
        return addInitializer(name, elemType, raw.array(), dims);
    }

    /** Adds a floating-point scalar initializer (shape {@code []}), named from the prefix. */
    String scalar(String prefix, double value) {
        return initializer(prefix + "/const_" + (counter++), new double[] {value});
    }

    /** Adds an int64 initializer. */
    String int64s(String prefix, long[] values, long... dims) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            raw.putLong(v);
        }
        return addInitializer(prefix + "/const_" + (counter++), INT64, raw.array(), dims);
    }

    private String addInitializer(String name, int type, byte[] raw, long... dims) {
        ProtoWriter t = new ProtoWriter();
        for (long dim : dims) {
            t.int64(TENSOR_DIMS, dim);
        }
        t.int64(TENSOR_DATA_TYPE, type).string(TENSOR_NAME, name).bytes(TENSOR_RAW_DATA, raw);
        initializers.add(t);
        return name;
    }

    /**
     * Encodes the model: IR version, the opset, one graph whose input and output are {@code [batch × width]}
     * tensors with a symbolic batch dimension. The node that computes {@code result} is renamed to write the
     * graph output.
     */
    byte[] model(long irVersion, long opset, String producerVersion, String docString, String input, int inputWidth,
            String result, String output, int outputWidth) {
        return model(irVersion, opset, producerVersion, docString, input, inputWidth, result, output, outputWidth,
                Map.of());
    }

    /**
     * Encodes the model as {@link #model(long, long, String, String, String, int, String, String, int)} does,
     * with the given entries as the model's {@code metadata_props} ({@code StringStringEntryProto}s), in the
     * map's iteration order.
     */
    byte[] model(long irVersion, long opset, String producerVersion, String docString, String input, int inputWidth,
            String result, String output, int outputWidth, Map<String, String> metadata) {
        ProtoWriter graph = new ProtoWriter();
        for (NodeSpec node : nodes) {
            graph.message(GRAPH_NODE, node.encode(node.name().equals(result) ? output : node.name()));
        }
        graph.string(GRAPH_NAME, "backprop4j");
        for (ProtoWriter t : initializers) {
            graph.message(GRAPH_INITIALIZER, t);
        }
        graph.message(GRAPH_INPUT, valueInfo(input, inputWidth));
        graph.message(GRAPH_OUTPUT, valueInfo(output, outputWidth));
        ProtoWriter opsetId = new ProtoWriter().string(OPSET_DOMAIN, "").int64(OPSET_VERSION, opset);
        ProtoWriter model = new ProtoWriter().int64(MODEL_IR_VERSION, irVersion)
                .string(MODEL_PRODUCER_NAME, "backprop4j").string(MODEL_PRODUCER_VERSION, producerVersion)
                .string(MODEL_DOC_STRING, docString).message(MODEL_GRAPH, graph).message(MODEL_OPSET_IMPORT, opsetId);
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            model.message(MODEL_METADATA_PROPS,
                    new ProtoWriter().string(ENTRY_KEY, e.getKey()).string(ENTRY_VALUE, e.getValue()));
        }
        return model.toByteArray();
    }

    /** A node with one output; its name is the name of the value it computes unless that is a graph output. */
    private record NodeSpec(String opType, String name, List<String> inputs, Attribute[] attributes) {
        ProtoWriter encode(String output) {
            ProtoWriter w = new ProtoWriter();
            for (String in : inputs) {
                w.string(NODE_INPUT, in);
            }
            w.string(NODE_OUTPUT, output).string(NODE_NAME, name).string(NODE_OP_TYPE, opType);
            for (Attribute a : attributes) {
                w.message(NODE_ATTRIBUTE, a.encoded());
            }
            return w;
        }
    }

    private ProtoWriter valueInfo(String name, int width) {
        ProtoWriter shape = new ProtoWriter()
                .message(SHAPE_DIM, new ProtoWriter().string(DIM_PARAM, "batch"))
                .message(SHAPE_DIM, new ProtoWriter().int64(DIM_VALUE, width));
        ProtoWriter tensorType = new ProtoWriter().int64(TENSOR_TYPE_ELEM_TYPE, elemType)
                .message(TENSOR_TYPE_SHAPE, shape);
        ProtoWriter type = new ProtoWriter().message(TYPE_TENSOR_TYPE, tensorType);
        return new ProtoWriter().string(VALUE_INFO_NAME, name).message(VALUE_INFO_TYPE, type);
    }
}
