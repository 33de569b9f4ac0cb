"""Differential tests: what scrapelint calls "Prometheus refuses this" against the real promtool.

For every fixture, every catalogue example, our own promtool fixtures and (where `../shared/`
exists) Prometheus' own test configs, promtool's verdict is compared with the findings of the
rules whose pages say `prometheus: refuses`:
- promtool accepts  <=> no such finding;
- promtool refuses  <=> at least one such finding.

promtool runs once per config, in a temporary directory where the files it stats exist (see
tests/live/promtool.py). What it cannot judge is skipped with the reason, counted by `-ra`:
configs using the discovery mechanisms Debian's build leaves out, and configs using keys newer
than this promtool. Every remaining disagreement is listed in KNOWN below with the Prometheus
version or behaviour that explains it; an unlisted disagreement fails, and so does a listed one
that no longer occurs.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

from scrapelint import prometheus
from scrapelint.document import parse
from scrapelint.engine import CheckContext, _FindingMaker, _included_documents
from scrapelint.findings import Finding
from scrapelint.registry import checks, config_checks, rules
from scrapelint.settings import Settings, from_mapping
from tests.helpers import REPO, SETTINGS_MARKER, SHARED
from tests.live import binaries
from tests.live import promtool as pt
from tests.test_catalogue import _blocks

pytestmark = pytest.mark.promtool

Version = pt.Version

OWN = REPO / "tests" / "fixtures_promtool"
FIXTURES = REPO / "tests" / "fixtures"
TESTDATA = SHARED / "conformance" / "prometheus-testdata"
COMMON = TESTDATA / "common-config"
REFUSING = frozenset(rule.id for rule in rules().values() if rule.prometheus == "refuses")

# Debian's 2.42 build leaves these discovery mechanisms out: configs using them are out of reach.
MISSING_DISCOVERY = frozenset({"kubernetes_sd_configs", "consul_sd_configs", "kuma_sd_configs"})


@dataclass(frozen=True)
class Explanation:
    """Why promtool and scrapelint disagree on a config, and in which versions."""

    reason: str
    # The promtool version from which on they agree; None: they disagree in every version.
    agrees_from: Version | None
    # "accepts", or a regular expression promtool's failure matches.
    promtool: str
    # promtool accepts: the refusing rules scrapelint reports (their findings' YAML paths all
    # match `where`). promtool refuses: the rules (not refusing ones) that report the problem.
    rules: frozenset[str]
    where: str = ""


SD_HTTP_CLIENT = Explanation(
    "Prometheus validates the http_config of http, ec2, azure, uyuni, puppetdb and lightsail "
    "discovery only since 2.48.0 (CHANGELOG: 'SD: Validate HTTP client configuration in HTTP, "
    "EC2, Azure, Uyuni, PuppetDB, and Lightsail SDs'); 2.42 loads the conflict",
    (2, 48, 0),
    "accepts",
    frozenset({"SL103", "SL104"}),
    r"\.(http|ec2|azure|uyuni|puppetdb|lightsail)_sd_configs\[",
)
CERT_KEY_PAIR = Explanation(
    "a client certificate without its key (or the reverse) is a load error since 2.45.0; "
    "promtool 2.42 checks the pair only for scrape jobs and kubernetes discovery, so "
    "alertmanager and remote_write blocks pass",
    (2, 45, 0),
    "accepts",
    frozenset({"SL308"}),
    r"^(alerting|remote_write|remote_read)",
)
TLS_VERSIONS_INVERTED = Explanation(
    "max_version below min_version is raised when the HTTP client is built, not when the file "
    "loads, in every version since 2.41.0: promtool passes, the server logs `error creating new "
    "scrape pool` and drops the job (test_live.py shows it). SL309's front matter says "
    "`prometheus: refuses`, which is true only of its unknown-name half",
    None,
    "accepts",
    frozenset({"SL309"}),
    r"\.max_version$",
)
URL_FIELDS = Explanation(
    "discovery URLs without an http(s) scheme or a host are load errors (http_sd since 2.28.0, "
    "puppetdb since 2.31.0, eureka since 2.21.0), and so is a remote_write without url; "
    "scrapelint reports them under SL307, whose front matter says `prometheus: silent` because "
    "its job-`scheme` half fails only per scrape",
    None,
    r"URL scheme must be 'http' or 'https'|host is missing in URL|invalid eureka server URL"
    r"|url for remote_write is empty",
    frozenset({"SL307"}),
)
PLACEHOLDER_URL = Explanation(
    "a `{{ ... }}` or `${...}` placeholder in a URL-valued field is a load error in every "
    "version (Go's URL parser rejects `{` in a host; discovery URLs then lack a scheme); "
    "scrapelint reports it under SL109, whose front matter says `prometheus: silent` (its page "
    "mentions that URL fields can stop the load)",
    None,
    r"invalid character \"\{\" in host name|URL scheme must be 'http' or 'https'",
    frozenset({"SL109"}),
)
AZURE_SDK = Explanation(
    "azure_sd_configs `authentication_method: SDK` is accepted since 2.52.0 "
    "(prometheus/prometheus#13099); 2.42 knows only OAuth and ManagedIdentity",
    (2, 52, 0),
    r'unknown authentication_type "SDK"',
    frozenset(),
)
SCHEME_WITHOUT_PORT = Explanation(
    "2.x adds a default port to a target without one and refuses any scheme but lower-case "
    "http/https while doing so (`invalid scheme`); 3.0.0 stopped adding ports (#14160), so the "
    "file loads (and an unknown scheme fails on every scrape), which is why SL307 says "
    "`prometheus: silent`",
    (3, 0, 0),
    r'invalid scheme: "',
    frozenset({"SL307"}),
)

# Every case on which promtool and scrapelint disagree, by case id.
KNOWN: dict[str, Explanation] = {
    "conformance:azure_bearertoken_basicauth.bad.yml": SD_HTTP_CLIENT,
    "conformance:ec2_token_file.bad.yml": SD_HTTP_CLIENT,
    "conformance:http_token_file.bad.yml": SD_HTTP_CLIENT,
    "conformance:lightsail_token_file.bad.yml": SD_HTTP_CLIENT,
    "conformance:puppetdb_token_file.bad.yml": SD_HTTP_CLIENT,
    "conformance:uyuni_token_file.bad.yml": SD_HTTP_CLIENT,
    "own:azure_sd_basic_auth_and_bearer_token.yml": SD_HTTP_CLIENT,
    "own:ec2_sd_bearer_token_and_file.yml": SD_HTTP_CLIENT,
    "own:http_sd_bearer_token_and_file.yml": SD_HTTP_CLIENT,
    "own:lightsail_sd_bearer_token_and_file.yml": SD_HTTP_CLIENT,
    "own:puppetdb_sd_bearer_token_and_file.yml": SD_HTTP_CLIENT,
    "own:uyuni_sd_bearer_token_and_file.yml": SD_HTTP_CLIENT,
    "own:alertmanager_cert_without_key.yml": CERT_KEY_PAIR,
    "own:remote_write_key_without_cert.yml": CERT_KEY_PAIR,
    "common:tls_config.max_and_min_version.bad.yml": TLS_VERSIONS_INVERTED,
    "own:tls_versions_inverted.yml": TLS_VERSIONS_INVERTED,
    "conformance:eureka_invalid_server.bad.yml": URL_FIELDS,
    "conformance:http_url_bad_scheme.bad.yml": URL_FIELDS,
    "conformance:http_url_no_host.bad.yml": URL_FIELDS,
    "conformance:http_url_no_scheme.bad.yml": URL_FIELDS,
    "conformance:puppetdb_bad_url.bad.yml": URL_FIELDS,
    "conformance:puppetdb_no_scheme.bad.yml": URL_FIELDS,
    "own:eureka_sd_server_without_scheme.yml": URL_FIELDS,
    "own:http_sd_ftp_url.yml": URL_FIELDS,
    "own:http_sd_url_without_host.yml": URL_FIELDS,
    "own:http_sd_url_without_scheme.yml": URL_FIELDS,
    "own:puppetdb_sd_ftp_url.yml": URL_FIELDS,
    "own:puppetdb_sd_url_without_host.yml": URL_FIELDS,
    "own:remote_write_without_url.yml": URL_FIELDS,
    "fixture:SL307/bad_discovery_urls.yml": URL_FIELDS,
    "fixture:SL307/bad_remote_and_proxy_urls.yml": URL_FIELDS,
    "catalogue:SL307/bad0": URL_FIELDS,
    "fixture:SL109/bad_template_forms.yml": PLACEHOLDER_URL,
    "fixture:SL109/bad_url_fields.yml": PLACEHOLDER_URL,
    "fixture:SL307/good_placeholder_urls.yml": PLACEHOLDER_URL,
    "own:remote_write_template_in_host.yml": PLACEHOLDER_URL,
    "fixture:SL113/good_accepted_values.yml": AZURE_SDK,
    "own:azure_sd_sdk_authentication_method.yml": AZURE_SDK,
    "own:job_scheme_ftp_target_without_port.yml": SCHEME_WITHOUT_PORT,
    "own:job_scheme_uppercase_target_without_port.yml": SCHEME_WITHOUT_PORT,
}

OWN_EXPECTATION = re.compile(r"^# promtool 2\.42: (accepts|refuses|file-check)\b ?(.*)$", re.M)
KEEP_MISSING = "# promtool: keep missing files"


# --- the cases ---------------------------------------------------------------------------------


def _wrap_fragment(fragment: Path) -> str:
    """A prometheus/common <http_config> or <tls_config> fragment, as one scrape job."""
    header = (
        "scrape_configs:\n  - job_name: fragment\n"
        "    static_configs:\n      - targets: [localhost:9090]\n"
    )
    body = fragment.read_text(encoding="utf-8")
    if fragment.name.startswith("tls_config."):
        return header + "    tls_config:\n" + textwrap.indent(body, " " * 6)
    return header + textwrap.indent(body, " " * 4)


def _cases() -> list[pt.Case]:
    found: list[pt.Case] = []
    for path in sorted(OWN.glob("*.yml")):
        text = path.read_text(encoding="utf-8")
        found.append(pt.Case(f"own:{path.name}", text, create_missing=KEEP_MISSING not in text))
    for path in sorted(FIXTURES.glob("SL*/*.yml")):
        found.append(
            pt.Case(f"fixture:{path.parent.name}/{path.name}", path.read_text(encoding="utf-8"))
        )
    for heading in ("Bad", "Good"):
        for rule_id, index, block, _manifests in _blocks(heading):
            found.append(pt.Case(f"catalogue:{rule_id}/{heading.lower()}{index}", block))
    example = REPO / "examples" / "prometheus.yml"
    found.append(pt.Case("example:prometheus.yml", example.read_text(encoding="utf-8")))
    return found


def _shared_cases() -> list[pt.Case]:
    if not TESTDATA.is_dir():
        return []
    found: list[pt.Case] = []
    for path in [*sorted(TESTDATA.glob("*.yml")), *sorted(TESTDATA.glob("scrape_configs/*.yml"))]:
        name = path.relative_to(TESTDATA).as_posix()
        found.append(
            pt.Case(f"conformance:{name}", path.read_text(encoding="utf-8"), path=str(path))
        )
    for path in sorted(COMMON.glob("*.y*ml")):
        found.append(pt.Case(f"common:{path.name}", _wrap_fragment(path), siblings=COMMON))
    return found


CASES = _cases()
SHARED_CASES = _shared_cases()
BY_ID = {case.id: case for case in [*CASES, *SHARED_CASES]}


def _params(cases: list[pt.Case], absent: str | None = None) -> list[object]:
    if not cases and absent:
        return [pytest.param(None, marks=pytest.mark.skip(reason=absent), id="absent")]
    return [pytest.param(case.id, id=case.id) for case in cases]


# --- the two sides -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def promtool() -> str:
    return binaries.find("promtool")


@pytest.fixture(scope="module")
def promtool_version(promtool: str) -> Version:
    return binaries.version(promtool)


@pytest.fixture(scope="module")
def runs(promtool: str) -> dict[str, pt.PromtoolRun]:
    """promtool once per case, every case at once (a few processes in parallel)."""
    return pt.run_all(BY_ID.values(), promtool)


def scrapelint_findings(case: pt.Case) -> list[Finding]:
    """Every check's findings, before inline directives (a directive hides a refusal from the
    report, not from Prometheus)."""
    marker = SETTINGS_MARKER.search(case.text)
    settings = from_mapping(json.loads(marker.group(1))) if marker else Settings()
    with tempfile.TemporaryDirectory() as folder:
        path = case.path or os.path.join(folder, "prometheus.yml")
        document = parse(path, case.text)
        included = tuple(_included_documents(document, path))
        config = prometheus.build(document, included)
        context = CheckContext(document, config, settings.lint, ())
        maker = _FindingMaker(document, settings)
        for rule_id, function in sorted(config_checks().items()):
            maker.add(rule_id, function(context))
        return maker.findings()


@dataclass(frozen=True)
class Comparison:
    verdict: pt.Verdict
    findings: tuple[Finding, ...]
    prepared: tuple[str, ...] = ()  # what was done so that promtool's file checks pass

    @property
    def refusals(self) -> list[Finding]:
        return [f for f in self.findings if f.rule_id in REFUSING]

    @property
    def promtool_refuses(self) -> bool:
        return self.verdict.kind is pt.Kind.REFUSES

    @property
    def agree(self) -> bool:
        return self.promtool_refuses == bool(self.refusals)

    def lines_without_refusal(self) -> list[int]:
        """Lines promtool's failure names (`line 7: field x not found`) that no refusing
        finding covers: agreement on the verdict should also be agreement on the place."""
        named = [int(n) for n in re.findall(r"^\s*line (\d+):", self.verdict.message, re.M)]
        return [
            n for n in named if not any(f.span.line <= n <= f.span.end_line for f in self.refusals)
        ]

    def describe(self) -> str:
        told = self.verdict.message or "(accepted)"
        found = "\n".join(
            f"  {f.span.line}:{f.span.column} {f.rule_id} {f.yaml_path}: {f.message}"
            for f in self.findings
        )
        notes = "".join(f"\n  ({note})" for note in self.prepared)
        return (
            f"promtool: {self.verdict.kind.value}: {told}{notes}\n"
            f"scrapelint:\n{found or '  nothing'}"
        )


def classify(run: pt.PromtoolRun, version: Version) -> pt.Verdict:
    """promtool's verdict, with unknown keys that are merely newer than this promtool set apart."""
    verdict = pt.classify(run, MISSING_DISCOVERY)
    if verdict.kind is not pt.Kind.UNKNOWN_FIELDS:
        return verdict
    if all(pt.newer(name, type_name, version) for name, type_name in verdict.unknown):
        return verdict
    # At least one key is unknown to every version: promtool's refusal stands.
    return pt.Verdict(pt.Kind.REFUSES, verdict.message, verdict.unknown)


@functools.cache
def _findings(case_id: str) -> tuple[Finding, ...]:
    return tuple(scrapelint_findings(BY_ID[case_id]))


def compare(case_id: str, runs: dict[str, pt.PromtoolRun], version: Version) -> Comparison:
    run = runs[case_id]
    return Comparison(classify(run, version), _findings(case_id), run.prepared)


def explained(comparison: Comparison, explanation: Explanation, version: Version) -> str | None:
    """None when `explanation` accounts for the disagreement exactly, else what does not fit."""
    if explanation.agrees_from is not None and version >= explanation.agrees_from:
        return f"promtool {binaries.version_text(version)} should agree ({explanation.reason})"
    if explanation.promtool == "accepts":
        if comparison.verdict.kind is pt.Kind.REFUSES:
            return "the explanation is for a config promtool accepts"
        rules_found = {f.rule_id for f in comparison.refusals}
        if not rules_found <= explanation.rules:
            return f"refusing rules {sorted(rules_found)} not all in {sorted(explanation.rules)}"
        where = explanation.where
        misplaced = [f.yaml_path for f in comparison.refusals if not re.search(where, f.yaml_path)]
        return f"findings outside {explanation.where!r}: {misplaced}" if misplaced else None
    if not comparison.promtool_refuses or not re.search(
        explanation.promtool, comparison.verdict.message
    ):
        return f"promtool's failure does not match {explanation.promtool!r}"
    missing = explanation.rules - {f.rule_id for f in comparison.findings}
    return f"scrapelint does not report {sorted(missing)}" if missing else None


# --- the tests ---------------------------------------------------------------------------------


def _too_old_reason(version: Version, since: Version) -> str:
    """One reason per newest key version, so that `-ra` counts the skips of each."""
    keys = sorted(name for name, (added, _) in pt.NEWER_KEYS.items() if added == since)
    return (
        f"promtool {binaries.version_text(version)} cannot judge it: it uses keys loaded since "
        f"Prometheus {binaries.version_text(since)} ({', '.join(keys)}, or older new keys)"
    )


def _judge(case_id: str, runs: dict[str, pt.PromtoolRun], version: Version) -> None:
    comparison = compare(case_id, runs, version)
    verdict = comparison.verdict
    if verdict.kind is pt.Kind.OUT_OF_REACH:
        pytest.skip(
            "out of reach: uses kubernetes_sd_configs, consul_sd_configs or kuma_sd_configs, "
            "which Debian's promtool build leaves out"
        )
    if verdict.kind is pt.Kind.UNKNOWN_FIELDS:
        since = max(pt.NEWER_KEYS[name][0] for name, _ in verdict.unknown)
        pytest.skip(_too_old_reason(version, since))
    if verdict.kind is pt.Kind.FILE_CHECK:
        assert not BY_ID[case_id].create_missing or runs[case_id].kept_missing, (
            "promtool's file-existence check failed on a file this test did not create "
            f"(extend prepare() in tests/live/promtool.py)\n{comparison.describe()}"
        )
        assert comparison.refusals == [], (
            f"only promtool's file check failed: the config loads\n{comparison.describe()}"
        )
        return
    explanation = KNOWN.get(case_id)
    if comparison.agree:
        applies = explanation is not None and (
            explanation.agrees_from is None or version < explanation.agrees_from
        )
        assert not applies, (
            f"listed in KNOWN as a disagreement, but they agree now: remove it\n"
            f"{comparison.describe()}"
        )
        unexplained = comparison.lines_without_refusal()
        assert unexplained == [], (
            f"promtool names line(s) {unexplained} where scrapelint reports no refusal\n"
            f"{comparison.describe()}"
        )
        return
    assert explanation is not None, (
        f"promtool and scrapelint disagree, and KNOWN does not explain it\n{comparison.describe()}"
    )
    problem = explained(comparison, explanation, version)
    assert problem is None, f"KNOWN's explanation does not fit: {problem}\n{comparison.describe()}"


@pytest.mark.parametrize("case_id", _params(CASES))
def test_promtool_and_scrapelint_agree(
    case_id: str, runs: dict[str, pt.PromtoolRun], promtool_version: Version
) -> None:
    _judge(case_id, runs, promtool_version)


@pytest.mark.parametrize(
    "case_id", _params(SHARED_CASES, f"{TESTDATA} is absent (CI lays shared/ beside the checkout)")
)
def test_promtool_and_scrapelint_agree_on_upstream_testdata(
    case_id: str, runs: dict[str, pt.PromtoolRun], promtool_version: Version
) -> None:
    _judge(case_id, runs, promtool_version)


OWN_CASES = [case for case in CASES if case.id.startswith("own:")]


@pytest.mark.parametrize("case_id", _params(OWN_CASES))
def test_own_fixture_states_what_promtool_242_says(
    case_id: str, runs: dict[str, pt.PromtoolRun], promtool_version: Version
) -> None:
    """Our own fixtures carry `# promtool 2.42: accepts|refuses|file-check <message>`."""
    if promtool_version[:2] != (2, 42):
        pytest.skip(f"the fixtures state 2.42's verdicts; this is {promtool_version}")
    match = OWN_EXPECTATION.search(BY_ID[case_id].text)
    assert match, "own fixtures start with `# promtool 2.42: <verdict> <message>`"
    expected, message = match.groups()
    verdict = classify(runs[case_id], promtool_version)
    assert verdict.kind.value == expected, verdict.message
    if expected != "accepts":
        assert message in verdict.message


@pytest.mark.parametrize("case_id", _params([c for c in OWN_CASES if c.create_missing is False]))
def test_missing_file_is_promtools_check_not_a_refusal(
    case_id: str, runs: dict[str, pt.PromtoolRun], promtool_version: Version
) -> None:
    """promtool fails on a missing credentials/TLS/rule file after loading the config; the
    server itself starts (facts §3). So scrapelint reports no refusal, and SL401 (credential
    files) reports the missing credential file."""
    comparison = compare(case_id, runs, promtool_version)
    assert comparison.verdict.kind is pt.Kind.FILE_CHECK, comparison.describe()
    assert comparison.refusals == [], comparison.describe()
    if "rule_files" in BY_ID[case_id].text:
        return  # rule files are not credential files
    if "SL401" not in checks():
        pytest.skip("SL401 (credential-file-missing) is not implemented yet")
    assert "SL401" in {f.rule_id for f in comparison.findings}, comparison.describe()


# Refusing rules that no config within this promtool's reach can confirm, and why.
UNCONFIRMABLE = {
    "SL110": "kubernetes_sd_configs only, which Debian's promtool build leaves out",
}


def test_every_refusing_rule_is_confirmed_by_promtool(
    runs: dict[str, pt.PromtoolRun], promtool_version: Version
) -> None:
    """Each refusing rule reports at least one config that promtool really refuses."""
    confirmed: set[str] = set()
    for case_id in BY_ID:
        comparison = compare(case_id, runs, promtool_version)
        if comparison.promtool_refuses:
            confirmed |= {f.rule_id for f in comparison.refusals}
    assert sorted(REFUSING - confirmed - set(UNCONFIRMABLE)) == []
    assert sorted(confirmed & set(UNCONFIRMABLE)) == [], "confirmed now: drop from UNCONFIRMABLE"


def test_every_listed_disagreement_names_a_case() -> None:
    unknown = sorted(set(KNOWN) - set(BY_ID))
    shared_only = [name for name in unknown if name.startswith(("conformance:", "common:"))]
    if shared_only and not TESTDATA.is_dir():
        unknown = sorted(set(unknown) - set(shared_only))
    assert unknown == [], "KNOWN names cases that do not exist"


def test_each_listed_disagreement_has_an_own_fixture() -> None:
    """The suite stands alone: every kind of disagreement also shows on a file of ours or the
    repository's (not only on ../shared)."""
    local = {
        id(explanation)
        for case_id, explanation in KNOWN.items()
        if not case_id.startswith(("conformance:", "common:"))
    }
    assert {id(explanation) for explanation in KNOWN.values()} <= local


def test_newer_keys_are_newer_than_the_ci_promtool() -> None:
    assert all(since > (2, 42, 0) for since, _ in pt.NEWER_KEYS.values())
