"""SL002: every key and type Prometheus' strict YAML decoding would reject."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any, NamedTuple

from scrapelint import config_structure as data
from scrapelint.document import (
    NULL_TAG,
    Document,
    MappingNode,
    Node,
    ScalarNode,
    SequenceNode,
    is_null,
    scalar_kind,
)
from scrapelint.engine import CheckContext, Hit
from scrapelint.registry import check

_DURATION = re.compile(r"^(\d+y)?(\d+w)?(\d+d)?(\d+h)?(\d+m)?(\d+s)?(\d+ms)?$")
_SIZE = re.compile(r"^\d+(\.\d+)?\s*([KMGTPE]i?B|B)?$", re.IGNORECASE)
_STRINGLIKE = frozenset({"string", "secret", "url", "path", "regexp", "labelname"})
INCLUDED_ROOT = "scrape_config_file"

# Prometheus Operator CRD fields pasted into a raw prometheus.yml, and where they belong.
CRD_HINTS = {
    "bearerTokenFile": "authorization.credentials_file",
    "bearerTokenSecret": "authorization.credentials_file",
    "basicAuth": "basic_auth",
    "tlsConfig": "tls_config",
    "relabelings": "relabel_configs",
    "metricRelabelings": "metric_relabel_configs",
    "interval": "scrape_interval",
    "path": "metrics_path",
    "targetPort": "static_configs targets (host:port)",
}


class _Problem(NamedTuple):
    node: Node
    message: str
    help: str = ""


@functools.cache
def struct_keys(name: str) -> dict[str, str]:
    """The keys of a struct with its inlined structs (transitively) and SD keys."""
    keys = dict(data.STRUCTS[name])
    for inlined in data.INLINES.get(name, ()):
        keys.update(struct_keys(inlined))
    if name in data.SD_HOSTS:
        keys.update({key: f"list[{struct}]" for key, struct in data.SD_CONFIGS.items()})
    return keys


def check_tree(root: Node, root_type: str) -> Iterator[_Problem]:
    seen: set[int] = set()
    stack: list[tuple[Node, str]] = [(root, root_type)]
    while stack:
        node, type_expr = stack.pop()
        if id(node) in seen or is_null(node) or type_expr == "any":
            continue
        seen.add(id(node))
        problem = _shape_problem(node, type_expr)
        if problem is not None:
            yield problem
            continue
        if type_expr in data.STRUCTS:
            yield from _struct_children(node, type_expr, stack)  # type: ignore[arg-type]
        elif type_expr.startswith("list["):
            stack.extend((item, type_expr[5:-1]) for item in reversed(node.value))
        elif type_expr.startswith("map["):
            stack.extend((value, type_expr[4:-1]) for _, value in reversed(node.value))


# How check_tree_without_sharing treats a type expression; scalars of the first two kinds
# are never a problem.
_ANY, _TEXT, _SCALAR, _STRUCT, _LIST, _MAP = range(6)
_PLANS: dict[str, tuple[int, Any]] = {}


def _plan(type_expr: str) -> tuple[int, Any]:
    """(kind, detail): detail is (keys, kinds of the keys) for a struct, the item type for a
    list or map."""
    plan = _PLANS.get(type_expr)
    if plan is None:
        if type_expr == "any":
            plan = (_ANY, None)
        elif type_expr in data.STRUCTS:
            keys = struct_keys(type_expr)
            plan = (_STRUCT, (keys, {name: _plan(t)[0] for name, t in keys.items()}))
        elif type_expr.startswith("list["):
            plan = (_LIST, type_expr[5:-1])
        elif type_expr.startswith("map["):
            plan = (_MAP, type_expr[4:-1])
        else:
            plan = (_TEXT if type_expr in _STRINGLIKE else _SCALAR, None)
        _PLANS[type_expr] = plan
    return plan


def check_tree_without_sharing(root: Node, root_type: str) -> Iterator[_Problem]:
    """check_tree for a document in which no node is reached twice (it has no anchors).

    The same problems, found with less work per node: scalars are judged where their parent is
    expanded, and the many that any scalar satisfies (strings, paths, URLs) cost one lookup.
    """
    if is_null(root):
        return
    problem = _shape_problem(root, root_type)
    if problem is not None:
        yield problem
        return
    stack: list[tuple[Node, str]] = [(root, root_type)]
    scalar_class, null_tag, no_check = ScalarNode, NULL_TAG, _TEXT
    plans = _PLANS  # filled by _plan; read directly, since this loop runs once per node
    # A scalar's problem depends only on its type, tag and text, and the same few values (30s,
    # https, true, TLS12) fill a large config: each is judged once.
    valid_scalars: set[tuple[str, str, str]] = set()
    while stack:
        node, type_expr = stack.pop()
        kind, detail = plans.get(type_expr) or _plan(type_expr)
        if kind == _STRUCT:
            keys, kinds = detail
            for key, value in node.value:
                name = key.value if key.__class__ is scalar_class else None
                child_type = keys.get(name) if name is not None else None
                if child_type is None:
                    yield _unknown_key(key, name, type_expr, keys)
                    continue
                child_kind = kinds[name]
                if value.__class__ is scalar_class:
                    if child_kind <= no_check or value.tag == null_tag:
                        continue
                    if (child_type, value.tag, value.value) in valid_scalars:
                        continue
                elif child_kind == _ANY:
                    continue
                elif value.__class__ is _COLLECTION_CLASS.get(child_kind):
                    stack.append((value, child_type))  # type: ignore[arg-type]
                    continue
                problem = _shape_problem(value, child_type)
                if problem is not None:
                    yield problem
                elif value.__class__ is scalar_class:
                    valid_scalars.add((child_type, value.tag, value.value))
        elif kind in (_LIST, _MAP):
            child_type = detail
            child_kind = (plans.get(child_type) or _plan(child_type))[0]
            expected = _COLLECTION_CLASS.get(child_kind)
            children = node.value if kind == _LIST else [value for _, value in node.value]
            for child in children:
                if child.__class__ is scalar_class:
                    if child_kind <= no_check or child.tag == null_tag:
                        continue
                    if (child_type, child.tag, child.value) in valid_scalars:
                        continue
                elif child_kind == _ANY:
                    continue
                elif child.__class__ is expected:
                    stack.append((child, child_type))  # type: ignore[arg-type]
                    continue
                problem = _shape_problem(child, child_type)
                if problem is not None:
                    yield problem
                elif child.__class__ is scalar_class:
                    valid_scalars.add((child_type, child.tag, child.value))


# The node class each collection kind expects.
_COLLECTION_CLASS: dict[int, type] = {_STRUCT: MappingNode, _MAP: MappingNode, _LIST: SequenceNode}


def _struct_children(
    node: MappingNode, struct: str, stack: list[tuple[Node, str]]
) -> Iterator[_Problem]:
    keys = struct_keys(struct)
    children = []
    for key, value in node.value:
        name = str(key.value) if isinstance(key, ScalarNode) else None
        if name is None or name not in keys:
            yield _unknown_key(key, name, struct, keys)
            continue
        children.append((value, keys[name]))
    stack.extend(reversed(children))


def _shape_problem(node: Node, type_expr: str) -> _Problem | None:
    expected = _expected_shape(type_expr)
    if expected == "mapping" and not isinstance(node, MappingNode):
        return _wrong_type(node, type_expr, "a mapping")
    if expected == "sequence" and not isinstance(node, SequenceNode):
        return _wrong_type(node, type_expr, "a list")
    if expected == "scalar":
        if not isinstance(node, ScalarNode):
            return _wrong_type(node, type_expr, "a single value")
        return _scalar_problem(node, type_expr)
    return None


def _expected_shape(type_expr: str) -> str:
    if type_expr in data.STRUCTS or type_expr.startswith("map["):
        return "mapping"
    if type_expr.startswith("list["):
        return "sequence"
    return "scalar"


def _scalar_problem(node: ScalarNode, type_expr: str) -> _Problem | None:
    kind = scalar_kind(node)
    text = str(node.value)
    if type_expr in _STRINGLIKE:
        return None
    if type_expr == "bool" and kind != "bool":
        return _wrong_type(node, type_expr, "true or false")
    if type_expr == "int" and kind != "int":
        return _wrong_type(node, type_expr, "a whole number")
    if type_expr == "float" and kind not in ("int", "float"):
        return _wrong_type(node, type_expr, "a number")
    if type_expr == "duration" and not (text and _DURATION.match(text)):
        return _wrong_type(node, type_expr, "a duration such as 30s, 1m or 1h30m")
    if type_expr == "size" and not _SIZE.match(text):
        return _wrong_type(node, type_expr, "a size such as 512MB")
    if type_expr.startswith(("enum:", "enumi:")):
        return _enum_problem(node, type_expr)
    return None


def _enum_problem(node: ScalarNode, type_expr: str) -> _Problem | None:
    kind, _, values = type_expr.partition(":")
    allowed = values.split("|")
    text = str(node.value)
    matches = text.lower() in (v.lower() for v in allowed) if kind == "enumi" else text in allowed
    if matches:
        return None
    return _Problem(
        node,
        f"{text!r} is not a value Prometheus accepts here (one of: {', '.join(allowed)}); "
        "Prometheus refuses the config",
        f"Use one of: {', '.join(allowed)}.",
    )


def _wrong_type(node: Node, type_expr: str, wanted: str) -> _Problem:
    found = "a mapping" if isinstance(node, MappingNode) else "a list"
    if isinstance(node, ScalarNode):
        found = f"{str(node.value)[:40]!r}" if type_expr not in ("secret",) else "a value"
    return _Problem(
        node,
        f"expected {wanted} here, found {found}; Prometheus refuses the config (cannot unmarshal)",
        f"Write {wanted}.",
    )


def _unknown_key(key: Node, name: str | None, struct: str, keys: dict[str, str]) -> _Problem:
    shown = name if name is not None else "a non-scalar key"
    where = struct.replace("_", " ")
    suggestion = suggest_key(name, keys) if name else None
    hint = f'; did you mean "{suggestion}"?' if suggestion else ""
    return _Problem(
        key,
        f'"{shown}" is not a valid key in a {where}; Prometheus refuses the config '
        f"(`field {shown} not found`){hint}",
        f'Rename it to "{suggestion}".' if suggestion else "Remove the key or fix its spelling.",
    )


def suggest_key(name: str, keys: dict[str, str]) -> str | None:
    if name in CRD_HINTS:
        return CRD_HINTS[name]
    normalised = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower().replace("-", "_")
    if normalised in keys:
        return normalised
    if len(normalised) > 2 * max(map(len, keys), default=0):
        # No key can reach the 0.75 similarity cutoff (2*shorter/total); difflib would still
        # index every character of a megabyte-long name before finding that out.
        return None
    import difflib  # only an unknown key pays for it

    close = difflib.get_close_matches(normalised, sorted(keys), n=1, cutoff=0.75)
    return close[0] if close else None


def _problems_of(document: Document, root_type: str) -> Iterator[_Problem]:
    if document.root is None:
        return
    if document.may_share_nodes:  # anchors: a node may be reached twice, and is checked once
        yield from check_tree(document.root, root_type)
    else:
        yield from check_tree_without_sharing(document.root, root_type)


@check("SL002")
def invalid_config_structure(context: CheckContext) -> Iterator[Hit]:
    config = context.config
    for document in config.documents:
        root_type = data.ROOT if document is config.document else INCLUDED_ROOT
        for problem in _problems_of(document, root_type):
            yield Hit(problem.node, problem.message, problem.help, document=document)
