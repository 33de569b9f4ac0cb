"""Linting one file: read, parse, build the domain view, run the enabled checks, make findings."""

from __future__ import annotations

import os
from dataclasses import dataclass

from scrapelint import document as doc_mod
from scrapelint import prometheus
from scrapelint.defaults import LintOptions
from scrapelint.document import Document
from scrapelint.findings import Finding, Span
from scrapelint.hit import Hit
from scrapelint.paths import locate
from scrapelint.redact import Redactor
from scrapelint.registry import checks, rule

MAX_FILE_BYTES = 64 * 1024 * 1024


__all__ = ["CheckContext", "FileResult", "Hit", "InputError", "lint_document", "lint_path"]


class InputError(Exception):
    """A path that cannot be linted at all (missing, unreadable, a directory); one line."""


@dataclass(frozen=True)
class CheckContext:
    document: Document
    config: prometheus.PrometheusConfig
    options: LintOptions


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: tuple[Finding, ...]
    notice: str | None = None
    linted: bool = True


def read_document(path: str, label: str) -> Document:
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
    return doc_mod.parse(label, text)


def lint_path(
    path: str, label: str, options: LintOptions, enabled: set[str], explicit: bool = True
) -> FileResult:
    document = read_document(path, label)
    if document.problem is None and not prometheus.is_prometheus_config(document.root):
        notice = f"{label}: not a Prometheus config (no Prometheus top-level key), skipped"
        return FileResult(label, (), notice if explicit else None, linted=False)
    included = tuple(_included_documents(document, path))
    return FileResult(label, tuple(lint_document(document, options, enabled, included)))


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
    options: LintOptions,
    enabled: set[str],
    included: tuple[Document, ...] = (),
) -> list[Finding]:
    config = prometheus.build(document, included)
    context = CheckContext(document, config, options)
    findings: list[Finding] = []
    redactors: dict[str, Redactor] = {}
    for rule_id, function in sorted(checks().items()):
        if rule_id not in enabled:
            continue
        for hit in function(context):
            findings.append(_finding(hit, rule_id, document, redactors))
    return sorted(set(findings), key=Finding.sort_key)


def _finding(
    hit: Hit,
    rule_id: str,
    default_document: Document,
    redactors: dict[str, Redactor],
) -> Finding:
    document = hit.document or default_document
    location = (
        locate(document.root, hit.node, hit.scope, document.merged_from)
        if hit.node is not None
        else None
    )
    span = hit.span or (doc_mod.span_of(location.anchor) if location else Span(1, 1, 1, 1))
    meta = rule(rule_id)
    redactor = redactors.get(document.path)
    if redactor is None:
        redactor = redactors[document.path] = Redactor(document)
    return Finding(
        path=document.path,
        span=span,
        rule_id=rule_id,
        rule_name=meta.name,
        severity=meta.severity,
        message=hit.message,
        yaml_path=location.yaml_path if location else "",
        help=hit.help,
        source=redactor.line(span.line),
    )
