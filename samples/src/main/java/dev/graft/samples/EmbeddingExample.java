package dev.graft.samples;

import dev.graft.api.data.Examples;
import dev.graft.runtime.ExperimentBuilder;
import dev.graft.runtime.Graft;
import dev.graft.runtime.TrainedModel;
import dev.graft.runtime.config.Experiment;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * How a Java application embeds Graft: build an experiment in code, train, evaluate, save, load,
 * predict. Run it with
 * {@code mvn -q -pl samples exec:java -Dexec.mainClass=dev.graft.samples.EmbeddingExample} or from an IDE.
 */
public final class EmbeddingExample {
    private EmbeddingExample() {
    }

    public static void main(String[] args) throws Exception {
        Graft graft = Graft.create();                                    // plugins from the class path

        Experiment exp = ExperimentBuilder.create("embedded-digits")
                .dataset("digits")
                .data("transforms", List.of("standardize"))
                .layer("dense", Map.of("units", 64, "weight-init", "he-uniform"))
                .layer("relu")
                .layer("dense", Map.of("units", 10))
                .loss("softmax-cross-entropy")
                .optimizer("adam", Map.of("lr", 0.003))
                .training(Map.of("epochs", 25, "batch-size", 32, "seed", 1))
                .build();

        TrainedModel model = graft.train(exp);                           // checks everything, trains, tests
        System.out.println(model.testEvaluation().report());

        Path dir = Files.createTempDirectory("graft-model");
        model.save(dir.resolve("digits"));
        TrainedModel loaded = graft.load(dir.resolve("digits"));

        Examples test = graft.split(exp).splits().test();                // the same held-out split
        INDArray probabilities = loaded.predict(test.features());
        int[] classes = loaded.predictClasses(test.features());
        System.out.printf("loaded model: first prediction %d (p=%.3f), test accuracy %.4f%n", classes[0],
                probabilities.getDouble(0, classes[0]), loaded.evaluate(test).metrics().get("accuracy"));
    }
}
