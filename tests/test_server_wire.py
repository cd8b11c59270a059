"""The production server (waitress with our limits) against odd and hostile requests, over a socket."""

from __future__ import annotations

import socket

import pytest


def raw_request(port: int, payload: bytes, timeout: float = 10) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(payload)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except (ConnectionResetError, TimeoutError):
            pass
    return data


def status_of(data: bytes) -> int:
    return int(data.split(b" ", 2)[1])


@pytest.mark.parametrize("raw_path", [
    "/..%2f..%2fetc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
    "/../../etc/passwd",
    "/vendor/%2e%2e/%2e%2e/pyproject.toml",
    "/..%5cpyproject.toml",
    "/%c0%ae%c0%ae/pyproject.toml",
    "/" + "a/" * 2000,
])
def test_traversal_over_the_wire(live_server, raw_path):
    data = raw_request(live_server.port,
                       f"GET {raw_path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode())
    assert status_of(data) in (400, 404), data[:200]
    assert b"root:" not in data and b"[build-system]" not in data


def test_huge_header_is_refused(live_server):
    big = "x" * (64 * 1024)
    data = raw_request(live_server.port,
                       f"GET / HTTP/1.1\r\nHost: localhost\r\nX-Big: {big}\r\n"
                       "Connection: close\r\n\r\n".encode())
    assert status_of(data) == 431


def test_many_headers_are_refused(live_server):
    headers = "".join(f"X-H{i}: {'v' * 40}\r\n" for i in range(2000))
    data = raw_request(live_server.port,
                       f"GET / HTTP/1.1\r\nHost: localhost\r\n{headers}Connection: close\r\n\r\n".encode())
    assert status_of(data) == 431


@pytest.mark.parametrize("payload", [
    b"GARBAGE\r\n\r\n",
    b"GET\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
    b"GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64 + b"\r\n\r\n",
])
def test_malformed_requests_get_an_error_not_a_crash(live_server, payload):
    data = raw_request(live_server.port, payload)
    # Either a well-formed HTTP answer (waitress serves unknown versions as HTTP/1.0) or a closed
    # connection; never a hang, a traceback or a dead server.
    if data:
        assert data.startswith(b"HTTP/1."), data[:100]
        assert b"Traceback" not in data
    # The server is still alive and serving afterwards.
    ok = raw_request(live_server.port, b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_of(ok) == 200


def test_upload_attempt_is_refused_before_the_body(live_server):
    body = b"\xff\xd8\xff\xe0" + b"\x00" * (4 * 1024 * 1024)
    head = (f"POST /upload HTTP/1.1\r\nHost: x\r\nContent-Type: image/jpeg\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    data = raw_request(live_server.port, head + body[:65536])
    assert status_of(data) in (405, 413)
