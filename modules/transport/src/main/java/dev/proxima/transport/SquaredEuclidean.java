package dev.proxima.transport;

import dev.proxima.tensor.Tensor;

/** The squared Euclidean cost, one instance so that geometries can recognise it. */
final class SquaredEuclidean implements CostFunction {

    static final SquaredEuclidean INSTANCE = new SquaredEuclidean();

    private SquaredEuclidean() {
    }

    @Override
    public Tensor apply(Tensor x, Tensor y) {
        int xr = x.rank();
        int yr = y.rank();
        Tensor xx = x.square().sum(new int[]{xr - 1}, true);                                // [.., n, 1]
        Tensor yy = y.square().sum(new int[]{yr - 1}, true).transpose(yr - 2, yr - 1);      // [.., 1, m]
        Tensor cross = x.matmul(y.transpose(yr - 2, yr - 1));                               // [.., n, m]
        return xx.add(yy).sub(cross.mul(2.0)).maximum(0.0);
    }

    @Override
    public String toString() {
        return "squaredEuclidean";
    }
}
