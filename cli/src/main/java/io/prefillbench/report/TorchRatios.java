package io.prefillbench.report;

import io.prefillbench.results.BenchInput;
import io.prefillbench.results.Results;
import io.prefillbench.results.Workload;

import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.prefillbench.report.Html.f;

/**
 * Ours against PyTorch: each prefill workload's graph host p50 over the p50 of the PyTorch point with the same sequence
 * lengths, for every PyTorch baseline of the same model and device taken within {@link #SAME_LEASE} of the results file
 * (a ratio travels only inside one lease: s30 call 8, PyTorch's short prompt moved ±5 % inside a call and ~±10 % between
 * leases, ours ±0.2 %). Several baselines of one lease give a range, the way the performance targets are read.
 */
public final class TorchRatios {
    /** Baselines this close to a results file's timestamp count as the same lease (a lease is held 30 minutes at most). */
    static final Duration SAME_LEASE = Duration.ofMinutes(30);
    public static final String TITLE = "Ours against PyTorch (same model, device and lease)";
    static final List<String> HEADER = List.of("results", "workload", "graph p50 ms", "PyTorch mode", "PyTorch p50 ms (runs)",
            "ours / PyTorch", "× weight floor");

    private TorchRatios() {
    }

    /**
     * One workload against one PyTorch mode.
     *
     * @param torchMs the matching point's p50 in each baseline of the lease, in input order
     * @param floorMs the results file's weight-streaming floor, NaN when it has none
     */
    record Row(String file, String workload, double oursMs, String mode, List<Double> torchMs, double floorMs) {
        double ratioLow() {
            return oursMs / torchMs.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        }

        double ratioHigh() {
            return oursMs / torchMs.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        }
    }

    static List<Row> rows(List<ReportInput> inputs) {
        List<TorchBaseline> torch = inputs.stream().filter(i -> i instanceof ReportInput.Torch).map(i -> ((ReportInput.Torch) i).torch()).toList();
        List<Row> rows = new ArrayList<>();
        for (ReportInput in : inputs) {
            if (!(in instanceof ReportInput.Bench(BenchInput.Prefill p))) continue;
            Results r = p.results();
            List<TorchBaseline> lease = torch.stream().filter(t -> t.model().equals(r.config().model()) && t.device().equals(r.deviceName())
                    && sameLease(r.meta().timestamp(), t.timestamp())).toList();
            if (lease.isEmpty()) continue;
            double floor = r.floor() == null ? Double.NaN : r.floor().weightStreamMs();
            // a run that held part of the LM head in the L2 read fewer bytes than the floor counts: the row says so
            long held = r.config().l2Persisted();
            String file = p.source().getFileName() + (held > 0 ? f(" (--l2-persist %.1f MiB)", held / 1048576.0) : "");
            for (Workload w : r.workloads()) {
                if (w.graph() == null || w.graph().hostNs() == null) continue;
                Map<String, List<Double>> byMode = new LinkedHashMap<>();
                for (TorchBaseline t : lease)
                    for (TorchBaseline.Point q : t.points())
                        if (q.seqLens().equals(w.seqLens())) byMode.computeIfAbsent(q.mode(), k -> new ArrayList<>()).add(q.p50() / 1e6);
                byMode.forEach((mode, ms) -> rows.add(new Row(file, w.name(), w.graph().hostNs().p50() / 1e6,
                        mode, List.copyOf(ms), floor)));
            }
        }
        return rows;
    }

    /** Whether two tool timestamps (ISO-8601 with an offset) lie within {@link #SAME_LEASE}; false when either is unreadable. */
    static boolean sameLease(String a, String b) {
        try {
            return Duration.between(OffsetDateTime.parse(a), OffsetDateTime.parse(b)).abs().compareTo(SAME_LEASE) <= 0;
        } catch (DateTimeParseException | NullPointerException e) {
            return false;
        }
    }

    static List<List<String>> cells(List<Row> rows) {
        List<List<String>> out = new ArrayList<>();
        for (Row r : rows) {
            String ratio = r.torchMs().size() == 1 ? f("%.2f", r.ratioLow()) : f("%.2f–%.2f", r.ratioLow(), r.ratioHigh());
            out.add(List.of(r.file(), r.workload(), f("%.3f", r.oursMs()), r.mode(),
                    String.join(" / ", r.torchMs().stream().map(ms -> f("%.3f", ms)).toList()), ratio,
                    Double.isNaN(r.floorMs()) ? "–" : f("%.2f", r.oursMs() / r.floorMs())));
        }
        return out;
    }

    /** The markdown table, or "" when no results file has a PyTorch baseline of its model, device and lease among the inputs. */
    public static String markdown(List<ReportInput> inputs) {
        List<Row> rows = rows(inputs);
        return rows.isEmpty() ? "" : SummaryTable.markdown(HEADER, cells(rows));
    }

    /** The report's section, or nothing (as {@link #markdown}). */
    static void section(StringBuilder sb, List<ReportInput> inputs) {
        List<Row> rows = rows(inputs);
        if (rows.isEmpty()) return;
        sb.append("<section class=\"input\" id=\"vs-torch\">\n<h2>").append(Html.esc(TITLE)).append("</h2>\n<p>Our graph host p50 over")
                .append(" PyTorch's p50 on the same sequence lengths, for every PyTorch baseline of the same model and device within ")
                .append(SAME_LEASE.toMinutes()).append(" minutes of the results file; several baselines give a range (PyTorch's own p50")
                .append(" moves more between its runs than ours). × weight floor: graph p50 over the run's weight-streaming floor.</p>\n");
        HtmlReport.table(sb, "summary", HEADER, cells(rows));
        sb.append("</section>\n");
    }
}
