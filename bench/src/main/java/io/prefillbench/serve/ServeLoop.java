package io.prefillbench.serve;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Runs requests through a scheduler and an executor, step by step, on a clock: releases each
 * request at its arrival time, asks the scheduler for a step, runs it, feeds the tokens back, and
 * records per-request TTFT/TPOT and per-step composition. When there is nothing to run it sleeps
 * until the next arrival (or the scheduler's batch timeout). Ends when every request finished.
 */
public final class ServeLoop {
    /** Where the run stands, after each step (for progress lines). */
    public record Progress(double elapsedS, int finished, int total, int waiting, int running, int steps) {
    }

    /** Everything measured. */
    public record Outcome(List<RequestRecord> requests, List<StepRecord> steps, ServeSummary summary) {
    }

    private final Scheduler scheduler;
    private final StepExecutor executor;
    private final ServeClock clock;

    public ServeLoop(Scheduler scheduler, StepExecutor executor, ServeClock clock) {
        this.scheduler = scheduler;
        this.executor = executor;
        this.clock = clock;
    }

    public Outcome run(List<Request> requests, Consumer<Progress> progress) {
        int n = requests.size();
        long[] firstToken = new long[n];
        long[] finished = new long[n];
        java.util.Arrays.fill(firstToken, -1);
        java.util.Arrays.fill(finished, -1);
        List<StepRecord> steps = new ArrayList<>();
        long t0 = clock.nanoTime();
        int next = 0, done = 0;
        while (done < n) {
            long now = clock.nanoTime() - t0;
            while (next < n && requests.get(next).arrivalNanos() <= now) {
                Request r = requests.get(next);
                if (r.id() != next) throw new IllegalArgumentException("request ids must be 0..n-1 in arrival order, got " + r.id() + " at " + next);
                scheduler.enqueue(r);
                next++;
            }
            Scheduler.Decision d = scheduler.next(now);
            if (d.step() == null) {
                long wake = Math.min(d.wakeAtNanos(), next < n ? requests.get(next).arrivalNanos() : Long.MAX_VALUE);
                if (wake == Long.MAX_VALUE) throw new IllegalStateException("nothing to run and nothing left to arrive, " + (n - done) + " requests unfinished");
                clock.sleepUntil(t0 + wake);
                continue;
            }
            StepPlan plan = d.step();
            int waiting = scheduler.waiting(), running = scheduler.running();
            long start = clock.nanoTime();
            StepExecutor.Outcome out = executor.execute(plan);
            long end = clock.nanoTime();
            for (Scheduler.Event e : scheduler.complete(plan, out.nextTokens())) {
                if (e.firstToken()) firstToken[e.requestId()] = end - t0;
                if (e.finished()) {
                    finished[e.requestId()] = end - t0;
                    done++;
                }
            }
            steps.add(new StepRecord(steps.size(), (start - t0) / 1e6, (end - start) / 1e6, out.gpuMs(), plan.kind(), plan.prefillSeqs(),
                    plan.prefillTokens(), plan.decodeSeqs(), plan.tokens(), out.paddedTokens(), out.graph(), waiting, running));
            if (progress != null) progress.accept(new Progress((end - t0) / 1e9, done, n, scheduler.waiting(), scheduler.running(), steps.size()));
        }
        List<RequestRecord> recs = new ArrayList<>();
        long last = 0;
        for (int i = 0; i < n; i++) {
            Request r = requests.get(i);
            double arrival = r.arrivalNanos() / 1e6;
            double ttft = (firstToken[i] - r.arrivalNanos()) / 1e6;
            Double tpot = r.outputTokens() > 1 ? (finished[i] - firstToken[i]) / 1e6 / (r.outputTokens() - 1) : null;
            recs.add(new RequestRecord(r.id(), arrival, r.prompt().length, r.outputTokens(), ttft, tpot, (finished[i] - r.arrivalNanos()) / 1e6));
            last = Math.max(last, finished[i]);
        }
        double makespan = (last - requests.getFirst().arrivalNanos()) / 1e9;
        return new Outcome(List.copyOf(recs), List.copyOf(steps), ServeSummary.of(recs, steps, makespan));
    }
}
