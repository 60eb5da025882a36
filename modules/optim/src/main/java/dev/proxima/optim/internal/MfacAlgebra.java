package dev.proxima.optim.internal;

/**
 * The scalar part of M-FAC's inverse-Fisher products (Frantar, Kurtic and Alistarh, 2021), on the Gram
 * matrix G (Gᵢⱼ = gᵢᵀgⱼ) of the k gradients of a window of capacity m, for F = λI + (1/m)·Σᵢ gᵢgᵢᵀ.
 *
 * <p>Adding the gradients one at a time by Sherman–Morrison gives F⁻¹x = x/λ − Σᵢ uᵢ(uᵢᵀx)/dᵢ with
 * uᵢ = F₍ᵢ₋₁₎⁻¹gᵢ and dᵢ = m + gᵢᵀuᵢ. Every uᵢ is a combination Σⱼ Aᵢⱼgⱼ of the window's gradients and
 * uₗᵀgᵢ = (A·G)ₗᵢ, so A (lower triangular) and d follow from G alone: row i of A is
 * eᵢ/λ − Σ_{l&lt;i} ((A·G)ₗᵢ/dₗ)·Aₗ — O(m³) scalar work when the window changes. A product then needs the
 * k dot products qⱼ = gⱼᵀx (O(md)), the weights w = Aᵀ·((A·q)/d) (O(m²), {@link #weights}) and the
 * combination F⁻¹x = x/λ − Σⱼ wⱼgⱼ (O(md)).
 *
 * @param a the coefficients A, k × k, lower triangular
 * @param d the denominators dᵢ
 */
public record MfacAlgebra(double[][] a, double[] d) {

    /**
     * The coefficients for the first {@code k} gradients of the window.
     *
     * @param gram     the Gram matrix (at least k × k)
     * @param k        the number of gradients held
     * @param m        the window's capacity (the factor 1/m)
     * @param damping  λ &gt; 0
     * @return the coefficients
     */
    public static MfacAlgebra of(double[][] gram, int k, int m, double damping) {
        double[][] a = new double[k][k];
        double[] d = new double[k];
        for (int i = 0; i < k; i++) {
            a[i][i] = 1 / damping;
            for (int l = 0; l < i; l++) {
                double s = 0;
                for (int j = 0; j <= l; j++) {
                    s += a[l][j] * gram[j][i];
                }
                double f = s / d[l];
                for (int j = 0; j <= l; j++) {
                    a[i][j] -= f * a[l][j];
                }
            }
            double s = 0;
            for (int j = 0; j <= i; j++) {
                s += a[i][j] * gram[j][i];
            }
            d[i] = m + s;
        }
        return new MfacAlgebra(a, d);
    }

    /**
     * The weights wⱼ with F⁻¹x = x/λ − Σⱼ wⱼgⱼ, from the dot products qⱼ = gⱼᵀx.
     *
     * @param q the dot products, one per gradient held
     * @return the weights
     */
    public double[] weights(double[] q) {
        int k = d.length;
        double[] w = new double[k];
        for (int i = 0; i < k; i++) {
            double s = 0;
            for (int j = 0; j <= i; j++) {
                s += a[i][j] * q[j];
            }
            double ci = s / d[i];
            for (int j = 0; j <= i; j++) {
                w[j] += ci * a[i][j];
            }
        }
        return w;
    }
}
