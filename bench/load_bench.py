"""Bounded load test of the production server on loopback, with wrk (Debian package `wrk`).

    .venv/bin/python bench/load_bench.py [--duration 10] [--connections 32]

Starts `bgremove-serve` on a free 127.0.0.1 port, runs wrk for a fixed duration against the page
and the largest served asset (as a browser asks for it, brotli accepted), prints a markdown table
of throughput and p99 latency, and stops the server. Traffic never leaves the loopback interface.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def largest_asset() -> str:
    runtime = json.loads((ROOT / "web" / "vendor" / "runtime.json").read_text())
    return max(runtime["files"], key=lambda f: f["bytes"])["path"]


def run_wrk(url: str, duration: int, connections: int, threads: int) -> dict:
    cmd = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency",
           "-H", "Accept-Encoding: br, gzip", url]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, timeout=duration + 30).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    transfer = re.search(r"Transfer/sec:\s+([\d.]+)(\w+)", out)
    p99 = re.search(r"99%\s+([\d.]+)(\w+)", out)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "transfer": f"{transfer.group(1)} {transfer.group(2)}/s",
        "p99": f"{p99.group(1)} {p99.group(2)}",
        "non_2xx": int(errors.group(1)) if errors else 0,
        "raw": out,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10, help="seconds per target (bounded)")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        print("wrk not found: apt-get install wrk", file=sys.stderr)
        return 2
    port = free_port()
    server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "bgremove-serve"), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                time.sleep(0.1)
        base = f"http://127.0.0.1:{port}"
        big = largest_asset()
        targets = [("page `/`", "/"), (f"largest asset `{big.rsplit('/', 1)[1]}` (br)", big)]
        print(f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s, waitress 8 threads\n")
        print("| target | requests/s | transfer | p99 latency | non-2xx |")
        print("|---|---|---|---|---|")
        for label, path in targets:
            r = run_wrk(base + path, args.duration, args.connections, args.threads)
            print(f"| {label} | {r['rps']:.0f} | {r['transfer']} | {r['p99']} | {r['non_2xx']} |")
    finally:
        server.terminate()
        server.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
