"""A metrics endpoint on 127.0.0.1 that authenticates the way real targets do.

Three listeners share one policy:
- `plain`: HTTP;
- `tls`: HTTPS, a client certificate is checked when one is offered;
- `mtls`: HTTPS that requires a client certificate (etcd-like).

Every request must carry an identity (basic auth, a bearer token or JWT, or a client
certificate), except for hosts listed as open. No or bad credentials: 401. A known identity
that is not allowed: 403. An expired JWT: 401. Like Go's HTTPS servers, a TLS listener answers
a plain HTTP request with `400 Bad Request`; the plain listener answers a TLS ClientHello at
once with a plain `400`, which Go's client reports as "server gave HTTP response to HTTPS
client".
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.live import tokens
from tests.live.certs import Certificates

METRICS = (
    b"# HELP scrapelint_live_up A target of scrapelint's live tests.\n"
    b"# TYPE scrapelint_live_up gauge\n"
    b"scrapelint_live_up 1\n"
)
TLS_RECORD_HANDSHAKE = b"\x16"
IDLE_SECONDS = 10


@dataclass
class Policy:
    passwords: dict[str, set[str]]  # basic auth: username -> the passwords it accepts
    tokens: dict[str, str]  # static bearer token -> identity
    jwt_secret: bytes
    allowed: frozenset[str]  # identities answered 200; other known identities get 403
    open_hosts: set[str] = field(default_factory=set)  # host names that need no credentials

    def authenticate(
        self, authorization: str | None, peer_name: str | None
    ) -> tuple[str | None, str]:
        """(identity, "") or (None, why the credentials were refused)."""
        if authorization is not None:
            scheme, _, value = authorization.partition(" ")
            scheme, value = scheme.lower(), value.strip()
            if scheme == "basic":
                try:
                    user, _, password = base64.b64decode(value).decode().partition(":")
                except (binascii.Error, UnicodeDecodeError):
                    return None, "malformed basic auth"
                if password in self.passwords.get(user, set()):
                    return user, ""
                return None, "wrong username or password"
            if scheme == "bearer":
                if not value:
                    return None, "empty bearer token"
                if value in self.tokens:
                    return self.tokens[value], ""
                try:
                    return tokens.verify(value, self.jwt_secret), ""
                except tokens.Invalid as error:
                    return None, str(error)
            return None, f"unsupported authorization scheme {scheme!r}"
        if peer_name is not None:
            return peer_name, ""
        return None, "no credentials"


@dataclass(frozen=True)
class Seen:
    """One request as the server saw it (what a packet capture on that hop would show)."""

    listener: str
    host: str
    path: str
    authorization: str | None
    identity: str | None
    status: int


class _Handler(BaseHTTPRequestHandler):
    server: _Listener
    protocol_version = "HTTP/1.1"
    timeout = IDLE_SECONDS

    def do_GET(self) -> None:
        owner = self.server.owner
        host = (self.headers.get("Host") or "").rsplit(":", 1)[0].lower()
        authorization = self.headers.get("Authorization")
        identity: str | None = None
        if host in owner.policy.open_hosts:
            status, body = 200, METRICS
        else:
            identity, problem = owner.policy.authenticate(authorization, self._peer_name())
            if identity is None:
                status, body = 401, f"401 Unauthorized: {problem}\n".encode()
            elif identity in owner.policy.allowed:
                status, body = 200, METRICS
            else:
                status, body = 403, f"403 Forbidden: {identity} may not read metrics\n".encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.send_header("Content-Length", str(len(body)))
        if status == 401:
            self.send_header("WWW-Authenticate", 'Basic realm="scrapelint"')
        if self.close_connection:  # the request said `Connection: close` (the proxy does)
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        owner.record(Seen(self.server.name, host, self.path, authorization, identity, status))

    def _peer_name(self) -> str | None:
        if not isinstance(self.connection, ssl.SSLSocket):
            return None
        peer: Any = self.connection.getpeercert()
        for entry in (peer or {}).get("subject", ()):
            for key, value in entry:
                if key == "commonName":
                    return str(value)
        return None

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the requests are recorded in `TargetServer.seen`."""


class _Listener(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: TargetServer, name: str, context: ssl.SSLContext | None) -> None:
        self.owner = owner
        self.name = name
        self.context = context
        super().__init__(("127.0.0.1", 0), _Handler)

    def finish_request(self, request: Any, client_address: Any) -> None:
        connection: socket.socket = request
        connection.settimeout(IDLE_SECONDS)
        try:
            first = connection.recv(1, socket.MSG_PEEK)
        except OSError:
            return
        speaks_tls = first == TLS_RECORD_HANDSHAKE
        if self.context is None:
            if speaks_tls:
                _answer_400(connection, "This port speaks plain HTTP, not TLS.")
                return
            super().finish_request(connection, client_address)
            return
        if not speaks_tls:
            _answer_400(connection, "Client sent an HTTP request to an HTTPS server.")
            return
        secured = self.context.wrap_socket(
            connection, server_side=True, do_handshake_on_connect=False
        )
        try:
            secured.do_handshake()
        except (ssl.SSLError, OSError):
            # Refused (no or untrusted client certificate): OpenSSL has written its alert. In
            # TLS 1.3 the client may already be sending its request; a plain close would
            # reset the connection before the client reads the alert.
            _close_gracefully(socket.socket(fileno=secured.detach()))
            return
        try:
            super().finish_request(secured, client_address)
        finally:
            secured.close()


def _answer_400(connection: socket.socket, text: str) -> None:
    body = (text + "\n").encode()
    head = f"HTTP/1.0 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: {len(body)}"
    with contextlib.suppress(OSError):
        connection.sendall(head.encode() + b"\r\nConnection: close\r\n\r\n" + body)
    _close_gracefully(connection)


def _close_gracefully(connection: socket.socket) -> None:
    """Say we are done, read what the client still sends (briefly), then close: closing with
    unread data would send a reset, and the client might never see our answer."""
    with contextlib.suppress(OSError):
        connection.shutdown(socket.SHUT_WR)
        connection.settimeout(0.5)
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and connection.recv(65536):
            pass
    connection.close()


class TargetServer:
    """The three listeners; `ports` maps listener name to its port on 127.0.0.1."""

    def __init__(self, policy: Policy, certificates: Certificates) -> None:
        self.policy = policy
        self.seen: list[Seen] = []
        self._lock = threading.Lock()
        self._listeners = [
            _Listener(self, "plain", None),
            _Listener(self, "tls", _context(certificates, ssl.CERT_OPTIONAL)),
            _Listener(self, "mtls", _context(certificates, ssl.CERT_REQUIRED)),
        ]
        self._threads: list[threading.Thread] = []

    @property
    def ports(self) -> dict[str, int]:
        return {listener.name: listener.server_address[1] for listener in self._listeners}

    def record(self, seen: Seen) -> None:
        with self._lock:
            self.seen.append(seen)

    def requests(self, predicate: Callable[[Seen], bool]) -> list[Seen]:
        with self._lock:
            return [seen for seen in self.seen if predicate(seen)]

    def start(self) -> None:
        for listener in self._listeners:
            thread = threading.Thread(
                target=listener.serve_forever,
                kwargs={"poll_interval": 0.1},
                name=f"live-{listener.name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        for listener in self._listeners:
            if self._threads:  # shutdown() waits for serve_forever(), which must have started
                listener.shutdown()
            listener.server_close()
        for thread in self._threads:
            thread.join(timeout=5)


def _context(certificates: Certificates, verify: ssl.VerifyMode) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(certificates.server.cert, certificates.server.key)
    context.load_verify_locations(cafile=certificates.ca)
    context.verify_mode = verify
    return context
