#!/usr/bin/env python3
"""Times the official StyleMapGAN training iteration on a CUDA GPU (or the CPU), per phase.

The iteration is the official train.py's (G step, D step with the in-domain term, R1 every
d_reg_every iterations, reconstruction step without LPIPS, EMA), run by tools/peer/peer.py on the
official model code from a checkout outside this repository. Float32, random images (time does not
depend on the pixels), torch.backends.cudnn.benchmark = True as train.py sets it, PyTorch's default
TF32 settings (printed). On the GPU the official CUDA extensions are compiled and used when they
build (--ops auto), else our pure-PyTorch stand-ins (printed: they are slower).

Each phase is bracketed by torch.cuda.synchronize(); after --warmup iterations (index 0 among them,
which also creates Adam's state), --iters plain iterations and --r1-iters iterations with R1 are
timed; medians. Per phase on CUDA: the peak of torch.cuda.max_memory_allocated() (reset at the
phase's start). img/s is batch / seconds per iteration, both for a plain iteration and averaged over
one lazy-regularization period (d_reg_every - 1 plain + 1 with R1), which is what training sees.

Works with PyTorch 1.13 and 2.x. Usage (see docs/PEER.md):
  python3 tools/peer/official_step_time.py --official /path/to/StyleMapGAN            # 256, batch 16, GPU
  /usr/bin/python3 tools/peer/official_step_time.py --device cpu --size 32 --channel-max 32 --batch 4 \\
      --latent-channel-size 16 --mapping-layer-num 3 --warmup 1 --iters 2 --r1-iters 1    # CPU fallback
"""
import contextlib
import itertools
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer  # noqa: E402

MIB = 1024 * 1024


class PhaseClock:
    """Wall time (and on CUDA the peak allocated bytes) of each phase, synchronized at both ends."""

    def __init__(self, device):
        self.cuda = device.type == "cuda"
        self.records = []  # (iteration index, phase, seconds, cpu seconds, peak allocated, peak reserved)

    def sync(self):
        if self.cuda:
            torch.cuda.synchronize()

    def around_for(self, index):
        @contextlib.contextmanager
        def around(phase):
            self.sync()
            if self.cuda:
                torch.cuda.reset_peak_memory_stats()
            t0, c0 = time.perf_counter(), time.process_time()
            yield
            self.sync()
            seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
            peaks = (torch.cuda.max_memory_allocated(), torch.cuda.max_memory_reserved()) if self.cuda else (None, None)
            self.records.append((index, phase, seconds, cpu) + peaks)
        return around


def vm_hwm():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return None


def main():
    p = peer.parser(__doc__.split("\n")[0])
    p.add_argument("--device", default="auto", help="auto (cuda when available), cuda, cuda:N or cpu")
    p.add_argument("--ops", choices=("auto", "official", "reference"), default="auto")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--iters", type=int, default=10, help="timed plain iterations")
    p.add_argument("--r1-iters", type=int, default=2, help="timed iterations with R1")
    p.add_argument("--threads", type=int, default=2, help="CPU threads (CPU device only)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--json", help="also write the results to this JSON file")
    args = p.parse_args()
    cfg = peer.config_from_args(args)
    device = torch.device("cuda" if args.device == "auto" and torch.cuda.is_available() else
                          "cpu" if args.device == "auto" else args.device)
    if device.type == "cpu":
        torch.set_num_threads(args.threads)
    torch.backends.cudnn.benchmark = True

    model = peer.load_official(peer.find_checkout(args.official), cfg.channel_max,
                               "reference" if device.type == "cpu" else args.ops)
    nets = peer.build_networks(model, cfg, torch.float32, device)
    loop = peer.OfficialLoop(nets, cfg)
    rng = torch.Generator().manual_seed(args.seed)
    clock = PhaseClock(device)

    if device.type == "cuda":
        where = (f"{torch.cuda.get_device_name(device)}, CUDA {torch.version.cuda}, cuDNN "
                 f"{torch.backends.cudnn.version()}, TF32 matmul {torch.backends.cuda.matmul.allow_tf32} "
                 f"conv {torch.backends.cudnn.allow_tf32}")
    else:
        where = f"CPU, {torch.get_num_threads()} threads"
    print(f"torch {torch.__version__}; {where}; {model.peer_ops} ops\nconfig: {cfg}", flush=True)

    warm_plain = max(args.warmup - 1, 0)  # index 0 is the first warm-up iteration (with R1)
    plain = list(itertools.islice((i for i in itertools.count(1) if i % cfg.d_reg_every), warm_plain + args.iters))
    warm = ([0] if args.warmup > 0 else []) + plain[:warm_plain]
    timed_plain = plain[warm_plain:]
    timed_r1 = [cfg.d_reg_every * (k + 1) for k in range(args.r1_iters)]
    for group, indices in (("warm-up", warm), ("timed", timed_plain + timed_r1)):
        for i in indices:
            real = peer.images(cfg, rng, torch.float32, device)
            z, z2 = peer.noise(cfg, rng, torch.float32, device), peer.noise(cfg, rng, torch.float32, device)
            n0 = len(clock.records)
            loop.iteration(i, real, z, z2, clock.around_for(i))
            total = sum(r[2] for r in clock.records[n0:])
            print(f"  {group} iteration {i:>3}: {total:.3f} s", flush=True)

    timed = set(timed_plain + timed_r1)

    def per_iteration(indices):
        return [sum(r[2] for r in clock.records if r[0] == i) for i in indices]

    plain_s = statistics.median(per_iteration(timed_plain)) if timed_plain else float("nan")
    r1_s = statistics.median(per_iteration(timed_r1)) if timed_r1 else float("nan")
    period_s = ((cfg.d_reg_every - 1) * plain_s + r1_s) / cfg.d_reg_every
    print(f"\n| phase | median s | median CPU s | peak allocated MiB |\n|---|---:|---:|---:|")
    phases = {}
    for phase in peer.OfficialLoop.PHASES:
        rows = [r for r in clock.records if r[1] == phase and r[0] in timed]
        if not rows:
            continue
        peaks = [r[4] for r in rows if r[4] is not None]
        phases[phase] = {"median_s": statistics.median(r[2] for r in rows),
                         "median_cpu_s": statistics.median(r[3] for r in rows),
                         "peak_allocated": max(peaks) if peaks else None}
        peak = f"{phases[phase]['peak_allocated'] / MIB:.0f}" if peaks else "-"
        print(f"| {phase} | {phases[phase]['median_s']:.4f} | {phases[phase]['median_cpu_s']:.3f} | {peak} |")
    result = {"torch": torch.__version__, "device": where, "ops": model.peer_ops, "config": vars(cfg),
              "plain_s": plain_s, "r1_s": r1_s, "period_s": period_s, "phases": phases,
              "img_per_s_plain": cfg.batch / plain_s, "img_per_s_period": cfg.batch / period_s}
    print(f"\nplain iteration {plain_s:.4f} s ({cfg.batch / plain_s:.2f} img/s); with R1 {r1_s:.4f} s; "
          f"averaged over {cfg.d_reg_every} iterations {period_s:.4f} s ({cfg.batch / period_s:.2f} img/s)")
    if device.type == "cuda":
        result["max_memory_allocated"] = max(r[4] for r in clock.records)
        result["max_memory_reserved"] = max(r[5] for r in clock.records)
        print(f"torch.cuda.max_memory_allocated (largest phase peak, warm-up included): "
              f"{result['max_memory_allocated'] / MIB:.0f} MiB; max_memory_reserved "
              f"{result['max_memory_reserved'] / MIB:.0f} MiB")
    else:
        result["vm_hwm"] = vm_hwm()
        print(f"VmHWM (whole run): {result['vm_hwm'] / MIB:.0f} MiB")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
