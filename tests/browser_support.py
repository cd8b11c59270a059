"""The live app and a real Chromium, shared by every browser test.

The server is the production one (waitress) on a free loopback port; Chromium is Debian's, started
with a fresh profile and the flags this machine's closed network needs.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

CHROMIUM = os.environ.get("BGREMOVE_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WEBGPU_FLAGS = ["--enable-unsafe-webgpu", "--enable-features=Vulkan", "--use-angle=swiftshader",
                "--use-webgpu-adapter=swiftshader"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class LiveServer:
    url: str
    port: int
    _server: object = field(repr=False)

    def stop(self) -> None:
        self._server.close()


def start_server(app, host: str = "127.0.0.1") -> LiveServer:
    from waitress.server import create_server

    from server.cli import waitress_options

    port = free_port()
    server = create_server(app, host=host, port=port, **waitress_options())
    threading.Thread(target=server.run, daemon=True).start()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection((host, port), timeout=0.5).close()
            break
        except OSError:
            time.sleep(0.05)
    return LiveServer(url=f"http://{host}:{port}", port=port, _server=server)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    from server.app import create_app

    root = Path(__file__).resolve().parents[1]
    if not (root / "web" / "vendor" / "runtime.json").is_file():
        pytest.fail("web/vendor is not built: run `python -m webbuild` (setup does)")
    server = start_server(create_app())
    yield server
    server.stop()


@pytest.fixture(scope="session")
def playwright_instance():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install chromium)")
    with sync_playwright() as pw:
        yield pw


def launch_chromium(pw, *, webgpu: bool = False, extra_args: list[str] | None = None):
    """A fresh persistent profile per launch: nothing cached from an earlier test leaks in."""
    profile = tempfile.mkdtemp(prefix="bgremove-chromium-")
    args = CHROMIUM_FLAGS + (WEBGPU_FLAGS if webgpu else []) + (extra_args or [])
    context = pw.chromium.launch_persistent_context(
        profile, executable_path=CHROMIUM, headless=True, args=args,
        viewport={"width": 1280, "height": 900},
    )
    return context, profile


@pytest.fixture
def browser_context(playwright_instance):
    context, profile = launch_chromium(playwright_instance)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="session")
def shared_context(playwright_instance):
    """One browser for tests that only read state, so they do not each pay the engine's start."""
    context, profile = launch_chromium(playwright_instance)
    yield context
    context.close()
    shutil.rmtree(profile, ignore_errors=True)


class RequestLog:
    """Every request a page and its workers made, for same-origin and privacy assertions."""

    def __init__(self) -> None:
        self.requests: list = []

    def attach(self, context) -> None:
        context.on("request", lambda request: self.requests.append(request))

    def origins(self) -> set[str]:
        out = set()
        for req in self.requests:
            parts = urlsplit(req.url)
            if parts.scheme in ("blob", "data"):
                continue
            out.add(f"{parts.scheme}://{parts.netloc}")
        return out


def wait_for_ready(page, timeout_ms: int = 120_000) -> dict:
    page.wait_for_function("() => window.bgremoveReady !== undefined", timeout=timeout_ms)
    info = page.evaluate("() => window.bgremoveReady")
    if "error" in info:
        raise AssertionError(f"engine failed to start: {info['error']}")
    return info


def native_mask(image: Path, model_id: str, out_dir: Path) -> np.ndarray:
    """The reference CLI's mask for the same photo and model: the browser must agree with it."""
    cmd = [str(Path(sys.executable).with_name("bgremove")), "-q", "-o", str(out_dir), "--format", "mask",
           "--model", model_id, str(image)]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    with Image.open(out_dir / (image.stem + ".png")) as im:
        return np.asarray(im.convert("L"), dtype=np.float32) / 255


def assert_same_cutout(alpha: np.ndarray, reference: np.ndarray) -> None:
    assert alpha.shape == reference.shape
    # Not empty, not full, and the same cut as the native pipeline (JPEG decoders differ slightly).
    assert 0.01 < alpha.mean() < 0.99, alpha.mean()
    assert float(np.mean((alpha > 0.5) == (reference > 0.5))) > 0.98
    assert float(np.mean(np.abs(alpha - reference))) < 0.03
