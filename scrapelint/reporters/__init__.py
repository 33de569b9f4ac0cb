"""One pure function per output format, each over the whole batch of results."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

from scrapelint.engine import FileResult
from scrapelint.findings import Finding, Severity


class Batch(NamedTuple):
    results: tuple[FileResult, ...]
    color: bool = False

    @property
    def findings(self) -> list[Finding]:
        return [finding for result in self.results for finding in result.findings]

    @property
    def files_linted(self) -> int:
        return len(self.results)


Reporter = Callable[[Batch], str]


def counts(findings: Sequence[Finding]) -> dict[Severity, int]:
    found = dict.fromkeys(Severity, 0)
    for finding in findings:
        found[finding.severity] += 1
    return found


_MODULES = {
    "json": "json_format",
    "sarif": "sarif",
    "github": "github",
    "gitlab": "gitlab",
    "junit": "junit",
}
FORMATS = ("text", "concise", *_MODULES)


def get_reporter(name: str) -> Reporter:
    """The render function of a format, importing only that format's module."""
    if name in ("text", "concise"):
        from scrapelint.reporters import text

        return text.render_full if name == "text" else text.render_concise
    if name not in _MODULES:
        raise ValueError(f"unknown format {name!r}")
    import importlib

    module = importlib.import_module(f"scrapelint.reporters.{_MODULES[name]}")
    render: Reporter = module.render
    return render
