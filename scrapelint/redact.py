"""Masking secret values in the source lines that reports quote.

Reports show the line a finding is on, and that line often holds the secret the finding is about.
Masking errs on the side of hiding: every value under a secret-named key, every header, parameter
and endpoint_params value, the password of every URL with userinfo, and the value of every
secret-named query parameter (`?api_key=...`) on the line.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping, Sequence

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

# Query-string secrets (`https://host/push?api_key=...&org=1`). A parameter name starts right after
# `?`, `&`, `;` (an old separator) or `#` (fragments carry tokens too: `#access_token=`) and runs to
# the next `=`; names are looked for everywhere on the line, also inside the values of parameters
# that are not secret, so `?org=1;token=x` is caught. Each attempt stops at the next separator,
# so the search is linear. A secret value runs to white space, `&`, `#`, a quote or a backtick
# (not to `;`, `,` or a bracket, which may be part of it); see _value_tail for what is given back.
_QUERY_NAME = re.compile(r"[?&;#](?P<name>[^\s=?&;#\"'`]++)=")
_QUERY_VALUE = re.compile(r"[^\s&#\"'`]*+")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")
# Which names are secret-bearing, compared case-insensitively after percent-decoding, with `-`
# and `.` read as `_` and a trailing `[]` dropped. Erring on the side of hiding, a name is secret
# when
#   - it contains one of _SECRET_PARAM_PARTS (access_token, id_token, X-Amz-Security-Token,
#     client_secret, password, passwd, X-Amz-Signature, X-Goog-Credential, sessionToken, ...);
#   - it ends in `key` once separators are removed (key, api_key, apikey, api-key, X-API-Key,
#     access_key, AWSAccessKey, subscription-key, license_key, ...);
#   - one of its `_`-separated words is in _SECRET_PARAM_WORDS (auth, sig for Azure SAS and
#     others, pwd, pass, jwt, ...);
#   - it is `p`: InfluxDB 1.x takes its password as `?u=user&p=password`, a remote_write URL
#     its documentation gives (the user, `u`, stays readable like the user of userinfo).
# Everything else stays readable: org, orgId, tenant, role, namespace, shard, db, u, module,
# target, match[], X-Amz-Date, X-Amz-Expires, X-Amz-SignedHeaders, sv, se, sp, ...
# A query string percent-encoded inside another parameter's value (`redirect=...%3Ftoken%3D...`)
# is not looked into.
_SECRET_PARAM_PARTS = ("token", "secret", "passw", "passphrase", "signature", "credential",
                       "accesskey", "session")  # fmt: skip
_SECRET_PARAM_WORDS = frozenset(
    {"auth", "authorization", "sig", "pwd", "pass", "jwt", "bearer", "hmac", "otp"}
)
# Closing characters given back at the end of a secret value when they are not part of it: the
# end of a flow collection (`{url: https://h?token=x}`) or of a sentence. A bracket is given
# back only while the value has more of it than of its opening bracket (`token=${TOKEN}` keeps
# its `}` hidden).
_CLOSERS = {")": "(", "]": "[", "}": "{", ",": "", ".": "", ";": ""}


def secret_scalars(
    root: Node | None,
    hidden: bool = False,
    text: str | None = None,
    wanted: list[int] | None = None,
) -> Iterator[ScalarNode]:
    """Every scalar whose whole value is to be hidden (all of them below a hidden root); with
    the document's text, also those whose escapes spell a URL secret (_escaped_url_secret).

    With `wanted` (sorted 0-based line numbers, for a tree without shared nodes), only the
    branches whose lines include one of them are entered: a config's findings quote a few of
    its lines.
    """
    if root is None or wanted == []:
        return
    seen: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, hidden)]
    while stack:
        node, hidden = stack.pop()
        if wanted is not None:
            first = bisect_left(wanted, node.start_mark.line)
            if first == len(wanted) or wanted[first] > node.end_mark.line:
                continue
        elif id(node) in seen:
            continue
        else:
            seen.add(id(node))
        if isinstance(node, ScalarNode):
            if hidden or (text is not None and _escaped_url_secret(node, text)):
                yield node
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                name = str(key.value) if isinstance(key, ScalarNode) else ""
                stack.append((value, hidden or is_secret_name(name)))
        elif isinstance(node, SequenceNode):
            stack.extend((item, hidden) for item in node.value)


@functools.lru_cache(maxsize=4096)  # a config has few key names, read once per mapping
def is_secret_name(name: str) -> bool:
    if name in SECRET_KEYS or name in SECRET_SUBTREES:
        return True
    return bool(_SECRET_NAME.search(name)) and not name.endswith(_NOT_SECRET_SUFFIXES)


def _escaped_url_secret(node: ScalarNode, text: str) -> bool:
    """A value with a URL secret that masking its source line would not hide: spelled with
    escapes (`\\x40` for `@`), quotes or line folding, or with a query value that runs past
    where the line masking stops (a quote, a space). Such a value is hidden whole."""
    value = str(node.value)
    if "@" not in value and "=" not in value:
        return False
    query_values = [secret for _, secret in query_secrets(value)]
    if not query_values and mask_url_secrets(value) == value:
        return False
    raw = text[node.start_mark.index : node.end_mark.index]
    if node.style in ("'", '"'):
        raw = raw[1:-1]
    return raw != value or any(
        char.isspace() or char in "'\"`" for secret in query_values for char in secret
    )


# Where str.splitlines() breaks lines besides "\n": when a text has none of these, its lines
# can be found by counting "\n" alone.
_OTHER_BREAKS = "\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class _Lines(Sequence[str]):
    """Some lines of a text, as `text.splitlines()` numbers them, without splitting it all.

    A large config's findings quote a few hundred of its lines; splitting all of them would
    hold a string per line (tens of megabytes for a large config) at the peak of the run.
    """

    def __init__(
        self, text: str, wanted: Iterable[int], offsets: Mapping[int, int] | None = None
    ) -> None:
        """`offsets`: for some wanted lines, the offset of a character on that line (where a
        node starts), which finds the line without counting the lines before it."""
        if any(char in text for char in _OTHER_BREAKS):
            lines = text.splitlines()
            self._count = len(lines)
            self._found = {n: lines[n - 1] for n in wanted if 0 < n <= len(lines)}
            return
        self._count = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        numbers = {n for n in wanted if 0 < n <= self._count}
        known = offsets or {}
        located = {n: known[n] for n in numbers if 0 <= known.get(n, -1) <= len(text)}
        self._found = {n: _line_around(text, offset) for n, offset in located.items()}
        self._found.update(_lines_by_count(text, sorted(numbers - located.keys())))

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: int) -> str:  # type: ignore[override]
        if not 0 <= index < self._count:
            raise IndexError(index)
        return self._found.get(index + 1, "")


def _line_around(text: str, offset: int) -> str:
    """The line (without its line break) that holds text[offset], or that ends there."""
    end = text.find("\n", offset)
    return text[text.rfind("\n", 0, offset) + 1 : end if end >= 0 else len(text)]


def _lines_by_count(text: str, numbers: list[int]) -> Iterator[tuple[int, str]]:
    """(number, line) for sorted 1-based line numbers, found by counting line breaks."""
    position, number = 0, 1  # the start of line `number`
    for target in numbers:
        position, number = _skip_blocks(text, position, number, target)
        while number < target:  # a few lines at most
            position = text.index("\n", position) + 1
            number += 1
        end = text.find("\n", position)
        yield target, text[position : end if end >= 0 else len(text)]


def _skip_blocks(text: str, position: int, number: int, target: int) -> tuple[int, int]:
    """Skip blocks of text whose line breaks all lie before line `target`, growing the block
    while that holds and starting small again when it does not."""
    size = 256
    while True:
        block_end = min(position + size, len(text))
        skipped = text.count("\n", position, block_end)
        if number + skipped < target and block_end < len(text):
            number += skipped
            position = block_end
            size *= 4
        elif size > 256:
            size = 256
        else:
            return position, number


class Redactor:
    """Masks lines of one document; built only for documents that have findings.

    With `lines` (1-based), only those lines are prepared, and `line()` answers for them only.
    """

    def __init__(
        self,
        document: Document,
        lines: Iterable[int] | None = None,
        offsets: Mapping[int, int] | None = None,
    ) -> None:
        """`offsets`: for some of `lines`, the offset of a node that starts on that line."""
        self._hidden: dict[int, list[tuple[int, int]]] = {}
        self._only = None if lines is None else frozenset(lines)
        self._unparsed = document.root is None and document.problem is not None
        # The lines findings quote; all of them only where masking needs the ones before.
        if self._only is None or self._unparsed:
            self._lines: Sequence[str] = document.lines
        else:
            # (libyaml's offsets leave out a byte order mark that starts the text.)
            usable = offsets if not document.text.startswith("\ufeff") else None
            self._lines = _Lines(document.text, self._only, usable)
        # (A file that did not parse has no tree to say which values are secret: its lines are
        # masked by their keys and indentation instead, see _mask_unparsed.)
        # Without anchors every node has one parent: only the branches that reach a wanted
        # line are walked.
        wanted = None
        if lines is not None and not document.may_share_nodes:
            wanted = sorted(number - 1 for number in self._only or ())
        for scalar in secret_scalars(document.root, text=document.text, wanted=wanted):
            self._hide(scalar)
        for duplicate in document.duplicates:
            # Dropped from the tree, so secret_scalars cannot see them.
            hidden = is_secret_name(str(duplicate.key.value))
            for scalar in secret_scalars(duplicate.value, hidden=hidden, text=document.text):
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
            masked = _mask_unparsed(list(self._lines), index)
            return mask_url_secrets(_DOUBLE_QUOTED.sub(_hide_if_escaped, masked))
        text = self._lines[index]
        for first, last in sorted(self._hidden.get(index, []), reverse=True):
            if first < len(text):
                text = text[:first] + MASK + text[min(last, len(text)) :]
        return mask_url_secrets(text)


def mask_url_secrets(text: str) -> str:
    """`text` with the password of URL userinfo and the values of secret query parameters masked.

    Linear in the length of the text.
    """
    if "=" in text:
        text = _mask_query_secrets(text)
    if "@" in text:
        text = _USERINFO.sub(r"\g<user>:" + MASK, text)
    return text


def is_secret_param(name: str) -> bool:
    """Whether a query parameter of this name carries a secret (see _SECRET_PARAM_PARTS)."""
    if "%" in name:
        name = _PERCENT.sub(lambda match: chr(int(match.group(1), 16)), name)
    name = name.lower().replace("-", "_").replace(".", "_").removesuffix("[]")
    compact = name.replace("_", "")
    return (
        name == "p"
        or compact.endswith("key")
        or any(part in compact for part in _SECRET_PARAM_PARTS)
        or not _SECRET_PARAM_WORDS.isdisjoint(name.split("_"))
    )


def query_string(url: str) -> str:
    """The query string of a URL (or of a text quoting one): after `?`, before `#`."""
    return url.partition("?")[2].partition("#")[0]


def query_secrets(url: str) -> list[tuple[str, str]]:
    """(name, value) of the query parameters of a URL that carry a non-empty secret, a value
    running to the next `&` or `#` (what a server reads), each name once."""
    return query_string_secrets(query_string(url))


def query_string_secrets(query: str) -> list[tuple[str, str]]:
    """query_secrets of a query string."""
    found: dict[str, str] = {}
    for part in query.split("&") if query else ():
        name, equals, value = part.partition("=")
        if equals and value and name not in found and is_secret_param(name):
            found[name] = value
    return list(found.items())


def mask_url(url: str) -> str:
    """A URL (or a text quoting one) with its secrets masked: the whole value of each secret
    query parameter, as query_secrets reads it, then what mask_url_secrets finds."""
    query_start = url.find("?")
    if query_start >= 0:
        end = url.find("#", query_start)
        end = len(url) if end < 0 else end
        parts = []
        for part in url[query_start + 1 : end].split("&"):
            name, equals, value = part.partition("=")
            secret = equals and value and is_secret_param(name)
            parts.append(f"{name}={MASK}" if secret else part)
        url = url[: query_start + 1] + "&".join(parts) + url[end:]
    return mask_url_secrets(url)


def _value_tail(value: str) -> int:
    """How many characters at the end of a secret value are closers to give back (_CLOSERS)."""
    count = 0
    unmatched: dict[str, int] = {}
    for char in reversed(value):
        opening = _CLOSERS.get(char)
        if opening is None:
            break
        if opening:
            if char not in unmatched:
                unmatched[char] = value.count(char) - value.count(opening)
            if unmatched[char] <= 0:
                break
            unmatched[char] -= 1
        count += 1
    return count


def _mask_query_secrets(text: str) -> str:
    parts: list[str] = []
    copied = 0  # text[:copied] is in parts
    scanned = 0  # secret values are read up to here: names before it are inside one
    for match in _QUERY_NAME.finditer(text):
        if match.start() < scanned or not is_secret_param(match.group("name")):
            continue
        start = match.end()
        end = scanned = _QUERY_VALUE.match(text, start).end()  # type: ignore[union-attr]
        end -= _value_tail(text[start:end])
        if end > start:
            parts.append(text[copied:start])
            parts.append(MASK)
            copied = end
    if not parts:
        return text
    parts.append(text[copied:])
    return "".join(parts)


_LINE_KEY = re.compile(r"""(?:^|[\s{,?-])["']?([^\s"':{},\[\]#]+)["']?\s*:(?=\s|$)""")


def _secret_key_end(text: str) -> int | None:
    """Where the value of the first secret-looking key on a line starts, if there is one."""
    for match in _LINE_KEY.finditer(text):
        if is_secret_name(match.group(1)):
            return match.end()
    return None


# A double-quoted string on one line (possibly unterminated), read in one pass.
_DOUBLE_QUOTED = re.compile(r'"(?:[^"\\\n]|\\.)*+"?')


def _hide_if_escaped(match: re.Match[str]) -> str:
    """Without a tree to decode it, a double-quoted string whose escapes could spell anything
    (`\\x40` is `@`) is hidden whole."""
    quoted = match.group(0)
    return f'"{MASK}"' if _ANY_CHARACTER_ESCAPE.search(quoted) else quoted


_ANY_CHARACTER_ESCAPE = re.compile(r"\\[xuU]")


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
