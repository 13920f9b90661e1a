package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.engine.CaptureReport;
import io.prefillbench.engine.EngineConfig;
import io.prefillbench.engine.EngineOptions;
import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.engine.PrefillRunner;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.SweepConfig;
import io.prefillbench.results.SweepPoint;
import io.prefillbench.results.SweepResults;
import io.prefillbench.results.SweepTiming;
import io.prefillbench.results.Throttling;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.stream.IntStream;

/**
 * {@code prefill --sweep A:B:STEP}: captures every size of the range, then at every token count T times eager at T
 * tokens against the graph of size T (no padding), interleaved (eager, graph, eager, graph ...) on the host clock and
 * on the GPU (CUDA events). Records capture ms and graph MiB per size and writes a sweep results JSON
 * ({@link SweepResults#SCHEMA}) atomically, only when complete. The curve feeds {@code advise} and {@code report}.
 */
final class SweepRun {
    /** Per point defaults: 64 points at 20 + 200 pairs of ~1-4 ms forwards take well under a minute on an H100. */
    static final int DEFAULT_WARMUP = 20, DEFAULT_ITERATIONS = 200;

    private final PrefillCommand cmd;

    SweepRun(PrefillCommand cmd) {
        this.cmd = cmd;
    }

    int call() {
        var parsed = cmd.spec.commandLine().getParseResult();
        for (String other : List.of("--sizes", "--prompts", "--prompt-lens", "--batch", "--no-graph", "--no-eager", "--duration"))
            if (parsed.hasMatchedOption(other))
                throw new BenchException("--sweep sets the sizes and workloads itself; drop " + other + " (use --iterations/--warmup per point)");
        int iterations = parsed.hasMatchedOption("--iterations") ? cmd.iterations : DEFAULT_ITERATIONS;
        int warmup = parsed.hasMatchedOption("--warmup") ? cmd.warmup : DEFAULT_WARMUP;
        if (iterations < 1 || iterations > PrefillCommand.MAX_ITERATIONS)
            throw new BenchException("--iterations must be in 1.." + PrefillCommand.MAX_ITERATIONS + ", got " + iterations);
        cmd.checkWarmUpTimes();
        if (warmup < 0 || warmup > PrefillCommand.MAX_ITERATIONS)
            throw new BenchException("--warmup must be in 0.." + PrefillCommand.MAX_ITERATIONS + ", got " + warmup);
        if (cmd.device < 0) throw new BenchException("--device must be >= 0, got " + cmd.device);
        ModelConfig m = cmd.model.resolve(cmd.spec.commandLine().getErr());
        if (cmd.maxModelLen < 1 || cmd.maxModelLen > m.maxPositions())
            throw new BenchException("--max-model-len must be in 1.." + m.maxPositions() + " for " + m.name() + ", got " + cmd.maxModelLen);
        SweepRange range = SweepRange.parse(cmd.sweep, cmd.sweepBatch, cmd.maxModelLen, cmd.maxNumSeqs);
        int[] sizes = range.tokens();
        CaptureSizes capture = CaptureSizes.of(IntStream.of(sizes).boxed().toList(), Math.min(CaptureSizes.HARD_CAP, cmd.maxModelLen));
        EngineConfig cfg = new EngineConfig(m, capture, cmd.maxNumSeqs, cmd.maxModelLen, cmd.seed);
        Path out = cmd.json != null ? cmd.json : Path.of("results", "sweep-" + m.name() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".json");
        PrintWriter stdout = cmd.spec.commandLine().getOut(), err = cmd.spec.commandLine().getErr();

        KernelLibrary.requirePacked(); // after every input check: bad input is named even in a build without kernels
        // checked before CUDA is touched: an unwritable --json fails now, not after the sweep
        out = OutputPath.check("--json", out, cmd.choicesInputs(), cmd.force);
        EngineOptions options = PrefillCommand.engineOptions(cmd.implChoices, cmd.slowdownCycles, cmd.pdl, cmd.pdl, cmd.layoutWith);
        try (PrefillEngine engine = PrefillEngine.open(cfg, cmd.device, options)) {
            engine.firstTokenWait(cmd.firstTokens());
            PrefillCommand.noteMmaTiles(engine, err);
            CaptureReport[] reports = new CaptureReport[sizes.length];
            long t0 = System.nanoTime();
            for (int i = sizes.length - 1; i >= 0; i--) { // largest first, as engines do
                if (cmd.progress) {
                    err.printf("\rcapturing %d/%d (size %d) ", sizes.length - i, sizes.length, sizes[i]);
                    err.flush();
                }
                reports[i] = engine.capture(sizes[i]);
            }
            if (cmd.progress) err.printf("\rcaptured %d sizes in %.0f ms%n", sizes.length, (System.nanoTime() - t0) / 1e6);

            PrefillRunner runner = new PrefillRunner(engine, PaddingGuard.DEFAULT); // every T replays its own size: no padding
            Random rnd = new Random(cmd.seed);
            PrefillCommand.Throttle throttle = new PrefillCommand.Throttle(engine.device().busId());
            List<SweepPoint> points = new ArrayList<>();
            // the points run from small to large: unprimed, the 128-row plans at 88..128 would be timed before any heavy forward
            // had put the GPU in its loaded state (s29 calls 1-2), the later ones after
            Runnable prime = cmd.primeMs > 0 ? GpuPrime.step(runner, sizes[sizes.length - 1], m.vocab(), cmd.seed, true, true) : null;
            for (int i = 0; i < sizes.length; i++) {
                if (i % 8 == 0) throttle.before(); // counters read across each group of 8 timed points
                points.add(point(engine, runner, range, sizes[i], reports[i], rnd, warmup, iterations, prime));
                if (cmd.progress) {
                    err.printf("\rtimed %d/%d (T=%d) ", i + 1, sizes.length, sizes[i]);
                    err.flush();
                }
                if (i % 8 == 7 || i == sizes.length - 1) throttle.after("T=" + sizes[i - i % 8] + ".." + sizes[i]);
            }
            if (cmd.progress) err.println();
            Throttling throttling = throttle.result();
            SweepResults r = new SweepResults(SweepResults.SCHEMA, true,
                    RunMeta.meta(List.copyOf(cmd.spec.commandLine().getParseResult().originalArgs())),
                    List.of(RunMeta.device(engine.device())),
                    new SweepConfig(m.name(), PrefillCommand.shape(m), range.from(), range.to(), range.step(), range.sequences(),
                            cmd.maxNumSeqs, cmd.maxModelLen, warmup, iterations, cmd.seed, cmd.pdl,
                            "bucket-invariant (ours, split-K per capture bucket); " + PrefillCommand.choicesIdentity(cmd.implChoices, options, engine)
                                    + (cmd.layoutWith.isEmpty() ? "" : "; layout: " + PrefillCommand.layoutIdentity(cmd.layoutWith, options)),
                            cmd.hostTiming().recorded(), cmd.firstTokens().recorded(), cmd.warmupMs, cmd.primeMs),
                    points, throttling);
            stdout.print(markdown(r));
            stdout.flush();
            ResultsIo.writeAtomically(out, r);
            err.println("wrote " + out);
            err.flush();
            return 0;
        }
    }

    private SweepPoint point(PrefillEngine engine, PrefillRunner runner, SweepRange range, int tokens, CaptureReport c,
                             Random rnd, int warmup, int iterations, Runnable prime) {
        int vocab = engine.config().model().vocab();
        List<int[]> prompts = new ArrayList<>();
        for (int len : range.split(tokens)) prompts.add(rnd.ints(len, 0, vocab).toArray());
        if (prime != null) GpuPrime.run(cmd.primeMs * 1_000_000L, System::nanoTime, prime);
        PrefillRunner.Prepared prepared = runner.prepare(prompts);
        // warm-up and timing in ABBA order, the same pairs as prefill runs (RunConfig.ABBA)
        WarmUp.run(warmup, cmd.warmupMs * 1_000_000L, System::nanoTime,
                i -> PrefillCommand.pair(runner, prepared, i, true, true, null, null, null, null, 0, cmd.hostTiming()));
        long[] eHost = new long[iterations], gHost = new long[iterations], eGpu = new long[iterations], gGpu = new long[iterations];
        for (int n = 0; n < iterations; n++) PrefillCommand.pair(runner, prepared, n, true, true, eHost, gHost, eGpu, gGpu, n, cmd.hostTiming());
        // one untimed run per mode for the checks below, as prefill does: the timed loop keeps no results
        PrefillRunner.Result lastE = runner.run(prepared, PrefillRunner.Mode.EAGER, false);
        PrefillRunner.Result lastG = runner.run(prepared, PrefillRunner.Mode.GRAPH, false);
        if (prepared.steps().size() != 1 || !lastG.fallbacks().isEmpty() || lastG.paddedTokens() != tokens)
            throw new BenchException("sweep point " + tokens + " did not replay its own graph once (" + prepared.steps().size() + " steps, padded "
                    + lastG.paddedTokens() + ", fallbacks " + lastG.fallbacks() + "); this is a bug: please report it", 3, null);
        if (!Arrays.equals(lastE.firstTokens(), lastG.firstTokens()))
            throw new BenchException("graph and eager first tokens differ at " + tokens + " tokens: " + Arrays.toString(lastE.firstTokens())
                    + " vs " + Arrays.toString(lastG.firstTokens()) + " (this is a bug: please report it)", 3, null);
        SweepTiming e = SweepTiming.of(eHost, eGpu), g = SweepTiming.of(gHost, gGpu);
        // what capturing the size cost: its decode and fresh-prompt graphs too, where it has them (advise charges capture time and
        // memory per size)
        var decode = engine.decodeCaptureReport(tokens);
        var fresh = engine.freshCaptureReport(tokens);
        double ms = c.captureMs() + decode.map(CaptureReport::captureMs).orElse(0.0) + fresh.map(CaptureReport::captureMs).orElse(0.0);
        long bytes = c.graphBytes() + decode.map(CaptureReport::graphBytes).orElse(0L) + fresh.map(CaptureReport::graphBytes).orElse(0L);
        // the nodes of the graph the point's prompts replay: fresh prompts, so the size's fresh-prompt graph where it has one
        long nodes = fresh.map(CaptureReport::graphNodes).orElse(c.graphNodes());
        return new SweepPoint(tokens, range.sequences(), ms, bytes, bytes / 1048576.0, nodes, e, g, e.hostP50Ms() / g.hostP50Ms());
    }

    static String markdown(SweepResults r) {
        StringBuilder sb = new StringBuilder();
        sb.append("| tokens | eager p50 | p99 | gpu p50 | graph p50 | p99 | gpu p50 | speedup p50 | capture ms | graph MiB |\n");
        sb.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        double ms = 0, mib = 0;
        for (SweepPoint p : r.sweep()) {
            sb.append(String.format(Locale.ROOT, "| %d | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3fx | %.1f | %.2f |%n", p.tokens(),
                    p.eager().hostP50Ms(), p.eager().hostP99Ms(), p.eager().gpuP50Ms(), p.graph().hostP50Ms(), p.graph().hostP99Ms(),
                    p.graph().gpuP50Ms(), p.speedupP50(), p.captureMs(), p.graphMiB()));
            ms += p.captureMs();
            mib += p.graphMiB();
        }
        sb.append(String.format(Locale.ROOT, "%nlatencies in ms per forward (host wall clock; gpu = CUDA events), %d sequence(s) per forward, "
                + "%d timed pairs per point; %d sizes captured in %.1f ms, %.2f MiB of graph memory%n", r.config().sequences(),
                r.config().iterationsPerPoint(), r.sweep().size(), ms, mib));
        if (r.throttling() != null && r.throttling().observed()) sb.append("\nWARNING: GPU clock throttling seen: ").append(r.throttling().details()).append('\n');
        return sb.toString();
    }
}
