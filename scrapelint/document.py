"""YAML text -> node tree with positions.

This is the only module that turns PyYAML marks (0-based) into 1-based spans. The tree is
PyYAML's own node tree: building a copy of it would double the cost of the lint path on large
configs. Merge keys are resolved in place, duplicate keys are recorded and dropped, and nothing
ever expands an alias (shared nodes are visited once).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scrapelint.findings import Span
from scrapelint.lazy import cached_property

try:
    _BaseLoader: type = yaml.CSafeLoader
except AttributeError:  # libyaml missing: the pure-Python composer reads the same YAML 1.1
    _BaseLoader = yaml.SafeLoader

MERGE_TAG = "tag:yaml.org,2002:merge"
_STR_TAG = "tag:yaml.org,2002:str"
# Merge keys may add at most this many pairs to a document (or one per character of its text,
# when that is more): a chain of mappings that each merge the previous one grows quadratically.
MERGE_BUDGET = 100_000


class _Loader(_BaseLoader):  # type: ignore[misc]
    """The safe loader, with the per-node resolver work of the composer made cheap.

    The composer asks the resolver for the tag of every node. A plain scalar's tag depends
    only on its text (the safe loader has no path resolvers): a text whose first character
    starts no implicit tag (a host name, a path) is a string, and the others (numbers, booleans,
    durations, which repeat a lot) are resolved once per text. A quoted scalar is always a
    string, and a collection always has the default tag of its kind. The path-resolver
    bookkeeping calls, made around every node, do nothing without path
    resolvers: they are bound to C functions that do nothing.
    """

    descend_resolver: Any = {}.get  # called as (parent, index): returns index, changes nothing
    ascend_resolver: Any = int  # called without arguments: returns 0, changes nothing

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._tags: dict[str, str] = {}
        implicit = self.yaml_implicit_resolvers
        # First characters that may start an implicit tag.
        self._starts = frozenset(implicit)
        if self.yaml_path_resolvers or None in implicit:
            # Some resolver looks at more than the text, or takes any first character: the
            # shortcuts below would not hold (the safe loader has neither).
            self.resolve = super().resolve  # type: ignore[method-assign]

    def resolve(self, kind: type, value: Any, implicit: tuple[bool, bool]) -> str:
        if kind is not ScalarNode:  # a collection: value is None
            return _COLLECTION_TAGS.get(kind) or str(super().resolve(kind, value, implicit))
        if not implicit[0] or value[:1] not in self._starts:  # quoted, or a plain string
            return _STR_TAG
        tag: str | None = self._tags.get(value)
        if tag is None:
            tag = self._tags[value] = super().resolve(kind, value, implicit)
        return tag


_COLLECTION_TAGS: dict[type, str] = {
    MappingNode: "tag:yaml.org,2002:map",
    SequenceNode: "tag:yaml.org,2002:seq",
}
_BOOL_TAG = "tag:yaml.org,2002:bool"
_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
NULL_TAG = "tag:yaml.org,2002:null"
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

    @cached_property
    def may_share_nodes(self) -> bool:
        """False when no node of the document can be reached twice (it has no anchors)."""
        return may_have_anchors(self.text)

    @cached_property
    def may_merge(self) -> bool:
        """False when no mapping of the document has a merge key."""
        return may_have_merge_keys(self.text)

    @property
    def lines(self) -> list[str]:
        return self.text.splitlines()

    def line(self, number: int) -> str:
        lines = self.lines
        return lines[number - 1] if 0 < number <= len(lines) else ""


_BREAKS = "\r\n\x85\u2028\u2029"  # the characters that end a line for YAML


def span_of(node: Node, text: str | None = None) -> Span:
    """The node's 1-based span; `text` (the document's) lets it end where the node's content
    does.

    The parser ends a block collection (and a block scalar) at the next token: the next item of
    the list it sits in, often on another line and owned by another node. With the text, the
    span ends after the node's last character that is not blank instead, whatever follows.
    """
    start, end = node.start_mark, node.end_mark
    # (libyaml's offsets leave out a byte order mark that starts the text: offsets and text
    # then disagree by one, and only the marks' lines and columns are used.)
    if text is not None and len(text) >= end.index > start.index and text[:1] != "\ufeff":
        return _content_span(start, end, text)
    if end.line > start.line and end.column == 0:
        # Block collections end at the start of the next line (or at the end of the text, which
        # the parser counts as a line break); keep the span on its own lines.
        return Span(start.line + 1, start.column + 1, end.line, _line_end(end, text))
    return Span(start.line + 1, start.column + 1, end.line + 1, end.column + 1)


_BLANK = " \t" + _BREAKS
_BREAK_RUN = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


def _content_span(start: yaml.Mark, end: yaml.Mark, text: str) -> Span:
    stop = _content_end(text, start.index, end.index)
    end_line = end.line
    if end.index == len(text) and end.column == 0 and text[-1:] not in _BREAKS:
        end_line -= 1  # the parser ends the text with a line break of its own
    line = end_line - len(_BREAK_RUN.findall(text, stop, end.index))
    same_line = line == end.line
    column = end.column - (end.index - stop) if same_line else stop - _line_start(text, stop)
    return Span(start.line + 1, start.column + 1, line + 1, column + 1)


def _content_end(text: str, low: int, high: int) -> int:
    """The offset after the last character in text[low:high] that is not blank (or `low`)."""
    window = 256  # blank runs are short, except where a shard of a split file emptied lines
    while True:
        begin = max(low, high - window)
        content = text[begin:high].rstrip(_BLANK)
        if content or begin == low:
            return begin + len(content)
        window *= 8


def _line_start(text: str, at: int) -> int:
    """The offset where the line holding text[at - 1] starts."""
    window = 256
    while True:
        begin = max(0, at - window)
        found = max(text.rfind(char, begin, at) for char in _BREAKS)
        if found >= 0 or begin == 0:
            return found + 1
        window *= 8


def _line_end(mark: yaml.Mark, text: str | None = None) -> int:
    """The end column (1-based, exclusive) of the line before the mark's."""
    buffer = text if text is not None else mark.buffer
    if not buffer:
        return 1
    stop = min(mark.index, len(buffer))
    if stop > 0 and buffer[stop - 1] in _BREAKS:  # the break that ends that line
        stop -= 1
        if buffer[stop] == "\n" and stop > 0 and buffer[stop - 1] == "\r":
            stop -= 1
    return stop - _line_start(buffer, stop) + 1


def yaml_lines(text: str) -> list[str]:
    """The text's lines as the parser counts them (CR LF, CR, LF, NEL, LS and PS end a line)."""
    return re.split("\r\n|[\r\n\x85\u2028\u2029]", text)


def _inside(span: Span, text: str) -> Span:
    """A parser error's span moved inside the text: the parser puts the end of the text on a
    line of its own, and may point at a line break."""
    lines = yaml_lines(text)
    line = min(span.line, len(lines))
    column = (
        min(span.column, len(lines[line - 1]) + 1)
        if line == span.line
        else len(lines[line - 1]) + 1
    )
    end_column = min(max(span.end_column, column), len(lines[line - 1]) + 1)
    return Span(line, column, line, end_column)


# What may come right before an anchor's `&`: separation white space, a line break, a flow
# indicator, or the `:` of a flow mapping's quoted key (`{"a":&x 1}`).
_BEFORE_ANCHOR = frozenset(" \t\r\n\x85\u2028\u2029\ufeff[{,:")


def may_have_anchors(text: str) -> bool:
    """False only when the text has no anchor, so that no node can be reached twice.

    An `&` elsewhere (URL query strings, words) is not an anchor: the YAML grammar puts one only
    at the start of a node, after the characters above. A true answer may be wrong (an `&`
    after a space inside a quoted string): callers then take their general, slower path.
    """
    at = text.find("&")
    while at >= 0:
        if at == 0 or text[at - 1] in _BEFORE_ANCHOR:
            return True
        at = text.find("&", at + 1)
    return False


# Escapes of a double-quoted scalar that can spell any character (`\x40` is `@`), and the escaped
# line break, which joins two lines with nothing between them.
_SPELLING_ESCAPE = re.compile(r"\\[xuU\r\n]")


def may_spell(text: str, literal: str) -> bool:
    """False only when no scalar of the text can hold `literal`: it is not in the text, and no
    escape sequence could spell it (a backslash elsewhere, as in a single-quoted regex, cannot)."""
    return literal in text or _SPELLING_ESCAPE.search(text) is not None


def may_have_merge_keys(text: str) -> bool:
    """False only when no merge key can be in the text (`<<`, or the merge tag, maybe escaped)."""
    return "<<" in text or "merge" in text or "%" in text


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


def parse(path: str, text: str, *, plain: bool = False) -> Document:
    """`plain`: the caller has found that the text has no anchor and no merge key."""
    try:
        roots = [root for root in yaml.compose_all(text, Loader=_Loader) if root is not None]
    except yaml.MarkedYAMLError as error:
        problem = _problem_from(error)
        return Document(
            path, text, None, problem=problem._replace(span=_inside(problem.span, text))
        )
    except yaml.YAMLError as error:
        return Document(path, text, None, problem=SyntaxProblem(Span(1, 1, 1, 1), str(error)))
    except RecursionError:
        return Document(
            path, text, None, problem=SyntaxProblem(Span(1, 1, 1, 1), "nesting too deep")
        )
    # Prometheus' YAML decoder reads the first document only.
    root = roots[0] if roots else None
    normaliser = _Normaliser(text, plain)
    try:
        for each in roots:
            normaliser.normalise(each)
    except _MergeBudgetExceeded as error:
        return Document(path, text, None, problem=error.problem)
    document = Document(
        path,
        text,
        root,
        None,
        tuple(normaliser.duplicates),
        normaliser.merged_from,
        tuple(roots[1:]),
    )
    # The normaliser read the whole text for these already: a large config need not again.
    document.__dict__["may_share_nodes"] = normaliser.shared
    document.__dict__["may_merge"] = normaliser.merges
    return document


def _problem_from(error: yaml.MarkedYAMLError) -> SyntaxProblem:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark else 1
    column = mark.column + 1 if mark else 1
    parts = [part for part in (error.context, error.problem) if part]
    message = "; ".join(parts) if parts else "invalid YAML"
    return SyntaxProblem(Span(line, column, line, column + 1), message)


class _MergeBudgetExceeded(Exception):
    def __init__(self, merge_key: Node, budget: int) -> None:
        super().__init__()
        self.problem = SyntaxProblem(
            span_of(merge_key),
            f"merge keys (<<) expand to more than {budget} entries (a merge bomb): too much "
            "aliasing to read safely; Prometheus' YAML decoder refuses excessive aliasing too",
        )


class _Normaliser:
    """Resolves merge keys and drops duplicate keys, visiting every shared node once."""

    def __init__(self, text: str, plain: bool = False) -> None:
        self.duplicates: list[DuplicateKey] = []
        self.merged_from: dict[tuple[int, int], ScalarNode] = {}
        # Without anchors no node is shared (every node is visited once anyway), and without
        # `<<` (or an explicit merge tag, perhaps %-escaped) there is no merge key to resolve.
        self.shared = not plain and may_have_anchors(text)
        self.merges = not plain and may_have_merge_keys(text)
        self._resolved: set[int] = set()
        self._budget = max(MERGE_BUDGET, len(text))
        self._spent = 0

    def normalise(self, root: Node) -> None:
        if not self.shared and not self.merges:
            self._drop_all_duplicates(root)
            return
        seen: set[int] = set()
        stack: list[Node] = [root]
        while stack:
            node = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, MappingNode):
                if self.merges:
                    self._resolve_merges(node)
                _drop_duplicates(node, self.duplicates)
                stack.extend(value for _, value in node.value)
            elif isinstance(node, SequenceNode):
                stack.extend(node.value)

    def _drop_all_duplicates(self, root: Node) -> None:
        """The same walk for a tree without merge keys: no node twice, nothing to merge."""
        duplicates = self.duplicates
        stack: list[Node] = [root]
        pop, push = stack.pop, stack.append
        mapping, sequence, scalar = MappingNode, SequenceNode, ScalarNode
        while stack:
            node = pop()
            if node.__class__ is mapping:
                pairs = node.value
                if len(pairs) > 1:
                    try:
                        distinct = len({key.value for key, _ in pairs}) == len(pairs)
                    except TypeError:  # a collection used as a key
                        distinct = False
                    if not distinct:
                        _drop_duplicates(node, duplicates)
                for _, value in node.value:
                    if value.__class__ is not scalar:
                        push(value)
            elif node.__class__ is sequence:
                for item in node.value:
                    if item.__class__ is not scalar:
                        push(item)

    def _resolve_merges(self, node: MappingNode) -> None:
        """Merge keys of `node`, after those of every mapping it merges from (no recursion).

        A mapping that merges itself, directly or through others (an anchor used inside its own
        value), is read with its merges in progress: the cycle ends there instead of looping.
        """
        resolved = self._resolved
        stack: list[tuple[MappingNode, bool]] = [(node, False)]
        while stack:
            current, sources_done = stack.pop()
            if sources_done:
                self._merge_into(current)
                continue
            if id(current) in resolved:
                continue
            resolved.add(id(current))
            if not any(k.tag == MERGE_TAG for k, _ in current.value):
                continue
            stack.append((current, True))
            for key, source in current.value:
                if key.tag == MERGE_TAG:
                    stack.extend(
                        (m, False) for m in _merge_sources(source) if id(m) not in resolved
                    )

    def _merge_into(self, node: MappingNode) -> None:
        merge_pairs = [(k, v) for k, v in node.value if k.tag == MERGE_TAG]
        own = [(k, v) for k, v in node.value if k.tag != MERGE_TAG]
        present = {k.value for k, _ in own if isinstance(k, ScalarNode)}
        inherited: list[tuple[Node, Node]] = []
        merged_from = self.merged_from
        for merge_key, source in merge_pairs:
            for source_map in _merge_sources(source):
                for key, value in source_map.value:
                    if key.tag == MERGE_TAG:
                        continue  # a source whose own merges are in progress (a cycle)
                    if isinstance(key, ScalarNode) and key.value not in present:
                        present.add(key.value)
                        inherited.append((key, value))
                        merged_from[(id(node), id(value))] = merge_key
        self._spent += len(inherited)
        if self._spent > self._budget:
            raise _MergeBudgetExceeded(merge_pairs[0][0], self._budget)
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
    return node is None or (isinstance(node, ScalarNode) and node.tag == NULL_TAG)


def as_text(node: Node | None) -> str | None:
    """A scalar's text as Prometheus would receive it in a string field; None otherwise."""
    if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
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


_SCALAR_KINDS = {NULL_TAG: "null", _BOOL_TAG: "bool", _INT_TAG: "int", _FLOAT_TAG: "float"}


def scalar_kind(node: ScalarNode) -> str:
    """'null', 'bool', 'int', 'float' or 'str', from the YAML 1.1 implicit tag."""
    return _SCALAR_KINDS.get(node.tag, "str")


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
