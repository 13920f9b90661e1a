package io.prefillbench.cli;

import io.prefillbench.results.Floor;
import io.prefillbench.results.LatencyStats;
import io.prefillbench.results.Profile;
import io.prefillbench.results.Results;
import io.prefillbench.results.Workload;

import java.util.Locale;

/**
 * The markdown {@code prefill} prints under its main table: the floor and eager launch cost per workload, then per
 * workload the GPU time per op family and the GEMMs per shape (and per op with {@code --profile}).
 */
final class ProfileMarkdown {
    private ProfileMarkdown() {
    }

    /** Floor line and the launch-cost / x-of-floor table; empty when the run has neither. */
    static String floorAndLaunches(Results r) {
        StringBuilder sb = new StringBuilder();
        Floor f = r.floor();
        if (f != null) {
            sb.append(fmt("floor: device-to-device copy %.2f TB/s (%s); weights %.1f MiB -> weight-streaming floor %.3f ms%n",
                    f.d2dTBps(), f.copyBytes() == null ? "bytes read + written" : f.copyBytes() / 1048576 + " MiB copy, bytes read + written",
                    f.weightBytes() / 1048576.0, f.weightStreamMs()));
            long held = r.config() == null ? 0 : r.config().l2Persisted();
            if (held > 0) {
                sb.append(fmt("(--l2-persist: %.1f MiB of the LM head's weight stayed in the L2 across forwards, so a forward read "
                        + "%.1f MiB from DRAM; the floor counts every weight: %.3f ms for the bytes read from DRAM)%n",
                        held / 1048576.0, (f.weightBytes() - held) / 1048576.0, Floor.streamMs(f.weightBytes() - held, f.d2dTBps())));
            }
        }
        boolean any = r.workloads().stream().anyMatch(w -> w.eagerEnqueueUs() != null) || f != null;
        if (!any) return sb.toString();
        sb.append("\n| workload | eager enqueue us/forward | us/launch | eager launches | eager GPU p50 ms | graph p50 ms (host) | graph p50 / floor |\n");
        sb.append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Workload w : r.workloads()) {
            sb.append("| ").append(w.name());
            sb.append(" | ").append(w.eagerEnqueueUs() == null ? "-" : fmt("%.1f", w.eagerEnqueueUs()));
            sb.append(" | ").append(w.perLaunchUs() == null ? "-" : fmt("%.2f", w.perLaunchUs()));
            sb.append(" | ").append(w.launchesPerForward().eager());
            sb.append(" | ").append(w.eager() == null ? "-" : fmt("%.3f", w.eager().gpuNs().p50() / 1e6));
            LatencyStats g = w.graph() == null ? null : w.graph().hostNs();
            sb.append(" | ").append(g == null ? "-" : fmt("%.3f", g.p50() / 1e6));
            sb.append(" | ").append(g == null || f == null ? "-" : fmt("%.1fx of floor", g.p50() / 1e6 / f.weightStreamMs()));
            sb.append(" |\n");
        }
        sb.append("\neager enqueue: host clock around issuing one eager forward's launches without synchronizing (median);"
                + " us/launch divides by the eager launches. GPU p50 from the timed loop's CUDA events.\n");
        return sb.toString();
    }

    /** One workload's profile tables; empty without a profile. */
    static String workload(Workload w, boolean perOp) {
        Profile p = w.profile();
        if (p == null) return "";
        StringBuilder sb = new StringBuilder();
        sb.append(fmt("%n#### %s: GPU time per op family (%d tokens, bucket %d)%n%n", w.name(), w.tokens(), w.paddedSize()));
        sb.append(p.method()).append("\n\n");
        sb.append("| op family | GPU us | share |\n|---|---:|---:|\n");
        for (Profile.OpFamilyTime f : p.opFamilies()) sb.append(fmt("| %s | %.1f | %.1f%% |%n", f.family(), f.gpuUs(), 100 * f.share()));
        sb.append(fmt("| **sum of ops** | **%.1f** | 100%% |%n", p.totalUs()));
        if (p.gemmShapes() != null && !p.gemmShapes().isEmpty()) {
            sb.append("\n| GEMM n x k | m (capacity) | impl | splits | ops | GPU us | TB/s | TFLOP/s (real rows) | TFLOP/s (capacity) |\n");
            sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
            for (Profile.GemmShapeTime s : p.gemmShapes())
                sb.append(fmt("| %d x %d | %d | %s | %d | %d | %.1f | %.2f | %.2f | %.2f |%n", s.n(), s.k(), s.m(), s.impl(), s.splits(),
                        s.count(), s.gpuUs(), s.tbPerS(), s.tflopPerS(), s.tflopPerSAtCapacity()));
        }
        if (p.gemmShapes() != null && p.gemmShapes().stream().anyMatch(s -> s.cublas() != null)) {
            sb.append("\n| GEMM n x k | m | ours (impl, splits) | ours us/op | ours TB/s | cuBLASLt first us | cuBLASLt best us | best TFLOP/s | cuBLASLt best / ours |\n");
            sb.append("|---|---:|---|---:|---:|---:|---:|---:|---:|\n");
            for (Profile.GemmShapeTime s : p.gemmShapes()) {
                Profile.CublasTime c = s.cublas();
                if (c == null) continue;
                sb.append(fmt("| %d x %d | %d | %s, %d | %.2f | %.2f | %.2f | %.2f | %.1f | %.2fx |%n", s.n(), s.k(), s.m(), s.impl(), s.splits(),
                        s.usPerOp(), s.tbPerS(), c.firstUs(), c.bestUs(), 2.0 * s.m() * s.n() * s.k() / (c.bestUs() * 1e6), c.bestUs() / s.usPerOp()));
            }
            sb.append("\n").append(CublasColumns.METHOD).append(". A ratio above 1: ours is faster alone than the library's fastest candidate; on one library kernel the two measures"
                    + " differed by up to a third (s45), so read ratios near 1 as a tie, and the forward's A/B for what a plan should run.\n");
        }
        if (perOp && !p.gemms().isEmpty()) {
            sb.append("\n| GEMM op | n x k | m real/capacity | impl | splits | GPU us | TB/s | TFLOP/s (real) | TFLOP/s (capacity) |\n");
            sb.append("|---|---|---|---|---:|---:|---:|---:|---:|\n");
            for (Profile.GemmTime g : p.gemms())
                sb.append(fmt("| %s | %d x %d | %d/%d | %s | %d | %.1f | %.2f | %.2f | %.2f |%n", g.op(), g.n(), g.k(), g.mReal(), g.m(),
                        g.impl(), g.splits(), g.gpuUs(), g.tbPerS(), g.tflopPerS(), g.tflopPerSAtCapacity()));
        }
        sb.append("\nGEMM bytes: weights n*k*2 + A m*k*2 + output m*n*2 (split-K: splits*m*n*4 fp32 partials instead), m = rows the kernel"
                + " computes (real rows; capacity for a library call)\n");
        return sb.toString();
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
