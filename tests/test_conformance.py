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

# Upstream bad files whose failure lies in the SL3xx rules (scheme/URL/target), issue #3.
SL3XX_PENDING = {
    "url_in_targetgroup.bad.yml",
    "http_url_no_scheme.bad.yml",
    "http_url_bad_scheme.bad.yml",
    "http_url_no_host.bad.yml",
    "puppetdb_no_scheme.bad.yml",
    "puppetdb_bad_url.bad.yml",
    "eureka_invalid_server.bad.yml",
}
# prometheus/common fragments that do not fail when the config loads (INDEX.md "Stage"), or whose
# failure is an SL3xx rule (client certificate pairing, TLS versions), issue #3.
COMMON_NOT_LOAD_ERRORS = {
    "http.conf.invalid-bearer-token-file.bad.yml",  # fails per request, when the file is missing
    "tls_config.max_and_min_version.bad.yml",  # fails when the client is built (SL309)
    "tls_config.cert_no_key.bad.yml",  # SL308
    "tls_config.key_no_cert.bad.yml",  # SL308
}
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
    if path.name in SL3XX_PENDING:
        pytest.skip("failure lies in SL3xx (scheme, URL, targets), issue #3")
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
        pytest.skip("not a load-time failure in SL0xx/SL1xx scope")
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
    assert names >= SL3XX_PENDING | COMMON_NOT_LOAD_ERRORS
