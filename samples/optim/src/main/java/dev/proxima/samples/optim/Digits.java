package dev.proxima.samples.optim;

import dev.proxima.io.Npy;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Rng;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * scikit-learn's 8 × 8 digits set (1797 images, the UCI "Optical Recognition of Handwritten Digits" test set), from the
 * sample's resources ({@code make_digits.py} converted it once), split into a training and a test set with a fixed
 * seed. Pixels are scaled from 0 … 16 to 0 … 1.
 *
 * @param trainImages {@code (n_train, 64)} F32
 * @param trainLabels {@code (n_train)} I64
 * @param testImages  {@code (n_test, 64)} F32
 * @param testLabels  {@code (n_test)} I64
 */
record Digits(Tensor trainImages, Tensor trainLabels, Tensor testImages, Tensor testLabels) {

    /** The number of images. */
    static final int COUNT = 1797;

    /**
     * Loads the set and splits it: a seeded permutation, the first {@code testCount} images for the test set.
     *
     * @param testCount the size of the test set
     * @param seed      the split's seed
     * @return the four tensors, in the current scope
     */
    static Digits load(int testCount, long seed) {
        try (Scope scope = Scope.open()) {
            Tensor images = read("digits_images.npy").cast(DType.F32).div(16.0);
            Tensor labels = read("digits_labels.npy").cast(DType.I64);
            Tensor order = Rng.seed(seed).permutation(COUNT);
            Tensor test = order.slice(0, 0, testCount, 1);
            Tensor train = order.slice(0, testCount, COUNT, 1);
            return new Digits(scope.keep(images.indexSelect(0, train).contiguous()), scope.keep(labels.indexSelect(0, train).contiguous()),
                    scope.keep(images.indexSelect(0, test).contiguous()), scope.keep(labels.indexSelect(0, test).contiguous()));
        }
    }

    private static Tensor read(String resource) {
        try (InputStream in = Digits.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("the sample's resource " + resource + " is missing");
            }
            return Npy.read(in, resource, 1 << 20);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
