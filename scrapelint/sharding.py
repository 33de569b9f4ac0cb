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
governs could land in different shards), no included files, manifests or line breaks other
than LF. Each shard checks that it parsed into exactly the jobs of its part of the file, and
job names are compared across shards (SL004). When any of this fails, the caller lints the file
in one process as usual, so a split can change the speed of a run but never its output.
"""

from __future__ import annotations

import contextlib
import dataclasses
import marshal  # only large configs import this module
import os
import re
import signal
import sys
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import NamedTuple

from scrapelint.defaults import MIN_SHARD_CHARS
from scrapelint.document import (
    Document,
    MappingNode,
    SequenceNode,
    as_text,
    get,
    may_have_anchors,
    may_have_merge_keys,
)
from scrapelint.findings import Finding, Severity, Span, sorted_unique

MAX_PROCESSES = 4
_PR_SET_PDEATHSIG = 1  # prctl(2)
PROCESSES_VARIABLE = "SCRAPELINT_PROCESSES"

# A line that starts at column 0 with anything but a comment, a list item or a blank.
_TOP_LEVEL_LINE = re.compile(r"\n[^ \n#-]")
_TOP_LEVEL_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*:(?:[ \t]|$)")
_SCRAPE_CONFIGS_LINE = re.compile(r"scrape_configs:[ \t]*(?:#.*)?")
_FIRST_CONTENT = re.compile(r"\n( *)([^ \n#])")
_UNSPLITTABLE_TOP_KEYS = ("scrape_config_files:", "kind:", "apiVersion:")
_OTHER_BREAKS = ("\r", "\x85", "\u2028", "\u2029")
_DIGITS = frozenset("123456789")
_INDEXED_JOB = re.compile(r"scrape_configs\[(\d+)\]")
_ITEM_STARTS = frozenset({"- ", "-\t", "-\n", "-"})


class Shard(NamedTuple):
    """The jobs one process reads: characters `start`..`stop` of the text."""

    start: int
    stop: int


class ShardText(NamedTuple):
    """What one process reads, and where the jobs it must find start."""

    text: str
    job_offsets: tuple[int, ...]  # the offset of each job's `-` line, in the whole text
    job_lines: tuple[int, ...]  # their 0-based lines, then the line after the last job


class ShardPlan(NamedTuple):
    text: str
    jobs_start: int  # offset of the first job's line
    jobs_stop: int  # offset of the line after the job list
    indent: int  # of the jobs' `-`
    shards: tuple[Shard, ...]
    # (name, 0-based line) of every top-level key: a shard whose text parses otherwise (a quote
    # or bracket left open at the end of its jobs swallows the keys after them) is refused.
    top_keys: tuple[tuple[str, int], ...] = ()

    def prepare(self, shard: Shard) -> ShardText | None:
        """The shard's text and jobs, or None when its part of the file rules a split out.

        The checks that read every line run here, in each shard's process, over its own part.
        """
        text = self.text_of(shard)
        job_offsets = _jobs(self.text, shard.start, shard.stop, self.indent)
        if job_offsets is None or not job_offsets or not _splittable_part(text):
            return None
        return ShardText(text, tuple(job_offsets), self._lines(shard, job_offsets))

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

    def _lines(self, shard: Shard, job_offsets: list[int]) -> tuple[int, ...]:
        text, numbers, line, previous = self.text, [], 0, 0
        for offset in (*job_offsets, shard.stop):
            line += text.count("\n", previous, offset)
            numbers.append(line)
            previous = offset
        if shard.stop == len(text):
            numbers[-1] += 1  # the list ends the text: no job may reach past its last line
        return tuple(numbers)


class ShardResult(NamedTuple):
    findings: tuple[Finding, ...]
    job_names: tuple[str | None, ...]  # None for a job without a job_name


def process_count() -> int:
    """Processes a run may use: $SCRAPELINT_PROCESSES, else the CPUs this process may run on,
    capped by a cgroup CPU quota (a CI container often sees every CPU of its host)."""
    wanted = os.environ.get(PROCESSES_VARIABLE, "")
    if wanted.isascii() and wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return min(cpus, _cgroup_quota() or cpus)


def _cgroup_quota(path: str = "/sys/fs/cgroup/cpu.max") -> int | None:
    """Whole CPUs a cgroup v2 quota allows (`200000 100000`: 2), None without a quota."""
    try:
        with open(path, encoding="ascii") as stream:
            quota, _, period = stream.read().strip().partition(" ")
    except OSError:
        return None
    if not quota.isdigit() or not period.isdigit() or int(period) == 0:
        return None  # "max": no quota
    return max(1, int(quota) // int(period))


def plan(text: str, processes: int, min_shard_chars: int = MIN_SHARD_CHARS) -> ShardPlan | None:
    """Where to split the text, or None when it is too small or not splittable.

    Only the scans that find the job list and the split points run here, in the one process;
    each shard's process reads its own part (ShardPlan.prepare) and checks that its text
    parsed into exactly its jobs (`jobs_in`).
    """
    count = min(processes, MAX_PROCESSES, len(text) // max(min_shard_chars, 1))
    if count < 2 or not hasattr(os, "fork") or any(mark in text for mark in _OTHER_BREAKS):
        return None
    region = _job_region(text)
    if region is None:
        return None
    start, stop, indent, top_keys = region
    bounds = _split_points(text, start, stop, indent, count)
    if len(bounds) < 2:
        return None
    shards = tuple(Shard(a, b) for a, b in zip(bounds, [*bounds[1:], stop], strict=True))
    return ShardPlan(text, start, stop, indent, shards, top_keys)


def _splittable_part(text: str) -> bool:
    """False where the part of the file could read differently alone.

    A directive and the line it governs could land in different shards; an alias could name an
    anchor of another shard; merge keys are counted against one budget for the whole file; a
    block scalar that keeps its trailing line breaks (`|+`) would keep the emptied lines of the
    next shard. Tabs, document markers and other oddities are left to the parse of each shard:
    they make it fail or differ from the plan.
    """
    return (
        "scrapelint:" not in text
        and not may_have_anchors(text)
        and not may_have_merge_keys(text)
        and not _has_keep_chomping(text)
    )


def _has_keep_chomping(text: str) -> bool:
    """Whether a block scalar indicator keeps its trailing line breaks (`|+`, `>+`, `|2+`).

    A loop over the `+` signs (a few per relabel regex): a regular expression that starts with
    a character class, or a search per spelling, reads a large text several times slower.
    """
    at = text.find("+")
    while at >= 0:
        before = text[at - 1 : at]
        if before in ("|", ">") or (before in _DIGITS and text[at - 2 : at - 1] in ("|", ">")):
            return True
        at = text.find("+", at + 1)
    return False


def _job_region(text: str) -> tuple[int, int, int, tuple[tuple[str, int], ...]] | None:
    """(offset of the first job, offset after the job list, the jobs' indentation, the
    top-level keys with their lines) of the only top-level `scrape_configs:`, when every
    top-level line is a plain key (a quoted or complex key could hide a second one) and none
    of them rules a split out."""
    tops = [m.start() + 1 for m in _TOP_LEVEL_LINE.finditer(text)]
    if text[:1] not in ("", " ", "\n", "#", "-"):
        tops.insert(0, 0)
    found = None
    top_keys = []
    for index, offset in enumerate(tops):
        end = text.find("\n", offset)
        line = text[offset : end if end >= 0 else len(text)]
        if not _TOP_LEVEL_KEY.match(line) or line.startswith(_UNSPLITTABLE_TOP_KEYS):
            return None
        top_keys.append((line.partition(":")[0], text.count("\n", 0, offset)))
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
    return first.start(1), found[1], len(first.group(1)), tuple(top_keys)


def _split_points(text: str, start: int, stop: int, indent: int, count: int) -> list[int]:
    """The first job's offset, then the job line at or after each 1/count of the list."""
    item = re.compile(f"\n {{{indent}}}-[ \t\n]")
    bounds = [start]
    for part in range(1, count):
        target = max(start + (stop - start) * part // count, bounds[-1] + 1)
        found = item.search(text, target - 1, stop)
        if found is None:
            break
        bounds.append(found.start() + 1)
    return bounds


def _jobs(text: str, start: int, stop: int, indent: int) -> list[int] | None:
    """Where each job in text[start:stop] starts: every content line there indented no deeper
    than the jobs must be a job (`- ` at their indentation)."""
    jobs = []
    # Possessive: a line indented deeper fails at once, instead of again with fewer spaces.
    content_line = re.compile(f"\n {{0,{indent}}}+(?=[^ \n#])")
    for match in content_line.finditer(text, start - 1, stop):
        at = match.end()
        if match.end() - match.start() - 1 != indent or text[at : at + 2] not in _ITEM_STARTS:
            return None
        jobs.append(at - indent)
    return jobs


# --- running the shards ------------------------------------------------------------------


def jobs_in(
    document: Document, shard_plan: ShardPlan, shard_text: ShardText
) -> tuple[str | None, ...] | None:
    """The job names of a shard's tree, or None unless it is one document with the file's
    top-level keys on their lines, holding exactly the shard's jobs, each starting between its
    own `-` line and the next job's."""
    root = document.root
    if document.problem is not None or document.later_roots or not isinstance(root, MappingNode):
        return None
    keys = [(key.value, key.start_mark.line) for key, _ in root.value]
    # A repeated top-level key was dropped from the tree (SL003 reports it); it is in column 0.
    keys += [
        (d.key.value, d.key.start_mark.line)
        for d in document.duplicates
        if d.key.start_mark.column == 0
    ]
    if sorted(keys) != sorted(shard_plan.top_keys):
        return None
    jobs = get(root, "scrape_configs")
    if not isinstance(jobs, SequenceNode) or len(jobs.value) != len(shard_text.job_offsets):
        return None
    lines = shard_text.job_lines
    starts = [item.start_mark.line for item in jobs.value]
    if any(not lines[i] <= at < lines[i + 1] for i, at in enumerate(starts)):
        return None
    return tuple(as_text(get(item, "job_name")) for item in jobs.value)


def merge(results: Sequence[ShardResult | None]) -> list[Finding] | None:
    """The findings of the whole file, or None when shards failed or share a job name."""
    named: set[str] = set()
    findings: list[Finding] = []
    jobs_before = 0
    for result in results:
        if result is None:
            return None
        names = {name for name in result.job_names if name is not None}
        if names & named:
            return None  # SL004 across shards: only one process sees both jobs
        named |= names
        findings.extend(_renumbered(result.findings, jobs_before))
        jobs_before += len(result.job_names)
    return sorted_unique(findings)  # the parts outside the job list are in every shard


def _renumbered(findings: Iterable[Finding], jobs_before: int) -> Iterator[Finding]:
    """Findings with the YAML paths of the whole file: a job without a name is known by its
    index in the list, which in a shard counts from the shard's first job."""
    for finding in findings:
        match = _INDEXED_JOB.match(finding.yaml_path) if jobs_before else None
        if match is None:
            yield finding
            continue
        index = int(match.group(1)) + jobs_before
        path = f"scrape_configs[{index}]{finding.yaml_path[match.end() :]}"
        yield dataclasses.replace(finding, yaml_path=path)


def run_in_processes(
    shard_plan: ShardPlan, lint_shard: Callable[[ShardPlan, Shard], ShardResult | None]
) -> list[ShardResult | None]:
    """Lint the first shard here and each other one in a forked child, in parallel."""
    children = [_fork(shard_plan, shard, lint_shard) for shard in shard_plan.shards[1:]]
    try:
        results = [lint_shard(shard_plan, shard_plan.shards[0])]
        results.extend(_collect(pid, reader) for pid, reader in children)
    except BaseException:
        _stop(children)  # the caller's error (or ^C) ends the run: no child may outlive it
        raise
    return results


def _fork(
    shard_plan: ShardPlan,
    shard: Shard,
    lint_shard: Callable[[ShardPlan, Shard], ShardResult | None],
) -> tuple[int, int]:
    reader, writer = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid:
        os.close(writer)
        return pid, reader
    # The child: never return into the caller, never print, never run exit handlers, never
    # outlive the parent.
    code = 1
    try:
        os.close(reader)
        _quiet_child(parent)
        payload = _encode(lint_shard(shard_plan, shard))
        with os.fdopen(writer, "wb") as stream:
            stream.write(payload)
        code = 0
    finally:
        os._exit(code)


def _quiet_child(parent: int) -> None:
    """Whatever the child would print (warnings) is the parent's to print once; and a child
    killed with its parent (a CI timeout, `kill`) must not go on running."""
    warnings.simplefilter("ignore")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.dup2(null, 2)
    os.close(null)
    if sys.platform.startswith("linux"):
        import ctypes  # only the children of a split run pay for it

        # Without prctl in this C library, the parent alone reaps the child.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent ended before the line above took effect
        os._exit(1)


def _collect(pid: int, reader: int) -> ShardResult | None:
    with os.fdopen(reader, "rb") as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    if status != 0 or not payload:
        return None
    return _decode(payload)


def _encode(result: ShardResult | None) -> bytes:
    """A shard's result as plain values (marshal reads them back several times faster than
    pickle reads the dataclasses: a config can have ten thousand findings)."""
    if result is None:
        return marshal.dumps(None)
    rows = [
        (f.path, (f.span.line, f.span.column, f.span.end_line, f.span.end_column), f.rule_id,
         f.rule_name, int(f.severity), f.message, f.yaml_path, f.help, f.source)
        for f in result.findings
    ]  # fmt: skip
    return marshal.dumps((rows, result.job_names))


def _decode(payload: bytes) -> ShardResult | None:
    decoded = marshal.loads(payload)
    if decoded is None:
        return None
    rows, job_names = decoded
    severities = {int(severity): severity for severity in Severity}
    findings = tuple(
        Finding(path, Span(*span), rule_id, name, severities[severity], *rest)
        for path, span, rule_id, name, severity, *rest in rows
    )
    return ShardResult(findings, tuple(job_names))


def _stop(children: list[tuple[int, int]]) -> None:
    for pid, reader in children:
        try:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            os.close(reader)
        except OSError:
            continue  # reaped already
