"""SL401-SL407: credential files on disk, checked the way Prometheus reads them.

Modes (`--files`, DESIGN §5): `off` checks nothing; `auto` checks the files that exist and
reports a missing file only when its path is relative (part of the repository's layout);
`strict` also reports missing absolute paths and files this process cannot examine.
"""

from __future__ import annotations

import time
import weakref
from collections.abc import Iterator
from typing import NamedTuple

from scrapelint import credential_files as cf
from scrapelint.checks.auth import placeholder_in
from scrapelint.engine import CheckContext, Hit
from scrapelint.findings import Severity
from scrapelint.registry import check

DAY = 86400.0


class Found(NamedTuple):
    """Where a file was looked for and what is there: one per path as a config file writes it
    (and whether Prometheus joins it to that file's directory), shared by every reference that
    spells it so (large configs name the same few files thousands of times)."""

    path: str | None  # None: it depends on Prometheus' working directory (SL407)
    state: cf.FileState | None


Checked = tuple[cf.FileRef, Found]  # a file reference and what was found at its file

_SURVEYS: weakref.WeakKeyDictionary[CheckContext, list[Checked]] = weakref.WeakKeyDictionary()


def _survey(context: CheckContext) -> list[Checked]:
    """Every file reference of the config, examined once per run of the checks."""
    if context.options.files == "off":
        return []
    found = _SURVEYS.get(context)
    if found is None:
        found = _SURVEYS[context] = _examine_all(context)
    return found


def _examine_all(context: CheckContext) -> list[Checked]:
    root = context.options.root
    seen: dict[tuple[str, str, bool], Found | None] = {}
    checked: list[Checked] = []
    for ref in cf.file_refs(context.config):
        key = (ref.document.path, ref.text, ref.joined)
        if key in seen:
            found = seen[key]
        else:
            found = seen[key] = _look(ref, root)
        if found is not None:
            checked.append((ref, found))
    return checked


def _look(ref: cf.FileRef, root: str | None) -> Found | None:
    """What is at the file; None for a path with a placeholder, which is SL109's finding
    (the real path is not known)."""
    if placeholder_in(ref.text):
        return None
    path = cf.located(ref)
    if path is None:
        return Found(None, None)
    return Found(path, cf.examine(path, root, not ref.relative))


def _hit(ref: cf.FileRef, message: str, help: str, severity: Severity | None = None) -> Hit:
    scope = ref.site.node if ref.site is not None else None
    document = ref.site.document if ref.site is not None else ref.document
    return Hit(ref.node, message, help, document=document, scope=scope, severity=severity)


def _name(ref: cf.FileRef) -> str:
    return f'{ref.owner}: {ref.field} "{ref.text}"'


def _where(ref: cf.FileRef, found: Found) -> str:
    """The path looked at, when it differs from the one written in the config."""
    shown = found.state.path if found.state is not None else found.path
    return f" (looked for {shown})" if shown and shown != ref.text else ""


def _is_tls(ref: cf.FileRef) -> bool:
    return "tls_config." in ref.field or ref.field.startswith("azuread.certificate")


def _consequence(ref: cf.FileRef) -> str:
    discovery = ref.site is not None and ref.site.kind == "sd"
    if discovery:
        return "Prometheus loads the config but discovery fails, so the job finds no targets"
    if _is_tls(ref):
        return "Prometheus loads the config but cannot build this client, which is skipped"
    return "Prometheus loads the config and every request that needs the file fails"


# --- SL401 ----------------------------------------------------------------------------------


@check("SL401")
def credential_file_missing(context: CheckContext) -> Iterator[Hit]:
    strict = context.options.files == "strict"
    for ref, found in _survey(context):
        state = found.state
        if state is None:
            continue
        if state.status == "dangling":
            yield _hit(
                ref,
                f"{_name(ref)} is a symbolic link to {state.detail}, which does not exist"
                f"{_where(ref, found)}; {_consequence(ref)}",
                "Point the link at the real file (for a Kubernetes Secret volume, check that "
                "the Secret has this key), or fix the path.",
            )
        elif state.status == "missing" and (strict or ref.relative):
            base = " (relative paths are resolved against the directory of the config file)"
            yield _hit(
                ref,
                f"{_name(ref)} does not exist{_where(ref, found)}; {_consequence(ref)}",
                "Create the file (mode 0600, owned by the Prometheus user) or fix the path"
                + (base if ref.relative else "")
                + ".",
            )


# --- SL402 ----------------------------------------------------------------------------------


def _permission_problems(mode: int) -> list[str]:
    problems = []
    if mode & 0o004:
        problems.append("readable by every local user")
    if mode & 0o002:
        problems.append("writable by every local user")
    if mode & 0o001 and not mode & 0o006:
        problems.append("accessible to every local user")
    if mode & 0o020:
        problems.append("writable by its group")
    return problems


def _permissions_verdict(mode: int, uid: int) -> tuple[str, str] | None:
    """(what is wrong, how to fix it) for a secret file's mode; None when the mode is fine."""
    problems = _permission_problems(mode)
    if not problems:
        return None
    wanted = 0o640 if mode & 0o040 else 0o600
    return (
        f"has mode {mode:04o} (owner {cf.owner_name(uid)}): the secret is {' and '.join(problems)}",
        f"Set mode {wanted:04o} (`chmod {wanted:o} FILE`) and make the user Prometheus runs "
        "as its owner (or give mode 0640 and the Prometheus group); in Kubernetes, set the "
        "Secret volume's defaultMode to 0440 or 0400.",
    )


@check("SL402")
def credential_file_permissions(context: CheckContext) -> Iterator[Hit]:
    # Thousands of references share a few files: one verdict (and owner lookup) per mode.
    verdicts: dict[tuple[int, int], tuple[str, str] | None] = {}
    for ref, found in _survey(context):
        state = found.state
        if state is None or state.status != "regular" or ref.kind != "secret":
            continue
        key = (state.mode, state.uid)
        if key not in verdicts:
            verdicts[key] = _permissions_verdict(state.mode, state.uid)
        verdict = verdicts[key]
        if verdict is not None:
            yield _hit(ref, f"{_name(ref)} {verdict[0]}", verdict[1])


# --- SL403 ----------------------------------------------------------------------------------


def _empty_outcome(ref: cf.FileRef) -> str:
    if _is_tls(ref):
        return "no certificate or key can be loaded from it, so the client is never built"
    if ref.field.endswith("username_file"):
        return "Prometheus sends an empty username and the target answers 401 Unauthorized"
    if ref.kind == "secret" and ref.joined:
        return "Prometheus sends an empty credential and the target answers 401 Unauthorized"
    return "it holds nothing to authenticate with"


@check("SL403")
def credential_file_empty(context: CheckContext) -> Iterator[Hit]:
    for ref, found in _survey(context):
        state = found.state
        if state is None or state.status != "regular" or not state.blank:
            continue
        yield _hit(
            ref,
            f"{_name(ref)} is empty once Prometheus trims its whitespace; {_empty_outcome(ref)}",
            "Write the secret into the file (a trailing newline is fine: Prometheus trims it), "
            "or fix the path.",
        )


# --- SL404 ----------------------------------------------------------------------------------


def _claims(token: cf.Token) -> str:
    assert token.exp is not None
    try:
        when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(token.exp))
        shown = f"exp {int(token.exp)} = {when}"
    except (OverflowError, OSError, ValueError):
        shown = f"exp {token.exp:g}"
    sub = token.sub
    if sub is not None and sub.isprintable() and 0 < len(sub) <= 120:
        shown += f', sub "{sub}"'
    return shown


def _expiry_message(ref: cf.FileRef, token: cf.Token, now: float, days: int) -> str | None:
    exp = token.exp
    if exp is None:
        return None  # a token without exp (legacy service-account tokens) does not expire
    if exp <= now:
        return (
            f"{_name(ref)} holds a JWT that has expired ({_claims(token)}); every request "
            "sending it is answered 401 Unauthorized"
        )
    window = days * DAY
    short_lived = token.iat is not None and exp - token.iat <= window
    if exp - now > window or short_lived:  # short-lived tokens are rotated by their issuer
        return None
    left = int((exp - now) // DAY)
    span = "less than a day" if left == 0 else f"{left} day" + ("s" if left != 1 else "")
    return (
        f"{_name(ref)} holds a JWT that expires in {span} ({_claims(token)}), within "
        f"token-expiry-days ({days}); after that, requests are answered 401"
    )


@check("SL404")
def token_expired(context: CheckContext) -> Iterator[Hit]:
    now = time.time()
    days = context.options.token_expiry_days
    for ref, found in _survey(context):
        state = found.state
        if state is None or state.token is None or ref.kind != "secret":
            continue
        message = _expiry_message(ref, state.token, now, days)
        if message is not None:
            expired = state.token.exp is not None and state.token.exp <= now
            yield _hit(
                ref,
                message,
                "Issue a new token and write it to the file (Prometheus re-reads it on every "
                "request, no reload needed); automate the rotation.",
                None if expired else Severity.WARNING,  # expiring soon is a warning
            )


# --- SL405 ----------------------------------------------------------------------------------

_SPECIAL_OUTCOME = {
    "directory": "reading it fails with `is a directory`",
    "FIFO (named pipe)": "reading it would block until something writes to the pipe",
}


def _user(context: CheckContext) -> cf.User | None:
    try:
        return cf.lookup_user(context.options.as_user)
    except LookupError as error:
        from scrapelint.settings import SettingsError

        raise SettingsError(str(error)) from None


def _unreadable_reason(state: cf.FileState, user: cf.User, base: str | None) -> str | None:
    """Why `user` may not read a regular file; None when it may (root may read anything)."""
    if user.uid == 0:
        return None
    if not cf.permits(user, state.mode, state.uid, state.gid, 4):
        return (
            f"{user.label} may not read it (mode {state.mode:04o}, owner "
            f"{cf.owner_name(state.uid)}, group {cf.group_name(state.gid)})"
        )
    closed = cf.closed_directory(user, state.path, base)
    if closed is None:
        return None
    folder, info = closed
    return (
        f"{user.label} may not enter its directory {folder} (mode "
        f"{info.st_mode & 0o7777:04o}, owner {cf.owner_name(info.st_uid)})"
    )


def _not_a_file(state: cf.FileState | None, strict: bool) -> str | None:
    if state is None:
        return None
    if state.status == "special":
        outcome = _SPECIAL_OUTCOME.get(state.detail, "Prometheus cannot read a credential from it")
        return f"is a {state.detail}, not a regular file; {outcome} (scrapelint did not open it)"
    if state.status == "loop":
        return "is a loop of symbolic links; opening it fails"
    if state.status == "denied" and strict:
        return "cannot be examined: this process may not enter one of its directories"
    return None


@check("SL405")
def credential_file_unreadable(context: CheckContext) -> Iterator[Hit]:
    checked = _survey(context)
    strict = context.options.files == "strict"
    user = _user(context) if checked else None
    root = context.options.root
    reasons: dict[tuple[str, str | None], str | None] = {}  # one verdict per file
    help = (
        "Make it a regular file that the user Prometheus runs as can read (owner, or group "
        "with mode 0640) in directories that user may enter; check with --as-user USER."
    )
    for ref, found in checked:
        state = found.state
        problem = _not_a_file(state, strict)
        if problem is not None:
            yield _hit(ref, f"{_name(ref)} {problem}", help)
            continue
        if state is None or state.status != "regular" or user is None:
            continue
        base = root if root is not None and not ref.relative else None
        key = (state.path, base)
        if key not in reasons:
            reasons[key] = _unreadable_reason(state, user, base)
        if reasons[key] is not None:
            yield _hit(ref, f"{_name(ref)} cannot be read: {reasons[key]}", help)


# --- SL406 ----------------------------------------------------------------------------------


@check("SL406")
def secret_file_in_repository(context: CheckContext) -> Iterator[Hit]:
    import os

    by_config: dict[str, list[tuple[cf.FileRef, str]]] = {}
    real_paths: dict[str, str] = {}
    for ref, found in _survey(context):
        state = found.state
        if state is not None and state.status == "regular" and ref.kind == "secret":
            real = real_paths.get(state.path) or real_paths.setdefault(
                state.path, os.path.realpath(state.path)
            )
            by_config.setdefault(ref.document.path, []).append((ref, real))
    for config_path, refs in by_config.items():
        tracked = cf.tracked_by_config_repository(config_path, (real for _, real in refs))
        for ref, real in refs:
            if real in tracked:
                yield _hit(
                    ref,
                    f"{_name(ref)} is tracked by git in the repository that holds this "
                    "config: the secret is in every clone and in the history",
                    "Stop tracking it (`git rm --cached FILE`, then list it in .gitignore), "
                    "rotate the secret (the history keeps it), and deliver the file at deploy "
                    "time (a Kubernetes Secret, Vault, your configuration management).",
                )


# --- SL407 ----------------------------------------------------------------------------------


@check("SL407")
def relative_path_not_resolved(context: CheckContext) -> Iterator[Hit]:
    for ref, found in _survey(context):
        if found.path is not None or not ref.relative:
            continue
        yield _hit(
            ref,
            f"{_name(ref)} is a relative path in a field that Prometheus does not resolve "
            "against the config file's directory: it opens it relative to its own working "
            "directory, wherever Prometheus was started",
            "Use an absolute path.",
        )
