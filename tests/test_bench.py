"""The benchmark script runs end to end (its numbers are read by people, never asserted here)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.live import binaries

REPO = Path(__file__).resolve().parent.parent


def test_benchmark_prints_its_table_and_verdicts() -> None:
    promtool = binaries.find("promtool")
    scrapelint = Path(sys.executable).parent / "scrapelint"
    if not scrapelint.exists():
        pytest.skip(f"no scrapelint console script beside {sys.executable}")
    run = subprocess.run(
        [sys.executable, str(REPO / "bench" / "run.py"), "--jobs", "10", "2000", "--runs", "1",
         "--scrapelint", str(scrapelint), "--promtool", promtool],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    rows = [line for line in run.stdout.splitlines() if line.startswith("| ")]
    assert [row.split(" | ")[2] for row in rows[1:]] == [
        "scrapelint",
        "scrapelint",
        "scrapelint, 1 process",
    ]
    assert "budget (3x): 10 jobs:" in run.stdout
