package io.prefillbench.forward;

/**
 * A launch grid as a function of the counts: each axis is {@code ceil(count / per) * times} blocks.
 * Graph capture evaluates it at the bucket's capacities; an eager run at the real counts (valid
 * because every kernel also reads the real count from device memory and surplus blocks exit).
 */
public record Grid(Axis x, Axis y, Axis z) {
    /** {@code ceil(count / per) * times} blocks (at least one). */
    public record Axis(Count count, int per, int times) {
        public int blocks(int tokens, int seqs, int tiles) {
            int c = count.of(tokens, seqs, tiles);
            return Math.max(1, (c + per - 1) / per) * times;
        }

        @Override
        public String toString() {
            if (count == Count.ONE) return String.valueOf(times);
            String s = per == 1 ? count.name().toLowerCase() : "ceil(" + count.name().toLowerCase() + "/" + per + ")";
            return times == 1 ? s : s + "*" + times;
        }
    }

    public static Axis fixed(int n) {
        return new Axis(Count.ONE, 1, n);
    }

    public static Axis over(Count c, int per) {
        return new Axis(c, per, 1);
    }

    public static Grid of(Axis x) {
        return new Grid(x, fixed(1), fixed(1));
    }

    public int[] blocks(int tokens, int seqs, int tiles) {
        return new int[] {x.blocks(tokens, seqs, tiles), y.blocks(tokens, seqs, tiles), z.blocks(tokens, seqs, tiles)};
    }

    public int[] atCapacity(CaptureKey key) {
        return blocks(key.size(), key.seqCapacity(), key.tileCapacity());
    }

    @Override
    public String toString() {
        return "(" + x + ", " + y + ", " + z + ")";
    }
}
