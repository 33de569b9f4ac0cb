"""Benchmark: scrapelint against `promtool check config` on the same files, in the same run.

    python -m venv /tmp/sl && /tmp/sl/bin/pip install .       # compiled bytecode, as users get it
    python bench/run.py --scrapelint /tmp/sl/bin/scrapelint   # 10, 1,000 and 10,000 jobs

For each size it generates a config with bench/generate.py (http_sd flavour: Debian's promtool
has no Kubernetes discovery), then runs both commands alternately, whole process from start to
exit, and prints per size the median and minimum wall time, the median CPU time (user + system),
the peak resident memory of each, and the ratios of scrapelint to promtool (medians of the same
run). A last line checks that time grows linearly with the number of jobs. The budgets are
DESIGN §4's: 10 jobs at most 3x promtool, 10,000 jobs at most 1.0x and under 250 MB.

Timing lives here, never in the tests: the numbers depend on the machine and its load, which is
why both programs are measured in one interleaved run and only their ratio is compared.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # bench/generate.py, beside this file

DEFAULT_RUNS = {10: 40, 1000: 10, 10000: 5}
BUDGET_SMALL, BUDGET_LARGE, BUDGET_MB = 3.0, 1.0, 250


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds
    rss_mb: float  # peak resident set size
    code: int


class Summary(NamedTuple):
    median: float
    minimum: float
    cpu: float
    rss_mb: float


def run_once(command: Sequence[str], cwd: Path) -> Sample:
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    # ru_maxrss is in kilobytes on Linux, bytes on macOS.
    scale = 1024 * 1024 if sys.platform == "darwin" else 1024
    return Sample(
        wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / scale, process.returncode
    )


def summarise(samples: list[Sample]) -> Summary:
    return Summary(
        statistics.median(s.wall for s in samples),
        min(s.wall for s in samples),
        statistics.median(s.cpu for s in samples),
        max(s.rss_mb for s in samples),
    )


def measure(
    commands: dict[str, list[str]], cwd: Path, runs: int, warmup: int = 2
) -> dict[str, Summary]:
    """Run the commands alternately (so that load changes hit both alike)."""
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for round_number in range(warmup + runs):
        order = list(commands.items())
        if round_number % 2:
            order.reverse()
        for name, command in order:
            sample = run_once(command, cwd)
            if sample.code not in (0, 1):
                raise SystemExit(f"{name} failed ({sample.code}): {' '.join(command)}")
            if round_number >= warmup:
                samples[name].append(sample)
    return {name: summarise(found) for name, found in samples.items()}


def hyperfine_medians(
    commands: dict[str, list[str]], cwd: Path, runs: int, hyperfine: str
) -> dict[str, tuple[float, float]]:
    """(median, minimum) wall seconds per command from hyperfine, which adds no shell and less
    overhead of its own than a Python parent does."""
    import json

    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(
            [hyperfine, "-N", "--warmup", "3", "--runs", str(runs), "--export-json",
             export.name, "--style", "none",
             *(" ".join(command) for command in commands.values())],
            cwd=cwd, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with open(export.name, encoding="utf-8") as stream:
            found = json.load(stream)["results"]
    return {
        name: (result["median"], result["min"])
        for name, result in zip(commands, found, strict=True)
    }


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            for line in info:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    system = platform.platform(terse=True)
    return f"{cpu}, {os.cpu_count()} cores, {system}, Python {platform.python_version()}"


def version(command: list[str]) -> str:
    try:
        found = subprocess.run(command, capture_output=True, text=True, check=False)
    except OSError:
        return "?"
    return (
        (found.stdout or found.stderr).strip().splitlines()[0]
        if found.stdout or found.stderr
        else "?"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[10, 1000, 10000])
    parser.add_argument("--runs", type=int, help="timed runs per command and size")
    parser.add_argument("--scrapelint", default=shutil.which("scrapelint") or "scrapelint")
    parser.add_argument("--promtool", default=shutil.which("promtool") or "promtool")
    parser.add_argument("--sd", choices=("http", "kubernetes"), default="http")
    parser.add_argument(
        "--hyperfine",
        default=shutil.which("hyperfine"),
        help="wall times from hyperfine when it is installed (default); CPU time and memory "
        "always come from this script's own alternating runs",
    )
    parser.add_argument("--keep", type=Path, help="write the configs here and keep them")
    parser.add_argument(
        "--args",
        default="check --exit-zero --quiet",
        help="scrapelint arguments before the file (default: %(default)s)",
    )
    options = parser.parse_args()

    folder = options.keep or Path(tempfile.mkdtemp(prefix="scrapelint-bench-"))
    print(f"machine: {machine()}")
    print(f"promtool: {version([options.promtool, '--version'])}")
    print(f"scrapelint: {version([options.scrapelint, '--version'])} ({options.scrapelint})")
    print(f"wall times: {'hyperfine -N' if options.hyperfine else 'this script'}")
    print()
    print(
        "| jobs | lines | promtool median (min) | scrapelint median (min) | wall ratio "
        "| CPU ratio | peak RSS promtool / scrapelint |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|")
    results: dict[int, Summary] = {}
    verdicts: list[str] = []
    for jobs in options.jobs:
        config = generate.write(folder, jobs, options.sd, seed=9)
        lines = config.read_text(encoding="utf-8").count("\n")
        commands = {
            "promtool": [options.promtool, "check", "config", config.name],
            "scrapelint": [options.scrapelint, *options.args.split(), config.name],
        }
        runs = options.runs or DEFAULT_RUNS.get(jobs, 5)
        found = measure(commands, folder, runs)
        if options.hyperfine:
            walls = hyperfine_medians(commands, folder, runs, options.hyperfine)
            found = {
                name: summary._replace(median=walls[name][0], minimum=walls[name][1])
                for name, summary in found.items()
            }
        promtool, scrapelint = found["promtool"], found["scrapelint"]
        results[jobs] = scrapelint
        ratio = scrapelint.median / promtool.median
        cpu_ratio = scrapelint.cpu / promtool.cpu
        print(
            f"| {jobs:,} | {lines:,} | {promtool.median * 1000:,.0f} ms "
            f"({promtool.minimum * 1000:,.0f}) | {scrapelint.median * 1000:,.0f} ms "
            f"({scrapelint.minimum * 1000:,.0f}) | {ratio:.2f}x | {cpu_ratio:.2f}x "
            f"| {promtool.rss_mb:.0f} / {scrapelint.rss_mb:.0f} MB |",
            flush=True,
        )
        if jobs <= 10:
            verdicts.append(_verdict(f"{jobs} jobs: {ratio:.2f}x", ratio <= BUDGET_SMALL, "3x"))
        if jobs >= 10000:
            verdicts.append(_verdict(f"{jobs:,} jobs: {ratio:.2f}x", ratio <= BUDGET_LARGE, "1.0x"))
            verdicts.append(
                _verdict(
                    f"{jobs:,} jobs: {scrapelint.rss_mb:.0f} MB",
                    scrapelint.rss_mb < BUDGET_MB,
                    f"{BUDGET_MB} MB",
                )
            )
    sizes = sorted(size for size in results if size >= 1000)
    if len(sizes) >= 2:
        low, high = sizes[0], sizes[-1]
        # Time above the fixed start-up cost, against jobs: an exponent of 1 is linear.
        base = results[min(results)].median if min(results) < low else 0.0
        exponent = math.log(
            max(results[high].median - base, 1e-9) / max(results[low].median - base, 1e-9)
        ) / math.log(high / low)
        verdicts.append(_verdict(f"growth exponent {exponent:.2f}", exponent < 1.15, "~1"))
    print()
    for line in verdicts:
        print(line)
    if not options.keep:
        shutil.rmtree(folder, ignore_errors=True)


def _verdict(what: str, ok: bool, budget: str) -> str:
    return f"{'within' if ok else 'OVER'} budget ({budget}): {what}"


if __name__ == "__main__":
    main()
