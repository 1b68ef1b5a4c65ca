package dev.graft.onnx.export.builtin;

import dev.graft.onnx.export.OnnxLayerExporter.Context;

import java.util.List;

/** Exporters of the structural layers: dropout, flatten, reshape, add, concat. */
public final class Structure {
    private Structure() {
    }

    /** {@code dropout}: the identity at inference, so no node at all. */
    public static final class Dropout extends Base.Layer {
        public Dropout() {
            super("dropout", "exports dropout as nothing (the identity at inference)");
        }

        @Override
        public String export(Context ctx) {
            return ctx.input();
        }
    }

    /** {@code flatten} as {@code Flatten(axis = 1)}; nothing for a flat input. */
    public static final class Flatten extends Base.Layer {
        public Flatten() {
            super("flatten", "exports flatten as ONNX Flatten");
        }

        @Override
        public String export(Context ctx) {
            return ctx.inputShape().rank() == 1 ? ctx.input() : ctx.op("Flatten").input(ctx.input()).attr("axis", 1L).output();
        }
    }

    /** {@code reshape} as {@code Reshape} to {@code [-1, ...shape]} (the -1 of the config resolved). */
    public static final class Reshape extends Base.Layer {
        public Reshape() {
            super("reshape", "exports reshape as ONNX Reshape");
        }

        @Override
        public String export(Context ctx) {
            return Ops.reshape(ctx, ctx.input(), ctx.outputShape());
        }
    }

    /** {@code add} as a chain of {@code Add}. */
    public static final class Add extends Base.Layer {
        public Add() {
            super("add", "exports add as ONNX Add");
        }

        @Override
        public String export(Context ctx) {
            List<String> in = ctx.inputs();
            String sum = Ops.binary(ctx, "Add", in.get(0), in.get(1));
            for (int i = 2; i < in.size(); i++) {
                sum = Ops.binary(ctx, "Add", sum, in.get(i));
            }
            return sum;
        }
    }

    /** {@code concat} as {@code Concat} on the per-example axis + 1. */
    public static final class Concat extends Base.Layer {
        public Concat() {
            super("concat", "exports concat as ONNX Concat");
        }

        @Override
        public String export(Context ctx) {
            int rank = ctx.inputShape().rank();
            long axis = Cfg.integer(ctx.config(), "axis");
            axis = axis < 0 ? axis + rank : axis;
            return ctx.op("Concat").input(ctx.inputs().toArray(new String[0])).attr("axis", axis + 1).output();
        }
    }
}
