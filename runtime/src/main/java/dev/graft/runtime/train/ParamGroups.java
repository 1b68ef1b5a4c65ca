package dev.graft.runtime.train;

import dev.graft.api.layer.ParamSpec;
import dev.graft.runtime.GraftException;
import dev.graft.runtime.config.GroupConfig;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Assigns each parameter to an optimizer group: the first configured group with a matching glob
 * ({@code *} any characters, {@code ?} one), else the default group. Parameters that are not
 * trainable (running statistics) belong to no group.
 */
public final class ParamGroups {
    /** Name of the group of parameters no configured group matches. */
    public static final String DEFAULT = "default";

    private final Map<String, GroupConfig> groupOf = new LinkedHashMap<>();
    private final List<GroupConfig> groups;

    public ParamGroups(List<GroupConfig> groups, Map<String, ParamSpec> specs) {
        this(List.of(), groups, List.of(), specs);
    }

    /**
     * Groups with generated ones around the configured ones: {@code before} (checked first, e.g. the
     * parameters a fine-tuning experiment freezes) and {@code after} (checked last, e.g. the base model's
     * own learning rate). Only configured groups are reported when a pattern matches nothing.
     */
    public ParamGroups(List<GroupConfig> before, List<GroupConfig> groups, List<GroupConfig> after, Map<String, ParamSpec> specs) {
        this.groups = List.copyOf(groups);
        List<GroupConfig> all = new ArrayList<>(before);
        all.addAll(groups);
        all.addAll(after);
        List<Pattern> patterns = new ArrayList<>();
        List<Integer> owner = new ArrayList<>();
        for (int g = 0; g < all.size(); g++) {
            for (String glob : all.get(g).params()) {
                patterns.add(glob(glob));
                owner.add(g);
            }
        }
        int[] hits = new int[patterns.size()];
        GroupConfig def = new GroupConfig(DEFAULT, List.of("*"), null, null, false, 0, 0);
        for (Map.Entry<String, ParamSpec> e : specs.entrySet()) {
            if (!e.getValue().trainable()) {
                continue;
            }
            GroupConfig chosen = def;
            for (int i = 0; i < patterns.size(); i++) {
                if (patterns.get(i).matcher(e.getKey()).matches()) {
                    hits[i]++;
                    if (chosen == def) {
                        chosen = all.get(owner.get(i));
                    }
                }
            }
            groupOf.put(e.getKey(), chosen);
        }
        List<String> problems = new ArrayList<>();
        for (int p = 0; p < patterns.size(); p++) {
            int g = owner.get(p) - before.size();
            if (hits[p] == 0 && g >= 0 && g < groups.size()) {
                String glob = all.get(owner.get(p)).params().get(p - firstPattern(all, owner.get(p)));
                problems.add("optimizer.groups[" + g + "].params: '" + glob + "' matches no parameter (parameters: "
                        + String.join(", ", specs.keySet()) + ")");
            }
        }
        if (!problems.isEmpty()) {
            throw new GraftException(GraftException.Code.CONFIG, "", problems, null);
        }
    }

    private static int firstPattern(List<GroupConfig> all, int group) {
        int n = 0;
        for (int g = 0; g < group; g++) {
            n += all.get(g).params().size();
        }
        return n;
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

    /** The group of a trainable parameter. */
    public GroupConfig groupOf(String param) {
        return groupOf.get(param);
    }

    /** Trainable parameters that are not frozen: the ones that need gradients. */
    public List<String> updated() {
        return groupOf.entrySet().stream().filter(e -> !e.getValue().frozen()).map(Map.Entry::getKey).toList();
    }

    /** Trainable parameters in frozen groups: never updated. */
    public List<String> frozen() {
        return groupOf.entrySet().stream().filter(e -> e.getValue().frozen()).map(Map.Entry::getKey).toList();
    }

    /** Every trainable parameter, by group name, in declaration order. */
    public Map<String, List<String>> byGroup() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        groupOf.forEach((p, g) -> out.computeIfAbsent(g.name(), k -> new ArrayList<>()).add(p));
        return out;
    }

    /** The configured groups ({@code optimizer.groups}), without generated ones. */
    public List<GroupConfig> configured() {
        return groups;
    }
}
