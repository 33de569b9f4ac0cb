"""Hostile input (DESIGN §6): every bad file gives a finding or a one-line error, never a traceback.

Each case runs the real command line in its own process and checks the exit code (0, 1 or 2),
that standard error holds only one-line `scrapelint:` messages, and that nothing looks like a
traceback or an internal error. A process that does not finish within HANG_LIMIT seconds fails
the test: that limit detects hangs (exponential or quadratic blow-ups), it is not a timing budget
(the benchmark in bench/ measures time).
"""

from __future__ import annotations

import codecs
import os
import random
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from scrapelint.document import parse
from scrapelint.engine import FileResult, lint_document, read_document
from scrapelint.registry import checks
from scrapelint.reporters import FORMATS, Batch, get_reporter
from scrapelint.settings import Settings
from tests.helpers import run_scrapelint

HANG_LIMIT = 120
TEN_MB = 10 * 1024 * 1024
# Quadratic work shows long before 10 MB: the other huge values are smaller, to keep CI fast.
TWO_MB = 2 * 1024 * 1024
DEPTH = 20_000


@dataclass(frozen=True)
class Case:
    name: str
    content: bytes | None  # None: the case builds its own paths (see _special)
    code: int  # expected exit code
    stdout: tuple[str, ...] = ()  # substrings expected in standard output
    stderr: tuple[str, ...] = ()  # substrings expected in standard error
    args: tuple[str, ...] = field(default=())


def _utf8(text: str) -> bytes:
    return text.encode("utf-8")


def _random_bytes(seed: int, size: int, *, nul: bool) -> bytes:
    generator = random.Random(seed)
    data = bytes(generator.randrange(256) for _ in range(size))
    return data if nul else data.replace(b"\x00", b"\x01")


INLINE_PASSWORD = """\
scrape_configs:
  - job_name: node
    basic_auth:
      username: prometheus
      password: hunter2-hostile
    static_configs:
      - targets: ["node.example.com:9100"]
"""

ALIAS_BOMB = "\n".join(
    ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 10)}]" for i in range(1, 10)]
    + [
        "scrape_configs:",
        "  - job_name: bomb",
        "    static_configs: *l9",
        "    relabel_configs: *l9",
        "  - *l9",
        "rule_files: *l9",
    ]
)

MERGE_CHAIN = "\n".join(
    ["a0: &a0 {k0: 1}"]
    + [f"a{i}: &a{i} {{<<: *a{i - 1}, k{i}: 1}}" for i in range(1, 2000)]
    + ["scrape_configs: [{<<: *a1999, job_name: chained}]"]
)

WRONG_TYPES = """\
global: [a, b]
rule_files: {a: b}
alerting:
  alertmanagers: "x"
remote_write:
  - null
  - url: [http://a]
    headers: [x]
    basic_auth: 5
scrape_configs:
  - job_name: [a]
    static_configs:
      - targets: 5
  - null
  - ~
  -
  - "x"
  - [nested, list]
  - job_name: b
    static_configs: [null, {targets: [null, 5, [x], {a: b}], labels: [x]}]
    basic_auth: [x]
    authorization: {credentials: {nested: x}}
    tls_config: 5
    oauth2: "x"
    relabel_configs: [null, 5, {source_labels: 5, regex: [x], action: {a: b}}]
    kubernetes_sd_configs: {role: node}
    http_sd_configs: [{url: [x]}, 5]
    scheme: [https]
    params: 5
    http_headers: {X-A: 5, X-B: {values: 5, secrets: {a: b}}}
  - job_name: c
    scrape_interval: [1m]
    sample_limit: many
    honor_labels: maybe
"""

PYTHON_TAGS = """\
global: !!python/name:os.system
rule_files: !!python/object/apply:os.system ["touch {marker}"]
scrape_configs:
  - !!python/object/new:os.system ["touch {marker}"]
  - job_name: !!python/object/apply:subprocess.check_output [["touch", "{marker}"]]
    static_configs: !!python/object:builtins.dict {{targets: [a]}}
"""


def _cases() -> list[Case]:
    sl001 = ("SL001",)
    notice = ("not a Prometheus config",)
    return [
        Case("empty", b"", 0, stderr=notice),
        Case("comment-only", b"# nothing here\n# at all\n", 0, stderr=notice),
        Case("whitespace-only", b"\n\n   \n\n", 0, stderr=notice),
        Case("tab-only-line", b"\n\t\n", 1, stdout=sl001),
        Case("scalar-root", b"just a string\n", 0, stderr=notice),
        Case("number-root", b"42\n", 0, stderr=notice),
        Case("list-root", b"- scrape_configs: []\n- b\n", 0, stderr=notice),
        Case("null-root", b"~\n", 0, stderr=notice),
        Case("binary", bytes(range(256)) * 16, 1, stdout=("SL001", "binary")),
        Case("random-bytes", _random_bytes(9, 8192, nul=False), 1, stdout=sl001),
        Case("random-bytes-with-nul", _random_bytes(7, 8192, nul=True), 1, stdout=sl001),
        Case(
            "latin-1",
            "scrape_configs:\n  - job_name: café\n".encode("latin-1"),
            1,
            stdout=("SL001", "UTF-8"),
        ),
        Case(
            "utf-16-le",
            codecs.BOM_UTF16_LE + INLINE_PASSWORD.encode("utf-16-le"),
            1,
            stdout=(":5:17: error SL201",),
        ),
        Case(
            "utf-16-be",
            codecs.BOM_UTF16_BE + INLINE_PASSWORD.encode("utf-16-be"),
            1,
            stdout=(":5:17: error SL201",),
        ),
        Case("utf-16-without-bom", INLINE_PASSWORD.encode("utf-16-le"), 1, stdout=sl001),
        Case(
            "utf-8-bom", codecs.BOM_UTF8 + _utf8(INLINE_PASSWORD), 1, stdout=(":5:17: error SL201",)
        ),
        Case(
            "crlf",
            _utf8(INLINE_PASSWORD.replace("\n", "\r\n")),
            1,
            stdout=(":5:17: error SL201", "password: ********"),
        ),
        Case("lone-cr", _utf8(INLINE_PASSWORD.replace("\n", "\r")), 1, stdout=(":5:17:",)),
        Case(
            # libyaml counts U+2028, U+2029 and NEL as line breaks; so must the positions.
            "unicode-line-separators",
            _utf8('scrape_configs:\n  - job_name: "a\u2028b\x85c"\n    bearer_token: tok\n'),
            1,
            stdout=(":5:19: error SL201", "bearer_token: ********"),
        ),
        Case("line-separator-in-comment", _utf8("# a\u2028b: [\nscrape_configs: []\n"), 1),
        Case("control-characters", b"scrape_configs:\n  - job_name: \x0c\x07x\n", 1, stdout=sl001),
        Case("tab-indentation", b"scrape_configs:\n\t- job_name: a\n", 1, stdout=sl001),
        Case("tabs-in-values", b"scrape_configs:\n  - job_name:\ta\t\n", 0),
        Case(
            "deep-flow-sequences",
            _utf8("scrape_configs: " + "[" * DEPTH + "]" * DEPTH + "\n"),
            1,
            stdout=sl001,
        ),
        Case(
            "deep-flow-mappings",
            _utf8("scrape_configs: " + "{a: " * DEPTH + "1" + "}" * DEPTH + "\n"),
            1,
            stdout=sl001,
        ),
        Case(
            "deep-block-sequences",
            _utf8("scrape_configs:\n  " + "- " * DEPTH + "x\n"),
            1,
            stdout=sl001,
        ),
        Case(
            "deep-indentation",
            _utf8("scrape_configs:\n" + "".join(" " * i + f"k{i}:\n" for i in range(1, 1500))),
            1,
            stdout=sl001,
        ),
        Case("alias-bomb", _utf8(ALIAS_BOMB), 1, stdout=("SL002",)),
        Case("recursive-alias", b"scrape_configs: &s [*s, {job_name: a}]\n", 0),
        Case(
            "recursive-merge",
            b"x: &a {<<: *a, y: 1}\nscrape_configs: [{<<: *a, job_name: j}]\n",
            1,
            stdout=("SL002",),
        ),
        Case(
            # Each mapping merges the previous one: the merged pairs grow quadratically, so
            # reading stops at a budget (and a syntax-level finding says why).
            "merge-chain",
            _utf8(MERGE_CHAIN),
            1,
            stdout=("SL001", "merge keys"),
        ),
        Case(
            # 10,000 findings in one file: locating each one must not search the whole tree.
            "many-findings",
            _utf8("".join(f"unknown{n}: {n}\n" for n in range(10_000)) + "scrape_configs: []\n"),
            1,
            stdout=("10000:1: error SL002",),
            args=("--format", "concise"),
        ),
        Case("undefined-alias", b"scrape_configs: *nowhere\n", 1, stdout=("SL001", "alias")),
        Case(
            "huge-scalar-password",
            _utf8(f"scrape_configs:\n  - job_name: a\n    bearer_token: {'s' * TEN_MB}\n"),
            1,
            stdout=("SL201",),
        ),
        Case(
            "huge-scalar-duplicate-job",
            _utf8(f"scrape_configs:\n  - job_name: {'j' * TEN_MB}\n  - job_name: {'j' * TEN_MB}\n"),
            1,
            stdout=("SL004",),
        ),
        Case(
            # YAML limits implicit keys to 1024 characters: a syntax error, at its position.
            "huge-key",
            _utf8(f"scrape_configs:\n  - job_name: a\n    {'k' * TWO_MB}: 1\n"),
            1,
            stdout=("3:2097157: error SL001",),
        ),
        Case(
            "huge-flow-key",
            _utf8(f"scrape_configs:\n  - {{job_name: a, ? {'k' * TWO_MB} : 1}}\n"),
            1,
            stdout=("SL002",),
        ),
        Case(
            "huge-placeholder-like-value",
            _utf8(
                "scrape_configs:\n  - job_name: a\n    basic_auth:\n      username: u\n"
                f"      password: '{'${{<A {{{{' * (TWO_MB // 8)}'\n"
            ),
            1,
        ),
        Case(
            "huge-url",
            _utf8(f"remote_write:\n  - url: 'u:{'u:' * (TWO_MB // 2)}@h'\n"),
            1,
            stdout=("SL307",),
        ),
        Case(
            "huge-duration",
            _utf8(f"global:\n  scrape_interval: {'1' * TWO_MB}x\n"),
            1,
            stdout=("SL002",),
        ),
        Case(
            "huge-comment",
            _utf8(f"# {'c:' * (TWO_MB // 2)}\nscrape_configs: []\n"),
            0,
        ),
        Case(
            "scalar-for-list",
            b'scrape_configs: "x"\n',
            1,
            stdout=("1:17: error SL002",),
        ),
        Case("wrong-types-everywhere", _utf8(WRONG_TYPES), 1, stdout=("SL002",)),
        Case(
            "multi-document",
            b"scrape_configs: []\n---\nscrape_configs:\n  - job_name: a\n    bearer_token: t\n"
            b"---\n- just\n- a list\n...\n",
            0,
        ),
        Case("multi-document-syntax-error-later", b"scrape_configs: []\n---\n[unclosed\n", 1),
        Case("python-tags", b"", 1, stdout=("SL002",)),  # content written by _special
        Case("unknown-tags", b"scrape_configs: !custom [!x {job_name: a}]\nglobal: !!set {}\n", 0),
        Case("missing-path", None, 2, stderr=("no such file or directory",)),
        Case("fifo", None, 2, stderr=("not a regular file",)),
        Case("directory-with-symlink-loops", None, 2, stdout=("SL201",)),
        Case("too-large", None, 2, stderr=("larger than",)),
        Case("unreadable", None, 2, stderr=("ermission denied",)),
    ]


CASES = _cases()


def _special(case: Case, folder: Path) -> list[str]:
    """Paths to check for the cases that need more than one file's content."""
    if case.name == "python-tags":
        marker = folder / "EXECUTED"
        target = folder / "python-tags.yml"
        target.write_text(PYTHON_TAGS.format(marker=marker), encoding="utf-8")
        return [str(target)]
    if case.name == "missing-path":
        return [str(folder / "does-not-exist.yml")]
    if case.name == "fifo":
        fifo = folder / "fifo.yml"
        os.mkfifo(fifo)
        return [str(fifo)]
    if case.name == "directory-with-symlink-loops":
        tree = folder / "configs"
        (tree / "sub").mkdir(parents=True)
        (tree / "prometheus.yml").write_text(INLINE_PASSWORD, encoding="utf-8")
        (tree / "sub" / "up").symlink_to("..")  # a directory loop, never followed
        (tree / "self.yml").symlink_to("self.yml")  # a file symlink to itself
        (tree / "dangling.yml").symlink_to("nowhere/else.yml")
        os.mkfifo(tree / "pipe.yml")  # never opened: reading a FIFO would block
        return [str(tree)]
    if case.name == "too-large":
        big = folder / "big.yml"
        with open(big, "wb") as stream:
            stream.truncate(65 * 1024 * 1024)  # sparse: costs no disk
        return [str(big)]
    if case.name == "unreadable":
        if os.geteuid() == 0:
            pytest.skip("root reads files whatever their mode (see test_unreadable_in_process)")
        locked = folder / "locked.yml"
        locked.write_text(INLINE_PASSWORD, encoding="utf-8")
        locked.chmod(0)
        return [str(locked)]
    raise AssertionError(case.name)


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_scrapelint(*args, cwd=cwd, env={"SCRAPELINT_DEBUG": ""}, timeout=HANG_LIMIT)


def assert_clean_streams(run: subprocess.CompletedProcess[str]) -> None:
    """No traceback or internal error; standard error holds only one-line scrapelint messages."""
    assert "Traceback" not in run.stdout + run.stderr
    assert "internal error" not in run.stderr
    for line in run.stderr.splitlines():
        assert line.startswith("scrapelint: "), line


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_hostile_input(case: Case, tmp_path: Path) -> None:
    if case.content is None or case.name == "python-tags":
        paths = _special(case, tmp_path)
    else:
        target = tmp_path / f"{case.name}.yml"
        target.write_bytes(case.content)
        paths = [str(target)]
    run = _run(["check", *case.args, *paths], tmp_path)
    assert run.returncode == case.code, (run.stdout[-2000:], run.stderr[-2000:])
    assert_clean_streams(run)
    for expected in case.stdout:
        assert expected in run.stdout, run.stdout[-2000:]
    for expected in case.stderr:
        assert expected in run.stderr
    if case.name == "python-tags":
        assert not (tmp_path / "EXECUTED").exists()
    if case.name == "directory-with-symlink-loops":
        # One line per entry that cannot be read; the readable config is linted all the same.
        assert len(run.stderr.splitlines()) == 3, run.stderr
        assert "prometheus.yml:5:17: error SL201" in run.stdout


def test_unreadable_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unreadable file is a one-line error, also when the tests run as root."""
    from scrapelint import engine
    from scrapelint.runner import run

    target = tmp_path / "prometheus.yml"
    target.write_text(INLINE_PASSWORD, encoding="utf-8")
    real_open = open

    def refusing_open(path: object, *args: object, **kwargs: object) -> object:
        if str(path) == str(target):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)  # type: ignore[call-overload]

    monkeypatch.setattr(engine, "open", refusing_open, raising=False)
    result = run([str(target)], lambda _: Settings())
    assert result.results == ()
    assert len(result.errors) == 1
    assert "Permission denied" in result.errors[0]
    assert "\n" not in result.errors[0]


# --- wrong types at every level, in process -------------------------------------------------

KITCHEN_SINK = """\
global:
  scrape_interval: 30s
  external_labels: {cluster: a}
rule_files: [rules.yml]
alerting:
  alert_relabel_configs: [{action: labeldrop, regex: replica}]
  alertmanagers:
    - scheme: https
      basic_auth: {username: am, password_file: /etc/am}
      static_configs: [{targets: ["am:9093"]}]
      dns_sd_configs: [{names: [am.example.com], port: 9093}]
remote_write:
  - url: https://user:pw@metrics.example.com/push
    headers: {X-Token: abc}
    sigv4: {region: eu-west-1, access_key: AKIA, secret_key: sk}
    tls_config: {ca_file: /ca, min_version: TLS10}
    queue_config: {capacity: 100}
    write_relabel_configs: [{source_labels: [__name__], regex: "up", action: keep}]
remote_read:
  - url: http://reader/read
    authorization: {credentials: c}
tracing:
  endpoint: tracing:4317
  headers: {Authorization: x}
  tls_config: {insecure_skip_verify: true}
scrape_configs:
  - job_name: kitchen
    scheme: http
    metrics_path: /metrics
    params: {token: [p]}
    basic_auth: {username: u, password: p}
    authorization: {type: Bearer, credentials_file: /t}
    oauth2:
      client_id: id
      client_secret: s
      token_url: https://auth/token
      endpoint_params: {password: ep}
      tls_config: {cert_file: /c}
    tls_config: {ca_file: /ca, key: k, insecure_skip_verify: yes}
    proxy_url: http://proxy:3128
    proxy_connect_header: {Proxy-Authorization: [pc]}
    http_headers: {X-Api-Key: {secrets: [hs], values: [hv]}}
    static_configs:
      - targets: ["10.0.0.1:10250", "user:pw@host:9100", "https://x/metrics"]
        labels: {__scheme__: https}
    relabel_configs:
      - {source_labels: [__address__], target_label: __param_target}
      - {target_label: __scheme__, replacement: https}
    kubernetes_sd_configs:
      - role: node
        api_server: https://k8s
        bearer_token_file: /t
        tls_config: {ca_file: /ca}
    consul_sd_configs: [{server: "consul:8500", token: ct, authorization: {credentials: c}}]
    marathon_sd_configs: [{servers: [https://m], auth_token: at}]
    http_sd_configs: [{url: "http://sd/targets"}]
    azure_sd_configs: [{subscription_id: s, client_secret: cs}]
    ec2_sd_configs: [{region: r, secret_key: sk}]
"""

WRONG_VALUES: tuple[object, ...] = (None, "x", 5, ["a"], {"a": "b"}, [None])


def _mutations(data: object, path: tuple[object, ...] = ()) -> Iterator[tuple[object, ...]]:
    """Every path to a value in plain data: mapping keys and list indexes."""
    yield path
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _mutations(value, (*path, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _mutations(value, (*path, index))


def _replaced(data: object, path: tuple[object, ...], value: object) -> object:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(data, dict):
        return {k: (_replaced(v, rest, value) if k == head else v) for k, v in data.items()}
    assert isinstance(data, list)
    return [_replaced(v, rest, value) if i == head else v for i, v in enumerate(data)]


def _render_all(path: str, text: str, formats: tuple[str, ...] = FORMATS) -> None:
    findings = lint_document(parse(path, text), Settings(), set(checks()))
    result = FileResult(path, tuple(findings))
    for output_format in formats:
        get_reporter(output_format)(Batch((result,)))


def test_wrong_types_at_every_level_never_raise() -> None:
    """Every value of a config that reaches every checked block, replaced in turn by a null, a
    scalar, a list and a mapping of several kinds: every check and reporter copes."""
    base = yaml.safe_load(KITCHEN_SINK)
    paths = list(_mutations(base))
    assert len(paths) > 120
    for number, path in enumerate(paths):
        for value in WRONG_VALUES[number % 2 :: 2]:  # half of them each, alternating
            text = yaml.safe_dump(_replaced(base, path, value), sort_keys=False)
            # The reporters read findings only: every format for some, the text one for all.
            formats = FORMATS if number % 10 == 0 else ("text",)
            try:
                _render_all("sink.yml", text, formats)
            except Exception as error:  # pragma: no cover - the message is the point
                raise AssertionError(f"{path} = {value!r}: {error!r}") from error


def test_kitchen_sink_reports_in_every_block() -> None:
    """The base of the wrong-type sweep reaches every checked area (so the sweep means more)."""
    findings = lint_document(parse("sink.yml", KITCHEN_SINK), Settings(), set(checks()))
    rules = {finding.rule_id for finding in findings}
    assert {"SL103", "SL201", "SL202", "SL203", "SL204", "SL301", "SL306"} <= rules


@pytest.mark.parametrize(
    "case", [c for c in CASES if c.content], ids=[c.name for c in CASES if c.content]
)
def test_hostile_input_in_every_format(case: Case, tmp_path: Path) -> None:
    """The same bytes through read_document and every reporter, in process."""
    if case.content is not None and len(case.content) > 100_000:
        pytest.skip("the process test covers the large inputs")
    target = tmp_path / "hostile.yml"
    target.write_bytes(case.content or b"")
    document = read_document(str(target), "hostile.yml")
    findings = lint_document(document, Settings(), set(checks()))
    result = FileResult("hostile.yml", tuple(findings))
    for output_format in FORMATS:
        assert isinstance(get_reporter(output_format)(Batch((result,))), str)


def test_parse_never_raises_on_truncations() -> None:
    """Every prefix of a config (cut mid-token, mid-quote, mid-flow) parses or is SL001."""
    text = KITCHEN_SINK + ALIAS_BOMB
    for cut in range(0, len(text), 7):
        document = parse("cut.yml", text[:cut])
        assert document.problem is not None or document.root is None or document.root.tag
