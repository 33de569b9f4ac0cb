"""Masking secret values in the source lines that reports quote.

Reports show the line a finding is on, and that line often holds the secret the finding is about.
Masking errs on the side of hiding: every value under a secret-named key, every header, parameter
and endpoint_params value, and the password of every URL with userinfo.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from scrapelint.document import Document, MappingNode, Node, ScalarNode, SequenceNode

MASK = "********"

SECRET_KEYS = frozenset(
    {
        "password", "credentials", "bearer_token", "client_secret", "key", "secret_key",
        "token", "auth_token", "application_secret", "consumer_key", "key_passphrase",
        "client_certificate_key", "application_credential_secret", "certificate_password",
        "service_account_key", "private_key", "secrets", "access_key",
    }
)  # fmt: skip
# Every value below these keys is treated as secret.
SECRET_SUBTREES = frozenset(
    {"headers", "http_headers", "endpoint_params", "params", "proxy_connect_header"}
)
# Names that look like they hold a secret, for keys the tables above do not know (a typo such
# as `passwrod` is exactly the line a finding will quote).
_SECRET_NAME = re.compile(r"pass|secret|token|cred|key|auth|signature|private", re.IGNORECASE)
_NOT_SECRET_SUFFIXES = ("_file", "_files", "_path", "_ref", "_id", "_url", "type", "_method")
_USERINFO = re.compile(r"(?P<user>[^\s:/@]+):(?P<password>[^\s@/]+)@")


def secret_scalars(root: Node | None, hidden: bool = False) -> Iterator[ScalarNode]:
    """Every scalar whose whole value is to be hidden (all of them below a hidden root)."""
    if root is None:
        return
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, hidden)]
    while stack:
        node, hidden = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if hidden:
                yield node
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                name = str(key.value) if isinstance(key, ScalarNode) else ""
                stack.append((value, hidden or is_secret_name(name)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, hidden) for item in node.value)


def is_secret_name(name: str) -> bool:
    if name in SECRET_KEYS or name in SECRET_SUBTREES:
        return True
    return bool(_SECRET_NAME.search(name)) and not name.endswith(_NOT_SECRET_SUFFIXES)


class Redactor:
    """Masks lines of one document; built only for documents that have findings."""

    def __init__(self, document: Document) -> None:
        self._lines = document.lines
        self._hidden: dict[int, list[tuple[int, int]]] = {}
        for scalar in secret_scalars(document.root):
            self._hide(scalar)
        for duplicate in document.duplicates:
            # Dropped from the tree, so secret_scalars cannot see them.
            if is_secret_name(str(duplicate.key.value)):
                for scalar in secret_scalars(duplicate.value, hidden=True):
                    self._hide(scalar)

    def _hide(self, scalar: ScalarNode) -> None:
        start, end = scalar.start_mark, scalar.end_mark
        if str(scalar.value) == "":
            return
        for line in range(start.line, end.line + 1):
            first = start.column if line == start.line else 0
            last = end.column if line == end.line else 1 << 30
            self._hidden.setdefault(line, []).append((first, last))

    def line(self, number: int) -> str:
        """Line `number` (1-based) with secrets masked."""
        index = number - 1
        if not 0 <= index < len(self._lines):
            return ""
        text = self._lines[index]
        for first, last in sorted(self._hidden.get(index, []), reverse=True):
            if first < len(text):
                text = text[:first] + MASK + text[min(last, len(text)) :]
        return mask_userinfo(text)


def mask_userinfo(text: str) -> str:
    return _USERINFO.sub(lambda m: f"{m['user']}:{MASK}@", text)
