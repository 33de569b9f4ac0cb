"""Shared test helpers: `# expect:` comments and linting text in memory."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from scrapelint.defaults import LintOptions
from scrapelint.document import parse
from scrapelint.engine import lint_document
from scrapelint.findings import Finding
from scrapelint.registry import checks
from scrapelint.settings import Settings, from_mapping

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
EXPECT = re.compile(r"#\s*expect:\s*(SL\d{3}(?:\s*,\s*SL\d{3})*)")


def expectations(text: str) -> Counter[tuple[int, str]]:
    """(line, rule) pairs from `# expect: SL101, SL102` comments, with multiplicity."""
    found: Counter[tuple[int, str]] = Counter()
    for number, line in enumerate(text.splitlines(), start=1):
        match = EXPECT.search(line)
        if match:
            for rule_id in match.group(1).split(","):
                found[(number, rule_id.strip())] += 1
    return found


SETTINGS_MARKER = re.compile(r"^# settings: (\{.*\})$", re.MULTILINE)
FILES_MARKER = re.compile(r"^# files: (\{.*\})$", re.MULTILINE)


def lint_text(
    text: str,
    rules: set[str] | None = None,
    path: str = "test.yml",
    manifests: str | None = None,
    **options: object,
) -> list[Finding]:
    """Lint with every rule enabled; keep the findings of `rules` (all when None).

    Markers in the text, each on a line of its own:
    - `# settings: {...}`: JSON with settings-file keys, applied to the run;
    - `# files: {"rel/path": {"content": "...", "mode": "0600"}}`: files created (with that mode)
      in a temporary directory that also holds the config as prometheus.yml, so relative
      `*_file` paths resolve there. `{"kind": "dir"}` makes a directory, `{"kind": "fifo"}` a
      FIFO, `{"kind": "symlink", "target": "..."}` a symbolic link, and `"git": "tracked"`
      makes the directory a git repository with that file added to its index.
    `manifests` is the text of a Kubernetes manifest file given beside the config.
    """
    marker = SETTINGS_MARKER.search(text)
    if marker:
        settings = from_mapping(json.loads(marker.group(1)))
    else:
        settings = Settings(lint=LintOptions(**options))  # type: ignore[arg-type]
    manifest_docs = (parse("manifests.yaml", manifests),) if manifests is not None else ()
    files = FILES_MARKER.search(text)
    with tempfile.TemporaryDirectory() as folder, tempfile.TemporaryDirectory() as empty_root:
        if settings.lint.root is None:
            # Absolute paths resolve under an empty directory: the host's own files (a
            # service-account token on a CI runner in Kubernetes) must not change results.
            settings = replace(settings, lint=replace(settings.lint, root=empty_root))
        if files:
            path = os.path.join(folder, "prometheus.yml")
            _make_files(folder, json.loads(files.group(1)))
        document = parse(path, text)
        findings = lint_document(document, settings, set(checks()), manifests=manifest_docs)
    return [f for f in findings if rules is None or f.rule_id in rules]


def _make_files(folder: str, spec: dict[str, dict[str, str]]) -> None:
    tracked = [relative for relative, entry in spec.items() if entry.get("git") == "tracked"]
    for relative, entry in spec.items():
        target = os.path.join(folder, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        kind = entry.get("kind", "file")
        if kind == "dir":
            os.makedirs(target, exist_ok=True)
        elif kind == "fifo":
            os.mkfifo(target)
        elif kind == "symlink":
            os.symlink(entry["target"], target)
        else:
            with open(target, "w", encoding="utf-8") as stream:
                stream.write(entry.get("content", ""))
        if "mode" in entry:
            os.chmod(target, int(entry["mode"], 8))
    if tracked:
        # `{"git": "tracked"}`: the folder is a git repository and these files are in its index.
        subprocess.run(["git", "init", "-q", folder], check=True, capture_output=True)
        add = ["git", "-C", folder, "add", "--", *tracked]
        subprocess.run(add, check=True, capture_output=True)


def found_pairs(findings: list[Finding]) -> Counter[tuple[int, str]]:
    return Counter((finding.span.line, finding.rule_id) for finding in findings)


def run_scrapelint(
    *args: str,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
) -> subprocess.CompletedProcess[str]:
    """The CLI in a child process, as users run it; `env` is added to this one's environment."""
    return subprocess.run(
        [sys.executable, "-m", "scrapelint", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, **env} if env is not None else None,
        timeout=timeout,
        check=False,
    )
