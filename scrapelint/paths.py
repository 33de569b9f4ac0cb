"""YAML paths such as `scrape_configs[job_name=node].basic_auth.password`, and anchoring.

A path names a node by the keys and job names that lead to it, so it survives line moves (the
baseline and SARIF fingerprints depend on that). Findings are rare, so a path is computed by a
search on demand instead of being stored for every node.

A setting a job inherits through a `<<` merge key lives, in the tree, in the mapping it was
merged from; a finding about that job is anchored on the job's own `<<` key instead.

The path of a node is the one a depth-first search in document order meets first (shared nodes
are entered once). `PathFinder` answers many such searches over one document in linear total
time: in a document without anchors and merge keys every node has exactly one path, which a
descent by text position finds directly; otherwise the searches from one starting node are
answered from an index of that search, built once the node has been searched from a few times.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import NamedTuple

from scrapelint.document import (
    Document,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    as_text,
    get,
)

_ITEM_NAME_KEYS = ("job_name", "name")
# Searches from one node answered by walking the graph, before an index of that node is built.
_SEARCHES_BEFORE_INDEX = 4


class _Step(NamedTuple):
    parent: Node
    child: Node
    label: str


class Location(NamedTuple):
    yaml_path: str
    anchor: Node


_Search = Callable[[Node, Node], "list[_Step] | None"]


def locate(
    root: Node | None,
    target: Node,
    scope: Node | None = None,
    merged_from: dict[tuple[int, int], ScalarNode] | None = None,
) -> Location:
    """Where `target` is, reached through `scope` (a site's mapping) when that is possible."""
    return _locate(_search, root, target, scope, merged_from)


def yaml_path(root: Node | None, target: Node) -> str:
    return locate(root, target).yaml_path


class PathFinder:
    """`locate` for many nodes of one document, in time linear in the document overall."""

    def __init__(self, document: Document) -> None:
        self._document = document
        # Without anchors there are no shared nodes; without merge keys every mapping keeps its
        # pairs in text order. Both together make positions a map of the tree.
        self._by_position = not (document.may_share_nodes or document.may_merge)
        self._searches: dict[int, int] = {}
        self._indexes: dict[int, _Index] = {}
        self._item_starts: dict[int, list[int]] = {}

    def locate(self, target: Node, scope: Node | None = None) -> Location:
        document = self._document
        return _locate(self._search, document.root, target, scope, document.merged_from)

    def _search(self, start: Node, target: Node) -> list[_Step] | None:
        if self._by_position:
            return _descend(start, target, self._item_starts)
        index = self._indexes.get(id(start))
        if index is None:
            count = self._searches[id(start)] = self._searches.get(id(start), 0) + 1
            if count <= _SEARCHES_BEFORE_INDEX:
                return _search(start, target)
            index = self._indexes[id(start)] = _Index(start)
        return index.path(target)


def _locate(
    search: _Search,
    root: Node | None,
    target: Node,
    scope: Node | None,
    merged_from: dict[tuple[int, int], ScalarNode] | None,
) -> Location:
    if root is None:
        return Location("", target)
    steps = search(scope, target) if scope is not None else None
    prefix = search(root, scope) if steps is not None and scope is not None else []
    if steps is None or prefix is None:
        steps, prefix = search(root, target) or [], []
    anchor = _merge_anchor(steps, merged_from or {}) or target
    return Location(_render([*prefix, *steps]), anchor)


def _merge_anchor(
    steps: list[_Step], merged_from: dict[tuple[int, int], ScalarNode]
) -> ScalarNode | None:
    for step in steps:
        merge_key = merged_from.get((id(step.parent), id(step.child)))
        if merge_key is not None:
            return merge_key
    return None


def _key_label(key: Node) -> str:
    return "." + (str(key.value) if isinstance(key, ScalarNode) else "?")


def _search(root: Node, target: Node) -> list[_Step] | None:
    seen: set[int] = set()
    stack: list[tuple[Node, list[_Step]]] = [(root, [])]
    while stack:
        node, steps = stack.pop()
        if node is target:
            return steps
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                if key is target:
                    return [*steps, _Step(node, value, _key_label(key))]
                stack.append((value, [*steps, _Step(node, value, _key_label(key))]))
        elif isinstance(node, SequenceNode):
            for index in reversed(range(len(node.value))):
                item = node.value[index]
                stack.append((item, [*steps, _Step(node, item, _item_label(item, index))]))
    return None


class _Index:
    """The answers of `_search(start, target)` for every target, from one walk of that search.

    `_search` returns at the earliest of two events: the target is taken off the stack (its
    path is the one it was pushed with, through its parent's first visit), or the target is
    met as a key while its mapping is expanded. The walk below is `_search`'s own, without a
    target, recording the first event of every node.
    """

    def __init__(self, start: Node) -> None:
        # id(node) -> (parent, child, index in the parent's list) of its first visit.
        self._popped: dict[int, tuple[Node | None, Node, int]] = {}
        # id(key) -> (mapping, index of the pair), when met as a key before being visited.
        self._as_key: dict[int, tuple[MappingNode, int]] = {}
        popped, as_key = self._popped, self._as_key
        stack: list[tuple[Node | None, Node, int]] = [(None, start, 0)]
        while stack:
            entry = stack.pop()
            node = entry[1]
            if id(node) in popped:
                continue
            popped[id(node)] = entry
            if isinstance(node, MappingNode):
                pairs = node.value
                for position in range(len(pairs) - 1, -1, -1):
                    key, value = pairs[position]
                    if id(key) not in popped and id(key) not in as_key:
                        as_key[id(key)] = (node, position)
                    stack.append((node, value, position))
            elif isinstance(node, SequenceNode):
                items = node.value
                for position in range(len(items) - 1, -1, -1):
                    stack.append((node, items[position], position))

    def path(self, target: Node) -> list[_Step] | None:
        keyed = self._as_key.get(id(target))
        if keyed is not None:
            mapping, position = keyed
            key, value = mapping.value[position]
            steps = self._visit_path(mapping)
            return [*steps, _Step(mapping, value, _key_label(key))]
        if id(target) not in self._popped:
            return None
        return self._visit_path(target)

    def _visit_path(self, node: Node) -> list[_Step]:
        steps: list[_Step] = []
        parent, child, position = self._popped[id(node)]
        while parent is not None:
            steps.append(_step(parent, child, position))
            parent, child, position = self._popped[id(parent)]
        steps.reverse()
        return steps


def _step(parent: Node, child: Node, position: int) -> _Step:
    if isinstance(parent, MappingNode):
        return _Step(parent, child, _key_label(parent.value[position][0]))
    return _Step(parent, child, _item_label(child, position))


def _start(pair: tuple[Node, Node]) -> int:
    index: int = pair[0].start_mark.index
    return index


def _item_start(item: Node) -> int:
    index: int = item.start_mark.index
    return index


def _contains(node: Node, position: int) -> bool:
    return bool(node.start_mark.index <= position < node.end_mark.index)


_LONG_LIST = 32


def _descend(
    start: Node, target: Node, item_starts: dict[int, list[int]] | None = None
) -> list[_Step] | None:
    """The path from start to target in a tree whose siblings are in text order.

    Each level finds the child holding the target's position by bisection; children that end
    where the target starts (empty values, block collections ending at the next token) are
    compared by identity only. `item_starts` keeps the start offsets of long lists (the jobs of
    a large config), bisected for every finding.
    """
    position = target.start_mark.index
    steps: list[_Step] = []
    node = start
    while node is not target:
        following: Node | None = None
        if isinstance(node, MappingNode):
            pairs = node.value
            at = bisect_right(pairs, position, key=_start) - 1
            while at >= 0:
                key, value = pairs[at]
                if key is target or value is target or _contains(value, position):
                    steps.append(_Step(node, value, _key_label(key)))
                    if key is target or value is target:
                        return steps
                    following = value
                    break
                if max(key.end_mark.index, value.end_mark.index) < position:
                    break
                at -= 1
        elif isinstance(node, SequenceNode):
            items = node.value
            if item_starts is not None and len(items) > _LONG_LIST:
                starts = item_starts.get(id(node))
                if starts is None:
                    starts = item_starts[id(node)] = [_item_start(item) for item in items]
                at = bisect_right(starts, position) - 1
            else:
                at = bisect_right(items, position, key=_item_start) - 1
            while at >= 0:
                item = items[at]
                if item is target or _contains(item, position):
                    steps.append(_Step(node, item, _item_label(item, at)))
                    following = item
                    break
                if item.end_mark.index < position:
                    break
                at -= 1
        if following is None:
            return None
        node = following
    return steps


def _item_label(item: Node, index: int) -> str:
    for key in _ITEM_NAME_KEYS:
        name = as_text(get(item, key))
        if name is not None:
            return f"[{key}={name}]"
    return f"[{index}]"


def _render(steps: list[_Step]) -> str:
    return "".join(step.label for step in steps).removeprefix(".")
