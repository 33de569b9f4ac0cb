"""Kubernetes manifests among the inputs: which documents are objects, flattened.

Prometheus configs are linted against the manifests given beside them (RBAC, issue #7). A file is
a manifest file when one of its YAML documents is a mapping with `apiVersion` and `kind`.
"""

from __future__ import annotations

from collections.abc import Iterator

from scrapelint.document import Document, MappingNode, Node, as_text, get, items, mapping_pairs


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


# --- reading object metadata (RBAC rules, issue #7) ------------------------------------------


def located_objects(documents: tuple[Document, ...]) -> Iterator[tuple[Document, MappingNode]]:
    """Every object of every manifest file, with the file it comes from."""
    for document in documents:
        if is_manifest_file(document):
            yield from ((document, node) for node in objects(document))


def kind_of(node: Node | None) -> str:
    return as_text(get(node, "kind")) or ""


def api_group_of(node: Node | None) -> str:
    """`rbac.authorization.k8s.io` for `rbac.authorization.k8s.io/v1`; "" for the core `v1`."""
    version = as_text(get(node, "apiVersion")) or ""
    return version.rpartition("/")[0]


def name_of(node: Node | None) -> str:
    return as_text(get(get(node, "metadata"), "name")) or ""


def namespace_of(node: Node | None) -> str | None:
    """The namespace the object states; None when it states none."""
    return as_text(get(get(node, "metadata"), "namespace")) or None


def labels_of(node: Node | None) -> tuple[tuple[str, str], ...]:
    labels = get(get(node, "metadata"), "labels")
    return tuple((str(key.value), as_text(value) or "") for key, value in mapping_pairs(labels))


def texts(node: Node | None) -> tuple[str, ...]:
    """The scalar items of a sequence as strings (nulls and nested collections skipped)."""
    return tuple(text for text in (as_text(item) for item in items(node)) if text is not None)
