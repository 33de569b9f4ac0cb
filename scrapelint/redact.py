"""Masking secret values in the source lines that reports quote.

Reports show the line a finding is on, and that line often holds the secret the finding is about.
Masking errs on the side of hiding: every value under a secret-named key, every header, parameter
and endpoint_params value, and the password of every URL with userinfo.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator

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
# `user:password@`: the user is the first run of characters other than `:` in a run of characters
# other than white space, `@` and `/` that ends right before an `@`; the password is the rest of
# that run after the next `:` (at least one character). Matching starts only where such a run
# starts and never gives characters back, so a long line costs linear time (a plain
# `[^...]+:[^...]+@` pattern is quadratic on long lines without `@`).
_USERINFO = re.compile(r"(?<![^\s@/])(?P<user>:*+[^\s:@/]++):[^\s@/]++(?=@)")


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


def _secret_scalars_on(root: Node | None, wanted: list[int]) -> Iterator[ScalarNode]:
    """secret_scalars of a tree (no shared nodes), limited to nodes on the wanted lines.

    `wanted` holds sorted 0-based line numbers; a node is entered only when its lines include
    one of them, which its parent's lines then do too.
    """
    if root is None or not wanted:
        return
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, hidden = stack.pop()
        first = bisect_left(wanted, node.start_mark.line)
        if first == len(wanted) or wanted[first] > node.end_mark.line:
            continue
        if isinstance(node, ScalarNode):
            if hidden:
                yield node
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                name = str(key.value) if isinstance(key, ScalarNode) else ""
                stack.append((value, hidden or is_secret_name(name)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, hidden) for item in node.value)


class Redactor:
    """Masks lines of one document; built only for documents that have findings.

    With `lines` (1-based), only those lines are prepared, and `line()` answers for them only.
    """

    def __init__(self, document: Document, lines: Iterable[int] | None = None) -> None:
        self._lines = document.lines
        self._hidden: dict[int, list[tuple[int, int]]] = {}
        self._only = None if lines is None else frozenset(lines)
        # A file that did not parse has no tree to say which values are secret: its lines are
        # masked by their keys and indentation instead (see _mask_unparsed).
        self._unparsed = document.root is None and document.problem is not None
        if lines is not None and not document.may_share_nodes:
            # Without anchors every node has one parent: only the branches that reach a wanted
            # line are walked (a config's findings quote a few of its lines).
            scalars: Iterable[ScalarNode] = _secret_scalars_on(
                document.root, sorted(number - 1 for number in self._only or ())
            )
        else:
            scalars = secret_scalars(document.root)
        for scalar in scalars:
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
        if self._only is not None and number not in self._only:
            return ""  # not prepared: its secrets are not known
        if self._unparsed:
            return mask_userinfo(_mask_unparsed(self._lines, index))
        text = self._lines[index]
        for first, last in sorted(self._hidden.get(index, []), reverse=True):
            if first < len(text):
                text = text[:first] + MASK + text[min(last, len(text)) :]
        return mask_userinfo(text)


def mask_userinfo(text: str) -> str:
    if "@" not in text:
        return text
    return _USERINFO.sub(r"\g<user>:" + MASK, text)


_LINE_KEY = re.compile(r"""(?:^|[\s{,?-])["']?([^\s"':{},\[\]#]+)["']?\s*:(?=\s|$)""")


def _secret_key_end(text: str) -> int | None:
    """Where the value of the first secret-looking key on a line starts, if there is one."""
    for match in _LINE_KEY.finditer(text):
        if is_secret_name(match.group(1)):
            return match.end()
    return None


def _mask_unparsed(lines: list[str], index: int) -> str:
    """A line of a file that does not parse, with what may be secret masked.

    Without a tree, this errs on the side of hiding: everything after a secret-looking key on
    the line, and the whole line when a line it is indented under has such a key.
    """
    text = lines[index]
    body = text.lstrip(" -")
    level = len(text) - len(text.lstrip(" "))
    item = text.lstrip(" ").startswith("-")
    for back in range(index - 1, -1, -1):
        parent = lines[back]
        stripped = parent.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(parent) - len(parent.lstrip(" "))
        if indent < level or (indent == level and item and not stripped.startswith("-")):
            if _secret_key_end(parent) is not None:
                return text[: len(text) - len(body)] + MASK if body else text
            level, item = indent, stripped.startswith("-")
            if level == 0 and not item:
                break
    end = _secret_key_end(text)
    return text if end is None else text[:end] + " " + MASK
