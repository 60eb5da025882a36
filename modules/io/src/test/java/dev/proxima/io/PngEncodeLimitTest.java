package dev.proxima.io;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Scope;
import dev.proxima.tensor.Tensor;
import dev.proxima.testkit.NoLeaks;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The encoder's limits, checked from the shape before any pixel is read: images whose filtered rows would
 * exceed 2^31 − 64 bytes (shown with broadcast views, which take no memory), sides outside 1..2^24, bad
 * channel counts, ranks and bit depths.
 */
@ExtendWith(NoLeaks.class)
class PngEncodeLimitTest {

    private static void refused(String message, Tensor image, int bitDepth) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> Png.encode(image, bitDepth)).getMessage());
    }

    @Test
    void imagesPastTheRawSizeLimitAreRefusedBeforeEncoding() {
        try (Scope s = Scope.open()) {
            // 16-bit RGBA: rows of 1 + 16384·8 bytes; 16384 of them are 2 147 500 032 bytes > 2^31 − 64
            Tensor rgba = Tensor.zeros(DType.F32, 1, 1, 4).broadcastTo(16384, 16384, 4);
            refused("PNG image 16384x16384x4 too large to encode", rgba, 16);
            // 8-bit: rows of 1 + 65536 bytes, 32768 of them
            refused("PNG image 16384x32768x4 too large to encode", Tensor.zeros(DType.F32, 1, 1, 4).broadcastTo(32768, 16384, 4), 8);
            // gray, 8-bit: one row of 2^31 − 64 bytes plus its filter byte
            refused("PNG image 16777216x128x1 too large to encode", Tensor.zeros(DType.F32, 1, 1).broadcastTo(128, 1 << 24), 8);
        }
    }

    @Test
    void shapesChannelsAndDepthsAreChecked() {
        try (Scope s = Scope.open()) {
            Tensor ok = Tensor.zeros(DType.F32, 2, 2, 3);
            refused("PNG bit depth must be 8 or 16, got 12", ok, 12);
            refused("a PNG image tensor is (H, W, C) or (H, W), got rank 1", Tensor.zeros(DType.F32, 4), 8);
            refused("a PNG image tensor is (H, W, C) or (H, W), got rank 4", Tensor.zeros(DType.F32, 1, 2, 2, 3), 8);
            refused("a PNG image has 1 to 4 channels, got 5", Tensor.zeros(DType.F32, 2, 2, 5), 8);
            refused("a PNG image has 1 to 4 channels, got 0", Tensor.zeros(DType.F32, 2, 2, 0), 8);
            refused("PNG image size 2x0 outside 1..16777216", Tensor.zeros(DType.F32, 0, 2), 8);
            refused("PNG image size 0x2 outside 1..16777216", Tensor.zeros(DType.F32, 2, 0), 8);
            refused("PNG image size 16777217x1 outside 1..16777216", Tensor.zeros(DType.F32, 1, 1).broadcastTo(1, (1 << 24) + 1), 8);
            refused("PNG image size 1x16777217 outside 1..16777216", Tensor.zeros(DType.F32, 1, 1).broadcastTo((1 << 24) + 1, 1), 8);
        }
    }
}
