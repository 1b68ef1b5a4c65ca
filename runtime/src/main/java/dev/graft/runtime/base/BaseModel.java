package dev.graft.runtime.base;

import dev.graft.runtime.model.ModelIR;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Map;

/**
 * A pretrained model read for fine-tuning: its IR (no loss, no target), its parameter values by full
 * name ({@code node.param}) and where it came from, for messages.
 *
 * @param ir     the model graph
 * @param params every parameter of {@code ir}
 * @param origin the file it was read from, as the user named it
 */
public record BaseModel(ModelIR ir, Map<String, INDArray> params, String origin) {
    public BaseModel {
        params = Map.copyOf(params);
    }
}
