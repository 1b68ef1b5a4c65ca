package dev.graft.runtime.base;

import dev.graft.api.layer.ParamRole;
import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.BaseConfig;
import dev.graft.runtime.config.GroupConfig;
import dev.graft.runtime.engine.Network;
import dev.graft.runtime.model.ModelIR;
import dev.graft.runtime.util.Names;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a fine-tuning experiment makes of its base model: where the graph is cut, which nodes are kept,
 * which parameters are frozen, and which nodes keep their batch-norm statistics.
 *
 * <ul>
 *   <li><b>Cut</b>: {@code cut-at} names the node whose output the head reads. The kept base is that node
 *       and every node it depends on; the other nodes are dropped. Without {@code cut-at} the whole base
 *       is kept and the head reads its output.</li>
 *   <li><b>Freeze</b>: each {@code freeze} pattern is a glob ({@code *} any characters, {@code ?} one)
 *       matched against the kept base's node names and its parameter names ({@code node.param}); the
 *       trainable parameters of a matching node, and each matching parameter, are frozen. A pattern
 *       that matches nothing is an error. {@code freeze-all-but-last: N} freezes every kept base node
 *       that has trainable parameters except the last N of them, in graph order.</li>
 *   <li><b>Batch norm</b>: the kept base nodes with running statistics (role {@link ParamRole#RUNNING_STAT})
 *       behave as in inference while training when the policy is {@code frozen}: they normalise with
 *       the pretrained statistics and never update them. With {@code update} they train normally.</li>
 * </ul>
 *
 * @param base          the base model as read
 * @param cutAt         the base node the head reads
 * @param kept          the kept base nodes, in graph order
 * @param dropped       the names of the dropped base nodes
 * @param frozen        the frozen base parameters (full names), in graph order
 * @param trainableBase the kept base parameters that train (full names)
 * @param statNodes     the kept base nodes with running statistics
 * @param policy        the batch-norm policy
 */
public record FineTuning(BaseModel base, String cutAt, List<ModelIR.NodeIR> kept, List<String> dropped, List<String> frozen,
                         List<String> trainableBase, List<String> statNodes, BaseConfig.BatchNormPolicy policy) {
    /** Name of the generated optimizer group of frozen base parameters. */
    public static final String FROZEN_GROUP = "frozen-base";
    /** Name of the generated optimizer group of trainable base parameters given {@code base.lr}. */
    public static final String BASE_GROUP = "base";

    public FineTuning {
        kept = List.copyOf(kept);
        dropped = List.copyOf(dropped);
        frozen = List.copyOf(frozen);
        trainableBase = List.copyOf(trainableBase);
        statNodes = List.copyOf(statNodes);
    }

    /**
     * Plans the cut, the frozen set and the batch-norm nodes.
     *
     * @param config   the {@code base} section
     * @param base     the base model
     * @param compiled the base compiled as a whole (for its parameter specs)
     * @throws GraftException code {@code CONFIG} naming every bad node name and pattern, with nearby names
     */
    public static FineTuning plan(BaseConfig config, BaseModel base, Network compiled) {
        List<ModelIR.NodeIR> nodes = base.ir().nodes();
        List<String> names = nodes.stream().map(ModelIR.NodeIR::name).toList();
        List<String> problems = new ArrayList<>();
        String cut = config.cutAt() == null ? base.ir().output() : config.cutAt();
        if (!names.contains(cut)) {
            throw new GraftException(GraftException.Code.CONFIG, "base.cut-at: '" + cut + "' is not a node of " + base.origin()
                    + Names.didYouMean(cut, names) + "; " + nearby(cut, names));
        }
        Set<String> needed = ancestors(base.ir(), cut);
        List<ModelIR.NodeIR> kept = nodes.stream().filter(n -> needed.contains(n.name())).toList();
        List<String> dropped = names.stream().filter(n -> !needed.contains(n)).toList();
        Map<String, ParamSpec> specs = compiled.paramSpecs();

        Set<String> frozen = new LinkedHashSet<>();
        List<String> keptNames = kept.stream().map(ModelIR.NodeIR::name).toList();
        List<String> keptParams = specs.keySet().stream().filter(p -> needed.contains(compiled.nodeOf(p))).toList();
        for (int i = 0; i < config.freeze().size(); i++) {
            String glob = config.freeze().get(i);
            Pattern p = glob(glob);
            List<String> nodeHits = keptNames.stream().filter(n -> p.matcher(n).matches()).toList();
            List<String> paramHits = keptParams.stream().filter(n -> p.matcher(n).matches()).toList();
            if (nodeHits.isEmpty() && paramHits.isEmpty()) {
                List<String> droppedHits = dropped.stream().filter(n -> p.matcher(n).matches()).toList();
                String where = "base.freeze[" + i + "]: '" + glob + "'";
                if (!droppedHits.isEmpty()) {
                    problems.add(where + " matches only nodes that base.cut-at '" + cut + "' drops (" + String.join(", ", droppedHits) + ")");
                } else {
                    List<String> candidates = new ArrayList<>(keptNames);
                    candidates.addAll(keptParams);
                    problems.add(where + " matches no node or parameter of the base" + (config.cutAt() == null ? "" : " kept by the cut at '" + cut + "'")
                            + Names.didYouMean(glob, candidates) + "; " + nearby(glob, candidates));
                }
                continue;
            }
            for (String param : keptParams) {
                if (specs.get(param).trainable() && (nodeHits.contains(compiled.nodeOf(param)) || paramHits.contains(param))) {
                    frozen.add(param);
                }
            }
        }
        if (config.freezeAllButLast() != null) {
            List<String> withParams = keptNames.stream()
                    .filter(n -> keptParams.stream().anyMatch(p -> specs.get(p).trainable() && compiled.nodeOf(p).equals(n))).toList();
            int n = config.freezeAllButLast();
            if (n > withParams.size()) {
                problems.add("base.freeze-all-but-last: " + n + " is more than the " + withParams.size()
                        + " base nodes with trainable parameters" + (config.cutAt() == null ? "" : " kept by the cut at '" + cut + "'")
                        + " (" + String.join(", ", withParams) + ")");
            } else {
                Set<String> frozenNodes = new HashSet<>(withParams.subList(0, withParams.size() - n));
                for (String param : keptParams) {
                    if (specs.get(param).trainable() && frozenNodes.contains(compiled.nodeOf(param))) {
                        frozen.add(param);
                    }
                }
            }
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, "", problems, null);
        }
        List<String> frozenOrdered = keptParams.stream().filter(frozen::contains).toList();
        List<String> trainable = keptParams.stream().filter(p -> specs.get(p).trainable() && !frozen.contains(p)).toList();
        List<String> stats = keptNames.stream().filter(n -> keptParams.stream()
                .anyMatch(p -> compiled.nodeOf(p).equals(n) && specs.get(p).role() == ParamRole.RUNNING_STAT && !specs.get(p).trainable())).toList();
        return new FineTuning(base, cut, kept, dropped, frozenOrdered, trainable, stats, config.batchNorm());
    }

    /**
     * Optimizer groups checked before the configured ones: the frozen base parameters. Empty when
     * nothing is frozen.
     */
    public List<GroupConfig> groupsBefore() {
        return frozen.isEmpty() ? List.of() : List.of(new GroupConfig(FROZEN_GROUP, frozen, null, null, true, 0, 0));
    }

    /**
     * Optimizer groups checked after the configured ones: the trainable base parameters with {@code lr},
     * when given. A configured group that matches a base parameter takes precedence.
     */
    public List<GroupConfig> groupsAfter(Double lr) {
        return lr == null || trainableBase.isEmpty() ? List.of() : List.of(new GroupConfig(BASE_GROUP, trainableBase, lr, null, false, 0, 0));
    }

    /** The nodes that behave as in inference while training: the batch-norm nodes when the policy is {@code frozen}. */
    public List<String> inferenceNodes() {
        return policy == BaseConfig.BatchNormPolicy.FROZEN ? statNodes : List.of();
    }

    /** The kept base parameters with their pretrained values. */
    public Map<String, org.nd4j.linalg.api.ndarray.INDArray> keptParams() {
        Set<String> keptNodes = new HashSet<>(kept.stream().map(ModelIR.NodeIR::name).toList());
        Map<String, org.nd4j.linalg.api.ndarray.INDArray> out = new java.util.LinkedHashMap<>();
        base.params().forEach((k, v) -> {
            int dot = k.lastIndexOf('.');
            if (dot > 0 && keptNodes.contains(k.substring(0, dot))) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The inputs (model input and extra inputs) the kept nodes read. */
    public Set<String> inputsUsed() {
        Set<String> names = new HashSet<>(kept.stream().map(ModelIR.NodeIR::name).toList());
        Set<String> out = new LinkedHashSet<>();
        for (ModelIR.NodeIR n : kept) {
            for (String i : n.inputs()) {
                if (!names.contains(i)) {
                    out.add(i);
                }
            }
        }
        return out;
    }

    /** {@code node} and every node it depends on. */
    static Set<String> ancestors(ModelIR ir, String node) {
        Map<String, ModelIR.NodeIR> byName = new java.util.HashMap<>();
        ir.nodes().forEach(n -> byName.put(n.name(), n));
        Set<String> seen = new HashSet<>();
        Deque<String> todo = new ArrayDeque<>(List.of(node));
        while (!todo.isEmpty()) {
            String n = todo.pop();
            ModelIR.NodeIR ni = byName.get(n);
            if (ni != null && seen.add(n)) {
                todo.addAll(ni.inputs());
            }
        }
        return seen;
    }

    /** All names when there are few, else the ones closest to {@code word}. */
    static String nearby(String word, List<String> names) {
        if (names.size() <= 20) {
            return "the names are: " + String.join(", ", names);
        }
        List<String> close = names.stream()
                .sorted(Comparator.comparingInt((String c) -> Names.distance(word.toLowerCase(), c.toLowerCase())))
                .limit(10).toList();
        return "the nearest of its " + names.size() + " names: " + String.join(", ", close)
                + " (graft import MODEL --out DIR, then graft summary DIR, lists them all)";
    }

    static Pattern glob(String glob) {
        StringBuilder sb = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> sb.append(".*");
                case '?' -> sb.append('.');
                default -> sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(sb.toString());
    }
}
