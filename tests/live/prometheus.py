"""The real `prometheus` binary on 127.0.0.1, with its own port, storage and config."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

START_SECONDS = 30
STOP_SECONDS = 10

# Never send our own requests through a proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class PrometheusProcess:
    """Start with `start()`, always `stop()` (also safe when start failed)."""

    def __init__(
        self, binary: str, folder: Path, config: Path, env: dict[str, str] | None = None
    ) -> None:
        self.binary = binary
        self.env = env
        self.folder = folder
        self.config = config
        self.port = free_port()
        self.log_path = folder / "prometheus.log"
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        storage = self.folder / "data"
        storage.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self._process = subprocess.Popen(
                [
                    self.binary,
                    f"--config.file={self.config}",
                    f"--storage.tsdb.path={storage}",
                    f"--web.listen-address=127.0.0.1:{self.port}",
                    "--log.level=debug",
                ],
                cwd=self.folder,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=self._environment(),
            )
        self.wait(lambda: self._ready(), START_SECONDS, "Prometheus to become ready")

    def _environment(self) -> dict[str, str]:
        """Ours plus `env`, without proxy variables (every job names its proxy itself)."""
        proxies = {"http_proxy", "https_proxy", "no_proxy", "all_proxy"}
        kept = {k: v for k, v in os.environ.items() if k.lower() not in proxies}
        return {**kept, **(self.env or {})}

    def _ready(self) -> bool:
        if self._process is not None and self._process.poll() is not None:
            raise RuntimeError(
                f"prometheus exited with {self._process.returncode}:\n{self.log()[-4000:]}"
            )
        try:
            with _OPENER.open(f"{self.url}/-/ready", timeout=2) as response:
                return bool(response.status == 200)
        except (urllib.error.URLError, OSError):
            return False

    def get(self, path: str) -> Any:
        with _OPENER.open(f"{self.url}{path}", timeout=5) as response:
            return json.load(response)

    def active_targets(self) -> list[dict[str, Any]]:
        targets: list[dict[str, Any]] = self.get("/api/v1/targets?state=active")["data"][
            "activeTargets"
        ]
        return targets

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    @staticmethod
    def wait(condition: Callable[[], bool], seconds: float, what: str) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(f"waited {seconds}s for {what}")
            time.sleep(0.2)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_SECONDS)
