package io.prefillbench.cuda;

import io.prefillbench.bindings.cudart.Cudart;
import io.prefillbench.bindings.cudart.cudaAccessPolicyWindow;
import io.prefillbench.bindings.cudart.cudaLaunchAttributeValue;
import io.prefillbench.bindings.cudart.cudaGraphEdgeData_st;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/** Owns a captured (not yet instantiated) CUDA graph. */
public final class CudaGraph implements AutoCloseable {
    /**
     * The graph's dependency structure. {@code depth}: nodes on the longest dependency chain.
     * {@code widestLevel}: the most nodes at one level, a node's level being the length of the
     * longest chain leading to it; nodes of one level never depend on each other, so this many can
     * run at once (a lower bound on the graph's parallelism; 1 for a single-stream capture).
     */
    public record Topology(long nodes, long edges, int depth, int widestLevel) {
    }
    private MemorySegment handle;

    CudaGraph(MemorySegment handle) {
        this.handle = handle;
    }

    public MemorySegment handle() {
        if (handle == null) throw new IllegalStateException("graph is closed");
        return handle;
    }

    /** Number of nodes in the graph. */
    public long nodeCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(ValueLayout.JAVA_LONG);
            Cuda.check(Cudart.cudaGraphGetNodes(handle(), MemorySegment.NULL, n), "cudaGraphGetNodes");
            return n.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** Number of kernel nodes in the graph. */
    public long kernelNodeCount() {
        try (Arena a = Arena.ofConfined()) {
            return kernelNodes(a).size();
        }
    }

    /** The graph's kernel nodes in node order (cudaGraphGetNodes, cudaGraphNodeGetType), valid while the graph lives. */
    private java.util.List<MemorySegment> kernelNodes(Arena a) {
        long n = nodeCount();
        java.util.List<MemorySegment> kernels = new java.util.ArrayList<>();
        if (n == 0) return kernels;
        MemorySegment nodes = a.allocate(ValueLayout.ADDRESS, n);
        MemorySegment count = a.allocate(ValueLayout.JAVA_LONG);
        count.set(ValueLayout.JAVA_LONG, 0, n);
        Cuda.check(Cudart.cudaGraphGetNodes(handle(), nodes, count), "cudaGraphGetNodes");
        MemorySegment type = a.allocate(ValueLayout.JAVA_INT);
        for (long i = 0; i < n; i++) {
            MemorySegment node = nodes.getAtIndex(ValueLayout.ADDRESS, i);
            Cuda.check(Cudart.cudaGraphNodeGetType(node, type), "cudaGraphNodeGetType");
            if (type.get(ValueLayout.JAVA_INT, 0) == Cudart.cudaGraphNodeTypeKernel()) kernels.add(node);
        }
        return kernels;
    }

    /** A kernel node's L2 access-policy window as the graph holds it (cudaGraphKernelNodeGetAttribute). */
    public record PolicyWindow(long base, long bytes, float hitRatio, int hitProp) {
        public boolean persisting() {
            return hitProp == Cudart.cudaAccessPropertyPersisting() && bytes > 0 && hitRatio > 0;
        }
    }

    /** The access-policy windows of the graph's kernel nodes that have one (a window of 0 bytes is none), in node order. */
    public java.util.List<PolicyWindow> policyWindows() {
        java.util.List<PolicyWindow> out = new java.util.ArrayList<>();
        try (Arena a = Arena.ofConfined()) {
            MemorySegment value = cudaLaunchAttributeValue.allocate(a);
            for (MemorySegment node : kernelNodes(a)) {
                value.fill((byte) 0);
                Cuda.check(Cudart.cudaGraphKernelNodeGetAttribute(node, Cudart.cudaLaunchAttributeAccessPolicyWindow(), value),
                        "cudaGraphKernelNodeGetAttribute(access policy window)");
                MemorySegment w = cudaLaunchAttributeValue.accessPolicyWindow(value);
                long bytes = cudaAccessPolicyWindow.num_bytes(w);
                if (bytes > 0) {
                    out.add(new PolicyWindow(cudaAccessPolicyWindow.base_ptr(w).address(), bytes, cudaAccessPolicyWindow.hitRatio(w),
                            cudaAccessPolicyWindow.hitProp(w)));
                }
            }
        }
        return out;
    }

    /** Number of dependency edges (cudaGraphGetEdges). */
    public long edgeCount() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment n = a.allocate(ValueLayout.JAVA_LONG);
            Cuda.check(Cudart.cudaGraphGetEdges(handle(), MemorySegment.NULL, MemorySegment.NULL, MemorySegment.NULL, n), "cudaGraphGetEdges");
            return n.get(ValueLayout.JAVA_LONG, 0);
        }
    }

    /** The graph's edges: parallel arrays of source and target nodes and edge data, {@code count} long. */
    private record Edges(MemorySegment from, MemorySegment to, MemorySegment data, long count) {
    }

    private Edges edges(Arena a) {
        long e = edgeCount();
        MemorySegment from = a.allocate(ValueLayout.ADDRESS, Math.max(1, e));
        MemorySegment to = a.allocate(ValueLayout.ADDRESS, Math.max(1, e));
        // edge data requested too: without it CUDA refuses graphs whose edges are not all default (PDL edges)
        MemorySegment data = a.allocate(cudaGraphEdgeData_st.layout(), Math.max(1, e));
        MemorySegment count = a.allocate(ValueLayout.JAVA_LONG);
        count.set(ValueLayout.JAVA_LONG, 0, e);
        Cuda.check(Cudart.cudaGraphGetEdges(handle(), from, to, data, count), "cudaGraphGetEdges");
        return new Edges(from, to, data, e);
    }

    /** Edges counted by (type, from port), e.g. {@code {"0/0": 120, "1/1": 40}}: default edges are 0/0. */
    public java.util.Map<String, Integer> edgeKinds() {
        try (Arena a = Arena.ofConfined()) {
            Edges ed = edges(a);
            java.util.Map<String, Integer> kinds = new java.util.TreeMap<>();
            for (long i = 0; i < ed.count(); i++) {
                MemorySegment d = cudaGraphEdgeData_st.asSlice(ed.data(), i);
                kinds.merge(cudaGraphEdgeData_st.type(d) + "/" + cudaGraphEdgeData_st.from_port(d), 1, Integer::sum);
            }
            return kinds;
        }
    }

    /** Nodes, edges, longest chain and widest level (see {@link Topology}). */
    public Topology topology() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment count = a.allocate(ValueLayout.JAVA_LONG);
            long n = nodeCount();
            MemorySegment nodes = a.allocate(ValueLayout.ADDRESS, Math.max(1, n));
            count.set(ValueLayout.JAVA_LONG, 0, n);
            Cuda.check(Cudart.cudaGraphGetNodes(handle(), nodes, count), "cudaGraphGetNodes");
            Map<Long, Integer> index = new HashMap<>();
            for (int i = 0; i < n; i++) index.put(nodes.getAtIndex(ValueLayout.ADDRESS, i).address(), i);

            Edges ed = edges(a);
            long e = ed.count();
            MemorySegment from = ed.from(), to = ed.to();
            int[][] successors = new int[(int) n][];
            int[] outDegree = new int[(int) n];
            int[] inDegree = new int[(int) n];
            int[] src = new int[(int) e];
            int[] dst = new int[(int) e];
            for (int i = 0; i < e; i++) {
                src[i] = index.get(from.getAtIndex(ValueLayout.ADDRESS, i).address());
                dst[i] = index.get(to.getAtIndex(ValueLayout.ADDRESS, i).address());
                outDegree[src[i]]++;
                inDegree[dst[i]]++;
            }
            for (int v = 0; v < n; v++) successors[v] = new int[outDegree[v]];
            int[] filled = new int[(int) n];
            for (int i = 0; i < e; i++) successors[src[i]][filled[src[i]]++] = dst[i];
            return topology(successors, inDegree, e);
        }
    }

    /** Levels by Kahn's algorithm: a node's level is one more than its deepest predecessor's. */
    static Topology topology(int[][] successors, int[] inDegree, long edges) {
        int n = successors.length;
        int[] remaining = inDegree.clone();
        int[] level = new int[n];
        int[] queue = new int[n];
        int head = 0, tail = 0;
        for (int v = 0; v < n; v++) if (remaining[v] == 0) queue[tail++] = v;
        while (head < tail) {
            int v = queue[head++];
            for (int w : successors[v]) {
                level[w] = Math.max(level[w], level[v] + 1);
                if (--remaining[w] == 0) queue[tail++] = w;
            }
        }
        if (tail != n) throw new IllegalStateException("graph has a cycle: " + (n - tail) + " of " + n + " nodes unordered");
        int depth = 0;
        for (int v = 0; v < n; v++) depth = Math.max(depth, level[v] + 1);
        int[] width = new int[depth];
        int widest = 0;
        for (int v = 0; v < n; v++) widest = Math.max(widest, ++width[level[v]]);
        return new Topology(n, edges, depth, widest);
    }

    /** Instantiates an executable graph (and uploads it to the device so the first launch is not slower). */
    public GraphExec instantiate(CudaStream stream) {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment out = a.allocate(ValueLayout.ADDRESS);
            Cuda.check(Cudart.cudaGraphInstantiate(out, handle(), 0L), "cudaGraphInstantiate");
            GraphExec exec = new GraphExec(out.get(ValueLayout.ADDRESS, 0));
            Cuda.check(Cudart.cudaGraphUpload(exec.handle(), stream.handle()), "cudaGraphUpload");
            return exec;
        }
    }

    @Override
    public void close() {
        if (handle != null) {
            MemorySegment h = handle;
            handle = null;
            Cuda.check(Cudart.cudaGraphDestroy(h), "cudaGraphDestroy");
        }
    }
}
