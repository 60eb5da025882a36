package dev.proxima.transport.internal;

/**
 * The primal network simplex method on the complete bipartite transport graph, in plain Java arrays.
 *
 * <p>Graph: source nodes {@code 0..n-1} (supplies {@code a}), sink nodes {@code n..n+m-1} (demands {@code b})
 * and a root {@code n+m}. Real arcs {@code e = i·m + j} go from source i to sink j with cost {@code c[e]} and no
 * capacity; every node also has an artificial arc to or from the root (source → root with cost 0, root → sink
 * with cost {@code ART > max c}), which form the first basis and can only leave it. Because {@code ART} exceeds
 * every real cost, an optimal flow of the restricted problem never routes mass through the root, so the final
 * basis is an optimal transport plan.
 *
 * <p>Basis: a spanning tree rooted at the root, stored as parent, the arc to the parent ({@code pred}), the
 * flow on that arc, the depth, and a preorder {@code thread} with its reverse. Since every arc runs from a
 * source to a sink (or through the root), the arc to the parent points up exactly when the node is a source.
 * Node potentials {@code pi} make tree arcs' reduced costs {@code c + pi[from] − pi[to]} zero.
 *
 * <p>Pivot: block search (blocks of √arcs, cyclic) picks the most negative reduced cost of the first block
 * that has one; the cycle it closes is found through the lowest common ancestor (by depth); the leaving arc is
 * the blocking arc that keeps the tree strongly feasible (the last one met when walking the cycle in its
 * orientation from the apex), which rules out cycling; the cut subtree is re-rooted at the entering arc's end,
 * its threads relinked segment by segment, and its potentials shifted by the entering arc's reduced cost.
 * When no arc prices out, the potentials are recomputed exactly from the tree (removing the drift of the
 * incremental updates) and the pricing is repeated; only then is the basis declared optimal.
 *
 * <p>Not thread-safe; one instance solves one problem.
 */
public final class NetworkSimplexSolver {

    /** Relative tolerance below which a negative reduced cost counts as zero. */
    private static final double PRICING_EPS = 1e-13;

    private final int n;
    private final int m;
    private final int root;
    private final int arcCount;
    private final double[] cost;
    private final double artificialCost;

    private final int[] parent;
    private final int[] pred;
    private final double[] flow;
    private final int[] depth;
    private final int[] thread;
    private final int[] revThread;
    private final double[] pi;

    // scratch for a pivot: the path from the re-rooted node up to the leaving arc, and its segments
    private int[] path;
    private int[] xStart;
    private int[] xEnd;
    private int[] yStart;
    private int[] yEnd;

    private final int blockSize;
    private int nextArc;
    private long iterations;

    /**
     * Sets up the problem with the all-artificial starting basis.
     *
     * @param a    supplies, length n, all positive
     * @param b    demands, length m, all positive, summing to the supplies' total
     * @param cost costs, row-major n × m, finite; read, never modified
     */
    public NetworkSimplexSolver(double[] a, double[] b, double[] cost) {
        this.n = a.length;
        this.m = b.length;
        this.root = n + m;
        this.arcCount = n * m;
        this.cost = cost;
        double maxAbs = 0;
        for (double c : cost) {
            maxAbs = Math.max(maxAbs, Math.abs(c));
        }
        this.artificialCost = maxAbs > 0 ? 2 * maxAbs : 1;

        int nodes = n + m + 1;
        parent = new int[nodes];
        pred = new int[nodes];
        flow = new double[nodes];
        depth = new int[nodes];
        thread = new int[nodes];
        revThread = new int[nodes];
        pi = new double[nodes];
        int scratch = 16;
        path = new int[scratch];
        xStart = new int[scratch];
        xEnd = new int[scratch];
        yStart = new int[scratch];
        yEnd = new int[scratch];

        parent[root] = -1;
        pred[root] = -1;
        depth[root] = 0;
        for (int u = 0; u < root; u++) {
            parent[u] = root;
            pred[u] = arcCount + u;           // the artificial arc of node u
            depth[u] = 1;
            flow[u] = u < n ? a[u] : b[u - n];
            pi[u] = u < n ? 0 : artificialCost;
        }
        // preorder: root, 0, 1, ..., n+m-1, back to the root
        link(root, 0);
        for (int u = 0; u + 1 < root; u++) {
            link(u, u + 1);
        }
        link(root - 1, root);
        this.blockSize = Math.max(10, (int) Math.ceil(Math.sqrt((double) arcCount)));
        this.nextArc = 0;
    }

    /**
     * Pivots until the basis is optimal or {@code maxIterations} pivots have been made.
     *
     * @param maxIterations the pivot budget
     * @return true if the basis is optimal, false if the budget ran out first
     */
    public boolean solve(long maxIterations) {
        boolean verified = false;
        while (true) {
            int entering = findEnteringArc();
            if (entering < 0) {
                if (verified) {
                    return true;
                }
                recomputePotentials();
                verified = true;
                continue;
            }
            verified = false;
            if (iterations >= maxIterations) {
                return false;
            }
            pivot(entering);
            iterations++;
        }
    }

    /** {@return the number of pivots made} */
    public long iterations() {
        return iterations;
    }

    /**
     * Writes the basic real arcs (i, j, flow) into the arrays and returns how many there are (at most n + m − 1).
     *
     * @param rows  row of each basic arc (length ≥ n + m)
     * @param cols  column of each basic arc
     * @param flows flow on each basic arc (≥ 0; zero on degenerate basic arcs)
     * @return the number of basic real arcs written
     */
    public int basis(int[] rows, int[] cols, double[] flows) {
        int k = 0;
        for (int u = 0; u < root; u++) {
            int e = pred[u];
            if (e < arcCount) {
                rows[k] = e / m;
                cols[k] = e % m;
                flows[k] = flow[u];
                k++;
            }
        }
        return k;
    }

    /**
     * The dual variables: {@code u[i] = −pi[i]} for sources and {@code v[j] = pi[n + j]} for sinks, so that
     * {@code u_i + v_j ≤ c_ij} with equality on basic arcs.
     *
     * @param u receives the n source potentials
     * @param v receives the m sink potentials
     */
    public void duals(double[] u, double[] v) {
        for (int i = 0; i < n; i++) {
            u[i] = -pi[i];
        }
        for (int j = 0; j < m; j++) {
            v[j] = pi[n + j];
        }
    }

    // ------------------------------------------------------------------------------------------------ pricing

    private boolean isTreeArc(int e, int i, int j) {
        return pred[i] == e || pred[n + j] == e;
    }

    private double tolerance(int e) {
        int i = e / m;
        int j = e - i * m;
        double scale = Math.max(Math.abs(cost[e]), Math.max(Math.abs(pi[i]), Math.abs(pi[n + j])));
        return PRICING_EPS * scale;
    }

    /** Block search: the most negative reduced cost in the first block (from the cursor on) that has one. */
    private int findEnteringArc() {
        final double[] c = cost;
        final double[] p = pi;
        final int cols = m;
        final int off = n;
        double min = 0;
        int best = -1;
        int cnt = blockSize;
        int i = nextArc / cols;
        int j = nextArc - i * cols;
        long scanned = 0;
        while (scanned < arcCount) {
            int len = Math.min(cols - j, cnt);
            int base = i * cols;
            double pii = p[i];
            int end = j + len;
            for (int jj = j; jj < end; jj++) {
                double r = c[base + jj] + pii - p[off + jj];
                if (r < min && !isTreeArc(base + jj, i, jj)) {
                    min = r;
                    best = base + jj;
                }
            }
            scanned += len;
            cnt -= len;
            j = end;
            if (j == cols) {
                j = 0;
                i = i + 1 == n ? 0 : i + 1;
            }
            if (cnt == 0) {
                if (best >= 0 && min < -tolerance(best)) {
                    nextArc = i * cols + j;
                    return best;
                }
                cnt = blockSize;
            }
        }
        if (best >= 0 && min < -tolerance(best)) {
            nextArc = i * cols + j;
            return best;
        }
        return -1;
    }

    /** Potentials from the tree alone: root 0, then down the preorder, tree arcs' reduced costs exactly zero. */
    private void recomputePotentials() {
        pi[root] = 0;
        for (int u = thread[root]; u != root; u = thread[u]) {
            int e = pred[u];
            double c = e < arcCount ? cost[e] : (u < n ? 0 : artificialCost);
            // source u: arc u → parent, c + pi[u] − pi[parent] = 0; sink u: arc parent → u, c + pi[parent] − pi[u] = 0
            pi[u] = u < n ? pi[parent[u]] - c : pi[parent[u]] + c;
        }
    }

    // ------------------------------------------------------------------------------------------------ pivot

    private void pivot(int entering) {
        int s = entering / m;          // the entering arc runs s → t
        int t = n + (entering - s * m);

        int a = s;
        int b = t;
        while (depth[a] > depth[b]) {
            a = parent[a];
        }
        while (depth[b] > depth[a]) {
            b = parent[b];
        }
        while (a != b) {
            a = parent[a];
            b = parent[b];
        }
        int join = a;

        // Leaving arc. Flow goes join → … → s (down), s → t (entering), t → … → join (up).
        // On the s side an arc loses flow when it points up (u is a source); on the t side when it points down.
        double delta = Double.POSITIVE_INFINITY;
        int leaving = -1;
        boolean onSourceSide = true;
        for (int u = s; u != join; u = parent[u]) {
            if (u < n && flow[u] < delta) {
                delta = flow[u];
                leaving = u;
            }
        }
        for (int u = t; u != join; u = parent[u]) {
            if (u >= n && flow[u] <= delta) {
                delta = flow[u];
                leaving = u;
                onSourceSide = false;
            }
        }

        if (delta > 0) {
            for (int u = s; u != join; u = parent[u]) {
                flow[u] += u < n ? -delta : delta;
            }
            for (int u = t; u != join; u = parent[u]) {
                flow[u] += u >= n ? -delta : delta;
            }
        }

        double reduced = cost[entering] + pi[s] - pi[t];
        int p = onSourceSide ? s : t;    // the end of the entering arc inside the subtree that is cut off
        int q = onSourceSide ? t : s;    // its end that stays attached
        double sigma = onSourceSide ? -reduced : reduced;
        reroot(p, q, leaving, entering, delta, sigma);
    }

    /**
     * Cuts the subtree below {@code leaving}'s arc (it contains {@code p}), re-roots it at {@code p} and hangs it
     * under {@code q} through the entering arc; shifts its potentials by {@code sigma}.
     */
    private void reroot(int p, int q, int leaving, int entering, double enteringFlow, double sigma) {
        // the path p = w0, w1, ..., wk = leaving
        int k = 0;
        path[0] = p;
        for (int u = p; u != leaving; ) {
            u = parent[u];
            k++;
            if (k == path.length) {
                growScratch();
            }
            path[k] = u;
        }

        // Old subtree of w_i in preorder: w_i, X_i, T(w_{i-1}), Y_i; e_i is its last node (old depths).
        int last = p;
        for (int y = thread[p]; depth[y] > depth[p]; y = thread[y]) {
            last = y;
        }
        int lastOfP = last;
        for (int i = 1; i <= k; i++) {
            int w = path[i];
            int prev = path[i - 1];
            if (thread[w] != prev) {
                xStart[i] = thread[w];
                xEnd[i] = revThread[prev];
            } else {
                xStart[i] = -1;
            }
            int dw = depth[w];
            int y = thread[last];
            if (depth[y] > dw) {
                yStart[i] = y;
                int ye = y;
                for (y = thread[y]; depth[y] > dw; y = thread[y]) {
                    ye = y;
                }
                yEnd[i] = ye;
                last = ye;
            } else {
                yStart[i] = -1;
            }
        }
        int before = revThread[leaving];
        int after = thread[last];

        // parents, arcs to the parent and their flows reverse along the path
        for (int i = k; i >= 1; i--) {
            parent[path[i]] = path[i - 1];
            pred[path[i]] = pred[path[i - 1]];
            flow[path[i]] = flow[path[i - 1]];
        }
        parent[p] = q;
        pred[p] = entering;
        flow[p] = enteringFlow;

        // cut the old segment out, then insert the new preorder right after q:
        // q, [T(w0)], w1, X1, Y1, w2, X2, Y2, ..., wk, Xk, Yk, (q's old successor)
        link(before, after);
        int qNext = thread[q];
        // T(w0) keeps its internal order: p ... e0
        int tail = lastOfP;
        link(q, p);
        for (int i = 1; i <= k; i++) {
            link(tail, path[i]);
            tail = path[i];
            if (xStart[i] >= 0) {
                link(tail, xStart[i]);
                tail = xEnd[i];
            }
            if (yStart[i] >= 0) {
                link(tail, yStart[i]);
                tail = yEnd[i];
            }
        }
        link(tail, qNext);

        // depths (parents precede children in preorder) and potentials of the moved subtree
        for (int u = p; ; u = thread[u]) {
            depth[u] = depth[parent[u]] + 1;
            pi[u] += sigma;
            if (u == tail) {
                break;
            }
        }
    }

    private void link(int from, int to) {
        thread[from] = to;
        revThread[to] = from;
    }

    private void growScratch() {
        int size = path.length * 2;
        path = java.util.Arrays.copyOf(path, size);
        xStart = java.util.Arrays.copyOf(xStart, size);
        xEnd = java.util.Arrays.copyOf(xEnd, size);
        yStart = java.util.Arrays.copyOf(yStart, size);
        yEnd = java.util.Arrays.copyOf(yEnd, size);
    }
}
