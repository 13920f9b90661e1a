package io.prefillbench.results;

import io.prefillbench.serve.RequestRecord;
import io.prefillbench.serve.ServeSummary;

import java.util.List;
import java.util.Map;

/**
 * Results file of {@code bench.jar serve}: provenance, the device, the configuration, the summary
 * (TTFT/TPOT percentiles, throughput, graph share, padding waste, step kinds) and every request.
 */
public record ServeResults(String schema, boolean complete, Meta meta, List<Device> devices, Config config, ServeSummary summary,
                           List<RequestRecord> requests) {
    public static final String SCHEMA = "prefillbench/serve/v1";

    /**
     * @param rate          Poisson arrivals per second (null with a trace)
     * @param trace         trace file (null with --rate)
     * @param tokenBudget   most tokens per step (the largest capture size)
     * @param maxSeqsPerStep most sequences per step and running at once
     */
    public record Config(String model, Map<String, Object> shape, String policy, Double rate, String trace, String promptLen, String outputLen,
                         Integer requests, Double durationS, List<Integer> sizes, int maxNumSeqs, int maxModelLen, int tokenBudget,
                         int maxSeqsPerStep, int batchPrompts, double batchTimeoutMs, int seed, boolean pdl, String implChoices) {
    }
}
