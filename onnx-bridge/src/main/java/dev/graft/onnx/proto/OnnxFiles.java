package dev.graft.onnx.proto;

import dev.graft.runtime.GraftException;
import dev.graft.runtime.GraftException.Code;
import onnx.Onnx.AttributeProto;
import onnx.Onnx.FunctionProto;
import onnx.Onnx.GraphProto;
import onnx.Onnx.ModelProto;
import onnx.Onnx.NodeProto;
import onnx.Onnx.SparseTensorProto;
import onnx.Onnx.TensorProto;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.shade.protobuf.CodedInputStream;
import org.nd4j.shade.protobuf.InvalidProtocolBufferException;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Reads ONNX model files and {@code TensorProto} files, turning every way they can be wrong into one
 * {@link GraftException} message that names the file (and the tensor).
 *
 * <h2>What {@link #readModel(Path)} checks, in order</h2>
 * <ol>
 *   <li>The file exists, is a regular file, is readable, is under 2 GB (the protobuf limit; larger
 *   models keep their weights in external data) and fits in the JVM's maximum heap.</li>
 *   <li>It parses as a {@code ModelProto} and looks like a model (an IR version and a graph); random
 *   bytes, truncated and corrupt files fail here: "x.onnx is not a valid ONNX model: ...".</li>
 *   <li>The tensor budget: the declared sizes (dimensions times element size) of every tensor in the
 *   model (initializers, sparse initializers, tensor attributes such as Constant values, in the main
 *   graph, in subgraphs and in local functions) are summed <em>before anything is allocated</em> and
 *   compared with the limit (by default the JVM's maximum heap, which is also ND4J's default off-heap
 *   limit; {@code -Dgraft.onnx.max-tensor-bytes=N} or {@link #readModel(Path, long)} change it). A
 *   model claiming 10^12 floats fails here, naming its largest tensor and the sizes.</li>
 *   <li>Every tensor's data matches its declaration: {@code raw_data} or the typed field holds
 *   exactly the declared number of elements; external data (see {@link ExternalData}) lies inside the
 *   model's directory, in an existing file, within its size.</li>
 * </ol>
 * Nothing is converted: tensors become ND4J arrays on demand with {@link Tensors#toArray(TensorProto,
 * Path)}. The file's bytes are parsed in place (the proto's {@code raw_data} fields alias one byte
 * array), so a model costs about its file size in heap.
 *
 * <p>Missing and invalid model files are {@code MODEL} errors; an unreadable one (permissions) is
 * {@code IO}; bad {@code .pb} test-data files are {@code DATA} errors.
 */
public final class OnnxFiles {
    /** System property overriding the default tensor budget, in bytes. */
    public static final String MAX_TENSOR_BYTES_PROPERTY = "graft.onnx.max-tensor-bytes";

    /** Protobuf cannot serialise a message of 2 GB or more. */
    static final long MAX_PROTO_BYTES = Integer.MAX_VALUE;

    private OnnxFiles() {
    }

    /** The budget used by {@link #readModel(Path)}: {@value #MAX_TENSOR_BYTES_PROPERTY} if set, else the JVM's maximum heap. */
    public static long defaultMaxTensorBytes() {
        String p = System.getProperty(MAX_TENSOR_BYTES_PROPERTY);
        if (p != null && !p.isBlank()) {
            try {
                long v = Long.parseLong(p.trim().replace("_", ""));
                if (v > 0) {
                    return v;
                }
            } catch (NumberFormatException e) {
                // fall through to the error
            }
            throw new GraftException(Code.CONFIG, "-D" + MAX_TENSOR_BYTES_PROPERTY + "=" + p + " is not a positive number of bytes");
        }
        return Runtime.getRuntime().maxMemory();
    }

    /** Reads and checks a model with the {@link #defaultMaxTensorBytes() default budget}. */
    public static ModelProto readModel(Path file) {
        return readModel(file, defaultMaxTensorBytes());
    }

    /**
     * Reads and checks a model (see the class comment for what is checked).
     *
     * @param maxTensorBytes the most tensor data the model may declare, in bytes
     * @throws GraftException code {@code MODEL} naming the file and, where it applies, the tensor
     */
    public static ModelProto readModel(Path file, long maxTensorBytes) {
        byte[] bytes = readFile(file, "model file", Code.MODEL);
        String name = file.toString();
        if (bytes.length == 0) {
            throw GraftException.model(name + " is not a valid ONNX model: the file is empty");
        }
        ModelProto m;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            in.setRecursionLimit(1000);
            m = ModelProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new GraftException(Code.MODEL, name + " is not a valid ONNX model: " + protobufProblem(e), e);
        } catch (IOException e) {
            throw new GraftException(Code.MODEL, name + " is not a valid ONNX model: " + e.getMessage(), e);
        }
        if (!m.hasGraph() || m.getIrVersion() <= 0) {
            throw GraftException.model(name + " is not a valid ONNX model: it has " + (m.hasGraph() ? "no IR version" : "no graph")
                    + " (is it an ONNX file?)");
        }
        checkTensors(m, file, maxTensorBytes);
        return m;
    }

    /**
     * Reads a serialized {@code TensorProto} (the {@code input_0.pb} / {@code output_0.pb} files of the
     * ONNX backend tests).
     *
     * @throws GraftException code {@code DATA}
     */
    public static TensorProto readTensor(Path file) {
        byte[] bytes = readFile(file, "tensor file", Code.DATA);
        TensorProto t;
        try {
            CodedInputStream in = CodedInputStream.newInstance(bytes);
            in.enableAliasing(true);
            t = TensorProto.parseFrom(in);
        } catch (InvalidProtocolBufferException e) {
            throw new GraftException(Code.DATA, file + " is not a valid TensorProto file: " + protobufProblem(e), e);
        } catch (IOException e) {
            throw new GraftException(Code.DATA, file + " is not a valid TensorProto file: " + e.getMessage(), e);
        }
        if (t.getDataType() == 0) {
            throw GraftException.data(file + " is not a valid TensorProto file: it has no element type"
                    + (bytes.length == 0 ? " (the file is empty)" : " (is it a tensor? sequences, maps and optionals are not read)"));
        }
        return t;
    }

    /**
     * Reads a {@code TensorProto} file into an ND4J array (external data is looked up next to the file).
     *
     * @throws GraftException code {@code DATA}
     */
    public static INDArray readArray(Path file) {
        TensorProto t = readTensor(file);
        try {
            Path dir = file.toAbsolutePath().getParent();
            return Tensors.toArray(t, dir, file.toString());
        } catch (GraftException e) {
            throw new GraftException(Code.DATA, e.getMessage(), e);
        }
    }

    /** One tensor of a model and where it sits, for messages: "initializer 'w'", "attribute 'value' of node 'c' (Constant)". */
    public record LocatedTensor(TensorProto tensor, String where) {
    }

    /** Every tensor the model holds: initializers, sparse initializer parts, tensor attributes; subgraphs and local functions included. */
    public static List<LocatedTensor> tensors(ModelProto m) {
        List<LocatedTensor> out = new ArrayList<>();
        visitGraph(m.getGraph(), "", out::add);
        for (FunctionProto f : m.getFunctionsList()) {
            for (NodeProto n : f.getNodeList()) {
                visitNode(n, " in function '" + f.getName() + "'", out::add);
            }
        }
        return out;
    }

    private static void visitGraph(GraphProto g, String suffix, Consumer<LocatedTensor> sink) {
        for (TensorProto t : g.getInitializerList()) {
            sink.accept(new LocatedTensor(t, "initializer '" + t.getName() + "'" + suffix));
        }
        for (SparseTensorProto s : g.getSparseInitializerList()) {
            sink.accept(new LocatedTensor(s.getValues(), "values of sparse initializer '" + s.getValues().getName() + "'" + suffix));
            sink.accept(new LocatedTensor(s.getIndices(), "indices of sparse initializer '" + s.getValues().getName() + "'" + suffix));
        }
        for (NodeProto n : g.getNodeList()) {
            visitNode(n, suffix, sink);
        }
    }

    private static void visitNode(NodeProto n, String suffix, Consumer<LocatedTensor> sink) {
        String node = "node '" + n.getName() + "' (" + n.getOpType() + ")";
        for (AttributeProto a : n.getAttributeList()) {
            String at = "attribute '" + a.getName() + "' of " + node + suffix;
            if (a.hasT()) {
                sink.accept(new LocatedTensor(a.getT(), at));
            }
            for (TensorProto t : a.getTensorsList()) {
                sink.accept(new LocatedTensor(t, at));
            }
            if (a.hasSparseTensor()) {
                sink.accept(new LocatedTensor(a.getSparseTensor().getValues(), "values of sparse " + at));
                sink.accept(new LocatedTensor(a.getSparseTensor().getIndices(), "indices of sparse " + at));
            }
            for (SparseTensorProto s : a.getSparseTensorsList()) {
                sink.accept(new LocatedTensor(s.getValues(), "values of sparse " + at));
                sink.accept(new LocatedTensor(s.getIndices(), "indices of sparse " + at));
            }
            String sub = " in the subgraph '" + a.getName() + "' of " + node + suffix;
            if (a.hasG()) {
                visitGraph(a.getG(), sub, sink);
            }
            for (GraphProto g : a.getGraphsList()) {
                visitGraph(g, sub, sink);
            }
        }
    }

    private static void checkTensors(ModelProto m, Path file, long maxTensorBytes) {
        String name = file.toString();
        List<LocatedTensor> all = tensors(m);
        // 1. the budget, from declarations alone
        long total = 0;
        LocatedTensor largest = null;
        long largestBytes = -1;
        for (LocatedTensor lt : all) {
            long b;
            try {
                b = Tensors.declaredBytes(lt.tensor());
            } catch (GraftException e) {
                throw GraftException.model(name + ": " + lt.where() + ": " + e.getMessage());
            }
            total = b > Long.MAX_VALUE - total ? Long.MAX_VALUE : total + b;
            if (b > largestBytes) {
                largestBytes = b;
                largest = lt;
            }
        }
        if (total > maxTensorBytes) {
            throw GraftException.model(name + " declares " + Sizes.bytes(total) + " of tensor data, more than the " + Sizes.bytes(maxTensorBytes)
                    + " allowed (" + limitSource(maxTensorBytes) + "); the largest is " + largest.where() + ", "
                    + ElementType.nameOf(largest.tensor().getDataType()) + " " + java.util.Arrays.toString(Tensors.shape(largest.tensor()))
                    + " = " + Sizes.bytes(largestBytes));
        }
        // 2. each tensor's data matches its declaration
        Path dir = file.toAbsolutePath().getParent();
        for (LocatedTensor lt : all) {
            TensorProto t = lt.tensor();
            String what = "tensor '" + t.getName() + "' (" + lt.where() + ") of " + name;
            var et = ElementType.fromCode(t.getDataType());
            if (et.isEmpty() || et.get() == ElementType.UNDEFINED) {
                continue; // reported when (if) the tensor is converted; a runtime may not need it
            }
            long n = Tensors.elementCount(t);
            if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL) {
                ExternalData.resolve(t, dir, name).checkSize(Tensors.declaredBytes(t), what);
            } else {
                Tensors.checkEmbeddedSize(t, et.get(), n, what);
            }
        }
    }

    private static String limitSource(long limit) {
        String p = System.getProperty(MAX_TENSOR_BYTES_PROPERTY);
        if (p != null && p.trim().replace("_", "").equals(Long.toString(limit))) {
            return "set by -D" + MAX_TENSOR_BYTES_PROPERTY;
        }
        if (limit == Runtime.getRuntime().maxMemory()) {
            return "the JVM's maximum heap; raise -Xmx or set -D" + MAX_TENSOR_BYTES_PROPERTY;
        }
        return "the limit given to the reader";
    }

    private static byte[] readFile(Path file, String kind, Code code) {
        if (!Files.exists(file)) {
            throw new GraftException(code, kind.substring(0, 1).toUpperCase() + kind.substring(1) + " " + file + " does not exist");
        }
        if (Files.isDirectory(file)) {
            throw new GraftException(code, file + " is a directory, not " + (kind.equals("model file") ? "an ONNX model file" : "a " + kind));
        }
        try {
            long size = Files.size(file);
            if (size >= MAX_PROTO_BYTES) {
                throw new GraftException(code, file + " is " + Sizes.bytes(size) + "; a protobuf file is under 2 GB (large ONNX models keep"
                        + " their weights in external data files)");
            }
            long heap = Runtime.getRuntime().maxMemory();
            if (size > heap) {
                throw new GraftException(code, file + " is " + Sizes.bytes(size) + ", more than the JVM's maximum heap of " + Sizes.bytes(heap)
                        + "; raise -Xmx to read it");
            }
            return Files.readAllBytes(file);
        } catch (AccessDeniedException e) {
            throw new GraftException(Code.IO, "cannot read " + kind + " " + file + ": permission denied", e);
        } catch (IOException e) {
            throw new GraftException(Code.IO, "cannot read " + kind + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static String protobufProblem(InvalidProtocolBufferException e) {
        String msg = String.valueOf(e.getMessage());
        if (msg.contains("ended unexpectedly") || msg.contains("truncated")) {
            return "the file is truncated or corrupt (the protobuf data ends in the middle of a field)";
        }
        return "corrupt protobuf data (" + msg.strip() + ")";
    }
}
