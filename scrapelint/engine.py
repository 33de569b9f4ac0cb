"""Linting one file: read, parse, build the domain view, run the enabled checks, make findings."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from scrapelint import document as doc_mod
from scrapelint import prometheus
from scrapelint.defaults import LintOptions
from scrapelint.document import Document
from scrapelint.findings import Finding, Severity, Span, sorted_unique
from scrapelint.hit import Hit
from scrapelint.paths import PathFinder
from scrapelint.redact import Redactor, mask_url
from scrapelint.registry import config_checks, directive_checks, rule
from scrapelint.settings import Settings

if TYPE_CHECKING:
    from scrapelint import sharding

MAX_FILE_BYTES = 64 * 1024 * 1024


__all__ = ["CheckContext", "FileResult", "Hit", "InputError", "lint_document", "lint_path"]


class InputError(Exception):
    """A path that cannot be linted at all (missing, unreadable, a directory); one line."""


@dataclass(frozen=True, eq=False, repr=False)
class CheckContext:
    """What every check reads: the parsed file, its domain view, and the lint options."""

    document: Document
    config: prometheus.PrometheusConfig
    options: LintOptions
    # Kubernetes manifest files given beside the config (RBAC rules); empty when none were.
    manifests: tuple[Document, ...] = ()


@dataclass(frozen=True, eq=False, repr=False)
class FileResult:
    """The findings of one linted file, and the severity at which they fail the run."""

    path: str
    findings: tuple[Finding, ...]
    fail_on: Severity = Severity.WARNING


def read_document(path: str, label: str) -> Document:
    text = read_text(path, label)
    return text if isinstance(text, Document) else doc_mod.parse(label, text)


def read_text(path: str, label: str) -> str | Document:
    """The file's text, or a document that says why it is not text."""
    try:
        if os.path.isdir(path):
            raise InputError(f"{label}: is a directory")
        if not os.path.isfile(path):
            raise InputError(f"{label}: not a regular file")
        with open(path, "rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError(f"{label}: {error.strerror or error}") from None
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{label}: larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    try:
        text = doc_mod.decode(data)
    except ValueError as error:
        problem = doc_mod.SyntaxProblem(Span(1, 1, 1, 1), str(error))
        return Document(label, "", None, problem=problem)
    return text


def lint_path(
    path: str,
    document: Document,
    settings: Settings,
    enabled: set[str],
    manifests: tuple[Document, ...] = (),
) -> FileResult:
    """Lint one Prometheus config (read with read_document) and the files it includes."""
    included = tuple(_included_documents(document, path))
    findings = lint_document(document, settings, enabled, included, manifests=manifests)
    return FileResult(document.path, tuple(findings), fail_on=settings.fail_on)


def lint_in_shards(
    label: str, shard_plan: sharding.ShardPlan, settings: Settings, enabled: set[str]
) -> FileResult | None:
    """Lint a large config split between processes; None when the split could change the
    findings (the caller then lints it whole)."""
    from scrapelint import sharding  # only large configs pay for it

    def lint_shard(
        shard_plan: sharding.ShardPlan, shard: sharding.Shard
    ) -> sharding.ShardResult | None:
        shard_text = shard_plan.prepare(shard)
        if shard_text is None:
            return None
        document = doc_mod.parse(label, shard_text.text, plain=True)  # prepare() made sure
        job_names = sharding.jobs_in(document, shard_plan, shard_text)
        if job_names is None:
            return None
        return sharding.ShardResult(tuple(lint_document(document, settings, enabled)), job_names)

    findings = sharding.merge(sharding.run_in_processes(shard_plan, lint_shard))
    return None if findings is None else FileResult(label, tuple(findings), settings.fail_on)


def _included_documents(document: Document, path: str) -> list[Document]:
    """Files named by scrape_config_files, resolved against the including file's directory."""
    patterns = doc_mod.items(doc_mod.get(document.root, "scrape_config_files"))
    if not patterns:
        return []
    import glob  # only configs that include files pay for it

    base = os.path.dirname(path)
    found: list[Document] = []
    for item in patterns:
        pattern = doc_mod.as_text(item)
        if not pattern:
            continue
        full = os.path.join(base, pattern)
        for match in sorted(glob.glob(full)):
            label = os.path.relpath(match) if not os.path.isabs(document.path) else match
            try:
                found.append(read_document(match, label))
            except InputError:
                continue
    return found


def lint_document(
    document: Document,
    settings: Settings,
    enabled: set[str],
    included: tuple[Document, ...] = (),
    today: datetime.date | None = None,
    manifests: tuple[Document, ...] = (),
) -> list[Finding]:
    """Checks, then inline directives, then the rules about directives (DESIGN §1 order)."""
    config = prometheus.build(document, included)
    context = CheckContext(document, config, settings.lint, manifests)
    maker = _FindingMaker(document, settings)
    for rule_id, function in sorted(config_checks().items()):
        if rule_id in enabled:
            maker.add(rule_id, function(context))
    raw = maker.findings()
    if not any("scrapelint:" in doc.text for doc in config.documents):
        return sorted_unique(raw)  # no directive to read or judge
    from scrapelint import suppressions

    directives = [d for doc in config.documents for d in suppressions.find_directives(doc)]
    day = today or datetime.date.today()
    outcome = suppressions.apply(set(raw), directives, settings.locked, day)
    directive_context = suppressions.DirectiveContext(directives, outcome, enabled, settings, day)
    kept = list(outcome.kept)
    maker = _FindingMaker(document, settings)
    for rule_id, function in sorted(directive_checks().items()):
        if rule_id in enabled and directives:
            maker.add(rule_id, function(directive_context))
    kept.extend(maker.findings())
    return sorted_unique(kept)


class _Located(NamedTuple):
    hit: Hit
    rule_id: str
    document: Document
    span: Span
    yaml_path: str
    offset: int | None  # of a node starting on the span's first line, when one is known


class _FindingMaker:
    """Hits -> findings: paths and spans first, then the quoted lines of each document.

    Source lines are masked by one Redactor per document, which reads only the lines that
    findings quote; yaml paths come from one PathFinder per document.
    """

    def __init__(self, default_document: Document, settings: Settings) -> None:
        self._default = default_document
        self._settings = settings
        self._finders: dict[int, PathFinder] = {}
        self._located: list[_Located] = []

    def add(self, rule_id: str, hits: Iterable[Hit]) -> None:
        for hit in hits:
            document = hit.document or self._default
            location = None
            if hit.node is not None:
                finder = self._finders.get(id(document))
                if finder is None:
                    finder = self._finders[id(document)] = PathFinder(document)
                location = finder.locate(hit.node, hit.scope)
            offset = None
            if hit.span is not None:
                span = hit.span
            elif location is not None:
                span = doc_mod.span_of(location.anchor, document.text)
                offset = location.anchor.start_mark.index
            else:
                span = Span(1, 1, 1, 1)
            yaml_path = location.yaml_path if location else ""
            self._located.append(_Located(hit, rule_id, document, span, yaml_path, offset))

    def findings(self) -> list[Finding]:
        wanted: dict[int, set[int]] = {}
        offsets: dict[int, dict[int, int]] = {}
        documents: dict[int, Document] = {}
        for located in self._located:
            key = id(located.document)
            wanted.setdefault(key, set()).add(located.span.line)
            if located.offset is not None:
                offsets.setdefault(key, {})[located.span.line] = located.offset
            documents[key] = located.document
        redactors = {
            key: Redactor(documents[key], lines, offsets.get(key)) for key, lines in wanted.items()
        }
        settings = self._settings
        made = []
        for hit, rule_id, document, span, yaml_path, _ in self._located:
            meta = rule(rule_id)
            made.append(
                Finding(
                    path=document.path,
                    span=span,
                    rule_id=rule_id,
                    rule_name=meta.name,
                    severity=settings.severity_of(rule_id, hit.severity or meta.severity),
                    # Rules quote values in messages (SL002 quotes what it found): a URL among
                    # them is shown with its secrets masked, whichever rule quotes it.
                    message=mask_url(hit.message),
                    yaml_path=yaml_path,
                    help=hit.help,
                    source=redactors[id(document)].line(span.line),
                )
            )
        return made
