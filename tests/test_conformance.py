"""Agreement with Prometheus' own test configs (read from ../shared/conformance, never copied).

Upstream's *.bad.yml files must each get an error finding; upstream's good files must get none of
the rules whose pages say Prometheus refuses the config.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from scrapelint.findings import Severity
from scrapelint.registry import rules
from tests.helpers import SHARED, lint_text

TESTDATA = SHARED / "conformance" / "prometheus-testdata"
COMMON = TESTDATA / "common-config"

# prometheus/common "bad" fragments that load (INDEX.md "Stage"); none left: the one that fails
# per request, http.conf.invalid-bearer-token-file.bad.yml, gets SL401 for its missing file.
COMMON_NOT_LOAD_ERRORS: set[str] = set()
JOB_HEADER = (
    "scrape_configs:\n  - job_name: fragment\n"
    "    static_configs:\n      - targets: [localhost:9090]\n"
)


def _files(folder: Path, pattern: str) -> list[Path]:
    return sorted(folder.glob(pattern)) if folder.is_dir() else []


def _name(path: object) -> str:
    return path.name if isinstance(path, Path) else "absent"


def _cases(paths: list[Path]) -> list[object]:
    """Parameters, or one skipped case that says why there are none."""
    if paths:
        return list(paths)
    return [pytest.param(None, marks=pytest.mark.skip(reason=f"{TESTDATA} is absent"))]


def _refusing_rules() -> set[str]:
    return {rule.id for rule in rules().values() if rule.prometheus == "refuses"}


def _errors(text: str, path: Path) -> list[str]:
    findings = lint_text(text, path=str(path))
    return [f.rule_id for f in findings if f.severity is Severity.ERROR]


def _as_job(fragment: Path) -> str:
    body = fragment.read_text(encoding="utf-8")
    if fragment.name.startswith("tls_config."):
        return JOB_HEADER + "    tls_config:\n" + textwrap.indent(body, " " * 6)
    return JOB_HEADER + textwrap.indent(body, " " * 4)


@pytest.fixture(autouse=True)
def _need_testdata(shared: Path) -> None:
    if not TESTDATA.is_dir():
        pytest.skip(f"{TESTDATA} is absent")


@pytest.mark.parametrize("path", _cases(_files(TESTDATA, "*.bad.yml")), ids=_name)
def test_upstream_bad_config_gets_an_error(path: Path) -> None:
    assert _errors(path.read_text(encoding="utf-8"), path)


@pytest.mark.parametrize(
    "path",
    _cases([*_files(TESTDATA, "*.good.yml"), *_files(TESTDATA / "scrape_configs", "*.good.yml")]),
    ids=_name,
)
def test_upstream_good_config_gets_no_refusal(path: Path) -> None:
    findings = lint_text(path.read_text(encoding="utf-8"), path=str(path))
    refusals = [(f.span.line, f.rule_id) for f in findings if f.rule_id in _refusing_rules()]
    assert refusals == []


@pytest.mark.parametrize(
    "path", _cases([p for p in _files(COMMON, "*.y*ml") if "bad" in p.name]), ids=_name
)
def test_common_bad_fragment_gets_an_error(path: Path) -> None:
    if path.name in COMMON_NOT_LOAD_ERRORS:
        pytest.skip("fails per request, not on load: the credential-file rules' business")
    assert _errors(_as_job(path), path)


@pytest.mark.parametrize(
    "path",
    _cases([p for p in _files(COMMON, "*.y*ml") if "bad" not in p.name]),
    ids=_name,
)
def test_common_good_fragment_gets_no_refusal(path: Path) -> None:
    findings = lint_text(_as_job(path), path=str(path))
    assert [f.rule_id for f in findings if f.rule_id in _refusing_rules()] == []


def test_pending_lists_name_existing_files() -> None:
    names = {p.name for p in _files(TESTDATA, "*.bad.yml")} | {p.name for p in _files(COMMON, "*")}
    assert names >= COMMON_NOT_LOAD_ERRORS
