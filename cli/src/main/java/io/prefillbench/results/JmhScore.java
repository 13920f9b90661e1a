package io.prefillbench.results;

/**
 * One JMH primary metric.
 *
 * @param error half-width of JMH's 99.9% confidence interval ("scoreError"); NaN when JMH had too few samples
 * @param raw   every iteration score over all forks (may be empty)
 */
public record JmhScore(double score, double error, String unit, double[] raw) {
    /** JMH's scoreError is a 99.9% interval half-width; this z turns it back into a standard error. */
    public static final double Z_999 = 3.2905;

    /**
     * Standard error of log(score): scoreError/3.29 relative to the score, or from the raw iteration scores when
     * JMH gave no error; infinite when neither is known. Using z instead of Student's t overstates the error for
     * few iterations, which errs towards NOISY rather than a false alarm.
     */
    public double logStandardError() {
        if (Double.isFinite(error) && error >= 0 && score > 0) return error / Z_999 / score;
        if (raw != null && raw.length >= 2 && score > 0) {
            double mean = 0;
            for (double v : raw) mean += v;
            mean /= raw.length;
            double ss = 0;
            for (double v : raw) ss += (v - mean) * (v - mean);
            return Math.sqrt(ss / (raw.length - 1) / raw.length) / score;
        }
        return Double.POSITIVE_INFINITY;
    }
}
