package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.CudaException;
import io.prefillbench.cuda.CublasHandle;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.engine.CaptureReport;
import io.prefillbench.engine.EngineConfig;
import io.prefillbench.engine.EngineOptions;
import io.prefillbench.engine.FirstTokenWait;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.engine.PrefillRunner;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.results.Capture;
import io.prefillbench.results.Floor;
import io.prefillbench.results.HistogramLogs;
import io.prefillbench.results.LatencyStats;
import io.prefillbench.results.LaunchCounts;
import io.prefillbench.results.Meta;
import io.prefillbench.results.Profile;
import io.prefillbench.results.ModeTiming;
import io.prefillbench.results.Results;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.RunConfig;
import io.prefillbench.results.SampleDrift;
import io.prefillbench.results.Speedup;
import io.prefillbench.results.SpeedupStats;
import io.prefillbench.results.Throttling;
import io.prefillbench.results.Workload;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code bench.jar prefill}: captures the sizes, times eager and graph prefill interleaved
 * (A B A B ...) end to end on the host clock and on the GPU (CUDA events), prints a markdown table
 * and writes the results JSON (atomically, only when complete) plus HdrHistogram logs.
 */
@Command(name = "prefill", mixinStandardHelpOptions = true,
        description = "Time eager vs CUDA-graph prefill for capture sizes and workloads.")
final class PrefillCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--sizes", split = ",", defaultValue = CaptureSizes.DEFAULT_SPEC, paramLabel = "N",
            description = "Capture sizes (token counts), e.g. 16,64,512 (default: ${DEFAULT-VALUE}).")
    List<String> sizes;

    @Option(names = "--prompts", split = ",", paramLabel = "NAME", description = "Named prompts: short (10 tokens), long (480). Default when no workload is given: short,long.")
    List<String> prompts;

    @Option(names = "--prompt-lens", split = ",", paramLabel = "N", description = "Single prompts of these lengths, e.g. 10,480.")
    List<Integer> promptLens;

    @Option(names = "--batch", split = ",", paramLabel = "SxT", description = "Batches of S sequences of T tokens, e.g. 4x80,8x16.")
    List<String> batches;

    @Option(names = "--mix", split = ",", paramLabel = "MIX", description = "One-step mixes of prompts and decode tokens, e.g. 1x80+31d@2048 (an 80-token prompt and 31 decode tokens after 2048 cached) or 64d@1024; terms NxL, NxL@P, Nd@P.")
    List<String> mix;

    private final Map<String, MixWorkload> mixes = new LinkedHashMap<>();

    @Option(names = "--max-num-seqs", defaultValue = "32", description = "Most sequences per forward (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;

    @Option(names = "--max-model-len", defaultValue = "4096", description = "Longest sequence the KV cache holds (default: ${DEFAULT-VALUE}).")
    int maxModelLen;

    @Option(names = "--warmup", defaultValue = "30", description = "Untimed iterations per workload and mode (default: ${DEFAULT-VALUE}).")
    int warmup;

    // default 1000 with --prime-ms 300 (s29 call 6's rule): 191 of 686 workload modes in the H200 files of 2026-11-30..12-01
    // still moved 5-35 % within their timed loops after --warmup alone
    @Option(names = "--warmup-ms", paramLabel = "MS", defaultValue = "1000",
            description = "Also warm each workload (each sweep point) up for at least this many milliseconds (default: ${DEFAULT-VALUE}; "
                    + "0: --warmup alone). The host's half of a forward is JIT-compiled while it runs: on an H200 host 30 iterations left "
                    + "8x16's host p50 20-40 us high. Recorded in the results.")
    long warmupMs;

    /** Most --warmup-ms (and --prime-ms): an hour. */
    static final long MAX_WARMUP_MS = 3_600_000;

    // default 300 with --warmup-ms 1000 (s29 call 6 met the rule for both; a prime without the warm-up leaves the JIT
    // recompiling inside the timed loop, call 4)
    @Option(names = "--prime-ms", paramLabel = "MS", defaultValue = "300",
            description = "Before each workload (before its warm-up, and before a --mix workload fills its prefixes), run a forward "
                    + "of one prompt as long as the largest captured size in each timed mode, back to back, for at least this many "
                    + "milliseconds (default: ${DEFAULT-VALUE}; 0: none; with --sweep, before each point). Heavy work puts the GPU into "
                    + "the state a loaded server runs in: on an H200 ERNIE's 8x16 read 596 us of GPU time as its process's first "
                    + "workload, 574 after a 480-token prompt or 300 ms of priming. Use with --warmup-ms (e.g. --prime-ms 300 "
                    + "--warmup-ms 1000): the JIT must see the workload's own path again before timing. Recorded in the results.")
    long primeMs;

    @Option(names = "--iterations", defaultValue = "300", description = "Timed iterations per workload and mode (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Time each workload for this long instead of a fixed --iterations.")
    Double duration;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights and prompts (default: ${DEFAULT-VALUE}).")
    int seed;

    @Option(names = "--device", defaultValue = "0", description = "GPU index (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--json", paramLabel = "FILE", description = "Results file (default: results/prefill-<model>-<timestamp>.json).")
    Path json;

    @Option(names = "--no-graph", description = "Time eager only (no capture).")
    boolean noGraph;

    @Option(names = "--no-eager", description = "Time graph replay only.")
    boolean noEager;

    @Option(names = "--skip-oversize", description = "Skip capture sizes that do not fit in GPU memory (and say so) instead of failing.")
    boolean skipOversize;

    @Option(names = "--pad-ratio", defaultValue = "2.0", description = "Padding guard: run eager when padded > ratio x tokens and the padding exceeds --pad-slack (default: ${DEFAULT-VALUE}).")
    double padRatio;

    @Option(names = "--pad-slack", defaultValue = "64", description = "Padding guard: padded tokens always accepted (default: ${DEFAULT-VALUE}).")
    int padSlack;

    @Option(names = "--pdl", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Programmatic dependent launch on sm_90+ in both modes (default: on; --no-pdl to compare).")
    boolean pdl;

    @Option(names = "--library-edges", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "With PDL, in captured graphs: our kernel after a cuBLASLt call launches once the library kernel's "
                    + "blocks have all started and waits for it on the GPU (graphs only; default: on; --no-library-edges to compare).")
    boolean libraryEdges;

    @Option(names = "--slowdown-cycles", hidden = true, defaultValue = "0", description = "Test only: a busy kernel of N GPU cycles in every captured graph (planted regression for the gate).")
    long slowdownCycles;

    @Option(names = "--profile", description = "After timing, a longer profiling pass (" + ProfilePass.FULL_REPEATS + " runs instead of "
            + ProfilePass.SHORT_REPEATS + ") and every GEMM op in the output; the default run always does the short pass.")
    boolean profileFull;

    @Option(names = "--no-profile", description = "Skip the profiling pass (GPU time per op family) after timing.")
    boolean noProfile;

    @Option(names = "--vs-cublas", description = "After each profiling pass, time cuBLASLt alone on every GEMM shape of the profile (its "
            + "heuristic's first pick and the fastest of its first " + CublasColumns.CANDIDATES + " candidates, weights read from DRAM): "
            + "the per-GEMM table against the library, in the output and in --json.")
    boolean vsCublas;

    /** The run's library columns (one timing per GEMM shape per run); set when --vs-cublas is on. */
    private CublasColumns cublasColumns;

    @Option(names = "--force", description = "Replace an existing --json (or .hlog) file that prefillbench did not write.")
    boolean force;

    @Option(names = "--impl-choices", paramLabel = "FILE",
            description = "Per-bucket implementation choices (GEMM implementation and splits, fusions, L2 prefetch, persistent layers, attention forms, decode graphs) instead of the measurements file in the jar; recorded in the results.")
    Path implChoices;

    @Option(names = "--layout-with", paramLabel = "FILE|bundled",
            description = "Lay the buffers out over the plans of these implementation choices too (a file, or bundled: the jar's), "
                    + "as well as the run's own; they are never run. Give each side of an A/B the other side's choices and both "
                    + "run with the same buffer addresses, so a row that changes a workspace's size no longer moves every buffer "
                    + "after it (up to 2 %% on an H200). Repeatable; recorded in the results.")
    List<String> layoutWith = List.of();

    @Option(names = "--l2-persist", paramLabel = "MiB|max",
            description = "Hold this much of the LM head's weight in the GPU's L2 across forwards: the engine sets that much L2 "
                    + "aside for persisting accesses (max: the device's most) and the LM head's kernel launches mark the first bytes "
                    + "of its weight persisting (an access-policy window; eager and graph alike), so every forward reads that much "
                    + "less from DRAM — and every other access has that much less L2: on an H200 37.5 MiB made every forward 3-8 %% "
                    + "slower and 8 MiB +0.2 %% (kernels/NOTES-forward.md v88). Default: none. Device-wide while the run lasts, "
                    + "given back while the floor is measured and restored after; recorded in the results. The weight-streaming "
                    + "floor still counts every weight.")
    String l2Persist;

    @Option(names = "--host-timing", defaultValue = "separate", paramLabel = "HOW",
            description = "Host samples: separate (default: from forwards that record no GPU-timing event; the GPU times from event-timed "
                    + "forwards run after them, so every forward runs twice per iteration) or events (both from the same forwards, whose "
                    + "two event records then sit on the host path: 3-17 us of a graph forward on an H200 host).")
    String hostTiming = "separate";

    /** --host-timing parsed once, in call(), before anything runs (the timed loops ask for it every iteration). */
    private HostTiming timing;

    // default spin since s30 call 9's rule (every core and 17..64-token workload <= +0.3 % against sync; short -2.3 %, long
    // -0.9 %, tiny 43.8-45.7 -> 41.6-42.0 us in call 7); with --host-timing events it falls back to sync (resolveFirstTokens)
    @Option(names = "--first-tokens", defaultValue = "spin", paramLabel = "HOW",
            description = "How the host waits for a forward's first tokens (argmax writes them into pinned memory): spin (default: "
                    + "the host spins until every sequence's token has landed and leaves the stream running; 1.2-1.6 us less per "
                    + "forward on an H200 host in C++) or sync (cudaStreamSynchronize after the launch). Applies to the forwards "
                    + "the host samples come from; event-timed forwards synchronize, so with --host-timing events the default is "
                    + "sync. Recorded in the results.")
    String firstTokens = "spin";

    /** --first-tokens parsed once, in call(). */
    private FirstTokenWait firstTokenWait;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Progress on stderr (default: on).")
    boolean progress;

    @Option(names = "--sweep", paramLabel = "A:B:STEP", description = "Capture every size A, A+STEP, ..., B and time eager vs that size's graph at each (writes a sweep JSON for advise/report), e.g. 8:512:8.")
    String sweep;

    @Option(names = "--sweep-batch", paramLabel = "S", defaultValue = "1", description = "With --sweep: S equal sequences per forward (default: ${DEFAULT-VALUE}).")
    int sweepBatch;

    /** Most timed (or warmup) iterations per workload and mode: four long[] of this length hold the samples. */
    static final int MAX_ITERATIONS = 1_000_000;
    static final double MIN_DURATION_S = 0.1;
    static final double MAX_DURATION_S = 3600;

    private final AtomicBoolean complete = new AtomicBoolean();
    private final PendingHistogramLogs histogramLogs = new PendingHistogramLogs();

    @Override
    public Integer call() throws Exception {
        try {
            timing = HostTiming.parse(hostTiming);
            firstTokenWait = resolveFirstTokens(FirstTokenWait.parse(firstTokens),
                    spec.commandLine().getParseResult().hasMatchedOption("--first-tokens"), timing);
        } catch (IllegalArgumentException e) {
            throw new BenchException(e.getMessage());
        }
        long l2Bytes = l2PersistBytes(l2Persist);
        if (sweep != null) {
            if (l2Bytes > 0) throw new BenchException("--l2-persist is recorded by prefill runs only: drop it from --sweep");
            if (vsCublas) throw new BenchException("--vs-cublas compares a prefill run's profiled GEMMs with cuBLASLt: drop it from --sweep");
            return new SweepRun(this).call();
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--sweep-batch")) throw new BenchException("--sweep-batch needs --sweep A:B:STEP");
        // Everything the user typed is checked before the GPU is touched.
        if (noGraph && noEager) throw new BenchException("--no-graph and --no-eager together leave nothing to time");
        if (profileFull && noProfile) throw new BenchException("--profile and --no-profile contradict each other: drop one");
        if (vsCublas && noProfile) throw new BenchException("--vs-cublas compares the profiling pass's GEMMs with cuBLASLt: drop --no-profile");
        if (iterations < 1 || iterations > MAX_ITERATIONS)
            throw new BenchException("--iterations must be in 1.." + MAX_ITERATIONS + ", got " + iterations);
        if (warmup < 0 || warmup > MAX_ITERATIONS) throw new BenchException("--warmup must be in 0.." + MAX_ITERATIONS + ", got " + warmup);
        checkWarmUpTimes();
        // the lower bound leaves time for at least one iteration; NaN and Infinity fail both comparisons
        if (duration != null && !(duration >= MIN_DURATION_S && duration <= MAX_DURATION_S))
            throw new BenchException("--duration must be in " + MIN_DURATION_S + ".." + MAX_DURATION_S + " seconds, got " + duration);
        if (device < 0) throw new BenchException("--device must be >= 0, got " + device);
        ModelConfig m = model.resolve(spec.commandLine().getErr());
        if (maxModelLen < 1 || maxModelLen > m.maxPositions())
            throw new BenchException("--max-model-len must be in 1.." + m.maxPositions() + " for " + m.name() + ", got " + maxModelLen);
        // untyped defaults are trimmed to a short --max-model-len rather than blamed for exceeding it
        CaptureSizes capture = spec.commandLine().getParseResult().hasMatchedOption("--sizes")
                ? CaptureSizes.parse(sizes, Math.min(CaptureSizes.HARD_CAP, maxModelLen))
                : CaptureSizes.defaultsUpTo(Math.min(CaptureSizes.HARD_CAP, maxModelLen), "--max-model-len");
        PaddingGuard guard;
        try {
            guard = new PaddingGuard(padRatio, padSlack);
        } catch (IllegalArgumentException e) {
            throw new BenchException("--pad-ratio/--pad-slack: " + e.getMessage());
        }
        if (mix != null) for (String x : mix) mixes.putIfAbsent("mix-" + x.trim(), MixWorkload.parse(x, maxModelLen, maxNumSeqs, capture.largest()));
        List<Workloads.Spec> workloads = Workloads.parse(prompts, promptLens, batches, maxModelLen, maxNumSeqs,
                mixes.values().stream().map(MixWorkload::spec).toList());
        EngineConfig cfg = new EngineConfig(m, capture, maxNumSeqs, maxModelLen, seed);
        KernelLibrary.requirePacked(); // after every input check: bad input is named even in a build without kernels
        Path out = json != null ? json : Path.of("results", "prefill-" + m.name() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".json");
        // every output is checked before CUDA is loaded: an unwritable --json fails now, not after the timing
        List<Path> inputs = new ArrayList<>(choicesInputs());
        if (model.choice != null && model.choice.configFile != null) inputs.add(model.choice.configFile);
        out = OutputPath.check("--json", out, inputs, force);
        for (Workloads.Spec w : workloads)
            for (String mode : List.of("eager", "graph"))
                if (mode.equals("eager") ? !noEager : !noGraph) OutputPath.check("--json (its .hlog)", histogramPath(out, w.name(), mode), inputs, force);
        final Path results = out;

        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Thread hook = new Thread(() -> {
            if (complete.get()) return;
            histogramLogs.discard(new PrintWriter(System.err, true));
            System.err.println("\ninterrupted: no results written (" + results + " is written only when the run completes)");
        });
        Runtime.getRuntime().addShutdownHook(hook);
        EngineOptions options = engineOptions(implChoices, slowdownCycles, pdl, libraryEdges, layoutWith).withL2Persist(l2Bytes);
        try (PrefillEngine engine = PrefillEngine.open(cfg, device, options)) {
            engine.firstTokenWait(firstTokens());
            noteMmaTiles(engine, err);
            noteL2(engine, err);
            List<Capture> captures = new ArrayList<>();
            List<String> skipped = new ArrayList<>();
            Map<Integer, CaptureReport> reports = new LinkedHashMap<>();
            if (!noGraph) captureAll(engine, capture, captures, reports, skipped, err);

            PrefillRunner runner = new PrefillRunner(engine, guard);
            Random rnd = new Random(seed);
            List<Workload> timed = new ArrayList<>();
            Throttle throttle = new Throttle(engine.device().busId());
            Runnable prime = primer(engine, runner, capture, reports);
            for (Workloads.Spec w : workloads) timed.add(time(engine, runner, w, rnd, reports, results, throttle, prime, err));
            // after all timing: 2 GiB for a few ms; with the L2 set-aside given back (held, it cut the H200's copy to a third, s41)
            Floor floor = engine.withoutL2SetAside(() -> ProfilePass.floor(engine.weightBytes()));
            if (engine.l2WindowBytes() > 0) {
                floor = new Floor(floor.d2dTBps(), floor.weightBytes(), floor.weightStreamMs(), floor.copyBytes(),
                        floor.method() + "; the run's L2 set-aside given back during the copies");
            }
            Results r = new Results(Results.SCHEMA, true, meta(engine), List.of(RunMeta.device(engine.device())),
                    new RunConfig(m.name(), shape(m), capture.asList(), maxNumSeqs, warmup, iterations, seed,
                            "bucket-invariant (ours, split-K per capture bucket)", maxModelLen,
                            duration == null ? "iterations" : "duration " + duration + " s", pdl, padRatio, padSlack,
                            RunConfig.ABBA, slowdownCycles, choicesIdentity(implChoices, options, engine), options.pdl() && options.libraryEdges(),
                            hostTiming().recorded(), firstTokens().recorded(), warmupMs, primeMs, layoutIdentity(layoutWith, options),
                            engine.l2WindowBytes()),
                    captures, timed, throttle.result(), floor);
            if (!skipped.isEmpty()) err.println("skipped sizes (out of GPU memory): " + skipped);
            stdout.print(markdown(r, reports, engine::decodeCaptureReport, engine::freshCaptureReport));
            stdout.print(ProfileMarkdown.floorAndLaunches(r));
            for (Workload w : r.workloads()) stdout.print(ProfileMarkdown.workload(w, profileFull));
            stdout.flush();
            ResultsIo.writeAtomically(results, r);
            complete.set(true);
            err.println("wrote " + results);
            err.flush();
            return 0;
        } finally {
            if (!complete.get()) histogramLogs.discard(err);
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException ignored) {
                // already shutting down
            }
        }
    }

    private void captureAll(PrefillEngine engine, CaptureSizes capture, List<Capture> captures, Map<Integer, CaptureReport> reports,
                            List<String> skipped, PrintWriter err) {
        int[] all = capture.sizes();
        long t0 = System.nanoTime();
        // largest first: the first capture touches the most memory, as engines do
        for (int i = all.length - 1; i >= 0; i--) {
            int size = all[i];
            if (progress) {
                err.printf("\rcapturing %d/%d (size %d) ", all.length - i, all.length, size);
                err.flush();
            }
            try {
                CaptureReport c = engine.capture(size);
                reports.put(size, c);
            } catch (CudaException e) {
                if (!(e.isOutOfMemory() && skipOversize)) throw e;
                skipped.add(size + " (" + e.errorName() + ")");
            }
        }
        for (int size : all) {
            CaptureReport c = reports.get(size);
            if (c != null) {
                captures.add(capture(c, engine.decodeCaptureReport(size).map(d -> capture(d, null, null)).orElse(null),
                        engine.freshCaptureReport(size).map(d -> capture(d, null, null)).orElse(null)));
            }
        }
        if (progress) err.printf("\rcaptured %d sizes in %.0f ms%n", reports.size(), (System.nanoTime() - t0) / 1e6);
    }

    /** A capture as the results file holds it, with the size's decode and fresh-prompt graphs (null: none). */
    private static Capture capture(CaptureReport c, Capture decodeGraph, Capture freshGraph) {
        return new Capture(c.size(), c.captureMs(), (int) c.graphNodes(), c.graphBytes(), (long) c.exactWorstTiles(), (long) c.heuristicTiles(),
                c.fullEdges(), c.programmaticEdges(), c.launchCompletionEdges(), decodeGraph, freshGraph);
    }

    /** One step of --prime-ms (null without it): {@link GpuPrime#step} at the largest captured size (without graphs, the largest size). */
    private Runnable primer(PrefillEngine engine, PrefillRunner runner, CaptureSizes capture, Map<Integer, CaptureReport> reports) {
        if (primeMs <= 0) return null;
        int len = reports.isEmpty() ? capture.largest() : java.util.Collections.max(reports.keySet());
        return GpuPrime.step(runner, len, engine.config().model().vocab(), seed, !noEager, !noGraph && !reports.isEmpty());
    }

    private Workload time(PrefillEngine engine, PrefillRunner runner, Workloads.Spec w, Random rnd, Map<Integer, CaptureReport> reports,
                          Path out, Throttle throttle, Runnable prime, PrintWriter err) throws Exception {
        int vocab = engine.config().model().vocab();
        List<int[]> prompts = new ArrayList<>();
        for (int len : w.seqLens()) prompts.add(rnd.ints(len, 0, vocab).toArray());
        MixWorkload mixed = mixes.get(w.name());
        if (prime != null) { // before a mix fills its prefixes: the prime's prompt writes the KV of cache slot 0
            if (progress) {
                err.printf("%s: priming %d ms%n", w.name(), primeMs);
                err.flush();
            }
            GpuPrime.run(primeMs * 1_000_000L, System::nanoTime, prime);
        }
        PrefillRunner.Prepared prepared = mixed != null ? mixed.prepare(engine, runner, rnd) : runner.prepare(prompts);
        boolean eager = !noEager, graph = !noGraph;
        // counted from the plan, outside the timed loop: neither mode pays for the counting
        LaunchCounts launches = new LaunchCounts(eager ? runner.launches(prepared, PrefillRunner.Mode.EAGER) : 0,
                graph ? runner.launches(prepared, PrefillRunner.Mode.GRAPH) : 0);

        WarmUp.run(warmup, warmupMs * 1_000_000L, System::nanoTime, i -> pair(runner, prepared, i, eager, graph, null, null, null, null, 0, hostTiming()));
        int cap = duration == null ? iterations : MAX_ITERATIONS;
        long[] eHost = new long[cap], gHost = new long[cap], eGpu = new long[cap], gGpu = new long[cap];
        PrefillRunner.Result[] last = new PrefillRunner.Result[2]; // eager, graph
        throttle.before(); // the GPU is idle here; the counters bracket exactly the timed window
        long deadline = duration == null ? Long.MAX_VALUE : System.nanoTime() + (long) (duration * 1e9);
        int n = 0;
        while (n < cap && System.nanoTime() < deadline) {
            pair(runner, prepared, n, eager, graph, eHost, gHost, eGpu, gGpu, n, hostTiming());
            n++;
            if (progress && (n & 63) == 0) {
                err.printf("\r%s: %d iterations ", w.name(), n);
                err.flush();
            }
        }
        throttle.after(w.name());
        if (progress) err.printf("\r%s: %d iterations done%n", w.name(), n);
        // one untimed run per mode for the outputs checked below; the timed loop keeps no results
        if (eager) last[0] = runner.run(prepared, PrefillRunner.Mode.EAGER, false);
        if (graph) last[1] = runner.run(prepared, PrefillRunner.Mode.GRAPH, false);
        PrefillRunner.Result lastE = last[0], lastG = last[1];
        eHost = Arrays.copyOf(eHost, n);
        gHost = Arrays.copyOf(gHost, n);
        eGpu = Arrays.copyOf(eGpu, n);
        gGpu = Arrays.copyOf(gGpu, n);
        if (lastE != null && lastG != null && !Arrays.equals(lastE.firstTokens(), lastG.firstTokens())) {
            throw new BenchException("graph and eager first tokens differ for workload " + w.name() + ": "
                    + Arrays.toString(lastE.firstTokens()) + " vs " + Arrays.toString(lastG.firstTokens()) + " (this is a bug: please report it)");
        }
        int padded = lastG != null ? lastG.paddedTokens() : w.tokens();
        String fallback = lastG == null || lastG.fallbacks().isEmpty() ? null : String.join("; ", lastG.fallbacks());

        // after the timed loop, never inside it: the profiling pass serialises ops and records events between them
        if (progress) err.printf("%s: profiling pass and eager enqueue time%n", w.name());
        Profile profile = noProfile ? null : ProfilePass.profile(engine, prepared, profileFull ? ProfilePass.FULL_REPEATS : ProfilePass.SHORT_REPEATS);
        if (vsCublas && profile != null) {
            if (cublasColumns == null) cublasColumns = new CublasColumns(CublasColumns.cublasLt(engine.device().l2Bytes()));
            if (progress) err.printf("%s: cuBLASLt on the profile's GEMM shapes%n", w.name());
            Profile p = profile;
            // with the L2 set-aside given back, as the floor's copies: held, it takes the L2 from every other access (s41)
            profile = engine.withoutL2SetAside(() -> cublasColumns.attach(p));
        }
        double[] enqueue = ProfilePass.enqueue(engine, prepared);

        HistogramLogs logs = new HistogramLogs(eager ? histogramLogs.write(out, w.name(), "eager", eHost) : null,
                graph ? histogramLogs.write(out, w.name(), "graph", gHost) : null);
        Speedup speedup = eager && graph ? SpeedupStats.p50Ratio(eHost, gHost, seed) : null;
        return new Workload(w.name(), w.seqLens(), w.tokens(), padded, fallback, launches,
                eager ? new ModeTiming(LatencyStats.of(eHost), LatencyStats.of(eGpu), eHost) : null,
                graph ? new ModeTiming(LatencyStats.of(gHost), LatencyStats.of(gGpu), gHost) : null,
                speedup, logs, profile, enqueue[0], enqueue[1], everyStepRan(lastE, lastG, PrefillRunner.Result::decodePlanSteps) ? Boolean.TRUE : null,
                everyStepRan(lastE, lastG, PrefillRunner.Result::freshPlanSteps) ? Boolean.TRUE : null);
    }

    /**
     * Whether every step of the batch ran one of its size's other plans, counted by {@code steps} (the decode or fresh-prompt
     * plan; eager and graph choose it by the same rule).
     */
    private static boolean everyStepRan(PrefillRunner.Result eager, PrefillRunner.Result graph,
                                        java.util.function.ToIntFunction<PrefillRunner.Result> steps) {
        PrefillRunner.Result r = graph != null ? graph : eager;
        return r != null && steps.applyAsInt(r) > 0 && steps.applyAsInt(r) == r.steps();
    }

    /**
     * One timed iteration, eager and graph in ABBA order ({@link RunConfig#ABBA}), the samples taken as {@code timing} says
     * ({@link PairTiming}). Null arrays: warm-up, nothing recorded.
     */
    static void pair(PrefillRunner runner, PrefillRunner.Prepared prepared, int iteration, boolean eager, boolean graph,
                     long[] eHost, long[] gHost, long[] eGpu, long[] gGpu, int at, HostTiming timing) {
        PairTiming.iteration(timing, on -> runner.engine().timeGpu(on), mode -> {
            long t = System.nanoTime();
            PrefillRunner.Result r = runner.run(prepared, mode, false);
            return new PairTiming.Sample(System.nanoTime() - t, r.gpuMs());
        }, iteration, eager, graph, eHost, gHost, eGpu, gGpu, at);
    }

    /** Where {@link PendingHistogramLogs} writes a workload's log (checked before the run). */
    static Path histogramPath(Path json, String workload, String mode) {
        String base = json.getFileName().toString().replaceFirst("\\.json$", "");
        return json.toAbsolutePath().getParent().resolve(base + "." + workload + "." + mode + ".hlog");
    }

    /** --host-timing as call() parsed it (a bad value is refused there, naming both, before anything runs). */
    HostTiming hostTiming() {
        return timing;
    }

    /** --warmup-ms and --prime-ms in 0..MAX_WARMUP_MS (checked before anything runs, for prefill and --sweep alike). */
    void checkWarmUpTimes() {
        checkMs("--warmup-ms", warmupMs);
        checkMs("--prime-ms", primeMs);
    }

    private static void checkMs(String option, long ms) {
        if (ms < 0 || ms > MAX_WARMUP_MS) throw new BenchException(option + " must be in 0.." + MAX_WARMUP_MS + " milliseconds, got " + ms);
    }

    /**
     * The wait the run uses: every host sample of --host-timing events comes from an event-timed forward, which must
     * synchronize, so the default spin becomes sync there and an explicit spin is refused.
     */
    static FirstTokenWait resolveFirstTokens(FirstTokenWait parsed, boolean explicit, HostTiming timing) {
        if (parsed != FirstTokenWait.SPIN || timing != HostTiming.EVENTS) return parsed;
        if (!explicit) return FirstTokenWait.SYNC;
        throw new IllegalArgumentException("--first-tokens spin has no effect with --host-timing events (each of its host samples is an "
                + "event-timed forward, which synchronizes): drop one");
    }

    /** --first-tokens as call() parsed it (refused there, naming both, before anything runs). */
    FirstTokenWait firstTokens() {
        return firstTokenWait;
    }

    /** Engine options with the bundled choices, or those of {@code file} (read now: a bad file fails before CUDA). */
    static EngineOptions engineOptions(Path file, long slowdownCycles, boolean pdl) {
        return engineOptions(file, slowdownCycles, pdl, pdl);
    }

    static EngineOptions engineOptions(Path file, long slowdownCycles, boolean pdl, boolean libraryEdges) {
        return engineOptions(file, slowdownCycles, pdl, libraryEdges, List.of());
    }

    static EngineOptions engineOptions(Path file, long slowdownCycles, boolean pdl, boolean libraryEdges, List<String> layoutWith) {
        EngineOptions o = new EngineOptions(slowdownCycles, false, pdl, libraryEdges);
        if (file != null) o = o.withChoices(ImplChoices.read(file));
        return o.withLayoutWith(layoutWith.stream().map(PrefillCommand::layoutChoices).toList());
    }

    /** The choices files this run reads (--impl-choices, --layout-with): no output may replace them. */
    List<Path> choicesInputs() {
        List<Path> in = new ArrayList<>();
        if (implChoices != null) in.add(implChoices);
        for (String v : layoutWith) if (!LAYOUT_BUNDLED.equals(v)) in.add(Path.of(v));
        return in;
    }

    /** A --layout-with value: {@code bundled} (the jar's choices) or a choices file. */
    static ImplChoices layoutChoices(String value) {
        return LAYOUT_BUNDLED.equals(value) ? ImplChoices.bundled() : ImplChoices.read(Path.of(value));
    }

    static final String LAYOUT_BUNDLED = "bundled";

    /**
     * What a run records of --layout-with: null without it (the layout covers the run's own plans, as every run before
     * the option did), else each source with its choices' digest — the digest of the whole file, since any row of it may
     * add a plan to the layout. The digests are of the choices {@code options} laid out (read once, by engineOptions), named
     * by the --layout-with values in their order.
     */
    static String layoutIdentity(List<String> layoutWith, EngineOptions options) {
        if (layoutWith.isEmpty()) return null;
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < layoutWith.size(); i++) {
            String v = layoutWith.get(i);
            parts.add(options.layoutWith().get(i).identity(LAYOUT_BUNDLED.equals(v) ? "bundled" : "file " + Path.of(v).getFileName()));
        }
        return RunConfig.LAYOUT_OWN + " + " + String.join(" + ", parts);
    }

    /** A line on stderr naming the sizes whose layer GEMMs run our mma.sync tiles above 64 rows (prefill, sweep, serve). */
    /**
     * --l2-persist's value in bytes: a positive number of MiB, {@code max} (the device's most, which the engine clamps to), or
     * 0 / absent (none).
     */
    static long l2PersistBytes(String value) {
        if (value == null) return 0;
        if ("max".equals(value)) return Long.MAX_VALUE;
        double mib;
        try {
            mib = Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new BenchException("--l2-persist takes MiB (a number) or max, got '" + value + "'");
        }
        if (!(mib >= 0) || mib > 1 << 20) throw new BenchException("--l2-persist must be in 0..1048576 MiB or max, got " + value);
        return (long) (mib * 1048576);
    }

    /** What the L2 set-aside holds, where the run asked for one. */
    static void noteL2(PrefillEngine engine, PrintWriter err) {
        if (engine.l2WindowBytes() <= 0) return;
        int[] plans = engine.l2WindowPlans();
        err.printf("note: L2 set-aside %.1f MiB (the device's most: %.1f MiB); the LM head's launches keep the first %.1f MiB of its "
                        + "weight there in %d of %d plans (the others run it as a library call)%n",
                engine.l2SetAsideBytes() / 1048576.0, engine.l2DeviceMaxBytes() / 1048576.0, engine.l2WindowBytes() / 1048576.0,
                plans[0], plans[1]);
        err.flush();
    }

    static void noteMmaTiles(PrefillEngine engine, PrintWriter err) {
        List<Integer> tiles = engine.lowered().all().stream().filter(io.prefillbench.plan.PlanReport::mmaTiles).map(p -> p.key().size()).toList();
        if (tiles.isEmpty()) return;
        err.println("note: " + io.prefillbench.plan.PlanReport.mmaTilesNote(tiles));
        err.flush();
    }

    /** What a run records of the choices: the rows that applied to its forward (model, sizes, device arch), digested. */
    static String choicesIdentity(Path file, EngineOptions options, PrefillEngine engine) {
        return options.choices().appliedTo(engine.lowered()).identity((file == null ? "bundled" : "file " + file.getFileName()) + ", rows applied");
    }

    private Meta meta(PrefillEngine engine) {
        // the top-level parse result's original args: the subcommand name and everything after it
        return RunMeta.meta(List.copyOf(spec.commandLine().getParseResult().originalArgs()));
    }

    static Map<String, Object> shape(ModelConfig m) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("hidden", m.hidden());
        s.put("layers", m.layers());
        s.put("qHeads", m.qHeads());
        s.put("kvHeads", m.kvHeads());
        s.put("headDim", m.headDim());
        s.put("ffn", m.ffn());
        s.put("vocab", m.vocab());
        s.put("qkvBias", m.qkvBias());
        s.put("tieWordEmbeddings", m.tieWordEmbeddings());
        s.put("params", m.params());
        return s;
    }

    private static String markdown(Results r, Map<Integer, CaptureReport> reports,
                                   java.util.function.IntFunction<java.util.Optional<CaptureReport>> decodes,
                                   java.util.function.IntFunction<java.util.Optional<CaptureReport>> freshes) {
        StringBuilder sb = new StringBuilder();
        sb.append("| workload | tokens | padded | eager p50 | p90 | p99 | max | graph p50 | p90 | p99 | max | speedup [95% CI] | capture ms | graph MiB | launches eager/graph |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|---|\n");
        for (Workload w : r.workloads()) {
            CaptureReport c = reports.get(w.paddedSize());
            sb.append("| ").append(w.name()).append(" | ").append(w.tokens()).append(" | ").append(w.paddedSize());
            appendTiming(sb, w.eager());
            appendTiming(sb, w.graph());
            sb.append(" | ").append(w.speedup() == null ? "-" : String.format("%.2fx [%.2f, %.2f]", w.speedup().p50Ratio(), w.speedup().ci95Low(), w.speedup().ci95High()));
            sb.append(" | ").append(c == null ? "-" : String.format("%.1f", c.captureMs()));
            sb.append(" | ").append(c == null ? "-" : String.format("%.1f", c.graphBytes() / 1048576.0));
            sb.append(" | ").append(w.launchesPerForward().eager()).append("/").append(w.launchesPerForward().graph());
            sb.append(" |\n");
            if (w.fallback() != null) sb.append("| ↳ fallback: ").append(w.fallback()).append(" |\n");
            if (Boolean.TRUE.equals(w.decodeGraph())) sb.append("| ↳ uniform decode: ran the size's decode graph (and its plan eager) |\n");
            if (Boolean.TRUE.equals(w.freshGraph())) sb.append("| ↳ fresh prompts: ran the size's fresh-prompt graph (and its plan eager) |\n");
        }
        sb.append("\nlatencies in ms, host wall clock per forward (inputs in, first tokens out)\n");
        if (!reports.isEmpty()) {
            sb.append("\n| capture size | seqs | tiles captured (exact worst) | [1,...,1,rest] tiles | capture ms | graph nodes | kernel nodes | edges full / PDL / library | graph MiB |\n");
            sb.append("|---:|---:|---:|---:|---:|---:|---:|---|---:|\n");
            double ms = 0, mib = 0;
            int decodeGraphs = 0, freshGraphs = 0;
            for (CaptureReport c : reports.values().stream().sorted(java.util.Comparator.comparingInt(CaptureReport::size)).toList()) {
                List<CaptureReport> all = new ArrayList<>(List.of(c));
                CaptureReport dg = decodes.apply(c.size()).orElse(null), fg = freshes.apply(c.size()).orElse(null);
                if (dg != null) all.add(dg);
                if (fg != null) all.add(fg);
                for (CaptureReport g : all) {
                    boolean decode = g == dg, fresh = g == fg;
                    sb.append(String.format("| %d%s | %d | %d | %d%s | %.1f | %d | %d | %d / %d / %d | %.2f |%n", g.size(),
                            decode ? " (decode)" : fresh ? " (fresh)" : "",
                            g.seqCapacity(), g.exactWorstTiles(), g.heuristicTiles(), g.heuristicTiles() < g.exactWorstTiles() ? " (UNDER)" : "",
                            g.captureMs(), g.graphNodes(), g.kernelNodes(), g.fullEdges(), g.programmaticEdges(), g.launchCompletionEdges(),
                            g.graphBytes() / 1048576.0));
                    ms += g.captureMs();
                    mib += g.graphBytes() / 1048576.0;
                    if (decode) decodeGraphs++;
                    if (fresh) freshGraphs++;
                }
            }
            sb.append(String.format("%ncaptured %d sizes%s: %.1f ms in all, %.2f MiB of graph memory beyond the shared buffers%n", reports.size(),
                    (decodeGraphs == 0 ? "" : " (" + decodeGraphs + " with a decode graph for uniform-decode batches)")
                            + (freshGraphs == 0 ? "" : " (" + freshGraphs + " with a fresh-prompt graph)"), ms, mib));
        }
        if (r.throttling() != null && r.throttling().observed()) sb.append("\nWARNING: GPU clock throttling seen: ").append(r.throttling().details());
        List<String> drift = SampleDrift.beyondLimit(r);
        if (!drift.isEmpty())
            sb.append("\nWARNING: host samples moved within the timed loop (median of its first fifth -> its last): ").append(String.join("; ", drift))
                    .append(warmUpAdvice(r.config().warmupMs()));
        sb.append('\n');
        return sb.toString();
    }

    /**
     * What moved samples may mean: a warm-up too short (the JIT still compiling: a trend through the loop), or a host busy
     * for part of it (s30 call 1: run B's short eager read 573 us in its first tenth and again in its seventh and eighth,
     * 476-489 otherwise, at --warmup-ms 1000). The first fix to try is the run's own --warmup-ms, doubled.
     */
    static String warmUpAdvice(Long warmupMs) {
        long ms = warmupMs == null ? 0 : warmupMs;
        return ". A trend: the warm-up (--warmup-ms " + ms + ") ended before the JIT had compiled the forward's host path (raise --warmup-ms,"
                + " e.g. " + Math.max(1000, 2 * ms) + "). Comes and goes: the host was busy for part of the loop (rerun on a quiet host);"
                + " the samples are in the JSON.";
    }

    private static void appendTiming(StringBuilder sb, ModeTiming t) {
        if (t == null) {
            sb.append(" | - | - | - | -");
            return;
        }
        LatencyStats s = t.hostNs();
        sb.append(String.format(" | %.3f | %.3f | %.3f | %.3f", s.p50() / 1e6, s.p90() / 1e6, s.p99() / 1e6, s.max() / 1e6));
    }

    /**
     * Throttling during each timed window, through nvidia-smi: the clock event reason counters (microseconds spent
     * power-capped, thermally slowed, power-braked; cumulative) are read just before and just after the timed loop
     * and the delta reported, because a flag sampled afterwards, on an idle GPU, says nothing about the timing.
     * Drivers without the counters get the active reasons at both ends, and the details say the check is weaker.
     */
    static final class Throttle {
        static final List<String> COUNTERS = List.of("sw_power_cap", "sw_thermal_slowdown", "hw_thermal_slowdown", "hw_power_brake_slowdown");
        private static final long BAD = 0x4L | 0x8L | 0x20L | 0x40L | 0x80L;
        private final String busId;
        private final List<String> seen = new ArrayList<>();
        private boolean available = true, counters = true;
        private long[] before;
        private String reasonsBefore;

        Throttle(String busId) {
            this.busId = busId;
        }

        void before() {
            if (!available) return;
            before = counters ? parseCounters(query(String.join(",", COUNTERS.stream().map(c -> "clocks_event_reasons_counters." + c).toList()))) : null;
            if (before == null) {
                counters = false;
                reasonsBefore = query("clocks_event_reasons.active,clocks.sm");
                if (reasonsBefore == null) available = false;
            }
        }

        void after(String workload) {
            if (!available) return;
            if (counters) {
                long[] now = parseCounters(query(String.join(",", COUNTERS.stream().map(c -> "clocks_event_reasons_counters." + c).toList())));
                String d = now == null ? workload + ": counters unreadable after timing" : delta(workload, before, now);
                if (d != null) seen.add(d);
                return;
            }
            for (String line : new String[] {reasonsBefore, query("clocks_event_reasons.active,clocks.sm")}) {
                String[] parts = line == null ? new String[0] : line.split(",");
                try {
                    long reasons = Long.decode(parts[0].trim());
                    if ((reasons & BAD) != 0)
                        seen.add(String.format("%s: reasons 0x%x at SM clock %s MHz", workload, reasons, parts.length > 1 ? parts[1].trim() : "?"));
                } catch (RuntimeException e) {
                    available = false;
                }
            }
        }

        /** Counter values in microseconds, or null when the driver does not provide them all. */
        static long[] parseCounters(String line) {
            if (line == null) return null;
            String[] parts = line.split(",");
            if (parts.length != COUNTERS.size()) return null;
            long[] v = new long[parts.length];
            try {
                for (int i = 0; i < parts.length; i++) v[i] = Long.parseLong(parts[i].trim().replace(" us", ""));
            } catch (NumberFormatException e) {
                return null; // [N/A], [Not Supported]
            }
            return v;
        }

        /** What grew during the timed window, or null when nothing did. */
        static String delta(String workload, long[] before, long[] after) {
            List<String> grew = new ArrayList<>();
            for (int i = 0; i < before.length; i++)
                if (after[i] > before[i]) grew.add(COUNTERS.get(i) + " +" + (after[i] - before[i]) + " us");
            return grew.isEmpty() ? null : workload + ": " + String.join(", ", grew) + " during timing";
        }

        Throttling result() {
            if (!available) return new Throttling(false, "not checked: nvidia-smi not available");
            String how = counters ? "clock event reason counters read before and after each timed window"
                    : "driver has no clock event reason counters: active reasons read before and after each timed window only";
            return new Throttling(!seen.isEmpty(), (seen.isEmpty() ? "none; " : String.join("; ", seen) + "; ") + how);
        }

        private String query(String fields) {
            return smi("--query-gpu=" + fields, "--format=csv,noheader,nounits", "--id=" + busId);
        }

        static String driverVersion() {
            String v = smi("--query-gpu=driver_version", "--format=csv,noheader");
            return v == null ? "unknown" : v.lines().findFirst().orElse("unknown").trim();
        }

        static String smi(String... args) {
            try {
                String[] cmd = new String[args.length + 1];
                cmd[0] = "nvidia-smi";
                System.arraycopy(args, 0, cmd, 1, args.length);
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes()).trim();
                if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) || p.exitValue() != 0) return null;
                return out;
            } catch (Exception e) {
                return null;
            }
        }
    }
}
