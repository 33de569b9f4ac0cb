"""YAML text -> node tree with positions.

This is the only module that turns PyYAML marks (0-based) into 1-based spans. The tree is
PyYAML's own node tree: building a copy of it would double the cost of the lint path on large
configs. Merge keys are resolved in place, duplicate keys are recorded and dropped, and nothing
ever expands an alias (shared nodes are visited once).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scrapelint.findings import Span

try:
    _Loader: type = yaml.CSafeLoader
except AttributeError:  # libyaml missing: the pure-Python composer reads the same YAML 1.1
    _Loader = yaml.SafeLoader

MERGE_TAG = "tag:yaml.org,2002:merge"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_NULL_TAG = "tag:yaml.org,2002:null"
_TRUE_WORDS = frozenset({"yes", "true", "on", "y"})

__all__ = [
    "Document",
    "DuplicateKey",
    "MappingNode",
    "Node",
    "ScalarNode",
    "SequenceNode",
    "SyntaxProblem",
    "parse",
    "span_of",
]


class SyntaxProblem(NamedTuple):
    span: Span
    message: str


class DuplicateKey(NamedTuple):
    key: ScalarNode
    first: ScalarNode
    value: Node


@dataclass(frozen=True, eq=False, repr=False)
class Document:
    """One parsed file. `root` is None when the file is empty or could not be parsed."""

    path: str
    text: str
    root: Node | None
    problem: SyntaxProblem | None = None
    duplicates: tuple[DuplicateKey, ...] = ()
    merged_from: dict[tuple[int, int], ScalarNode] = field(default_factory=dict)
    # Documents after the first (`---`): Prometheus ignores them; Kubernetes manifests use them.
    later_roots: tuple[Node, ...] = ()

    @property
    def roots(self) -> tuple[Node, ...]:
        return ((self.root,) if self.root is not None else ()) + self.later_roots

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1] if 0 < number <= len(lines) else ""


def span_of(node: Node) -> Span:
    start, end = node.start_mark, node.end_mark
    if end.line > start.line and end.column == 0:
        # Block collections end at the start of the next line; keep the span on its own lines.
        return Span(start.line + 1, start.column + 1, end.line, _line_end(end))
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


def _line_end(mark: yaml.Mark) -> int:
    buffer = mark.buffer
    if not buffer:
        return 1
    stop = mark.index - 1
    begin = buffer.rfind("\n", 0, max(stop, 0)) + 1
    return stop - begin + 1


def decode(data: bytes) -> str:
    """Bytes -> text the way a YAML reader would; raises ValueError with a one-line reason."""
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ValueError("binary file (contains NUL bytes), not YAML text")
    for bom, encoding in ((codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _decode_as(data, encoding)
    return _decode_as(data, "utf-8-sig")


def _decode_as(data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise ValueError(
            f"not valid {encoding.removesuffix('-sig').upper()} text "
            f"(byte 0x{data[error.start]:02x} at offset {error.start})"
        ) from None


def parse(path: str, text: str) -> Document:
    try:
        roots = [root for root in yaml.compose_all(text, Loader=_Loader) if root is not None]
    except yaml.MarkedYAMLError as error:
        return Document(path, text, None, problem=_problem_from(error))
    except yaml.YAMLError as error:
        return Document(path, text, None, problem=SyntaxProblem(Span(1, 1, 1, 1), str(error)))
    except RecursionError:
        return Document(
            path, text, None, problem=SyntaxProblem(Span(1, 1, 1, 1), "nesting too deep")
        )
    # Prometheus' YAML decoder reads the first document only.
    root = roots[0] if roots else None
    duplicates: list[DuplicateKey] = []
    merged_from: dict[tuple[int, int], ScalarNode] = {}
    for each in roots:
        _normalise(each, duplicates, merged_from)
    return Document(path, text, root, None, tuple(duplicates), merged_from, tuple(roots[1:]))


def _problem_from(error: yaml.MarkedYAMLError) -> SyntaxProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    parts = [part for part in (error.context, error.problem) if part]
    message = "; ".join(parts) if parts else "invalid YAML"
    return SyntaxProblem(Span(line, column, line, column + 1), message)


def _normalise(
    root: Node, duplicates: list[DuplicateKey], merged_from: dict[tuple[int, int], ScalarNode]
) -> None:
    """Resolve merge keys and drop duplicate keys, visiting every shared node once."""
    seen: set[int] = set()
    stack: list[Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            _resolve_merges(node, merged_from, seen, stack)
            _drop_duplicates(node, duplicates)
            stack.extend(value for _, value in node.value)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)


def _resolve_merges(
    node: MappingNode,
    merged_from: dict[tuple[int, int], ScalarNode],
    seen: set[int],
    stack: list[Node],
) -> None:
    merge_pairs = [(k, v) for k, v in node.value if k.tag == MERGE_TAG]
    if not merge_pairs:
        return
    own = [(k, v) for k, v in node.value if k.tag != MERGE_TAG]
    present = {k.value for k, _ in own if isinstance(k, ScalarNode)}
    inherited: list[tuple[Node, Node]] = []
    for merge_key, source in merge_pairs:
        for source_map in _merge_sources(source):
            if id(source_map) not in seen:
                # A merged mapping may itself merge; resolve it before copying its pairs.
                _resolve_merges(source_map, merged_from, seen, stack)
            for key, value in source_map.value:
                if isinstance(key, ScalarNode) and key.value not in present:
                    present.add(key.value)
                    inherited.append((key, value))
                    merged_from[(id(node), id(value))] = merge_key
    node.value = own + inherited


def _merge_sources(source: Node) -> Iterator[MappingNode]:
    if isinstance(source, MappingNode):
        yield source
    elif isinstance(source, SequenceNode):
        yield from (item for item in source.value if isinstance(item, MappingNode))


def _drop_duplicates(node: MappingNode, duplicates: list[DuplicateKey]) -> None:
    first_keys: dict[str, ScalarNode] = {}
    kept: list[tuple[Node, Node]] = []
    for key, value in node.value:
        if isinstance(key, ScalarNode):
            first = first_keys.get(key.value)
            if first is not None:
                duplicates.append(DuplicateKey(key, first, value))
                continue
            first_keys[key.value] = key
        kept.append((key, value))
    if len(kept) != len(node.value):
        node.value = kept


# --- reading values the way go-yaml does (YAML 1.1) -------------------------------------


def is_null(node: Node | None) -> bool:
    return node is None or (isinstance(node, ScalarNode) and node.tag == _NULL_TAG)


def as_text(node: Node | None) -> str | None:
    """A scalar's text as Prometheus would receive it in a string field; None otherwise."""
    if isinstance(node, ScalarNode) and node.tag != _NULL_TAG:
        return str(node.value)
    return None


def as_bool(node: Node | None) -> bool | None:
    if isinstance(node, ScalarNode) and node.tag == _BOOL_TAG:
        return str(node.value).lower() in _TRUE_WORDS
    return None


def as_int(node: Node | None) -> int | None:
    if isinstance(node, ScalarNode) and node.tag == _INT_TAG:
        try:
            return int(str(node.value).replace("_", ""), 0)
        except ValueError:
            return None
    return None


def scalar_kind(node: ScalarNode) -> str:
    """'null', 'bool', 'int', 'float' or 'str', from the YAML 1.1 implicit tag."""
    return {
        _NULL_TAG: "null",
        _BOOL_TAG: "bool",
        _INT_TAG: "int",
        _FLOAT_TAG: "float",
    }.get(node.tag, "str")


def mapping_pairs(node: Node | None) -> list[tuple[ScalarNode, Node]]:
    """The (key, value) pairs of a mapping with scalar keys; [] for anything else."""
    if not isinstance(node, MappingNode):
        return []
    return [(k, v) for k, v in node.value if isinstance(k, ScalarNode)]


def get(node: Node | None, key: str) -> Node | None:
    # The hottest function of a run: no intermediate list.
    if isinstance(node, MappingNode):
        for k, v in node.value:
            if k.value == key and isinstance(k, ScalarNode):
                found: Node = v
                return found
    return None


def get_key(node: Node | None, key: str) -> ScalarNode | None:
    if isinstance(node, MappingNode):
        for k, _ in node.value:
            if k.value == key and isinstance(k, ScalarNode):
                return k
    return None


def items(node: Node | None) -> list[Node]:
    return list(node.value) if isinstance(node, SequenceNode) else []


def walk(root: Node) -> Iterator[tuple[Node, Node | None]]:
    """Every (node, parent) once, shared (aliased) nodes included only the first time."""
    seen: set[int] = set()
    stack: list[tuple[Node, Node | None]] = [(root, None)]
    while stack:
        node, parent = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node, parent
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.append((value, node))
                stack.append((key, node))
        elif isinstance(node, SequenceNode):
            stack.extend((item, node) for item in reversed(node.value))
