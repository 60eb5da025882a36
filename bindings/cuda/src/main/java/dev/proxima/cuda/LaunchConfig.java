package dev.proxima.cuda;

/**
 * Grid and block sizes for the grid-stride kernels in {@code native/cuda}.
 *
 * <p>A 1-D launch over {@code n} elements uses {@code block} threads (default 256) and
 * {@code grid = min(ceil(n / (block · perThread)), sms · blocksPerSm)}: enough blocks to fill every SM a
 * few times over, never more than the work needs; the kernels' grid-stride loops cover the rest.
 * Row reductions launch one block per row (capped at 65535·…, rows beyond that loop in the kernel).
 *
 * @param gridX  blocks
 * @param blockX threads per block
 */
public record LaunchConfig(int gridX, int blockX) {

    /** Threads per block of the elementwise kernels. */
    public static final int DEFAULT_BLOCK = 256;
    /** Resident blocks per SM aimed at by grid-stride launches. */
    public static final int BLOCKS_PER_SM = 8;
    /** Largest x grid dimension of a launch ({@code 2^31 − 1}). */
    public static final int MAX_GRID_X = Integer.MAX_VALUE;

    /** Validates the record. */
    public LaunchConfig {
        if (gridX < 1 || blockX < 1 || blockX > 1024) {
            throw new IllegalArgumentException("invalid launch: grid " + gridX + ", block " + blockX);
        }
    }

    /**
     * A grid-stride launch over {@code n} elements.
     *
     * @param n         elements ({@code n >= 0}; 0 still gives one block, which exits at once)
     * @param sms       the device's multiprocessor count ({@code >= 1})
     * @param block     threads per block (1 to 1024)
     * @param perThread elements one thread handles per iteration (4 for the float4 paths)
     * @return a grid of at most (multiprocessors × blocks per SM) blocks, enough to cover {@code n} if fewer suffice
     * @throws IllegalArgumentException if {@code n < 0}, {@code sms < 1} or {@code perThread < 1}
     */
    public static LaunchConfig gridStride(long n, int sms, int block, int perThread) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        if (sms < 1) {
            throw new IllegalArgumentException("sms must be >= 1, got " + sms);
        }
        if (perThread < 1) {
            throw new IllegalArgumentException("perThread must be >= 1, got " + perThread);
        }
        long perBlock = (long) block * perThread;
        long needed = Math.max(1, (n + perBlock - 1) / perBlock);
        long cap = (long) sms * BLOCKS_PER_SM;
        return new LaunchConfig((int) Math.min(Math.min(needed, cap), MAX_GRID_X), block);
    }

    /**
     * {@link #gridStride(long, int, int, int)} with the default block and one element per thread.
     *
     * @param n   elements, at least 0
     * @param sms the device's multiprocessor count, at least 1
     * @return the launch configuration
     * @throws IllegalArgumentException if {@code n < 0} or {@code sms < 1}
     */
    public static LaunchConfig gridStride(long n, int sms) {
        return gridStride(n, sms, DEFAULT_BLOCK, 1);
    }

    /**
     * One block per row for row-wise reductions / softmax: block = the smallest power of two &gt;= the row
     * length, between 32 (one warp) and {@code maxBlock}; grid = rows, capped at 65535 (kernels loop over rows).
     *
     * @param rows      the number of rows, at least 0
     * @param rowLength the elements per row, at least 0
     * @param maxBlock  the largest block, a power of two in [32, 1024]
     * @return the launch configuration
     * @throws IllegalArgumentException if a count is negative or {@code maxBlock} is not such a power of two
     */
    public static LaunchConfig perRow(long rows, long rowLength, int maxBlock) {
        if (rows < 0 || rowLength < 0) {
            throw new IllegalArgumentException("rows and rowLength must be >= 0, got " + rows + ", " + rowLength);
        }
        if (maxBlock < 32 || maxBlock > 1024 || Integer.bitCount(maxBlock) != 1) {
            throw new IllegalArgumentException("maxBlock must be a power of two in [32, 1024], got " + maxBlock);
        }
        int block = 32;
        while (block < rowLength && block < maxBlock) {
            block <<= 1;
        }
        return new LaunchConfig((int) Math.max(1, Math.min(rows, 65535)), block);
    }

    /** {@return {x, 1, 1} grid} */
    public int[] grid() {
        return new int[] {gridX, 1, 1};
    }

    /** {@return {x, 1, 1} block} */
    public int[] block() {
        return new int[] {blockX, 1, 1};
    }

    /** Checks raw {@code cuLaunchKernel} dimensions. */
    static void validate(int[] grid, int[] block, int sharedBytes) {
        if (grid == null || grid.length != 3 || block == null || block.length != 3) {
            throw new IllegalArgumentException("grid and block must be int[3]");
        }
        long threads = 1;
        for (int i = 0; i < 3; i++) {
            if (grid[i] < 1 || block[i] < 1) {
                throw new IllegalArgumentException("grid and block dimensions must be >= 1, got grid "
                        + java.util.Arrays.toString(grid) + ", block " + java.util.Arrays.toString(block));
            }
            threads *= block[i];
        }
        if (threads > 1024) {
            throw new IllegalArgumentException("a block has at most 1024 threads, got " + threads);
        }
        if (grid[1] > 65535 || grid[2] > 65535) {
            throw new IllegalArgumentException("grid y and z are at most 65535, got " + java.util.Arrays.toString(grid));
        }
        if (sharedBytes < 0) {
            throw new IllegalArgumentException("sharedBytes must be >= 0, got " + sharedBytes);
        }
    }
}
