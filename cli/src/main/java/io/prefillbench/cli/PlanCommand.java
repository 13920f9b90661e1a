package io.prefillbench.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prefillbench.BenchException;
import io.prefillbench.model.ModelConfig;
import io.prefillbench.plan.CaptureSizes;
import io.prefillbench.plan.PaddingGuard;
import io.prefillbench.plan.PlanReport;
import io.prefillbench.plan.PlanShape;
import io.prefillbench.results.ResultsIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code bench plan}: capture-size planning without a GPU. Prints markdown (attention tile
 * capacity per size with heuristic under-counts flagged, prompt padding, static buffer and
 * weight memory); {@code --json FILE} also writes the report as JSON. The shape comes from
 * {@code --model PRESET} (default ERNIE-4.5-0.3B) or {@code --model-config FILE}; the shape flags
 * ({@code --q-heads} ...) override single fields of it. Plan refuses every shape prefill refuses (both run
 * {@link ModelConfig#validate}, the kernels' limits), so a plan is never made for a model the engine cannot run.
 */
@Command(name = "plan", mixinStandardHelpOptions = true,
        description = "Plan CUDA graph capture sizes: worst-case attention tiles, padding waste, buffer memory.")
public final class PlanCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions model = new ModelOptions();

    // Shape overrides: null = take the model's value, so a preset or config can be varied one field at a time.
    @Option(names = "--q-heads", description = "Override the model's query heads.")
    Integer qHeads;
    @Option(names = "--kv-heads", description = "Override the model's KV heads.")
    Integer kvHeads;
    @Option(names = "--head-dim", description = "Override the model's head dimension.")
    Integer headDim;
    @Option(names = "--hidden", description = "Override the model's hidden size.")
    Integer hidden;
    @Option(names = "--layers", description = "Override the model's decoder layers.")
    Integer layers;
    @Option(names = "--ffn", description = "Override the model's FFN intermediate size.")
    Integer ffn;
    @Option(names = "--vocab", description = "Override the model's vocabulary size.")
    Integer vocab;
    @Option(names = "--untied-embeddings", description = "The LM head has its own weights (default: as the model says).")
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
    @Option(names = "--force", description = "Replace an existing --json file that prefillbench did not write.")
    boolean force;
    @Option(names = "--dump-ops", paramLabel = "FILE", description = "Also write the lowered op list of every size (text, one op per line) to FILE.")
    Path dumpOps;
    @Option(names = "--impl-choices", paramLabel = "FILE",
            description = "Lower with this measurements file (impl-choices.json form) instead of the one in the jar, e.g. with l2Prefetch or persistentLayers rows switched on.")
    Path implChoices;

    @Option(names = "--cublaslt-rows", paramLabel = "FILE",
            description = "Write the choices in effect plus a cuBLASLt range row (65..the largest size) for every layer GEMM shape that runs "
                    + "our mma.sync tiles above 64 rows, to measure with prefill --impl-choices FILE (the rows are unmeasured).")
    Path cublasLtRows;

    @Override
    public Integer call() {
        ModelConfig m = withOverrides(model.resolve(spec.commandLine().getErr()));
        PlanShape shape = PlanShape.of(m);
        if (maxModelLen < 1 || maxModelLen > m.maxPositions()) {
            throw new BenchException("--max-model-len must be in 1.." + m.maxPositions() + " for " + m.name() + ", got " + maxModelLen);
        }
        CaptureSizes captureSizes = spec.commandLine().getParseResult().hasMatchedOption("--sizes")
                ? CaptureSizes.parse(sizes, maxModelLen) : CaptureSizes.defaultsUpTo(maxModelLen, "--max-model-len");
        PaddingGuard guard;
        try {
            guard = new PaddingGuard(padRatio, padSlack);
        } catch (IllegalArgumentException e) {
            throw new BenchException("padding guard: " + e.getMessage());
        }
        int[] prompts = promptLens.stream().mapToInt(Integer::intValue).toArray();
        io.prefillbench.forward.ImplChoices choices = implChoices == null ? io.prefillbench.forward.ImplChoices.bundled()
                : io.prefillbench.forward.ImplChoices.read(implChoices);
        PlanReport report;
        try {
            report = PlanReport.build(shape, captureSizes, maxNumSeqs, smCount, maxModelLen, prompts, guard, choices);
        } catch (IllegalArgumentException e) {
            if (implChoices == null) throw e; // the bundled file lowers every shape plan accepts: a bug, not input
            throw new BenchException("--impl-choices " + implChoices + ": " + e.getMessage(), e); // a row lowering refuses
        }
        Path target = json == null ? null : OutputPath.check("--json", json, List.of(), force); // before anything is printed
        Path opsTarget = dumpOps == null ? null : OutputPath.check("--dump-ops", dumpOps, List.of(), force);
        Path rowsTarget = cublasLtRows == null ? null : OutputPath.check("--cublaslt-rows", cublasLtRows,
                implChoices == null ? List.of() : List.of(implChoices), force);
        var out = spec.commandLine().getOut();
        out.print(report.toMarkdown());
        out.flush();
        if (target != null) {
            ObjectNode tree = ResultsIo.mapper().createObjectNode().put("schema", "prefillbench/plan/v1");
            tree.setAll((ObjectNode) ResultsIo.mapper().valueToTree(report));
            ResultsIo.writeAtomically(target, tree);
            spec.commandLine().getErr().println("wrote " + json);
            spec.commandLine().getErr().flush();
        }
        if (opsTarget != null) {
            try {
                java.nio.file.Files.writeString(opsTarget, io.prefillbench.forward.OpDump.of(PlanReport.lower(shape, captureSizes, maxNumSeqs, smCount, maxModelLen, choices)));
            } catch (java.io.IOException e) {
                throw new BenchException("cannot write --dump-ops " + dumpOps + ": " + e.getMessage(), e);
            }
            spec.commandLine().getErr().println("wrote " + dumpOps);
        }
        if (rowsTarget != null) writeCublasLtRows(rowsTarget, shape, captureSizes, choices);
        return 0;
    }

    /** {@code --cublaslt-rows}: the choices plus unmeasured cuBLASLt range rows for the shapes on our tiles; nothing when none is. */
    private void writeCublasLtRows(Path target, PlanShape shape, CaptureSizes captureSizes, io.prefillbench.forward.ImplChoices choices) {
        var lowered = PlanReport.lower(shape, captureSizes, maxNumSeqs, smCount, maxModelLen, choices);
        String source = "plan --cublaslt-rows (" + java.time.LocalDate.now(java.time.ZoneOffset.UTC) + "): unmeasured; measure with "
                + "prefill --impl-choices against the choices it was made from (results/README.md, seventh session: such rows made "
                + "ERNIE-4.5-0.3B's sizes between 64 and 512 1.5-1.7x faster on the H200)";
        var written = PlanReport.withCublasLtRanges(choices, lowered, source);
        int added = written.gemm().size() - choices.gemm().size();
        var err = spec.commandLine().getErr();
        if (added == 0) {
            err.println("--cublaslt-rows: no layer GEMM runs our mma.sync tiles above 64 rows at these sizes; nothing written");
        } else {
            try {
                java.nio.file.Files.writeString(target, written.toJson());
            } catch (java.io.IOException e) {
                throw new BenchException("cannot write --cublaslt-rows " + target + ": " + e.getMessage(), e);
            }
            err.println("wrote " + target + ": " + added + " cuBLASLt range rows (unmeasured): time them with prefill --impl-choices " + target);
        }
        err.flush();
    }

    /**
     * The model with the shape flags applied, checked by the same {@link ModelConfig#validate} prefill uses (so plan
     * refuses what prefill would refuse), naming an overridden field by its flag.
     */
    private ModelConfig withOverrides(ModelConfig m) {
        Map<String, String> flags = new LinkedHashMap<>();
        if (qHeads != null) flags.put(ModelConfig.Q_HEADS, "--q-heads");
        if (kvHeads != null) flags.put(ModelConfig.KV_HEADS, "--kv-heads");
        if (headDim != null) flags.put(ModelConfig.HEAD_DIM, "--head-dim");
        if (hidden != null) flags.put(ModelConfig.HIDDEN, "--hidden");
        if (layers != null) flags.put(ModelConfig.LAYERS, "--layers");
        if (ffn != null) flags.put(ModelConfig.FFN, "--ffn");
        if (vocab != null) flags.put(ModelConfig.VOCAB, "--vocab");
        if (flags.isEmpty() && !untiedEmbeddings) return m;
        return new ModelConfig(m.name(), or(hidden, m.hidden()), or(layers, m.layers()), or(qHeads, m.qHeads()),
                or(kvHeads, m.kvHeads()), or(headDim, m.headDim()), or(ffn, m.ffn()), or(vocab, m.vocab()), m.ropeTheta(),
                m.rmsNormEps(), m.qkvBias(), m.tieWordEmbeddings() && !untiedEmbeddings, m.maxPositions())
                .validate("model " + m.name(), f -> flags.getOrDefault(f, f));
    }

    private static int or(Integer override, int modelValue) {
        return override != null ? override : modelValue;
    }
}
