"""What a check reports: a node (or an explicit span) and a message; the engine adds the rest."""

from __future__ import annotations

from dataclasses import dataclass

from scrapelint.document import Document, Node
from scrapelint.findings import Severity, Span


@dataclass(frozen=True, eq=False, repr=False)
class Hit:
    """What a check reports: a node (or span) and a message; the engine makes it a Finding."""

    node: Node | None
    message: str
    help: str = ""
    document: Document | None = None
    span: Span | None = None
    # The site's mapping the finding is about: paths and anchors are found through it.
    scope: Node | None = None
    # A case of a rule that is less (or more) severe than the rule's default, e.g. a token that
    # expires soon rather than one that has expired. Settings overrides still win.
    severity: Severity | None = None
