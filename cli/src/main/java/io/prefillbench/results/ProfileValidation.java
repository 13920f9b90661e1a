package io.prefillbench.results;

import io.prefillbench.BenchException;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks of the optional measurement blocks ({@link Profile}, {@link Floor}, eager enqueue times) when a file has
 * them: times and rates non-negative and finite, family shares summing to 1 and matching the times, the floor
 * consistent with its own inputs. Files without the blocks pass untouched.
 */
final class ProfileValidation {
    /** Shares are stored as computed; a file whose shares sum further from 1 than this was edited or is wrong. */
    static final double SHARE_TOLERANCE = 1e-3;

    private ProfileValidation() {
    }

    static void workload(Path file, Workload w, String at) {
        if (w.eagerEnqueueUs() != null) nonNegative(file, w.eagerEnqueueUs(), at + ".eagerEnqueueUs");
        if (w.perLaunchUs() != null) nonNegative(file, w.perLaunchUs(), at + ".perLaunchUs");
        if (w.profile() != null) profile(file, w.profile(), at + ".profile");
    }

    static void profile(Path file, Profile p, String at) {
        if (p.method() == null || !p.method().startsWith(Profile.METHOD_PREFIX))
            throw bad(file, at + ".method must start with \"" + Profile.METHOD_PREFIX + "\", got " + quoted(p.method()));
        if (p.repeats() < 1) throw bad(file, at + ".repeats must be positive, got " + p.repeats());
        nonNegative(file, p.totalUs(), at + ".totalUs");
        List<Profile.OpFamilyTime> fams = p.opFamilies();
        if (fams == null || fams.isEmpty()) throw bad(file, "missing or empty \"" + at + ".opFamilies\"");
        double shares = 0, us = 0;
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < fams.size(); i++) {
            Profile.OpFamilyTime f = fams.get(i);
            String fa = at + ".opFamilies[" + i + "]";
            if (f == null || f.family() == null || f.family().isBlank()) throw bad(file, "missing \"" + fa + ".family\"");
            if (!seen.add(f.family())) throw bad(file, fa + ".family \"" + f.family() + "\" appears twice");
            nonNegative(file, f.gpuUs(), fa + ".gpuUs");
            nonNegative(file, f.share(), fa + ".share");
            shares += f.share();
            us += f.gpuUs();
        }
        if (Math.abs(shares - 1) > SHARE_TOLERANCE)
            throw bad(file, at + ".opFamilies shares sum to " + shares + ", not 1");
        if (Math.abs(us - p.totalUs()) > SHARE_TOLERANCE * Math.max(1, p.totalUs()))
            throw bad(file, at + ".opFamilies times sum to " + us + " us but totalUs is " + p.totalUs());
        for (int i = 0; i < fams.size(); i++) {
            double expect = us > 0 ? fams.get(i).gpuUs() / us : 0;
            if (Math.abs(fams.get(i).share() - expect) > SHARE_TOLERANCE)
                throw bad(file, at + ".opFamilies[" + i + "].share is " + fams.get(i).share() + " but its time gives " + expect);
        }
        if (p.gemms() == null) throw bad(file, "missing \"" + at + ".gemms\"");
        for (int i = 0; i < p.gemms().size(); i++) {
            Profile.GemmTime g = p.gemms().get(i);
            String ga = at + ".gemms[" + i + "]";
            if (g == null || g.op() == null || g.impl() == null) throw bad(file, "missing \"" + ga + ".op\" or \"" + ga + ".impl\"");
            if (g.n() < 1 || g.k() < 1 || g.m() < 1 || g.mReal() < 1 || g.mReal() > g.m() || g.splits() < 1)
                throw bad(file, ga + " has shape n=" + g.n() + " k=" + g.k() + " m=" + g.m() + " mReal=" + g.mReal() + " splits=" + g.splits()
                        + "; each must be positive and mReal <= m");
            nonNegative(file, g.gpuUs(), ga + ".gpuUs");
            nonNegative(file, g.tbPerS(), ga + ".tbPerS");
            nonNegative(file, g.tflopPerS(), ga + ".tflopPerS");
            nonNegative(file, g.tflopPerSAtCapacity(), ga + ".tflopPerSAtCapacity");
        }
        if (p.gemmShapes() != null) {
            for (int i = 0; i < p.gemmShapes().size(); i++) {
                Profile.GemmShapeTime g = p.gemmShapes().get(i);
                String ga = at + ".gemmShapes[" + i + "]";
                if (g == null || g.count() < 1) throw bad(file, ga + ".count must be positive");
                nonNegative(file, g.gpuUs(), ga + ".gpuUs");
                nonNegative(file, g.tbPerS(), ga + ".tbPerS");
                nonNegative(file, g.tflopPerS(), ga + ".tflopPerS");
                nonNegative(file, g.tflopPerSAtCapacity(), ga + ".tflopPerSAtCapacity");
                if (g.cublas() != null) cublas(file, g.cublas(), ga + ".cublas");
            }
        }
    }

    /** The library column: positive times, the fastest candidate no slower than the first (it is one of them). */
    static void cublas(Path file, Profile.CublasTime c, String at) {
        if (!(c.firstUs() > 0) || Double.isInfinite(c.firstUs())) throw bad(file, at + ".firstUs must be positive, got " + c.firstUs());
        if (!(c.bestUs() > 0) || Double.isInfinite(c.bestUs())) throw bad(file, at + ".bestUs must be positive, got " + c.bestUs());
        if (c.bestUs() > c.firstUs())
            throw bad(file, at + ".bestUs " + c.bestUs() + " exceeds firstUs " + c.firstUs() + ": the fastest candidate includes the first");
        if (c.candidates() < 1 || c.weightCopies() < 1)
            throw bad(file, at + " needs candidates >= 1 and weightCopies >= 1, got " + c.candidates() + " and " + c.weightCopies());
        if (c.firstAlgo() == null || c.bestAlgo() == null) throw bad(file, "missing \"" + at + ".firstAlgo\" or \"" + at + ".bestAlgo\"");
    }

    static void floor(Path file, Floor f) {
        if (!(f.d2dTBps() > 0) || Double.isInfinite(f.d2dTBps())) throw bad(file, "floor.d2dTBps must be positive, got " + f.d2dTBps());
        if (f.weightBytes() <= 0) throw bad(file, "floor.weightBytes must be positive, got " + f.weightBytes());
        double expect = Floor.streamMs(f.weightBytes(), f.d2dTBps());
        if (Math.abs(f.weightStreamMs() - expect) > 1e-6 * Math.max(1e-3, expect))
            throw bad(file, "floor.weightStreamMs is " + f.weightStreamMs() + " but weightBytes / d2dTBps gives " + expect);
        if (f.copyBytes() != null && f.copyBytes() <= 0) throw bad(file, "floor.copyBytes must be positive, got " + f.copyBytes());
    }

    private static void nonNegative(Path file, double v, String field) {
        if (!(v >= 0) || Double.isInfinite(v)) throw bad(file, field + " must be a non-negative number, got " + v);
    }

    private static String quoted(String s) {
        return s == null ? "nothing" : "\"" + s + "\"";
    }

    private static BenchException bad(Path file, String what) {
        return new BenchException(file + ": " + what);
    }
}
