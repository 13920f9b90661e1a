package io.prefillbench.engine;

import io.prefillbench.plan.ChunkPlan;
import io.prefillbench.plan.ChunkPlanner;
import io.prefillbench.plan.PaddingGuard;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;

/**
 * Runs whole prompts through an engine: prompts longer than the largest capture size (or batches
 * over it) become chunked-prefill steps, each reading its prefix from the KV cache; in graph mode
 * each step replays the smallest captured size, or runs eager when the padding guard says so or
 * the batch does not fit a graph. Fallbacks are counted and explained, never silent.
 */
public final class PrefillRunner {
    public enum Mode { EAGER, GRAPH }

    /**
     * A workload turned into forward steps once, so timing loops do no planning: the padding guard's decision per
     * step (its reason text included) is made here too, not on every graph-mode run.
     */
    public record Prepared(List<int[]> prompts, List<List<SeqInput>> steps, List<int[]> lastChunkOf,
                           List<PaddingGuard.Decision> decisions) {
        /** Tokens of the largest step. */
        public int maxStepTokens() {
            int max = 0;
            for (List<SeqInput> s : steps) {
                int t = 0;
                for (SeqInput q : s) t += q.tokens().length;
                max = Math.max(max, t);
            }
            return max;
        }
    }

    /**
     * One run of a workload.
     *
     * @param firstTokens   greedy next token per prompt
     * @param logits        last-token logits per prompt (only when asked for)
     * @param paddedTokens  tokens computed over all steps (graph steps count their captured size)
     * @param gpuMs         GPU time summed over steps
     * @param fallbacks     why graph-mode steps ran eager (empty in eager mode or when none did)
     * @param graphSteps    steps that replayed a graph
     * @param decodePlanSteps steps that ran their size's decode plan (uniform-decode batches, eager or graph)
     * @param freshPlanSteps  steps that ran their size's fresh-prompt plan (batches without a cached prefix, eager or graph)
     */
    public record Result(int[] firstTokens, float[][] logits, int paddedTokens, double gpuMs, List<String> fallbacks,
                         int graphSteps, int steps, int decodePlanSteps, int freshPlanSteps) {
    }

    private final PrefillEngine engine;
    private final PaddingGuard guard;

    /** The engine it runs (a caller times its forwards with or without GPU events: {@link PrefillEngine#timeGpu}). */
    public PrefillEngine engine() {
        return engine;
    }

    public PrefillRunner(PrefillEngine engine, PaddingGuard guard) {
        this.engine = engine;
        this.guard = guard;
    }

    /** Plans chunks and assigns KV-cache slots (a slot is freed when its prompt's last chunk ran). */
    public Prepared prepare(List<int[]> prompts) {
        EngineConfig cfg = engine.config();
        int[] lens = new int[prompts.size()];
        for (int i = 0; i < lens.length; i++) {
            lens[i] = prompts.get(i).length;
            if (lens[i] > cfg.maxModelLen()) {
                throw new io.prefillbench.BenchException("a prompt of " + lens[i] + " tokens is longer than --max-model-len " + cfg.maxModelLen());
            }
        }
        int maxSeqsPerStep = Math.min(cfg.maxNumSeqs(), cfg.seqCapacity(cfg.maxTokens()));
        ChunkPlan plan = new ChunkPlanner(cfg.maxTokens(), maxSeqsPerStep).plan(lens);
        plan.validate(lens, cfg.maxTokens(), maxSeqsPerStep);

        int[] slotOf = new int[lens.length];
        Arrays.fill(slotOf, -1);
        int[] done = new int[lens.length];
        Deque<Integer> free = new ArrayDeque<>();
        for (int s = 0; s < cfg.maxNumSeqs(); s++) free.add(s);
        List<List<SeqInput>> steps = new ArrayList<>();
        List<int[]> lastChunkOf = new ArrayList<>(); // per prompt: {step, index in step}
        for (int i = 0; i < lens.length; i++) lastChunkOf.add(null);
        for (ChunkPlan.Step step : plan.steps()) {
            List<SeqInput> seqs = new ArrayList<>();
            List<Integer> finishing = new ArrayList<>();
            for (ChunkPlan.Item item : step.items()) {
                int r = item.requestIndex();
                if (slotOf[r] < 0) {
                    if (free.isEmpty()) throw new IllegalStateException("more prompts in flight than --max-num-seqs cache slots");
                    slotOf[r] = free.poll();
                }
                if (item.prefixLen() != done[r]) throw new IllegalStateException("chunk of prompt " + r + " out of order");
                int[] toks = Arrays.copyOfRange(prompts.get(r), item.prefixLen(), item.prefixLen() + item.chunkLen());
                seqs.add(new SeqInput(toks, item.prefixLen(), slotOf[r]));
                done[r] += item.chunkLen();
                if (done[r] == lens[r]) {
                    lastChunkOf.set(r, new int[] {steps.size(), seqs.size() - 1});
                    finishing.add(r);
                }
            }
            steps.add(List.copyOf(seqs));
            for (int r : finishing) free.add(slotOf[r]);
        }
        return prepared(prompts, steps, lastChunkOf);
    }

    /** Steps planned elsewhere (e.g. a one-step mix of prompts and decode tokens), with the padding guard decided once. */
    public Prepared prepared(List<int[]> prompts, List<List<SeqInput>> steps, List<int[]> lastChunkOf) {
        List<PaddingGuard.Decision> decisions = new ArrayList<>();
        for (List<SeqInput> step : steps) decisions.add(guard.decide(tokens(step), engine.config().sizes()));
        return new Prepared(List.copyOf(prompts), List.copyOf(steps), List.copyOf(lastChunkOf), List.copyOf(decisions));
    }

    /**
     * CUDA calls a run of the workload issues on the stream, counted from the plan without running it, so timed
     * runs pay nothing for it: one per graph replay; the copies and kernels of each eager step.
     */
    public int launches(Prepared w, Mode mode) {
        int launches = 0;
        for (int si = 0; si < w.steps().size(); si++) {
            List<SeqInput> seqs = w.steps().get(si);
            int bucket = engine.bucketFor(tokens(seqs)).orElseThrow();
            launches += mode == Mode.GRAPH && replays(w.decisions().get(si), seqs) ? 1 : engine.eagerLaunches(bucket, seqs);
        }
        return launches;
    }

    private boolean replays(PaddingGuard.Decision d, List<SeqInput> seqs) {
        return d.mode() == PaddingGuard.Mode.GRAPH && engine.isCaptured(d.paddedTokens())
                && seqs.size() <= engine.config().seqCapacity(d.paddedTokens());
    }

    private static int tokens(List<SeqInput> seqs) {
        int t = 0;
        for (SeqInput s : seqs) t += s.tokens().length;
        return t;
    }

    public Result run(Prepared w, Mode mode, boolean collectLogits) {
        int n = w.prompts().size();
        int[] first = new int[n];
        float[][] logits = collectLogits ? new float[n][] : null;
        List<String> fallbacks = new ArrayList<>();
        int padded = 0, graphSteps = 0, decodeSteps = 0, freshSteps = 0;
        double gpuMs = 0;
        for (int si = 0; si < w.steps().size(); si++) {
            List<SeqInput> seqs = w.steps().get(si);
            PrefillOutput out;
            if (mode == Mode.GRAPH) {
                PaddingGuard.Decision d = w.decisions().get(si);
                int size = d.paddedTokens();
                if (d.mode() == PaddingGuard.Mode.GRAPH && !engine.isCaptured(size)) {
                    fallbacks.add("step " + si + ": size " + size + " not captured, eager");
                    out = engine.eager(seqs);
                } else if (d.mode() == PaddingGuard.Mode.GRAPH && seqs.size() > engine.config().seqCapacity(size)) {
                    fallbacks.add("step " + si + ": " + seqs.size() + " sequences exceed graph " + size + "'s " + engine.config().seqCapacity(size) + ", eager");
                    out = engine.eager(seqs);
                } else if (d.mode() == PaddingGuard.Mode.GRAPH) {
                    out = engine.graph(seqs);
                    graphSteps++;
                } else {
                    fallbacks.add("step " + si + ": " + d.reason());
                    out = engine.eager(seqs);
                }
            } else {
                out = engine.eager(seqs);
            }
            padded += out.graph() ? out.paddedSize() : out.tokens();
            if (out.decodePlan()) decodeSteps++;
            if (out.freshPlan()) freshSteps++;
            gpuMs += engine.lastGpuMillis();
            float[][] stepLogits = collectLogits ? engine.lastLogits() : null;
            for (int r = 0; r < n; r++) {
                int[] at = w.lastChunkOf().get(r);
                if (at[0] == si) {
                    first[r] = out.firstTokens()[at[1]];
                    if (collectLogits) logits[r] = stepLogits[at[1]];
                }
            }
        }
        return new Result(first, logits, padded, gpuMs, fallbacks, graphSteps, w.steps().size(), decodeSteps, freshSteps);
    }
}
