package io.prefillbench.forward;

import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * v77: argmax runs argmax_rows_cluster (a row over a cluster of 8 blocks) where the device has clusters (sm_90) and the
 * vocabulary is long and whole 16-byte chunks; tiny vocabularies and sm_80 keep argmax_rows. Its grid is 8 blocks per
 * sequence slot, so a captured graph covers every batch up to the size's sequence capacity.
 */
class ClusterArgmaxRuleTest {
    private static LoweredForward lower(String preset, int arch) {
        return LoweredForward.of(ForwardProgram.of(Presets.byName(preset)), CaptureSizes.parse("16,512", CaptureSizes.HARD_CAP), 32, 2048,
                132, arch, ImplRegistry.standard(), ImplChoices.bundled());
    }

    @Test
    void longVocabulariesOnSm90RunTheClusterForm() {
        for (String preset : new String[] {"ernie-4.5-0.3b", "llama-3.2-1b", "qwen2.5-0.5b"}) {
            LoweredForward f = lower(preset, 90);
            for (int size : new int[] {16, 512}) {
                LoweredPlan p = f.plan(size);
                LoweredOp a = p.op("argmax");
                assertEquals(ImplRegistry.ARGMAX_CLUSTER, a.impl().name(), preset + " at " + size);
                int seqs = p.key().seqCapacity();
                assertEquals(seqs * ImplRegistry.ARGMAX_CLUSTER_BLOCKS, a.grid().atCapacity(p.key())[0], preset + " at " + size);
                assertEquals(256, a.impl().threads());
            }
        }
    }

    @Test
    void shortVocabulariesAndSm80KeepOneBlockPerRow() {
        for (String preset : new String[] {"tiny", "tiny-g5", "tiny-bias"}) {
            LoweredPlan p = lower(preset, 90).plan(16);
            assertEquals("argmax_rows", p.op("argmax").impl().name(), preset);
            assertEquals(p.key().seqCapacity(), p.op("argmax").grid().atCapacity(p.key())[0], preset);
        }
        // ERNIE's 103424 on a device without clusters
        assertEquals("argmax_rows", lower("ernie-4.5-0.3b", 80).plan(16).op("argmax").impl().name());
        // the rule's edges: 8 | vocab, vocab >= the minimum
        ImplRegistry.ClusterArgmaxRows rule = new ImplRegistry.ClusterArgmaxRows();
        Op op = lower("ernie-4.5-0.3b", 90).plan(16).op("argmax").op();
        CaptureKey key = lower("ernie-4.5-0.3b", 90).plan(16).key();
        assertEquals(true, rule.test(op, key, dims(ImplRegistry.ARGMAX_CLUSTER_MIN_VOCAB)));
        assertEquals(false, rule.test(op, key, dims(ImplRegistry.ARGMAX_CLUSTER_MIN_VOCAB - 8)));
        assertEquals(false, rule.test(op, key, dims(32001)));
        assertEquals(false, rule.test(op, key), "without the model's vocabulary: never");
    }

    private static ForwardProgram.Dims dims(int vocab) {
        return new ForwardProgram.Dims(1024, 16, 2, 64, 3072, vocab, 18, true, false, 1e-5f);
    }
}
