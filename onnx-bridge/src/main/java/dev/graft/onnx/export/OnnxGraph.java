package dev.graft.onnx.export;

import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.List;

/**
 * The ONNX graph an exporter writes into: nodes of the default ({@code ai.onnx}) domain, constants
 * (stored as initializers) and the opset being written. Every value is named by a string; exporters
 * receive the names of their inputs and return the name of their output. Names are made unique by
 * the graph, so a hint such as {@code "W"} is enough.
 *
 * <p>Values carry the batch as their first axis, {@code [batch, ...per-example shape]}, exactly as
 * the layer's SameDiff forward pass sees them. A {@code Reshape} target therefore starts with
 * {@code -1} (or {@code 0}) for the batch.
 */
public interface OnnxGraph {

    /** The opset of the default domain being written (13 or newer); exporters choose op forms by it. */
    int opset();

    /** Starts a node of the default domain, e.g. {@code g.op("Relu").input(x).output()}. */
    Node op(String opType);

    /**
     * A constant (an initializer) with the array's shape and values: floating-point arrays are stored as
     * float32, integer arrays as int64 and boolean arrays as bool.
     *
     * @param hint a readable stem for its name
     * @return the constant's name
     */
    String constant(String hint, INDArray value);

    /** A 1-D int64 constant, as ONNX wants for shapes, axes, pads and slice bounds. */
    String longs(String hint, long... values);

    /** A float32 constant of the given shape. */
    String floats(String hint, long[] shape, float... values);

    /** A float32 scalar constant (rank 0). */
    String scalar(String hint, double value);

    /** A node being written; {@link #output()} or {@link #outputs(int)} adds it to the graph. */
    interface Node {
        /** Appends inputs in order; an empty string omits an optional input. */
        Node input(String... names);

        /** An {@code INT} attribute. */
        Node attr(String name, long value);

        /** A {@code FLOAT} attribute. */
        Node attr(String name, double value);

        /** A {@code STRING} attribute. */
        Node attr(String name, String value);

        /** An {@code INTS} attribute (also for one element, e.g. {@code axes}). */
        Node ints(String name, long... values);

        /** A {@code FLOATS} attribute. */
        Node floats(String name, float... values);

        /** Adds the node with one output and returns the output's name. */
        String output();

        /** Adds the node with {@code count} outputs and returns their names. */
        List<String> outputs(int count);
    }
}
