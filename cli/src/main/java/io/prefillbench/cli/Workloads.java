package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.results.BatchShape;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The prompts a run times: named prompts (short = 10 tokens, long = 480), single prompts of given
 * lengths ({@code --prompt-lens}) and batches ({@code --batch 4x80} = 4 sequences of 80 tokens).
 */
final class Workloads {
    /** One workload: its name and the length of each sequence. */
    record Spec(String name, List<Integer> seqLens) {
        int tokens() {
            return seqLens.stream().mapToInt(Integer::intValue).sum();
        }
    }

    static final Map<String, Integer> NAMED = Map.of("short", 10, "long", 480);

    private Workloads() {
    }

    static List<Spec> parse(List<String> prompts, List<Integer> promptLens, List<String> batches, int maxModelLen, int maxNumSeqs) {
        return parse(prompts, promptLens, batches, maxModelLen, maxNumSeqs, List.of());
    }

    /** As above, plus already parsed workloads (e.g. {@code --mix}), which count as given. */
    static List<Spec> parse(List<String> prompts, List<Integer> promptLens, List<String> batches, int maxModelLen, int maxNumSeqs,
                            List<Spec> extra) {
        Map<String, Spec> out = new LinkedHashMap<>();
        for (Spec e : extra) out.putIfAbsent(e.name(), e);
        if (prompts != null) {
            for (String p : prompts) {
                Integer len = NAMED.get(p.trim());
                if (len == null) throw new BenchException("unknown --prompts entry '" + p + "': use short (10 tokens), long (480) or --prompt-lens N");
                out.put(p.trim(), new Spec(p.trim(), List.of(len)));
            }
        }
        if (promptLens != null) {
            for (Integer len : promptLens) {
                if (len == null || len < 1) throw new BenchException("--prompt-lens entries must be positive token counts, got " + len);
                out.putIfAbsent("len-" + len, new Spec("len-" + len, List.of(len)));
            }
        }
        if (batches != null) {
            for (String b : batches) out.putIfAbsent("batch-" + b.trim(), batch(b.trim(), maxNumSeqs));
        }
        if (out.isEmpty()) {
            // the defaults: a short --max-model-len must not blame prompts the user never typed
            if (NAMED.get("long") > maxModelLen) {
                throw new BenchException("--max-model-len " + maxModelLen + " is shorter than the default prompts (short = 10,"
                        + " long = 480 tokens): give --prompt-lens or --batch that fit");
            }
            out.put("short", new Spec("short", List.of(10)));
            out.put("long", new Spec("long", List.of(480)));
        }
        for (Spec s : out.values()) {
            for (int len : s.seqLens()) {
                if (len > maxModelLen) {
                    throw new BenchException("workload " + s.name() + " has a prompt of " + len + " tokens, longer than --max-model-len " + maxModelLen);
                }
            }
        }
        return new ArrayList<>(out.values());
    }

    static Spec batch(String spec, int maxNumSeqs) {
        BatchShape shape = BatchShape.parse(spec).orElseThrow(() -> new BenchException("--batch '" + spec
                + "' is malformed: use SEQSxTOKENS with whole numbers, e.g. 4x80"));
        if (!shape.positive()) throw new BenchException("--batch '" + spec + "': sequences and tokens must be positive");
        if (shape.seqs() > maxNumSeqs) {
            throw new BenchException("--batch '" + spec + "' has " + shape.seqs() + " sequences, more than --max-num-seqs " + maxNumSeqs);
        }
        return new Spec("batch-" + spec, shape.seqLens());
    }
}
