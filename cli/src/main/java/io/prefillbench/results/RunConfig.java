package io.prefillbench.results;

import java.util.List;
import java.util.Map;

/**
 * What was asked of the run.
 *
 * @param model      preset name, e.g. "ernie-4.5-0.3b"
 * @param modelShape free-form shape of the preset (hidden size, layers, ...), shown as-is in reports
 * @param sizes      captured graph sizes in tokens, ascending
 * @param gemm       GEMM policy, e.g. "bucket-invariant" (older results: "batch-invariant")
 */
public record RunConfig(String model, Map<String, Object> modelShape, List<Integer> sizes, int maxNumSeqs, int warmup,
                        int iterations, long seed, String gemm) {
}
