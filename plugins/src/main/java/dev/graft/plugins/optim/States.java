package dev.graft.plugins.optim;

import dev.graft.api.optim.Param;
import org.nd4j.linalg.api.ndarray.INDArray;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/** Checks and copies shared by the optimizers. */
final class States {
    private States() {
    }

    /** Checks that a parameter's gradient fits its value. */
    static void requireMatchingGrad(String optimizer, Param p) {
        if (!Arrays.equals(p.value().shape(), p.grad().shape())) {
            throw new IllegalArgumentException(optimizer + ": the gradient of " + p.name() + " has shape "
                    + Arrays.toString(p.grad().shape()) + " but the parameter has shape "
                    + Arrays.toString(p.value().shape()));
        }
    }

    /** Checks that a state array (perhaps loaded from a file) fits the parameter it belongs to. */
    static INDArray requireShapeOf(String optimizer, String key, INDArray state, Param p) {
        if (!Arrays.equals(state.shape(), p.value().shape())) {
            throw new IllegalArgumentException(optimizer + " state " + key + " has shape " + Arrays.toString(state.shape())
                    + " but parameter " + p.name() + " has shape " + Arrays.toString(p.value().shape())
                    + "; the saved optimizer state does not belong to this model");
        }
        return state.dataType() == p.value().dataType() ? state : state.castTo(p.value().dataType());
    }

    /** Splits {@code "fc1.W/m"} into the parameter name and the slot, or throws naming the allowed slots. */
    static String[] splitKey(String optimizer, String key, java.util.Set<String> slots) {
        int slash = key == null ? -1 : key.lastIndexOf('/');
        if (slash <= 0 || !slots.contains(key.substring(slash + 1))) {
            throw new IllegalArgumentException(optimizer + " state key '" + key + "' is not <parameter>/<slot> with a slot in "
                    + slots);
        }
        return new String[] {key.substring(0, slash), key.substring(slash + 1)};
    }

    /** Deep copy of a state map, in key order. */
    static Map<String, INDArray> copy(Map<String, INDArray> state) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
