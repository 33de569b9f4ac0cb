"""The rule catalogue: rules/*.md pages paired with the @check functions that implement them."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import yaml

from scrapelint.findings import Severity

if TYPE_CHECKING:
    from scrapelint.engine import CheckContext, Hit

CheckFunction = Callable[["CheckContext"], Iterable["Hit"]]

_CHECKS: dict[str, CheckFunction] = {}
# Rules about inline directives run after the others, over what the directives did.
_DIRECTIVE_CHECKS: dict[str, Callable[..., Iterable[Hit]]] = {}


@dataclass(frozen=True)
class Rule:
    """One rule's metadata, read from the front matter of its rules/*.md page."""

    id: str
    name: str
    title: str
    severity: Severity
    tags: tuple[str, ...]
    prometheus: str
    summary: str
    page: str

    @property
    def help_uri(self) -> str:
        return f"https://github.com/scrapelint/scrapelint/blob/main/rules/{self.id}.md"


def check(rule_id: str) -> Callable[[CheckFunction], CheckFunction]:
    def register(function: CheckFunction) -> CheckFunction:
        if rule_id in _CHECKS or rule_id in _DIRECTIVE_CHECKS:
            raise ValueError(f"two checks registered for {rule_id}")
        _CHECKS[rule_id] = function
        return function

    return register


def directive_check(
    rule_id: str,
) -> Callable[[Callable[..., Iterable[Hit]]], Callable[..., Iterable[Hit]]]:
    def register(function: Callable[..., Iterable[Hit]]) -> Callable[..., Iterable[Hit]]:
        if rule_id in _CHECKS or rule_id in _DIRECTIVE_CHECKS:
            raise ValueError(f"two checks registered for {rule_id}")
        _DIRECTIVE_CHECKS[rule_id] = function
        return function

    return register


def config_checks() -> dict[str, CheckFunction]:
    import scrapelint.checks  # noqa: F401  (registers every check)

    return dict(_CHECKS)


def directive_checks() -> dict[str, Callable[..., Iterable[Hit]]]:
    import scrapelint.checks  # noqa: F401  (registers every check)

    return dict(_DIRECTIVE_CHECKS)


def checks() -> dict[str, Callable[..., Iterable[Hit]]]:
    """Every registered check, of both phases."""
    return {**config_checks(), **directive_checks()}


@functools.cache
def rules_dir() -> str:
    """The installed catalogue (wheel) or the checkout's own (editable install, tests)."""
    here = os.path.dirname(os.path.abspath(__file__))
    packaged = os.path.join(here, "rules")
    if os.path.isdir(packaged):
        return packaged
    return os.path.join(os.path.dirname(here), "rules")


def rule_ids() -> list[str]:
    """Ids of the catalogue's pages, without reading them."""
    names = os.listdir(rules_dir())
    return sorted(n[:-3] for n in names if n.startswith("SL") and n.endswith(".md"))


@functools.cache
def rule(rule_id: str) -> Rule:
    """One rule's metadata; pages are read only for rules that are reported or listed."""
    with open(os.path.join(rules_dir(), f"{rule_id}.md"), encoding="utf-8") as page:
        return parse_page(page.read())


def rules() -> dict[str, Rule]:
    return {rule_id: rule(rule_id) for rule_id in rule_ids()}


def split_front_matter(text: str) -> tuple[dict[str, object], str]:
    if not text.startswith("---\n"):
        raise ValueError("rule page does not start with front matter")
    header, _, body = text[4:].partition("\n---\n")
    meta = yaml.load(header, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    if not isinstance(meta, dict):
        raise ValueError("front matter is not a mapping")
    return meta, body


def parse_page(text: str) -> Rule:
    meta, body = split_front_matter(text)
    return Rule(
        id=str(meta["id"]),
        name=str(meta["name"]),
        title=str(meta["title"]),
        severity=Severity.parse(str(meta["severity"])),
        tags=tuple(str(tag) for tag in meta.get("tags", []) or []),  # type: ignore[attr-defined]
        prometheus=str(meta.get("prometheus", "")),
        summary=_summary(body),
        page=text,
    )


def _summary(body: str) -> str:
    """The first paragraph after the page title."""
    paragraphs = [p.strip() for p in body.split("\n\n") if p.strip()]
    for paragraph in paragraphs:
        if not paragraph.startswith("#"):
            return " ".join(paragraph.split())
    return ""


def section(page: str, heading: str) -> str:
    """The text of one `## Heading` section of a rule page."""
    marker = f"\n## {heading}\n"
    start = page.find(marker)
    if start < 0:
        return ""
    rest = page[start + len(marker) :]
    end = rest.find("\n## ")
    return (rest if end < 0 else rest[:end]).strip()


def select_rules(
    all_ids: Iterable[str], select: Iterable[str] = (), ignore: Iterable[str] = ()
) -> set[str]:
    """Ids enabled by select/ignore codes or prefixes.

    The longer (more specific) match wins; on a tie, ignore wins.
    """
    select, ignore = list(select) or ["SL"], list(ignore)
    enabled = set()
    for rule_id in all_ids:
        chosen = max((len(code) for code in select if rule_id.startswith(code)), default=-1)
        dropped = max((len(code) for code in ignore if rule_id.startswith(code)), default=-1)
        if chosen >= 0 and chosen > dropped:
            enabled.add(rule_id)
    return enabled
