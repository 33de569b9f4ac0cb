"""Settings files, inline directives and baselines, through the real command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

KUBELET = """\
scrape_configs:
  - job_name: kubelet
    scheme: https
    tls_config:
      ca_file: /etc/prometheus/ca.pem
    kubernetes_sd_configs:
      - role: node
"""
LEGACY = """\
scrape_configs:
  - job_name: legacy
    scheme: https
    bearer_token_file: /etc/prometheus/token
    tls_config:
      ca_file: /etc/prometheus/ca.pem
    static_configs:
      - targets: ["legacy.example.com:9100"]
"""


def scrapelint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapelint", *args],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip


def rules_found(run: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split()[2] for line in run.stdout.splitlines() if ": " in line]


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --- settings files ----------------------------------------------------------------------------


def test_nearest_settings_file_wins_and_cli_overrides_it(tmp_path: Path) -> None:
    write(tmp_path / ".scrapelint.yaml", "ignore: [SL107]\n")
    write(tmp_path / "team" / ".scrapelint.yaml", "ignore: [SL101]\n")
    write(tmp_path / "legacy.yml", LEGACY)
    write(tmp_path / "team" / "kubelet.yml", KUBELET)
    write(tmp_path / "team" / "legacy.yml", LEGACY)
    concise = ("check", "--format", "concise")
    assert rules_found(scrapelint(tmp_path, *concise, "legacy.yml")) == []
    # team/ has its own file, which replaces (does not extend) the parent's.
    assert rules_found(scrapelint(tmp_path, *concise, "team/kubelet.yml")) == []
    assert rules_found(scrapelint(tmp_path, *concise, "team/legacy.yml")) == ["SL107"]
    # The command line beats the file.
    run = scrapelint(tmp_path, *concise, "--select", "SL101", "team/kubelet.yml")
    assert rules_found(run) == ["SL101"]
    assert rules_found(scrapelint(tmp_path, *concise, "--isolated", "legacy.yml")) == ["SL107"]


def test_config_option_and_pyproject(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "x"\n\n[tool.scrapelint]\nignore = ["SL107"]\n',
    )
    write(tmp_path / "other.yaml", "ignore: [SL1]\n")
    write(tmp_path / "legacy.yml", LEGACY)
    concise = ("check", "--format", "concise", "legacy.yml")
    assert rules_found(scrapelint(tmp_path, *concise)) == []
    write(tmp_path / "pyproject.toml", '[tool.scrapelint]\nignore = ["SL2"]\n')
    assert rules_found(scrapelint(tmp_path, *concise)) == ["SL107"]
    assert rules_found(scrapelint(tmp_path, *concise, "--config", "other.yaml")) == []


def test_per_file_ignores(tmp_path: Path) -> None:
    write(tmp_path / ".scrapelint.yaml", 'per-file-ignores:\n  "legacy/*.yml": [SL107]\n')
    write(tmp_path / "legacy" / "a.yml", LEGACY)
    write(tmp_path / "current" / "a.yml", LEGACY)
    run = scrapelint(tmp_path, "check", "--format", "concise", ".")
    assert [line.split(":")[0] for line in run.stdout.splitlines()] == ["current/a.yml"]


@pytest.mark.parametrize(
    "output_format", ["text", "concise", "json", "sarif", "github", "gitlab", "junit"]
)
def test_severity_override_shows_in_every_format(tmp_path: Path, output_format: str) -> None:
    write(tmp_path / ".scrapelint.yaml", "severity:\n  SL107: note\nfail-on: error\n")
    write(tmp_path / "legacy.yml", LEGACY)
    run = scrapelint(tmp_path, "check", "--format", output_format, "legacy.yml")
    assert run.returncode == 0  # a note is below fail-on error
    marker = {
        "text": "note SL107", "concise": "note SL107", "json": '"severity": "note"',
        "sarif": '"level": "note"', "github": "::notice ", "gitlab": '"severity": "info"',
        "junit": "note SL107",
    }[output_format]  # fmt: skip
    assert marker in run.stdout
    assert "warning SL107" not in run.stdout


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("selct: [SL101]\n", ".scrapelint.yaml:1:1: selct: unknown key"),
        ("ignore: [SL1O1]\n", ".scrapelint.yaml:1:10: ignore.0: 'SL1O1' is not a rule id"),
        ("ignore: [SL199]\n", ".scrapelint.yaml:1:10: ignore: 'SL199' matches no rule"),
        ("severity:\n  SL107: loud\n", ".scrapelint.yaml:2:10: severity.SL107: must be one of"),
        ("fail-on: [error]\n", ".scrapelint.yaml:1:10: fail-on: must be one of"),
        ("secured-ports: [10250, x]\n", ".scrapelint.yaml:1:24: secured-ports.1:"),
        ("ignore: [SL101\n", ".scrapelint.yaml:2:1: invalid YAML"),
    ],
)
def test_bad_settings_give_a_precise_error(tmp_path: Path, content: str, expected: str) -> None:
    write(tmp_path / ".scrapelint.yaml", content)
    write(tmp_path / "legacy.yml", LEGACY)
    run = scrapelint(tmp_path, "check", "legacy.yml")
    assert run.returncode == 2
    assert "Traceback" not in run.stderr
    assert expected in run.stderr, run.stderr


def test_pyproject_error_names_the_line(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml", '[project]\nname = "x"\n[tool.scrapelint]\nfail_on = "error"\n'
    )
    write(tmp_path / "legacy.yml", LEGACY)
    run = scrapelint(tmp_path, "check", "legacy.yml")
    assert run.returncode == 2
    assert "pyproject.toml:4: fail_on: unknown key" in run.stderr


def test_rules_show_settings(tmp_path: Path) -> None:
    write(tmp_path / ".scrapelint.yaml", "ignore: [SL107]\nsecured-ports: [9999]\n")
    run = scrapelint(tmp_path, "rules", "--show-settings", "--format", "json")
    shown = json.loads(run.stdout)
    assert shown["settings"]["secured-ports"] == [9999]
    assert shown["settings"]["settings-file"].endswith(".scrapelint.yaml")
    assert [r["enabled"] for r in shown["rules"] if r["id"] == "SL107"] == [False]


def test_no_settings_file_means_no_jsonschema_import(tmp_path: Path) -> None:
    write(tmp_path / "legacy.yml", LEGACY)
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scrapelint", "check", "legacy.yml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    imported = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
    assert "scrapelint.engine" in imported
    assert "jsonschema" not in imported
    # Nor what only baselines, JSON formats or large configs need.
    assert not imported & {"json", "pickle", "scrapelint.sharding"}
    write(tmp_path / ".scrapelint.yaml", "ignore: [SL107]\n")
    # The first run with a settings file validates it; the next, with the same content, does not.
    for validated in (True, False):
        run = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "scrapelint", "check", "legacy.yml"],
            cwd=tmp_path, capture_output=True, text=True, check=False,
        )  # fmt: skip
        names = {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}
        assert ("jsonschema" in names) is validated
    write(tmp_path / ".scrapelint.yaml", "ignore: [SL107, SL101]\n")
    run = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "scrapelint", "check", "legacy.yml"],
        cwd=tmp_path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert "jsonschema" in {line.rsplit("|", 1)[-1].strip() for line in run.stderr.splitlines()}


# --- inline directives -------------------------------------------------------------------


def test_directives_on_the_line_above_and_at_file_level(tmp_path: Path) -> None:
    text = LEGACY.replace(
        "    bearer_token_file:",
        "    # scrapelint: disable=SL107 -- migrating in Q3\n    bearer_token_file:",
    )
    write(tmp_path / "a.yml", text)
    assert scrapelint(tmp_path, "check", "a.yml").returncode == 0
    write(tmp_path / "b.yml", "# scrapelint: disable-file=SL107\n" + LEGACY)
    assert scrapelint(tmp_path, "check", "b.yml").returncode == 0
    same_line = LEGACY.replace(
        "bearer_token_file: /etc/prometheus/token",
        "bearer_token_file: /etc/prometheus/token  # scrapelint: disable=SL107",
    )
    write(tmp_path / "c.yml", same_line)
    assert scrapelint(tmp_path, "check", "c.yml").returncode == 0


def test_expired_directive_stops_suppressing(tmp_path: Path) -> None:
    text = LEGACY.replace(
        "bearer_token_file: /etc/prometheus/token",
        "bearer_token_file: /etc/prometheus/token  # scrapelint: disable=SL107 until=2020-01-01",
    )
    write(tmp_path / "a.yml", text)
    found = rules_found(scrapelint(tmp_path, "check", "--format", "concise", "a.yml"))
    assert sorted(found) == ["SL006", "SL107"]


def test_locked_rule_cannot_be_suppressed(tmp_path: Path) -> None:
    write(tmp_path / ".scrapelint.yaml", "locked: [SL107]\n")
    write(tmp_path / "a.yml", "# scrapelint: disable-file=SL107 -- please\n" + LEGACY)
    found = rules_found(scrapelint(tmp_path, "check", "--format", "concise", "a.yml"))
    assert sorted(found) == ["SL006", "SL107"]


def test_hash_inside_a_quoted_value_is_not_a_directive(tmp_path: Path) -> None:
    text = LEGACY.replace("job_name: legacy", 'job_name: "legacy # scrapelint: disable-file=SL107"')
    write(tmp_path / "a.yml", text)
    assert rules_found(scrapelint(tmp_path, "check", "--format", "concise", "a.yml")) == ["SL107"]


def test_sl001_cannot_be_suppressed(tmp_path: Path) -> None:
    write(tmp_path / "a.yml", "# scrapelint: disable-file=SL001\nscrape_configs: [\n")
    assert rules_found(scrapelint(tmp_path, "check", "--format", "concise", "a.yml")) == ["SL001"]


# --- baseline -----------------------------------------------------------------------------


def test_baseline_survives_an_inserted_line_and_catches_a_new_finding(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", LEGACY + KUBELET.split("\n", 1)[1])
    run = scrapelint(
        tmp_path, "check", "--baseline", "base.json", "--update-baseline", "prometheus.yml"
    )
    assert run.returncode == 0
    recorded = json.loads((tmp_path / "base.json").read_text())
    assert [entry["rule"] for entry in recorded["findings"]] == ["SL101", "SL107"]
    assert (
        scrapelint(tmp_path, "check", "--baseline", "base.json", "prometheus.yml").returncode == 0
    )
    moved = "# a comment that moves every line\n\n" + LEGACY + KUBELET.split("\n", 1)[1]
    write(tmp_path / "prometheus.yml", moved)
    assert (
        scrapelint(tmp_path, "check", "--baseline", "base.json", "prometheus.yml").returncode == 0
    )
    write(tmp_path / "prometheus.yml", moved + LEGACY.split("\n", 1)[1].replace("legacy", "newer"))
    run = scrapelint(
        tmp_path, "check", "--format", "concise", "--baseline", "base.json", "prometheus.yml"
    )
    assert run.returncode == 1
    assert rules_found(run) == ["SL107"] and 'job "newer"' in run.stdout


def test_baseline_file_is_sorted_and_stable(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", KUBELET + LEGACY.split("\n", 1)[1])
    args = ("check", "--baseline", "base.json", "--update-baseline", "prometheus.yml")
    scrapelint(tmp_path, *args)
    first = (tmp_path / "base.json").read_text()
    scrapelint(tmp_path, *args)
    assert (tmp_path / "base.json").read_text() == first
    entries = json.loads(first)["findings"]
    assert entries == sorted(entries, key=lambda e: (e["rule"], e["path"], e["yaml_path"]))


def test_missing_baseline_is_exit_2(tmp_path: Path) -> None:
    write(tmp_path / "prometheus.yml", LEGACY)
    run = scrapelint(tmp_path, "check", "--baseline", "none.json", "prometheus.yml")
    assert run.returncode == 2 and "update-baseline" in run.stderr
