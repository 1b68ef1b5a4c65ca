package dev.graft.onnx;

import dev.graft.onnx.proto.ElementType;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Something that runs an ONNX model on ND4J arrays: ONNX Runtime ({@link dev.graft.onnx.ort.OrtEngine})
 * or Graft's own importer. Tools that only need "model in, arrays out" (the conformance runner, {@code
 * graft onnx-test}, benchmarks, parity tests) program against this interface and get an engine from
 * an {@link InferenceEngineFactory}.
 *
 * <h2>Contract</h2>
 * <ul>
 *   <li>{@link #inputs()} are the graph inputs a caller must feed, in graph order; graph inputs that
 *   are also initializers (defaults a caller may override in ONNX) are not listed. {@link #outputs()}
 *   are the graph outputs, in graph order. Both lists are fixed for the engine's life.</li>
 *   <li>{@link #run(Map)} takes one array per input, by name, and returns every graph output by name,
 *   in graph order (the map iterates in that order). Arrays may be any ND4J layout (views, 'f' order,
 *   offsets); the engine copies only what it must. The engine neither modifies the input arrays nor
 *   keeps them after {@code run} returns. The returned arrays are new, owned by the caller, c-ordered
 *   and not views of engine memory.</li>
 *   <li>Inputs are checked before anything runs, and every problem is reported as a {@link
 *   dev.graft.runtime.GraftException} with code {@code DATA} naming the input, what was given and what
 *   the model wants: an unknown name (listing the model's inputs), a missing input, a rank or a static
 *   dimension that differs from the model's, an element type other than the model's (no silent
 *   casts). A bad input must never crash the process.</li>
 *   <li>Failing to load a model is a {@code GraftException} with code {@code MODEL}; an engine that
 *   cannot run some of the model's operators throws {@link UnsupportedOpsException} (a {@code MODEL}
 *   error listing every such node) from its factory.</li>
 *   <li>{@link #close()} frees native resources; it is idempotent and does not throw. Calling {@code
 *   run} after it throws {@link IllegalStateException}.</li>
 *   <li>Implementations say whether {@code run} may be called from several threads at once.</li>
 * </ul>
 *
 * <h2>Element types</h2>
 * Arrays carry the ND4J type that matches the ONNX element type exactly; see {@link ElementType}
 * (float is FLOAT, int64 is LONG, bool is BOOL, float16 is HALF, ...). Strings, sequences, maps and
 * optionals are outside this interface: their inputs are listed (with {@link IoSpec#kind()}) so a
 * caller can tell why it cannot feed them, and feeding or producing them is a {@code DATA} error.
 */
public interface InferenceEngine extends AutoCloseable {

    /** The inputs the caller must feed, in graph order. */
    List<IoSpec> inputs();

    /** The graph outputs, in graph order. */
    List<IoSpec> outputs();

    /**
     * Runs the model once.
     *
     * @param inputs one array per {@link #inputs() input}, by name
     * @return every graph output by name, in graph order
     * @throws dev.graft.runtime.GraftException code {@code DATA} for inputs the model does not accept
     *     (checked before running) or that make it fail while running
     */
    Map<String, INDArray> run(Map<String, INDArray> inputs);

    /**
     * Runs the model once and writes the chosen outputs into the caller's arrays: for a server that
     * keeps its output arrays from call to call instead of receiving new ones. Each array must be
     * dense and row-major ('c', no offset, not a view with gaps), of the output's element type and of
     * the exact shape this call produces. Outputs not in the map may be left uncomputed. The default
     * runs {@link #run} and copies; engines that can write in place (ONNX Runtime, {@link
     * dev.graft.onnx.ort.OrtEngine}) override it.
     *
     * @param inputs one array per {@link #inputs() input}, by name
     * @param outputs some of the graph outputs, by name, each with the array to fill
     * @throws dev.graft.runtime.GraftException code {@code DATA} for inputs the model does not accept,
     *     an output name the model does not have, or an output array of the wrong type, shape or layout
     */
    default void runInto(Map<String, INDArray> inputs, Map<String, INDArray> outputs) {
        Map<String, INDArray> got = run(inputs);
        for (Map.Entry<String, INDArray> e : outputs.entrySet()) {
            INDArray r = got.get(e.getKey());
            INDArray into = e.getValue();
            if (r == null) {
                throw dev.graft.runtime.GraftException.data("output '" + e.getKey() + "' is not an output of this model; its outputs: "
                        + outputs().stream().map(IoSpec::toString).collect(java.util.stream.Collectors.joining(", ")));
            }
            if (into == null || into.dataType() != r.dataType() || !java.util.Arrays.equals(into.shape(), r.shape())) {
                throw dev.graft.runtime.GraftException.data("output '" + e.getKey() + "' came out " + r.dataType() + " " + java.util.Arrays.toString(r.shape())
                        + "; the array given for it is " + (into == null ? "null" : into.dataType() + " " + java.util.Arrays.toString(into.shape())));
            }
            into.assign(r);
        }
    }

    /**
     * The inputs this engine folded into constants when it was opened ({@link
     * InferenceEngineFactory.OpenOptions#knownInputs()}), with the values it folded; {@link #run}
     * refuses other values for them with a {@code DATA} error. Empty for most engines.
     */
    default Map<String, INDArray> folded() {
        return Map.of();
    }

    /** Frees the engine's resources; idempotent, never throws. */
    @Override
    void close();

    /** What a graph value holds. Only {@link #TENSOR} values can be fed or returned as ND4J arrays. */
    enum Kind {
        TENSOR("tensor"), SEQUENCE("sequence"), MAP("map"), OPTIONAL("optional"), SPARSE_TENSOR("sparse tensor"), UNKNOWN("value of unknown type");

        private final String text;

        Kind(String text) {
            this.text = text;
        }

        /** "a" or "an", for messages: "input 'x' is an optional of float". */
        public String article() {
            return "aeiou".indexOf(text.charAt(0)) >= 0 ? "an" : "a";
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /**
     * One dimension of a declared shape: a fixed size, or unknown (size -1) with the symbolic name the
     * model gives it ({@code "N"}, {@code "batch"}) or none.
     */
    record Dim(long size, String symbol) {
        public Dim {
            Objects.requireNonNull(symbol, "symbol");
            if (size < -1) {
                throw new IllegalArgumentException("dimension size " + size + " (use -1 for unknown)");
            }
        }

        public static Dim fixed(long size) {
            return new Dim(size, "");
        }

        /** An unknown dimension, named or not ({@code ""}). */
        public static Dim symbolic(String symbol) {
            return new Dim(-1, symbol);
        }

        public boolean isFixed() {
            return size >= 0;
        }

        /** "3", "N", or "?" for an unnamed unknown dimension. */
        @Override
        public String toString() {
            return isFixed() ? Long.toString(size) : symbol.isEmpty() ? "?" : symbol;
        }
    }

    /**
     * A graph input or output as the model declares it.
     *
     * @param name the value's name in the graph
     * @param kind tensor, sequence, map, ...
     * @param type the tensor's element type (for a sequence or optional of tensors, that of the
     *     tensors; {@link ElementType#UNDEFINED} when the model does not say)
     * @param shape the declared dimensions; empty both for a scalar and when the rank is unknown, which
     *     {@link #rankKnown()} tells apart
     * @param rankKnown whether the model declares a shape at all
     */
    record IoSpec(String name, Kind kind, ElementType type, List<Dim> shape, boolean rankKnown) {
        public IoSpec {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(type, "type");
            shape = List.copyOf(shape);
            if (!rankKnown && !shape.isEmpty()) {
                throw new IllegalArgumentException("a shape of unknown rank has no dimensions");
            }
        }

        /** A tensor of the given element type; dims are sizes with -1 for unknown (unnamed) dimensions. */
        public static IoSpec tensor(String name, ElementType type, long... dims) {
            List<Dim> d = new ArrayList<>();
            for (long s : dims) {
                d.add(s < 0 ? Dim.symbolic("") : Dim.fixed(s));
            }
            return new IoSpec(name, Kind.TENSOR, type, d, true);
        }

        /** The rank, or -1 when unknown. */
        public int rank() {
            return rankKnown ? shape.size() : -1;
        }

        /** The sizes, -1 for dimensions that are not fixed; null when the rank is unknown. */
        public long[] dims() {
            if (!rankKnown) {
                return null;
            }
            long[] d = new long[shape.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = shape.get(i).size();
            }
            return d;
        }

        /** Whether every dimension is fixed. */
        public boolean isStatic() {
            return rankKnown && shape.stream().allMatch(Dim::isFixed);
        }

        /** "[N, 3]", "[]" for a scalar, "[?...]" for an unknown rank. */
        public String shapeString() {
            return rankKnown ? shape.toString() : "[?...]";
        }

        /** "float [N, 3]", "int64 []" (a scalar), "sequence of float". */
        public String typeString() {
            if (kind != Kind.TENSOR) {
                return type == ElementType.UNDEFINED ? kind.toString() : kind + " of " + type.onnxName();
            }
            return type.onnxName() + " " + shapeString();
        }

        /** "x (float [N, 3])". */
        @Override
        public String toString() {
            return name + " (" + typeString() + ")";
        }
    }
}
