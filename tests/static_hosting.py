"""The app served two ways for the same browser flows: by our Flask server, and as the static export
(`python -m webbuild --static`) served by Debian's nginx with the configuration the export wrote
(Debian's Caddy with the export's Caddyfile is compared header by header in test_static_export).

The servers run as foreground processes this module owns, on a free loopback port, with their
prefix (pid, logs, temp files) in a temporary folder; as root they drop to `nobody`, so the exported
folder lives in a world-readable temporary folder rather than pytest's private one.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.browser_support import free_port, start_server
from webbuild import server_configs
from webbuild.server_configs import NGINX_BROTLI_MODULE
from webbuild.static_export import export_static

NGINX = os.environ.get("BGREMOVE_NGINX", "/usr/sbin/nginx")
CADDY = os.environ.get("BGREMOVE_CADDY", "/usr/bin/caddy")
BACKENDS = ("flask", "nginx")


def require_nginx() -> None:
    if not Path(NGINX).exists() or not Path(NGINX_BROTLI_MODULE).exists():
        pytest.fail(f"nginx or its brotli_static module is missing ({NGINX}, {NGINX_BROTLI_MODULE}): "
                    "apt-get install nginx libnginx-mod-http-brotli-static (or set BGREMOVE_NGINX)")


def require_caddy() -> None:
    if not Path(CADDY).exists():
        pytest.fail(f"Caddy not found at {CADDY}: apt-get install caddy (or set BGREMOVE_CADDY)")


def public_tmp() -> Path:
    """A temporary folder an unprivileged nginx worker can read."""
    path = Path(tempfile.mkdtemp(prefix="bgremove-static-"))
    path.chmod(0o755)
    return path


@dataclass
class NginxServer:
    url: str
    port: int
    prefix: Path
    process: subprocess.Popen = field(repr=False)

    def stop(self) -> None:
        if self.process.poll() is None:
            # QUIT: graceful stop; the master waits for its worker and removes its pid file.
            self.process.send_signal(signal.SIGQUIT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def error_log(self) -> str:
        log = self.prefix / "logs" / "error.log"
        return log.read_text() if log.is_file() else ""


def _unprivileged(prefix: Path, *subdirs: str) -> dict:
    """Popen arguments that run a server as nobody when we are root, owning only its prefix."""
    for sub in subdirs:
        (prefix / sub).mkdir(exist_ok=True)
    if os.geteuid() != 0:
        return {}
    for path in (prefix, *(prefix / sub for sub in subdirs)):
        shutil.chown(path, "nobody", "nogroup")
    return {"user": "nobody", "group": "nogroup", "extra_groups": []}


def _wait_listening(server: NginxServer, name: str) -> NginxServer:
    process, port = server.process, server.port
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if process.poll() is not None:
            err = process.stderr.read().decode() if process.stderr else ""
            pytest.fail(f"{name} exited with {process.returncode}: {err}\n{server.error_log()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return server
        except OSError:
            time.sleep(0.05)
    server.stop()
    pytest.fail(f"{name} did not listen on {port} within 20 s:\n{server.error_log()}")


def start_caddy(site: Path, plan, prefix: Path) -> NginxServer:
    """Caddy in the foreground with the export's Caddyfile on a loopback port (admin API off)."""
    require_caddy()
    port = free_port()
    config = prefix / "Caddyfile"
    config.write_text("{\n\tadmin off\n}\n"
                      + server_configs.caddyfile(plan, str(site), f"http://127.0.0.1:{port}"))
    privileges = _unprivileged(prefix, "logs", "data", "config")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(prefix),
           "XDG_DATA_HOME": str(prefix / "data"), "XDG_CONFIG_HOME": str(prefix / "config")}
    cmd = [CADDY, "run", "--config", str(config), "--adapter", "caddyfile"]
    with (prefix / "logs" / "error.log").open("wb") as log:
        process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=log, env=env, **privileges)
    server = NginxServer(url=f"http://127.0.0.1:{port}", port=port, prefix=prefix, process=process)
    return _wait_listening(server, "caddy")


def start_nginx(site: Path, plan, prefix: Path) -> NginxServer:
    """nginx in the foreground, serving `site` with the configs rendered from `plan`."""
    require_nginx()
    port = free_port()
    write_nginx_configs(prefix, site, plan, port)
    # Never a root web server, even in a test: as root the whole process tree runs as nobody.
    privileges = _unprivileged(prefix, "logs", "tmp")
    cmd = [NGINX, "-p", str(prefix), "-c", "nginx.conf", "-e", "logs/error.log", "-g", "daemon off;"]
    process = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **privileges)
    server = NginxServer(url=f"http://127.0.0.1:{port}", port=port, prefix=prefix, process=process)
    return _wait_listening(server, "nginx")


def write_nginx_configs(prefix: Path, site: Path, plan, port: int) -> str:
    """The export's nginx.conf and bgremove.conf for a loopback port; returns bgremove.conf's text."""
    text = server_configs.nginx_server(plan, str(site), f"127.0.0.1:{port}")
    (prefix / "bgremove.conf").write_text(text)
    (prefix / "nginx.conf").write_text(server_configs.nginx_standalone())
    return text


class StaticDeploy:
    """A web/ folder exported and served by nginx; redeploy() exports it again, as a deploy would."""

    def __init__(self, web: Path, frame_ancestors: str = "'self'") -> None:
        self.web = web
        self.frame_ancestors = frame_ancestors
        self.root = public_tmp()
        self.out = self.root / "export"
        self.plan = export_static(self.out, frame_ancestors, web_root=web, link=True, log=lambda *a: None)
        prefix = self.root / "prefix"
        prefix.mkdir()
        self.server = start_nginx(self.out / "site", self.plan, prefix)
        self.url, self.port = self.server.url, self.server.port

    @property
    def site(self) -> Path:
        return self.out / "site"

    def redeploy(self) -> None:
        self.plan = export_static(self.out, self.frame_ancestors, web_root=self.web, link=True,
                                  log=lambda *a: None)
        before = (self.server.prefix / "bgremove.conf").read_text()
        if write_nginx_configs(self.server.prefix, self.site, self.plan, self.port) != before:
            self.server.process.send_signal(signal.SIGHUP)
            time.sleep(1)

    def stop(self) -> None:
        self.server.stop()
        shutil.rmtree(self.root, ignore_errors=True)


class FlaskDeploy:
    """Our own server on the live folder: a deploy is the files changing under it."""

    def __init__(self, web: Path, frame_ancestors: str = "'self'") -> None:
        from server.app import create_app

        self.server = start_server(create_app(web_root=web, frame_ancestors=frame_ancestors))
        self.url, self.port = self.server.url, self.server.port

    def redeploy(self) -> None:
        pass

    def stop(self) -> None:
        self.server.stop()


def deploy(backend: str, web: Path, frame_ancestors: str = "'self'") -> StaticDeploy | FlaskDeploy:
    if backend == "nginx":
        return StaticDeploy(web, frame_ancestors)
    if backend == "flask":
        return FlaskDeploy(web, frame_ancestors)
    raise ValueError(backend)
