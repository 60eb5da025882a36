package dev.proxima.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Compiled kernel images, cached per process (memory) and across processes on disk.
 *
 * <p>The disk cache lives in {@code ~/.cache/proxima/cuda-kernels/} (override with system property
 * {@code proxima.cuda.cache}; set it to {@code "off"} to disable). Each image is
 * {@code <sha256 of (source, options, NVRTC version, output kind)>.ptx} or {@code .cubin}; the folder is
 * printed to stderr once, the first time it is used, so it is never a silent side effect. Files are
 * written to a temporary name and moved into place, so concurrent processes never read half a file.
 */
public final class KernelCache {

    private static final System.Logger LOG = System.getLogger(KernelCache.class.getName());

    private final Path folder;
    private final Map<String, byte[]> memory = new ConcurrentHashMap<>();
    private volatile boolean announced;

    /**
     * A cache in {@code folder} ({@code null}: memory only).
     *
     * @param folder where compiled images are stored as files, or null to keep them in memory only
     */
    public KernelCache(Path folder) {
        this.folder = folder;
    }

    /** {@return the default folder: {@code proxima.cuda.cache}, else {@code ~/.cache/proxima/cuda-kernels}; null if "off"} */
    public static Path defaultFolder() {
        String p = System.getProperty("proxima.cuda.cache");
        if ("off".equals(p)) {
            return null;
        }
        if (p != null && !p.isBlank()) {
            return Path.of(p);
        }
        return Path.of(System.getProperty("user.home"), ".cache", "proxima", "cuda-kernels");
    }

    /** {@return the folder, or null} */
    public Path folder() {
        return folder;
    }

    /**
     * The cache key: hex SHA-256 over source text, options, compiler version and output kind.
     *
     * @param source          the kernel source text
     * @param options         the NVRTC options, in order
     * @param compilerVersion the NVRTC version, e.g. "13.0"
     * @param output          PTX or CUBIN
     * @return 64 lowercase hex digits
     */
    public static String key(String source, List<String> options, String compilerVersion, Nvrtc.Output output) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(source, String.join("\u0000", options), compilerVersion, output.name())) {
                byte[] b = part.getBytes(StandardCharsets.UTF_8);
                md.update((byte) (b.length >>> 24));
                md.update((byte) (b.length >>> 16));
                md.update((byte) (b.length >>> 8));
                md.update((byte) b.length);
                md.update(b);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The file an image with {@code key} is stored in, or null without a folder.
     *
     * @param key    a key from {@link #key}
     * @param output PTX or CUBIN (the file extension)
     * @return {@code <folder>/<key>.ptx} or {@code .cubin}, or null for a memory-only cache
     */
    public Path file(String key, Nvrtc.Output output) {
        return folder == null ? null : folder.resolve(key + (output == Nvrtc.Output.PTX ? ".ptx" : ".cubin"));
    }

    /**
     * The image for {@code key}: from memory, else from disk, else {@code compile.get()} (then stored).
     *
     * @param key     a key from {@link #key}
     * @param output  PTX or CUBIN
     * @param compile makes the image when neither memory nor disk has it
     * @return the image bytes (shared: do not modify)
     */
    public byte[] get(String key, Nvrtc.Output output, Supplier<byte[]> compile) {
        byte[] img = memory.get(key);
        if (img != null) {
            return img;
        }
        Path f = file(key, output);
        if (f != null && Files.isRegularFile(f)) {
            try {
                img = Files.readAllBytes(f);
            } catch (IOException e) {
                img = null;
            }
        }
        if (img == null || img.length == 0) {
            img = compile.get();
            store(f, img);
        }
        memory.put(key, img);
        return img;
    }

    /** {@return number of images held in memory} */
    public int size() {
        return memory.size();
    }

    private void store(Path f, byte[] img) {
        if (f == null) {
            return;
        }
        try {
            Files.createDirectories(f.getParent());
            if (!announced) {
                announced = true;
                LOG.log(System.Logger.Level.DEBUG, "caching compiled CUDA kernels in {0}", f.getParent());
            }
            Path tmp = Files.createTempFile(f.getParent(), ".tmp-", ".part");
            Files.write(tmp, img);
            try {
                Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, f, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not write kernel cache file {0}: {1}", f, e.getMessage());
        }
    }
}
