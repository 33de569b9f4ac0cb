"""Linting one large config in several processes, split between its scrape jobs.

On a config with thousands of jobs, composing the YAML tree alone costs most of what promtool
needs for its whole run, and no single Python process can go faster than its composer. Each
process therefore reads a *shard*: the config's text with the lines of the other shards' jobs
emptied. Every line keeps its number and every kept line its columns, so a shard's findings are
findings of the whole file, word for word. Everything outside `scrape_configs` (global,
alerting, remote_write, ...) is in every shard; findings there come out identical from each
shard and are merged.

A file is split only where the merged findings are provably those of one process: no anchors
(an alias could reach into another shard), no inline directives (a directive and the line it
governs could land in different shards), no included files, manifests, document markers or line
breaks other than LF. Each shard checks that it parsed into exactly the jobs it was given, and
job names are compared across shards (SL004). When any of this fails, the caller lints the file
in one process as usual, so a split can change the speed of a run but never its output.
"""

from __future__ import annotations

import dataclasses
import os
import pickle  # only large configs import this module
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from scrapelint.defaults import MIN_SHARD_CHARS
from scrapelint.document import Document, MappingNode, SequenceNode, as_text, get, may_have_anchors
from scrapelint.findings import Finding

MAX_PROCESSES = 4
PROCESSES_VARIABLE = "SCRAPELINT_PROCESSES"

# A line that starts at column 0 with anything but a comment, a list item or a blank.
_TOP_LEVEL_LINE = re.compile(r"\n[^ \n#-]")
_TOP_LEVEL_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*:(?:[ \t]|$)")
_SCRAPE_CONFIGS_LINE = re.compile(r"scrape_configs:[ \t]*(?:#.*)?")
_FIRST_CONTENT = re.compile(r"\n( *)([^ \n#])")
_UNSPLITTABLE_TOP_KEYS = ("scrape_config_files:", "kind:", "apiVersion:")
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_INDEXED_JOB = re.compile(r"scrape_configs\[(\d+)\]")
_ITEM_STARTS = frozenset({"- ", "-\t", "-\n", "-"})


class Shard(NamedTuple):
    """The jobs one process reads: characters `start`..`stop` of the text."""

    start: int
    stop: int
    job_offsets: tuple[int, ...]  # where each of the shard's jobs (its `-` line) starts
    first_job: int  # the index of its first job in the whole list


class ShardPlan(NamedTuple):
    text: str
    jobs_start: int  # offset of the first job's line
    jobs_stop: int  # offset of the line after the job list
    shards: tuple[Shard, ...]

    def text_of(self, shard: Shard) -> str:
        """The shard's text: every line outside the job list, and its own jobs' lines."""
        text = self.text
        return "".join(
            (
                text[: self.jobs_start],
                "\n" * text.count("\n", self.jobs_start, shard.start),
                text[shard.start : shard.stop],
                "\n" * text.count("\n", shard.stop, self.jobs_stop),
                text[self.jobs_stop :],
            )
        )

    def job_lines(self, shard: Shard) -> list[int]:
        """0-based lines of the shard's jobs, then of the line after its last job."""
        text, numbers, line, previous = self.text, [], 0, 0
        for offset in (*shard.job_offsets, shard.stop):
            line += text.count("\n", previous, offset)
            numbers.append(line)
            previous = offset
        if shard.stop == len(text):
            numbers[-1] += 1  # the list ends the text: no job may reach past its last line
        return numbers


class ShardResult(NamedTuple):
    findings: tuple[Finding, ...]
    job_names: tuple[str | None, ...]  # None for a job without a job_name


def process_count() -> int:
    """Processes a run may use: the CPUs this process may run on, or $SCRAPELINT_PROCESSES."""
    wanted = os.environ.get(PROCESSES_VARIABLE, "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def plan(text: str, processes: int, min_shard_chars: int = MIN_SHARD_CHARS) -> ShardPlan | None:
    """Where to split the text, or None when it is too small or not provably splittable.

    Only cheap scans of the text happen here, in the one process; each shard's process checks
    that its text parsed into exactly its jobs (`parsed_as_planned`).
    """
    count = min(processes, MAX_PROCESSES, len(text) // max(min_shard_chars, 1))
    if count < 2 or not hasattr(os, "fork") or not _splittable_text(text):
        return None
    region = _job_region(text)
    if region is None:
        return None
    start, stop, indent = region
    jobs = _jobs(text, start, stop, indent)
    if jobs is None or len(jobs) < 2:
        return None
    count = min(count, len(jobs))
    return ShardPlan(text, start, stop, tuple(_balanced(jobs, stop, count)))


def _splittable_text(text: str) -> bool:
    # Tabs, document markers and other oddities are left to the parse of each shard: they make
    # it fail or differ from the plan, and the file is then linted in one process.
    return (
        "scrapelint:" not in text
        and not may_have_anchors(text)
        and not any(mark in text for mark in _OTHER_BREAKS)
    )


def _job_region(text: str) -> tuple[int, int, int] | None:
    """(offset of the first job, offset after the job list, the jobs' indentation) of the only
    top-level `scrape_configs:`, when every top-level line is a plain key (a quoted or complex
    key could hide a second one) and none of them rules a split out."""
    tops = [m.start() + 1 for m in _TOP_LEVEL_LINE.finditer(text)]
    if text[:1] not in ("", " ", "\n", "#", "-"):
        tops.insert(0, 0)
    found = None
    for index, offset in enumerate(tops):
        end = text.find("\n", offset)
        line = text[offset : end if end >= 0 else len(text)]
        if not _TOP_LEVEL_KEY.match(line) or line.startswith(_UNSPLITTABLE_TOP_KEYS):
            return None
        if line.startswith("scrape_configs:"):
            if found is not None or end < 0 or not _SCRAPE_CONFIGS_LINE.fullmatch(line):
                return None
            following = tops[index + 1] if index + 1 < len(tops) else len(text)
            found = (end, following)
    if found is None:
        return None
    first = _FIRST_CONTENT.search(text, found[0], found[1])
    if first is None or first.group(2) != "-":
        return None  # an empty or flow-style list
    return first.start(1), found[1], len(first.group(1))


def _jobs(text: str, start: int, stop: int, indent: int) -> list[int] | None:
    """Where each job starts: every content line of the list indented no deeper than its first
    item must be an item (`- ` at the same indentation)."""
    jobs = []
    for match in re.compile(f"\n {{0,{indent}}}(?=[^ \n#])").finditer(text, start - 1, stop):
        at = match.end()
        if match.end() - match.start() - 1 != indent or text[at : at + 2] not in _ITEM_STARTS:
            return None
        jobs.append(at - indent)
    return jobs


def _balanced(jobs: list[int], stop: int, count: int) -> Iterator[Shard]:
    """`count` runs of consecutive jobs with about the same number of characters each."""
    bounds = [*jobs, stop]
    begin = 0
    for part in range(1, count):
        target = jobs[0] + (stop - jobs[0]) * part // count
        end = next((i for i in range(begin + 1, len(jobs)) if bounds[i] >= target), len(jobs))
        end = min(end, len(jobs) - (count - part))
        yield Shard(jobs[begin], jobs[end], tuple(jobs[begin:end]), begin)
        begin = end
    yield Shard(jobs[begin], stop, tuple(jobs[begin:]), begin)


# --- running the shards ------------------------------------------------------------------


def parsed_as_planned(
    document: Document, shard_plan: ShardPlan, shard: Shard
) -> tuple[str | None, ...] | None:
    """The job names of a shard's tree, or None unless it is one document holding exactly the
    shard's jobs, each starting between its own `-` line and the next job's."""
    root = document.root
    if document.problem is not None or document.later_roots or not isinstance(root, MappingNode):
        return None
    jobs = get(root, "scrape_configs")
    if not isinstance(jobs, SequenceNode) or len(jobs.value) != len(shard.job_offsets):
        return None
    lines = shard_plan.job_lines(shard)
    starts = [item.start_mark.line for item in jobs.value]
    if any(not lines[i] <= at < lines[i + 1] for i, at in enumerate(starts)):
        return None
    return tuple(as_text(get(item, "job_name")) for item in jobs.value)


def renumbered(findings: Iterable[Finding], shard: Shard) -> tuple[Finding, ...]:
    """Findings with the YAML paths of the whole file: a job without a name is known by its
    index in the list, which in a shard counts from the shard's first job."""
    if not shard.first_job:
        return tuple(findings)
    return tuple(_renumber(finding, shard.first_job) for finding in findings)


def _renumber(finding: Finding, first_job: int) -> Finding:
    match = _INDEXED_JOB.match(finding.yaml_path)
    if match is None:
        return finding
    index = int(match.group(1)) + first_job
    path = f"scrape_configs[{index}]{finding.yaml_path[match.end() :]}"
    return dataclasses.replace(finding, yaml_path=path)


def merge(results: Sequence[ShardResult | None]) -> list[Finding] | None:
    """The findings of the whole file, or None when shards failed or share a job name."""
    if any(result is None for result in results):
        return None
    named: set[str] = set()
    findings: set[Finding] = set()
    for result in results:
        assert result is not None
        names = {name for name in result.job_names if name is not None}
        if names & named:
            return None  # SL004 across shards: only one process sees both jobs
        named |= names
        findings.update(result.findings)
    return sorted(findings, key=Finding.sort_key)


def run_in_processes(
    shard_plan: ShardPlan, lint_shard: Callable[[ShardPlan, Shard], ShardResult | None]
) -> list[ShardResult | None]:
    """Lint the first shard here and each other one in a forked child, in parallel."""
    children = [_fork(shard_plan, shard, lint_shard) for shard in shard_plan.shards[1:]]
    results = [lint_shard(shard_plan, shard_plan.shards[0])]
    results.extend(_collect(pid, reader) for pid, reader in children)
    return results


def _fork(
    shard_plan: ShardPlan,
    shard: Shard,
    lint_shard: Callable[[ShardPlan, Shard], ShardResult | None],
) -> tuple[int, int]:
    reader, writer = os.pipe()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    # The child: never return into the caller, never print, never run exit handlers.
    code = 1
    try:
        os.close(reader)
        payload = pickle.dumps(lint_shard(shard_plan, shard), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(writer, "wb") as stream:
            stream.write(payload)
        code = 0
    finally:
        os._exit(code)


def _collect(pid: int, reader: int) -> ShardResult | None:
    with os.fdopen(reader, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    result: ShardResult | None = pickle.loads(payload)
    return result
