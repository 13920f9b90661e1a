package io.prefillbench.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.prefillbench.BenchException;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.plan.PlanReport;
import io.prefillbench.plan.PlanShape;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code bench plan}: capture-size planning without a GPU. Prints markdown (attention tile
 * capacity per size with heuristic under-counts flagged, prompt padding, static buffer and
 * weight memory); {@code --json FILE} also writes the report as JSON. Shape defaults are
 * ERNIE-4.5-0.3B.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Plan CUDA graph capture sizes: worst-case attention tiles, padding waste, buffer memory.")
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--q-heads", defaultValue = "16", description = "Query heads (default: ${DEFAULT-VALUE}).")
    int qHeads;
    @Option(names = "--kv-heads", defaultValue = "2", description = "KV heads (default: ${DEFAULT-VALUE}).")
    int kvHeads;
    @Option(names = "--head-dim", defaultValue = "64", description = "Head dimension (default: ${DEFAULT-VALUE}).")
    int headDim;
    @Option(names = "--hidden", defaultValue = "1024", description = "Hidden size (default: ${DEFAULT-VALUE}).")
    int hidden;
    @Option(names = "--layers", defaultValue = "18", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
    int layers;
    @Option(names = "--ffn", defaultValue = "3072", description = "FFN intermediate size (default: ${DEFAULT-VALUE}).")
    int ffn;
    @Option(names = "--vocab", defaultValue = "103424", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;
    @Option(names = "--untied-embeddings", description = "The LM head has its own weights (default: tied).")
    boolean untiedEmbeddings;

    @Option(names = "--sizes", split = ",", defaultValue = CaptureSizes.DEFAULT_SPEC,
            description = "Capture sizes in tokens (default: ${DEFAULT-VALUE}).")
    List<String> sizes;
    @Option(names = "--max-num-seqs", defaultValue = "32", description = "Sequences per batch (default: ${DEFAULT-VALUE}).")
    int maxNumSeqs;
    @Option(names = "--prompt-lens", split = ",", description = "Prompt lengths for the padding table, e.g. 10,37,480,1000.")
    List<Integer> promptLens = List.of();
    @Option(names = "--sm-count", defaultValue = "132", description = "SMs of the GPU, for split-K (default: ${DEFAULT-VALUE}, H100 SXM).")
    int smCount;
    @Option(names = "--max-model-len", defaultValue = "4096", description = "Longest sequence (default: ${DEFAULT-VALUE}).")
    int maxModelLen;
    @Option(names = "--pad-ratio", defaultValue = "2.0",
            description = "Eager when padded/tokens exceeds this and padding exceeds --pad-slack (default: ${DEFAULT-VALUE}).")
    double padRatio;
    @Option(names = "--pad-slack", defaultValue = "64", description = "Padding tokens always accepted (default: ${DEFAULT-VALUE}).")
    int padSlack;
    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    Path json;

    @Override
    public Integer call() {
        PlanShape shape = new PlanShape(qHeads, kvHeads, headDim, hidden, layers, ffn, vocab, !untiedEmbeddings);
        if (maxModelLen < 1) {
            throw new BenchException("--max-model-len must be >= 1, got " + maxModelLen);
        }
        CaptureSizes captureSizes = CaptureSizes.parse(sizes, maxModelLen);
        PaddingGuard guard;
        try {
            guard = new PaddingGuard(padRatio, padSlack);
        } catch (IllegalArgumentException e) {
            throw new BenchException("padding guard: " + e.getMessage());
        }
        int[] prompts = promptLens.stream().mapToInt(Integer::intValue).toArray();
        PlanReport report = PlanReport.build(shape, captureSizes, maxNumSeqs, smCount, maxModelLen, prompts, guard);
        var out = spec.commandLine().getOut();
        out.print(report.toMarkdown());
        out.flush();
        if (json != null) {
            try {
                new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(json.toFile(), report);
            } catch (IOException e) {
                throw new BenchException("cannot write --json " + json + ": " + e.getMessage(), e);
            }
            spec.commandLine().getErr().println("wrote " + json);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }
}
