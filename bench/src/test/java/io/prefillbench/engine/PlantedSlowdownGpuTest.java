package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The gate's planted slowdown ({@link EngineOptions#slowdownCycles}) delays what a graph forward's host waits for under
 * either {@link FirstTokenWait}, and no eager forward, and changes no token. Until s31 the busy kernel ran after argmax, at the graph's end: a host
 * spinning for the first tokens returned before it ran, the next forward (eager, in ABBA order) waited for it, and the
 * set's planted gate passed (s31 call 1: graph -1.2 %, eager +22 %).
 */
@Tag("gpu")
class PlantedSlowdownGpuTest {
    /** 4e6 cycles: at least 1 ms on any SM clock up to 4 GHz; tiny's forwards take ~0.05 (graph) to ~0.15 ms (eager). */
    private static final long CYCLES = 4_000_000L;
    private static final double MS = 1.0;

    @Test
    void theBusyKernelIsOnTheGraphsPathToItsFirstTokensOnly() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("tiny", "16", 4, 256);
        List<SeqInput> batch = EngineTestSupport.batch(new Random(31), new int[] {10}, cfg.model().vocab());
        try (PrefillEngine e = PrefillEngine.open(cfg, 0, new EngineOptions(CYCLES, false, true))) {
            e.capture(16);
            e.timeGpu(false);
            for (FirstTokenWait w : FirstTokenWait.values()) {
                e.firstTokenWait(w);
                double[] graph = new double[9], eager = new double[9];
                for (int i = 0; i < graph.length; i++) {
                    // graph then eager, as ABBA's halves meet: an eager forward right after a graph forward
                    long t0 = System.nanoTime();
                    int[] g = e.graph(batch).firstTokens();
                    long t1 = System.nanoTime();
                    int[] x = e.eager(batch).firstTokens();
                    long t2 = System.nanoTime();
                    assertArrayEquals(x, g, w + ": the plant changed the graph's first tokens");
                    graph[i] = (t1 - t0) / 1e6;
                    eager[i] = (t2 - t1) / 1e6;
                }
                Arrays.sort(graph);
                Arrays.sort(eager);
                assertTrue(graph[0] >= MS, w + ": a graph forward returned in " + graph[0] + " ms, before its planted "
                        + CYCLES + " cycles ran (" + Arrays.toString(graph) + ")");
                assertTrue(eager[4] < MS, w + ": an eager forward after a graph forward took " + eager[4]
                        + " ms (median): it waited for the graph's planted kernel (" + Arrays.toString(eager) + ")");
            }
        }
    }
}
