package dev.proxima.cuda;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_DOUBLE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * The {@code void** kernelParams} array of {@code cuLaunchKernel}: one pointer per kernel parameter, each
 * to a copy of the value, all allocated in the caller's arena.
 */
public final class KernelArgs {

    private static final int MAX = 64;
    private final Arena arena;
    private final MemorySegment array;
    private int count;

    /**
     * An empty argument list whose memory lives in {@code arena}.
     *
     * @param arena where the parameter values and the pointer array are allocated; it must outlive the launch
     * @throws IllegalArgumentException if {@code arena} is null
     */
    public KernelArgs(Arena arena) {
        if (arena == null) {
            throw new IllegalArgumentException("arena must not be null");
        }
        this.arena = arena;
        this.array = arena.allocate(ADDRESS, MAX);
    }

    private KernelArgs push(MemorySegment value) {
        if (count == MAX) {
            throw new IllegalArgumentException("more than " + MAX + " kernel arguments");
        }
        array.setAtIndex(ADDRESS, count++, value);
        return this;
    }

    /**
     * A device pointer ({@code T*} parameter).
     *
     * @param devicePtr the device address
     * @return this list
     * @throws IllegalArgumentException if the list already holds its maximum number of parameters
     */
    public KernelArgs ptr(long devicePtr) {
        return push(arena.allocateFrom(JAVA_LONG, devicePtr));
    }

    /**
     * A {@code long long}/{@code int64_t} parameter.
     *
     * @param v the value
     * @return this list
     * @throws IllegalArgumentException if the list already holds its maximum number of parameters
     */
    public KernelArgs i64(long v) {
        return push(arena.allocateFrom(JAVA_LONG, v));
    }

    /**
     * An {@code int} parameter.
     *
     * @param v the value
     * @return this list
     * @throws IllegalArgumentException if the list already holds its maximum number of parameters
     */
    public KernelArgs i32(int v) {
        return push(arena.allocateFrom(JAVA_INT, v));
    }

    /**
     * A {@code float} parameter.
     *
     * @param v the value
     * @return this list
     * @throws IllegalArgumentException if the list already holds its maximum number of parameters
     */
    public KernelArgs f32(float v) {
        return push(arena.allocateFrom(JAVA_FLOAT, v));
    }

    /**
     * A {@code double} parameter.
     *
     * @param v the value
     * @return this list
     * @throws IllegalArgumentException if the list already holds its maximum number of parameters
     */
    public KernelArgs f64(double v) {
        return push(arena.allocateFrom(JAVA_DOUBLE, v));
    }

    /**
     * A struct parameter passed by value (its bytes copied into the arena).
     *
     * @param struct the struct's bytes, laid out as the kernel's C struct
     * @return this list
     * @throws IllegalArgumentException if the list already holds its maximum number of parameters
     */
    public KernelArgs bytes(MemorySegment struct) {
        MemorySegment copy = arena.allocate(struct.byteSize(), 16);
        copy.copyFrom(struct);
        return push(copy);
    }

    /** {@return number of parameters so far} */
    public int count() {
        return count;
    }

    /** {@return the {@code void**} array} */
    public MemorySegment segment() {
        return array;
    }
}
