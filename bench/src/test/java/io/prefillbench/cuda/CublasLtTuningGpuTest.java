package io.prefillbench.cuda;

import io.prefillbench.GpuAssumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link CublasLtTuning} and {@link CublasLtMatmul#heuristicCandidates}: the candidates tune-gemm times. */
@Tag("gpu")
class CublasLtTuningGpuTest {
    @Test
    void theFirstCandidateIsTheHeuristicPickAndEveryCandidateRunsOrSaysWhyNot() {
        GpuAssumptions.assumeGpu();
        Cuda.setDevice(0);
        int m = 512, n = 1280, k = 1024;
        List<CublasLtMatmul.Algo> algos;
        CublasLtMatmul.Algo first;
        try (CublasLtMatmul mm = CublasLtMatmul.create(m, n, k)) {
            first = mm.algo();
            algos = mm.heuristicCandidates(6);
        }
        assertTrue(!algos.isEmpty() && algos.size() <= 6, "candidates " + algos);
        assertEquals(first, algos.get(0));
        CublasLtTuning.ShapeTimings t = CublasLtTuning.time(m, n, k, 6, null, 20, DeviceInfo.query(0).l2Bytes());
        assertEquals(algos, t.candidates().stream().map(CublasLtTuning.Timing::algo).toList());
        assertTrue(t.first().ran(), "the heuristic's first pick runs: " + t.first().refused());
        for (CublasLtTuning.Timing c : t.candidates()) assertTrue(!c.ran() || (c.us() > 0 && c.us() < 1e4), c.toString());
        assertTrue(t.best().us() <= t.first().us());
        assertTrue(t.weightCopies() * (long) n * k * 2 >= DeviceInfo.query(0).l2Bytes(), "weights rotate past L2: " + t.weightCopies());
    }
}
