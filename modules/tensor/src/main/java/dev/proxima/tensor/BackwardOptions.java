package dev.proxima.tensor;

/**
 * How a backward pass treats the graph it runs through, for {@link Autodiff#gradients}: whether the
 * graph stays usable afterwards, and whether the backward computation is itself recorded.
 *
 * <p>The three useful settings have factories; the withers change one flag of an existing value.
 * {@snippet :
 * Tensor[] g  = Autodiff.gradients(loss, null, BackwardOptions.defaults(), w);        // first order, graph freed
 * Tensor[] g2 = Autodiff.gradients(loss, null, BackwardOptions.retainingGraph(), w);  // may run again
 * Tensor[] gg = Autodiff.gradients(loss, null, BackwardOptions.creatingGraph(), w);   // gg is differentiable
 * }
 *
 * @param retainGraph keep the saved tensors of the graph so that another backward pass can run through it
 *                    (PyTorch's {@code retain_graph}); when false they are freed as the pass goes
 * @param createGraph record the backward computation, so the gradients it returns require grad and can be
 *                    differentiated again (PyTorch's {@code create_graph}), for Hessian-vector products,
 *                    gradient penalties and bilevel methods
 */
public record BackwardOptions(boolean retainGraph, boolean createGraph) {

    private static final BackwardOptions DEFAULTS = new BackwardOptions(false, false);
    private static final BackwardOptions RETAINING = new BackwardOptions(true, false);
    private static final BackwardOptions CREATING = new BackwardOptions(true, true);

    /**
     * First-order gradients; the graph is freed by the pass.
     *
     * @return {@code (retainGraph = false, createGraph = false)}
     */
    public static BackwardOptions defaults() {
        return DEFAULTS;
    }

    /**
     * First-order gradients; the graph stays usable for another pass.
     *
     * @return {@code (retainGraph = true, createGraph = false)}
     */
    public static BackwardOptions retainingGraph() {
        return RETAINING;
    }

    /**
     * Differentiable gradients: the backward pass is recorded, and the graph is retained (as PyTorch does
     * by default with {@code create_graph}); use {@code creatingGraph().withRetainGraph(false)} to free the
     * original graph while still recording the new one.
     *
     * @return {@code (retainGraph = true, createGraph = true)}
     */
    public static BackwardOptions creatingGraph() {
        return CREATING;
    }

    /**
     * These options with {@code retainGraph} replaced.
     *
     * @param retain whether to keep the graph for another pass
     * @return a value differing from this one at most in {@link #retainGraph()}
     */
    public BackwardOptions withRetainGraph(boolean retain) {
        return new BackwardOptions(retain, createGraph);
    }

    /**
     * These options with {@code createGraph} replaced.
     *
     * @param create whether to record the backward computation
     * @return a value differing from this one at most in {@link #createGraph()}
     */
    public BackwardOptions withCreateGraph(boolean create) {
        return new BackwardOptions(retainGraph, create);
    }
}
