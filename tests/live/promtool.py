"""Running `promtool check config` on a config text and classifying what it says.

promtool does more than load the file: it also checks that rule files, scrape jobs'
`authorization.credentials_file` / `bearer_token_file` and TLS `cert_file` / `key_file` exist.
Those checks say nothing about whether Prometheus refuses the config (the server starts with the
files missing), and our configs name deployment paths such as `/etc/prometheus/secrets/token`.
So each config runs in a temporary directory where those files exist: relative paths are created
there, and absolute (or escaping) paths in exactly those fields are rewritten to point into it.
Every such change is recorded in `PromtoolRun.prepared`. A failure that still comes from a
missing file is classified apart (`Kind.FILE_CHECK`), never as a refusal.
"""

from __future__ import annotations

import concurrent.futures
import enum
import json
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from scrapelint.document import walk
from tests.helpers import FILES_MARKER, _make_files

Version = tuple[int, int, int]

TIMEOUT_SECONDS = 30
CONFIG_NAME = "prometheus.yml"

# Fields whose files promtool stats (facts §4): scrape jobs' authorization / bearer file and
# TLS client cert/key (scrape jobs and kubernetes SD). They are rewritten wherever they occur:
# elsewhere (alertmanagers, remote_write) Prometheus does not look at them when loading.
STATTED_FIELDS = frozenset({"credentials_file", "bearer_token_file", "cert_file", "key_file"})
GLOB_CHARACTERS = frozenset("*?[")
KEPT_DANGLING = "kept the dangling symbolic link"

FAILED = re.compile(r"^\s*FAILED: ", re.MULTILINE)
UNKNOWN_FIELD = re.compile(r"^\s*line \d+: field (\S+) not found in type (\S+)\s*$")
FILE_CHECK_MESSAGES = (
    "error checking authorization credentials or bearer token file",
    "error checking client cert file",
    "error checking client key file",
    "does not point to an existing file",
    "error checking rule file",
)


# The first Prometheus release that loads each key (facts file §1-§2 and Prometheus' CHANGELOG).
# A promtool older than that rejects the key as unknown and cannot judge the rest of the file.
# Keys marked with a type are only newer there (`key` elsewhere is a typo, not a new feature).
NEWER_KEYS: dict[str, tuple[Version, str | None]] = {
    "scrape_config_files": ((2, 43, 0), None),
    "proxy_from_environment": ((2, 43, 0), None),
    "no_proxy": ((2, 43, 0), None),
    "ca": ((2, 45, 0), "config.plain"),
    "cert": ((2, 45, 0), "config.plain"),
    "key": ((2, 45, 0), "config.plain"),
    "azuread": ((2, 45, 0), None),
    "sigv4": ((2, 48, 0), "config.AlertmanagerConfig"),
    "username_file": ((2, 49, 0), None),
    "http_headers": ((2, 53, 0), None),
    "username_ref": ((2, 53, 0), None),
    "password_ref": ((2, 53, 0), None),
    "credentials_ref": ((2, 53, 0), None),
    "client_secret_ref": ((2, 53, 0), None),
    "ca_ref": ((2, 53, 0), None),
    "cert_ref": ((2, 53, 0), None),
    "key_ref": ((2, 53, 0), None),
    "google_iam": ((2, 55, 0), None),
    "stackit_sd_configs": ((3, 5, 0), None),
    "aws_sd_configs": ((3, 8, 0), None),
    "ecs_sd_configs": ((3, 8, 0), None),
    "grant_type": ((3, 8, 0), "config.OAuth2"),
    "client_certificate_key": ((3, 8, 0), "config.OAuth2"),
    "client_certificate_key_file": ((3, 8, 0), "config.OAuth2"),
    "client_certificate_key_ref": ((3, 8, 0), "config.OAuth2"),
    "client_certificate_key_id": ((3, 8, 0), "config.OAuth2"),
    "signature_algorithm": ((3, 8, 0), "config.OAuth2"),
    "msk_sd_configs": ((3, 10, 0), None),
    "rds_sd_configs": ((3, 11, 0), None),
    "elasticache_sd_configs": ((3, 11, 0), None),
    "outscale_sd_configs": ((3, 12, 0), None),
    "oci_sd_configs": ((3, 14, 0), None),
}


def newer(name: str, type_name: str, version: Version) -> bool:
    """Whether `name` (in Go type `type_name`) is a key that `version` is too old to know."""
    entry = NEWER_KEYS.get(name)
    if entry is None:
        return False
    since, only_in = entry
    return version < since and (only_in is None or only_in == type_name)


class Kind(enum.Enum):
    ACCEPTS = "accepts"
    REFUSES = "refuses"
    # Loading succeeded; promtool's own existence check of a file failed.
    FILE_CHECK = "file-check"
    # The only problem is a discovery mechanism this promtool build leaves out.
    OUT_OF_REACH = "out-of-reach"
    # The only problems are fields this promtool is too old to know.
    UNKNOWN_FIELDS = "unknown-fields"


@dataclass(frozen=True)
class Case:
    """One config to compare.

    `path`: the file it was read from, when it is a real file (scrape_config_files resolve
    against it); `siblings`: a directory whose other files the config may name;
    `create_missing`: make the files promtool stats exist (False keeps them missing).
    """

    id: str
    text: str
    path: str | None = None
    siblings: Path | None = None
    create_missing: bool = True


@dataclass(frozen=True)
class PromtoolRun:
    returncode: int
    stdout: str
    stderr: str
    prepared: tuple[str, ...] = ()

    @property
    def kept_missing(self) -> bool:
        """Whether a file promtool stats was left missing on purpose (a dangling link the
        config's `# files:` marker makes: what the config is about)."""
        return any(note.startswith(KEPT_DANGLING) for note in self.prepared)

    @property
    def failure(self) -> str:
        """The text after promtool's `FAILED: ` (with its continuation lines), or ''."""
        match = FAILED.search(self.stderr)
        return self.stderr[match.end() :].strip() if match else ""


@dataclass(frozen=True)
class Verdict:
    kind: Kind
    message: str = ""
    # For UNKNOWN_FIELDS and OUT_OF_REACH: (field, Go type) pairs promtool did not know.
    unknown: tuple[tuple[str, str], ...] = field(default=())


def unknown_fields(failure: str) -> tuple[tuple[str, str], ...] | None:
    """(field, type) pairs when the failure consists of unknown-field errors only, else None."""
    head, _, rest = failure.partition("\n")
    if not head.endswith("yaml: unmarshal errors:"):
        return None
    pairs: list[tuple[str, str]] = []
    for line in rest.splitlines():
        match = UNKNOWN_FIELD.match(line)
        if match is None:
            return None
        pairs.append((match.group(1), match.group(2)))
    return tuple(pairs) or None


def classify(run: PromtoolRun, missing_discovery: frozenset[str]) -> Verdict:
    """What promtool said, in the terms of the comparison.

    `missing_discovery`: the `<name>_sd_configs` keys this build leaves out.
    """
    if run.returncode == 0:
        return Verdict(Kind.ACCEPTS)
    failure = run.failure
    if run.returncode != 1 or not failure:
        raise AssertionError(f"promtool crashed (exit {run.returncode}): {run.stderr.strip()}")
    if any(message in failure for message in FILE_CHECK_MESSAGES):
        return Verdict(Kind.FILE_CHECK, failure)
    pairs = unknown_fields(failure)
    if pairs is not None:
        if any(name in missing_discovery for name, _ in pairs):
            return Verdict(Kind.OUT_OF_REACH, failure, pairs)
        return Verdict(Kind.UNKNOWN_FIELDS, failure, pairs)
    return Verdict(Kind.REFUSES, failure)


def run(case: Case, promtool: str) -> PromtoolRun:
    """promtool on the case's text, in a fresh directory where the files it stats exist."""
    with tempfile.TemporaryDirectory(prefix="scrapelint-promtool-") as folder:
        workdir = Path(folder)
        text, prepared = prepare(case, workdir)
        (workdir / CONFIG_NAME).write_text(text, encoding="utf-8")
        try:
            done = subprocess.run(
                [promtool, "check", "config", CONFIG_NAME],
                cwd=workdir,
                capture_output=True,
                text=True,
                timeout=TIMEOUT_SECONDS,
                check=False,
                env={**os.environ, "LC_ALL": "C"},
            )
        except subprocess.TimeoutExpired:
            raise AssertionError(
                f"promtool took more than {TIMEOUT_SECONDS}s on {case.id}"
            ) from None
        return PromtoolRun(done.returncode, done.stdout, done.stderr, tuple(prepared))


def run_all(cases: Iterable[Case], promtool: str) -> dict[str, PromtoolRun]:
    """One promtool process per case, a few at a time."""
    todo = list(cases)
    workers = max(2, min(8, (os.cpu_count() or 2) * 2))
    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
        results = pool.map(lambda case: run(case, promtool), todo)
        return {case.id: result for case, result in zip(todo, results, strict=True)}


def prepare(case: Case, workdir: Path) -> tuple[str, list[str]]:
    """Make the files promtool stats exist in `workdir`; return the text to check and notes."""
    notes: list[str] = []
    marker = FILES_MARKER.search(case.text)
    if marker:
        _make_files(str(workdir), json.loads(marker.group(1)))
        notes.append("created the `# files:` marker's files")
    if not case.create_missing:
        return case.text, notes
    if case.siblings is not None:
        for sibling in sorted(case.siblings.iterdir()):
            if sibling.is_file() and not sibling.name.endswith((".yml", ".yaml")):
                (workdir / sibling.name).write_bytes(sibling.read_bytes())
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    try:
        # Prometheus reads the first document only.
        root = next(iter(yaml.compose_all(case.text, Loader=loader)), None)
    except (yaml.YAMLError, RecursionError):
        return case.text, notes
    if root is None:
        return case.text, notes
    edits: dict[int, tuple[int, str]] = {}
    for node, kind in _file_nodes(root):
        value = node.value
        if not value or "\n" in value or "\0" in value:
            continue
        if kind == "rule" and GLOB_CHARACTERS & set(value):
            continue
        target = _inside(workdir, value)
        if target is None:
            if node.style in ("|", ">") or case.text[node.start_mark.index] in "&!*":
                continue  # a block scalar, an anchor or a tag: not rewritten (stays missing)
            target = workdir / "_absolute" / os.path.normpath(value).lstrip("/").replace("..", "_")
            edits[node.start_mark.index] = (node.end_mark.index, json.dumps(str(target)))
            notes.append(f"rewrote {kind} path {value!r} into the temporary directory")
        if os.path.islink(target) and not os.path.exists(target):
            notes.append(f"{KEPT_DANGLING} {value!r}")
            continue
        if not os.path.lexists(target):
            try:
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("groups: []\n" if kind == "rule" else "placeholder\n")
            except OSError:
                continue
            notes.append(f"created {kind} file {value!r}")
    text = case.text
    for start in sorted(edits, reverse=True):
        end, replacement = edits[start]
        text = text[:start] + replacement + text[end:]
    return text, notes


def _inside(workdir: Path, value: str) -> Path | None:
    """The path `value` names relative to workdir, when it stays inside it."""
    if os.path.isabs(value):
        return None
    target = Path(os.path.normpath(workdir / value))
    return target if target.is_relative_to(workdir) and target != workdir else None


def _file_nodes(root: Node) -> Iterator[tuple[ScalarNode, str]]:
    """Scalars naming files promtool stats: ("rule" | "secret")."""
    if isinstance(root, MappingNode):
        for key, value in root.value:
            if (
                isinstance(key, ScalarNode)
                and key.value == "rule_files"
                and isinstance(value, SequenceNode)
            ):
                for item in value.value:
                    if isinstance(item, ScalarNode):
                        yield item, "rule"
    for node, _ in walk(root):
        if isinstance(node, MappingNode):
            for key, value in node.value:
                if (
                    isinstance(key, ScalarNode)
                    and key.value in STATTED_FIELDS
                    and isinstance(value, ScalarNode)
                ):
                    yield value, "secret"
