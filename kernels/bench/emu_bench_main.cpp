// Times test kernels (kernels/test/*.cu) in the emulator library given as argument: nanoseconds per
// CUDA thread (median of 7 launches of 2^22 threads, after one warm-up) of wall time and of CPU
// time summed over the workers (the cost; it moves less than wall time on a loaded machine), and
// the wall time of a launch of one thread.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <dlfcn.h>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

static double cpu_ns() {
    timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e9 + t.tv_nsec;
}

using Launch = int (*)(const unsigned*, const unsigned*, unsigned, void**);

int main(int argc, char** argv) {
    if (argc < 2) { fprintf(stderr, "usage: emu_bench LIBRARY\n"); return 2; }
    void* lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    auto workers = reinterpret_cast<int (*)(int)>(dlsym(lib, "emu_set_workers"))(0);
    int n = 1 << 22;
    std::vector<float> x(n, 1.0f), y(n, 2.0f), z(n);
    std::vector<double> xd(n, 1.0), outd(n / 32);
    float *px = x.data(), *py = y.data(), *pz = z.data();
    double *pxd = xd.data(), *pod = outd.data();
    unsigned block[3] = {256, 1, 1}, grid[3] = {(unsigned)n / 256, 1, 1}, one[3] = {1, 1, 1};
    struct Case { const char* symbol; const char* what; unsigned shared; void* params[4]; };
    Case cases[] = {
        {"emu_basics__vector_add", "no barrier (fast path)", 0, {&px, &py, &pz, &n}},
        {"emu_basics__reverse_in_blocks", "1 __syncthreads", 256 * 4, {&px, &pz, &n}},
        {"emu_sync__block_sum", "9 __syncthreads", 0, {&px, &pz, &n}},
        {"emu_warp__warp_sum", "5 __shfl_xor_sync", 0, {&pxd, &pod}},
    };
    printf("%d workers, %d threads per launch in blocks of 256\n", workers, n);
    for (Case& c : cases) {
        std::string symbol = std::string("emu_launch_") + c.symbol;
        auto launch = reinterpret_cast<Launch>(dlsym(lib, symbol.c_str()));
        const char* name = strstr(c.symbol, "__") + 2;
        std::vector<double> wall, cpu;
        for (int rep = 0; rep < 8; rep++) {
            double c0 = cpu_ns();
            auto t0 = std::chrono::steady_clock::now();
            if (launch(grid, block, c.shared, c.params)) { fprintf(stderr, "%s failed\n", name); return 1; }
            auto t1 = std::chrono::steady_clock::now();
            double c1 = cpu_ns();
            if (!rep) continue;
            wall.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / n);
            cpu.push_back((c1 - c0) / n);
        }
        std::sort(wall.begin(), wall.end());
        std::sort(cpu.begin(), cpu.end());
        printf("%-18s %-24s %7.1f ns wall, %7.1f ns CPU per thread\n", name, c.what, wall[wall.size() / 2],
               cpu[cpu.size() / 2]);
    }
    auto launch = reinterpret_cast<Launch>(dlsym(lib, "emu_launch_emu_basics__vector_add"));
    int zero = 0;
    void* params[] = {&px, &py, &pz, &zero};
    std::vector<double> us;
    for (int rep = 0; rep < 200; rep++) {
        auto t0 = std::chrono::steady_clock::now();
        launch(one, one, 0, params);
        auto t1 = std::chrono::steady_clock::now();
        us.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    }
    std::sort(us.begin(), us.end());
    printf("%-18s %-24s %7.1f us wall per launch\n", "vector_add", "1 thread (launch cost)", us[us.size() / 2]);
}
