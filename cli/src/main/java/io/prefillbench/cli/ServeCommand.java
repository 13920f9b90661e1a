package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.KernelLibrary;
import io.prefillbench.engine.EngineConfig;
import io.prefillbench.engine.EngineOptions;
import io.prefillbench.engine.KvBlockAllocator;
import io.prefillbench.engine.PrefillEngine;
import io.prefillbench.engine.SeqInput;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.ServeResults;
import io.prefillbench.serve.Arrivals;
import io.prefillbench.serve.EngineStepExecutor;
import io.prefillbench.serve.LengthDistribution;
import io.prefillbench.serve.Policy;
import io.prefillbench.serve.Request;
import io.prefillbench.serve.Scheduler;
import io.prefillbench.serve.ServeClock;
import io.prefillbench.serve.ServeLoop;
import io.prefillbench.serve.ServeSummary;
import io.prefillbench.serve.StepRecord;
import io.prefillbench.serve.TraceFile;
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
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;

/**
 * {@code bench.jar serve}: runs an arrival trace on the GPU step by step with real forwards, under
 * one scheduling policy, and reports TTFT/TPOT percentiles, throughput, the share of steps replayed
 * from graphs and padding waste. Everything the user typed is checked before the GPU is touched.
 */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = "Serve an arrival trace (Poisson --rate or --trace CSV) with real forwards: mixed (dynamic insertion) vs prefill-first batching vs eager.")
final class ServeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    @Option(names = "--policy", defaultValue = "mixed", paramLabel = "POLICY",
            description = "mixed (every step any mix, graphs), prefill-first (batch N prompts or a timeout, pure-prefill steps, decode-only steps; graphs) or eager (mixed, no graphs) (default: ${DEFAULT-VALUE}).")
    String policy;

    @Option(names = "--rate", paramLabel = "R", description = "Poisson arrivals, requests per second.")
    Double rate;

    @Option(names = "--trace", paramLabel = "FILE", description = "Arrival trace CSV: arrival_ms,prompt_tokens,output_tokens per line, header optional.")
    Path trace;

    @Option(names = "--prompt-len", defaultValue = "128", paramLabel = "DIST", description = "Prompt lengths with --rate: N, a:b (uniform) or mu,sigma (lognormal) (default: ${DEFAULT-VALUE}).")
    String promptLen;

    @Option(names = "--output-len", defaultValue = "64", paramLabel = "DIST", description = "Generated tokens per request with --rate: N, a:b or mu,sigma (default: ${DEFAULT-VALUE}).")
    String outputLen;

    @Option(names = "--requests", paramLabel = "N", description = "Stop arrivals after N requests.")
    Integer requests;

    @Option(names = "--duration", paramLabel = "SECONDS", description = "Stop arrivals after this many seconds (the run then drains).")
    Double duration;

    @Option(names = "--batch-prompts", defaultValue = "4", paramLabel = "N", description = "prefill-first: prompts to wait for (default: ${DEFAULT-VALUE}).")
    int batchPrompts;

    @Option(names = "--batch-timeout-ms", defaultValue = "750", paramLabel = "MS", description = "prefill-first: or until the oldest prompt waited this long (default: ${DEFAULT-VALUE}).")
    double batchTimeoutMs;

    @Option(names = "--sizes", split = ",", defaultValue = CaptureSizes.DEFAULT_SPEC, paramLabel = "N",
            description = "Capture sizes; the largest is the per-step token budget (default: ${DEFAULT-VALUE}).")
    List<String> sizes;

    @Option(names = "--max-num-seqs", defaultValue = "32", description = "Most sequences per step and running at once (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;

    @Option(names = "--max-model-len", defaultValue = "4096", description = "Longest request (prompt + output - 1) a sequence's KV holds (default: ${DEFAULT-VALUE}).")
    int maxModelLen;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of weights, arrivals, lengths and prompts (default: ${DEFAULT-VALUE}).")
    int seed;

    @Option(names = "--device", defaultValue = "0", description = "GPU index (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--json", paramLabel = "FILE", description = "Results file (default: results/serve-<model>-<policy>-<timestamp>.json).")
    Path json;

    @Option(names = "--steps-log", paramLabel = "FILE", description = "Per-step CSV: start, duration, composition, graph or eager, padding.")
    Path stepsLog;

    @Option(names = "--impl-choices", paramLabel = "FILE",
            description = "Per-bucket implementation choices instead of the measurements file in the jar; recorded in the results.")
    Path implChoices;

    @Option(names = "--force", description = "Replace an existing --json or --steps-log file that prefillbench did not write.")
    boolean force;

    @Option(names = "--pdl", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Programmatic dependent launch on sm_90+ (default: on).")
    boolean pdl;

    @Option(names = "--progress", negatable = true, defaultValue = "true", fallbackValue = "true", description = "Progress on stderr (default: on).")
    boolean progress;

    @Override
    public Integer call() {
        Policy pol = Policy.parse(policy);
        if ((rate == null) == (trace == null)) throw new BenchException("give exactly one of --rate R (Poisson arrivals) or --trace FILE");
        if (rate != null && !(rate > 0 && Double.isFinite(rate))) throw new BenchException("--rate must be a positive number of requests per second, got " + rate);
        if (batchPrompts < 1) throw new BenchException("--batch-prompts must be at least 1, got " + batchPrompts);
        if (!(batchTimeoutMs >= 0) || Double.isInfinite(batchTimeoutMs)) throw new BenchException("--batch-timeout-ms must be >= 0, got " + batchTimeoutMs);
        if (device < 0) throw new BenchException("--device must be >= 0, got " + device);
        if (maxNumSeqs < 1 || maxNumSeqs > 1024) throw new BenchException("--max-num-seqs must be in 1..1024, got " + maxNumSeqs);
        ModelConfig m = model.resolve(spec.commandLine().getErr());
        if (maxModelLen < 1 || maxModelLen > m.maxPositions())
            throw new BenchException("--max-model-len must be in 1.." + m.maxPositions() + " for " + m.name() + ", got " + maxModelLen);
        CaptureSizes capture = CaptureSizes.parse(sizes, Math.min(CaptureSizes.HARD_CAP, maxModelLen));
        LengthDistribution prompts = LengthDistribution.parse("--prompt-len", promptLen);
        LengthDistribution outputs = LengthDistribution.parse("--output-len", outputLen);
        List<Request> reqs = rate != null
                ? Arrivals.poisson(rate, prompts, outputs, requests, duration, maxModelLen, m.vocab(), seed)
                : Arrivals.fromTrace(TraceFile.read(trace), requests, duration, maxModelLen, m.vocab(), seed);
        EngineConfig cfg = new EngineConfig(m, capture, maxNumSeqs, maxModelLen, seed);
        int budget = cfg.maxTokens();
        Scheduler.Limits limits = new Scheduler.Limits(budget, cfg.seqCapacity(budget), batchPrompts, Math.round(batchTimeoutMs * 1e6));
        Path out = json != null ? json : Path.of("results", "serve-" + m.name() + "-" + pol.label() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC).format(Instant.now()) + ".json");

        KernelLibrary.requirePacked(); // after every input check: bad input is named even in a build without kernels
        // outputs checked before CUDA is touched: an unwritable path fails in the first second, not after the run
        out = OutputPath.check("--json", out, trace == null ? List.of() : List.of(trace), force);
        Path stepsTarget = stepsLog == null ? null : OutputPath.check("--steps-log", stepsLog, trace == null ? List.of() : List.of(trace), force);
        PrintWriter stdout = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EngineOptions options = PrefillCommand.engineOptions(implChoices, 0, pdl);
        try (PrefillEngine engine = PrefillEngine.open(cfg, device, options)) {
            PrefillCommand.noteMmaTiles(engine, err);
            if (pol.graphs()) {
                long t0 = System.nanoTime();
                int[] all = capture.sizes();
                for (int i = all.length - 1; i >= 0; i--) engine.capture(all[i]); // largest first, as engines do
                if (progress) err.printf("captured %d sizes in %.0f ms%n", all.length, (System.nanoTime() - t0) / 1e6);
            }
            warmUp(engine);
            Scheduler scheduler = new Scheduler(pol, limits, KvBlockAllocator.forEngine(cfg));
            ServeLoop loop = new ServeLoop(scheduler, new EngineStepExecutor(engine), ServeClock.SYSTEM);
            long[] lastPrint = {System.nanoTime()};
            ServeLoop.Outcome o = loop.run(reqs, p -> {
                if (progress && System.nanoTime() - lastPrint[0] > 1_000_000_000L) {
                    lastPrint[0] = System.nanoTime();
                    err.printf("\r%s: %.1f s, %d/%d done, %d running, %d waiting, %d steps ", pol.label(), p.elapsedS(), p.finished(), p.total(),
                            p.running(), p.waiting(), p.steps());
                    err.flush();
                }
            });
            if (progress) err.printf("\r%s: %d requests in %.1f s, %d steps%n", pol.label(), reqs.size(), o.summary().makespanS(), o.steps().size());
            ServeResults r = new ServeResults(ServeResults.SCHEMA, true,
                    RunMeta.meta(List.copyOf(spec.commandLine().getParseResult().originalArgs())), List.of(RunMeta.device(engine.device())),
                    new ServeResults.Config(m.name(), PrefillCommand.shape(m), pol.label(), rate, trace == null ? null : trace.toString(),
                            rate != null ? prompts.spec() : null, rate != null ? outputs.spec() : null, requests, duration, capture.asList(),
                            maxNumSeqs, maxModelLen, budget, limits.maxSeqs(), batchPrompts, batchTimeoutMs, seed, pdl,
                            PrefillCommand.choicesIdentity(implChoices, options, engine)),
                    o.summary(), o.requests());
            stdout.print(markdown(r));
            stdout.flush();
            if (stepsLog != null) {
                StringBuilder csv = new StringBuilder(StepRecord.CSV_HEADER).append('\n');
                for (StepRecord s : o.steps()) csv.append(s.csv()).append('\n');
                ResultsIo.writeTextAtomically(stepsTarget, csv.toString());
            }
            ResultsIo.writeAtomically(out, r);
            err.println("wrote " + out + (stepsLog != null ? " and " + stepsLog : ""));
            err.flush();
            return 0;
        }
    }

    /** One eager decode-and-prefill step outside the measurement: lazy loading and first touches. */
    private static void warmUp(PrefillEngine engine) {
        KvBlockAllocator kv = KvBlockAllocator.forEngine(engine.config());
        int len = Math.min(16, engine.config().maxModelLen() - 1);
        int[] a = kv.allocate(len + 1), b = kv.allocate(len);
        engine.eager(List.of(SeqInput.paged(new int[] {1}, len, a), SeqInput.paged(new int[len], 0, b)));
    }

    static String markdown(ServeResults r) {
        ServeSummary s = r.summary();
        List<String> rows = new ArrayList<>();
        rows.add("| policy | requests | req/s | out tok/s | TTFT p50 | p90 | p99 | TPOT p50 | p90 | p99 | steps | graph share | padding waste | prefill/decode/mixed steps |");
        rows.add("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
        rows.add(String.format(Locale.ROOT, "| %s | %d | %.2f | %.0f | %.1f | %.1f | %.1f | %.2f | %.2f | %.2f | %d | %.0f%% | %.1f%% | %d/%d/%d |",
                r.config().policy(), s.requests(), s.requestsPerS(), s.outputTokensPerS(), s.ttftMs().p50(), s.ttftMs().p90(), s.ttftMs().p99(),
                s.tpotMs().p50(), s.tpotMs().p90(), s.tpotMs().p99(), s.steps(), 100 * s.graphShare(), 100 * s.paddingWaste(),
                s.prefillSteps(), s.decodeSteps(), s.mixedSteps()));
        return String.join("\n", rows) + "\n\nTTFT and TPOT in ms (TPOT: mean time per output token after the first, per request); throughput over "
                + String.format(Locale.ROOT, "%.2f", s.makespanS()) + " s from the first arrival to the last completion\n\n";
    }
}
