package io.prefillbench.serve;

import io.prefillbench.BenchException;

import java.util.Random;

/**
 * Prompt or output lengths of generated requests: fixed {@code N}, uniform {@code a:b} (both
 * inclusive) or lognormal {@code mu,sigma} (round(exp(mu + sigma Z)), at least 1; the caller clamps
 * it to what the KV cache holds).
 */
public sealed interface LengthDistribution {
    int sample(Random rnd);

    /** Smallest and largest value it can produce (lognormal: 1 and unbounded). */
    int min();

    int max();

    String spec();

    record Fixed(int n) implements LengthDistribution {
        public int sample(Random rnd) { return n; }
        public int min() { return n; }
        public int max() { return n; }
        public String spec() { return Integer.toString(n); }
    }

    record Uniform(int lo, int hi) implements LengthDistribution {
        public int sample(Random rnd) { return lo + rnd.nextInt(hi - lo + 1); }
        public int min() { return lo; }
        public int max() { return hi; }
        public String spec() { return lo + ":" + hi; }
    }

    record LogNormal(double mu, double sigma) implements LengthDistribution {
        public int sample(Random rnd) {
            double v = Math.exp(mu + sigma * rnd.nextGaussian());
            return (int) Math.max(1, Math.min(Integer.MAX_VALUE / 2, Math.round(v)));
        }
        public int min() { return 1; }
        public int max() { return Integer.MAX_VALUE; }
        public String spec() { return mu + "," + sigma; }
    }

    /** Parses {@code N}, {@code a:b} or {@code mu,sigma}; {@code option} names the flag in errors. */
    static LengthDistribution parse(String option, String text) {
        String t = text == null ? "" : text.trim();
        String how = option + " '" + t + "' is malformed: use N (fixed), a:b (uniform) or mu,sigma (lognormal), e.g. 128, 64:256 or 5.3,0.5";
        try {
            if (t.contains(":")) {
                String[] p = t.split(":", -1);
                if (p.length != 2) throw new BenchException(how);
                int lo = Integer.parseInt(p[0].trim()), hi = Integer.parseInt(p[1].trim());
                if (lo < 1 || hi < lo) throw new BenchException(option + " '" + t + "': need 1 <= a <= b");
                return new Uniform(lo, hi);
            }
            if (t.contains(",")) {
                String[] p = t.split(",", -1);
                if (p.length != 2) throw new BenchException(how);
                double mu = Double.parseDouble(p[0].trim()), sigma = Double.parseDouble(p[1].trim());
                if (!Double.isFinite(mu) || !Double.isFinite(sigma) || sigma < 0 || mu > 20)
                    throw new BenchException(option + " '" + t + "': need a finite mu <= 20 and sigma >= 0");
                return new LogNormal(mu, sigma);
            }
            int n = Integer.parseInt(t);
            if (n < 1) throw new BenchException(option + " must be at least 1 token, got " + n);
            return new Fixed(n);
        } catch (NumberFormatException e) {
            throw new BenchException(how);
        }
    }
}
