"""SL001, SL003, SL004: problems of the YAML document itself."""

from __future__ import annotations

from collections.abc import Iterator

from scrapelint.engine import CheckContext, Hit
from scrapelint.registry import check


@check("SL001")
def yaml_syntax_error(context: CheckContext) -> Iterator[Hit]:
    for document in context.config.documents:
        problem = document.problem
        if problem is not None:
            yield Hit(
                None,
                f"invalid YAML: {problem.message}; Prometheus will refuse to load this file",
                document=document,
                span=problem.span,
            )


@check("SL003")
def duplicate_key(context: CheckContext) -> Iterator[Hit]:
    for document in context.config.documents:
        for duplicate in document.duplicates:
            first_line = duplicate.first.start_mark.line + 1
            yield Hit(
                duplicate.key,
                f'key "{duplicate.key.value}" is already set on line {first_line}; Prometheus '
                f"refuses the file (`field {duplicate.key.value} already set`)",
                help="Remove one of the two keys, or merge their contents.",
                document=document,
            )


@check("SL004")
def duplicate_job_name(context: CheckContext) -> Iterator[Hit]:
    first_seen: dict[str, tuple[str, int]] = {}
    for job in context.config.jobs:
        name_node = job.get("job_name")
        if job.job_name is None or name_node is None:
            continue
        where = (job.document.path, name_node.start_mark.line + 1)
        if job.job_name not in first_seen:
            first_seen[job.job_name] = where
            continue
        path, line = first_seen[job.job_name]
        place = f"line {line}" if path == job.document.path else f"{path}:{line}"
        yield Hit(
            name_node,
            f'job_name "{job.job_name}" is already used on {place}; Prometheus refuses the '
            f'config (`found multiple scrape configs with job name "{job.job_name}"`)',
            help="Give every scrape job a unique job_name.",
            document=job.document,
        )
