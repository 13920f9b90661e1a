package io.prefillbench.cli;

import io.prefillbench.BenchException;
import io.prefillbench.cuda.CublasLtMatmul;
import io.prefillbench.cuda.CublasLtTuning;
import io.prefillbench.cuda.Cuda;
import io.prefillbench.cuda.DeviceInfo;
import io.prefillbench.forward.ImplChoices;
import io.prefillbench.results.ResultsIo;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * Times cuBLASLt's candidate algorithms for the library GEMM rows of an implementation-choices file on this GPU and
 * writes the file with the fastest algorithm pinned in each row where it beats the row's current one (the
 * heuristic's first pick when the row pins none) by at least {@code --min-gain}.
 */
@Command(name = "tune-gemm", mixinStandardHelpOptions = true,
        description = "Times cuBLASLt's candidate algorithms for every cublaslt_gemm row of the implementation choices (the bundled file, "
                + "or --impl-choices) that applies to this GPU, and writes the choices with the fastest one pinned where it wins (--json). "
                + "Pass the written file to prefill --impl-choices to measure it end to end.")
final class TuneGemmCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--impl-choices", paramLabel = "FILE", description = "Choices to tune (default: the bundled file).")
    Path implChoices;

    @Option(names = "--candidates", defaultValue = "8", description = "Heuristic candidates per shape (default: ${DEFAULT-VALUE}).")
    int candidates;

    @Option(names = "--iterations", defaultValue = "100", description = "GEMM calls per timed window; 5 windows, median (default: ${DEFAULT-VALUE}).")
    int iterations;

    @Option(names = "--min-gain", defaultValue = "0.03",
            description = "Pin another algorithm only when it is at least this much faster than the row's current one (default: ${DEFAULT-VALUE}).")
    double minGain;

    @Option(names = "--sizes", split = ",", paramLabel = "M", description = "Only the rows of these row capacities (default: every row).")
    List<Integer> sizes;

    @Option(names = "--device", defaultValue = "0", description = "GPU index (default: ${DEFAULT-VALUE}).")
    int device;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the tuned choices here (the format of --impl-choices).")
    Path json;

    @Option(names = "--force", description = "Replace an existing --json file that prefillbench did not write.")
    boolean force;

    /** A row's measured pick: its current algorithm's time, the fastest one's, and what was timed. */
    record Pick(ImplChoices.GemmRow row, CublasLtTuning.Timing current, CublasLtTuning.Timing best) {
        double gain() {
            return 1.0 - best.us() / current.us();
        }

        /** Whether the fastest candidate is another algorithm, at least {@code minGain} faster than the current one. */
        boolean wins(double minGain) {
            return !best.algo().equals(current.algo()) && gain() >= minGain;
        }
    }

    /** The run's meta and devices blocks, as every results file has them: where the pinned algorithms were timed. */
    static com.fasterxml.jackson.databind.node.ObjectNode runBlock(io.prefillbench.results.Meta meta, io.prefillbench.results.Device device) {
        var run = ResultsIo.mapper().createObjectNode();
        run.set("meta", ResultsIo.mapper().valueToTree(meta));
        run.set("devices", ResultsIo.mapper().valueToTree(List.of(device)));
        return run;
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (candidates < 1 || candidates > 64) throw new BenchException("--candidates must be in 1..64, got " + candidates);
        if (iterations < 1 || iterations > 100_000) throw new BenchException("--iterations must be in 1..100000, got " + iterations);
        if (!(minGain >= 0 && minGain < 1)) throw new BenchException("--min-gain must be in [0, 1), got " + minGain);
        Path target = json == null ? null
                : OutputPath.check("--json", json, implChoices == null ? List.of() : List.of(implChoices), force);
        ImplChoices in = implChoices == null ? ImplChoices.bundled() : ImplChoices.read(implChoices);
        Cuda.setDevice(device);
        DeviceInfo d = DeviceInfo.query(device);
        int arch = d.ccMajor() * 10 + d.ccMinor();
        List<ImplChoices.GemmRow> rows = tunable(in, arch, sizes);
        if (rows.isEmpty()) throw new BenchException("no cublaslt_gemm row for sm_" + arch + (sizes == null ? "" : " at sizes " + sizes)
                + " in " + (implChoices == null ? "the bundled choices" : implChoices) + ": nothing to tune");
        out.printf("tuning %d cuBLASLt rows on %s (sm_%d), cuBLASLt %s: %d candidates each, %d calls per window, weights rotated past L2%n%n",
                rows.size(), d.name(), arch, CublasLtMatmul.version(), candidates, iterations);
        out.println("| n x k | m | candidate | us | vs current | algo |");
        out.println("|---|---:|---:|---:|---:|---|");
        Map<ImplChoices.GemmRow, Pick> picks = new LinkedHashMap<>();
        for (ImplChoices.GemmRow r : rows) {
            CublasLtMatmul.Algo pinned = r.algo() == null ? null : CublasLtMatmul.Algo.parse(r.algo());
            CublasLtTuning.ShapeTimings t = CublasLtTuning.time(r.m(), r.n(), r.k(), candidates, pinned, iterations, d.l2Bytes());
            CublasLtTuning.Timing current = pinned == null ? t.first() : t.of(pinned);
            if (current == null || !current.ran()) throw new BenchException("row " + r.n() + "x" + r.k() + " at " + r.m() + ": its pinned algorithm '"
                    + r.algo() + "' did not run on this GPU: " + (current == null ? "not timed" : current.refused()));
            for (int i = 0; i < t.candidates().size(); i++) {
                CublasLtTuning.Timing c = t.candidates().get(i);
                out.printf("| %d x %d | %d | %s | %s | %s | %s |%n", r.n(), r.k(), r.m(), i == 0 ? "heuristic first" : "#" + (i + 1),
                        c.ran() ? String.format("%.2f", c.us()) : "refused", c.ran() ? String.format("%+.1f%%", 100 * (c.us() / current.us() - 1)) : "",
                        c.algo().describe());
            }
            picks.put(r, new Pick(r, current, t.best()));
        }
        out.println();
        List<ImplChoices.GemmRow> tuned = pin(in.gemm(), picks, minGain, d.name());
        int changed = 0;
        for (Pick p : picks.values()) {
            boolean pin = p.wins(minGain);
            if (pin) changed++;
            out.printf("%d x %d at %d: current %.2f us, fastest %.2f us (%+.1f%%): %s%n", p.row().n(), p.row().k(), p.row().m(),
                    p.current().us(), p.best().us(), -100 * p.gain(), pin ? "pinned " + p.best().algo().describe() : "kept");
        }
        if (target != null) {
            String date = LocalDate.now(ZoneOffset.UTC).toString();
            var run = runBlock(RunMeta.meta(List.copyOf(spec.commandLine().getParseResult().originalArgs())), RunMeta.device(d));
            ImplChoices.Provenance prov = new ImplChoices.Provenance(d.name(), date, "bench tune-gemm (" + changed + " of " + picks.size()
                    + " rows pinned, min gain " + minGain + ")", in.provenance().note() + " cuBLASLt algorithms tuned on " + d.name() + " on " + date
                    + " by tune-gemm (" + candidates + " heuristic candidates, " + iterations + " calls per window, weights rotated past L2).", run);
            try {
                Files.writeString(target, in.withGemm(prov, tuned).toJson(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new BenchException("--json " + json + ": cannot write: " + e.getMessage(), e);
            }
            out.println("wrote " + json + " (" + changed + " rows with another algorithm)");
            // s6 calls 8-9 (H200): gains of 4-40% alone gave -1..+2% end to end; only a forward says whether a pin pays
            out.println("measure it in the forward before bundling it: prefill --impl-choices " + json + " against the bundled choices");
        }
        return 0;
    }

    /** The cublaslt_gemm rows that apply to {@code arch} (arch 0 applies to any), at {@code sizes} when given. */
    static List<ImplChoices.GemmRow> tunable(ImplChoices c, int arch, List<Integer> sizes) {
        List<ImplChoices.GemmRow> out = new ArrayList<>();
        for (ImplChoices.GemmRow r : c.gemm()) {
            if (!"cublaslt_gemm".equals(r.impl()) || !ImplChoices.archMatches(r.arch(), arch)) continue;
            if (r.mMax() != null) continue; // a range row takes each bucket's heuristic pick: nothing to pin
            if (sizes != null && !sizes.contains(r.m())) continue;
            out.add(r);
        }
        return out;
    }

    /**
     * The rows with each picked row's algorithm replaced by its fastest candidate where that one is at least
     * {@code minGain} faster than the row's current algorithm; every other row as it was, in the same order.
     */
    static List<ImplChoices.GemmRow> pin(List<ImplChoices.GemmRow> rows, Map<ImplChoices.GemmRow, Pick> picks, double minGain, String card) {
        List<ImplChoices.GemmRow> out = new ArrayList<>();
        for (ImplChoices.GemmRow r : rows) {
            Pick p = picks.get(r);
            if (p == null || !p.wins(minGain)) {
                out.add(r);
                continue;
            }
            String source = r.source() + "; algo: tune-gemm on " + card + ", " + String.format("%.2f", p.best().us()) + " us vs "
                    + String.format("%.2f", p.current().us()) + " us for " + (r.algo() == null ? "the heuristic's first pick" : "the pinned one");
            out.add(new ImplChoices.GemmRow(r.n(), r.k(), r.m(), r.arch(), r.impl(), r.splits(), source, p.best().algo().describe()));
        }
        return out;
    }
}
