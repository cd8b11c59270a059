"""The WebGPU backend in Chromium on SwiftShader (a software adapter: no shader-f16, so fp32).

SwiftShader runs u2netp at about five minutes per 320x320 inference on this 2-core VM, so only one
photo goes through WebGPU here; its mask is compared with the native CLI on the same fp32 model
(measured: mean 0.000/255, max 1/255, from float rounding differences between GPU shaders and
the CPU kernels).
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

from tests.browser_support import RequestLog, launch_chromium, wait_for_ready
from tests.test_browser_api import (
    MAX_BOUND,
    MEAN_BOUND,
    create_remover,
    mask_diff,
    mask_from_png,
    remove_in_page,
    run_cli,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture(scope="module")
def gpu_page(live_server, playwright_instance):
    context, profile = launch_chromium(playwright_instance, webgpu=True)
    log = RequestLog()
    log.attach(context)
    page = context.new_page()
    page.goto(live_server.url + "/")
    info = wait_for_ready(page)
    yield page, info, log
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


def test_auto_skips_a_software_adapter(gpu_page):
    _, info, _ = gpu_page
    gpu = info["backends"]["webgpu"]
    if not gpu["available"]:
        pytest.fail(f"SwiftShader WebGPU did not start: {gpu['reason']}")
    assert gpu["fallback"] is True
    assert info["backend"] == "wasm"
    assert "software" in info["backendReason"]


def test_forced_webgpu_matches_native_cli(gpu_page, dev_ten, tmp_path, live_server):
    page, _, log = gpu_page
    info = create_remover(page, "gpuRemover", backend="webgpu")
    assert info["backend"] == "webgpu"
    # No shader-f16 on SwiftShader, so the fp32 model is chosen.
    assert info["backends"]["webgpu"]["shaderF16"] is False
    assert info["model"]["id"] == "u2netp-fp32"
    image = dev_ten[0].image
    # One model pass: SwiftShader needs minutes per inference, and the mirror/crop passes would
    # multiply that without testing anything more about the WebGPU backend.
    single = {"format": "mask", "mirror": False, "crop": False}
    r = remove_in_page(page, "gpuRemover", image, single)
    assert r["backend"] == "webgpu"
    native = run_cli([image], tmp_path, "u2netp-fp32", "--format", "mask", "--no-mirror", "--no-crop")
    with Image.open(native[image.stem]) as img:
        mean, worst = mask_diff(mask_from_png(r["bytes"]), np.asarray(img))
    print(f"\nWebGPU fp32 vs CLI on {image.name}: mean {mean * 255:.3f}/255, max {worst * 255:.0f}/255, "
          f"inference {r['timings']['inference']:.0f} ms")
    assert mean <= MEAN_BOUND and worst <= MAX_BOUND
    assert log.origins() == {live_server.url}, log.origins()


def test_forced_fp16_without_shader_f16_is_refused(gpu_page):
    page, _, _ = gpu_page
    msg = page.evaluate(
        "async () => { try { await BgRemover.create({model: 'u2netp-fp16', backend: 'webgpu'}); }"
        " catch (e) { return e.message; } return null; }"
    )
    assert msg and "shader-f16" in msg, msg
