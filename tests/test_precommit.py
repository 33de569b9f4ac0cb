"""The hook as users get it: real `pre-commit try-repo` against this repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

BAD = """\
scrape_configs:
  - job_name: node
    scheme: https
    basic_auth:
      username: prometheus
      password_file: /etc/prometheus/password
    authorization:
      credentials_file: /etc/prometheus/token
    static_configs:
      - targets: ["node:9100"]
"""
GOOD = """\
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["localhost:9100"]
"""


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.fixture
def user_repo(tmp_path: Path, git: str) -> Path:
    repo = tmp_path / "user"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "prometheus.yml").write_text(BAD, encoding="utf-8")
    (repo / "prometheus-good.yml").write_text(GOOD, encoding="utf-8")
    (repo / "values.yaml").write_text("replicas: 2\n", encoding="utf-8")
    # A settings file makes the installed hook validate settings (jsonschema must be installed).
    (repo / ".scrapelint.yaml").write_text("ignore: [SL107]\n", encoding="utf-8")
    _git(repo, "add", ".")
    return repo


def test_try_repo_reports_the_bad_config_only(user_repo: Path, tmp_path: Path) -> None:
    if subprocess.run(["git", "status"], cwd=REPO, capture_output=True).returncode != 0:
        pytest.skip("the scrapelint checkout is not a git repository")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pre_commit",
            "try-repo",
            str(REPO),
            "scrapelint",
            "--all-files",
            "--verbose",
        ],
        cwd=user_repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    reported = re.findall(r"^(\S+?):\d+:\d+: \w+ (SL\d{3}) ", output, re.MULTILINE)
    assert reported == [("prometheus.yml", "SL103")], output
    assert "values.yaml" not in output
