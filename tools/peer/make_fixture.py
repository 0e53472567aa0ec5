#!/usr/bin/python3
"""Makes a reference fixture from the official StyleMapGAN code, in the layout of
../shared/fixtures/README.md, and compares fixtures.

  make     computes every section in float64 on the CPU (official model, our stand-ins for its
           CUDA ops, channel tables clamped by channel_max), each section from networks freshly
           loaded from the parameters: forward outputs, losses and gradients and the two training
           iterations in train mode, the editing outputs in eval mode (README "Train and eval mode").
           Parameters and inputs come from an existing fixture (--from) or are drawn (--seed, --real).
           A BatchNorm2d generator gets running statistics from --bn-warmup train-mode forwards of
           G on seeded noise, before anything is computed; they are stored in params/.
  compare  prints each group's worst error of a fixture against a reference, with the README's
           definition (grads/<loss>/<module>/*: floor 1e-6 x the group's largest reference norm).

Usage (see docs/PEER.md):
  /usr/bin/python3 tools/peer/make_fixture.py make --from src/test/resources/fixtures/parity_s32.h5 --out /tmp/s32.h5
  /usr/bin/python3 tools/peer/make_fixture.py compare /tmp/s32.h5 src/test/resources/fixtures/parity_s32.h5
  /usr/bin/python3 tools/peer/make_fixture.py make --from src/test/resources/fixtures/parity_s32.h5 \\
      --normalize-mode BatchNorm2d --out src/test/resources/fixtures/parity_s32_bn.h5
"""
import argparse
import dataclasses
import sys
from pathlib import Path

import h5py
import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer  # noqa: E402

F64 = torch.float64
MODULES = {"generator": "g", "encoder": "e", "discriminator": "d", "g_ema": "g_ema", "e_ema": "e_ema"}
PARAM_SOURCE = {"generator": "generator", "encoder": "encoder", "discriminator": "discriminator",
                "g_ema": "generator", "e_ema": "encoder"}
INT_ATTRS = ("size", "latent_spatial_size", "latent_channel_size", "mapping_layer_num", "channel_multiplier",
             "small_generator", "batch", "d_reg_every", "seed", "channel_max")
BN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")


def config_from_attrs(attrs):
    values = {}
    for f in dataclasses.fields(peer.Config):
        v = attrs.get(f.name)
        if v is None and f.name != "channel_max":
            raise SystemExit(f"fixture lacks the root attribute {f.name}")
        values[f.name] = v.decode() if isinstance(v, bytes) else (str(v) if f.name == "normalize_mode" else
                                                                    None if v is None else v.item())
    return peer.Config(**values)


def read_group(f, name):
    return {k: torch.from_numpy(np.array(v[()], dtype=np.float64)) for k, v in f[name].items()}


class Maker:
    def __init__(self, model, cfg, params, inputs, zero_grad_to_none):
        self.model, self.cfg, self.params, self.inputs = model, cfg, params, inputs
        self.zero_grad_to_none = zero_grad_to_none
        self.out = {}

    def fresh(self):
        """All five networks freshly loaded from params (g_ema/e_ema: copies of G's and E's)."""
        nets = peer.build_networks(self.model, self.cfg, F64, "cpu")
        for name, attr in MODULES.items():
            getattr(nets, attr).load_state_dict(self.params[PARAM_SOURCE[name]], strict=True)
        return nets

    def put(self, name, tensor):
        self.out[name] = tensor.detach().to(F64).numpy().copy() if torch.is_tensor(tensor) else np.float64(tensor)

    def outputs(self):
        n, x = self.fresh(), self.inputs
        codes = []
        hooks = [layer.register_forward_hook(lambda m, i, o: codes.append(o)) for layer in n.g.decoder.convs_latent]
        with torch.no_grad():
            z, real = x["z"], x["real"]
            s = self.cfg.latent_spatial_size
            self.put("outputs/mapping_stylecode", n.g.mapping_z(z).reshape(z.shape[0], -1, s, s))
            generated, _ = n.g(z)
            for h in hooks:
                h.remove()
            for t, code in enumerate(codes):
                self.put(f"outputs/decoder_stylecodes/{t}", code)
            self.put("outputs/generated", generated)
            enc = n.e(real)
            self.put("outputs/encoder_stylecode", enc)
            self.put("outputs/reconstruction", n.g(enc, input_is_stylecode=True)[0])
            self.put("outputs/d_real", n.d(real))
            self.put("outputs/d_fake", n.d(generated))
            self.put("outputs/truncation_mean", n.g(x["z_mean"], calculate_mean_stylemap=True))

    def editing(self):
        """As generate.py: networks in eval mode; image 0 is the original, image 1 the reference."""
        n = self.fresh()
        n.g.eval()
        n.e.eval()
        with torch.no_grad():
            enc = n.e(self.inputs["real"])
            pair, mask = [enc[0:1], enc[1:2]], self.inputs["mask"]
            self.put("outputs/edit_w", n.g(pair, input_is_stylecode=True, mix_space="w", mask=mask)[0])
            self.put("outputs/edit_w_plus", n.g(pair, input_is_stylecode=True, mix_space="w_plus", mask=mask)[0])
            self.put("outputs/stylemix_coarse", n.g(pair, input_is_stylecode=True, mix_space="stylemixing_coarse")[0])
            self.put("outputs/stylemix_fine", n.g(pair, input_is_stylecode=True, mix_space="stylemixing_fine")[0])

    def grads(self, loss, module_name, module):
        for key, p in module.named_parameters():
            self.put(f"grads/{loss}/{module_name}/{key}", p.grad if p.grad is not None else torch.zeros_like(p))
            p.grad = None

    def gradients(self):
        x, cfg = self.inputs, self.cfg
        n = self.fresh()
        peer.requires_grad(n.d, False)
        adv, w_rec, _ = peer.generator_losses(n, x["z"])
        self.put("losses/g_adv", adv.item())
        adv.backward()
        self.grads("g_adv", "generator", n.g)
        self.put("losses/w_rec", w_rec.item())
        w_rec.backward()
        self.grads("w_rec", "encoder", n.e)

        n = self.fresh()
        d_loss, in_domain, _, _ = peer.discriminator_losses(n, x["real"], x["z2"])
        total = d_loss + in_domain
        self.put("losses/d", total.item())
        total.backward()
        self.grads("d", "discriminator", n.d)

        n = self.fresh()
        real = x["real"].clone().requires_grad_(True)
        reg, r1_loss, grad = peer.r1_regularization(n, cfg, real)
        self.put("outputs/r1_grad_real", grad)
        self.put("losses/r1", r1_loss.item())
        reg.mean().backward()
        self.grads("r1_reg", "discriminator", n.d)

        n = self.fresh()
        peer.requires_grad(n.d, False)
        x_rec, in_domain = peer.reconstruction_losses(n, x["real"])
        total = x_rec + in_domain
        self.put("losses/e_rec", total.item())
        total.backward()
        self.grads("e_rec", "encoder", n.e)
        self.grads("e_rec", "generator", n.g)

    def training(self):
        x = self.inputs
        n = self.fresh()
        loop = peer.OfficialLoop(n, self.cfg, zero_grad_to_none=self.zero_grad_to_none)
        for i, (za, zb) in enumerate([("z", "z2"), ("z3", "z4")]):
            values = loop.iteration(i, x["real"].clone(), x[za], x[zb])
            for k in ("g_adv", "w_rec", "d", "e_rec"):
                self.put(f"train/iter{i}/losses/{k}", values[k])
        for name, attr in MODULES.items():
            for key, t in getattr(n, attr).state_dict().items():
                self.put(f"train/after2/{name}/{key}", t)


def load_params(model, cfg, source, seed, bn_warmup, bn_seed):
    """State dicts (float64) of generator, encoder, discriminator: from a fixture's params/ or from the
    official initialisation under `seed`. A BatchNorm2d generator's running statistics: from
    `bn_warmup` train-mode forwards of G on noise drawn with `bn_seed`."""
    torch.manual_seed(seed)
    nets = peer.build_networks(model, cfg, F64, "cpu")
    if source is not None:
        with h5py.File(source, "r") as f:
            for name in ("generator", "encoder", "discriminator"):
                module = getattr(nets, MODULES[name])
                stored = read_group(f, "params/" + name)
                missing, unexpected = module.load_state_dict(stored, strict=False)
                not_buffers = [k for k in missing if not k.endswith(BN_BUFFERS)]
                if not_buffers or unexpected:
                    raise SystemExit(f"{source} params/{name} does not fit the configuration: missing {not_buffers}, "
                                     f"unexpected {unexpected}")
    if cfg.normalize_mode == "BatchNorm2d" and bn_warmup:
        rng = torch.Generator().manual_seed(bn_seed)
        nets.g.train()
        with torch.no_grad():
            for _ in range(bn_warmup):
                nets.g(peer.noise(cfg, rng, F64, "cpu"))
    return {name: {k: v.detach().clone() for k, v in getattr(nets, MODULES[name]).state_dict().items()}
            for name in ("generator", "encoder", "discriminator")}


def draw_inputs(cfg, seed, real_paths):
    from PIL import Image  # python3-pil; only needed without --from
    if len(real_paths) != cfg.batch:
        raise SystemExit(f"--real: need {cfg.batch} images (batch), got {len(real_paths)}")
    rng = torch.Generator().manual_seed(seed)
    inputs = {k: peer.noise(cfg, rng, F64, "cpu") for k in ("z", "z2", "z3", "z4")}
    inputs["z_mean"] = peer.noise(cfg, rng, F64, "cpu", batch=64)
    photos = [np.asarray(Image.open(p).convert("RGB").resize((cfg.size, cfg.size), Image.LANCZOS), dtype=np.float64)
              for p in real_paths]
    inputs["real"] = torch.from_numpy(np.stack(photos).transpose(0, 3, 1, 2) / 127.5 - 1)
    mask = -torch.ones(1, cfg.size, cfg.size, dtype=F64)  # the reference's stylemap inside the central square
    q = cfg.size // 4
    mask[:, q:3 * q, q:3 * q] = 1
    inputs["mask"] = mask
    return inputs


def write(path, cfg, seed, params, inputs, computed):
    with h5py.File(path, "w") as f:
        for k, v in dataclasses.asdict(cfg).items():
            if k == "channel_max" and v is None:
                continue
            f.attrs[k] = int(v) if k in INT_ATTRS else (v if k == "normalize_mode" else float(v))
        f.attrs["seed"] = seed
        for module, state in params.items():
            for k, v in state.items():
                f.create_dataset(f"params/{module}/{k}", data=v.to(F64).numpy())
        for k, v in inputs.items():
            f.create_dataset(f"inputs/{k}", data=v.numpy())
        for k, v in computed.items():
            f.create_dataset(k, data=v)


def make(args):
    out = Path(args.out)
    if out.exists() and not args.force:
        raise SystemExit(f"{out} exists; pass --force to replace it")
    torch.set_num_threads(args.threads)
    if args.source:
        with h5py.File(args.source, "r") as f:
            cfg = config_from_attrs(f.attrs)
            seed = int(f.attrs.get("seed", args.seed))
            inputs = read_group(f, "inputs")
    else:
        cfg, seed, inputs = peer.config_from_args(args), args.seed, None
    cfg.normalize_mode = args.normalize_mode or cfg.normalize_mode or "LayerNorm"
    model = peer.load_official(peer.find_checkout(args.official), cfg.channel_max, "reference")
    params = load_params(model, cfg, args.source, seed, args.bn_warmup, args.bn_seed)
    if inputs is None:
        inputs = draw_inputs(cfg, seed, args.real or [])
    maker = Maker(model, cfg, params, inputs, zero_grad_to_none=args.zero_grad_to_none == "true")
    for section in (maker.outputs, maker.editing, maker.gradients, maker.training):
        print(f"{section.__name__} ...", flush=True)
        section()
    tmp = out.with_name(out.name + ".tmp")
    write(tmp, cfg, seed, params, inputs, maker.out)
    tmp.replace(out)
    print(f"wrote {out}: {len(maker.out)} computed datasets, config {cfg}")


def group_of(name):
    parts = name.split("/")
    return "/".join(parts[:3]) if parts[0] == "grads" else name


def errors(path, reference):
    """{dataset: error} over every dataset of the reference, plus the names only one file has."""
    with h5py.File(path, "r") as a, h5py.File(reference, "r") as r:
        names = []
        r.visititems(lambda k, v: names.append(k) if isinstance(v, h5py.Dataset) else None)
        mine = []
        a.visititems(lambda k, v: mine.append(k) if isinstance(v, h5py.Dataset) else None)
        largest = {}
        for k in names:
            norm = float(np.linalg.norm(np.asarray(r[k][()], dtype=np.float64)))
            largest[group_of(k)] = max(largest.get(group_of(k), 0.0), norm)
        result = {}
        for k in names:
            if k not in a:
                continue
            ref = np.asarray(r[k][()], dtype=np.float64)
            got = np.asarray(a[k][()], dtype=np.float64)
            if got.shape != ref.shape:
                result[k] = float("inf")
                continue
            denom = max(float(np.linalg.norm(ref)), 1e-6 * largest[group_of(k)])
            diff = float(np.linalg.norm(got - ref))
            result[k] = diff / denom if denom > 0 else diff
        return result, sorted(set(names) - set(mine)), sorted(set(mine) - set(names))


def compare(args):
    result, missing, extra = errors(args.fixture, args.reference)
    by_group = {}
    for k, e in result.items():
        g = "/".join(k.split("/")[:2]) if not k.startswith(("grads/", "train/")) else "/".join(k.split("/")[:3])
        if g not in by_group or e > by_group[g][0]:
            by_group[g] = (e, k)
    print(f"{len(result)} datasets compared ({args.fixture} against {args.reference})")
    for g in sorted(by_group):
        e, k = by_group[g]
        print(f"  {g:<40} worst {e:.3e}  ({k})")
    worst = max(result.items(), key=lambda kv: kv[1])
    print(f"worst overall: {worst[1]:.3e} ({worst[0]})")
    if missing:
        print(f"missing here ({len(missing)}): {missing[:10]}")
    if extra:
        print(f"only here ({len(extra)}): {extra[:10]}")
    with h5py.File(args.fixture, "r") as a, h5py.File(args.reference, "r") as r:
        for k in sorted(set(r.attrs) | set(a.attrs)):
            va, vr = a.attrs.get(k), r.attrs.get(k)
            if str(va) != str(vr):
                print(f"attribute {k}: {va!r} here, {vr!r} in the reference")
    if args.max_error is not None and (worst[1] > args.max_error or missing):
        raise SystemExit(f"worst error {worst[1]:.3e} over {args.max_error:g}" + (", datasets missing" if missing else ""))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    m = sub.add_parser("make", help="compute a fixture from the official code")
    peer.add_config_args(m, size=32, latent_channel_size=16, mapping_layer_num=3, batch=4, channel_max=32)
    m.set_defaults(normalize_mode=None)
    m.add_argument("--from", dest="source", help="take the configuration (root attributes), params/ and inputs/ "
                                                 "from this fixture (other config options are then ignored)")
    m.add_argument("--out", required=True)
    m.add_argument("--force", action="store_true", help="replace --out if it exists")
    m.add_argument("--seed", type=int, default=1, help="initialisation and noise, without --from")
    m.add_argument("--real", nargs="*", help="the batch's real photos, without --from")
    m.add_argument("--bn-warmup", type=int, default=5, help="train-mode forwards that set BatchNorm running statistics")
    m.add_argument("--bn-seed", type=int, default=7)
    m.add_argument("--zero-grad-to-none", choices=("false", "true"), default="false",
                   help="optimizer.zero_grad(set_to_none=...): false is PyTorch 1.x's default, which the shared "
                        "fixture follows")
    m.add_argument("--threads", type=int, default=2)
    c = sub.add_parser("compare", help="worst errors of a fixture against a reference fixture")
    c.add_argument("fixture")
    c.add_argument("reference")
    c.add_argument("--max-error", type=float, help="exit non-zero above this error")
    args = p.parse_args()
    make(args) if args.command == "make" else compare(args)


if __name__ == "__main__":
    main()
