"""The command line as users run it: real processes, exit codes, streams, formats."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import REPO, run_scrapelint

BAD = """\
scrape_configs:
  - job_name: kubelet
    scheme: https
    kubernetes_sd_configs:
      - role: node
"""
WARN_ONLY = """\
scrape_configs:
  - job_name: api
    scheme: https
    static_configs:
      - targets: ["api.example.com:8080"]
"""
CLEAN = """\
scrape_configs:
  - job_name: node
    static_configs:
      - targets: ["localhost:9100"]
"""


def scrapelint(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_scrapelint(*args, cwd=cwd)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_version() -> None:
    run = scrapelint("--version")
    assert run.returncode == 0
    assert run.stdout.startswith("scrapelint, version ")


def test_findings_exit_1_and_clean_exit_0(tmp_path: Path) -> None:
    assert scrapelint("check", str(write(tmp_path, "bad.yml", BAD))).returncode == 1
    assert scrapelint("check", str(write(tmp_path, "ok.yml", CLEAN))).returncode == 0


def test_text_format_has_snippet_help_and_summary(tmp_path: Path) -> None:
    run = scrapelint("check", "bad.yml", cwd=write(tmp_path, "bad.yml", BAD).parent)
    lines = run.stdout.splitlines()
    assert lines[0].startswith("bad.yml:5:15: error SL101 ")
    assert lines[2] == "5 |       - role: node"
    assert lines[3] == "  |               ^^^^"
    assert lines[4].startswith("  help: ")
    assert lines[-1] == "Found 1 finding (1 error) in 1 file."


def test_concise_is_one_line_per_finding(tmp_path: Path) -> None:
    run = scrapelint(
        "check", "--format", "concise", "bad.yml", cwd=write(tmp_path, "bad.yml", BAD).parent
    )
    assert run.stdout.count("\n") == 1
    assert run.stdout.startswith('bad.yml:5:15: error SL101 job "kubelet"')


def test_fail_on_and_exit_zero(tmp_path: Path) -> None:
    path = str(write(tmp_path, "warn.yml", WARN_ONLY))
    assert scrapelint("check", path).returncode == 1
    assert scrapelint("check", "--fail-on", "error", path).returncode == 0
    assert scrapelint("check", "--exit-zero", str(write(tmp_path, "bad.yml", BAD))).returncode == 0


def test_select_and_ignore(tmp_path: Path) -> None:
    path = str(write(tmp_path, "bad.yml", BAD))
    assert scrapelint("check", "--ignore", "SL101", path).returncode == 0
    assert scrapelint("check", "--select", "SL1", "--ignore", "SL10", path).returncode == 0
    assert scrapelint("check", "--select", "SL101", "--ignore", "SL1", path).returncode == 1


def test_unknown_rule_code_is_a_usage_error(tmp_path: Path) -> None:
    run = scrapelint("check", "--select", "SL999", str(write(tmp_path, "ok.yml", CLEAN)))
    assert run.returncode == 2
    assert "SL999" in run.stderr and "Traceback" not in run.stderr


def test_missing_path_is_exit_2_with_one_line(tmp_path: Path) -> None:
    run = scrapelint("check", str(tmp_path / "nope.yml"))
    assert run.returncode == 2
    assert run.stderr.strip().count("\n") == 0
    assert "no such file or directory" in run.stderr


def test_no_path_is_a_usage_error() -> None:
    run = scrapelint("check")
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_bad_option_value_is_exit_2() -> None:
    assert scrapelint("check", "--format", "xml", "x.yml").returncode == 2


def test_directory_is_searched_by_content(tmp_path: Path) -> None:
    write(tmp_path, "prom.yaml", BAD)
    write(tmp_path, "deployment.yml", "apiVersion: v1\nkind: ConfigMap\n")
    (tmp_path / "sub").mkdir()
    write(tmp_path / "sub", "more.yml", BAD)
    run = scrapelint("check", "--format", "concise", ".", cwd=tmp_path)
    assert [line.split(":")[0] for line in run.stdout.splitlines()] == ["prom.yaml", "sub/more.yml"]
    assert run.stderr == ""


def test_explicit_non_prometheus_file_gets_a_notice(tmp_path: Path) -> None:
    path = write(tmp_path, "values.yml", "replicas: 2\n")
    run = scrapelint("check", str(path))
    assert run.returncode == 0
    assert "not a Prometheus config" in run.stderr
    # A Kubernetes manifest named explicitly is an input for the RBAC rules, not a mistake.
    manifest = write(tmp_path, "role.yml", "apiVersion: v1\nkind: ConfigMap\n")
    assert scrapelint("check", str(manifest)).stderr == ""


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"# only a comment\n",
        b"- a\n- list\n",
        b"\x00\x01\x02binary",
        b"key: \xff\xfe\n",
        b"scrape_configs: [\n",
        b"a: b: c\n",
    ],
    ids=["empty", "comment", "list-root", "binary", "latin1", "unclosed", "bad-mapping"],
)
def test_bad_input_never_shows_a_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "prometheus.yml"
    path.write_bytes(content)
    run = scrapelint("check", str(path))
    assert run.returncode in (0, 1, 2)
    assert "Traceback" not in run.stdout + run.stderr


def test_syntax_error_is_sl001_at_parser_position(tmp_path: Path) -> None:
    path = write(tmp_path, "prometheus.yml", "scrape_configs:\n  - job_name: a\n   bad: indent\n")
    run = scrapelint("check", "--format", "concise", str(path))
    assert run.returncode == 1
    assert ":3:" in run.stdout and "SL001" in run.stdout


def test_json_format_matches_its_schema(tmp_path: Path) -> None:
    import jsonschema

    run = scrapelint("check", "--format", "json", str(write(tmp_path, "bad.yml", BAD)))
    report = json.loads(run.stdout)
    schema = json.loads((REPO / "scrapelint/schemas/output-v1.schema.json").read_text())
    jsonschema.validate(report, schema)
    assert report["findings"][0]["rule"] == "SL101"
    assert report["findings"][0]["yaml_path"] == (
        "scrape_configs[job_name=kubelet].kubernetes_sd_configs[0].role"
    )


def test_output_file(tmp_path: Path) -> None:
    out = tmp_path / "report.txt"
    run = scrapelint("check", "--output", str(out), str(write(tmp_path, "bad.yml", BAD)))
    assert run.returncode == 1 and run.stdout == ""
    assert "SL101" in out.read_text()


def test_output_is_deterministic(tmp_path: Path) -> None:
    path = str(write(tmp_path, "bad.yml", BAD + WARN_ONLY.split("\n", 1)[1]))
    runs = {
        scrapelint("check", "--format", fmt, path).stdout for fmt in ("json",) for _ in range(3)
    }
    assert len(runs) == 1


def test_rule_command_prints_the_page() -> None:
    run = scrapelint("rule", "SL101")
    assert run.returncode == 0
    assert "## Why" in run.stdout and "missing-auth-on-secured-endpoint" in run.stdout
    assert scrapelint("rule", "missing-auth-on-secured-endpoint").stdout == run.stdout
    assert scrapelint("rule", "SL999").returncode == 2


def test_rules_command_lists_every_rule_as_json() -> None:
    rows = json.loads(scrapelint("rules", "--format", "json").stdout)
    assert [row["id"] for row in rows] == sorted(row["id"] for row in rows)
    assert {"id", "name", "severity", "title", "tags", "prometheus", "help_uri"} <= set(rows[0])


def test_cli_offers_every_reporter() -> None:
    from scrapelint.cli import OUTPUT_FORMATS
    from scrapelint.reporters import FORMATS

    assert OUTPUT_FORMATS == FORMATS
