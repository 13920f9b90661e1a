package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.cuda.CublasLtTuning;
import io.prefillbench.profile.ForwardProfile;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code prefill --vs-cublas} puts the profiling pass's time per GEMM op beside cuBLASLt timed alone
 * ({@link CublasLtTuning}, weights rotated past the L2). The two methods must agree where they time the same kernel: ERNIE at
 * bucket 512 runs qkv, o and down on cuBLASLt's heuristic pick, so the profile's time per op of those shapes and the
 * tuning's first candidate on the same shape are one library kernel measured two ways. A sane factor, not a speed target.
 */
@Tag("gpu")
class LibraryColumnGpuTest {
    @Test
    void theProfilesLibraryOpsAndCublasAloneAgree() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("ernie-4.5-0.3b", "16,512", 8, 2048);
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            List<SeqInput> batch = EngineTestSupport.batch(new Random(11), new int[] {512}, cfg.model().vocab());
            for (int i = 0; i < 3; i++) e.eager(batch);
            List<ForwardProfile.ShapeRow> shapes = ForwardProfile.of(List.of(e.profileOps(batch, 11))).gemmShapes();
            List<ForwardProfile.ShapeRow> library = shapes.stream().filter(s -> s.impl().equals("cublaslt_gemm")).toList();
            assertFalse(library.isEmpty(), "ERNIE at 512 has cuBLASLt rows in the bundled choices: " + shapes);
            StringBuilder seen = new StringBuilder();
            for (ForwardProfile.ShapeRow s : library) {
                double ours = s.gpuUs() / s.count();
                CublasLtTuning.ShapeTimings t = CublasLtTuning.time(s.m(), s.n(), s.k(), 1, null, 50, e.device().l2Bytes());
                double alone = t.first().us();
                seen.append(String.format(java.util.Locale.ROOT, "%dx%d at %d: profile %.2f us/op, alone %.2f; ", s.n(), s.k(), s.m(), ours, alone));
                assertTrue(alone > 0 && ours > 0.5 * alone && ours < 2 * alone, seen.toString());
            }
        }
    }
}
