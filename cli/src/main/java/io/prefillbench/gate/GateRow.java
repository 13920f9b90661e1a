package io.prefillbench.gate;

import java.util.ArrayList;
import java.util.List;

/**
 * One compared workload, judged on three metrics, each oriented so that above 1 is better and each with its own
 * verdict: {@code ratioChange} = current speedup / baseline speedup, {@code graphSpeed} = baseline graph latency /
 * current, {@code eagerSpeed} the same for eager. A metric is null (verdict NA) when a mode was not timed in both runs.
 *
 * @param label        workload@paddedSize, or the JMH benchmark and params
 * @param currentRatio nullable: the current speedup (eager/graph) with its own bounds, from the current run alone
 * @param unit         unit of the four latencies: ms (p50) or the JMH score unit
 * @param verdict      the worst verdict of the metrics that count (see {@link GateOptions#failOn()})
 * @param failed       the metrics that count and are SLOWER, e.g. ["ratio"]; the row fails the gate when not empty
 */
public record GateRow(String label, Double baselineRatio, Bounded currentRatio, Bounded ratioChange, Verdict ratioVerdict,
                      String unit, Double graphBaseline, Double graphCurrent, Bounded graphSpeed, Verdict graphVerdict,
                      Double eagerBaseline, Double eagerCurrent, Bounded eagerSpeed, Verdict eagerVerdict,
                      Verdict verdict, List<String> failed) {

    /** Classifies each metric and decides which count: those in failOn, and a one-mode row's only latency. */
    static GateRow judge(String label, Double baselineRatio, Bounded currentRatio, Bounded ratioChange, String unit,
                         Double graphBaseline, Double graphCurrent, Bounded graphSpeed,
                         Double eagerBaseline, Double eagerCurrent, Bounded eagerSpeed, GateOptions o) {
        Verdict rv = classify(ratioChange, o), gv = classify(graphSpeed, o), ev = classify(eagerSpeed, o);
        boolean oneMode = ratioChange == null;
        Verdict worst = Verdict.NA;
        List<String> failed = new ArrayList<>();
        Metric[] metrics = {Metric.RATIO, Metric.GRAPH, Metric.EAGER};
        Verdict[] verdicts = {rv, gv, ev};
        for (int i = 0; i < metrics.length; i++) {
            if (verdicts[i] == Verdict.NA || !(o.failOn().contains(metrics[i]) || oneMode)) continue;
            worst = Verdict.worst(worst, verdicts[i]);
            if (verdicts[i] == Verdict.SLOWER) failed.add(metrics[i].label());
        }
        return new GateRow(label, baselineRatio, currentRatio, ratioChange, rv, unit, graphBaseline, graphCurrent, graphSpeed, gv,
                eagerBaseline, eagerCurrent, eagerSpeed, ev, worst, List.copyOf(failed));
    }

    private static Verdict classify(Bounded m, GateOptions o) {
        return m == null ? Verdict.NA : Gate.classify(m, o.tolerance());
    }
}
