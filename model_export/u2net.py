"""U²-Net and U²-Netp (Qin et al., 2020, "U²-Net: Going deeper with nested U-structure").

Each stage is a Residual U-block (RSU-L): an input conv, a small U-Net of depth L whose encoder halves the
resolution L-2 times, and a residual sum of the U-Net's output with the input conv's output. RSU-4F keeps
the resolution and grows the receptive field with dilations 1, 2, 4, 8 instead of pooling.

Module and attribute names follow the authors' released checkpoints (`stage1.rebnconvin.conv_s1.weight`,
`side1`, `outconv` ...) so their `.pth` state dicts load unchanged. With `batchnorm=False` every conv
carries a bias and there is no BatchNorm: that is the shape of graphs whose BatchNorm was folded into the
convs, such as rembg's u2netp.onnx.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


class REBNCONV(nn.Module):
    """3x3 conv (optionally dilated) -> BatchNorm -> ReLU."""

    def __init__(self, in_ch: int, out_ch: int, dilation: int = 1, batchnorm: bool = True) -> None:
        super().__init__()
        self.conv_s1 = nn.Conv2d(in_ch, out_ch, 3, padding=dilation, dilation=dilation, bias=True)
        self.bn_s1 = nn.BatchNorm2d(out_ch) if batchnorm else nn.Identity()
        self.relu_s1 = nn.ReLU(inplace=True)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.relu_s1(self.bn_s1(self.conv_s1(x)))


def _upsample_like(src: torch.Tensor, ref: torch.Tensor) -> torch.Tensor:
    # Sizes come from the reference tensor (not a fixed x2) so odd sizes still line up; bilinear with
    # half-pixel centres is what the released models were trained with.
    return F.interpolate(src, size=ref.shape[2:], mode="bilinear", align_corners=False)


def _pool() -> nn.MaxPool2d:
    return nn.MaxPool2d(2, stride=2, ceil_mode=True)


class RSU(nn.Module):
    """RSU-L with L = `height` (7, 6, 5 or 4): L-1 encoder convs, a dilated bottom conv, L-1 decoder convs."""

    def __init__(self, height: int, in_ch: int, mid_ch: int, out_ch: int, batchnorm: bool = True) -> None:
        super().__init__()
        self.height = height
        self.rebnconvin = REBNCONV(in_ch, out_ch, batchnorm=batchnorm)
        self.rebnconv1 = REBNCONV(out_ch, mid_ch, batchnorm=batchnorm)
        for i in range(1, height - 1):
            setattr(self, f"pool{i}", _pool())
            setattr(self, f"rebnconv{i + 1}", REBNCONV(mid_ch, mid_ch, batchnorm=batchnorm))
        setattr(self, f"rebnconv{height}", REBNCONV(mid_ch, mid_ch, dilation=2, batchnorm=batchnorm))
        for i in range(height - 1, 1, -1):
            setattr(self, f"rebnconv{i}d", REBNCONV(mid_ch * 2, mid_ch, batchnorm=batchnorm))
        self.rebnconv1d = REBNCONV(mid_ch * 2, out_ch, batchnorm=batchnorm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hxin = self.rebnconvin(x)
        skips = [self.rebnconv1(hxin)]
        for i in range(1, self.height - 1):
            pooled = getattr(self, f"pool{i}")(skips[-1])
            skips.append(getattr(self, f"rebnconv{i + 1}")(pooled))
        hx = getattr(self, f"rebnconv{self.height}")(skips[-1])
        for i in range(self.height - 1, 0, -1):
            hx = getattr(self, f"rebnconv{i}d")(torch.cat((hx, skips[i - 1]), 1))
            if i > 1:
                hx = _upsample_like(hx, skips[i - 2])
        return hx + hxin


class RSU4F(nn.Module):
    """RSU-4 with dilations instead of pooling, used where the feature maps are already small."""

    def __init__(self, in_ch: int, mid_ch: int, out_ch: int, batchnorm: bool = True) -> None:
        super().__init__()
        self.rebnconvin = REBNCONV(in_ch, out_ch, batchnorm=batchnorm)
        self.rebnconv1 = REBNCONV(out_ch, mid_ch, batchnorm=batchnorm)
        self.rebnconv2 = REBNCONV(mid_ch, mid_ch, dilation=2, batchnorm=batchnorm)
        self.rebnconv3 = REBNCONV(mid_ch, mid_ch, dilation=4, batchnorm=batchnorm)
        self.rebnconv4 = REBNCONV(mid_ch, mid_ch, dilation=8, batchnorm=batchnorm)
        self.rebnconv3d = REBNCONV(mid_ch * 2, mid_ch, dilation=4, batchnorm=batchnorm)
        self.rebnconv2d = REBNCONV(mid_ch * 2, mid_ch, dilation=2, batchnorm=batchnorm)
        self.rebnconv1d = REBNCONV(mid_ch * 2, out_ch, batchnorm=batchnorm)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hxin = self.rebnconvin(x)
        hx1 = self.rebnconv1(hxin)
        hx2 = self.rebnconv2(hx1)
        hx3 = self.rebnconv3(hx2)
        hx4 = self.rebnconv4(hx3)
        hx3d = self.rebnconv3d(torch.cat((hx4, hx3), 1))
        hx2d = self.rebnconv2d(torch.cat((hx3d, hx2), 1))
        hx1d = self.rebnconv1d(torch.cat((hx2d, hx1), 1))
        return hx1d + hxin


def _stage(kind: str, in_ch: int, mid_ch: int, out_ch: int, batchnorm: bool) -> nn.Module:
    if kind == "4F":
        return RSU4F(in_ch, mid_ch, out_ch, batchnorm=batchnorm)
    return RSU(int(kind), in_ch, mid_ch, out_ch, batchnorm=batchnorm)


# (block, in, mid, out) per stage, from Table 1 of the paper / the released models.
U2NET_ENCODER = [("7", 3, 32, 64), ("6", 64, 32, 128), ("5", 128, 64, 256), ("4", 256, 128, 512),
                 ("4F", 512, 256, 512), ("4F", 512, 256, 512)]
U2NET_DECODER = [("4F", 1024, 256, 512), ("4", 1024, 128, 256), ("5", 512, 64, 128), ("6", 256, 32, 64),
                 ("7", 128, 16, 64)]
U2NETP_ENCODER = [("7", 3, 16, 64), ("6", 64, 16, 64), ("5", 64, 16, 64), ("4", 64, 16, 64),
                  ("4F", 64, 16, 64), ("4F", 64, 16, 64)]
U2NETP_DECODER = [("4F", 128, 16, 64), ("4", 128, 16, 64), ("5", 128, 16, 64), ("6", 128, 16, 64),
                  ("7", 128, 16, 64)]


class U2Net(nn.Module):
    """Six encoder stages, five decoder stages, six side outputs fused by a 1x1 conv.

    forward returns (fused, side1, ..., side6), all after sigmoid; only the fused map is used at
    inference, the sides are the deep supervision of training.
    """

    def __init__(self, encoder: list, decoder: list, batchnorm: bool = True) -> None:
        super().__init__()
        for i, (kind, cin, cmid, cout) in enumerate(encoder, start=1):
            setattr(self, f"stage{i}", _stage(kind, cin, cmid, cout, batchnorm))
            if i < len(encoder):
                setattr(self, f"pool{i}{i + 1}", _pool())
        for i, (kind, cin, cmid, cout) in zip(range(5, 0, -1), decoder, strict=True):
            setattr(self, f"stage{i}d", _stage(kind, cin, cmid, cout, batchnorm))
        side_in = [decoder[-1][3], decoder[-2][3], decoder[-3][3], decoder[-4][3], decoder[-5][3],
                   encoder[-1][3]]
        for i, cin in enumerate(side_in, start=1):
            setattr(self, f"side{i}", nn.Conv2d(cin, 1, 3, padding=1))
        self.outconv = nn.Conv2d(6, 1, 1)

    def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, ...]:
        enc = []
        hx = x
        for i in range(1, 7):
            if i > 1:
                hx = getattr(self, f"pool{i - 1}{i}")(enc[-1])
            enc.append(getattr(self, f"stage{i}")(hx))
        dec = {6: enc[5]}
        hx = enc[5]
        for i in range(5, 0, -1):
            up = _upsample_like(hx, enc[i - 1])
            hx = getattr(self, f"stage{i}d")(torch.cat((up, enc[i - 1]), 1))
            dec[i] = hx
        d1 = self.side1(dec[1])
        sides = [d1] + [_upsample_like(getattr(self, f"side{i}")(dec[i]), d1) for i in range(2, 7)]
        d0 = self.outconv(torch.cat(sides, 1))
        return tuple(torch.sigmoid(d) for d in (d0, *sides))


def u2net(batchnorm: bool = True) -> U2Net:
    """Full U²-Net (176 MB of fp32 weights)."""
    return U2Net(U2NET_ENCODER, U2NET_DECODER, batchnorm=batchnorm)


def u2netp(batchnorm: bool = True) -> U2Net:
    """U²-Netp, the 4.7 MB variant with 16 mid channels everywhere."""
    return U2Net(U2NETP_ENCODER, U2NETP_DECODER, batchnorm=batchnorm)
