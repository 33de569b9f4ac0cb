"""No secret value reaches any output: canaries in every secret-bearing place."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scrapelint.reporters import FORMATS

CANARY = "CANARY7f3a"
# Each line plants a distinct canary next to a mistake, so findings quote these lines.
CONFIG = f"""\
scrape_configs:
  - job_name: inline-everything
    scheme: http
    basic_auth:
      username: user
      password: {CANARY}01
      password_file: /etc/prometheus/password
    authorization:
      type: Basic
      credentials: {CANARY}02
    bearer_token: {CANARY}03
    oauth2:
      client_secret: {CANARY}04
      client_secret_file: /etc/oauth
      endpoint_params:
        password: {CANARY}05
    tls_config:
      key: {CANARY}06
    http_headers:
      X-Api-Key:
        secrets: [{CANARY}07]
    passwrod: {CANARY}08
    params:
      token: [{CANARY}09]
    proxy_url: http://proxyuser:{CANARY}10@proxy:3128
    proxy_connect_header:
      Proxy-Authorization: [{CANARY}11]
    static_configs:
      - targets: ["user:{CANARY}12@10.0.0.1:10250"]
    consul_sd_configs:
      - server: consul:8500
        token: {CANARY}13
        authorization: {{credentials: {CANARY}14}}
    marathon_sd_configs:
      - servers: [https://marathon:8080]
        auth_token: {CANARY}15
        auth_token_file: /etc/marathon
        basic_auth: {{username: u, password: {CANARY}16}}
  - job_name: duplicate
    basic_auth:
      username: u
      password: {CANARY}17
      password: {CANARY}18
  - job_name: typed
    basic_auth:
      username: u
      password: [{CANARY}23]
    authorization:
      credentials: {{nested: {CANARY}24}}
remote_write:
  - url: https://writer:{CANARY}19@metrics.example.com/push
    headers:
      Authorization: Bearer {CANARY}20
    sigv4:
      access_key: AKIA{CANARY}21
    basic_auth: {{username: u, password: {CANARY}22}}
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("canary") / "prometheus.yml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_the_canary_config_has_findings_on_the_secret_lines(config: Path) -> None:
    run = _scrapelint("check", "--format", "concise", str(config))
    lines_with_findings = {int(m) for m in re.findall(r"^\S+?:(\d+):", run.stdout, re.M)}
    canary_lines = {n for n, text in enumerate(CONFIG.splitlines(), 1) if CANARY in text}
    # Enough secret lines are quoted for the masking to be exercised, not just skipped.
    assert len(lines_with_findings & canary_lines) >= 8


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_canary_in_any_format(config: Path, output_format: str) -> None:
    run = _scrapelint("check", "--format", output_format, str(config))
    assert run.returncode == 1
    assert CANARY not in run.stdout + run.stderr


def test_masked_snippet_keeps_the_key(config: Path) -> None:
    run = _scrapelint("check", "--select", "SL002", str(config))
    assert "passwrod: ********" in run.stdout


def _scrapelint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapelint", *args], capture_output=True, text=True, check=False
    )
