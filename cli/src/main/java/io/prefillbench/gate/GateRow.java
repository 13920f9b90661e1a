package io.prefillbench.gate;

/**
 * One compared workload. Both metrics are oriented so that above 1 is better:
 * {@code ratioChange} = current speedup / baseline speedup, {@code graphSpeed} = baseline graph p50 / current graph p50.
 *
 * @param label          workload@paddedSize, or the JMH benchmark and params
 * @param currentRatio   the current speedup (eager/graph) with its own bounds, from the current run alone
 * @param graphBaseline  graph p50 (ms) or JMH graph score of the baseline, in {@code graphUnit}
 * @param verdict        the worst of ratioVerdict and graphVerdict
 */
public record GateRow(String label, double baselineRatio, Bounded currentRatio, Bounded ratioChange,
                      Verdict ratioVerdict, double graphBaseline, double graphCurrent, String graphUnit,
                      Bounded graphSpeed, Verdict graphVerdict, Verdict verdict) {

    public GateRow(String label, double baselineRatio, Bounded currentRatio, Bounded ratioChange, Verdict ratioVerdict,
                   double graphBaseline, double graphCurrent, String graphUnit, Bounded graphSpeed, Verdict graphVerdict) {
        this(label, baselineRatio, currentRatio, ratioChange, ratioVerdict, graphBaseline, graphCurrent, graphUnit,
                graphSpeed, graphVerdict, Verdict.worst(ratioVerdict, graphVerdict));
    }
}
