package dev.graft.bench;

import dev.graft.cli.bench.Measure;
import org.deeplearning4j.nn.conf.MultiLayerConfiguration;
import org.deeplearning4j.nn.conf.NeuralNetConfiguration;
import org.deeplearning4j.nn.conf.WorkspaceMode;
import org.deeplearning4j.nn.conf.inputs.InputType;
import org.deeplearning4j.nn.conf.layers.ConvolutionLayer;
import org.deeplearning4j.nn.conf.layers.DenseLayer;
import org.deeplearning4j.nn.conf.layers.OutputLayer;
import org.deeplearning4j.nn.conf.layers.SubsamplingLayer;
import org.deeplearning4j.nn.multilayer.MultiLayerNetwork;
import org.deeplearning4j.nn.weights.WeightInit;
import org.nd4j.linalg.activations.Activation;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.learning.config.Sgd;
import org.nd4j.linalg.lossfunctions.LossFunctions;

import java.util.Properties;
import java.util.SplittableRandom;

/**
 * The DL4J peer: the benchmark MLP and CNN as DL4J {@code MultiLayerNetwork}s (1.0.0-M2.1, the same
 * ND4J as Graft), same architecture, batch, data, loss (softmax + multi-class cross-entropy), SGD lr
 * 0.01, and the same timing as {@code torch_reference.py}: 15 warm-up then 60 timed calls of one
 * training step ({@code fit} on one batch: forward, loss, backward, update), then of inference
 * ({@code output}, no gradients). Prints one JSON line per workload with the reference's keys.
 *
 * <p>{@code java -cp ... dev.graft.bench.Dl4jPeer [mlp|cnn|all] [batch] [steps] [warmup]}. Threads
 * come from {@code OMP_NUM_THREADS} (DL4J has no in-process setting of its own).
 */
public final class Dl4jPeer {
    private Dl4jPeer() {
    }

    static MultiLayerConfiguration config(String workload) {
        NeuralNetConfiguration.ListBuilder b = new NeuralNetConfiguration.Builder()
                .seed(0)
                .dataType(DataType.FLOAT)
                .updater(new Sgd(0.01))
                .weightInit(WeightInit.XAVIER)
                .trainingWorkspaceMode(WorkspaceMode.ENABLED)
                .inferenceWorkspaceMode(WorkspaceMode.ENABLED)
                .list();
        switch (workload) {
            case "mlp" -> b.layer(new DenseLayer.Builder().nOut(256).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nOut(128).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build());
            case "cnn" -> b.layer(new ConvolutionLayer.Builder(5, 5).nOut(6).padding(2, 2).stride(1, 1).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                    .layer(new ConvolutionLayer.Builder(5, 5).nOut(16).stride(1, 1).activation(Activation.RELU).build())
                    .layer(new SubsamplingLayer.Builder(SubsamplingLayer.PoolingType.MAX).kernelSize(2, 2).stride(2, 2).build())
                    .layer(new DenseLayer.Builder().nOut(120).activation(Activation.RELU).build())
                    .layer(new DenseLayer.Builder().nOut(84).activation(Activation.RELU).build())
                    .layer(new OutputLayer.Builder(LossFunctions.LossFunction.MCXENT).nOut(10).activation(Activation.SOFTMAX).build());
            default -> throw new IllegalArgumentException("workload must be mlp or cnn, got " + workload);
        }
        // 1 x 28 x 28 images in NCHW; DL4J flattens before the first dense layer as nn.Flatten does
        return b.setInputType(InputType.convolutional(28, 28, 1)).build();
    }

    static String run(String workload, int batch, int steps, int warmup) {
        MultiLayerNetwork net = new MultiLayerNetwork(config(workload));
        net.init();
        Nd4j.getRandom().setSeed(0);
        INDArray x = Nd4j.rand(DataType.FLOAT, batch, 1, 28, 28);
        INDArray y = Nd4j.zeros(DataType.FLOAT, batch, 10);
        SplittableRandom rng = new SplittableRandom(0);
        for (int i = 0; i < batch; i++) {
            y.putScalar(i, rng.nextInt(10), 1f);
        }
        Measure.Timing train = Measure.timedWithCpu(() -> net.fit(x, y), warmup, steps);
        Measure.Timing infer = Measure.timedWithCpu(() -> net.output(x, false), warmup, steps);
        Properties env = Nd4j.getExecutioner().getEnvironmentInformation();
        return String.format("{\"engine\": \"dl4j-1.0.0-M2.1\", \"workload\": \"%s\", \"batch\": %d, \"threads\": %s, \"blas\": \"openblas, core type %s\", "
                        + "\"train_ms_per_step_median\": %.3f, \"train_ms_min\": %.3f, \"train_ms_max\": %.3f, \"infer_ms_per_batch_median\": %.3f, "
                        + "\"train_cpu_ms_per_step_median\": %.3f, \"infer_cpu_ms_per_batch_median\": %.3f, \"peak_rss_mb\": %d}",
                workload, batch, env.get("omp.threads"), System.getenv("OPENBLAS_CORETYPE"), train.wall().median(), train.wall().min(), train.wall().max(),
                infer.wall().median(), train.cpu().median(), infer.cpu().median(), Math.round(Measure.peakRssMb()));
    }

    public static void main(String[] args) {
        String which = args.length > 0 ? args[0] : "all";
        int batch = args.length > 1 ? Integer.parseInt(args[1]) : 128;
        // the same as graft bench: a JVM peer is timed after the JIT compiler has done its work
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        int warmup = args.length > 3 ? Integer.parseInt(args[3]) : 150;
        for (String w : which.equals("all") ? new String[] {"mlp", "cnn"} : new String[] {which}) {
            System.out.println(run(w, batch, steps, warmup));
        }
    }
}
