package io.prefillbench.advise;

import io.prefillbench.BenchException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;

/** The workload advise optimises for: prompt lengths in tokens, from a file or drawn from a distribution. */
public final class RequestLengths {
    private RequestLengths() {
    }

    /** One positive token count a line; blank lines and {@code #} comments skipped; errors name the line. */
    public static int[] read(Path file, int maxLen) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new BenchException("--lengths " + file + ": no such file");
        } catch (IOException e) {
            throw new BenchException("--lengths " + file + ": cannot read: " + e.getMessage(), e);
        }
        int[] out = new int[lines.size()];
        int n = 0;
        for (int i = 0; i < lines.size(); i++) {
            String s = lines.get(i).strip();
            if (s.isEmpty() || s.startsWith("#")) continue;
            int t;
            try {
                t = Integer.parseInt(s);
            } catch (NumberFormatException e) {
                throw new BenchException("--lengths " + file + " line " + (i + 1) + ": '" + s + "' is not a token count (one positive integer a line)");
            }
            if (t < 1 || t > maxLen)
                throw new BenchException("--lengths " + file + " line " + (i + 1) + ": " + t + " is outside 1.." + maxLen + " (--max-model-len)");
            out[n++] = t;
        }
        if (n == 0) throw new BenchException("--lengths " + file + ": no token counts; give one positive integer a line");
        return java.util.Arrays.copyOf(out, n);
    }

    /**
     * Draws {@code samples} lengths: {@code lognormal:MU,SIGMA} (round(exp(MU + SIGMA·Z)), clamped to 1..maxLen) or
     * {@code uniform:A:B} (integers A..B inclusive, within 1..maxLen).
     */
    public static int[] sample(String dist, int samples, long seed, int maxLen) {
        if (samples < 1 || samples > 10_000_000) throw new BenchException("--samples must be in 1..10000000, got " + samples);
        SplittableRandom rng = new SplittableRandom(seed);
        int[] out = new int[samples];
        String d = dist.strip();
        try {
            if (d.startsWith("lognormal:")) {
                String[] p = d.substring("lognormal:".length()).split(",", -1);
                if (p.length != 2) throw new NumberFormatException();
                double mu = Double.parseDouble(p[0]), sigma = Double.parseDouble(p[1]);
                if (!Double.isFinite(mu) || !(sigma >= 0) || !Double.isFinite(sigma))
                    throw new BenchException("--length-dist " + dist + ": MU must be finite and SIGMA >= 0");
                for (int i = 0; i < samples; i++) {
                    double v = Math.rint(Math.exp(mu + sigma * rng.nextGaussian()));
                    out[i] = (int) Math.clamp(v, 1, maxLen);
                }
                return out;
            }
            if (d.startsWith("uniform:")) {
                String[] p = d.substring("uniform:".length()).split(":", -1);
                if (p.length != 2) throw new NumberFormatException();
                int a = Integer.parseInt(p[0].strip()), b = Integer.parseInt(p[1].strip());
                if (a < 1 || b < a || b > maxLen)
                    throw new BenchException("--length-dist " + dist + ": need 1 <= A <= B <= " + maxLen + " (--max-model-len)");
                for (int i = 0; i < samples; i++) out[i] = rng.nextInt(a, b + 1);
                return out;
            }
        } catch (NumberFormatException e) {
            // fall through to the usage line
        }
        throw new BenchException("--length-dist '" + dist + "': expected lognormal:MU,SIGMA or uniform:A:B, e.g. lognormal:5.5,0.8");
    }
}
