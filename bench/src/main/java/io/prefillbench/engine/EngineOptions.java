package io.prefillbench.engine;

import io.prefillbench.forward.ImplChoices;
import io.prefillbench.forward.ImplRegistry;

/**
 * Test and gate knobs; production runs use {@link #DEFAULT}.
 *
 * @param slowdownCycles        a busy kernel of that many GPU cycles in every captured graph (a
 *                              planted graph-only slowdown the regression gate must catch); 0 = none
 * @param heuristicTileCapacity capture attention grids with the [1,...,1,rest] tile count instead of
 *                              the exact worst case (the planted bug the graph == eager test must catch)
 * @param pdl                   programmatic dependent launch on sm_90+ (kernels overlap their prologue,
 *                              e.g. weight prefetch, with the previous kernel's tail), in both modes
 * @param libraryEdges          with pdl: in captured graphs, the edge from a library call's (cuBLASLt's) kernel into
 *                              our next kernel is programmatic and leaves when that kernel's blocks have all started,
 *                              so ours launches early and waits in griddepcontrol.wait (graphs only: a stream launch
 *                              cannot say so about a kernel the library launched)
 * @param registry              the implementations lowering may choose from
 * @param choices               per-bucket implementation choices (the measurements file shipped in the jar by default)
 * @param layoutWith            other choices whose plans the buffer layout also covers (empty: the engine's own plans
 *                              only). Both sides of an A/B laid out over both sides' plans get the same addresses, so a
 *                              row that changes the layout (a workspace's size, a tensor's) moves no buffer between them
 *                              (placement moved ERNIE short by up to 2 % on the H200: kernels/NOTES-forward.md v73, v82)
 * @param l2PersistBytes        bytes of the device's L2 to set aside for the LM head's weights (kernels/NOTES-forward.md
 *                              v88): the engine asks for min(this, the device's most) and the LM head's kernel launches mark
 *                              that many bytes from the start of its weight persisting, so they stay in the L2 across
 *                              forwards; 0: none (the default)
 */
public record EngineOptions(long slowdownCycles, boolean heuristicTileCapacity, boolean pdl, boolean libraryEdges,
                            ImplRegistry registry, ImplChoices choices, java.util.List<ImplChoices> layoutWith, long l2PersistBytes) {
    public static final EngineOptions DEFAULT = new EngineOptions(0, false, true);

    public EngineOptions {
        layoutWith = java.util.List.copyOf(layoutWith);
        if (l2PersistBytes < 0) throw new IllegalArgumentException("an L2 set-aside of " + l2PersistBytes + " bytes");
    }

    public EngineOptions(long slowdownCycles, boolean heuristicTileCapacity, boolean pdl, boolean libraryEdges,
                         ImplRegistry registry, ImplChoices choices) {
        this(slowdownCycles, heuristicTileCapacity, pdl, libraryEdges, registry, choices, java.util.List.of(), 0);
    }

    /** Library edges follow pdl. */
    public EngineOptions(long slowdownCycles, boolean heuristicTileCapacity, boolean pdl) {
        this(slowdownCycles, heuristicTileCapacity, pdl, pdl);
    }

    public EngineOptions(long slowdownCycles, boolean heuristicTileCapacity, boolean pdl, boolean libraryEdges) {
        this(slowdownCycles, heuristicTileCapacity, pdl, libraryEdges, ImplRegistry.standard(), ImplChoices.bundled());
    }

    public EngineOptions withChoices(ImplChoices c) {
        return new EngineOptions(slowdownCycles, heuristicTileCapacity, pdl, libraryEdges, registry, c, layoutWith, l2PersistBytes);
    }

    /** The same options with the buffer layout also covering the plans of {@code others}. */
    public EngineOptions withLayoutWith(java.util.List<ImplChoices> others) {
        return new EngineOptions(slowdownCycles, heuristicTileCapacity, pdl, libraryEdges, registry, choices, others, l2PersistBytes);
    }

    /** The same options with {@code bytes} of L2 asked for the LM head's weights (0: none). */
    public EngineOptions withL2Persist(long bytes) {
        return new EngineOptions(slowdownCycles, heuristicTileCapacity, pdl, libraryEdges, registry, choices, layoutWith, bytes);
    }
}
