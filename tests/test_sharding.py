"""Linting a large config split between processes (scrapelint/sharding.py).

The contract: a split may change how fast a run is, never what it reports. Every test compares
the split run with the one-process run of the same text, on hand-written edge cases, the
real-world corpus, the conformance configs, generated configs and mutated corpus files, and
through the CLI on a config large enough to be split for real.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from scrapelint import runner, sharding
from scrapelint.defaults import MIN_SHARD_CHARS
from scrapelint.document import parse
from scrapelint.engine import lint_document, lint_in_shards
from scrapelint.findings import Finding, Severity, Span, sorted_unique
from scrapelint.registry import rule_ids
from scrapelint.settings import Settings
from tests.helpers import run_scrapelint
from tests.test_fuzz import (
    FUZZ,
    RULES,
    config_texts,
    configs,
    corpus_texts,
    jobs,
    lint,
    mutate,
    mutations,
)

CONFORMANCE = Path(__file__).resolve().parent.parent.parent / "shared" / "conformance"


def job(name: str, extra: str = "", indent: str = "  ") -> str:
    return (
        f"{indent}- job_name: {name}\n"
        f"{indent}  scheme: https\n"
        f"{indent}  static_configs:\n"
        f"{indent}    - targets: ['{name}.example.net:10250']\n"
        f"{extra}"
    )


def config(*jobs: str, header: str = "global:\n  scrape_interval: 30s\n", tail: str = "") -> str:
    return f"{header}scrape_configs:\n{''.join(jobs)}{tail}"


def split(text: str, processes: int = 3) -> sharding.ShardPlan | None:
    return sharding.plan(text, processes, min_shard_chars=1)


def sharded_findings(text: str, processes: int = 3) -> list[Finding] | None:
    """The findings of a split run, or None when the text is not split or the split is
    abandoned (the caller would lint it in one process)."""
    shard_plan = split(text, processes)
    if shard_plan is None:
        return None
    result = lint_in_shards("fuzz.yml", shard_plan, Settings(), set(RULES))
    return None if result is None else list(result.findings)


def assert_same_as_one_process(text: str) -> bool:
    """True when the text was split and merged; either way, nothing reported differs."""
    findings = sharded_findings(text)
    if findings is not None:
        assert findings == lint(text)
    return findings is not None


# --- where a text is split ----------------------------------------------------------------------


def test_jobs_are_split_into_balanced_runs_that_keep_every_line_in_place() -> None:
    text = config(*(job(f"j{n}") for n in range(9)), tail="rule_files:\n  - a.yml\n")
    shard_plan = split(text, 3)
    assert shard_plan is not None
    parts = [shard_plan.prepare(shard) for shard in shard_plan.shards]
    assert [len(part.job_offsets) for part in parts if part] == [3, 3, 3]
    lines = text.split("\n")
    for shard in shard_plan.shards:
        shard_lines = shard_plan.text_of(shard).split("\n")
        assert len(shard_lines) == len(lines)
        kept = [n for n, line in enumerate(shard_lines) if line]
        assert all(shard_lines[n] == lines[n] for n in kept)
        assert "rule_files:" in shard_lines and "global:" in shard_lines


@pytest.mark.parametrize("indent", ["", "  ", "    "], ids=["indentless", "indent-2", "indent-4"])
def test_lists_at_any_indentation_are_split(indent: str) -> None:
    text = config(*(job(f"j{n}", indent=indent) for n in range(4)))
    shard_plan = split(text, 2)
    assert shard_plan is not None and len(shard_plan.shards) == 2
    assert assert_same_as_one_process(text)


def test_comments_and_blank_lines_between_jobs_stay_with_the_job_before_them() -> None:
    jobs = [job("a"), "\n  # the next job\n\n", job("b"), job("c"), "# end\n"]
    assert assert_same_as_one_process(config(*jobs))


def test_a_list_that_ends_the_text_without_a_final_line_break_is_split() -> None:
    text = config(*(job(f"j{n}") for n in range(4))).rstrip("\n")
    assert split(text, 2) is not None
    assert assert_same_as_one_process(text)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (config(job("a"), "  - &x {job_name: b}\n", job("c")), "an anchor"),
        (config(job("a"), "  # scrapelint: disable=SL102\n", job("b"), job("c")), "a directive"),
        (config(job("a"), job("b")).replace("\n", "\r\n"), "CR LF line breaks"),
        (config(job("a"), job("b"), job("c")).replace("targets", "\x85targets"), "a NEL"),
        ("scrape_configs: [{job_name: a}, {job_name: b}]\n", "a flow-style list"),
        (config(job("a"), job("b"), tail="scrape_configs:\n" + job("c")), "two lists"),
        ('"scrape_configs":\n' + job("a") + job("b"), "a quoted top-level key"),
        ("? scrape_configs\n:\n" + job("a") + job("b"), "a complex key"),
        (config(job("a"), job("b"), tail="scrape_config_files: [x.yml]\n"), "included files"),
        ("kind: ConfigMap\napiVersion: v1\n" + config(job("a"), job("b")), "a manifest"),
        (config(job("a"), "  other: 1\n", job("b")), "a key beside the jobs"),
        (config(job("a"), " shallow: 1\n", job("b")), "a line shallower than the jobs"),
        (config(job("a")), "a single job"),
        ("global: {}\n", "no job list"),
        ("scrape_configs:\n", "an empty list"),
    ],
)
def test_texts_that_are_never_split(text: str, reason: str) -> None:
    # Either the plan refuses the text, or a shard's process refuses its part of it.
    assert sharded_findings(text, 2) is None, reason


def test_small_configs_are_not_split_by_default() -> None:
    text = config(*(job(f"j{n}") for n in range(50)))
    assert sharding.plan(text, 4) is None
    assert len(text) < 2 * MIN_SHARD_CHARS


def test_no_more_processes_than_jobs_or_the_cap() -> None:
    text = config(*(job(f"j{n}") for n in range(40)))
    shard_plan = split(text, 64)
    assert shard_plan is not None and len(shard_plan.shards) == sharding.MAX_PROCESSES
    shard_plan = split(config(job("a"), job("b")), 8)
    assert shard_plan is not None and len(shard_plan.shards) == 2


@pytest.mark.parametrize(
    ("content", "expected"),
    [("200000 100000\n", 2), ("50000 100000\n", 1), ("max 100000\n", None), ("", None)],
)
def test_a_cgroup_cpu_quota_caps_the_processes(
    tmp_path: Path, content: str, expected: int | None
) -> None:
    quota = tmp_path / "cpu.max"
    quota.write_text(content, encoding="ascii")
    assert sharding._cgroup_quota(str(quota)) == expected
    assert sharding._cgroup_quota(str(tmp_path / "absent")) is None


@pytest.mark.parametrize("value", ["many", "²", "0", "-1", ""])
def test_the_environment_chooses_the_number_of_processes(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(sharding.PROCESSES_VARIABLE, "3")
    assert sharding.process_count() == 3
    monkeypatch.setenv(sharding.PROCESSES_VARIABLE, value)  # not a count: the CPUs decide
    assert sharding.process_count() >= 1


# --- when a split is abandoned ------------------------------------------------------------------


def test_a_job_name_shared_across_shards_abandons_the_split() -> None:
    text = config(job("same"), job("b"), job("c"), job("same"))
    assert sharded_findings(text, 2) is None
    assert any(f.rule_id == "SL004" for f in lint(text))


def test_a_job_name_repeated_inside_one_shard_is_reported_by_it() -> None:
    text = config(job("same"), job("same"), job("c"), job("d"))
    findings = sharded_findings(text, 2)
    assert findings is not None and findings == lint(text)
    assert [f.rule_id for f in findings].count("SL004") == 1


@pytest.mark.parametrize(
    "broken",
    [
        "  - job_name: 'unclosed\n",
        "  - targets: [a,\n",
        "\t- job_name: tab\n",
        "---\n",
        "...\n",
    ],
    ids=["quote", "flow", "tab", "document-start", "document-end"],
)
def test_a_shard_that_does_not_parse_as_planned_abandons_the_split(broken: str) -> None:
    text = config(job("a"), job("b"), broken, job("c"), job("d"))
    assert sharded_findings(text, 2) is None or sharded_findings(text, 2) == lint(text)


def test_a_scalar_left_open_across_the_split_abandons_it() -> None:
    """A quote (or bracket) opened in the last job of a shard would close in the keys after the
    job list in that shard's text: the shard then lacks those keys and is refused."""
    long_name = "a" * 200
    quoted = config(
        f'  - job_name: "{long_name}\n',
        '  - job_name: b"\n    scheme: https\n',
        tail='x: 1 # "\n',
    )
    assert split(quoted, 2) is not None and sharded_findings(quoted, 2) is None
    flow = config(job("a", f"      - targets: [{long_name},\n"), job("b"), tail="x: a]\n")
    assert split(flow, 2) is not None and sharded_findings(flow, 2) is None
    assert any(f.rule_id == "SL001" for f in lint(flow))


def test_block_scalars_that_keep_trailing_line_breaks_are_not_split() -> None:
    """`|+` keeps the blank lines after it, and in a shard those include the emptied lines of
    the next shard: the names below are equal in the file (SL004), not in a shard."""
    text = config(
        "  - job_name: a\n", "  - job_name: |+\n      b\n", '  - job_name: "b\\n"\n',
        "  - job_name: d\n",
    )  # fmt: skip
    assert split(text, 2) is not None and sharded_findings(text, 2) is None
    assert [f.rule_id for f in lint(text)].count("SL004") == 1


@pytest.mark.parametrize(
    ("text", "keeps"),
    [
        ("a: |+\n", True), ("a: >+\n", True), ("a: |2+\n", True), ("a: >+2\n", True),
        ("a: |\n", False), ("a: |-\n", False), ("regex: '(.+)'\n", False), ("+x", False),
        ("a: 1+1\n", False),
    ],
)  # fmt: skip
def test_keep_chomping_is_found_in_every_spelling(text: str, keeps: bool) -> None:
    assert sharding._has_keep_chomping(text) is keeps


def test_merge_keys_are_not_split() -> None:
    """Merge keys share one budget for the whole file (a merge bomb is SL001 there)."""
    text = config(job("a", "    params: {<<: {module: [x]}}\n"), job("b"), job("c"))
    assert split(text, 2) is not None and sharded_findings(text, 2) is None


def test_findings_that_tie_on_position_rule_and_message_have_one_order() -> None:
    span = Span(1, 1, 1, 2)
    first, second = (
        Finding("p.yml", span, "SL002", "x", Severity.ERROR, "m", path) for path in ("a", "b")
    )
    assert sorted({second, first}, key=Finding.sort_key) == [first, second]
    assert sorted({first, second}, key=Finding.sort_key) == [first, second]


@given(
    st.lists(
        st.builds(
            Finding,
            st.sampled_from(["a.yml", "b.yml"]),
            st.builds(Span, *[st.integers(1, 3)] * 4),
            st.sampled_from(["SL002", "SL101"]),
            st.just("name"),
            st.sampled_from(list(Severity)),
            st.sampled_from(["m", "n"]),
            st.sampled_from(["", "scrape_configs[0]"]),
            st.sampled_from(["", "h"]),
            st.sampled_from(["", "s"]),
        ),
        max_size=30,
    )
)
def test_findings_are_reported_in_key_order_each_once(findings: list[Finding]) -> None:
    assert sorted_unique(findings) == sorted(set(findings), key=Finding.sort_key)


def test_a_failed_child_abandons_the_split(monkeypatch: pytest.MonkeyPatch) -> None:
    text = config(*(job(f"j{n}") for n in range(4)))
    shard_plan = split(text, 2)
    assert shard_plan is not None
    parent = os.getpid()

    def lint_shard(plan: sharding.ShardPlan, shard: sharding.Shard) -> sharding.ShardResult:
        if os.getpid() != parent:
            raise RuntimeError("a bug in a child")
        return sharding.ShardResult((), ())

    assert sharding.merge(sharding.run_in_processes(shard_plan, lint_shard)) is None


def test_an_error_in_the_parents_shard_stops_the_children(tmp_path: Path) -> None:
    shard_plan = split(config(*(job(f"j{n}") for n in range(4))), 2)
    assert shard_plan is not None
    parent, pid_file = os.getpid(), tmp_path / "child.pid"

    def lint_shard(plan: sharding.ShardPlan, shard: sharding.Shard) -> sharding.ShardResult:
        if os.getpid() != parent:
            pid_file.write_text(str(os.getpid()), encoding="ascii")
            time.sleep(60)
        while not pid_file.exists():
            time.sleep(0.01)
        raise RuntimeError("a bug in the parent's shard")

    with pytest.raises(RuntimeError):
        sharding.run_in_processes(shard_plan, lint_shard)
    with pytest.raises(ProcessLookupError):  # killed and reaped
        os.kill(int(pid_file.read_text(encoding="ascii")), 0)


CHILD_OUTLIVES_PARENT = """
import os, sys, time
from scrapelint import sharding
from tests.test_sharding import config, job, split
shard_plan = split(config(*(job(f"j{n}") for n in range(4))), 2)
parent = os.getpid()
def lint_shard(plan, shard):
    if os.getpid() != parent:
        print("from the child", flush=True)  # silenced: children print nothing
        with open(sys.argv[1], "w") as stream:
            stream.write(str(os.getpid()))
        time.sleep(60)
    time.sleep(60)
sharding.run_in_processes(shard_plan, lint_shard)
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="parent-death signal: Linux")
def test_children_die_with_a_killed_parent(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    script = subprocess.Popen(
        [sys.executable, "-c", CHILD_OUTLIVES_PARENT, str(pid_file)],
        cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE,
    )  # fmt: skip
    while not pid_file.exists() or not pid_file.read_text(encoding="ascii"):
        assert script.poll() is None, "the script ended before its child started"
        time.sleep(0.01)
    child = int(pid_file.read_text(encoding="ascii"))
    script.terminate()  # SIGTERM to the parent only, as a CI timeout sends it
    script.wait()
    assert script.stdout is not None and script.stdout.read() == b""
    while _running(child):  # the kernel kills it with its parent (a hang here is the failure)
        time.sleep(0.01)


def _running(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stream:
            return stream.read().split(") ", 1)[1][0] != "Z"  # a zombie has ended
    except FileNotFoundError:
        return False


# --- the same findings as one process -----------------------------------------------------------


def test_real_world_corpus_gives_the_same_findings_split(shared: Path) -> None:
    texts = [t for t in corpus_texts() if split(t) is not None]
    merged = sum(assert_same_as_one_process(text) for text in texts)
    # 9 of the 13 that have a job list to split are merged; the other 4 have a `&` or `%` that
    # could be an anchor or an escaped merge tag. A drop here means splitting broke.
    assert merged >= 9, f"only {merged} of {len(texts)} corpus configs were split"


def test_conformance_configs_give_the_same_findings_split(shared: Path) -> None:
    paths = sorted((CONFORMANCE / "prometheus-testdata").glob("*.yml"))
    assert paths
    for path in paths:
        assert_same_as_one_process(path.read_text(encoding="utf-8", errors="replace"))


@FUZZ
@given(config_texts())
def test_generated_configs_give_the_same_findings_split(text: str) -> None:
    assert_same_as_one_process(text)


@st.composite
def splittable_texts(draw: st.DrawFn) -> str:
    """Generated configs in block style with several jobs: the shape a split is made for."""
    data = draw(configs())
    data["scrape_configs"] = draw(st.lists(jobs(), min_size=2, max_size=6))
    if draw(st.booleans()):
        data = {"scrape_configs": data.pop("scrape_configs"), **data}
    return yaml.safe_dump(
        data,
        sort_keys=False,
        default_flow_style=False,
        indent=draw(st.sampled_from([2, 4])),
        width=draw(st.sampled_from([20, 4096])),
    )


@FUZZ
@given(splittable_texts())
def test_generated_splittable_configs_give_the_same_findings_split(text: str) -> None:
    assert_same_as_one_process(text)


@FUZZ
@given(st.data())
def test_mutated_corpus_gives_the_same_findings_split(data: st.DataObject) -> None:
    texts = corpus_texts()
    if not texts:
        pytest.skip("the real-world corpus is absent (CI lays shared/ beside the checkout)")
    text = data.draw(st.sampled_from(texts))
    assert_same_as_one_process(mutate(text, data.draw(mutations)))


def test_credential_files_give_the_same_findings_split(tmp_path: Path) -> None:
    """The file rules (SL401-SL407), left out of the text-only comparisons above, on files
    that several shards name: missing, empty, world-readable, and a JWT that has expired."""
    secrets = tmp_path / "secrets"
    secrets.mkdir()
    (secrets / "open.token").write_text("token\n", encoding="ascii")
    (secrets / "open.token").chmod(0o644)
    (secrets / "empty.token").write_text("", encoding="ascii")
    (secrets / "empty.token").chmod(0o600)
    files = ["secrets/open.token", "secrets/empty.token", "missing.token", "/abs/missing.token"]
    jobs = [
        job(f"j{n}", f"    authorization:\n      credentials_file: {files[n % len(files)]}\n")
        for n in range(12)
    ]
    path = tmp_path / "prometheus.yml"
    text = config(*jobs)
    path.write_text(text, encoding="utf-8")
    every_rule = set(rule_ids())
    whole = lint_document(parse(str(path), text), Settings(), every_rule)
    assert {f.rule_id for f in whole} >= {"SL401", "SL402", "SL403"}
    for processes in (2, 3, 4):
        shard_plan = split(text, processes)
        assert shard_plan is not None
        result = lint_in_shards(str(path), shard_plan, Settings(), every_rule)
        assert result is not None and list(result.findings) == whole


# --- through the CLI, on a config large enough to be split ---------------------------------------


def large_config(jobs: int) -> str:
    extra = "    basic_auth: {username: u, password: inline}\n"
    return config(
        *(job(f"job-{n:05d}", extra if n % 7 == 0 else "") for n in range(jobs)),
        tail="alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: [am:9093]\n",
    )


@pytest.fixture(scope="module")
def large_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("large") / "prometheus.yml"
    path.write_text(large_config(6000), encoding="utf-8")
    assert path.stat().st_size >= 2 * MIN_SHARD_CHARS
    return path


def cli(path: Path, processes: int, *args: str) -> subprocess.CompletedProcess[str]:
    env = {sharding.PROCESSES_VARIABLE: str(processes)}
    return run_scrapelint("check", *args, path.name, cwd=path.parent, env=env)


@pytest.mark.parametrize("output_format", ["text", "sarif", "json"])
def test_cli_output_is_the_same_in_one_or_several_processes(
    large_file: Path, output_format: str
) -> None:
    one = cli(large_file, 1, "--format", output_format)
    several = cli(large_file, 3, "--format", output_format)
    assert one.returncode == several.returncode == 1
    assert one.stdout == several.stdout and one.stderr == several.stderr
    assert "SL201" in one.stdout


def test_warnings_are_printed_once_however_many_processes(tmp_path: Path) -> None:
    """A secured-job pattern that makes Python warn (a nested set), matched against the name
    of every job in every shard: the warning comes from the parent only, as from one process."""
    jobs = (
        f"  - job_name: app-{n:05d}\n    static_configs:\n"
        f"      - targets: ['app-{n:05d}.example.net:9100']\n"
        for n in range(8000)
    )
    path = tmp_path / "prometheus.yml"
    path.write_text(config(*jobs), encoding="utf-8")
    assert path.stat().st_size >= 2 * MIN_SHARD_CHARS
    (tmp_path / ".scrapelint.yaml").write_text('secured-job-patterns: ["[[j]0"]\n', "utf-8")
    cli(path, 1)  # validates the settings file (which warns too) and remembers it is valid
    one, several = cli(path, 1), cli(path, 2)
    assert one.stdout == several.stdout
    assert one.stderr == several.stderr and one.stderr.count("FutureWarning") == 1


def test_large_configs_are_split_when_the_run_may_use_several_processes(
    large_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    original = runner.lint_in_shards

    def spy(label: str, shard_plan: sharding.ShardPlan, *args: object) -> object:
        calls.append(len(shard_plan.shards))
        return original(label, shard_plan, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(runner, "lint_in_shards", spy)
    monkeypatch.setenv(sharding.PROCESSES_VARIABLE, "2")
    split_run = runner.run([str(large_file)], lambda _: Settings())
    assert calls == [2] and split_run.results[0].findings
    monkeypatch.setenv(sharding.PROCESSES_VARIABLE, "1")
    calls.clear()
    whole_run = runner.run([str(large_file)], lambda _: Settings())
    assert calls == []
    assert whole_run.results[0].findings == split_run.results[0].findings
