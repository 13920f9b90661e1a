package io.prefillbench.cuda;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** {@link CudaGraph#topology(int[][], int[], long)}: levels of a dependency graph, no GPU needed. */
class GraphTopologyTest {

    static CudaGraph.Topology of(int n, int[][] edges) {
        int[] out = new int[n], in = new int[n];
        for (int[] e : edges) {
            out[e[0]]++;
            in[e[1]]++;
        }
        int[][] succ = new int[n][];
        for (int v = 0; v < n; v++) succ[v] = new int[out[v]];
        int[] filled = new int[n];
        for (int[] e : edges) succ[e[0]][filled[e[0]]++] = e[1];
        return CudaGraph.topology(succ, in, edges.length);
    }

    @Test
    void chainHasWidthOne() {
        assertEquals(new CudaGraph.Topology(4, 3, 4, 1), of(4, new int[][] {{0, 1}, {1, 2}, {2, 3}}));
    }

    @Test
    void forkJoinDiamondHasTwoParallelBranches() {
        // 0 -> {1, 2} -> 3, edges listed out of order
        assertEquals(new CudaGraph.Topology(4, 4, 3, 2), of(4, new int[][] {{2, 3}, {0, 1}, {1, 3}, {0, 2}}));
    }

    @Test
    void levelIsTheLongestPathNotTheShortest() {
        // 0 -> 1 -> 2 -> 3 and the shortcut 0 -> 3: node 3 is at level 3, so no level holds two nodes
        assertEquals(new CudaGraph.Topology(4, 4, 4, 1), of(4, new int[][] {{0, 1}, {1, 2}, {2, 3}, {0, 3}}));
        // three independent roots
        assertEquals(new CudaGraph.Topology(3, 0, 1, 3), of(3, new int[][] {}));
    }

    @Test
    void cycleIsRefused() {
        assertThrows(IllegalStateException.class, () -> of(3, new int[][] {{0, 1}, {1, 2}, {2, 1}}));
    }
}
