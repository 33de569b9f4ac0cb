"""YAML paths such as `scrape_configs[job_name=node].basic_auth.password`, and anchoring.

A path names a node by the keys and job names that lead to it, so it survives line moves (the
baseline and SARIF fingerprints depend on that). Findings are rare, so a path is computed by a
search on demand instead of being stored for every node.

A setting a job inherits through a `<<` merge key lives, in the tree, in the mapping it was
merged from; a finding about that job is anchored on the job's own `<<` key instead.
"""

from __future__ import annotations

from typing import NamedTuple

from scrapelint.document import MappingNode, Node, ScalarNode, SequenceNode, as_text, get

_ITEM_NAME_KEYS = ("job_name", "name")


class _Step(NamedTuple):
    parent: Node
    child: Node
    label: str


class Location(NamedTuple):
    yaml_path: str
    anchor: Node


def locate(
    root: Node | None,
    target: Node,
    scope: Node | None = None,
    merged_from: dict[tuple[int, int], ScalarNode] | None = None,
) -> Location:
    """Where `target` is, reached through `scope` (a site's mapping) when that is possible."""
    if root is None:
        return Location("", target)
    steps = _search(scope, target) if scope is not None else None
    prefix = _search(root, scope) if steps is not None and scope is not None else []
    if steps is None or prefix is None:
        steps, prefix = _search(root, target) or [], []
    anchor = _merge_anchor(steps, merged_from or {}) or target
    return Location(_render([*prefix, *steps]), anchor)


def yaml_path(root: Node | None, target: Node) -> str:
    return locate(root, target).yaml_path


def _merge_anchor(
    steps: list[_Step], merged_from: dict[tuple[int, int], ScalarNode]
) -> ScalarNode | None:
    for step in steps:
        merge_key = merged_from.get((id(step.parent), id(step.child)))
        if merge_key is not None:
            return merge_key
    return None


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
                name = str(key.value) if isinstance(key, ScalarNode) else "?"
                if key is target:
                    return [*steps, _Step(node, value, "." + name)]
                stack.append((value, [*steps, _Step(node, value, "." + name)]))
        elif isinstance(node, SequenceNode):
            for index in reversed(range(len(node.value))):
                item = node.value[index]
                stack.append((item, [*steps, _Step(node, item, _item_label(item, index))]))
    return None


def _item_label(item: Node, index: int) -> str:
    for key in _ITEM_NAME_KEYS:
        name = as_text(get(item, key))
        if name is not None:
            return f"[{key}={name}]"
    return f"[{index}]"


def _render(steps: list[_Step]) -> str:
    return "".join(step.label for step in steps).removeprefix(".")
