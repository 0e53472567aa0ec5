"""Pure-PyTorch stand-ins for the official StyleMapGAN code's custom ops (our own code).

The official `training/op` package compiles CUDA extensions when it is imported, so it cannot even
be imported on a machine without a GPU and a CUDA toolchain. These functions have the same
signatures and the same mathematics, written with ordinary differentiable PyTorch ops, so that the
gradient of a gradient (the R1 penalty) works through them:

- fused bias + leaky ReLU: leaky_relu(x + b, 0.2) * sqrt(2), the bias broadcast over dim 1;
- upfirdn2d: zero-insertion upsampling, padding (negative pads crop), filtering with the kernel
  (a true convolution: the kernel is flipped), then keeping every `down`-th sample.

`install()` puts them in sys.modules under the official package name before the official model is
imported, so the official files are never edited.
"""
import sys
import types

import torch
from torch import nn
from torch.nn import functional as F


def fused_leaky_relu(input, bias, negative_slope=0.2, scale=2 ** 0.5):
    shape = [1, bias.shape[0]] + [1] * (input.ndim - 2)
    return F.leaky_relu(input + bias.view(shape), negative_slope) * scale


class FusedLeakyReLU(nn.Module):
    """Same parameter name (`bias`) and initial value as the official module, so state dicts match."""

    def __init__(self, channel, negative_slope=0.2, scale=2 ** 0.5):
        super().__init__()
        self.bias = nn.Parameter(torch.zeros(channel))
        self.negative_slope = negative_slope
        self.scale = scale

    def forward(self, input):
        return fused_leaky_relu(input, self.bias, self.negative_slope, self.scale)


def upfirdn2d(input, kernel, up=1, down=1, pad=(0, 0)):
    """[N,C,H,W] -> [N,C,H',W'], the same padding `pad` = (before, after) on both axes."""
    n, c, h, w = input.shape
    kh, kw = kernel.shape
    before, after = pad
    x = input.reshape(n * c, 1, h, w)
    if up > 1:
        # Each sample gets up-1 zeros after it along both axes.
        x = x.reshape(n * c, h, 1, w, 1)
        x = F.pad(x, (0, up - 1, 0, 0, 0, up - 1))
        x = x.reshape(n * c, 1, h * up, w * up)
    x = F.pad(x, (max(before, 0), max(after, 0), max(before, 0), max(after, 0)))
    crop0, crop1 = max(-before, 0), max(-after, 0)
    x = x[:, :, crop0 : x.shape[2] - crop1, crop0 : x.shape[3] - crop1]
    # conv2d correlates; the FIR filter is applied as a convolution, hence the flip.
    x = F.conv2d(x, torch.flip(kernel, [0, 1]).view(1, 1, kh, kw))
    x = x[:, :, ::down, ::down]
    return x.reshape(n, c, x.shape[2], x.shape[3])


def install(package="training.op"):
    """Registers this module's ops as the official `training.op` package (before model import)."""
    module = types.ModuleType(package)
    module.__doc__ = "pure-PyTorch stand-ins installed by tools/peer/peer_ops.py"
    module.FusedLeakyReLU = FusedLeakyReLU
    module.fused_leaky_relu = fused_leaky_relu
    module.upfirdn2d = upfirdn2d
    sys.modules[package] = module
    return module
