"""Baselines: accept today's findings, fail on new ones.

Findings are keyed by rule, file and YAML path with multiplicity, never by line, so edits that
move lines keep the baseline valid (bandit#1467 is the bug this avoids). The file is sorted,
indented JSON so that its diffs read well.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from scrapelint.engine import FileResult
from scrapelint.findings import Finding

VERSION = 1
Key = tuple[str, str, str]


class BaselineError(Exception):
    """A baseline file that cannot be read; one line."""


def key(finding: Finding) -> Key:
    return (finding.rule_id, finding.path.replace("\\", "/"), finding.yaml_path)


def load(path: str) -> Counter[Key]:
    import json  # only runs with a baseline pay for it

    try:
        with open(path, encoding="utf-8") as stream:
            data = json.load(stream)
        entries = data["findings"]
        return Counter({(e["rule"], e["path"], e["yaml_path"]): int(e["count"]) for e in entries})
    except FileNotFoundError:
        raise BaselineError(
            f"{path}: no such baseline (create it with --update-baseline)"
        ) from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BaselineError(f"{path}: not a scrapelint baseline ({error})") from None


def without_baselined(
    results: Iterable[FileResult], baseline: Counter[Key]
) -> tuple[list[FileResult], int]:
    """Results with baselined findings removed, and how many were removed."""
    remaining = Counter(baseline)
    kept_results: list[FileResult] = []
    hidden = 0
    for result in results:
        kept = []
        for finding in result.findings:
            if remaining[key(finding)] > 0:
                remaining[key(finding)] -= 1
                hidden += 1
            else:
                kept.append(finding)
        kept_results.append(FileResult(result.path, tuple(kept), fail_on=result.fail_on))
    return kept_results, hidden


def render(results: Iterable[FileResult]) -> str:
    import json

    counts = Counter(key(f) for result in results for f in result.findings)
    entries = [
        {"rule": rule, "path": path, "yaml_path": yaml_path, "count": count}
        for (rule, path, yaml_path), count in sorted(counts.items())
    ]
    return json.dumps({"version": VERSION, "findings": entries}, indent=2) + "\n"
