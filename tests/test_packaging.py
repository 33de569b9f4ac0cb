"""The built wheel carries the rule catalogue, and the installed package finds it."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.helpers import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        check=False,
    )
    if build.returncode != 0:
        pytest.fail(f"wheel build failed:\n{build.stderr}")
    return next(out.glob("scrapelint-*.whl"))


def test_wheel_contains_every_rule_page(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    pages = {f"scrapelint/rules/{p.name}" for p in (REPO / "rules").glob("SL*.md")}
    assert pages and pages <= names


def test_installed_wheel_reads_its_own_catalogue(wheel: Path, tmp_path: Path) -> None:
    zipfile.ZipFile(wheel).extractall(tmp_path / "site")
    code = (
        "import scrapelint.registry as r; "
        "print(r.rules_dir()); print(len(r.rules()), len(r.checks()))"
    )
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "site")}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr
    where, counts = run.stdout.splitlines()
    assert Path(where) == tmp_path / "site" / "scrapelint" / "rules"
    pages, checks = counts.split()
    assert pages == checks != "0"
