"""Kubernetes manifests among the inputs: which documents are objects, flattened.

Prometheus configs are linted against the manifests given beside them (RBAC, issue #7). A file is
a manifest file when one of its YAML documents is a mapping with `apiVersion` and `kind`.
"""

from __future__ import annotations

from collections.abc import Iterator

from scrapelint.document import Document, MappingNode, Node, as_text, get, items


def is_object(root: Node | None) -> bool:
    return isinstance(root, MappingNode) and all(
        as_text(get(root, key)) for key in ("apiVersion", "kind")
    )


def is_manifest_file(document: Document) -> bool:
    return document.problem is None and any(is_object(root) for root in document.roots)


def objects(document: Document) -> Iterator[MappingNode]:
    """Every object of a manifest file, with `kind: List` (and `*List`) flattened."""
    for root in document.roots:
        if not is_object(root):
            continue
        kind = as_text(get(root, "kind")) or ""
        found = items(get(root, "items")) if kind.endswith("List") else [root]
        yield from (item for item in found if isinstance(item, MappingNode) and is_object(item))
