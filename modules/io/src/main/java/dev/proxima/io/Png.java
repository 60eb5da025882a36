package dev.proxima.io;

import dev.proxima.io.internal.Buffers;
import dev.proxima.io.internal.ByteLimits;
import dev.proxima.io.internal.WholeFile;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * PNG images as {@code (H, W, C)} {@link DType#F32} tensors with values in {@code [0, 1]}, by a codec
 * of its own over {@link Inflater}/{@link Deflater}.
 *
 * <h2>Reading</h2>
 * Gray ({@code C = 1}), gray + alpha ({@code C = 2}), RGB ({@code C = 3}) and RGBA ({@code C = 4}) at 8
 * and 16 bits, gray at 1, 2 and 4 bits, and palette images at 1, 2, 4 and 8 bits (expanded to RGB, or
 * to RGBA when a {@code tRNS} chunk gives the palette alpha values). A {@code tRNS} chunk of a gray or
 * RGB image (a single transparent colour) is ignored. Sample {@code s} of a {@code b}-bit image reads
 * as {@code s / (2^b - 1)}. All five row filters are decoded; ancillary chunks are skipped; every
 * chunk's CRC is checked. Interlaced (Adam7) images are rejected.
 *
 * <h2>Writing</h2>
 * Tensors {@code (H, W, C)} with {@code C} in 1..4 (or {@code (H, W)}, written as gray) of any dtype,
 * at 8 or 16 bits per sample. Values are clamped to {@code [0, 1]} (NaN as 0), scaled to
 * {@code 2^b - 1} and rounded. Each row gets the filter whose output has the smallest sum of absolute
 * (signed) bytes, the usual heuristic.
 *
 * <h2>Safety</h2>
 * A PNG file of a few kilobytes can describe a gigapixel image (the pixels of a blank image compress
 * about 1000:1), so the decoded size is limited, as browsers and libpng's {@code png_set_user_limits}
 * do: the tensor ({@code height × width × channels × 4} bytes) may not exceed
 * {@link Limits#maxDecodedBytes()}, by default {@value Limits#DEFAULT_MAX_DECODED_BYTES} bytes
 * (256 MiB), or the value of system property {@value Limits#PROPERTY}. A larger image is rejected
 * with a {@link FileFormatException} that names the limit; raise it for one call with
 * {@link #read(Path, Limits)} or {@link #decode(byte[], String, Limits)}:
 * {@snippet :
 * Tensor big = Png.read(Path.of("scan.png"), new Png.Limits(2L << 30)); // up to 2 GiB of F32 pixels
 * }
 * The limit is checked as soon as the header is read. Beyond it, width and height are limited to
 * {@value #MAX_SIDE} and the decompressed size to 2^31 - 64 bytes; the decompressed size
 * {@code height * (1 + rowBytes)} is computed from the header and checked against the compressed data
 * (deflate expands at most about 1032:1) before anything is allocated, and the inflated stream must
 * have exactly that size. Violations raise {@link FileFormatException}.
 */
public final class Png {

    /** The largest width or height accepted (2^24). */
    public static final int MAX_SIDE = 1 << 24;
    private static final long MAX_RAW = Integer.MAX_VALUE - 64;
    private static final long MAX_FILE = Integer.MAX_VALUE - 64;
    private static final long MAX_DEFLATE_RATIO = 1100;
    private static final byte[] SIGNATURE = {(byte) 137, 'P', 'N', 'G', '\r', '\n', 26, '\n'};

    private Png() {
    }

    /**
     * Limits on the images that {@link #read(Path, Limits)} and {@link #decode(byte[], String, Limits)}
     * decode; the methods without a {@code Limits} argument use {@link #defaults()}.
     *
     * @param maxDecodedBytes the largest decoded image accepted, in bytes of the F32 tensor
     *                        ({@code height × width × channels × 4})
     */
    public record Limits(long maxDecodedBytes) {

        /** The default {@link #maxDecodedBytes()}: 256 MiB, e.g. a 4096 × 4096 RGBA or 8192 × 8192 gray image. */
        public static final long DEFAULT_MAX_DECODED_BYTES = 256L << 20;

        /** The system property that overrides {@link #DEFAULT_MAX_DECODED_BYTES} (a number of bytes). */
        public static final String PROPERTY = "proxima.png.maxDecodedBytes";

        /**
         * Validates the bound.
         *
         * @throws IllegalArgumentException if {@code maxDecodedBytes} is not positive
         */
        public Limits {
            ByteLimits.requirePositive("maxDecodedBytes", maxDecodedBytes);
        }

        /**
         * The limits in force when none are given: {@link #maxDecodedBytes()} from system property
         * {@value #PROPERTY} when it is set, else {@link #DEFAULT_MAX_DECODED_BYTES}. The property is read
         * on every call.
         *
         * @return the default limits
         * @throws IllegalArgumentException if the property is set but not a positive number of bytes
         */
        public static Limits defaults() {
            return new Limits(ByteLimits.fromProperty(PROPERTY, DEFAULT_MAX_DECODED_BYTES));
        }
    }

    // =================================================================== reading

    /**
     * Reads a PNG file into a new {@code (H, W, C)} F32 tensor with values in {@code [0, 1]}, within
     * {@link Limits#defaults()}.
     *
     * @param file the PNG file
     * @return the image, {@code (height, width, channels)}
     * @throws FileFormatException      if the file is not a valid, supported PNG image, or decodes to more
     *                                  than the limits allow
     * @throws IOException              if it cannot be read
     * @throws IllegalArgumentException if system property {@value Limits#PROPERTY} is invalid
     */
    public static Tensor read(Path file) throws IOException {
        return read(file, Limits.defaults());
    }

    /**
     * Reads a PNG file into a new {@code (H, W, C)} F32 tensor with values in {@code [0, 1]}.
     * {@snippet :
     * try (Tensor image = Png.read(Path.of("photo.png"), new Png.Limits(1L << 30))) {
     *     long height = image.dim(0), width = image.dim(1), channels = image.dim(2);
     * }
     * }
     *
     * @param file   the PNG file
     * @param limits the largest image to decode
     * @return the image, {@code (height, width, channels)}
     * @throws FileFormatException if the file is not a valid, supported PNG image, or decodes to more
     *                             than {@code limits} allow
     * @throws IOException         if it cannot be read
     */
    public static Tensor read(Path file, Limits limits) throws IOException {
        return decode(WholeFile.read(file, "PNG", MAX_FILE), file.toString(), limits);
    }

    /**
     * Decodes the bytes of a PNG file into a new {@code (H, W, C)} F32 tensor, within
     * {@link Limits#defaults()}.
     *
     * @param bytes the whole file
     * @param name  names the source in error messages
     * @return the image, {@code (height, width, channels)}
     * @throws FileFormatException      if the bytes are not a valid, supported PNG image, or decode to more
     *                                  than the limits allow
     * @throws IllegalArgumentException if system property {@value Limits#PROPERTY} is invalid
     */
    public static Tensor decode(byte[] bytes, String name) throws FileFormatException {
        return decode(bytes, name, Limits.defaults());
    }

    /**
     * Decodes the bytes of a PNG file into a new {@code (H, W, C)} F32 tensor.
     *
     * @param bytes  the whole file
     * @param name   names the source in error messages
     * @param limits the largest image to decode
     * @return the image, {@code (height, width, channels)}
     * @throws FileFormatException if the bytes are not a valid, supported PNG image, or decode to more
     *                             than {@code limits} allow
     */
    public static Tensor decode(byte[] bytes, String name, Limits limits) throws FileFormatException {
        if (bytes.length < SIGNATURE.length) {
            throw new FileFormatException(name, "truncated: " + bytes.length + " bytes, shorter than the PNG signature");
        }
        for (int i = 0; i < SIGNATURE.length; i++) {
            if (bytes[i] != SIGNATURE[i]) {
                throw new FileFormatException(name, "not a PNG file (wrong signature)");
            }
        }
        int pos = SIGNATURE.length;
        int width = 0;
        int height = 0;
        int depth = 0;
        int colorType = -1;
        byte[] palette = null;
        byte[] paletteAlpha = null;
        ByteArrayOutputStream idat = new ByteArrayOutputStream();
        boolean sawIdat = false;
        boolean idatEnded = false;
        boolean sawEnd = false;
        CRC32 crc = new CRC32();
        while (!sawEnd) {
            if (bytes.length - pos < 12) {
                throw new FileFormatException(name, "truncated: chunk header at byte " + pos + " but only "
                        + (bytes.length - pos) + " bytes left (no IEND chunk)");
            }
            long length = u32(bytes, pos);
            if (length > bytes.length - pos - 12) {
                throw new FileFormatException(name, "truncated: chunk at byte " + pos + " announces " + length
                        + " data bytes but only " + (bytes.length - pos - 12) + " follow");
            }
            int len = (int) length;
            String type = chunkType(bytes, pos + 4, name);
            int data = pos + 8;
            crc.reset();
            crc.update(bytes, pos + 4, 4 + len);
            long stored = u32(bytes, data + len);
            if (crc.getValue() != stored) {
                throw new FileFormatException(name, "bad CRC in chunk " + type + " at byte " + pos
                        + String.format(" (stored %08x, computed %08x)", stored, crc.getValue()));
            }
            boolean first = pos == SIGNATURE.length;
            if (first != type.equals("IHDR")) {
                throw new FileFormatException(name, first ? "first chunk is " + type + ", not IHDR" : "second IHDR chunk");
            }
            if (sawIdat && !type.equals("IDAT")) {
                idatEnded = true;
            }
            switch (type) {
                case "IHDR" -> {
                    if (len != 13) {
                        throw new FileFormatException(name, "IHDR has " + len + " bytes, not 13");
                    }
                    long w = u32(bytes, data);
                    long h = u32(bytes, data + 4);
                    if (w < 1 || h < 1 || w > MAX_SIDE || h > MAX_SIDE) {
                        throw new FileFormatException(name, "image size " + w + "x" + h + " outside 1.." + MAX_SIDE);
                    }
                    width = (int) w;
                    height = (int) h;
                    depth = bytes[data + 8] & 0xff;
                    colorType = bytes[data + 9] & 0xff;
                    boolean ok = switch (colorType) {
                        case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
                        case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
                        case 2, 4, 6 -> depth == 8 || depth == 16;
                        default -> throw new FileFormatException(name, "invalid color type " + colorType);
                    };
                    if (!ok) {
                        throw new FileFormatException(name, "invalid bit depth " + depth + " for color type " + colorType);
                    }
                    if (bytes[data + 10] != 0) {
                        throw new FileFormatException(name, "unknown compression method " + (bytes[data + 10] & 0xff));
                    }
                    if (bytes[data + 11] != 0) {
                        throw new FileFormatException(name, "unknown filter method " + (bytes[data + 11] & 0xff));
                    }
                    int interlace = bytes[data + 12] & 0xff;
                    if (interlace == 1) {
                        throw new FileFormatException(name, "interlaced (Adam7) PNG images are not supported");
                    }
                    if (interlace != 0) {
                        throw new FileFormatException(name, "unknown interlace method " + interlace);
                    }
                    // palette images decode to RGB, or RGBA once a tRNS chunk is seen; checked again below
                    checkDecodedSize(name, width, height, colorType == 3 ? 3 : samples(colorType), limits);
                }
                case "PLTE" -> {
                    if (palette != null || sawIdat) {
                        throw new FileFormatException(name, "PLTE chunk repeated or after IDAT");
                    }
                    if (len % 3 != 0 || len == 0 || len > 3 * 256) {
                        throw new FileFormatException(name, "PLTE chunk of " + len + " bytes (must be 3 to 768, a multiple of 3)");
                    }
                    if (colorType == 3 && len / 3 > (1 << depth)) {
                        throw new FileFormatException(name, "palette of " + len / 3 + " entries for a " + depth + "-bit image");
                    }
                    palette = java.util.Arrays.copyOfRange(bytes, data, data + len);
                }
                case "tRNS" -> {
                    if (colorType == 3) {
                        if (palette == null) {
                            throw new FileFormatException(name, "tRNS chunk before PLTE");
                        }
                        if (len > palette.length / 3) {
                            throw new FileFormatException(name, "tRNS has " + len + " alpha values for " + palette.length / 3 + " palette entries");
                        }
                        paletteAlpha = java.util.Arrays.copyOfRange(bytes, data, data + len);
                    }
                }
                case "IDAT" -> {
                    if (idatEnded) {
                        throw new FileFormatException(name, "IDAT chunks are not consecutive");
                    }
                    sawIdat = true;
                    idat.write(bytes, data, len);
                }
                case "IEND" -> sawEnd = true;
                default -> {
                    if ((bytes[pos + 4] & 0x20) == 0) {
                        throw new FileFormatException(name, "unknown critical chunk " + type);
                    }
                }
            }
            pos = data + len + 4;
        }
        if (!sawIdat) {
            throw new FileFormatException(name, "no IDAT chunk");
        }
        if (colorType == 3 && palette == null) {
            throw new FileFormatException(name, "palette image without a PLTE chunk");
        }
        int samples = samples(colorType);
        long rowBytes = ((long) width * samples * depth + 7) / 8;
        long raw = (long) height * (1 + rowBytes);
        if (raw > MAX_RAW) {
            throw new FileFormatException(name, "image " + width + "x" + height + " needs " + raw
                    + " decompressed bytes, more than the limit of " + MAX_RAW);
        }
        int channels = colorType == 3 ? (paletteAlpha != null ? 4 : 3) : samples;
        checkDecodedSize(name, width, height, channels, limits);
        byte[] compressed = idat.toByteArray();
        if (raw > (compressed.length + 64L) * MAX_DEFLATE_RATIO) {
            throw new FileFormatException(name, "truncated: " + compressed.length + " compressed bytes cannot hold the "
                    + raw + " bytes that a " + width + "x" + height + " image needs");
        }
        byte[] pixels = inflate(compressed, (int) raw, name);
        int bpp = Math.max(1, samples * depth / 8);
        unfilter(pixels, height, (int) rowBytes, bpp, name);
        return toTensor(pixels, width, height, (int) rowBytes, samples, depth, channels, palette, paletteAlpha);
    }

    /** Samples per pixel in the file: gray and palette 1, gray + alpha 2, RGB 3, RGBA 4. */
    private static int samples(int colorType) {
        return switch (colorType) {
            case 0, 3 -> 1;
            case 2 -> 3;
            case 4 -> 2;
            default -> 4;
        };
    }

    private static void checkDecodedSize(String name, long width, long height, int channels, Limits limits)
            throws FileFormatException {
        long bytes = height * width * channels * Float.BYTES; // at most 2^24 * 2^24 * 4 * 4: no overflow
        if (bytes > limits.maxDecodedBytes()) {
            throw new FileFormatException(name, "image " + width + "x" + height + "x" + channels + " decodes to a tensor of "
                    + bytes + " bytes, more than the limit of " + limits.maxDecodedBytes() + " bytes (raise it with "
                    + "Png.read(file, new Png.Limits(bytes)) or system property " + Limits.PROPERTY + ")");
        }
    }

    private static byte[] inflate(byte[] compressed, int raw, String name) throws FileFormatException {
        byte[] out = new byte[raw];
        Inflater inf = new Inflater();
        try {
            inf.setInput(compressed);
            int n = 0;
            while (n < raw) {
                int k = inf.inflate(out, n, raw - n);
                n += k;
                if (k == 0) { // finished, needs input or a dictionary: no more output
                    break;
                }
            }
            if (n < raw) {
                throw new FileFormatException(name, "image data decompresses to " + n + " bytes, expected height * (1 + rowBytes) = " + raw);
            }
            if (!inf.finished()) {
                byte[] extra = new byte[1];
                if (inf.inflate(extra) > 0) {
                    throw new FileFormatException(name, "image data decompresses to more than the expected " + raw + " bytes");
                }
            }
            return out;
        } catch (DataFormatException e) {
            throw new FileFormatException(name, "corrupt compressed image data: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    private static void unfilter(byte[] p, int height, int rowBytes, int bpp, String name) throws FileFormatException {
        int stride = rowBytes + 1;
        for (int y = 0; y < height; y++) {
            int row = y * stride + 1;
            int prev = row - stride; // only used when y > 0
            int filter = p[row - 1] & 0xff;
            switch (filter) {
                case 0 -> {
                }
                case 1 -> {
                    for (int i = bpp; i < rowBytes; i++) {
                        p[row + i] += p[row + i - bpp];
                    }
                }
                case 2 -> {
                    if (y > 0) {
                        for (int i = 0; i < rowBytes; i++) {
                            p[row + i] += p[prev + i];
                        }
                    }
                }
                case 3 -> {
                    for (int i = 0; i < rowBytes; i++) {
                        int a = i >= bpp ? p[row + i - bpp] & 0xff : 0;
                        int b = y > 0 ? p[prev + i] & 0xff : 0;
                        p[row + i] += (byte) ((a + b) >>> 1);
                    }
                }
                case 4 -> {
                    for (int i = 0; i < rowBytes; i++) {
                        int a = i >= bpp ? p[row + i - bpp] & 0xff : 0;
                        int b = y > 0 ? p[prev + i] & 0xff : 0;
                        int c = i >= bpp && y > 0 ? p[prev + i - bpp] & 0xff : 0;
                        p[row + i] += (byte) paeth(a, b, c);
                    }
                }
                default -> throw new FileFormatException(name, "row " + y + " has unknown filter type " + filter);
            }
        }
    }

    static int paeth(int a, int b, int c) {
        int p = a + b - c;
        int pa = Math.abs(p - a);
        int pb = Math.abs(p - b);
        int pc = Math.abs(p - c);
        if (pa <= pb && pa <= pc) {
            return a;
        }
        return pb <= pc ? b : c;
    }

    private static Tensor toTensor(byte[] p, int width, int height, int rowBytes, int samples, int depth,
                                   int channels, byte[] palette, byte[] paletteAlpha) {
        Tensor t = Buffers.allocate(DType.F32, new long[]{height, width, channels});
        try {
            MemorySegment seg = t.segment();
            float[] line = new float[width * channels];
            float scale = 1f / ((1 << depth) - 1);
            int stride = rowBytes + 1;
            for (int y = 0; y < height; y++) {
                int row = y * stride + 1;
                if (palette != null && channels != samples) {
                    for (int x = 0; x < width; x++) {
                        int idx = subByte(p, row, x, depth);
                        int base = x * channels;
                        if (3 * idx + 2 < palette.length) {
                            line[base] = (palette[3 * idx] & 0xff) / 255f;
                            line[base + 1] = (palette[3 * idx + 1] & 0xff) / 255f;
                            line[base + 2] = (palette[3 * idx + 2] & 0xff) / 255f;
                        } else { // out-of-range index: black, as many decoders do
                            line[base] = line[base + 1] = line[base + 2] = 0f;
                        }
                        if (channels == 4) {
                            line[base + 3] = idx < paletteAlpha.length ? (paletteAlpha[idx] & 0xff) / 255f : 1f;
                        }
                    }
                } else if (depth == 16) {
                    for (int i = 0; i < width * samples; i++) {
                        line[i] = (((p[row + 2 * i] & 0xff) << 8) | (p[row + 2 * i + 1] & 0xff)) * scale;
                    }
                } else if (depth == 8) {
                    for (int i = 0; i < width * samples; i++) {
                        line[i] = (p[row + i] & 0xff) * scale;
                    }
                } else {
                    for (int x = 0; x < width; x++) {
                        line[x] = subByte(p, row, x, depth) * scale;
                    }
                }
                MemorySegment.copy(line, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) y * line.length * Float.BYTES, line.length);
            }
            return t;
        } catch (RuntimeException | Error e) {
            t.close();
            throw e;
        }
    }

    private static int subByte(byte[] p, int row, int x, int depth) {
        if (depth == 8) {
            return p[row + x] & 0xff;
        }
        int bit = x * depth;
        int b = p[row + (bit >>> 3)] & 0xff;
        return (b >>> (8 - depth - (bit & 7))) & ((1 << depth) - 1);
    }

    private static long u32(byte[] b, int at) {
        return ((b[at] & 0xffL) << 24) | ((b[at + 1] & 0xffL) << 16) | ((b[at + 2] & 0xffL) << 8) | (b[at + 3] & 0xffL);
    }

    private static String chunkType(byte[] b, int at, String name) throws FileFormatException {
        char[] c = new char[4];
        for (int i = 0; i < 4; i++) {
            int v = b[at + i] & 0xff;
            if (!((v >= 'A' && v <= 'Z') || (v >= 'a' && v <= 'z'))) {
                throw new FileFormatException(name, "invalid chunk type byte " + v + " at " + (at + i));
            }
            c[i] = (char) v;
        }
        return new String(c);
    }

    // =================================================================== writing

    /**
     * Writes an image tensor as an 8-bit PNG.
     *
     * @param file  where to write; an existing file is replaced
     * @param image the image {@code (H, W, C)} with C in 1..4, or {@code (H, W)}, values in [0, 1]
     * @throws IllegalArgumentException if the shape is not supported
     * @throws IOException              if the file cannot be written
     * @see #write(Path, Tensor, int)
     */
    public static void write(Path file, Tensor image) throws IOException {
        write(file, image, 8);
    }

    /**
     * Writes an image tensor as a PNG file: {@code (H, W, C)} with {@code C} = 1 (gray), 2 (gray +
     * alpha), 3 (RGB) or 4 (RGBA), or {@code (H, W)} as gray. Values are clamped to {@code [0, 1]} (NaN
     * as 0) and rounded to {@code bitDepth} bits.
     *
     * @param file     where to write; an existing file is replaced
     * @param image    the image, values in [0, 1]
     * @param bitDepth 8 or 16
     * @throws IllegalArgumentException if the shape or the bit depth is not supported
     * @throws IOException              if the file cannot be written
     */
    public static void write(Path file, Tensor image, int bitDepth) throws IOException {
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(encode(image, bitDepth));
        }
    }

    /**
     * The bytes of a PNG file for an image tensor, as {@link #write(Path, Tensor, int)} writes them.
     *
     * @param image    the image {@code (H, W, C)} with C in 1..4, or {@code (H, W)}, values in [0, 1]
     * @param bitDepth 8 or 16
     * @return the complete PNG file
     * @throws IllegalArgumentException if the shape or the bit depth is not supported
     */
    public static byte[] encode(Tensor image, int bitDepth) {
        if (bitDepth != 8 && bitDepth != 16) {
            throw new IllegalArgumentException("PNG bit depth must be 8 or 16, got " + bitDepth);
        }
        long[] s = image.shape();
        if (s.length != 2 && s.length != 3) {
            throw new IllegalArgumentException("a PNG image tensor is (H, W, C) or (H, W), got rank " + s.length);
        }
        long c = s.length == 2 ? 1 : s[2];
        if (c < 1 || c > 4) {
            throw new IllegalArgumentException("a PNG image has 1 to 4 channels, got " + c);
        }
        if (s[0] < 1 || s[1] < 1 || s[0] > MAX_SIDE || s[1] > MAX_SIDE) {
            throw new IllegalArgumentException("PNG image size " + s[1] + "x" + s[0] + " outside 1.." + MAX_SIDE);
        }
        int height = (int) s[0];
        int width = (int) s[1];
        int channels = (int) c;
        int bpp = channels * bitDepth / 8;
        long rowBytesL = (long) width * bpp;
        if ((long) height * (rowBytesL + 1) > MAX_RAW) {
            throw new IllegalArgumentException("PNG image " + width + "x" + height + "x" + channels + " too large to encode");
        }
        int rowBytes = (int) rowBytesL;
        int colorType = switch (channels) {
            case 1 -> 0;
            case 2 -> 4;
            case 3 -> 2;
            default -> 6;
        };
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(SIGNATURE);
        byte[] ihdr = new byte[13];
        put32(ihdr, 0, width);
        put32(ihdr, 4, height);
        ihdr[8] = (byte) bitDepth;
        ihdr[9] = (byte) colorType;
        chunk(out, "IHDR", ihdr, ihdr.length);
        Deflater def = new Deflater(6);
        byte[] buf = new byte[1 << 16];
        ByteArrayOutputStream z = new ByteArrayOutputStream();
        try (Tensor host = Buffers.hostContiguous(image); Tensor f = host.cast(DType.F32)) {
            MemorySegment seg = f.segment();
            float[] line = new float[width * channels];
            byte[] prev = new byte[rowBytes];
            byte[] cur = new byte[rowBytes];
            byte[][] cand = new byte[5][rowBytes + 1];
            int max = (1 << bitDepth) - 1;
            for (int y = 0; y < height; y++) {
                MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED, (long) y * line.length * Float.BYTES, line, 0, line.length);
                for (int i = 0; i < line.length; i++) {
                    float v = line[i];
                    int q = v > 0 ? (v >= 1 ? max : Math.round(v * max)) : 0; // NaN -> 0
                    if (bitDepth == 8) {
                        cur[i] = (byte) q;
                    } else {
                        cur[2 * i] = (byte) (q >>> 8);
                        cur[2 * i + 1] = (byte) q;
                    }
                }
                byte[] best = filterRow(cur, prev, y > 0, bpp, cand);
                def.setInput(best);
                while (!def.needsInput()) {
                    int n = def.deflate(buf);
                    z.write(buf, 0, n);
                }
                byte[] t = prev;
                prev = cur;
                cur = t;
            }
            def.finish();
            while (!def.finished()) {
                int n = def.deflate(buf);
                z.write(buf, 0, n);
            }
        } finally {
            def.end();
        }
        byte[] zb = z.toByteArray();
        int chunkMax = 1 << 20;
        for (int at = 0; at < zb.length; at += chunkMax) {
            int n = Math.min(chunkMax, zb.length - at);
            chunk(out, "IDAT", java.util.Arrays.copyOfRange(zb, at, at + n), n);
        }
        chunk(out, "IEND", new byte[0], 0);
        return out.toByteArray();
    }

    /** Applies the five filters to a row and returns the candidate (filter byte first) with the least sum of |signed byte|. */
    private static byte[] filterRow(byte[] cur, byte[] prev, boolean hasPrev, int bpp, byte[][] cand) {
        int n = cur.length;
        long bestScore = Long.MAX_VALUE;
        byte[] best = null;
        for (int f = 0; f < 5; f++) {
            byte[] o = cand[f];
            o[0] = (byte) f;
            long score = 0;
            for (int i = 0; i < n; i++) {
                int x = cur[i] & 0xff;
                int a = i >= bpp ? cur[i - bpp] & 0xff : 0;
                int b = hasPrev ? prev[i] & 0xff : 0;
                int c = i >= bpp && hasPrev ? prev[i - bpp] & 0xff : 0;
                int v = switch (f) {
                    case 0 -> x;
                    case 1 -> x - a;
                    case 2 -> x - b;
                    case 3 -> x - ((a + b) >>> 1);
                    default -> x - paeth(a, b, c);
                };
                o[i + 1] = (byte) v;
                score += Math.abs((byte) v);
            }
            if (score < bestScore) {
                bestScore = score;
                best = o;
            }
        }
        return best;
    }

    private static void put32(byte[] b, int at, long v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    private static void chunk(ByteArrayOutputStream out, String type, byte[] data, int len) {
        byte[] head = new byte[8];
        put32(head, 0, len);
        for (int i = 0; i < 4; i++) {
            head[4 + i] = (byte) type.charAt(i);
        }
        CRC32 crc = new CRC32();
        crc.update(head, 4, 4);
        crc.update(data, 0, len);
        out.writeBytes(head);
        out.write(data, 0, len);
        byte[] tail = new byte[4];
        put32(tail, 0, crc.getValue());
        out.writeBytes(tail);
    }
}
