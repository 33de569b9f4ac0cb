"""A forward proxy on 127.0.0.1 that stands in for the network between Prometheus and its targets.

Live jobs set `proxy_url` to it and name realistic targets (`node1.example.internal:10250`), so
scrapelint judges them as it would a deployment (loopback targets are exempt from some rules)
while every connection really ends at a loopback listener chosen by the target's port. It also
records what crossed the hop in clear: for an http target the whole request, `Authorization`
header included; for an https target only `CONNECT host:port`, the rest being inside TLS.
"""

from __future__ import annotations

import select
import socket
import socketserver
import threading
from dataclasses import dataclass
from urllib.parse import urlsplit

HEAD_LIMIT = 64 * 1024
IDLE_SECONDS = 10


@dataclass(frozen=True)
class Hop:
    """A request head as the proxy received it."""

    method: str
    target: str  # absolute URL for http, host:port for CONNECT
    host: str
    port: int
    headers: tuple[tuple[str, str], ...]

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key.lower() == name.lower():
                return value
        return None


class _Handler(socketserver.BaseRequestHandler):
    server: _ProxyServer

    def handle(self) -> None:
        client: socket.socket = self.request
        client.settimeout(IDLE_SECONDS)
        head, rest = _read_head(client)
        if head is None:
            return
        lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = lines[0].split(" ", 2)
        except ValueError:
            return
        headers = tuple(
            (name.strip(), value.strip())
            for name, _, value in (line.partition(":") for line in lines[1:] if line)
        )
        if method == "CONNECT":
            host, _, port_text = target.rpartition(":")
            port = int(port_text) if port_text.isdigit() else 443
        else:
            url = urlsplit(target)
            host, port = url.hostname or "", url.port or 80
        hop = Hop(method, target, host.lower(), port, headers)
        self.server.owner.record(hop)
        backend = self.server.owner.route(port)
        if backend is None:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        try:
            upstream = socket.create_connection(("127.0.0.1", backend), timeout=IDLE_SECONDS)
        except OSError:
            client.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        with upstream:
            if method == "CONNECT":
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest:
                    upstream.sendall(rest)
            else:
                url = urlsplit(target)
                path = (url.path or "/") + (f"?{url.query}" if url.query else "")
                kept = [
                    f"{name}: {value}"
                    for name, value in headers
                    if not name.lower().startswith("proxy-") and name.lower() != "connection"
                ]
                forwarded = "\r\n".join([f"{method} {path} {version}", *kept, "Connection: close"])
                upstream.sendall(forwarded.encode("latin-1") + b"\r\n\r\n" + rest)
            _relay(client, upstream)


def _read_head(connection: socket.socket) -> tuple[bytes | None, bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        try:
            chunk = connection.recv(4096)
        except OSError:
            return None, b""
        if not chunk or len(data) > HEAD_LIMIT:
            return None, b""
        data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def _relay(one: socket.socket, other: socket.socket) -> None:
    """Copy bytes both ways until either side closes or nothing moves for IDLE_SECONDS."""
    peers = {one: other, other: one}
    while True:
        readable, _, _ = select.select(list(peers), [], [], IDLE_SECONDS)
        if not readable:
            return
        for source in readable:
            try:
                data = source.recv(65536)
            except OSError:
                return
            if not data:
                return
            try:
                peers[source].sendall(data)
            except OSError:
                return


class _ProxyServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, owner: VirtualNetwork) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)


class VirtualNetwork:
    """The proxy; `routes` maps a target port to the loopback port that answers it."""

    def __init__(self, routes: dict[int, int]) -> None:
        self.routes = dict(routes)
        self.hops: list[Hop] = []
        self._lock = threading.Lock()
        self._server = _ProxyServer(self)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def route(self, port: int) -> int | None:
        return self.routes.get(port)

    def record(self, hop: Hop) -> None:
        with self._lock:
            self.hops.append(hop)

    def seen(self, host: str, port: int | None = None) -> list[Hop]:
        """What crossed the proxy for `host` (and `port`, when given)."""
        with self._lock:
            return [
                hop
                for hop in self.hops
                if hop.host == host.lower() and (port is None or hop.port == port)
            ]

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="live-proxy",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
