// The CUDA emulator's runtime: fibers, block barriers, warp rounds, the worker pool and the
// exported C entry points the Java EmulatorRuntime calls. See cuda_emu.h and docs/CUDA-EMULATOR.md.
//
// A block starts on one fiber that calls the kernel for thread 0, 1, 2, ... as plain calls (the
// fast path for kernels without barriers). The first barrier or warp-synchronous call turns the
// block into one fiber per thread: the running fiber becomes that thread, the threads before it
// have exited, the threads after it get fresh fibers. From then on a thread that blocks switches
// directly to the next ready fiber of the block (round-robin in thread order), so every run of a
// kernel executes in the same order and a missing barrier gives the same wrong result every time.
#define EMU_RUNTIME
#include "cuda_emu.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdarg>
#include <cstdlib>
#include <link.h>
#include <mutex>
#include <sched.h>
#include <string>
#include <sys/mman.h>
#include <thread>
#include <unistd.h>
#include <vector>

#define EMU_API extern "C" __attribute__((visibility("default")))

// Saves the callee-saved registers on the current stack, stores the stack pointer in *save_sp,
// switches to load_sp and restores the registers saved there. MXCSR and the x87 control word are
// callee-saved too, but no kernel changes them.
extern "C" void emu_switch(void** save_sp, void* load_sp);
// First code a fresh fiber runs: calls r13(r12) on its own stack and never returns.
extern "C" void emu_fiber_start();
asm(R"(
    .text
    .p2align 4
    .globl emu_switch
    .hidden emu_switch
    .type emu_switch, @function
emu_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret
    .size emu_switch, .-emu_switch

    .p2align 4
    .globl emu_fiber_start
    .hidden emu_fiber_start
    .type emu_fiber_start, @function
emu_fiber_start:
    .cfi_startproc
    .cfi_undefined rip
    movq %r12, %rdi
    callq *%r13
    ud2
    .cfi_endproc
    .size emu_fiber_start, .-emu_fiber_start
)");

namespace emu {

__thread Index idx;

namespace {

constexpr unsigned kMaxThreads = 1024;
constexpr unsigned kMaxDynamicShared = 227 * 1024;  // sm_90's opt-in limit per block
constexpr size_t kPage = 4096;
constexpr size_t kStackBytes = 64 * 1024;
constexpr size_t kSlotBytes = kStackBytes + kPage;  // a guard page below every stack
// Stack tops sit at a different offset within a page in every slot ("colouring"): with equal
// offsets the hot top of every fiber's stack maps to the same L1 sets (slots are a multiple of
// 4 KiB apart) and the switches evict each other.
constexpr size_t kColourStep = 7 * 64;

std::atomic<bool> g_strict{false};

enum class State : uint8_t { Ready, AtBarrier, AtWarp, Exited };

struct CpAsyncCopy {
    void* dst;
    const void* src;
    unsigned bytes;
    unsigned group;
};

struct Fiber {
    void* sp;
    uint3 tid;
    unsigned warp, lane;
    State state;
    unsigned barriers;  // __syncthreads passed, compared in strict mode
    Fiber* next;        // ring of the live fibers of the block
    Fiber* prev;
    std::vector<CpAsyncCopy> copies;  // cp.async copies not yet performed
    unsigned committed;               // cp.async groups committed
};

struct Warp {
    unsigned lanes;    // lanes that exist (the last warp of a block may be partial)
    unsigned exited;
    unsigned arrived;  // lanes parked in the current round
    unsigned mask;     // of the current round
    const WarpOp* op;
    void* data[32];
};

struct Launch {
    const char* name;
    Invoke invoke;
    void* args;
    uint3 grid, block;
    unsigned shared_bytes, threads;
    uint64_t blocks;
    std::atomic<uint64_t> next_block{0};
    std::atomic<bool> failed{false};
    std::mutex error_mutex;
    std::string error;

    void set_error(const std::string& message) {
        std::lock_guard<std::mutex> lock(error_mutex);
        if (error.empty()) error = message;
        failed.store(true);
    }
};

std::string vformat(const char* format, va_list args) {
    char buffer[1024];
    vsnprintf(buffer, sizeof buffer, format, args);
    return buffer;
}

std::string format(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string format(const char* format, ...) {
    va_list args;
    va_start(args, format);
    std::string s = vformat(format, args);
    va_end(args);
    return s;
}

std::string dim_string(uint3 d) { return format("(%u,%u,%u)", d.x, d.y, d.z); }

// This library's thread-local block on the calling thread: the static __shared__ arrays of every
// kernel live there (with idx and the current-worker pointer).
struct TlsBlock { char* data = nullptr; size_t bytes = 0; };

int find_tls_block(dl_phdr_info* info, size_t, void* out) {
    uintptr_t self = reinterpret_cast<uintptr_t>(&emu_switch);
    bool contains = false;
    size_t tls_bytes = 0;
    for (int i = 0; i < info->dlpi_phnum; i++) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        uintptr_t start = info->dlpi_addr + ph.p_vaddr;
        if (ph.p_type == PT_LOAD && self >= start && self < start + ph.p_memsz) contains = true;
        if (ph.p_type == PT_TLS) tls_bytes = ph.p_memsz;
    }
    if (!contains) return 0;
    auto* block = static_cast<TlsBlock*>(out);
    block->data = static_cast<char*>(info->dlpi_tls_data);
    block->bytes = tls_bytes;
    return 1;
}

class Worker;
__thread Worker* t_worker;

class Worker {
  public:
    Worker() {
        size_t bytes = kSlotBytes * kMaxThreads;
        void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (p == MAP_FAILED) {
            perror("cuda emulator: cannot reserve fiber stacks");
            abort();
        }
        stacks_ = static_cast<char*>(p);
    }

    // Runs blocks of the launch until none is left (or one failed).
    void work(Launch& launch) {
        if (launch.next_block.load() >= launch.blocks) return;
        prepare(launch);
        while (!launch.failed.load(std::memory_order_relaxed)) {
            uint64_t b = launch.next_block.fetch_add(1);
            if (b >= launch.blocks) break;
            run_block(b);
        }
        launch_ = nullptr;
    }

    void attach() {
        t_worker = this;
        idx = Index{};
        dl_iterate_phdr(find_tls_block, &tls_);
    }

    // --- called from kernels, on a fiber of this worker -------------------------------------

    int barrier(int predicate, int* arrived) {
        if (plain_) leave_plain();
        Fiber* f = cur_;
        f->barriers++;
        unsigned g = generation_ & 1;
        votes_[g] += predicate != 0;
        if (++at_barrier_ == live_) {
            release_barrier();
        } else {
            f->state = State::AtBarrier;
            park(f, f->next);
        }
        if (arrived) *arrived = (int)participants_[g];
        return (int)votes_[g];
    }

    void warp_op(unsigned mask, const WarpOp& op, void* data) {
        if (plain_) leave_plain();
        Fiber* f = cur_;
        Warp& w = warps_[f->warp];
        unsigned bit = 1u << f->lane;
        mask &= w.lanes;
        if (!(mask & bit))
            fail("%s in warp %u: lane %u calls it with mask 0x%08x, which does not name the lane",
                 op.name, f->warp, f->lane, mask);
        if (w.arrived == 0) {
            w.mask = mask;
            w.op = &op;
        } else if (w.op != &op || w.mask != mask) {
            fail("warp %u: lane %u is at %s with mask 0x%08x while lanes 0x%08x are at %s with mask 0x%08x "
                 "(the emulator needs the lanes of a warp to meet at the same call with the same mask)",
                 f->warp, f->lane, op.name, mask, w.arrived, w.op->name, w.mask);
        }
        w.data[f->lane] = data;
        w.arrived |= bit;
        if (w.arrived == (w.mask & ~w.exited)) {
            complete_round(f->warp);
        } else {
            f->state = State::AtWarp;
            park(f, f->next);
        }
    }

    unsigned active_mask() const {
        const Fiber* f = cur_;
        unsigned lanes = warps_[f->warp].lanes;
        // On the fast path the earlier lanes of the warp have exited and the later ones not started.
        if (plain_) return lanes & ~((1u << f->lane) - 1);
        return lanes & ~warps_[f->warp].exited;
    }

    void* dynamic_shared() const { return dynamic_; }

    [[noreturn]] void fail_with(const std::string& message) {
        launch_->set_error(format("kernel %s, block %s of grid %s (block %s): ", launch_->name,
                                  dim_string(idx.block).c_str(), dim_string(launch_->grid).c_str(),
                                  dim_string(launch_->block).c_str()) + message);
        void* ignored;
        emu_switch(&ignored, main_sp_);
        __builtin_unreachable();
    }

    Fiber& current() { return *cur_; }
    void note_cp_async() { used_cp_async_ = true; }

    // Where a fiber starts and where the fast path loops.
    [[noreturn]] static void fiber_main(Worker* w) {
        for (;;) {
            w->invoke_(w->args_);
            if (w->plain_) {
                size_t next = static_cast<size_t>(w->cur_ - w->fibers_.data()) + 1;
                if (next < w->fibers_.size()) {
                    w->enter(&w->fibers_[next]);
                    continue;
                }
                void* ignored;
                emu_switch(&ignored, w->main_sp_);  // the block is done
            }
            w->exit_thread();
        }
    }

  private:
    void prepare(Launch& launch) {
        launch_ = &launch;
        invoke_ = launch.invoke;
        args_ = launch.args;
        idx.block_dim = launch.block;
        idx.grid_dim = launch.grid;
        unsigned n = launch.threads;
        fibers_.resize(n);
        for (unsigned i = 0; i < n; i++) {
            Fiber& f = fibers_[i];
            f.tid = uint3{i % launch.block.x, (i / launch.block.x) % launch.block.y, i / (launch.block.x * launch.block.y)};
            f.warp = i / 32;
            f.lane = i % 32;
        }
        warps_.assign((n + 31) / 32, Warp{});
        for (unsigned w = 0; w < warps_.size(); w++) {
            unsigned count = std::min(32u, n - 32 * w);
            warps_[w].lanes = count == 32 ? 0xffffffffu : (1u << count) - 1;
        }
        for (; guarded_ < n; guarded_++) mprotect(stacks_ + guarded_ * kSlotBytes, kPage, PROT_NONE);
        if (launch.shared_bytes > dynamic_capacity_) {
            free(dynamic_);
            dynamic_capacity_ = launch.shared_bytes;
            dynamic_ = static_cast<char*>(aligned_alloc(256, (dynamic_capacity_ + 255) / 256 * 256));
        }
        poison_static_shared();
        used_cp_async_ = true;  // clear any copies left from an earlier launch in the first block
    }

    // A launch starts with all static shared memory set to 0xff bytes (NaN as float, -1 as int),
    // so a kernel that reads shared memory no thread of its block wrote gets the same garbage
    // every run. (Within a launch a block may see what an earlier block on this worker left.)
    void poison_static_shared() {
        if (!tls_.data) return;
        // The emulator's own thread-locals live in the same block; poison around them.
        char* keep[2][2] = {{reinterpret_cast<char*>(&t_worker), reinterpret_cast<char*>(&t_worker + 1)},
                            {reinterpret_cast<char*>(&idx), reinterpret_cast<char*>(&idx + 1)}};
        if (keep[0][0] > keep[1][0]) std::swap(keep[0], keep[1]);
        char* from = tls_.data;
        for (auto& k : keep) {
            if (k[0] > from) memset(from, 0xff, static_cast<size_t>(k[0] - from));
            from = std::max(from, k[1]);
        }
        char* end = tls_.data + tls_.bytes;
        if (end > from) memset(from, 0xff, static_cast<size_t>(end - from));
    }

    void run_block(uint64_t b) {
        const Launch& l = *launch_;
        idx.block = uint3{(unsigned)(b % l.grid.x), (unsigned)((b / l.grid.x) % l.grid.y),
                          (unsigned)(b / ((uint64_t)l.grid.x * l.grid.y))};
        if (l.shared_bytes) memset(dynamic_, 0xff, l.shared_bytes);
        if (used_cp_async_) {
            for (Fiber& f : fibers_) {
                f.copies.clear();
                f.committed = 0;
            }
            used_cp_async_ = false;
        }
        plain_ = true;
        enter(&fibers_[0]);
        emu_switch(&main_sp_, new_frame(0));
        if (launch_->failed.load(std::memory_order_relaxed)) return;
        if (!plain_ && g_strict.load(std::memory_order_relaxed)) check_barrier_counts();
    }

    char* stack_top(size_t slot) const {
        return stacks_ + (slot + 1) * kSlotBytes - (slot * kColourStep) % kPage;
    }

    // A stack for slot that starts in fiber_main(this) at its first switch (see emu_switch).
    void* new_frame(size_t slot) {
        uintptr_t top = reinterpret_cast<uintptr_t>(stack_top(slot)) & ~uintptr_t{15};
        void** sp = reinterpret_cast<void**>(top - 72);  // after `ret`, rsp is 16-byte aligned
        sp[0] = nullptr;                                  // r15
        sp[1] = nullptr;                                  // r14
        sp[2] = reinterpret_cast<void*>(&fiber_main);     // r13
        sp[3] = this;                                     // r12
        sp[4] = nullptr;                                  // rbx
        sp[5] = nullptr;                                  // rbp
        sp[6] = reinterpret_cast<void*>(&emu_fiber_start);
        return sp;
    }

    void enter(Fiber* f) {
        cur_ = f;
        idx.thread = f->tid;
        idx.lane = f->lane;
    }

    // The fast path met a barrier: from now on every thread has its own fiber. The running one
    // (on slot 0) becomes the current thread t; threads before t have exited, those after start fresh.
    void leave_plain() {
        plain_ = false;
        size_t t = static_cast<size_t>(cur_ - fibers_.data()), n = fibers_.size();
        for (Warp& w : warps_) w.exited = w.arrived = 0;
        for (size_t i = 0; i < t; i++) {
            fibers_[i].state = State::Exited;
            fibers_[i].barriers = 0;
            warps_[i / 32].exited |= 1u << (i % 32);
        }
        for (size_t i = t; i < n; i++) {
            Fiber& f = fibers_[i];
            f.state = State::Ready;
            f.barriers = 0;
            f.next = &fibers_[i + 1 < n ? i + 1 : t];
            f.prev = &fibers_[i > t ? i - 1 : n - 1];
            if (i > t) f.sp = new_frame(i);
        }
        live_ = static_cast<unsigned>(n - t);
        at_barrier_ = 0;
        generation_ = 0;
        votes_[0] = votes_[1] = 0;
    }

    void release_barrier() {
        participants_[generation_ & 1] = live_;
        at_barrier_ = 0;
        for (Fiber& f : fibers_)
            if (f.state == State::AtBarrier) f.state = State::Ready;
        generation_++;
        votes_[generation_ & 1] = 0;
    }

    void complete_round(unsigned warp) {
        Warp& w = warps_[warp];
        if (g_strict.load(std::memory_order_relaxed) && (w.mask & w.exited))
            fail("strict mode: %s in warp %u with mask 0x%08x names lanes that have exited (0x%08x)",
                 w.op->name, warp, w.mask, w.mask & w.exited);
        w.op->combine(w.data, w.arrived);
        unsigned lanes = w.arrived;
        w.arrived = 0;
        for (unsigned l = 0; l < 32; l++) {
            if (!(lanes >> l & 1)) continue;
            Fiber& f = fibers_[warp * 32 + l];
            if (f.state == State::AtWarp) f.state = State::Ready;
        }
    }

    // Switches from f (blocked or exited) to the next ready fiber, searching the ring from start.
    void park(Fiber* f, Fiber* start) {
        Fiber* n = start;
        do {
            if (n->state == State::Ready) {
                enter(n);
                emu_switch(&f->sp, n->sp);
                return;
            }
            n = n->next;
        } while (n != start);
        report_deadlock();
    }

    [[noreturn]] void exit_thread() {
        Fiber* f = cur_;
        f->state = State::Exited;
        Fiber* start = f->next;
        f->prev->next = f->next;
        f->next->prev = f->prev;
        Warp& w = warps_[f->warp];
        w.exited |= 1u << f->lane;
        if (--live_ == 0) {
            void* ignored;
            emu_switch(&ignored, main_sp_);
        }
        // Exited threads count as arrived at the barriers the others wait at.
        if (at_barrier_ && at_barrier_ == live_) release_barrier();
        if (w.arrived && w.arrived == (w.mask & ~w.exited)) complete_round(f->warp);
        park(f, start);
        __builtin_unreachable();
    }

    [[noreturn]] void report_deadlock() {
        unsigned at_barrier = 0, exited = 0;
        for (const Fiber& f : fibers_) {
            if (f.state == State::AtBarrier) at_barrier++;
            if (f.state == State::Exited) exited++;
        }
        std::string warps;
        for (unsigned w = 0; w < warps_.size(); w++) {
            const Warp& wp = warps_[w];
            if (!wp.arrived) continue;
            warps += format("; warp %u: %d lanes wait at %s (mask 0x%08x, missing lanes 0x%08x)", w,
                            __builtin_popcount(wp.arrived), wp.op->name, wp.mask, wp.mask & ~wp.exited & ~wp.arrived);
        }
        fail("deadlock: %u of %zu threads wait at __syncthreads, %u have exited%s", at_barrier,
             fibers_.size(), exited, warps.c_str());
    }

    void check_barrier_counts() {
        unsigned lo = UINT_MAX, hi = 0;
        for (const Fiber& f : fibers_) {
            lo = std::min(lo, f.barriers);
            hi = std::max(hi, f.barriers);
        }
        if (lo == hi) return;
        unsigned fewer = 0;
        const Fiber* first = nullptr;
        for (const Fiber& f : fibers_)
            if (f.barriers == lo) {
                fewer++;
                if (!first) first = &f;
            }
        launch_->set_error(format(
            "kernel %s, block %s of grid %s (block %s): strict mode: threads passed different numbers of "
            "__syncthreads (a barrier in divergent code): %u threads passed %u (the first of them thread %s), "
            "%zu threads passed %u",
            launch_->name, dim_string(idx.block).c_str(), dim_string(launch_->grid).c_str(),
            dim_string(launch_->block).c_str(), fewer, lo, dim_string(first->tid).c_str(),
            fibers_.size() - fewer, hi));
    }

    char* stacks_;
    size_t guarded_ = 0;
    TlsBlock tls_;
    Launch* launch_ = nullptr;
    Invoke invoke_ = nullptr;
    void* args_ = nullptr;
    std::vector<Fiber> fibers_;
    std::vector<Warp> warps_;
    char* dynamic_ = nullptr;
    size_t dynamic_capacity_ = 0;
    void* main_sp_ = nullptr;
    Fiber* cur_ = nullptr;
    bool plain_ = true;
    bool used_cp_async_ = false;
    unsigned live_ = 0, at_barrier_ = 0, generation_ = 0;
    unsigned votes_[2] = {0, 0}, participants_[2] = {0, 0};
};

// Blocks run on these threads; the caller waits. Created at the first launch and never destroyed
// (the threads sleep until the process exits).
class Pool {
  public:
    explicit Pool(unsigned workers) {
        for (unsigned i = 0; i < workers; i++) {
            Worker* w = new Worker();
            std::thread([this, w] { serve(w); }).detach();
        }
        count_ = workers;
    }

    unsigned size() const { return count_; }

    void run(Launch& launch) {
        std::unique_lock<std::mutex> lock(mutex_);
        launch_ = &launch;
        generation_++;
        busy_ = count_;
        wake_.notify_all();
        done_.wait(lock, [this] { return busy_ == 0; });
        launch_ = nullptr;
    }

  private:
    void serve(Worker* w) {
        w->attach();
        uint64_t seen = 0;
        for (;;) {
            Launch* launch;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                wake_.wait(lock, [&] { return generation_ != seen; });
                seen = generation_;
                launch = launch_;
            }
            w->work(*launch);
            std::lock_guard<std::mutex> lock(mutex_);
            if (--busy_ == 0) done_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable wake_, done_;
    Launch* launch_ = nullptr;
    uint64_t generation_ = 0;
    unsigned busy_ = 0, count_ = 0;
};

std::mutex g_launch_mutex;  // one launch at a time, as on one stream
Pool* g_pool = nullptr;
unsigned g_requested_workers = 0;
std::string g_last_error;

unsigned default_workers() {
    if (const char* env = getenv("STYLEMAP_EMU_WORKERS")) {
        int n = atoi(env);
        if (n > 0) return (unsigned)n;
    }
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
    return std::max(1u, std::thread::hardware_concurrency());
}

Pool& pool() {
    if (!g_pool) g_pool = new Pool(g_requested_workers ? g_requested_workers : default_workers());
    return *g_pool;
}

Worker& worker() {
    Worker* w = t_worker;
    if (!w) {
        fprintf(stderr, "cuda emulator: a CUDA device function was called outside a kernel launch\n");
        abort();
    }
    return *w;
}

std::string check_launch(const char* name, uint3 grid, uint3 block, unsigned shared_bytes) {
    uint64_t threads = (uint64_t)block.x * block.y * block.z;
    if (block.x == 0 || block.y == 0 || block.z == 0 || block.x > 1024 || block.y > 1024 || block.z > 64 ||
        threads > kMaxThreads)
        return format("kernel %s: invalid block %s (each of x, y at most 1024, z at most 64, at most %u threads)",
                      name, dim_string(block).c_str(), kMaxThreads);
    if (grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.x > 0x7fffffffu || grid.y > 65535 || grid.z > 65535)
        return format("kernel %s: invalid grid %s (x at most 2^31-1, y and z at most 65535)", name,
                      dim_string(grid).c_str());
    if (shared_bytes > kMaxDynamicShared)
        return format("kernel %s: %u bytes of dynamic shared memory requested, at most %u", name, shared_bytes,
                      kMaxDynamicShared);
    return {};
}

// --- warp-collective operations --------------------------------------------------------------

void combine_shfl(void* const* data, unsigned lanes) {
    for (unsigned l = 0; l < 32; l++) {
        if (!(lanes >> l & 1)) continue;
        auto* s = static_cast<Shuffle*>(data[l]);
        int src = s->src;
        if (src < 0 || (unsigned)src == l) {
            s->result = s->value;
        } else if (lanes >> src & 1) {
            s->result = static_cast<const Shuffle*>(data[src])->value;
        } else {
            if (g_strict.load(std::memory_order_relaxed))
                fail("strict mode: __shfl_sync in warp %u: lane %u reads lane %d, which does not take part "
                     "(lanes 0x%08x)", worker().current().warp, l, src, lanes);
            s->result = s->value;
        }
    }
}

void combine_ballot(void* const* data, unsigned lanes) {
    unsigned ballot = 0;
    for (unsigned l = 0; l < 32; l++)
        if ((lanes >> l & 1) && static_cast<const Vote*>(data[l])->predicate) ballot |= 1u << l;
    for (unsigned l = 0; l < 32; l++)
        if (lanes >> l & 1) {
            auto* v = static_cast<Vote*>(data[l]);
            v->result = ballot;
            v->lanes = lanes;
        }
}

void combine_nothing(void* const*, unsigned) {}

}  // namespace

const WarpOp shfl_op{"__shfl_sync", combine_shfl};
const WarpOp ballot_op{"__ballot_sync", combine_ballot};
const WarpOp syncwarp_op{"__syncwarp", combine_nothing};

void syncthreads() { worker().barrier(0, nullptr); }
int syncthreads_count(int predicate, int* arrived) { return worker().barrier(predicate, arrived); }
void warp_collective(unsigned mask, const WarpOp& op, void* data) { worker().warp_op(mask, op, data); }
unsigned active_mask() { return worker().active_mask(); }
void* dynamic_shared() { return worker().dynamic_shared(); }
bool strict() { return g_strict.load(std::memory_order_relaxed); }

void fail(const char* format, ...) {
    va_list args;
    va_start(args, format);
    std::string message = vformat(format, args);
    va_end(args);
    worker().fail_with(message);
}

// cp.async: the copies are performed as late as the program allows (at the wait that covers
// them), so a kernel that reads the destination before waiting sees stale data here as well.
void cp_async(void* dst, const void* src, unsigned bytes) {
    Worker& w = worker();
    Fiber& f = w.current();
    w.note_cp_async();
    f.copies.push_back(CpAsyncCopy{dst, src, bytes, f.committed});
}

void cp_async_commit() { worker().current().committed++; }

void cp_async_wait(int pending_groups) {
    Fiber& f = worker().current();
    if (pending_groups < 0) {
        for (const CpAsyncCopy& c : f.copies) memcpy(c.dst, c.src, c.bytes);
        f.copies.clear();
        return;
    }
    size_t kept = 0;
    for (const CpAsyncCopy& c : f.copies) {
        // Groups committed - pending_groups and later (and the uncommitted one) may stay pending.
        if (c.group + (unsigned)pending_groups < f.committed) memcpy(c.dst, c.src, c.bytes);
        else f.copies[kept++] = c;
    }
    f.copies.resize(kept);
}

int launch(const char* name, Invoke invoke, void* args, const unsigned* grid, const unsigned* block,
           unsigned shared_bytes) {
    uint3 g{grid[0], grid[1], grid[2]}, b{block[0], block[1], block[2]};
    std::lock_guard<std::mutex> serial(g_launch_mutex);
    std::string invalid = check_launch(name, g, b, shared_bytes);
    if (!invalid.empty()) {
        g_last_error = invalid;
        return 1;
    }
    Launch l;
    l.name = name;
    l.invoke = invoke;
    l.args = args;
    l.grid = g;
    l.block = b;
    l.shared_bytes = shared_bytes;
    l.threads = b.x * b.y * b.z;
    l.blocks = (uint64_t)g.x * g.y * g.z;
    pool().run(l);
    if (l.failed.load()) {
        g_last_error = l.error;
        return 1;
    }
    return 0;
}

}  // namespace emu

// --- the C interface of the host library (EmulatorRuntime) -----------------------------------

EMU_API int emu_set_workers(int workers) {
    std::lock_guard<std::mutex> serial(emu::g_launch_mutex);
    if (!emu::g_pool && workers > 0) emu::g_requested_workers = (unsigned)workers;
    return (int)emu::pool().size();
}

EMU_API void emu_set_strict(int on) { emu::g_strict.store(on != 0); }

EMU_API int emu_strict() { return emu::g_strict.load() ? 1 : 0; }

// The message of the last failed launch (valid until the next launch).
EMU_API const char* emu_last_error() { return emu::g_last_error.c_str(); }

// "Device" memory: host memory aligned as cuMemAlloc's (256 bytes); NULL when out of memory.
EMU_API void* emu_alloc(size_t bytes) { return aligned_alloc(256, (std::max<size_t>(bytes, 1) + 255) / 256 * 256); }

EMU_API void emu_free(void* p) { free(p); }

namespace {
// STYLEMAP_EMU_STRICT=1 switches strict mode on for the whole process.
struct StrictFromEnvironment {
    StrictFromEnvironment() {
        const char* env = getenv("STYLEMAP_EMU_STRICT");
        if (env && *env && strcmp(env, "0") != 0) emu::g_strict.store(true);
    }
} strict_from_environment;
}  // namespace
