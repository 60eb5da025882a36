package dev.proxima.tensor.spi;

import dev.proxima.tensor.AllocatorCheck;
import dev.proxima.tensor.DType;
import dev.proxima.tensor.Memory;
import dev.proxima.tensor.MemoryPool;
import dev.proxima.tensor.Tensor;
import org.apache.arrow.memory.ArrowBuf;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The public storage SPI: raw bytes from the current pool, Arrow buffers, caller-owned (mapped) memory. */
@ExtendWith(AllocatorCheck.class)
class HostStoragesTest {

    @Test
    void rawStorageComesFromTheCurrentPool() {
        try (MemoryPool pool = Memory.child("bytes", 1 << 20)) {
            Storage s;
            try (MemoryPool.Use use = pool.use()) {
                s = HostStorages.allocate(100);
            }
            assertEquals(100, s.byteSize());
            assertEquals(128, pool.allocatedBytes());
            assertEquals(0, s.segment().address() % HostStorages.ALIGNMENT);
            assertTrue(HostStorages.arrowBuffer(s).isPresent());
            try (Tensor t = Tensor.wrap(s, DType.U8, 10, 10)) {
                assertEquals(128, pool.allocatedBytes(), "the tensor took over the storage's reference");
            }
            assertTrue(s.isReleased());
            assertEquals(0, pool.allocatedBytes());
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostStorages.allocate(-1));
        assertEquals("cannot allocate a negative number of bytes: -1", e.getMessage());
    }

    @Test
    void anArrowBufferIsSharedWithoutCopying() {
        ArrowBuf buf = Memory.allocator().buffer(16);
        for (int i = 0; i < 4; i++) {
            buf.setFloat(4L * i, i + 0.5f);
        }
        Storage s = HostStorages.share(buf);
        assertEquals(2, buf.refCnt(), "the storage holds a reference of its own");
        assertSame(buf, HostStorages.arrowBuffer(s).orElseThrow());
        try (Tensor t = Tensor.wrap(s, DType.F32, 2, 2)) {
            assertArrayEquals(new float[]{0.5f, 1.5f, 2.5f, 3.5f}, t.toFloatArray());
            t.segment().setAtIndex(ValueLayout.JAVA_FLOAT, 3, 9f);
        }
        assertEquals(1, buf.refCnt());
        assertEquals(9f, buf.getFloat(12), "the tensor wrote into the buffer itself");
        buf.close();
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void sharingChecksTheBuffer() {
        ArrowBuf buf = Memory.allocator().buffer(128);
        try {
            ArrowBuf misaligned = buf.slice(8, 64);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> HostStorages.share(misaligned));
            assertTrue(e.getMessage().startsWith("an Arrow buffer must be 64-byte aligned to back a tensor"), e.getMessage());
        } finally {
            buf.close();
        }
        assertThrows(IllegalStateException.class, () -> HostStorages.share(buf));
        assertEquals(0, Memory.allocatedBytes());
    }

    @Test
    void aMappedFileBacksATensorAndIsUnmappedWithTheLastOne(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("floats.bin");
        ByteBuffer data = ByteBuffer.allocate(128 + 6 * 4).order(ByteOrder.nativeOrder());
        for (int i = 0; i < 6; i++) {
            data.putFloat(128 + 4 * i, 10f * i);
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            ch.write(data);
        }
        Arena arena = Arena.ofShared();
        AtomicInteger releases = new AtomicInteger();
        Storage s;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            MemorySegment mapped = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
            s = HostStorages.external(mapped.asSlice(128), () -> {
                releases.incrementAndGet();
                arena.close();
            });
        }
        assertEquals(24, s.byteSize());
        assertFalse(HostStorages.arrowBuffer(s).isPresent());
        Tensor t = Tensor.wrap(s, DType.F32, 2, 3);
        Tensor row = t.slice(0, 1, 2, 1);
        assertEquals(0, Memory.allocatedBytes(), "a mapped file is not pool memory");
        assertArrayEquals(new float[]{0, 10, 20, 30, 40, 50}, t.toFloatArray());
        assertTrue(t.segment().isReadOnly(), "a read-only mapping stays read-only");
        t.close();
        assertEquals(0, releases.get(), "the view still holds the mapping");
        assertArrayEquals(new float[]{30, 40, 50}, row.toFloatArray());
        row.close();
        assertEquals(1, releases.get());
        assertFalse(arena.scope().isAlive());
        assertTrue(s.isReleased());
    }

    @Test
    void externalMemoryIsChecked() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostStorages.external(MemorySegment.ofArray(new byte[64]), () -> { }));
        assertEquals("storage needs native memory, got a heap segment of 64 bytes", e.getMessage());
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment block = arena.allocate(256, 64);
            e = assertThrows(IllegalArgumentException.class, () -> HostStorages.external(block.asSlice(4), () -> { }));
            assertTrue(e.getMessage().startsWith("storage must be 64-byte aligned, got address 0x"), e.getMessage());
            Storage s = HostStorages.external(block.asSlice(64, 64), () -> { });
            s.retain();
            s.release();
            s.release();
            assertTrue(s.isReleased());
            assertThrows(IllegalStateException.class, s::segment);
            assertThrows(IllegalStateException.class, s::retain);
        }
        Arena closed = Arena.ofConfined();
        MemorySegment gone = closed.allocate(64, 64);
        closed.close();
        assertThrows(IllegalStateException.class, () -> HostStorages.external(gone, () -> { }));
    }
}
