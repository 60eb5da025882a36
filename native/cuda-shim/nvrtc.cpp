// Host stand-in for NVRTC (libnvrtc.so.13): exactly the entry points bindings/cuda calls (Nvrtc.SYMBOLS).
// A "compile" builds the CUDA source with the host C++ compiler (g++, or $PROXIMA_SHIM_CXX) after the prelude
// px_device.h, adds an entry point per __global__ function (PXSHIM_KERNEL), and returns the shared object, behind
// the shim's magic, as both the "PTX" and the "CUBIN": only the shim's driver (driver.cpp) loads it. The version
// it reports (0.1) is no NVRTC's, so the kernel caches keyed by compiler version never mix its images with real ones.
#include <dlfcn.h>
#include <spawn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#define PX_API extern "C" __attribute__((visibility("default")))

extern char** environ;

enum {
    NVRTC_SUCCESS = 0,
    NVRTC_ERROR_OUT_OF_MEMORY = 1,
    NVRTC_ERROR_PROGRAM_CREATION_FAILURE = 2,
    NVRTC_ERROR_INVALID_INPUT = 3,
    NVRTC_ERROR_INVALID_PROGRAM = 4,
    NVRTC_ERROR_INVALID_OPTION = 5,
    NVRTC_ERROR_COMPILATION = 6,
    NVRTC_ERROR_BUILTIN_OPERATION_FAILURE = 7,
    NVRTC_ERROR_INTERNAL_ERROR = 11,
};

static const char MAGIC[8] = {'P', 'X', 'S', 'H', 'I', 'M', '0', '1'};
static const int ARCHS[] = {80, 90};

struct Program {
    std::string source, name, log;
    std::vector<char> image;  // MAGIC, u64 size, the shared object
    bool cubin;               // a real architecture (sm_XY) was named
};
static std::set<Program*> g_programs;
static std::mutex g_mu;

static bool live(Program* p) {
    std::lock_guard<std::mutex> l(g_mu);
    return g_programs.count(p) != 0;
}

PX_API const char* nvrtcGetErrorString(int result) {
    switch (result) {
        case NVRTC_SUCCESS: return "NVRTC_SUCCESS";
        case NVRTC_ERROR_OUT_OF_MEMORY: return "NVRTC_ERROR_OUT_OF_MEMORY";
        case NVRTC_ERROR_PROGRAM_CREATION_FAILURE: return "NVRTC_ERROR_PROGRAM_CREATION_FAILURE";
        case NVRTC_ERROR_INVALID_INPUT: return "NVRTC_ERROR_INVALID_INPUT";
        case NVRTC_ERROR_INVALID_PROGRAM: return "NVRTC_ERROR_INVALID_PROGRAM";
        case NVRTC_ERROR_INVALID_OPTION: return "NVRTC_ERROR_INVALID_OPTION";
        case NVRTC_ERROR_COMPILATION: return "NVRTC_ERROR_COMPILATION";
        case NVRTC_ERROR_BUILTIN_OPERATION_FAILURE: return "NVRTC_ERROR_BUILTIN_OPERATION_FAILURE";
        case NVRTC_ERROR_INTERNAL_ERROR: return "NVRTC_ERROR_INTERNAL_ERROR";
        default: return "NVRTC_ERROR unknown";
    }
}

PX_API int nvrtcVersion(int* major, int* minor) {
    if (major == nullptr || minor == nullptr) return NVRTC_ERROR_INVALID_INPUT;
    *major = 0;
    *minor = 1;
    return NVRTC_SUCCESS;
}

PX_API int nvrtcGetNumSupportedArchs(int* n) {
    if (n == nullptr) return NVRTC_ERROR_INVALID_INPUT;
    *n = (int) (sizeof ARCHS / sizeof ARCHS[0]);
    return NVRTC_SUCCESS;
}

PX_API int nvrtcGetSupportedArchs(int* archs) {
    if (archs == nullptr) return NVRTC_ERROR_INVALID_INPUT;
    memcpy(archs, ARCHS, sizeof ARCHS);
    return NVRTC_SUCCESS;
}

PX_API int nvrtcCreateProgram(Program** prog, const char* src, const char* name, int numHeaders, const char* const* headers,
                              const char* const* includeNames) {
    if (prog == nullptr || src == nullptr || numHeaders < 0 || (numHeaders > 0 && (headers == nullptr || includeNames == nullptr))) {
        return NVRTC_ERROR_INVALID_INPUT;
    }
    if (numHeaders > 0) return NVRTC_ERROR_INVALID_INPUT;  // Proxima inlines its headers; the shim takes none
    Program* p = new Program{src, name != nullptr ? name : "default_program", "", {}, false};
    std::lock_guard<std::mutex> l(g_mu);
    g_programs.insert(p);
    *prog = p;
    return NVRTC_SUCCESS;
}

PX_API int nvrtcDestroyProgram(Program** prog) {
    if (prog == nullptr || g_programs.count(*prog) == 0) return NVRTC_ERROR_INVALID_PROGRAM;
    g_programs.erase(*prog);
    delete *prog;
    *prog = nullptr;
    return NVRTC_SUCCESS;
}

// the names of the __global__ functions of src, in order
static std::vector<std::string> kernels(const std::string& src) {
    std::vector<std::string> out;
    std::set<std::string> seen;
    size_t at = 0;
    while ((at = src.find("__global__", at)) != std::string::npos) {
        size_t i = at + 10;
        at = i;
        while (i < src.size() && isspace((unsigned char) src[i])) ++i;
        if (src.compare(i, 4, "void") != 0) continue;
        i += 4;
        size_t s = i;
        while (i < src.size() && isspace((unsigned char) src[i])) ++i;
        if (i == s) continue;
        size_t b = i;
        while (i < src.size() && (isalnum((unsigned char) src[i]) || src[i] == '_')) ++i;
        size_t e = i;
        while (i < src.size() && isspace((unsigned char) src[i])) ++i;
        if (e > b && i < src.size() && src[i] == '(' && seen.insert(src.substr(b, e - b)).second) out.push_back(src.substr(b, e - b));
    }
    return out;
}

static std::string own_folder() {
    Dl_info info;
    if (dladdr((void*) &nvrtcVersion, &info) == 0 || info.dli_fname == nullptr) return ".";
    std::string p = info.dli_fname;
    size_t slash = p.rfind('/');
    return slash == std::string::npos ? "." : p.substr(0, slash);
}

static bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::stringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

static void remove_tree(const std::string& dir, const std::vector<std::string>& files) {
    for (const std::string& f : files) unlink((dir + "/" + f).c_str());
    rmdir(dir.c_str());
}

PX_API int nvrtcCompileProgram(Program* prog, int numOptions, const char* const* options) {
    if (!live(prog)) return NVRTC_ERROR_INVALID_PROGRAM;
    if (numOptions < 0 || (numOptions > 0 && options == nullptr)) return NVRTC_ERROR_INVALID_INPUT;
    prog->cubin = false;
    for (int i = 0; i < numOptions; ++i) {
        if (options[i] == nullptr) return NVRTC_ERROR_INVALID_OPTION;
        std::string o = options[i];
        for (const char* pre : {"--gpu-architecture=", "-arch="}) {
            if (o.rfind(pre, 0) == 0) {
                std::string arch = o.substr(strlen(pre));
                if (arch.rfind("sm_", 0) == 0) {
                    prog->cubin = true;
                } else if (arch.rfind("compute_", 0) != 0) {
                    prog->log = "nvrtc (shim): unknown architecture in option '" + o + "'\n";
                    return NVRTC_ERROR_INVALID_OPTION;
                }
            }
        }
    }
    std::vector<std::string> names = kernels(prog->source);
    const char* tmp = getenv("TMPDIR");
    std::string templ = std::string(tmp != nullptr && *tmp ? tmp : "/tmp") + "/pxshim-nvrtc-XXXXXX";
    std::vector<char> dirbuf(templ.begin(), templ.end());
    dirbuf.push_back(0);
    if (mkdtemp(dirbuf.data()) == nullptr) return NVRTC_ERROR_OUT_OF_MEMORY;
    std::string dir = dirbuf.data();
    std::string base = prog->name;
    for (char& ch : base) {
        if (!isalnum((unsigned char) ch) && ch != '.' && ch != '_' && ch != '-') ch = '_';
    }
    std::string cpp = base + ".cpp", so = "module.so", log = "g++.log";
    {
        std::ofstream out(dir + "/" + cpp);
        out << "#include \"px_device.h\"\n#line 1 \"" << prog->name << "\"\n" << prog->source << "\n";
        for (const std::string& k : names) out << "PXSHIM_KERNEL(" << k << ")\n";
        if (!out) {
            remove_tree(dir, {cpp});
            return NVRTC_ERROR_OUT_OF_MEMORY;
        }
    }
    const char* cxx = getenv("PROXIMA_SHIM_CXX");
    std::string compiler = cxx != nullptr && *cxx ? cxx : "g++";
    std::string include = "-I" + own_folder();
    // the same flags as px_device.h.gch (build.sh), so the precompiled prelude is used
    std::vector<std::string> args = {compiler, "-std=c++17", "-O1", "-ffp-contract=off", "-fno-fast-math", "-fno-strict-aliasing",
                                     "-fPIC", "-shared", "-w", include, "-o", dir + "/" + so, dir + "/" + cpp};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    std::string logPath = dir + "/" + log;
    posix_spawn_file_actions_addopen(&fa, 1, logPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    pid_t pid;
    int rc = posix_spawnp(&pid, compiler.c_str(), &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
        prog->log = "nvrtc (shim): cannot run the host compiler '" + compiler + "': " + strerror(rc) + "\n";
        remove_tree(dir, {cpp, log});
        return NVRTC_ERROR_BUILTIN_OPERATION_FAILURE;
    }
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
    }
    std::string text;
    read_file(logPath, text);
    prog->log = text;
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        remove_tree(dir, {cpp, log, so});
        return NVRTC_ERROR_COMPILATION;
    }
    std::string bytes;
    if (!read_file(dir + "/" + so, bytes)) {
        remove_tree(dir, {cpp, log, so});
        return NVRTC_ERROR_INTERNAL_ERROR;
    }
    remove_tree(dir, {cpp, log, so});
    unsigned long long size = bytes.size();
    prog->image.assign(MAGIC, MAGIC + 8);
    prog->image.insert(prog->image.end(), (const char*) &size, (const char*) &size + 8);
    prog->image.insert(prog->image.end(), bytes.begin(), bytes.end());
    return NVRTC_SUCCESS;
}

static int image_size(Program* prog, size_t* size, bool cubin) {
    if (!live(prog)) return NVRTC_ERROR_INVALID_PROGRAM;
    if (size == nullptr) return NVRTC_ERROR_INVALID_INPUT;
    // like NVRTC: no CUBIN for a virtual architecture; "PTX" carries a terminating NUL
    *size = prog->image.empty() ? (cubin ? 0 : 1) : cubin ? (prog->cubin ? prog->image.size() : 0) : prog->image.size() + 1;
    return NVRTC_SUCCESS;
}

static int image(Program* prog, char* out, bool cubin) {
    if (!live(prog)) return NVRTC_ERROR_INVALID_PROGRAM;
    if (out == nullptr) return NVRTC_ERROR_INVALID_INPUT;
    if (cubin && !prog->cubin) return NVRTC_ERROR_INVALID_INPUT;
    memcpy(out, prog->image.data(), prog->image.size());
    if (!cubin) out[prog->image.size()] = 0;
    return NVRTC_SUCCESS;
}

PX_API int nvrtcGetPTXSize(Program* prog, size_t* size) { return image_size(prog, size, false); }
PX_API int nvrtcGetPTX(Program* prog, char* out) { return image(prog, out, false); }
PX_API int nvrtcGetCUBINSize(Program* prog, size_t* size) { return image_size(prog, size, true); }
PX_API int nvrtcGetCUBIN(Program* prog, char* out) { return image(prog, out, true); }

PX_API int nvrtcGetProgramLogSize(Program* prog, size_t* size) {
    if (!live(prog)) return NVRTC_ERROR_INVALID_PROGRAM;
    if (size == nullptr) return NVRTC_ERROR_INVALID_INPUT;
    *size = prog->log.size() + 1;
    return NVRTC_SUCCESS;
}

PX_API int nvrtcGetProgramLog(Program* prog, char* out) {
    if (!live(prog)) return NVRTC_ERROR_INVALID_PROGRAM;
    if (out == nullptr) return NVRTC_ERROR_INVALID_INPUT;
    memcpy(out, prog->log.c_str(), prog->log.size() + 1);
    return NVRTC_SUCCESS;
}
