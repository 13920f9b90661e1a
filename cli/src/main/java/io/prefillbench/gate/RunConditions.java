package io.prefillbench.gate;

import io.prefillbench.BenchException;
import io.prefillbench.results.RunConfig;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Whether two runs were timed under the same conditions ({@link RunConfig#conditions()}): a known difference (PDL
 * on in one, off in the other; other iterations, sizes, padding guard, ...) makes the comparison meaningless, so it
 * is refused unless allowed. A field one file lacks (written before the field existed) is unknown: a warning note,
 * not a refusal, so results committed before the field still gate.
 */
final class RunConditions {
    private RunConditions() {
    }

    static void check(RunConfig base, RunConfig cur, boolean allowDiff, List<String> notes) {
        Map<String, Object> b = base.conditions(), c = cur.conditions();
        List<String> differ = new ArrayList<>(), unknown = new ArrayList<>();
        for (String field : b.keySet()) {
            Object bv = b.get(field), cv = c.get(field);
            if (bv == null || cv == null) {
                unknown.add(field + " (" + (bv == null && cv == null ? "both" : bv == null ? "baseline" : "current") + ")");
            } else if (!Objects.equals(normal(bv), normal(cv))) {
                differ.add(field + ": baseline " + bv + ", current " + cv);
            }
        }
        if (!differ.isEmpty() && !allowDiff)
            throw new BenchException("run conditions differ: " + String.join("; ", differ) + " (rerun with the baseline's options, or pass --allow-config-diff)");
        for (String d : differ) notes.add("run condition differs (allowed): " + d);
        if (!unknown.isEmpty())
            notes.add("warning: run conditions not recorded, so not compared: " + String.join(", ", unknown));
    }

    /** Numbers compare by value: 2 and 2.0 are the same pad ratio. */
    private static Object normal(Object v) {
        return v instanceof Number n ? (Object) n.doubleValue() : v;
    }
}
