package io.prefillbench.report;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.prefillbench.BenchException;
import io.prefillbench.advise.Advice;
import io.prefillbench.results.BenchInput;
import io.prefillbench.results.JmhResults;
import io.prefillbench.results.ResultsIo;
import io.prefillbench.results.ServeResults;
import io.prefillbench.results.SweepResults;

import java.nio.file.Path;

/**
 * Any file {@code report} renders, told apart by its {@code schema} (or, for JMH, its shape): prefill results and
 * JMH files, sweeps, advice, the PyTorch baseline, the JMH provenance sidecar ({@code .meta.json}), serve runs and
 * gate verdicts: every file the tool writes.
 */
public sealed interface ReportInput {
    Path source();

    record Bench(BenchInput input) implements ReportInput {
        public Path source() {
            return input.source();
        }
    }

    record Sweep(Path source, SweepResults sweep) implements ReportInput {
    }

    record AdviceFile(Path source, Advice advice) implements ReportInput {
    }

    record Torch(Path source, TorchBaseline torch) implements ReportInput {
    }

    /** The provenance block JMH runs of {@code bench.jar jmh} leave beside their result file. */
    record JmhMeta(Path source, JsonNode tree) implements ReportInput {
    }

    /** A run of {@code bench.jar serve}; several of them (a rate sweep x policies) are charted together. */
    record Serve(Path source, ServeResults serve) implements ReportInput {
    }

    /** A verdict of {@code bench.jar gate --json} (kept as its tree: the report shows it, nothing recomputes it). */
    record GateVerdict(Path source, JsonNode tree) implements ReportInput {
    }

    String JMH_META_SCHEMA = "prefillbench/jmh-meta/v1";

    /** Reads any kind; BenchException (exit 2) naming the file for anything unreadable. */
    static ReportInput read(Path file) {
        JsonNode tree = ResultsIo.readTree(file);
        String schema = tree.isObject() ? tree.path("schema").asText("") : "";
        switch (schema) {
            case SweepResults.SCHEMA -> {
                return new Sweep(file, SweepResults.fromTree(file, tree));
            }
            case Advice.SCHEMA -> {
                try {
                    Advice a = ResultsIo.mapper().treeToValue(tree, Advice.class);
                    if (a.sizes() == null || a.comparisons() == null) throw new BenchException(file + ": advice lacks \"sizes\" or \"comparisons\"");
                    return new AdviceFile(file, a);
                } catch (JacksonException e) {
                    throw new BenchException(file + ": malformed advice: " + e.getOriginalMessage().lines().findFirst().orElse(""));
                }
            }
            case TorchBaseline.SCHEMA -> {
                return new Torch(file, TorchBaseline.fromTree(file, tree));
            }
            case ServeResults.SCHEMA -> {
                return new Serve(file, serve(file, tree));
            }
            case io.prefillbench.gate.GateOutcome.SCHEMA -> {
                if (!tree.path("rows").isArray() || !tree.path("result").isTextual())
                    throw new BenchException(file + ": gate verdict lacks \"rows\" or \"result\"");
                return new GateVerdict(file, tree);
            }
            case JMH_META_SCHEMA -> {
                if (!tree.path("meta").isObject()) throw new BenchException(file + ": JMH provenance sidecar lacks \"meta\"");
                return new JmhMeta(file, tree);
            }
            default -> {
                if (JmhResults.looksLikeJmh(tree)) return new Bench(new BenchInput.Jmh(file, JmhResults.fromTree(file, tree)));
                return new Bench(new BenchInput.Prefill(file, ResultsIo.fromTree(file, tree)));
            }
        }
    }

    private static ServeResults serve(Path file, JsonNode tree) {
        if (!tree.path("complete").asBoolean(false)) throw new BenchException(file + ": serve run is incomplete (\"complete\" is not true)");
        ServeResults r;
        try {
            r = ResultsIo.mapper().treeToValue(tree, ServeResults.class);
        } catch (JacksonException e) {
            throw new BenchException(file + ": malformed serve results: " + e.getOriginalMessage().lines().findFirst().orElse(""));
        }
        if (r.meta() == null || r.devices() == null || r.devices().isEmpty() || r.config() == null || r.config().policy() == null
                || r.summary() == null || r.summary().ttftMs() == null || r.summary().tpotMs() == null || r.requests() == null)
            throw new BenchException(file + ": serve results lack \"meta\", \"devices\", \"config.policy\", \"summary\" (with ttftMs and tpotMs) or \"requests\"");
        if (r.config().rate() != null && !(r.config().rate() > 0 && Double.isFinite(r.config().rate())))
            throw new BenchException(file + ": serve results have \"config.rate\" " + r.config().rate() + "; expected a positive rate or null (trace)");
        return r;
    }
}
