package io.prefillbench.results;

import io.prefillbench.engine.KvBlockAllocator;
import io.prefillbench.serve.Arrivals;
import io.prefillbench.serve.LengthDistribution;
import io.prefillbench.serve.Policy;
import io.prefillbench.serve.Request;
import io.prefillbench.serve.RequestRecord;
import io.prefillbench.serve.Scheduler;
import io.prefillbench.serve.ServeClock;
import io.prefillbench.serve.ServeLoop;
import io.prefillbench.serve.StepExecutor;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Seeded synthetic {@code serve} files for tests: the real scheduler and serving loop on a virtual clock, with a
 * fake GPU whose step costs ~0.95 ms plus ~2.3 us per token computed (graph replays pad to a multiple of 16; eager
 * steps pay launch overhead instead), shaped like the ERNIE-4.5-0.3B runs on an H100. Arrivals and lengths are those
 * of {@code scripts/gpu/serve-study.sh}, so a rate sweep saturates where a real one would: near the top rates.
 */
public final class SyntheticServes {
    public static final List<Double> STUDY_RATES = List.of(5.0, 20.0, 50.0, 100.0, 200.0);
    static final int BUDGET = 512, MAX_SEQS = 32, MAX_MODEL_LEN = 2048, BATCH_PROMPTS = 4, PAGE = 16;
    static final double BATCH_TIMEOUT_MS = 750;

    private SyntheticServes() {
    }

    /** The fake GPU's cost of one step: fixed overhead (more when eager: every kernel launched) plus per token. */
    public record Costs(double stepMs, double eagerExtraMs, double tokenMs) {
        public static final Costs H100 = new Costs(0.95, 0.20, 0.0023);
    }

    /** One serve run: Poisson arrivals at {@code rate}, min(300, 8 s of arrivals) requests, as the study runs them. */
    public static ServeResults serve(String policy, double rate, Costs costs, long seed) {
        int n = (int) Math.min(300, rate * 8);
        LengthDistribution prompts = new LengthDistribution.LogNormal(5.5, 0.45);
        LengthDistribution outputs = new LengthDistribution.Uniform(64, 256);
        List<Request> reqs = Arrivals.poisson(rate, prompts, outputs, n, null, MAX_MODEL_LEN, 1000, seed);
        List<String> argv = List.of("serve", "--policy", policy, "--rate", fmt(rate), "--requests", String.valueOf(n), "--seed", String.valueOf(seed));
        return run(policy, reqs, costs, argv, rate, null, prompts.spec(), outputs.spec(), n, seed);
    }

    /** The study's second scenario: four 80-token prompts 0.2 ms apart, 32 output tokens each, from a trace. */
    public static ServeResults fourPrompts(String policy, Costs costs) {
        List<Request> reqs = new ArrayList<>();
        for (int i = 0; i < 4; i++) reqs.add(new Request(i, Math.round(i * 0.2e6), new int[80], 32));
        return run(policy, reqs, costs, List.of("serve", "--policy", policy, "--trace", "four-80.csv", "--batch-prompts", "4"), null, "four-80.csv",
                null, null, null, 1);
    }

    private static ServeResults run(String policy, List<Request> reqs, Costs costs, List<String> argv, Double rate, String trace, String promptLen,
                                    String outputLen, Integer n, long seed) {
        Policy pol = Policy.parse(policy);
        VirtualClock clock = new VirtualClock();
        Scheduler scheduler = new Scheduler(pol, new Scheduler.Limits(BUDGET, MAX_SEQS, BATCH_PROMPTS, Math.round(BATCH_TIMEOUT_MS * 1e6)),
                new KvBlockAllocator(MAX_SEQS * MAX_MODEL_LEN / PAGE, PAGE));
        StepExecutor gpu = plan -> {
            int padded = plan.graphs() ? (plan.tokens() + 15) / 16 * 16 : plan.tokens();
            double ms = costs.stepMs() + (plan.graphs() ? 0 : costs.eagerExtraMs()) + costs.tokenMs() * padded;
            clock.now += Math.round(ms * 1e6);
            return new StepExecutor.Outcome(new int[plan.items().size()], plan.graphs(), padded, ms);
        };
        ServeLoop.Outcome o = new ServeLoop(scheduler, gpu, clock).run(reqs, null);
        ServeResults.Config cfg = new ServeResults.Config("ernie-4.5-0.3b", Map.of("hidden", 1024), pol.label(), rate, trace, promptLen,
                outputLen, n, null, sizes(), MAX_SEQS, MAX_MODEL_LEN, BUDGET, MAX_SEQS, BATCH_PROMPTS, BATCH_TIMEOUT_MS, (int) seed, true, "bundled (synthetic)");
        return new ServeResults(ServeResults.SCHEMA, true, meta(argv), List.of(device()), cfg, o.summary(), o.requests());
    }

    /**
     * The same run with a queue planted in it: request i reaches its first token (and its end) {@code i * msPerRequest}
     * later, as if the engine fell further behind with every arrival. The summary is left as it was.
     */
    public static ServeResults withGrowingQueue(ServeResults r, double msPerRequest) {
        List<RequestRecord> late = new ArrayList<>();
        for (RequestRecord q : r.requests()) {
            double d = q.id() * msPerRequest;
            late.add(new RequestRecord(q.id(), q.arrivalMs(), q.promptTokens(), q.outputTokens(), q.ttftMs() + d, q.tpotMs(), q.latencyMs() + d));
        }
        return new ServeResults(r.schema(), r.complete(), r.meta(), r.devices(), r.config(), r.summary(), late);
    }

    /**
     * The study's sweep (each rate × mixed, prefill-first, eager) written as {@code serve-POLICY-rRATE.json} into
     * {@code dir}; returns the paths in the order the shell glob lists them.
     */
    public static List<Path> writeStudy(Path dir, Costs costs, List<Double> rates) {
        List<Path> out = new ArrayList<>();
        for (double rate : rates)
            for (String policy : List.of("mixed", "prefill-first", "eager")) {
                Path f = dir.resolve("serve-" + policy + "-r" + fmt(rate) + ".json");
                ResultsIo.writeAtomically(f, serve(policy, rate, costs, 1));
                out.add(f);
            }
        return out.stream().sorted().toList();
    }

    private static String fmt(double rate) {
        return rate == Math.rint(rate) ? String.valueOf((long) rate) : String.valueOf(rate);
    }

    private static List<Integer> sizes() {
        List<Integer> s = new ArrayList<>();
        for (int t = 16; t <= BUDGET; t += 16) s.add(t);
        return s;
    }

    private static Meta meta(List<String> argv) {
        return new Meta("prefillbench 0.1.0", argv, "0123456789abcdef0123456789abcdef01234567", false, "25", "13.0", "13.0", "580.00",
                "13.1.0", "2026-11-25T00:00:00Z", "synthetic", null);
    }

    private static Device device() {
        return new Device(0, "Synthetic GPU", "9.0", 132, 85_000_000_000L, 52_428_800L, 1980, 2619, "0000:00:00.0");
    }

    /** Virtual time: sleeping jumps ahead, steps advance it by their cost. */
    private static final class VirtualClock implements ServeClock {
        long now = 1_000_000_000L;

        @Override
        public long nanoTime() {
            return now;
        }

        @Override
        public void sleepUntil(long nanos) {
            now = Math.max(now, nanos);
        }
    }
}
