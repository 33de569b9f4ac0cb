"""Benchmark: scrapelint against `promtool check config` on the same files, in the same run.

    python -m venv /tmp/sl && /tmp/sl/bin/pip install .       # compiled bytecode, as users get it
    python bench/run.py --scrapelint /tmp/sl/bin/scrapelint   # 10, 1,000 and 10,000 jobs

For each size it generates a config with bench/generate.py (http_sd flavour: Debian's promtool
has no Kubernetes discovery), then runs both commands alternately, whole process from start to
exit, and prints per size the median and minimum wall time, the median CPU time (user + system,
child processes included), the peak memory, and the ratios of scrapelint to promtool (medians
of the same run). Wall times of small configs come from hyperfine when it is installed (it adds
less overhead of its own to a 30 ms run), in rounds that alternate which command goes first;
those of configs with 1,000 jobs or more come from the alternating runs. Either way a drift in
the machine's load hits both commands alike.

scrapelint splits a large config between processes (scrapelint/sharding.py); a second row per
large size shows it held to one process (SCRAPELINT_PROCESSES=1). Its memory is the peak of the
sum of the proportional set sizes of its processes (sampled from /proc every few milliseconds,
pages shared after the fork counted once), or the resident size of the largest one where /proc
cannot be read. The last lines check the budgets of DESIGN §4: 10 jobs at most 3x promtool,
10,000 jobs at most 1.0x and under 250 MB, and growth linear in the number of jobs (in CPU time:
wall time also depends on how many processes a size is split between).

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
from pathlib import Path
from typing import NamedTuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate  # bench/generate.py, beside this file

DEFAULT_RUNS = {10: 40, 1000: 10, 10000: 10}
BUDGET_SMALL, BUDGET_LARGE, BUDGET_MB = 3.0, 1.0, 250
HYPERFINE_BELOW_JOBS = 1000
ONE_PROCESS = {"SCRAPELINT_PROCESSES": "1"}


class Command(NamedTuple):
    argv: list[str]
    env: dict[str, str] | None = None  # added to this process' environment


class Sample(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds, children included
    rss_mb: float  # peak resident set size of the largest process
    code: int


class Summary(NamedTuple):
    median: float
    minimum: float
    cpu: float
    rss_mb: float


def _environment(command: Command) -> dict[str, str] | None:
    return {**os.environ, **command.env} if command.env else None


def run_once(command: Command, cwd: Path) -> Sample:
    start = time.perf_counter()
    process = subprocess.Popen(
        command.argv, cwd=cwd, env=_environment(command),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
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
    commands: dict[str, Command], cwd: Path, runs: int, warmup: int = 2
) -> dict[str, Summary]:
    """Run the commands alternately (so that load changes hit them alike)."""
    samples: dict[str, list[Sample]] = {name: [] for name in commands}
    for round_number in range(warmup + runs):
        order = list(commands.items())
        if round_number % 2:
            order.reverse()
        for name, command in order:
            sample = run_once(command, cwd)
            if sample.code not in (0, 1):
                raise SystemExit(f"{name} failed ({sample.code}): {' '.join(command.argv)}")
            if round_number >= warmup:
                samples[name].append(sample)
    return {name: summarise(found) for name, found in samples.items()}


def tree_peak_mb(command: Command, cwd: Path) -> float | None:
    """The peak of the summed proportional set sizes of a command's processes, sampled from
    /proc; None where /proc cannot be read."""
    if not os.path.exists("/proc/self/smaps_rollup"):
        return None
    process = subprocess.Popen(
        command.argv, cwd=cwd, env=_environment(command),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    peak = 0
    while process.poll() is None:
        peak = max(peak, sum(_pss_kb(pid) for pid in _process_tree(process.pid)))
        time.sleep(0.002)
    return peak / 1024


def _process_tree(pid: int) -> list[int]:
    found, pending = [], [pid]
    while pending:
        current = pending.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children", encoding="ascii") as stream:
                pending.extend(int(child) for child in stream.read().split())
        except OSError:
            continue  # it has ended
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def hyperfine_medians(
    commands: dict[str, Command], cwd: Path, runs: int, hyperfine: str, rounds: int = 5
) -> dict[str, tuple[float, float]]:
    """(median, minimum) wall seconds per command from hyperfine, which adds no shell and less
    overhead of its own than a Python parent does.

    The runs are made in `rounds` rounds whose order alternates, and pooled: hyperfine runs
    one command after the other, and a burst of load on a shared host would otherwise fall on
    one command only.
    """
    assert all(command.env is None for command in commands.values())
    times: dict[str, list[float]] = {name: [] for name in commands}
    per_round = max(1, math.ceil(runs / rounds))
    for number in range(rounds):
        order = list(commands) if number % 2 == 0 else list(reversed(commands))
        found = _hyperfine_times([commands[name] for name in order], cwd, per_round, hyperfine)
        for name, samples in zip(order, found, strict=True):
            times[name].extend(samples)
    return {name: (statistics.median(found), min(found)) for name, found in times.items()}


def _hyperfine_times(
    commands: list[Command], cwd: Path, runs: int, hyperfine: str
) -> list[list[float]]:
    import json

    with tempfile.NamedTemporaryFile(suffix=".json") as export:
        subprocess.run(
            [hyperfine, "-N", "--warmup", "3", "--runs", str(runs), "--export-json",
             export.name, "--style", "none",
             *(" ".join(command.argv) for command in commands)],
            cwd=cwd, check=True, stdout=subprocess.DEVNULL,
        )  # fmt: skip
        with open(export.name, encoding="utf-8") as stream:
            return [result["times"] for result in json.load(stream)["results"]]


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


def _options() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[10, 1000, 10000])
    parser.add_argument("--runs", type=int, help="timed runs per command and size")
    parser.add_argument("--scrapelint", default=shutil.which("scrapelint") or "scrapelint")
    parser.add_argument("--promtool", default=shutil.which("promtool") or "promtool")
    parser.add_argument("--sd", choices=("http", "kubernetes"), default="http")
    parser.add_argument(
        "--hyperfine",
        default=shutil.which("hyperfine"),
        help="wall times of small configs from hyperfine when it is installed (default); CPU "
        "time and memory always come from this script's own alternating runs",
    )
    parser.add_argument("--keep", type=Path, help="write the configs here and keep them")
    parser.add_argument(
        "--args",
        default="check --exit-zero --quiet",
        help="scrapelint arguments before the file (default: %(default)s)",
    )
    return parser.parse_args()


class Row(NamedTuple):
    jobs: int
    label: str
    promtool: Summary
    scrapelint: Summary
    memory_mb: float  # of all scrapelint's processes


def measure_size(options: argparse.Namespace, folder: Path, jobs: int) -> tuple[list[Row], int]:
    """The rows of one size, and the number of lines of its config."""
    config = generate.write(folder, jobs, options.sd, seed=9)
    scrapelint = [options.scrapelint, *options.args.split(), config.name]
    commands = {
        "promtool": Command([options.promtool, "check", "config", config.name]),
        "scrapelint": Command(scrapelint),
    }
    if jobs >= HYPERFINE_BELOW_JOBS:
        commands["one process"] = Command(scrapelint, ONE_PROCESS)
    runs = options.runs or DEFAULT_RUNS.get(jobs, 5)
    found = measure(commands, folder, runs)
    if options.hyperfine and jobs < HYPERFINE_BELOW_JOBS:
        walls = hyperfine_medians(commands, folder, runs, options.hyperfine)
        found = {
            name: summary._replace(median=walls[name][0], minimum=walls[name][1])
            for name, summary in found.items()
        }
    rows = []
    for name in [n for n in commands if n != "promtool"]:
        memory = tree_peak_mb(commands[name], folder) or found[name].rss_mb
        label = "scrapelint" if name == "scrapelint" else "scrapelint, 1 process"
        rows.append(Row(jobs, label, found["promtool"], found[name], memory))
    return rows, config.read_text(encoding="utf-8").count("\n")


def print_row(row: Row, lines: int) -> None:
    promtool, scrapelint = row.promtool, row.scrapelint
    print(
        f"| {row.jobs:,} | {lines:,} | {row.label} | {promtool.median * 1000:,.0f} ms "
        f"({promtool.minimum * 1000:,.0f}) | {scrapelint.median * 1000:,.0f} ms "
        f"({scrapelint.minimum * 1000:,.0f}) | {scrapelint.median / promtool.median:.2f}x "
        f"| {scrapelint.cpu / promtool.cpu:.2f}x "
        f"| {promtool.rss_mb:.0f} / {row.memory_mb:.0f} MB |",
        flush=True,
    )


def verdicts(rows: list[Row]) -> list[str]:
    found = []
    for row in (r for r in rows if r.label == "scrapelint"):
        ratio = row.scrapelint.median / row.promtool.median
        if row.jobs <= 10:
            found.append(_verdict(f"{row.jobs} jobs: {ratio:.2f}x", ratio <= BUDGET_SMALL, "3x"))
        if row.jobs >= 10000:
            found.append(
                _verdict(f"{row.jobs:,} jobs: {ratio:.2f}x", ratio <= BUDGET_LARGE, "1.0x")
            )
            found.append(
                _verdict(f"{row.jobs:,} jobs: {row.memory_mb:.0f} MB", row.memory_mb < BUDGET_MB,
                         f"{BUDGET_MB} MB")
            )  # fmt: skip
    cpu = {row.jobs: row.scrapelint.cpu for row in rows if row.label == "scrapelint"}
    sizes = sorted(size for size in cpu if size >= 1000)
    if len(sizes) >= 2:
        low, high = sizes[0], sizes[-1]
        # CPU time above the fixed start-up cost, against jobs: an exponent of 1 is linear.
        base = cpu[min(cpu)] if min(cpu) < low else 0.0
        exponent = math.log(max(cpu[high] - base, 1e-9) / max(cpu[low] - base, 1e-9)) / math.log(
            high / low
        )
        found.append(_verdict(f"CPU time growth exponent {exponent:.2f}", exponent < 1.15, "~1"))
    return found


def main() -> None:
    options = _options()
    folder = options.keep or Path(tempfile.mkdtemp(prefix="scrapelint-bench-"))
    print(f"machine: {machine()}")
    print(f"promtool: {version([options.promtool, '--version'])}")
    print(f"scrapelint: {version([options.scrapelint, '--version'])} ({options.scrapelint})")
    print(f"wall times: {'hyperfine -N below 1,000 jobs, ' if options.hyperfine else ''}"
          "alternating runs of this script otherwise")  # fmt: skip
    print()
    print(
        "| jobs | lines | run | promtool median (min) | scrapelint median (min) | wall ratio "
        "| CPU ratio | peak memory promtool / scrapelint |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|")
    rows: list[Row] = []
    for jobs in options.jobs:
        found, lines = measure_size(options, folder, jobs)
        for row in found:
            print_row(row, lines)
        rows.extend(found)
    print()
    for line in verdicts(rows):
        print(line)
    if not options.keep:
        shutil.rmtree(folder, ignore_errors=True)


def _verdict(what: str, ok: bool, budget: str) -> str:
    return f"{'within' if ok else 'OVER'} budget ({budget}): {what}"


if __name__ == "__main__":
    main()
