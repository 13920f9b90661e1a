package io.prefillbench.engine;

import io.prefillbench.model.ModelConfig;
import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.GemmTiling;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The split-K workspace the engine allocates holds the partials of every GEMM of every bucket, and no more than the largest. */
class SplitKWorkspaceTest {
    @Test
    void workspaceIsTheLargestPartialOfAnyGemm() {
        for (String preset : Presets.names()) {
            ModelConfig m = Presets.byName(preset);
            for (String sizes : new String[] {CaptureSizes.DEFAULT_SPEC, "16,64,512", "8", "1,2,3"}) {
                for (int sms : new int[] {108, 132}) {
                    EngineConfig cfg = new EngineConfig(m, CaptureSizes.parse(sizes, CaptureSizes.HARD_CAP), 32, 1024, 1);
                    long need = 0;
                    for (int size : cfg.sizes().sizes()) {
                        // the GEMMs ForwardPlan issues: qkv, o, gate_up, down on the tokens; the LM head on the sequences
                        int[][] gemms = {{m.qkvDim(), m.hidden(), size}, {m.hidden(), m.attnDim(), size},
                                {2 * m.ffn(), m.hidden(), size}, {m.hidden(), m.ffn(), size}, {m.vocab(), m.hidden(), cfg.seqCapacity(size)}};
                        for (int[] g : gemms) {
                            int s = GemmTiling.choose(g[0], g[1], g[2], sms).splits();
                            if (s > 1) need = Math.max(need, (long) s * g[2] * g[0]);
                        }
                    }
                    long got = ForwardPlan.partialFloatsNeeded(m, cfg, sms);
                    assertEquals(need, got, preset + " sizes " + sizes + " sms " + sms);
                    assertTrue(got >= 0);
                }
            }
        }
    }
}
