"""Settings: discovery (nearest file wins), validation, and CLI overrides -> Settings.

A settings file is `.scrapelint.yaml` (or `.yml`) or a `[tool.scrapelint]` table in
`pyproject.toml`, found by walking up from each linted file. jsonschema is imported only when a
settings file exists, so a plain run does not pay for it.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple

from scrapelint import document as doc_mod
from scrapelint.defaults import FilesMode, LintOptions
from scrapelint.findings import Severity

SETTINGS_NAMES = (".scrapelint.yaml", ".scrapelint.yml", "pyproject.toml")


class SettingsError(Exception):
    """A settings file that cannot be used; the message names the file, key and position."""


@dataclass(frozen=True)
class Settings:
    """Resolved settings for one linted file: rule choice, severities and lint options."""

    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    fail_on: Severity = Severity.WARNING
    locked: frozenset[str] = frozenset()
    require_reason: bool = False
    lint: LintOptions = field(default_factory=LintOptions)
    path: str | None = None

    def severity_of(self, rule_id: str, default: Severity) -> Severity:
        return dict(self.severity).get(rule_id, default)

    def ignored_here(self, file_path: str) -> tuple[str, ...]:
        """Codes that per-file-ignores disable for one linted file."""
        if not self.per_file_ignores or self.path is None:
            return ()
        base = os.path.dirname(os.path.abspath(self.path))
        relative = os.path.relpath(os.path.abspath(file_path), base).replace(os.sep, "/")
        codes: list[str] = []
        for pattern, ignored in self.per_file_ignores:
            if _glob_matches(pattern, relative):
                codes.extend(ignored)
        return tuple(codes)


class Overrides(NamedTuple):
    """What the command line says; None means "not given"."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    fail_on: Severity | None = None
    files: FilesMode | None = None
    root: str | None = None
    as_user: str | None = None
    service_account: str | None = None


def _glob_matches(pattern: str, relative: str) -> bool:
    import fnmatch

    if "/" not in pattern:
        return fnmatch.fnmatch(os.path.basename(relative), pattern)
    return fnmatch.fnmatch(relative, pattern.removeprefix("./"))


# --- discovery ------------------------------------------------------------------------------


@functools.cache
def settings_file_for(directory: str) -> str | None:
    """The nearest settings file at or above a directory (cached per directory)."""
    for name in SETTINGS_NAMES:
        candidate = os.path.join(directory, name)
        if os.path.isfile(candidate) and (name != "pyproject.toml" or _has_table(candidate)):
            return candidate
    parent = os.path.dirname(directory)
    return None if parent == directory else settings_file_for(parent)


def _has_table(pyproject: str) -> bool:
    try:
        with open(pyproject, encoding="utf-8") as stream:
            return "[tool.scrapelint" in stream.read()
    except (OSError, UnicodeDecodeError):
        return False


def resolve(linted_file: str, overrides: Overrides, config: str | None, isolated: bool) -> Settings:
    """Settings for one linted file: CLI > --config file or nearest file > defaults."""
    if isolated:
        path = None
    elif config is not None:
        path = config
    else:
        path = settings_file_for(os.path.dirname(os.path.abspath(linted_file)))
    base = load(path) if path is not None else Settings()
    return apply_overrides(base, overrides)


def apply_overrides(settings: Settings, overrides: Overrides) -> Settings:
    changes: dict[str, Any] = {}
    if overrides.select is not None:
        # Choosing rules on the command line replaces the file's whole choice.
        changes["select"] = overrides.select
        changes["ignore"] = overrides.ignore or ()
    elif overrides.ignore is not None:
        changes["ignore"] = (*settings.ignore, *overrides.ignore)
    if overrides.fail_on is not None:
        changes["fail_on"] = overrides.fail_on
    lint_changes: dict[str, Any] = {
        name: value
        for name, value in (
            ("files", overrides.files),
            ("root", overrides.root),
            ("as_user", overrides.as_user),
            ("service_account", overrides.service_account),
        )
        if value is not None
    }
    if lint_changes:
        changes["lint"] = replace(settings.lint, **lint_changes)
    return replace(settings, **changes) if changes else settings


# --- loading and validation -------------------------------------------------------------------


@functools.cache
def load(path: str) -> Settings:
    raw, locate = _read(path)
    fingerprint = _fingerprint(raw)
    if not _validated_before(fingerprint):
        _validate(raw, path, locate)
        _remember_valid(fingerprint)
    return _build(raw, path)


# Importing jsonschema costs more than a whole lint of a small config, so a settings content that
# validated once is remembered (by hash, with the schema and the catalogue) and not checked again.


def _cache_file() -> str:
    base = os.environ.get("SCRAPELINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "scrapelint"
    )
    return os.path.join(base, "valid-settings")


def _fingerprint(raw: dict[str, Any]) -> str:
    import hashlib
    import json

    from scrapelint import __version__
    from scrapelint.registry import rule_ids

    with open(_schema_path(), "rb") as stream:
        schema = stream.read()
    content = json.dumps([__version__, rule_ids(), raw], sort_keys=True, default=str).encode()
    return hashlib.sha256(schema + b"\0" + content).hexdigest()


def _validated_before(fingerprint: str) -> bool:
    try:
        with open(_cache_file(), encoding="ascii") as stream:
            return fingerprint in stream.read().split()
    except (OSError, UnicodeDecodeError):
        return False


def _remember_valid(fingerprint: str) -> None:
    path = _cache_file()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "a", encoding="ascii") as stream:
            stream.write(fingerprint + "\n")
    except OSError:
        pass  # a read-only home only costs the next run a validation


def _schema_path() -> str:
    return os.path.join(os.path.dirname(__file__), "schemas", "settings.schema.json")


def _read(path: str) -> tuple[dict[str, Any], Any]:
    try:
        with open(path, encoding="utf-8") as stream:
            text = stream.read()
    except (OSError, UnicodeDecodeError) as error:
        raise SettingsError(f"{path}: cannot read settings: {error}") from None
    if os.path.basename(path) == "pyproject.toml":
        return _read_pyproject(path, text)
    return _read_yaml(path, text)


def _read_pyproject(path: str, text: str) -> tuple[dict[str, Any], Any]:
    import tomllib

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"{path}: invalid TOML: {error}") from None
    table = data.get("tool", {}).get("scrapelint", {})
    if not isinstance(table, dict):
        raise SettingsError(f"{path}: [tool.scrapelint] must be a table")

    def locate(keys: list[str | int], at_key: bool = False) -> str:
        # tomllib keeps no positions: find the key's line inside the [tool.scrapelint] tables.
        wanted = next((k for k in reversed(keys) if isinstance(k, str)), None)
        inside = False
        for number, line in enumerate(text.splitlines(), start=1):
            if line.startswith("["):
                inside = line.startswith("[tool.scrapelint")
            key = re.match(r"\s*\"?([^\"=\s]+)\"?\s*=", line)
            if inside and wanted and key and key.group(1) == wanted:
                return f"{path}:{number}"
        return path

    return table, locate


def _read_yaml(path: str, text: str) -> tuple[dict[str, Any], Any]:
    parsed = doc_mod.parse(path, text)
    if parsed.problem is not None:
        span = parsed.problem.span
        raise SettingsError(
            f"{path}:{span.line}:{span.column}: invalid YAML: {parsed.problem.message}"
        )
    if parsed.duplicates:
        key = parsed.duplicates[0].key
        raise SettingsError(f"{path}:{key.start_mark.line + 1}: key {key.value!r} is given twice")
    import yaml

    data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)) or {}
    if not isinstance(data, dict):
        raise SettingsError(f"{path}:1:1: settings must be a mapping of keys to values")

    def locate(keys: list[str | int], at_key: bool = False) -> str:
        node, last_key = parsed.root, None
        for key in keys:
            child = doc_mod.get(node, key) if isinstance(key, str) else _item(node, key)
            if child is None:
                break
            last_key = doc_mod.get_key(node, key) if isinstance(key, str) else child
            node = child
        target = last_key if at_key or node is None else node
        if target is None:
            return path
        span = doc_mod.span_of(target)
        return f"{path}:{span.line}:{span.column}"

    return data, locate


def _item(node: Any, index: int) -> Any:
    values = doc_mod.items(node)
    return values[index] if 0 <= index < len(values) else None


def _validate(raw: dict[str, Any], path: str, locate: Any) -> None:
    import json

    import jsonschema

    with open(_schema_path(), encoding="utf-8") as stream:
        schema = json.load(stream)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(raw), key=lambda e: list(e.absolute_path))
    if errors:
        error = errors[0]
        keys = list(error.absolute_path)
        unknown = _unknown_key(error)
        where = locate([*keys, unknown], at_key=True) if unknown else locate(keys)
        name = ".".join(str(k) for k in [*keys, unknown] if k is not None) or "settings"
        raise SettingsError(f"{where}: {name}: {_describe(error)}")
    _check_rule_codes(raw, locate)


def _unknown_key(error: Any) -> str | None:
    if error.validator == "additionalProperties":
        match = re.search(r"'([^']+)' was unexpected", error.message)
        return match.group(1) if match else None
    return None


def _describe(error: Any) -> str:
    if error.validator == "additionalProperties":
        return "unknown key (see the settings section of the README for the valid ones)"
    if error.validator == "enum":
        return f"must be one of {', '.join(map(str, error.validator_value))}"
    if error.validator == "pattern":
        return f"{error.instance!r} is not a rule id or prefix such as SL101 or SL1"
    return str(error.message)


def _check_rule_codes(raw: dict[str, Any], locate: Any) -> None:
    from scrapelint.registry import rule_ids

    known = rule_ids()
    lists: list[tuple[list[str | int], list[str]]] = [
        ([key], raw.get(key, [])) for key in ("select", "ignore", "locked")
    ]
    lists.extend(
        (["per-file-ignores", glob], codes)
        for glob, codes in raw.get("per-file-ignores", {}).items()
    )
    lists.append((["severity"], list(raw.get("severity", {}))))
    for keys, codes in lists:
        for index, code in enumerate(codes):
            if not any(rule_id.startswith(code) for rule_id in known):
                name = ".".join(str(k) for k in keys)
                severity = keys[0] == "severity"
                where = locate([*keys, code] if severity else [*keys, index], at_key=severity)
                raise SettingsError(f"{where}: {name}: {code!r} matches no rule")


def from_mapping(raw: dict[str, Any], path: str | None = None) -> Settings:
    """Settings from an already validated mapping (a settings file's content)."""
    return _build(raw, path)


def _build(raw: dict[str, Any], path: str | None) -> Settings:
    lint = LintOptions(
        secured_ports=_ports(raw, "secured-ports", LintOptions.secured_ports),
        tls_ports=_ports(raw, "tls-ports", LintOptions.tls_ports),
        plain_ports=_ports(raw, "plain-ports", LintOptions.plain_ports),
        secured_job_patterns=tuple(raw.get("secured-job-patterns", ())),
        token_expiry_days=raw.get("token-expiry-days", LintOptions.token_expiry_days),
        expand_env=raw.get("expand-env", False),
        files=raw.get("files", LintOptions.files),
        root=raw.get("root"),
    )
    return Settings(
        select=tuple(raw.get("select", ())),
        ignore=tuple(raw.get("ignore", ())),
        per_file_ignores=tuple((g, tuple(c)) for g, c in raw.get("per-file-ignores", {}).items()),
        severity=tuple((r, Severity.parse(s)) for r, s in sorted(raw.get("severity", {}).items())),
        fail_on=Severity.parse(raw.get("fail-on", "warning")),
        locked=frozenset(raw.get("locked", ())),
        require_reason=raw.get("require-reason", False),
        lint=lint,
        path=path,
    )


def _ports(raw: dict[str, Any], key: str, default: frozenset[int]) -> frozenset[int]:
    return frozenset(raw[key]) if key in raw else default
