// Host stand-in for the CUDA driver library (libcuda.so.1): exactly the entry points bindings/cuda calls
// (CudaDriver.SYMBOLS, OPTIONAL_SYMBOLS). Device memory is host memory; every access through the API is checked
// against the allocations of the device whose context is current on the calling thread, and every pointer
// argument of a kernel launch must lie in the launching context's device memory. Work is synchronous (streams
// and events only order and time it). Kernels are the host modules the shim's NVRTC builds (nvrtc.cpp); a launch
// runs each block's threads as cooperative fibers on the calling thread, switching at __syncthreads,
// __syncwarp and warp shuffles. A failed launch (an argument outside the device, a __trap(), a deadlock at a
// barrier) leaves a sticky error in the context, as on hardware, and prints why to stderr ("cuda-shim: ...").
#include <dlfcn.h>
#include <setjmp.h>
#include <sys/mman.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "pxshim.h"

#define PX_API extern "C" __attribute__((visibility("default")))

typedef int CUresult;
typedef unsigned long long CUdeviceptr;
typedef int CUdevice;

enum {
    CUDA_SUCCESS = 0,
    CUDA_ERROR_INVALID_VALUE = 1,
    CUDA_ERROR_OUT_OF_MEMORY = 2,
    CUDA_ERROR_NOT_INITIALIZED = 3,
    CUDA_ERROR_NO_DEVICE = 100,
    CUDA_ERROR_INVALID_DEVICE = 101,
    CUDA_ERROR_INVALID_IMAGE = 200,
    CUDA_ERROR_INVALID_CONTEXT = 201,
    CUDA_ERROR_INVALID_HANDLE = 400,
    CUDA_ERROR_NOT_FOUND = 500,
    CUDA_ERROR_NOT_READY = 600,
    CUDA_ERROR_ILLEGAL_ADDRESS = 700,
    CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES = 701,
    CUDA_ERROR_LAUNCH_TIMEOUT = 702,
    CUDA_ERROR_ILLEGAL_INSTRUCTION = 715,
    CUDA_ERROR_LAUNCH_FAILED = 719,
    CUDA_ERROR_NOT_SUPPORTED = 801,
};

static const char* error_name(int e) {
    switch (e) {
        case CUDA_SUCCESS: return "CUDA_SUCCESS";
        case CUDA_ERROR_INVALID_VALUE: return "CUDA_ERROR_INVALID_VALUE";
        case CUDA_ERROR_OUT_OF_MEMORY: return "CUDA_ERROR_OUT_OF_MEMORY";
        case CUDA_ERROR_NOT_INITIALIZED: return "CUDA_ERROR_NOT_INITIALIZED";
        case CUDA_ERROR_NO_DEVICE: return "CUDA_ERROR_NO_DEVICE";
        case CUDA_ERROR_INVALID_DEVICE: return "CUDA_ERROR_INVALID_DEVICE";
        case CUDA_ERROR_INVALID_IMAGE: return "CUDA_ERROR_INVALID_IMAGE";
        case CUDA_ERROR_INVALID_CONTEXT: return "CUDA_ERROR_INVALID_CONTEXT";
        case CUDA_ERROR_INVALID_HANDLE: return "CUDA_ERROR_INVALID_HANDLE";
        case CUDA_ERROR_NOT_FOUND: return "CUDA_ERROR_NOT_FOUND";
        case CUDA_ERROR_NOT_READY: return "CUDA_ERROR_NOT_READY";
        case CUDA_ERROR_ILLEGAL_ADDRESS: return "CUDA_ERROR_ILLEGAL_ADDRESS";
        case CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES: return "CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES";
        case CUDA_ERROR_LAUNCH_TIMEOUT: return "CUDA_ERROR_LAUNCH_TIMEOUT";
        case CUDA_ERROR_ILLEGAL_INSTRUCTION: return "CUDA_ERROR_ILLEGAL_INSTRUCTION";
        case CUDA_ERROR_LAUNCH_FAILED: return "CUDA_ERROR_LAUNCH_FAILED";
        case CUDA_ERROR_NOT_SUPPORTED: return "CUDA_ERROR_NOT_SUPPORTED";
        default: return nullptr;
    }
}

// ---------------------------------------------------------------------------------------------- state

static const int MAX_DEVICES = 8;
static const size_t DEVICE_BYTES = (size_t) 4 << 30;  // reported and enforced per device
static const unsigned char POISON = 0xff;             // fresh device memory: NaN for floats, -1 for integers

struct Ctx {
    int device;
    int sticky;       // a failed launch's error: every later call in this context returns it
    unsigned retained;
};
struct Alloc {
    size_t size;
    int device;
};
struct Stream {
    Ctx* ctx;
};
struct Event {
    Ctx* ctx;
    bool recorded;
    timespec at;
};
struct Module {
    Ctx* ctx;
    void* dl;
    std::string path;
};
struct Function {
    Module* module;
    std::string name;
    int (*entry)(int, void**);
};

static std::mutex g_mu;                // everything below but the launch state
static std::recursive_mutex g_launch;  // one launch at a time (the scheduler's state is global)
static bool g_init;
static int g_devices = 2;
static Ctx g_ctx[MAX_DEVICES];
static size_t g_used[MAX_DEVICES];
static std::map<uintptr_t, Alloc> g_allocs;
static std::map<uintptr_t, size_t> g_pinned;
static std::set<Stream*> g_streams;
static std::set<Event*> g_events;
static std::set<Module*> g_modules;
static std::set<Function*> g_functions;
static thread_local Ctx* t_current;
static char g_message[1024];

static void say(const char* fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    {
        std::lock_guard<std::mutex> l(g_mu);
        vsnprintf(g_message, sizeof g_message, fmt, ap);
    }
    va_end(ap);
    fprintf(stderr, "cuda-shim: %s\n", g_message);
    fflush(stderr);
}

/** The last diagnostic the shim printed (for tests). */
PX_API const char* pxshim_last_message() { return g_message; }

/** Clears the sticky launch error of device's context (for the shim's own tests; hardware has no such call). */
PX_API void pxshim_reset_context(int device) {
    if (device >= 0 && device < MAX_DEVICES) g_ctx[device].sticky = 0;
}

/** Bytes allocated on device (for tests). */
PX_API size_t pxshim_allocated_bytes(int device) {
    std::lock_guard<std::mutex> l(g_mu);
    return device >= 0 && device < g_devices ? g_used[device] : 0;
}

// the current context, or the error a call without one gets (a sticky launch error included)
static CUresult current(Ctx** out) {
    if (!g_init) return CUDA_ERROR_NOT_INITIALIZED;
    if (t_current == nullptr) return CUDA_ERROR_INVALID_CONTEXT;
    if (t_current->sticky != 0) return t_current->sticky;
    *out = t_current;
    return CUDA_SUCCESS;
}

// the allocation holding [p, p + n), or null; g_mu held
static const std::pair<const uintptr_t, Alloc>* find_alloc(uintptr_t p, size_t n) {
    auto it = g_allocs.upper_bound(p);
    if (it == g_allocs.begin()) return nullptr;
    --it;
    if (p < it->first || p - it->first > it->second.size || n > it->second.size - (p - it->first)) return nullptr;
    return &*it;
}

// checks that [p, p + n) lies in one allocation of device; a message naming call and what on failure
static CUresult check_range(const char* call, const char* what, uintptr_t p, size_t n, int device) {
    std::unique_lock<std::mutex> l(g_mu);
    auto a = find_alloc(p, n);
    if (a == nullptr) {
        auto any = find_alloc(p, 0);
        l.unlock();
        if (any != nullptr) {
            say("%s: %s [0x%llx, +%zu) runs past the end of its allocation (0x%llx, %zu bytes)", call, what, (unsigned long long) p, n,
                (unsigned long long) any->first, any->second.size);
        } else {
            say("%s: %s 0x%llx (+%zu) is not device memory", call, what, (unsigned long long) p, n);
        }
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (a->second.device != device) {
        int other = a->second.device;
        l.unlock();
        say("%s: %s 0x%llx is memory of device %d, but the current context is device %d's", call, what, (unsigned long long) p, other,
            device);
        return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

/** For the shim's cuBLAS: the device of the calling thread's current context, or -1. */
PX_API int pxshim_current_device() { return g_init && t_current != nullptr ? t_current->device : -1; }

/** For the shim's cuBLAS: 0 when [p, p + n) lies in one allocation of device, else non-zero (and a message). */
PX_API int pxshim_check_range(const char* call, const char* what, uintptr_t p, size_t n, int device) {
    return check_range(call, what, p, n, device);
}

static CUresult check_stream(const char* call, void* stream, Ctx* c) {
    if (stream == nullptr) return CUDA_SUCCESS;
    std::lock_guard<std::mutex> l(g_mu);
    Stream* s = (Stream*) stream;
    if (g_streams.count(s) == 0) {
        fprintf(stderr, "cuda-shim: %s: %p is not a live stream\n", call, stream);
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if (s->ctx != c) {
        fprintf(stderr, "cuda-shim: %s: the stream belongs to device %d, the current context is device %d's\n", call, s->ctx->device,
                c->device);
        return CUDA_ERROR_INVALID_HANDLE;
    }
    return CUDA_SUCCESS;
}

// ---------------------------------------------------------------------------------------------- errors, init, devices

PX_API CUresult cuGetErrorName(CUresult error, const char** name) {
    if (name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *name = error_name(error);
    return *name == nullptr ? CUDA_ERROR_INVALID_VALUE : CUDA_SUCCESS;
}

PX_API CUresult cuInit(unsigned flags) {
    if (flags != 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(g_mu);
    if (!g_init) {
        const char* n = getenv("PROXIMA_SHIM_DEVICES");
        if (n != nullptr) {
            int v = atoi(n);
            g_devices = v < 0 ? 0 : v > MAX_DEVICES ? MAX_DEVICES : v;
        }
        for (int d = 0; d < MAX_DEVICES; ++d) g_ctx[d] = Ctx{d, 0, 0};
        g_init = true;
    }
    return g_devices == 0 ? CUDA_ERROR_NO_DEVICE : CUDA_SUCCESS;
}

PX_API CUresult cuDriverGetVersion(int* version) {
    if (version == nullptr) return CUDA_ERROR_INVALID_VALUE;
    const char* v = getenv("PROXIMA_SHIM_DRIVER_VERSION");  // e.g. 12080 to act as a CUDA 12.8 driver
    *version = v != nullptr ? atoi(v) : 13000;
    return CUDA_SUCCESS;
}

PX_API CUresult cuDeviceGetCount(int* count) {
    if (!g_init) return CUDA_ERROR_NOT_INITIALIZED;
    if (count == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *count = g_devices;
    return CUDA_SUCCESS;
}

PX_API CUresult cuDeviceGet(CUdevice* device, int ordinal) {
    if (!g_init) return CUDA_ERROR_NOT_INITIALIZED;
    if (device == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (ordinal < 0 || ordinal >= g_devices) return CUDA_ERROR_INVALID_DEVICE;
    *device = ordinal;
    return CUDA_SUCCESS;
}

static bool valid_device(CUdevice d) { return g_init && d >= 0 && d < g_devices; }

PX_API CUresult cuDeviceGetName(char* name, int len, CUdevice d) {
    if (!valid_device(d)) return g_init ? CUDA_ERROR_INVALID_DEVICE : CUDA_ERROR_NOT_INITIALIZED;
    if (name == nullptr || len <= 0) return CUDA_ERROR_INVALID_VALUE;
    snprintf(name, (size_t) len, "Proxima CUDA shim device %d (host memory)", d);
    return CUDA_SUCCESS;
}

PX_API CUresult cuDeviceGetAttribute(int* value, int attribute, CUdevice d) {
    if (!valid_device(d)) return g_init ? CUDA_ERROR_INVALID_DEVICE : CUDA_ERROR_NOT_INITIALIZED;
    if (value == nullptr) return CUDA_ERROR_INVALID_VALUE;
    switch (attribute) {
        case 1: *value = 1024; return CUDA_SUCCESS;   // MAX_THREADS_PER_BLOCK
        case 16: *value = 2; return CUDA_SUCCESS;     // MULTIPROCESSOR_COUNT: small grids keep emulated launches short
        case 75: *value = 9; return CUDA_SUCCESS;     // COMPUTE_CAPABILITY_MAJOR
        case 76: *value = 0; return CUDA_SUCCESS;     // COMPUTE_CAPABILITY_MINOR
        default: return CUDA_ERROR_INVALID_VALUE;
    }
}

PX_API CUresult cuDeviceTotalMem_v2(size_t* bytes, CUdevice d) {
    if (!valid_device(d)) return g_init ? CUDA_ERROR_INVALID_DEVICE : CUDA_ERROR_NOT_INITIALIZED;
    if (bytes == nullptr) return CUDA_ERROR_INVALID_VALUE;
    *bytes = DEVICE_BYTES;
    return CUDA_SUCCESS;
}

// ---------------------------------------------------------------------------------------------- contexts

PX_API CUresult cuDevicePrimaryCtxRetain(void** ctx, CUdevice d) {
    if (!valid_device(d)) return g_init ? CUDA_ERROR_INVALID_DEVICE : CUDA_ERROR_NOT_INITIALIZED;
    if (ctx == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(g_mu);
    g_ctx[d].retained++;
    *ctx = &g_ctx[d];
    return CUDA_SUCCESS;
}

PX_API CUresult cuDevicePrimaryCtxRelease_v2(CUdevice d) {
    if (!valid_device(d)) return g_init ? CUDA_ERROR_INVALID_DEVICE : CUDA_ERROR_NOT_INITIALIZED;
    std::lock_guard<std::mutex> l(g_mu);
    if (g_ctx[d].retained == 0) return CUDA_ERROR_INVALID_CONTEXT;
    g_ctx[d].retained--;
    return CUDA_SUCCESS;
}

PX_API CUresult cuCtxSetCurrent(void* ctx) {
    if (!g_init) return CUDA_ERROR_NOT_INITIALIZED;
    if (ctx == nullptr) {
        t_current = nullptr;
        return CUDA_SUCCESS;
    }
    Ctx* c = (Ctx*) ctx;
    if (c < g_ctx || c >= g_ctx + g_devices || c->retained == 0) {
        fprintf(stderr, "cuda-shim: cuCtxSetCurrent: %p is not a retained primary context\n", ctx);
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    t_current = c;
    return CUDA_SUCCESS;
}

PX_API CUresult cuCtxSynchronize() {
    Ctx* c;
    return current(&c);
}

// ---------------------------------------------------------------------------------------------- memory

PX_API CUresult cuMemAlloc_v2(CUdeviceptr* dptr, size_t bytes) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (dptr == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(g_mu);
    if (bytes > DEVICE_BYTES - g_used[c->device]) return CUDA_ERROR_OUT_OF_MEMORY;
    size_t rounded = (bytes + 255) & ~(size_t) 255;  // cuMemAlloc aligns to 256 bytes
    void* p = aligned_alloc(256, rounded);
    if (p == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
    memset(p, POISON, rounded);
    g_allocs[(uintptr_t) p] = Alloc{bytes, c->device};
    g_used[c->device] += bytes;
    *dptr = (CUdeviceptr) (uintptr_t) p;
    return CUDA_SUCCESS;
}

PX_API CUresult cuMemFree_v2(CUdeviceptr dptr) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> l(g_mu);
    auto it = g_allocs.find((uintptr_t) dptr);
    if (it == g_allocs.end()) {
        fprintf(stderr, "cuda-shim: cuMemFree_v2: 0x%llx is not the start of a live allocation\n", dptr);
        return CUDA_ERROR_INVALID_VALUE;
    }
    g_used[it->second.device] -= it->second.size;
    free((void*) it->first);
    g_allocs.erase(it);
    return CUDA_SUCCESS;
}

// cuda.h declares the value an unsigned char. The x86-64 C ABI leaves a narrow argument's upper register bits to the
// caller's extension, and clang-built callees rely on it being zero-extended for unsigned types, so the shim reads the
// whole 32-bit register there and refuses a value a correct caller could not have passed.
#if defined(__x86_64__)
typedef unsigned int px_uchar_arg;
#else
typedef unsigned char px_uchar_arg;
#endif
PX_API CUresult cuMemsetD8_v2(CUdeviceptr dst, px_uchar_arg value, size_t n) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (value > 0xff) {
        say("cuMemsetD8_v2: the unsigned char value arrived as 0x%x: the caller sign-extended it (it must be zero-extended)", value);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if ((r = check_range("cuMemsetD8_v2", "dst", dst, n, c->device)) != CUDA_SUCCESS) return r;
    memset((void*) (uintptr_t) dst, value, n);
    return CUDA_SUCCESS;
}

static CUresult host_range(const char* call, const char* what, const void* p, size_t n) {
    if (p == nullptr && n > 0) {
        fprintf(stderr, "cuda-shim: %s: %s is a null host pointer\n", call, what);
        return CUDA_ERROR_INVALID_VALUE;
    }
    std::lock_guard<std::mutex> l(g_mu);
    if (find_alloc((uintptr_t) p, 0) != nullptr) {
        fprintf(stderr, "cuda-shim: %s: %s %p is device memory, not host memory\n", call, what, p);
        return CUDA_ERROR_INVALID_VALUE;
    }
    return CUDA_SUCCESS;
}

static CUresult htod(const char* call, CUdeviceptr dst, const void* src, size_t n, void* stream) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if ((r = check_stream(call, stream, c)) != CUDA_SUCCESS) return r;
    if ((r = check_range(call, "dst", dst, n, c->device)) != CUDA_SUCCESS) return r;
    if ((r = host_range(call, "src", src, n)) != CUDA_SUCCESS) return r;
    memcpy((void*) (uintptr_t) dst, src, n);
    return CUDA_SUCCESS;
}

static CUresult dtoh(const char* call, void* dst, CUdeviceptr src, size_t n, void* stream) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if ((r = check_stream(call, stream, c)) != CUDA_SUCCESS) return r;
    if ((r = check_range(call, "src", src, n, c->device)) != CUDA_SUCCESS) return r;
    if ((r = host_range(call, "dst", dst, n)) != CUDA_SUCCESS) return r;
    memcpy(dst, (void*) (uintptr_t) src, n);
    return CUDA_SUCCESS;
}

static CUresult dtod(const char* call, CUdeviceptr dst, CUdeviceptr src, size_t n, void* stream) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if ((r = check_stream(call, stream, c)) != CUDA_SUCCESS) return r;
    if ((r = check_range(call, "dst", dst, n, c->device)) != CUDA_SUCCESS) return r;
    if ((r = check_range(call, "src", src, n, c->device)) != CUDA_SUCCESS) return r;
    memmove((void*) (uintptr_t) dst, (void*) (uintptr_t) src, n);
    return CUDA_SUCCESS;
}

PX_API CUresult cuMemcpyHtoD_v2(CUdeviceptr dst, const void* src, size_t n) { return htod("cuMemcpyHtoD_v2", dst, src, n, nullptr); }
PX_API CUresult cuMemcpyDtoH_v2(void* dst, CUdeviceptr src, size_t n) { return dtoh("cuMemcpyDtoH_v2", dst, src, n, nullptr); }
PX_API CUresult cuMemcpyDtoD_v2(CUdeviceptr dst, CUdeviceptr src, size_t n) { return dtod("cuMemcpyDtoD_v2", dst, src, n, nullptr); }
PX_API CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr dst, const void* src, size_t n, void* stream) {
    return htod("cuMemcpyHtoDAsync_v2", dst, src, n, stream);
}
PX_API CUresult cuMemcpyDtoHAsync_v2(void* dst, CUdeviceptr src, size_t n, void* stream) {
    return dtoh("cuMemcpyDtoHAsync_v2", dst, src, n, stream);
}
PX_API CUresult cuMemcpyDtoDAsync_v2(CUdeviceptr dst, CUdeviceptr src, size_t n, void* stream) {
    return dtod("cuMemcpyDtoDAsync_v2", dst, src, n, stream);
}

// cuMemcpyPeerAsync(dstDevice, dstContext, srcDevice, srcContext, ByteCount, hStream): each pointer in its own context's device
PX_API CUresult cuMemcpyPeerAsync(CUdeviceptr dst, void* dstCtx, CUdeviceptr src, void* srcCtx, size_t n, void* stream) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    Ctx* dc = (Ctx*) dstCtx;
    Ctx* sc = (Ctx*) srcCtx;
    if (dc < g_ctx || dc >= g_ctx + g_devices || sc < g_ctx || sc >= g_ctx + g_devices || dc->retained == 0 || sc->retained == 0) {
        fprintf(stderr, "cuda-shim: cuMemcpyPeerAsync: a context is not a retained primary context\n");
        return CUDA_ERROR_INVALID_CONTEXT;
    }
    if (dc->sticky != 0) return dc->sticky;
    if (sc->sticky != 0) return sc->sticky;
    if ((r = check_stream("cuMemcpyPeerAsync", stream, c)) != CUDA_SUCCESS) return r;
    if ((r = check_range("cuMemcpyPeerAsync", "dst", dst, n, dc->device)) != CUDA_SUCCESS) return r;
    if ((r = check_range("cuMemcpyPeerAsync", "src", src, n, sc->device)) != CUDA_SUCCESS) return r;
    memmove((void*) (uintptr_t) dst, (void*) (uintptr_t) src, n);
    return CUDA_SUCCESS;
}

PX_API CUresult cuMemAllocHost_v2(void** p, size_t bytes) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (p == nullptr || bytes == 0) return CUDA_ERROR_INVALID_VALUE;
    void* m = aligned_alloc(4096, (bytes + 4095) & ~(size_t) 4095);
    if (m == nullptr) return CUDA_ERROR_OUT_OF_MEMORY;
    std::lock_guard<std::mutex> l(g_mu);
    g_pinned[(uintptr_t) m] = bytes;
    *p = m;
    return CUDA_SUCCESS;
}

PX_API CUresult cuMemFreeHost(void* p) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> l(g_mu);
    auto it = g_pinned.find((uintptr_t) p);
    if (it == g_pinned.end()) {
        fprintf(stderr, "cuda-shim: cuMemFreeHost: %p was not allocated by cuMemAllocHost\n", p);
        return CUDA_ERROR_INVALID_VALUE;
    }
    free(p);
    g_pinned.erase(it);
    return CUDA_SUCCESS;
}

// ---------------------------------------------------------------------------------------------- streams and events

PX_API CUresult cuStreamCreate(void** stream, unsigned flags) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (stream == nullptr || flags > 1) return CUDA_ERROR_INVALID_VALUE;
    Stream* s = new Stream{c};
    std::lock_guard<std::mutex> l(g_mu);
    g_streams.insert(s);
    *stream = s;
    return CUDA_SUCCESS;
}

PX_API CUresult cuStreamSynchronize(void* stream) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    return check_stream("cuStreamSynchronize", stream, c);
}

PX_API CUresult cuStreamDestroy_v2(void* stream) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (stream == nullptr) return CUDA_ERROR_INVALID_HANDLE;
    if ((r = check_stream("cuStreamDestroy_v2", stream, c)) != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> l(g_mu);
    g_streams.erase((Stream*) stream);
    delete (Stream*) stream;
    return CUDA_SUCCESS;
}

static CUresult live_event(const char* call, void* event, Event** out) {
    std::lock_guard<std::mutex> l(g_mu);
    if (event == nullptr || g_events.count((Event*) event) == 0) {
        fprintf(stderr, "cuda-shim: %s: %p is not a live event\n", call, event);
        return CUDA_ERROR_INVALID_HANDLE;
    }
    *out = (Event*) event;
    return CUDA_SUCCESS;
}

PX_API CUresult cuEventCreate(void** event, unsigned flags) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (event == nullptr || flags > 0xf) return CUDA_ERROR_INVALID_VALUE;
    Event* e = new Event{c, false, {}};
    std::lock_guard<std::mutex> l(g_mu);
    g_events.insert(e);
    *event = e;
    return CUDA_SUCCESS;
}

PX_API CUresult cuEventRecord(void* event, void* stream) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    Event* e;
    if ((r = live_event("cuEventRecord", event, &e)) != CUDA_SUCCESS) return r;
    if ((r = check_stream("cuEventRecord", stream, c)) != CUDA_SUCCESS) return r;
    if (e->ctx != c) return CUDA_ERROR_INVALID_HANDLE;
    clock_gettime(CLOCK_MONOTONIC, &e->at);
    e->recorded = true;
    return CUDA_SUCCESS;
}

PX_API CUresult cuEventSynchronize(void* event) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    Event* e;
    return live_event("cuEventSynchronize", event, &e);
}

static CUresult elapsed(const char* call, float* ms, void* start, void* end) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    Event *a, *b;
    if ((r = live_event(call, start, &a)) != CUDA_SUCCESS || (r = live_event(call, end, &b)) != CUDA_SUCCESS) return r;
    if (ms == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (!a->recorded || !b->recorded) return CUDA_ERROR_INVALID_HANDLE;
    *ms = (float) ((b->at.tv_sec - a->at.tv_sec) * 1e3 + (b->at.tv_nsec - a->at.tv_nsec) / 1e6);
    return CUDA_SUCCESS;
}

PX_API CUresult cuEventElapsedTime(float* ms, void* start, void* end) { return elapsed("cuEventElapsedTime", ms, start, end); }
PX_API CUresult cuEventElapsedTime_v2(float* ms, void* start, void* end) { return elapsed("cuEventElapsedTime_v2", ms, start, end); }

PX_API CUresult cuEventDestroy_v2(void* event) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    Event* e;
    if ((r = live_event("cuEventDestroy_v2", event, &e)) != CUDA_SUCCESS) return r;
    std::lock_guard<std::mutex> l(g_mu);
    g_events.erase(e);
    delete e;
    return CUDA_SUCCESS;
}

// ---------------------------------------------------------------------------------------------- the block scheduler

// Launch state (one launch at a time, g_launch held). The threads of a block are fibers on the calling thread: one
// fiber per thread of the block shape, made once per launch and reused for every block. A fiber runs until it reaches
// a barrier (__syncthreads, __syncwarp, either half of a warp exchange) or finishes its thread, then the scheduler
// resumes the next unfinished one; a round in which no fiber arrives anywhere or finishes is a deadlock. Fibers start
// through ucontext and switch with _setjmp/_longjmp (no signal-mask system call per switch).
struct Barrier {
    unsigned arrived, alive;
    unsigned long generation;
};
struct Fiber {
    ucontext_t start;
    jmp_buf resume;
    char* stack;
    px_dim3 tid;
    unsigned linear;
    bool started, done;
};
static const size_t STACK_BYTES = 256 * 1024;
static PxShimRuntime g_rt;
static jmp_buf g_scheduler;
static std::vector<Fiber> g_fibers;
static std::vector<char*> g_stacks;
static Barrier g_block_barrier;
static std::vector<Barrier> g_warp_barriers;
static std::vector<unsigned> g_warp_lanes;
static unsigned char g_slots[32][32][16];
static unsigned g_running;
static unsigned long g_progress;
static bool g_abort;
static int g_abort_code;
static int (*g_entry)(int, void**);
static void** g_params;
static const char* g_kernel;

static void abort_launch(int code, const char* fmt, ...) {
    if (!g_abort) {
        char buf[700];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        say("%s: %s (thread (%u,%u,%u) of block (%u,%u,%u))", g_kernel, buf, g_rt.threadIdx.x, g_rt.threadIdx.y, g_rt.threadIdx.z,
            g_rt.blockIdx.x, g_rt.blockIdx.y, g_rt.blockIdx.z);
        g_abort = true;
        g_abort_code = code;
    }
}

// from a fiber: back to the scheduler; returns when the scheduler resumes this fiber
static void yield_to_scheduler() {
    if (_setjmp(g_fibers[g_running].resume) == 0) _longjmp(g_scheduler, 1);
    if (g_abort) throw PxShimTrap{};  // the launch was aborted elsewhere: this thread stops too
}

static void barrier_wait(Barrier& b) {
    ++g_progress;
    if (++b.arrived >= b.alive) {
        b.arrived = 0;
        ++b.generation;
        return;
    }
    unsigned long g = b.generation;
    while (b.generation == g) yield_to_scheduler();
}

static void leave_barrier(Barrier& b) {
    --b.alive;
    if (b.arrived > 0 && b.arrived >= b.alive) {
        b.arrived = 0;
        ++b.generation;
    }
}

static void rt_syncthreads() { barrier_wait(g_block_barrier); }

static void rt_syncwarp(unsigned mask) {
    unsigned lane = g_fibers[g_running].linear & 31;
    if (!((mask >> lane) & 1u)) {
        abort_launch(CUDA_ERROR_LAUNCH_FAILED, "__syncwarp with mask 0x%x excludes the calling lane %u", mask, lane);
        throw PxShimTrap{};
    }
    barrier_wait(g_warp_barriers[g_fibers[g_running].linear >> 5]);
}

static void rt_shfl(unsigned mask, const void* in, void* out, unsigned size, int src) {
    unsigned linear = g_fibers[g_running].linear, lane = linear & 31, warp = linear >> 5;
    if (size > 16) {
        abort_launch(CUDA_ERROR_LAUNCH_FAILED, "a warp shuffle of %u bytes (at most 16 are emulated)", size);
        throw PxShimTrap{};
    }
    if (!((mask >> lane) & 1u)) {
        abort_launch(CUDA_ERROR_LAUNCH_FAILED, "lane %u calls a shuffle with mask 0x%x that excludes it", lane, mask);
        throw PxShimTrap{};
    }
    memcpy(g_slots[warp][lane], in, size);
    barrier_wait(g_warp_barriers[warp]);
    if (src >= 0 && (unsigned) src != lane) {
        unsigned s = (unsigned) src;
        if (s >= g_warp_lanes[warp] || !((mask >> s) & 1u) || g_fibers[warp * 32 + s].done) {
            abort_launch(CUDA_ERROR_LAUNCH_FAILED, "lane %u reads lane %u, which is not in mask 0x%x, has exited or does not exist", lane, s,
                         mask);
            throw PxShimTrap{};
        }
        memcpy(out, g_slots[warp][s], size);
    }
    barrier_wait(g_warp_barriers[warp]);  // nobody overwrites a slot before every lane has read it
}

static void rt_trap() {
    abort_launch(CUDA_ERROR_LAUNCH_FAILED, "__trap() called");
    throw PxShimTrap{};
}

static int g_check_device;

static int rt_check_arg(int index, const void* ptr) {
    std::unique_lock<std::mutex> l(g_mu);
    auto a = find_alloc((uintptr_t) ptr, 0);
    if (a != nullptr && a->second.device == g_check_device) return 0;
    int other = a == nullptr ? -1 : a->second.device;
    l.unlock();
    if (other >= 0) {
        say("cuLaunchKernel(%s): pointer argument %d (%p) is memory of device %d, but the kernel runs in device %d's context", g_kernel,
            index, ptr, other, g_check_device);
    } else {
        say("cuLaunchKernel(%s): pointer argument %d (%p) is not device memory", g_kernel, index, ptr);
    }
    return 1;
}

// the body of every fiber: its thread of one block after another, until the launch ends
static void fiber_main() {
    for (;;) {
        Fiber& f = g_fibers[g_running];
        try {
            if (!g_abort) g_entry(1, g_params);
        } catch (const PxShimTrap&) {
            // recorded by abort_launch
        } catch (...) {
            abort_launch(CUDA_ERROR_LAUNCH_FAILED, "the kernel threw a C++ exception");
        }
        f.done = true;
        ++g_progress;
        leave_barrier(g_block_barrier);
        leave_barrier(g_warp_barriers[f.linear >> 5]);
        if (_setjmp(f.resume) == 0) _longjmp(g_scheduler, 1);  // resumed for the next block
    }
}

// the fibers of a launch with blocks of `threads` threads (stacks are kept for later launches)
static bool make_fibers(unsigned threads, const px_dim3& block) {
    while (g_stacks.size() < threads) {
        void* s = mmap(nullptr, STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (s == MAP_FAILED) return false;
        mprotect(s, 4096, PROT_NONE);  // guard page: a stack overflow faults instead of corrupting the next stack
        g_stacks.push_back((char*) s);
    }
    g_fibers.assign(threads, Fiber{});
    for (unsigned t = 0; t < threads; ++t) {
        Fiber& f = g_fibers[t];
        f.linear = t;
        f.tid = px_dim3{t % block.x, (t / block.x) % block.y, t / (block.x * block.y)};
        f.stack = g_stacks[t];
        f.started = false;
        getcontext(&f.start);
        f.start.uc_stack.ss_sp = f.stack + 4096;
        f.start.uc_stack.ss_size = STACK_BYTES - 4096;
        f.start.uc_link = nullptr;  // fiber_main never returns
        makecontext(&f.start, fiber_main, 0);
    }
    return true;
}

static void run_block(unsigned threads) {
    unsigned warps = (threads + 31) / 32;
    g_block_barrier = Barrier{0, threads, 0};
    g_warp_barriers.assign(warps, Barrier{});
    g_warp_lanes.assign(warps, 0);
    for (unsigned w = 0; w < warps; ++w) {
        g_warp_lanes[w] = w + 1 < warps ? 32 : threads - 32 * w;
        g_warp_barriers[w] = Barrier{0, g_warp_lanes[w], 0};
    }
    for (Fiber& f : g_fibers) f.done = false;
    unsigned remaining = threads;
    while (remaining > 0 && !g_abort) {
        unsigned long before = g_progress;
        for (unsigned t = 0; t < threads && !g_abort; ++t) {
            Fiber& f = g_fibers[t];
            if (f.done) continue;
            g_running = t;
            g_rt.threadIdx = f.tid;
            if (_setjmp(g_scheduler) == 0) {
                if (!f.started) {
                    f.started = true;
                    ucontext_t here;
                    swapcontext(&here, &f.start);  // never returns here: the fiber comes back through g_scheduler
                }
                _longjmp(f.resume, 1);
            }
            if (f.done) --remaining;
        }
        if (remaining > 0 && !g_abort && g_progress == before) {
            g_rt.threadIdx = px_dim3{0, 0, 0};
            abort_launch(CUDA_ERROR_LAUNCH_FAILED, "deadlock: %u threads wait at a barrier (__syncthreads or a warp exchange) that the others "
                         "never reach", remaining);
        }
    }
}

// ---------------------------------------------------------------------------------------------- modules and launches

static const char MAGIC[8] = {'P', 'X', 'S', 'H', 'I', 'M', '0', '1'};

PX_API CUresult cuModuleLoadData(void** module, const void* image) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (module == nullptr || image == nullptr) return CUDA_ERROR_INVALID_VALUE;
    if (memcmp(image, MAGIC, 8) != 0) {
        say("cuModuleLoadData: not an image of the shim's NVRTC (a real PTX or CUBIN cannot run on the shim)");
        return CUDA_ERROR_INVALID_IMAGE;
    }
    unsigned long long size;
    memcpy(&size, (const char*) image + 8, 8);
    const char* tmp = getenv("TMPDIR");
    std::string path = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/pxshim-module-XXXXXX";
    std::vector<char> name(path.begin(), path.end());
    name.push_back(0);
    int fd = mkstemp(name.data());
    if (fd < 0) return CUDA_ERROR_OUT_OF_MEMORY;
    const char* bytes = (const char*) image + 16;
    size_t left = size;
    while (left > 0) {
        ssize_t w = write(fd, bytes, left);
        if (w <= 0) {
            close(fd);
            unlink(name.data());
            return CUDA_ERROR_OUT_OF_MEMORY;
        }
        bytes += w;
        left -= (size_t) w;
    }
    close(fd);
    void* dl = dlopen(name.data(), RTLD_NOW | RTLD_LOCAL);
    unlink(name.data());  // the mapping stays; every load is a separate instance (its own __shared__ variables)
    if (dl == nullptr) {
        say("cuModuleLoadData: %s", dlerror());
        return CUDA_ERROR_INVALID_IMAGE;
    }
    auto bind = (void (*)(PxShimRuntime*)) dlsym(dl, "pxshim_bind");
    if (bind == nullptr) {
        dlclose(dl);
        return CUDA_ERROR_INVALID_IMAGE;
    }
    bind(&g_rt);
    Module* m = new Module{c, dl, name.data()};
    std::lock_guard<std::mutex> l(g_mu);
    g_modules.insert(m);
    *module = m;
    return CUDA_SUCCESS;
}

PX_API CUresult cuModuleUnload(void* module) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    std::lock_guard<std::recursive_mutex> launch(g_launch);
    std::lock_guard<std::mutex> l(g_mu);
    Module* m = (Module*) module;
    if (g_modules.count(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    for (auto it = g_functions.begin(); it != g_functions.end();) {
        if ((*it)->module == m) {
            delete *it;
            it = g_functions.erase(it);
        } else {
            ++it;
        }
    }
    g_modules.erase(m);
    dlclose(m->dl);
    delete m;
    return CUDA_SUCCESS;
}

PX_API CUresult cuModuleGetFunction(void** function, void* module, const char* name) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    if (function == nullptr || name == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::mutex> l(g_mu);
    Module* m = (Module*) module;
    if (g_modules.count(m) == 0) return CUDA_ERROR_INVALID_HANDLE;
    std::string sym = std::string(name) + "__pxshim";
    auto entry = (int (*)(int, void**)) dlsym(m->dl, sym.c_str());
    if (entry == nullptr) return CUDA_ERROR_NOT_FOUND;
    Function* f = new Function{m, name, entry};
    g_functions.insert(f);
    *function = f;
    return CUDA_SUCCESS;
}

PX_API CUresult cuLaunchKernel(void* function, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                               unsigned sharedBytes, void* stream, void** params, void** extra) {
    Ctx* c;
    CUresult r = current(&c);
    if (r != CUDA_SUCCESS) return r;
    Function* f = (Function*) function;
    {
        std::lock_guard<std::mutex> l(g_mu);
        if (g_functions.count(f) == 0) return CUDA_ERROR_INVALID_HANDLE;
    }
    if (f->module->ctx != c) {
        say("cuLaunchKernel(%s): the function was loaded in device %d's context, the current context is device %d's", f->name.c_str(),
            f->module->ctx->device, c->device);
        return CUDA_ERROR_INVALID_HANDLE;
    }
    if ((r = check_stream("cuLaunchKernel", stream, c)) != CUDA_SUCCESS) return r;
    if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || gy > 65535 || gz > 65535 || bx > 1024 || by > 1024 || bz > 64
        || (unsigned long long) bx * by * bz > 1024) {
        say("cuLaunchKernel(%s): invalid configuration grid (%u,%u,%u) block (%u,%u,%u)", f->name.c_str(), gx, gy, gz, bx, by, bz);
        return CUDA_ERROR_INVALID_VALUE;
    }
    if (sharedBytes != 0 || extra != nullptr) {
        say("cuLaunchKernel(%s): dynamic shared memory and 'extra' parameters are not emulated", f->name.c_str());
        return CUDA_ERROR_NOT_SUPPORTED;
    }
    if (params == nullptr) return CUDA_ERROR_INVALID_VALUE;
    std::lock_guard<std::recursive_mutex> launch(g_launch);
    g_kernel = f->name.c_str();
    g_entry = f->entry;
    g_params = params;
    g_check_device = c->device;
    g_abort = false;
    g_abort_code = 0;
    g_rt.gridDim = px_dim3{gx, gy, gz};
    g_rt.blockDim = px_dim3{bx, by, bz};
    g_rt.blockIdx = px_dim3{0, 0, 0};
    g_rt.threadIdx = px_dim3{0, 0, 0};
    g_rt.syncthreads = rt_syncthreads;
    g_rt.syncwarp = rt_syncwarp;
    g_rt.shfl = rt_shfl;
    g_rt.trap = rt_trap;
    g_rt.check_arg = rt_check_arg;
    if (f->entry(0, params) != 0) {
        c->sticky = CUDA_ERROR_ILLEGAL_ADDRESS;  // as the faulting access would on hardware: the context is unusable
        return CUDA_ERROR_ILLEGAL_ADDRESS;
    }
    unsigned threads = bx * by * bz;
    if (!make_fibers(threads, g_rt.blockDim)) {
        say("cuLaunchKernel(%s): cannot map the stacks of %u threads", f->name.c_str(), threads);
        return CUDA_ERROR_LAUNCH_OUT_OF_RESOURCES;
    }
    for (unsigned z = 0; z < gz && !g_abort; ++z) {
        for (unsigned y = 0; y < gy && !g_abort; ++y) {
            for (unsigned x = 0; x < gx && !g_abort; ++x) {
                g_rt.blockIdx = px_dim3{x, y, z};
                run_block(threads);
            }
        }
    }
    if (g_abort) {
        c->sticky = g_abort_code;
        return g_abort_code;
    }
    return CUDA_SUCCESS;
}
