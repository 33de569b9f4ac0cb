"""YAML paths such as `scrape_configs[job_name=node].basic_auth.password`.

A path names a node by the keys and job names that lead to it, so it survives line moves (the
baseline and SARIF fingerprints depend on that). Findings are rare, so a path is computed by a
search on demand instead of being stored for every node.
"""

from __future__ import annotations

from scrapelint.document import MappingNode, Node, ScalarNode, SequenceNode, as_text, get

_ITEM_NAME_KEYS = ("job_name", "name")


def yaml_path(root: Node | None, target: Node) -> str:
    if root is None:
        return ""
    found = _search(root, target)
    return _render(found) if found is not None else ""


def _search(root: Node, target: Node) -> list[str] | None:
    seen: set[int] = set()
    stack: list[tuple[Node, list[str]]] = [(root, [])]
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
                    return [*steps, "." + name]
                stack.append((value, [*steps, "." + name]))
        elif isinstance(node, SequenceNode):
            for index in reversed(range(len(node.value))):
                item = node.value[index]
                stack.append((item, [*steps, _item_label(item, index)]))
    return None


def _item_label(item: Node, index: int) -> str:
    for key in _ITEM_NAME_KEYS:
        name = as_text(get(item, key))
        if name is not None:
            return f"[{key}={name}]"
    return f"[{index}]"


def _render(steps: list[str]) -> str:
    return "".join(steps).removeprefix(".")
