"""Turning the paths a user named into linted results: discovery, order, de-duplication."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, NamedTuple

from scrapelint import document as doc_mod
from scrapelint.defaults import MIN_SHARD_CHARS
from scrapelint.document import Document
from scrapelint.engine import FileResult, InputError, lint_in_shards, lint_path, read_text
from scrapelint.manifests import is_manifest_file
from scrapelint.prometheus import is_prometheus_config
from scrapelint.registry import rule_ids, select_rules
from scrapelint.settings import Settings

if TYPE_CHECKING:
    from scrapelint.sharding import ShardPlan

YAML_SUFFIXES = (".yml", ".yaml")
_SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__"})


class RunResult(NamedTuple):
    results: tuple[FileResult, ...]
    errors: tuple[str, ...]
    notices: tuple[str, ...]


def _label(path: str) -> str:
    text = path
    if os.path.isabs(text):
        try:
            relative = os.path.relpath(text)
        except ValueError:
            return text
        return text if relative.startswith("..") else relative
    return os.path.normpath(text)


def discover(root: str) -> Iterator[str]:
    """YAML files below a directory, sorted, never following directory symlinks."""
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = sorted(d for d in subdirs if d not in _SKIPPED_DIRS)
        for name in sorted(files):
            if name.endswith(YAML_SUFFIXES):
                yield os.path.join(directory, name)


SettingsFor = Callable[[str], Settings]


def enabled_rules(settings: Settings, file_path: str) -> set[str]:
    ignore = (*settings.ignore, *settings.ignored_here(file_path))
    return select_rules(rule_ids(), settings.select, ignore)


class _Input(NamedTuple):
    path: str
    explicit: bool
    # A large config that may be split between processes is kept as text until it has to be
    # parsed whole; every other input is parsed when read.
    content: Document | ShardPlan

    def document(self) -> Document:
        if isinstance(self.content, Document):
            return self.content
        return doc_mod.parse(_label(self.path), self.content.text)


def run(paths: list[str], settings_for: SettingsFor) -> RunResult:
    """Lint every Prometheus config among the paths, with the manifests found beside them.

    Settings come per file (the nearest settings file wins).
    """
    inputs, errors = _read_inputs(paths)
    manifests = tuple(
        i.content for i in inputs if isinstance(i.content, Document) and is_manifest_file(i.content)
    )
    results: list[FileResult] = []
    notices: list[str] = []
    for item in inputs:
        # Manifests are read against every job at once: only a config linted without them is
        # split between processes.
        if not isinstance(item.content, Document) and not manifests:
            settings = settings_for(item.path)
            enabled = enabled_rules(settings, item.path)
            result = lint_in_shards(_label(item.path), item.content, settings, enabled)
            if result is not None:
                results.append(result)
                continue
        document = item.document()
        if document.problem is None and not is_prometheus_config(document.root):
            if item.explicit and not is_manifest_file(document):
                notices.append(
                    f"{document.path}: not a Prometheus config (no Prometheus "
                    "top-level key), skipped"
                )
            continue
        settings = settings_for(item.path)
        enabled = enabled_rules(settings, item.path)
        results.append(lint_path(item.path, document, settings, enabled, manifests))
    return RunResult(tuple(_without_repeats(results)), tuple(errors), tuple(notices))


def _read_inputs(paths: list[str]) -> tuple[list[_Input], list[str]]:
    inputs: list[_Input] = []
    errors: list[str] = []
    seen: set[str] = set()
    for given in paths:
        if not os.path.lexists(given):
            errors.append(f"{_label(given)}: no such file or directory")
            continue
        explicit = not os.path.isdir(given)
        for path in [given] if explicit else list(discover(given)):
            label = _label(path)
            if label in seen:
                continue
            seen.add(label)
            try:
                inputs.append(_Input(path, explicit, _read(path, label)))
            except InputError as error:
                errors.append(str(error))
    return inputs, errors


def _read(path: str, label: str) -> Document | ShardPlan:
    text = read_text(path, label)
    if isinstance(text, Document):
        return text
    if len(text) >= 2 * MIN_SHARD_CHARS:
        from scrapelint import sharding  # only large configs pay for it

        shard_plan = sharding.plan(text, sharding.process_count())
        if shard_plan is not None:
            return shard_plan
    return doc_mod.parse(label, text)


def _without_repeats(results: list[FileResult]) -> Iterator[FileResult]:
    """A file included through scrape_config_files and also named directly is reported once."""
    emitted: set[tuple[object, ...]] = set()
    for result in results:
        kept = []
        for finding in result.findings:
            key = (finding.path, finding.span, finding.rule_id, finding.message)
            if key not in emitted:
                emitted.add(key)
                kept.append(finding)
        yield FileResult(result.path, tuple(kept), fail_on=result.fail_on)


def exit_code(results: Iterable[FileResult], errors: bool, exit_zero: bool) -> int:
    if errors:
        return 2
    if exit_zero:
        return 0
    failing = any(f.severity >= r.fail_on for r in results for f in r.findings)
    return 1 if failing else 0
