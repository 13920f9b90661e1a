package io.prefillbench.jmh;

import io.prefillbench.engine.EngineConfig;
import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.engine.PrefillRunner;
import io.prefillbench.model.Presets;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.PaddingGuard;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * One prefill forward end to end (inputs in, first tokens out), eager or as a graph replay. The
 * trial setup opens the engine and captures the sizes once; the benchmark method is one forward,
 * timed by JMH alone: the engine records no GPU-timing events (PrefillEngine.timeGpu(false)), whose
 * host calls would sit on each forward's path (since the twenty-sixth session).
 *
 * <pre>
 * java -jar cli/target/bench.jar jmh PrefillBenchmark -p workload=short,long -rf json -rff results/jmh.json
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED"})
public class PrefillBenchmark {

    @Param({Presets.DEFAULT})
    public String preset;

    /** short = 10 tokens, long = 480, batch-4x80 = four sequences of 80. */
    @Param({"short", "long", "batch-4x80"})
    public String workload;

    @Param({"eager", "graph"})
    public String mode;

    @Param({"16,64,512"})
    public String sizes;

    private PrefillEngine engine;
    private PrefillRunner runner;
    private PrefillRunner.Prepared prepared;
    private PrefillRunner.Mode runMode;

    @Setup(Level.Trial)
    public void open() {
        EngineConfig cfg = new EngineConfig(Presets.byName(preset), CaptureSizes.parse(sizes, CaptureSizes.HARD_CAP), 32, 4096, 1);
        engine = PrefillEngine.open(cfg, 0);
        runMode = PrefillRunner.Mode.valueOf(mode.toUpperCase());
        if (runMode == PrefillRunner.Mode.GRAPH) {
            for (int s : cfg.sizes().sizes()) engine.capture(s);
        }
        engine.timeGpu(false);
        runner = new PrefillRunner(engine, PaddingGuard.DEFAULT);
        prepared = runner.prepare(prompts(workload, cfg.model().vocab()));
    }

    static List<int[]> prompts(String workload, int vocab) {
        Random rnd = new Random(1);
        List<int[]> p = new ArrayList<>();
        switch (workload) {
            case "short" -> p.add(rnd.ints(10, 0, vocab).toArray());
            case "long" -> p.add(rnd.ints(480, 0, vocab).toArray());
            case "batch-4x80" -> {
                for (int i = 0; i < 4; i++) p.add(rnd.ints(80, 0, vocab).toArray());
            }
            default -> throw new IllegalArgumentException("unknown workload " + workload);
        }
        return p;
    }

    @Benchmark
    public int[] prefill() {
        return runner.run(prepared, runMode, false).firstTokens();
    }

    @TearDown(Level.Trial)
    public void close() {
        if (engine != null) engine.close();
    }
}
