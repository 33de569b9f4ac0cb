"""The document model: spans, merge keys, duplicates, aliases, decoding."""

from __future__ import annotations

import time

import pytest

from scrapelint.document import as_bool, decode, get, parse, span_of
from scrapelint.findings import Span
from scrapelint.paths import yaml_path
from tests.helpers import lint_text


def test_spans_are_one_based_with_exclusive_end() -> None:
    doc = parse("p.yml", "global:\n  scrape_interval: 30s\n")
    value = get(get(doc.root, "global"), "scrape_interval")
    assert value is not None
    assert span_of(value) == Span(2, 20, 2, 23)


def test_block_mapping_span_stays_on_its_own_lines() -> None:
    doc = parse("p.yml", "a:\n  b: 1\n  c: 2\nd: 3\n")
    span = span_of(get(doc.root, "a"))  # type: ignore[arg-type]
    assert (span.line, span.end_line) == (2, 3)


def test_merge_keys_are_resolved_and_explicit_keys_win() -> None:
    text = "base: &b {scheme: https, metrics_path: /m}\njob:\n  <<: *b\n  scheme: http\n"
    doc = parse("p.yml", text)
    job = get(doc.root, "job")
    assert get(job, "scheme").value == "http"  # type: ignore[union-attr]
    assert get(job, "metrics_path").value == "/m"  # type: ignore[union-attr]
    assert doc.duplicates == ()


def test_duplicate_key_is_recorded_and_the_first_value_kept() -> None:
    doc = parse("p.yml", "a: 1\nb: 2\na: 3\n")
    assert [(d.key.start_mark.line, d.first.start_mark.line) for d in doc.duplicates] == [(2, 0)]
    assert get(doc.root, "a").value == "1"  # type: ignore[union-attr]


def test_yaml_11_booleans_read_as_go_yaml_does() -> None:
    doc = parse("p.yml", "a: yes\nb: off\nc: 'yes'\n")
    assert (as_bool(get(doc.root, "a")), as_bool(get(doc.root, "b"))) == (True, False)
    assert as_bool(get(doc.root, "c")) is None  # a quoted string is not a bool


def test_alias_bomb_is_linear() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 12)]
    started = time.perf_counter()
    doc = parse("bomb.yml", "\n".join(lines) + "\n")
    assert doc.problem is None
    assert yaml_path(doc.root, get(doc.root, "a11")) == "a11"  # type: ignore[arg-type]
    assert time.perf_counter() - started < 30  # a hang, not a benchmark


def test_deep_nesting_is_a_syntax_problem_not_a_crash() -> None:
    doc = parse("deep.yml", "a: " + "[" * 20000 + "]" * 20000)
    assert doc.problem is not None


def test_syntax_error_position() -> None:
    doc = parse("p.yml", "a: 1\n b: 2\n")
    assert doc.problem is not None
    assert doc.problem.span.line == 2


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"\x00\x01", "binary"), (b"a: \xff\n", "UTF-8")],
)
def test_undecodable_input_has_a_one_line_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        decode(data)


def test_utf16_with_bom_is_decoded() -> None:
    assert decode("a: b\n".encode("utf-16")) == "a: b\n"


def test_yaml_path_names_jobs() -> None:
    doc = parse(
        "p.yml", "scrape_configs:\n  - job_name: node\n    basic_auth:\n      password: x\n"
    )
    password = get(get(get(doc.root, "scrape_configs").value[0], "basic_auth"), "password")  # type: ignore[union-attr]
    assert yaml_path(doc.root, password) == "scrape_configs[job_name=node].basic_auth.password"  # type: ignore[arg-type]


def test_finding_on_merged_setting_is_anchored_on_each_jobs_merge_key() -> None:
    from tests.helpers import lint_text

    text = (
        "scrape_configs:\n"
        "  - job_name: a\n"
        "    basic_auth: &auth {username: u, password: ''}\n"
        "    static_configs: [{targets: ['a:9100']}]\n"
        "  - job_name: b\n"
        "    <<: {basic_auth: *auth}\n"
        "    static_configs: [{targets: ['b:9100']}]\n"
    )
    findings = lint_text(text, {"SL106"})
    assert [(f.span.line, f.yaml_path) for f in findings] == [
        (3, "scrape_configs[job_name=a].basic_auth.password"),
        (6, "scrape_configs[job_name=b].basic_auth.password"),
    ]


def test_spans_stay_inside_a_text_that_starts_with_a_byte_order_mark() -> None:
    """libyaml leaves a leading BOM out of its offsets (two in the file: one stays in the
    text after decoding)."""
    text = "\ufeffremote_write:\n  external_labels:\n"
    lines = text.split("\n")
    for finding in lint_text(text):
        span = finding.span
        assert 1 <= span.line <= span.end_line <= 2, finding
        assert span.end_column <= len(lines[span.end_line - 1]) + 1, finding
