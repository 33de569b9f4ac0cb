"""Credential files a config names: where Prometheus looks for them and what is there.

Which fields Prometheus joins to the directory of the config file that names them (and which it
does not) is in the facts file, §3. Reading is defensive: `lstat` first, never open anything
but a regular file (opened non-blocking, then checked again with `fstat`), read at most
READ_LIMIT bytes, and keep only derived facts (empty or not, a token's `exp`/`iat`/`sub`),
never the content.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable, Iterator
from typing import Literal, NamedTuple

from scrapelint.document import (
    NULL_TAG,
    Document,
    Node,
    ScalarNode,
    get,
    items,
    mapping_pairs,
)
from scrapelint.prometheus import PrometheusConfig, Site

FileKind = Literal["secret", "certificate", "other"]
Status = Literal["missing", "dangling", "loop", "denied", "special", "regular"]

READ_LIMIT = 64 * 1024
MAX_LINKS = 40  # what Linux allows before ELOOP
GIT_TIMEOUT = 30.0

# Fields of an http client config's auth blocks: (field, kind).
_BLOCK_FIELDS: dict[str, tuple[tuple[str, FileKind], ...]] = {
    "basic_auth": (("username_file", "other"), ("password_file", "secret")),
    "authorization": (("credentials_file", "secret"),),
}
_TLS_FIELDS: tuple[tuple[str, FileKind], ...] = (
    ("ca_file", "certificate"),
    ("cert_file", "certificate"),
    ("key_file", "secret"),
)
# The same, with the path each one has below a site's tls_config or its oauth2's.
_TLS_PATHS = {
    prefix: tuple((f"{prefix}.{name}", name, kind) for name, kind in _TLS_FIELDS)
    for prefix in ("tls_config", "oauth2.tls_config")
}
# Fields of one service-discovery mechanism: (kind, whether Prometheus joins it).
_SD_FIELDS: dict[str, dict[str, tuple[FileKind, bool]]] = {
    "kubernetes": {"kubeconfig_file": ("secret", True)},
    "marathon": {"auth_token_file": ("secret", True)},
    "scaleway": {"secret_key_file": ("secret", True)},
    "outscale": {"secret_key_file": ("secret", True)},
    "oci": {"key_file": ("secret", True), "key_passphrase_file": ("secret", True)},
    "stackit": {
        "credentials_file_path": ("secret", False),
        "service_account_key_path": ("secret", False),
        "private_key_path": ("secret", False),
    },
}
# remote_write blocks whose paths Prometheus never joins: block -> (path below it, kind).
_REMOTE_WRITE_FIELDS: dict[str, tuple[tuple[tuple[str, ...], FileKind], ...]] = {
    "google_iam": ((("credentials_file",), "secret"),),
    "azuread": (
        (("workload_identity", "token_file_path"), "secret"),
        (("certificate", "certificate_path"), "certificate"),
        (("certificate", "certificate_key_path"), "secret"),
    ),
}
_NO_FIELDS: dict[str, tuple[FileKind, bool]] = {}
# The keys of a site under which _field_nodes finds paths (besides its SD mechanism's own).
_FILE_KEYS = (
    *_BLOCK_FIELDS, *_REMOTE_WRITE_FIELDS, "bearer_token_file", "oauth2", "tls_config",
    "http_headers",
)  # fmt: skip

FieldNode = tuple[str, Node | None, FileKind, bool]  # (field, node, kind, joined)


# --- the references -----------------------------------------------------------------------


class FileRef(NamedTuple):
    """One path a config names, with what it holds and how Prometheus finds it."""

    node: ScalarNode
    text: str
    field: str
    kind: FileKind
    joined: bool  # whether Prometheus joins a relative path to the config's directory
    document: Document
    site: Site | None  # None: the tracing block

    # Computed when read: a large config names thousands of paths, and messages and the
    # search for the file read these for a few of them.

    @property
    def relative(self) -> bool:
        return not os.path.isabs(self.text)

    @property
    def owner(self) -> str:
        """How messages name what holds the path: `job "node"`, `tracing`, ..."""
        return self.site.label if self.site is not None else "tracing"


def file_refs(config: PrometheusConfig) -> list[FileRef]:
    refs: list[FileRef] = []
    # Only the sites with a key that may hold a path (most of a large config's have none).
    for site in config.sites_with(_FILE_KEYS, sd_types=_SD_FIELDS):
        refs.extend(_site_refs(site))
    refs.extend(_tracing_refs(config.document))
    return refs


def _ref(
    node: Node | None, field: str, kind: FileKind, joined: bool, document: Document,
    site: Site | None,
) -> FileRef | None:  # fmt: skip
    if not isinstance(node, ScalarNode) or node.tag == NULL_TAG:
        return None  # not a string (as_text's test, inline: most fields are absent)
    text = str(node.value)
    return FileRef(node, text, field, kind, joined, document, site) if text else None


def _site_refs(site: Site) -> list[FileRef]:
    """The paths a site names (only the few keys that may hold one are looked up)."""
    own = _SD_FIELDS.get(site.sd_type or "", _NO_FIELDS)
    fields = site.fields
    # Azure SD has no SetDirectory: none of its paths is joined (facts §3).
    joined = site.sd_type != "azure"
    refs: list[FileRef] = []
    for name in (*own, *_FILE_KEYS) if own else _FILE_KEYS:
        value = fields.get(name)
        if value is None:
            continue
        for field, node, kind, is_joined in _field_nodes(name, value, own, site):
            if node is None:
                continue  # a block names one or two of its file fields, seldom all
            ref = _ref(node, field, kind, joined and is_joined, site.document, site)
            if ref is not None:
                refs.append(ref)
    return refs


def _field_nodes(
    name: str, value: Node, own: dict[str, tuple[FileKind, bool]], site: Site
) -> list[FieldNode]:
    if name in own:
        return [(name, value, *own[name])]
    if name in _BLOCK_FIELDS:
        return [
            (f"{name}.{field}", get(value, field), kind, True)
            for field, kind in _BLOCK_FIELDS[name]
        ]
    if name == "bearer_token_file":
        return [(name, value, "secret", True)]
    if name == "oauth2":
        return _oauth2_nodes(value)
    if name == "tls_config":
        return _tls_nodes(name, value)
    if name == "http_headers":
        return [
            (f"http_headers.{header.value}.files[{index}]", item, "secret", True)
            for header, spec in mapping_pairs(value)
            for index, item in enumerate(items(get(spec, "files")))
        ]
    if site.kind == "remote_write" and name in _REMOTE_WRITE_FIELDS:
        return [
            (".".join((name, *keys)), _dig(value, keys), kind, False)
            for keys, kind in _REMOTE_WRITE_FIELDS[name]
        ]
    return []


def _oauth2_nodes(oauth2: Node) -> list[FieldNode]:
    # OAuth2.SetDirectory joins client_secret_file and tls_config, not the jwt-bearer key.
    key_file = get(oauth2, "client_certificate_key_file")
    return [
        ("oauth2.client_secret_file", get(oauth2, "client_secret_file"), "secret", True),
        ("oauth2.client_certificate_key_file", key_file, "secret", False),
        *_tls_nodes("oauth2.tls_config", get(oauth2, "tls_config")),
    ]


def _tls_nodes(prefix: str, tls: Node | None) -> list[FieldNode]:
    return [(field, get(tls, name), kind, True) for field, name, kind in _TLS_PATHS[prefix]]


def _tracing_refs(document: Document) -> Iterator[FileRef]:
    tls = get(get(document.root, "tracing"), "tls_config")
    for name, kind in _TLS_FIELDS:
        ref = _ref(get(tls, name), f"tls_config.{name}", kind, True, document, None)
        if ref is not None:
            yield ref


def _dig(node: Node | None, keys: Iterable[str]) -> Node | None:
    for key in keys:
        node = get(node, key)
    return node


def located(ref: FileRef) -> str | None:
    """Where Prometheus opens the file, as a path usable here (before --root applies); None
    when that depends on its working directory (a relative path in a field it does not join)."""
    if not ref.relative:
        return ref.text
    if not ref.joined:
        return None
    # filepath.Join cleans the result lexically, and so does normpath.
    return os.path.normpath(os.path.join(os.path.dirname(ref.document.path), ref.text))


# --- what is on disk ------------------------------------------------------------------------


class Token(NamedTuple):
    """The only claims of a JWT that are kept (and the only ones messages may show)."""

    exp: float | None
    iat: float | None
    sub: str | None


class FileState(NamedTuple):
    status: Status
    path: str  # the path examined, after following links (host path under --root)
    detail: str = ""  # "FIFO", "directory", ... or the target of a dangling link
    mode: int = 0
    uid: int = -1
    gid: int = -1
    blank: bool | None = None  # None: not read (not regular, or this process may not read it)
    token: Token | None = None


def examine(path: str, root: str | None, absolute: bool) -> FileState:
    """lstat/stat the file (following links as Prometheus would) and read it if regular."""
    if root is not None and absolute:
        walk = walk_in_root(root, path)
        if walk.status != "regular":
            return walk
        target = walk.path
    else:
        early = _follow(path)
        if early is not None:
            return early
        target = path
    try:
        info = os.stat(target)
    except OSError as error:
        return _error_state(target, error)
    if not stat.S_ISREG(info.st_mode):
        return FileState("special", target, file_type(info.st_mode))
    blank, token = read_facts(target)
    return FileState(
        "regular", target, "", stat.S_IMODE(info.st_mode), info.st_uid, info.st_gid, blank, token
    )


def _follow(path: str) -> FileState | None:
    """A state when the path is missing, dangling or a loop; None when it can be stat'ed."""
    try:
        info = os.lstat(path)
    except OSError as error:
        return _error_state(path, error)
    if not stat.S_ISLNK(info.st_mode):
        return None
    try:
        os.stat(path)
    except OSError as error:
        if _errno_name(error) == "ENOENT":
            return FileState("dangling", path, _readlink(path))
        return _error_state(path, error)
    return None


def _error_state(path: str, error: OSError) -> FileState:
    name = _errno_name(error)
    if name == "ELOOP":
        return FileState("loop", path)
    if name in ("EACCES", "EPERM"):
        return FileState("denied", path)
    return FileState("missing", path)  # ENOENT, ENOTDIR, ENAMETOOLONG, ...


def _errno_name(error: OSError) -> str:
    import errno

    return errno.errorcode.get(error.errno or 0, "")


def _readlink(path: str) -> str:
    try:
        return os.readlink(path)
    except OSError:
        return "?"


def file_type(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "directory"
    if stat.S_ISFIFO(mode):
        return "FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "device"
    return "special file"


def walk_in_root(root: str, path: str) -> FileState:
    """Follow `path` (absolute, as seen from inside `root`) as a process chrooted to `root`
    would: absolute link targets start again at `root`, `..` never leaves it. The status
    "regular" here only means found: the caller stats the path."""
    done: list[str] = []
    todo: list[tuple[str, bool]] = [(part, False) for part in reversed(path.split("/")) if part]
    hops, last_link = 0, ""
    while todo:
        part, from_link = todo.pop()
        if part in (".", ".."):
            if part == ".." and done:
                done.pop()
            continue
        host = os.path.join(root, *done, part)
        try:
            info = os.lstat(host)
        except OSError as error:
            rest = [p for p, _ in reversed(todo)]
            return _stopped(os.path.join(host, *rest), error, from_link, last_link)
        if not stat.S_ISLNK(info.st_mode):
            done.append(part)
            continue
        hops += 1
        if hops > MAX_LINKS:
            return FileState("loop", host)
        last_link = _readlink(host)
        if last_link.startswith("/"):
            done = []
        todo.extend((p, True) for p in reversed(last_link.split("/")) if p)
    return FileState("regular", os.path.join(root, *done))


def _stopped(path: str, error: OSError, from_link: bool, link: str) -> FileState:
    """The walk could not go on: a name that came from a link's target is a dangling link."""
    state = _error_state(path, error)
    if state.status == "missing" and from_link:
        return FileState("dangling", path, link)
    return state


def read_facts(path: str) -> tuple[bool | None, Token | None]:
    """(blank after trimming, JWT claims) of a regular file; (None, None) if it cannot be read."""
    data = read_bounded(path)
    if data is None:
        return None, None
    text = data.decode("utf-8", "replace")
    blank = len(data) <= READ_LIMIT and not text.strip()
    return blank, decode_jwt(text.strip())


def read_bounded(path: str) -> bytes | None:
    """At most READ_LIMIT + 1 bytes of a regular file; never blocks on a FIFO or device."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    try:
        fd = os.open(path, flags | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the stat
            return None
        chunks: list[bytes] = []
        size = 0
        while size <= READ_LIMIT:
            chunk = os.read(fd, READ_LIMIT + 1 - size)
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    except OSError:
        return None
    finally:
        os.close(fd)


# --- JSON Web Tokens ------------------------------------------------------------------------

_BASE64URL = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=")


def decode_jwt(text: str) -> Token | None:
    """The exp/iat/sub claims of a signed JWT (header.payload.signature), unverified."""
    parts = text.split(".")
    if len(parts) != 3 or not all(parts[:2]) or not all(set(p) <= _BASE64URL for p in parts):
        return None
    header, payload = _json_segment(parts[0]), _json_segment(parts[1])
    if header is None or payload is None or "alg" not in header:
        return None
    sub = payload.get("sub")
    return Token(_number(payload.get("exp")), _number(payload.get("iat")),
                 sub if isinstance(sub, str) else None)  # fmt: skip


def _json_segment(segment: str) -> dict[str, object] | None:
    import base64
    import binascii
    import json

    try:
        raw = base64.urlsafe_b64decode(segment.rstrip("=") + "=" * (-len(segment) % 4))
        value = json.loads(raw)
    except (binascii.Error, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


# --- who may read it ------------------------------------------------------------------------


class User(NamedTuple):
    uid: int
    gid: int | None
    groups: frozenset[int]
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} (uid {self.uid})" if self.name else f"uid {self.uid}"


def lookup_user(spec: str | None) -> User | None:
    """The user named by --as-user (a name or a uid), else the current one; None where the
    system has no users and modes (Windows).

    Raises LookupError for a name the user database does not know.
    """
    try:
        import pwd
    except ImportError:
        return None
    if spec is None:
        uid = os.geteuid()
        groups = frozenset({os.getegid(), *os.getgroups()})
        return User(uid, os.getegid(), groups, _user_name(uid))
    try:
        entry = pwd.getpwuid(int(spec)) if spec.isdigit() else pwd.getpwnam(spec)
    except KeyError:
        if spec.isdigit():  # a uid without an entry (an image's user): no groups known
            return User(int(spec), None, frozenset(), "")
        raise LookupError(f"--as-user {spec}: no such user") from None
    groups = frozenset(os.getgrouplist(entry.pw_name, entry.pw_gid))
    return User(entry.pw_uid, entry.pw_gid, groups | {entry.pw_gid}, entry.pw_name)


def _user_name(uid: int) -> str:
    try:
        import pwd

        return pwd.getpwuid(uid).pw_name
    except (ImportError, KeyError):
        return ""


def owner_name(uid: int) -> str:
    return _user_name(uid) or str(uid)


def group_name(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)


def permits(user: User, mode: int, uid: int, gid: int, bit: int) -> bool:
    """Whether the mode bits give `user` the permission `bit` (4 read, 1 search), as the
    kernel decides without ACLs; root may read and search anything."""
    if user.uid == 0:
        return True
    if uid == user.uid:
        return bool(mode & (bit << 6))
    if gid in user.groups:
        return bool(mode & (bit << 3))
    return bool(mode & bit)


def closed_directory(user: User, path: str, root: str | None) -> tuple[str, os.stat_result] | None:
    """The first directory above `path` that `user` may not enter (within `root`, if given)."""
    real = os.path.realpath(path) if root is None else os.path.normpath(path)
    stop = os.path.normpath(root) if root is not None else None
    directory = os.path.dirname(real)
    chain: list[str] = []
    while directory != stop:  # the root directory itself is not part of the image
        chain.append(directory)
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent
    for folder in reversed(chain):
        try:
            info = os.stat(folder)
        except OSError:
            return None
        if not permits(user, info.st_mode, info.st_uid, info.st_gid, 1):
            return folder, info
    return None


# --- git ------------------------------------------------------------------------------------


def tracked_by_config_repository(config_path: str, candidates: Iterable[str]) -> set[str]:
    """The candidates (real paths) that git tracks in the repository holding the config.

    No git, no repository, or any git error: nothing is tracked. git is started only when a
    candidate lies inside the config's work tree (found by looking for `.git` upwards).
    """
    folder = os.path.realpath(os.path.dirname(os.path.abspath(config_path)))
    near = _work_tree(folder)
    wanted = sorted(p for p in set(candidates) if near and p.startswith(near + os.sep))
    if not wanted:
        return set()
    import shutil

    git = shutil.which("git")
    top = _git(git, folder, "rev-parse", "--show-toplevel") if git else None
    if git is None or not top:
        return set()
    top = os.path.realpath(top.rstrip("\n"))
    inside = {os.path.relpath(p, top): p for p in wanted if p.startswith(top + os.sep)}
    names = sorted(inside)
    tracked: set[str] = set()
    for start in range(0, len(names), 200):
        listed = _git(git, top, "ls-files", "-z", "--", *names[start : start + 200])
        tracked.update(inside[name] for name in (listed or "").split("\0") if name in inside)
    return tracked


def _work_tree(folder: str) -> str | None:
    """The nearest directory at or above `folder` that has a `.git` entry."""
    while not os.path.lexists(os.path.join(folder, ".git")):
        parent = os.path.dirname(folder)
        if parent == folder:
            return None
        folder = parent
    return folder


def _git(git: str, folder: str, *args: str) -> str | None:
    import subprocess

    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_OPTIONAL_LOCKS": "0"}
    command = [git, "--literal-pathspecs", "-c", "core.fsmonitor=false", "-C", folder, *args]
    try:
        done = subprocess.run(
            command, capture_output=True, stdin=subprocess.DEVNULL, env=env,
            timeout=GIT_TIMEOUT, check=False,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return None
    return os.fsdecode(done.stdout) if done.returncode == 0 else None
