"""What a check reports: a node (or an explicit span) and a message; the engine adds the rest."""

from __future__ import annotations

from dataclasses import dataclass

from scrapelint.document import Document, Node
from scrapelint.findings import Span


@dataclass(frozen=True, eq=False, repr=False)
class Hit:
    node: Node | None
    message: str
    help: str = ""
    document: Document | None = None
    span: Span | None = None
    # The site's mapping the finding is about: paths and anchors are found through it.
    scope: Node | None = None
