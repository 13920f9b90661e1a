package io.prefillbench.engine;

import io.prefillbench.GpuAssumptions;
import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.DeviceBuffer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Open, capture, replay, close 200 times: device free memory ends within 1 MiB of where it began. */
@Tag("gpu")
class EngineLeakGpuTest {

    @Test
    void twoHundredOpenCaptureReplayCloseCyclesLeakNothing() {
        GpuAssumptions.assumeGpu();
        EngineConfig cfg = EngineTestSupport.config("tiny", "8,16,32", 4, 256);
        Random rnd = new Random(1);
        // one warm cycle first: the CUDA context and lazily loaded modules are not leaks
        cycle(cfg, rnd);
        long before = Cuda.memInfo()[0];
        for (int i = 0; i < 200; i++) cycle(cfg, rnd);
        long after = Cuda.memInfo()[0];
        long lost = before - after;
        System.out.printf("leak check: free before %d, after %d, lost %d bytes over 200 cycles%n", before, after, lost);
        assertTrue(Math.abs(lost) <= (1L << 20), "device free memory moved by " + lost + " bytes over 200 cycles");
    }

    private static void cycle(EngineConfig cfg, Random rnd) {
        try (PrefillEngine e = PrefillEngine.open(cfg, 0)) {
            for (int s : cfg.sizes().sizes()) e.capture(s);
            e.graph(List.of(new SeqInput(EngineTestSupport.randomTokens(rnd, 12, cfg.model().vocab()), 0, 0)));
            e.eager(List.of(new SeqInput(EngineTestSupport.randomTokens(rnd, 5, cfg.model().vocab()), 0, 1)));
        }
    }

    @Test
    void ownersCloseTwiceAndRefuseUseAfterClose() {
        GpuAssumptions.assumeGpu();
        DeviceBuffer b = DeviceBuffer.allocate("twice", 1024);
        b.close();
        assertDoesNotThrow(b::close);
        assertThrows(IllegalStateException.class, b::address);
        PrefillEngine e = PrefillEngine.open(EngineTestSupport.config("tiny", "8", 2, 64), 0);
        e.close();
        assertDoesNotThrow(e::close);
    }
}
