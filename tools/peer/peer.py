"""Runs the official StyleMapGAN code (naver-ai/StyleMapGAN, CC BY-NC) as a peer: our own driver.

The official checkout stays outside this repository (default ../peer/StyleMapGAN beside the
repository root, or --official / $STYLEMAPGAN_DIR); nothing of it is copied here. This module
  - imports the official `training/model.py` with our stand-ins for its CUDA ops (peer_ops.py),
    and, when a channel_max is given, with its three channel tables clamped to
    min(value, channel_max), which is the one change the shared fixture makes
    (../shared/fixtures/README.md). The clamp is applied to the parsed source at import time
    (the `channels = {...}` literals), so the official file is read, never edited;
  - builds the networks the way the official train.py does;
  - runs the official training iteration phase by phase (OfficialLoop), written from train.py's
    loop: G step, D step with the in-domain term, R1 step every d_reg_every iterations,
    reconstruction step (without LPIPS: no pretrained VGG offline), EMA.
"""
import argparse
import ast
import contextlib
import dataclasses
import os
import sys
import types
from pathlib import Path

import torch
from torch import autograd, optim
from torch.nn import functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent))
import peer_ops  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclasses.dataclass
class Config:
    """The official train.py's arguments that shape the networks and the loop (its defaults)."""
    size: int = 256
    latent_spatial_size: int = 8
    latent_channel_size: int = 64
    mapping_layer_num: int = 8
    channel_multiplier: int = 2
    normalize_mode: str = "LayerNorm"
    lr_mul: float = 0.01
    small_generator: int = 0
    batch: int = 16
    r1: float = 10.0
    d_reg_every: int = 16
    lr: float = 0.002
    channel_max: int = None  # None: the official channel table, unchanged


def add_config_args(parser, **defaults):
    for field in dataclasses.fields(Config):
        default = defaults.get(field.name, field.default)
        kind = int if field.name == "channel_max" else field.type  # channel_max: int, default None
        parser.add_argument("--" + field.name.replace("_", "-"), dest=field.name, type=kind, default=default,
                            help=f"(default {default})")
    parser.add_argument("--official", default=None,
                        help="official StyleMapGAN checkout (default $STYLEMAPGAN_DIR, else ../peer/StyleMapGAN "
                             "beside the repository, else peer/StyleMapGAN inside it)")


def config_from_args(args):
    return Config(**{f.name: getattr(args, f.name) for f in dataclasses.fields(Config)})


def find_checkout(given=None):
    candidates = [given] if given else [os.environ.get("STYLEMAPGAN_DIR"), REPO_ROOT.parent / "peer" / "StyleMapGAN",
                                        REPO_ROOT / "peer" / "StyleMapGAN"]
    for c in candidates:
        if c and (Path(c) / "training" / "model.py").is_file():
            return Path(c).resolve()
    raise SystemExit("official StyleMapGAN checkout not found (looked in: "
                     + ", ".join(str(c) for c in candidates if c) + "); see docs/PEER.md")


class _ClampChannelTables(ast.NodeTransformer):
    """Wraps each `channels = {...}` literal in a call that clamps its values."""

    def __init__(self, function_name):
        self.function_name = function_name
        self.count = 0

    def visit_Assign(self, node):
        if (len(node.targets) == 1 and isinstance(node.targets[0], ast.Name) and node.targets[0].id == "channels"
                and isinstance(node.value, ast.Dict)):
            node.value = ast.Call(func=ast.Name(id=self.function_name, ctx=ast.Load()), args=[node.value], keywords=[])
            self.count += 1
        return node


_loaded = {}


def load_official(checkout, channel_max=None, ops="reference"):
    """The official `training.model` module; `module.peer_ops` says which ops it runs on.
    ops: 'reference' (our peer_ops stand-ins), 'official' (the official CUDA extensions, compiled by
    torch.utils.cpp_extension at import: needs a GPU, nvcc and ninja), or 'auto' (official where
    they compile, else reference). One process loads the official code once."""
    if _loaded:
        module = next(iter(_loaded.values()))
        if (str(checkout), channel_max) not in _loaded or ops not in ("auto", module.peer_ops):
            raise RuntimeError(f"official code already loaded ({next(iter(_loaded))}, {module.peer_ops} ops)")
        return module
    sys.path.insert(0, str(checkout))
    import training  # noqa: F401  (the official package; its __init__ is empty)
    used = _import_ops(ops)

    model_py = Path(checkout) / "training" / "model.py"
    tree = ast.parse(model_py.read_text(), filename=str(model_py))
    module = types.ModuleType("training.model")
    module.__file__ = str(model_py)
    module.peer_ops = used
    if channel_max is not None:
        clamp = _ClampChannelTables("_peer_clamp_channels")
        tree = ast.fix_missing_locations(clamp.visit(tree))
        if clamp.count != 3:  # Discriminator, Encoder, Decoder
            raise RuntimeError(f"expected 3 channel tables in {model_py}, found {clamp.count}: is this commit 3a70e07?")
        module._peer_clamp_channels = lambda table: {k: min(v, channel_max) for k, v in table.items()}
    sys.modules["training.model"] = module
    exec(compile(tree, str(model_py), "exec"), module.__dict__)
    _loaded[(str(checkout), channel_max)] = module
    return module


def _import_ops(ops):
    if ops == "reference" or (ops == "auto" and not torch.cuda.is_available()):
        peer_ops.install()
        return "reference"
    if ops not in ("official", "auto"):
        raise ValueError(f"ops must be reference, official or auto, not {ops}")
    if torch.cuda.is_available():  # compile for this GPU only: faster
        major, minor = torch.cuda.get_device_capability()
        os.environ.setdefault("TORCH_CUDA_ARCH_LIST", f"{major}.{minor}")
    try:
        import training.op  # noqa: F401  (compiles and loads the official CUDA extensions)
        return "official"
    except Exception as e:  # a compiler error, no ninja, no CUDA_HOME, ...
        if ops == "official":
            raise
        message = str(e).strip().splitlines()
        print(f"ops: the official CUDA extensions did not build ({type(e).__name__}: "
              f"{message[-1] if message else ''}); using the reference ops", flush=True)
        for name in [m for m in sys.modules if m == "training.op" or m.startswith("training.op.")]:
            del sys.modules[name]
        peer_ops.install()
        return "reference"


@dataclasses.dataclass
class Networks:
    g: torch.nn.Module
    e: torch.nn.Module
    d: torch.nn.Module
    g_ema: torch.nn.Module
    e_ema: torch.nn.Module


def build_networks(model, cfg, dtype=torch.float32, device="cpu"):
    """As train.py: G, E, D in train mode; g_ema, e_ema separate instances in eval mode, holding
    copies of G's and E's parameters (accumulate(..., 0))."""

    def generator():
        return model.Generator(cfg.size, cfg.mapping_layer_num, cfg.latent_channel_size, cfg.latent_spatial_size,
                               lr_mul=cfg.lr_mul, channel_multiplier=cfg.channel_multiplier,
                               normalize_mode=cfg.normalize_mode, small_generator=bool(cfg.small_generator))

    def encoder():
        return model.Encoder(cfg.size, cfg.latent_channel_size, cfg.latent_spatial_size,
                             channel_multiplier=cfg.channel_multiplier)

    nets = Networks(generator(), encoder(), model.Discriminator(cfg.size, channel_multiplier=cfg.channel_multiplier),
                    generator(), encoder())
    for m in (nets.g, nets.e, nets.d, nets.g_ema, nets.e_ema):
        m.to(device=device, dtype=dtype)
    for m in (nets.g, nets.e, nets.d):
        m.train()
    for m in (nets.g_ema, nets.e_ema):
        m.eval()
    accumulate(nets.g_ema, nets.g, 0)
    accumulate(nets.e_ema, nets.e, 0)
    return nets


def requires_grad(module, flag):
    for p in module.parameters():
        p.requires_grad = flag


def accumulate(ema, model, decay):
    """ema = decay * ema + (1 - decay) * model, over parameters only (buffers stay)."""
    with torch.no_grad():
        source = dict(model.named_parameters())
        for name, p in ema.named_parameters():
            p.mul_(decay).add_(source[name], alpha=1 - decay)


def generator_losses(n, z):
    """G step's losses: adv = mean(softplus(-D(G(z)))) for G; w_rec = mse(E(G(z).detach()),
    stylecode(z).detach()) for E. Also the (detached) stylecode."""
    fake, stylecode = n.g(z, return_stylecode=True)
    adv = F.softplus(-n.d(fake)).mean()
    stylecode = stylecode.detach()
    w_rec = F.mse_loss(stylecode, n.e(fake.detach()))
    return adv, w_rec, stylecode


def discriminator_losses(n, real, z2):
    """D step's losses (G and E without gradient): the logistic loss on D(real), D(G(z2)), and the
    in-domain term softplus(D(G(E(real)))). Also D(real) and D(G(z2))."""
    with torch.no_grad():
        fake, _ = n.g(z2)
        fake_from_e, _ = n.g(n.e(real), input_is_stylecode=True)
    real_pred, fake_pred = n.d(real), n.d(fake)
    d_loss = F.softplus(-real_pred).mean() + F.softplus(fake_pred).mean()
    in_domain = F.softplus(n.d(fake_from_e)).mean()
    return d_loss, in_domain, real_pred, fake_pred


def r1_regularization(n, cfg, real):
    """(r1 / 2 * r1_loss * d_reg_every + 0 * D(real)[0], r1_loss, dD(real).sum()/dreal); r1_loss is the
    batch mean of the squared gradient norm, built with create_graph for the second-order gradient.
    `real` must require grad."""
    pred = n.d(real)
    (grad,) = autograd.grad(outputs=pred.sum(), inputs=real, create_graph=True)
    r1_loss = grad.pow(2).reshape(grad.shape[0], -1).sum(1).mean()
    return cfg.r1 / 2 * r1_loss * cfg.d_reg_every + 0 * pred[0], r1_loss, grad


def reconstruction_losses(n, real):
    """Reconstruction step's losses (D frozen): x_rec = mse(real, G(E(real))) and the in-domain term
    mean(softplus(-D(G(E(real))))). The official loss adds LPIPS-VGG, left out (no weights offline)."""
    fake, _ = n.g(n.e(real), input_is_stylecode=True)
    return F.mse_loss(real, fake), F.softplus(-n.d(fake)).mean()


class OfficialLoop:
    """The official training iteration (train.py), phase by phase, with the official optimizers and
    the host reads of its logging.

    zero_grad_to_none: None keeps the running PyTorch's default for optimizer.zero_grad() (False on
    1.x, True on 2.x); the difference shows in Adam's step counts of G's mapping network, which gets
    no gradient in the reconstruction step (a zeroed gradient still counts as a step)."""

    PHASES = ("g_step", "d_step", "r1_step", "rec_step", "ema")

    def __init__(self, nets, cfg, zero_grad_to_none=None, ema_decay=0.999):
        self.n = nets
        self.cfg = cfg
        self.ema_decay = ema_decay
        self.zero_kwargs = {} if zero_grad_to_none is None else {"set_to_none": zero_grad_to_none}
        ratio = cfg.d_reg_every / (cfg.d_reg_every + 1)
        self.g_optim = optim.Adam(nets.g.parameters(), lr=cfg.lr, betas=(0, 0.99))
        self.d_optim = optim.Adam(nets.d.parameters(), lr=cfg.lr * ratio, betas=(0 ** ratio, 0.99 ** ratio))
        self.e_optim = optim.Adam(nets.e.parameters(), lr=cfg.lr, betas=(0, 0.99))
        requires_grad(nets.d, False)  # train.py freezes D before the loop

    def g_step(self, z):
        adv, w_rec, stylecode = generator_losses(self.n, z)
        with torch.no_grad():  # train.py logs these statistics every iteration
            stylecode.std().mean().item(), stylecode.std(dim=1).mean().item(), stylecode.std(dim=(2, 3)).mean().item()
        values = {"g_adv": adv.item()}
        self.g_optim.zero_grad(**self.zero_kwargs)
        adv.backward()
        self.g_optim.step()
        values["w_rec"] = w_rec.item()
        self.e_optim.zero_grad(**self.zero_kwargs)
        w_rec.backward()
        self.e_optim.step()
        return values

    def d_step(self, real, z2):
        requires_grad(self.n.d, True)
        d_loss, in_domain, real_pred, fake_pred = discriminator_losses(self.n, real, z2)
        values = {"d_adv": d_loss.item(), "d_in_domain": in_domain.item()}
        self.d_optim.zero_grad(**self.zero_kwargs)
        (d_loss + in_domain).backward()
        self.d_optim.step()
        real_pred.mean().item(), fake_pred.mean().item()
        values["d"] = values["d_adv"] + values["d_in_domain"]
        return values

    def r1_step(self, real):
        """train.py sets requires_grad on the batch tensor itself, which the reconstruction step then reuses."""
        real.requires_grad = True
        reg, r1_loss, _ = r1_regularization(self.n, self.cfg, real)
        self.d_optim.zero_grad(**self.zero_kwargs)
        reg.mean().backward()
        self.d_optim.step()
        return {"r1": r1_loss.item()}

    def rec_step(self, real):
        requires_grad(self.n.d, False)
        x_rec, in_domain = reconstruction_losses(self.n, real)
        values = {"e_in_domain": in_domain.item()}
        self.e_optim.zero_grad(**self.zero_kwargs)
        self.g_optim.zero_grad(**self.zero_kwargs)
        (x_rec + in_domain).backward()
        self.e_optim.step()
        self.g_optim.step()
        values["x_rec"] = x_rec.item()
        values["e_rec"] = values["x_rec"] + values["e_in_domain"]
        return values

    def ema(self):
        accumulate(self.n.g_ema, self.n.g, self.ema_decay)
        accumulate(self.n.e_ema, self.n.e, self.ema_decay)
        return {}

    def iteration(self, i, real, z, z2, around=lambda phase: contextlib.nullcontext()):
        """One official iteration; `around(phase)` wraps each phase (for timing or memory)."""
        values = {}
        with around("g_step"):
            values.update(self.g_step(z))
        with around("d_step"):
            values.update(self.d_step(real, z2))
        if i % self.cfg.d_reg_every == 0:
            with around("r1_step"):
                values.update(self.r1_step(real))
        with around("rec_step"):
            values.update(self.rec_step(real))
        with around("ema"):
            self.ema()
        return values


def noise(cfg, generator, dtype, device, batch=None):
    return torch.randn(batch or cfg.batch, cfg.latent_channel_size, generator=generator, dtype=dtype).to(device)


def images(cfg, generator, dtype, device):
    """Random images in [-1, 1]: memory and time do not depend on the pixels."""
    return (torch.rand(cfg.batch, 3, cfg.size, cfg.size, generator=generator, dtype=dtype) * 2 - 1).to(device)


def parser(description, **defaults):
    p = argparse.ArgumentParser(description=description)
    add_config_args(p, **defaults)
    return p
