package dev.proxima.transport.internal;

/**
 * The merged quantile grid of two 1-D weighted point sets, per column: the sorted union {@code q_1 ≤ … ≤ q_Q}
 * (Q = n + m) of both sets' cumulative weights, the interval lengths {@code q_t − q_{t−1}} ({@code q_0 = 0}),
 * and for each level the position in each sorted set whose quantile function covers it (the first cumulative
 * weight ≥ q_t, clipped to the last point against rounding). Then
 * {@code W_p^p = Σ_t (q_t − q_{t−1}) |u_(iu_t) − v_(iv_t)|^p} exactly.
 *
 * @param indexU row-major [count, k] positions into u sorted
 * @param indexV row-major [count, k] positions into v sorted
 * @param delta  row-major [count, k] interval lengths
 * @param count  the number of levels Q
 */
public record Quantiles(long[] indexU, long[] indexV, double[] delta, int count) {

    /**
     * Builds the grid.
     *
     * @param wu     u's weights, row-major [n, k], in u's original order
     * @param orderU the sorting permutation of u, row-major [n, k] (column c sorted is u[orderU[·, c], c])
     * @param n      u's length
     * @param wv     v's weights, row-major [m, k]
     * @param orderV the sorting permutation of v
     * @param m      v's length
     * @param k      the number of columns
     * @return the merged grid
     */
    public static Quantiles merge(double[] wu, long[] orderU, int n, double[] wv, long[] orderV, int m, int k) {
        int count = n + m;
        long[] iu = new long[count * k];
        long[] iv = new long[count * k];
        double[] delta = new double[count * k];
        double[] cu = new double[n];
        double[] cv = new double[m];
        for (int c = 0; c < k; c++) {
            double s = 0;
            for (int r = 0; r < n; r++) {
                s += wu[(int) orderU[r * k + c] * k + c];
                cu[r] = s;
            }
            s = 0;
            for (int r = 0; r < m; r++) {
                s += wv[(int) orderV[r * k + c] * k + c];
                cv[r] = s;
            }
            // merge the two sorted cumulative sequences; for each level, the first index with cumulative ≥ level
            int a = 0;
            int b = 0;
            double prev = 0;
            for (int t = 0; t < count; t++) {
                double level;
                if (b >= m || (a < n && cu[a] <= cv[b])) {
                    level = cu[a++];
                } else {
                    level = cv[b++];
                }
                iu[t * k + c] = Math.min(lowerBound(cu, level), n - 1);
                iv[t * k + c] = Math.min(lowerBound(cv, level), m - 1);
                delta[t * k + c] = level - prev;
                prev = level;
            }
        }
        return new Quantiles(iu, iv, delta, count);
    }

    /** The first index whose value is ≥ x (the length if none), as NumPy's searchsorted(side='left'). */
    private static int lowerBound(double[] sorted, double x) {
        int lo = 0;
        int hi = sorted.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
