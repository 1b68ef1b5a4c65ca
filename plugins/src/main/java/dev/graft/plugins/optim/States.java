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

    /**
     * Checks that a state array (perhaps loaded from a file) fits the parameter it belongs to, and
     * returns it as the update loops need it: in the parameter's element type, densely row-major
     * in its own buffer (the array itself when it already is, a copy otherwise).
     *
     * @param slot the state slot, {@code <param>/<slot>} names the array in messages
     */
    static INDArray requireShapeOf(String optimizer, Param p, String slot, INDArray state) {
        if (!Arrays.equals(state.shape(), p.value().shape())) {
            throw new IllegalArgumentException(optimizer + " state " + p.name() + "/" + slot + " has shape "
                    + Arrays.toString(state.shape()) + " but parameter " + p.name() + " has shape "
                    + Arrays.toString(p.value().shape()) + "; the saved optimizer state does not belong to this model");
        }
        return Flat.owned(state, p.value().dataType());
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

    /**
     * Groups a saved state by parameter, checking every key is {@code <param>/<slot>} with a known slot
     * and that every parameter has the required slots (and no others than the allowed ones).
     *
     * @return parameter name to slot to array, parameters in name order
     */
    static Map<String, Map<String, INDArray>> byParam(String optimizer, Map<String, INDArray> state,
                                                      java.util.Set<String> required, java.util.Set<String> allowed) {
        Map<String, Map<String, INDArray>> byParam = new java.util.TreeMap<>();
        for (var e : state.entrySet()) {
            String[] key = splitKey(optimizer, e.getKey(), allowed);
            if (e.getValue() == null) {
                throw new IllegalArgumentException(optimizer + " state " + e.getKey() + " has no array");
            }
            byParam.computeIfAbsent(key[0], k -> new LinkedHashMap<>()).put(key[1], e.getValue());
        }
        for (var e : byParam.entrySet()) {
            String name = e.getKey();
            if (!e.getValue().keySet().containsAll(required)) {
                java.util.List<String> need = required.stream().sorted(States::slotOrder).map(s -> name + "/" + s).toList();
                throw new IllegalArgumentException(optimizer + " state for " + name + " needs "
                        + String.join(", ", need.subList(0, need.size() - 1)) + (need.size() > 1 ? " and " : "")
                        + need.get(need.size() - 1) + ", got "
                        + e.getValue().keySet().stream().map(s -> name + "/" + s).sorted().toList());
            }
        }
        return byParam;
    }

    /** Slot order in messages: {@code step} last, the rest alphabetically. */
    private static int slotOrder(String a, String b) {
        if (a.equals(b)) {
            return 0;
        }
        if (a.equals("step") || b.equals("step")) {
            return a.equals("step") ? 1 : -1;
        }
        return a.compareTo(b);
    }

    /** Reads a saved step count: a scalar whole number {@code >= 0}. */
    static long stepCount(String optimizer, String param, INDArray stepArray) {
        double t = stepArray.length() == 1 ? stepArray.getDouble(0) : Double.NaN;
        if (!(t >= 0) || t != Math.rint(t)) {
            throw new IllegalArgumentException(optimizer + " state " + param + "/step must be a scalar whole number >= 0, got "
                    + (stepArray.length() == 1 ? String.valueOf(stepArray.getDouble(0)) : "shape " + Arrays.toString(stepArray.shape())));
        }
        return (long) t;
    }

    /** Deep copy of a state map, in key order. */
    static Map<String, INDArray> copy(Map<String, INDArray> state) {
        Map<String, INDArray> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.dup()));
        return out;
    }
}
