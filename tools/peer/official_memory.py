#!/usr/bin/python3
"""Peak resident memory of the official StyleMapGAN training iteration on the CPU, per phase.

How: Linux keeps a per-process high-water mark of the resident set (VmHWM in /proc/self/status),
and writing "5" to /proc/self/clear_refs resets it to the current resident size. So before each
phase the mark is reset, and after it VmHWM is exactly that phase's peak resident memory: no
sampling gap can miss a short-lived temporary. A thread that reads VmRSS every --sample-ms is kept
as a cross-check (it can only see less than VmHWM). Phases run in the official order inside one
process, so each starts with what the previous ones left (gradients, Adam state, glibc's free
lists), as in real training. glibc keeps freed blocks for reuse, so a phase after a bigger one shows
little growth; --mmap-threshold-kib 64 makes glibc serve every block of 64 KiB or more with its own
mmap and return it at free (mallopt M_MMAP_THRESHOLD, M_TRIM_THRESHOLD), so that the resident size
follows the live tensors and each phase's own peak shows. Reported per phase:
  start    resident size when the phase starts
  peak     VmHWM during the phase (absolute)
  +start   peak - start: what the phase itself added at its worst
  +base    peak - resident size once the five networks and optimizers were built (before any step)
  sampled  the sampling thread's largest VmRSS - base (cross-check, <= +base)

Usage (see docs/PEER.md):
  /usr/bin/python3 tools/peer/official_memory.py --size 64 --channel-max 128 --batch 8 --latent-channel-size 64
  /usr/bin/python3 tools/peer/official_memory.py --size 256 --batch 2
"""
import contextlib
import ctypes
import gc
import json
import sys
import threading
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer  # noqa: E402

MIB = 1024 * 1024


def proc_status():
    """VmRSS and VmHWM in bytes."""
    values = {}
    with open("/proc/self/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def use_mmap_for_large_blocks(kib):
    """glibc: blocks of at least `kib` KiB get their own mapping, unmapped at free; trim the heap at every free."""
    libc = ctypes.CDLL("libc.so.6")
    m_trim_threshold, m_mmap_threshold = -1, -3
    if not (libc.mallopt(m_mmap_threshold, kib * 1024) and libc.mallopt(m_trim_threshold, 0)):
        raise SystemExit("mallopt refused the thresholds")


def reset_high_water_mark():
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


class RssSampler:
    """Largest VmRSS seen by a thread polling every `interval` seconds (torch releases the GIL in its kernels)."""

    def __init__(self, interval):
        self.interval = interval
        self.peak = 0
        self._stop = threading.Event()
        self._thread = None

    def __enter__(self):
        self.peak = proc_status()["VmRSS"]
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(self.interval):
            self.peak = max(self.peak, proc_status()["VmRSS"])

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, proc_status()["VmRSS"])


def main():
    p = peer.parser(__doc__.split("\n")[0])
    p.add_argument("--iterations", default="0,1,16",
                   help="loop indices to run, in order; R1 runs where index %% d_reg_every == 0 (default 0,1,16: "
                        "the first iteration, which also creates Adam's state, a plain one, and one with R1)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--sample-ms", type=float, default=2.0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--mmap-threshold-kib", type=int, default=0,
                   help="0: glibc's defaults (what a user gets); e.g. 64: large blocks returned at free, so the "
                        "resident size follows the live tensors")
    p.add_argument("--json", help="also write the rows to this JSON file")
    args = p.parse_args()
    cfg = peer.config_from_args(args)
    torch.set_num_threads(args.threads)
    if args.mmap_threshold_kib:
        use_mmap_for_large_blocks(args.mmap_threshold_kib)
    with open("/proc/self/clear_refs", "w"):
        pass  # fail early, with the OS's message, where the high-water mark cannot be reset

    model = peer.load_official(peer.find_checkout(args.official), cfg.channel_max, "reference")
    nets = peer.build_networks(model, cfg, torch.float32, "cpu")
    loop = peer.OfficialLoop(nets, cfg)
    rng = torch.Generator().manual_seed(args.seed)
    indices = [int(i) for i in args.iterations.split(",")]
    inputs = [(peer.images(cfg, rng, torch.float32, "cpu"), peer.noise(cfg, rng, torch.float32, "cpu"),
               peer.noise(cfg, rng, torch.float32, "cpu")) for _ in indices]
    gc.collect()
    base = proc_status()["VmRSS"]
    counts = {name: sum(p.numel() for p in getattr(nets, name).parameters()) for name in ("g", "e", "d")}
    print(f"config: {cfg}")
    print(f"torch {torch.__version__}, {args.threads} threads, mmap threshold "
          f"{args.mmap_threshold_kib or 'glibc default'} KiB; parameters G {counts['g'] / 1e6:.2f}M "
          f"E {counts['e'] / 1e6:.2f}M D {counts['d'] / 1e6:.2f}M; resident after building: {base / MIB:.1f} MiB",
          flush=True)

    rows = []
    for i, (real, z, z2) in zip(indices, inputs):
        @contextlib.contextmanager
        def around(phase):
            reset_high_water_mark()
            start = proc_status()["VmRSS"]
            t0 = time.perf_counter()
            with RssSampler(args.sample_ms / 1000) as sampler:
                yield
            seconds = time.perf_counter() - t0
            status = proc_status()
            row = {"iteration": i, "phase": phase, "start": start, "peak": status["VmHWM"], "end": status["VmRSS"],
                   "sampled": sampler.peak, "base": base, "seconds": seconds}
            rows.append(row)
            print(f"  iteration {i:>3} {phase:<9} start {start / MIB:9.1f}  peak {row['peak'] / MIB:9.1f}  "
                  f"+start {(row['peak'] - start) / MIB:8.1f}  +base {(row['peak'] - base) / MIB:8.1f}  "
                  f"sampled +base {(sampler.peak - base) / MIB:8.1f}  ({seconds:.1f} s)", flush=True)

        loop.iteration(i, real, z, z2, around)

    print("\n| iteration | phase | start MiB | peak (VmHWM) MiB | peak - start MiB | peak - base MiB | sampled peak - base MiB | s |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['iteration']} | {r['phase']} | {r['start'] / MIB:.0f} | {r['peak'] / MIB:.0f} | "
              f"{(r['peak'] - r['start']) / MIB:.0f} | {(r['peak'] - base) / MIB:.0f} | {(r['sampled'] - base) / MIB:.0f} | "
              f"{r['seconds']:.1f} |")
    if args.json:
        Path(args.json).write_text(json.dumps({"config": vars(cfg), "torch": torch.__version__, "threads": args.threads,
                                               "mmap_threshold_kib": args.mmap_threshold_kib,
                                               "parameters": counts, "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
