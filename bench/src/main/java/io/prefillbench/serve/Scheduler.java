package io.prefillbench.serve;

import io.prefillbench.engine.KvBlockAllocator;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;

/**
 * Owns the requests of a serving run between arrival and completion: the waiting queue (FIFO, no
 * overtaking), the running requests (admitted, KV pages held), and the KV pages themselves. Each
 * {@link #next} call forms one step by the {@link Policy}; {@link #complete} feeds the step's next
 * tokens back (a prompt's first token becomes its first decode input) and frees the pages of
 * finished requests.
 *
 * <p>Admission reserves a request's whole KV ({@code prompt + output - 1} tokens) up front, so a
 * running request never runs out of pages and nothing is preempted; a request is admitted only
 * while fewer than {@code maxSeqs} run, so every running decode fits every step. Chunks are cut
 * from the remaining prompt by the remaining budget of the step: no index can leave the prompt,
 * and {@link StepPlan#check} verifies every step before it runs.
 */
public final class Scheduler {
    /**
     * @param tokenBudget       most tokens in one step (the largest capture size)
     * @param maxSeqs           most sequences in one step and running at once
     * @param batchPrompts      prefill-first: prompts to wait for before prefilling
     * @param batchTimeoutNanos prefill-first: or until the oldest waiting prompt waited this long
     */
    public record Limits(int tokenBudget, int maxSeqs, int batchPrompts, long batchTimeoutNanos) {
        public Limits {
            if (tokenBudget < 1) throw new IllegalArgumentException("token budget must be >= 1, got " + tokenBudget);
            if (maxSeqs < 1 || maxSeqs > tokenBudget) throw new IllegalArgumentException("max sequences must be in 1.." + tokenBudget + ", got " + maxSeqs);
            if (batchPrompts < 1) throw new IllegalArgumentException("batch prompts must be >= 1, got " + batchPrompts);
            if (batchTimeoutNanos < 0) throw new IllegalArgumentException("negative batch timeout");
        }
    }

    /** Either a step to run now, or the time (run clock, ns) to ask again unless a request arrives first. */
    public record Decision(StepPlan step, long wakeAtNanos) {
        static Decision run(StepPlan step) {
            return new Decision(step, -1);
        }

        static Decision waitUntil(long nanos) {
            return new Decision(null, nanos);
        }
    }

    /** What a step did to one request. */
    public record Event(int requestId, boolean firstToken, boolean tokenGenerated, boolean finished) {
    }

    /** A running request's progress. */
    private static final class Active {
        final Request req;
        final int[] pages;
        int prefilled;
        int generated;
        int lastToken;

        Active(Request req, int[] pages) {
            this.req = req;
            this.pages = pages;
        }

        boolean inPrefill() {
            return prefilled < req.prompt().length;
        }
    }

    private final Policy policy;
    private final Limits limits;
    private final KvBlockAllocator kv;
    private final Deque<Request> waiting = new ArrayDeque<>();
    private final List<Active> running = new ArrayList<>();
    private StepPlan pending;

    public Scheduler(Policy policy, Limits limits, KvBlockAllocator kv) {
        this.policy = policy;
        this.limits = limits;
        this.kv = kv;
    }

    /** A request arrived; it waits until admitted. Throws when it could never fit the KV cache. */
    public void enqueue(Request r) {
        if (kv.pagesFor(r.kvTokens()) > kv.totalPages()) {
            throw new IllegalArgumentException("request " + r.id() + " needs " + kv.pagesFor(r.kvTokens()) + " KV pages, the cache has " + kv.totalPages());
        }
        if (!waiting.isEmpty() && waiting.peekLast().arrivalNanos() > r.arrivalNanos()) throw new IllegalArgumentException("arrivals out of order at request " + r.id());
        waiting.add(r);
    }

    public int waiting() {
        return waiting.size();
    }

    public int running() {
        return running.size();
    }

    public boolean idle() {
        return waiting.isEmpty() && running.isEmpty();
    }

    /** The next step at run time {@code now}, or when to ask again. */
    public Decision next(long now) {
        if (pending != null) throw new IllegalStateException("the previous step was not completed");
        StepPlan step = switch (policy) {
            case MIXED, EAGER -> mixedStep();
            case PREFILL_FIRST -> prefillFirstStep(now);
        };
        if (step == null) {
            if (running.isEmpty() && !waiting.isEmpty() && !canAdmit(waiting.peek())) {
                throw new IllegalStateException("request " + waiting.peek().id() + " cannot be admitted into an empty engine");
            }
            long wake = policy == Policy.PREFILL_FIRST && !waiting.isEmpty()
                    ? waiting.peek().arrivalNanos() + limits.batchTimeoutNanos() : Long.MAX_VALUE;
            return Decision.waitUntil(wake);
        }
        step.check(limits.tokenBudget(), limits.maxSeqs(), kv.pageSize());
        pending = step;
        return Decision.run(step);
    }

    /** Dynamic insertion: every decode, then running prompts' chunks, then new prompts, within the budget. */
    private StepPlan mixedStep() {
        List<StepItem> items = new ArrayList<>();
        for (Active a : running) if (!a.inPrefill()) items.add(decodeItem(a));
        int left = limits.tokenBudget() - items.size();
        for (Active a : running) {
            if (left == 0) break;
            if (a.inPrefill()) left -= addChunk(items, a, left);
        }
        while (left > 0 && canAdmit(waiting.peek())) left -= addChunk(items, admit(), left);
        return items.isEmpty() ? null : new StepPlan(items, policy.graphs());
    }

    /** Prefill batches first (pure-prefill steps), decode-only steps otherwise; never a mix. */
    private StepPlan prefillFirstStep(long now) {
        List<StepItem> items = new ArrayList<>();
        int left = limits.tokenBudget();
        for (Active a : running) {
            if (left == 0) break;
            if (a.inPrefill()) left -= addChunk(items, a, left);
        }
        if (!items.isEmpty()) return new StepPlan(items, policy.graphs());
        boolean batchReady = !waiting.isEmpty()
                && (waiting.size() >= limits.batchPrompts() || now - waiting.peek().arrivalNanos() >= limits.batchTimeoutNanos());
        if (batchReady) {
            for (int n = 0; n < limits.batchPrompts() && left > 0 && canAdmit(waiting.peek()); n++) left -= addChunk(items, admit(), left);
            if (!items.isEmpty()) return new StepPlan(items, policy.graphs());
        }
        for (Active a : running) items.add(decodeItem(a));
        return items.isEmpty() ? null : new StepPlan(items, policy.graphs());
    }

    private boolean canAdmit(Request r) {
        return r != null && running.size() < limits.maxSeqs() && kv.canAllocate(r.kvTokens());
    }

    private Active admit() {
        Request r = waiting.poll();
        Active a = new Active(r, kv.allocate(r.kvTokens()));
        running.add(a);
        return a;
    }

    /** Adds the next chunk of {@code a}'s prompt, at most {@code left} tokens; returns its length. */
    private static int addChunk(List<StepItem> items, Active a, int left) {
        int[] prompt = a.req.prompt();
        int len = Math.min(prompt.length - a.prefilled, left);
        if (len < 1 || a.prefilled + len > prompt.length) throw new IllegalStateException("chunk [" + a.prefilled + ", +" + len + ") outside a prompt of " + prompt.length);
        items.add(new StepItem(a.req.id(), Arrays.copyOfRange(prompt, a.prefilled, a.prefilled + len), a.prefilled, a.pages, false));
        return len;
    }

    private static StepItem decodeItem(Active a) {
        return new StepItem(a.req.id(), new int[] {a.lastToken}, a.req.prompt().length + a.generated - 1, a.pages, true);
    }

    /** Applies a step's result: prefill progress, generated tokens fed back, finished requests' pages freed. */
    public List<Event> complete(StepPlan step, int[] nextTokens) {
        if (step != pending) throw new IllegalStateException("completing a step that was not handed out");
        if (nextTokens.length != step.items().size()) throw new IllegalArgumentException(nextTokens.length + " tokens for " + step.items().size() + " sequences");
        pending = null;
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < step.items().size(); i++) {
            StepItem item = step.items().get(i);
            Active a = find(item.requestId());
            boolean first = false, token = false;
            if (item.decode()) {
                a.generated++;
                a.lastToken = nextTokens[i];
                token = true;
            } else {
                a.prefilled += item.tokens().length;
                if (!a.inPrefill()) {
                    a.generated = 1;
                    a.lastToken = nextTokens[i];
                    first = token = true;
                }
            }
            boolean done = a.generated == a.req.outputTokens();
            if (done) {
                running.remove(a);
                kv.free(a.pages);
            }
            events.add(new Event(item.requestId(), first, token, done));
        }
        return events;
    }

    private Active find(int id) {
        for (Iterator<Active> it = running.iterator(); it.hasNext(); ) {
            Active a = it.next();
            if (a.req.id() == id) return a;
        }
        throw new IllegalStateException("request " + id + " is not running");
    }
}
