"""The command line: builds options, calls the runner, renders, returns the exit code."""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NamedTuple

import click

from scrapelint import __version__

if TYPE_CHECKING:
    from scrapelint.engine import FileResult
    from scrapelint.settings import Overrides, Settings

_SEVERITIES = ("error", "warning", "note")
# Kept here, not imported from reporters, so that building the CLI imports no reporter.
OUTPUT_FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
_STANDALONE = False


def entry() -> None:
    """The CLI as a whole process (console.main calls it): one run, then exit without teardown."""
    global _STANDALONE
    _STANDALONE = True
    try:
        main()
    except Exception as error:  # a bug, not bad input: say so in one line, exit 2
        if os.environ.get("SCRAPELINT_DEBUG"):
            raise
        name = type(error).__name__
        click.echo(
            f"scrapelint: internal error: {name}; please report it "
            "(run with SCRAPELINT_DEBUG=1 for the traceback)",
            err=True,
        )
        _finish(2)


def _finish(code: int) -> None:
    if not _STANDALONE:
        sys.exit(code)
    # Tearing down the interpreter costs about as much as linting a small file; nothing is
    # left to clean up once the report is flushed (an --output file is already closed).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


def _split_codes(values: tuple[str, ...]) -> list[str]:
    return [code.strip().upper() for value in values for code in value.split(",") if code.strip()]


def _use_color(color: bool | None, output: str | None) -> bool:
    if color is not None:
        return color
    if os.environ.get("NO_COLOR") or output:
        return False
    return sys.stdout.isatty()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="scrapelint")
def main() -> None:
    """Lint Prometheus configs for the mistakes behind 401/403 scrapes and leaked secrets."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path())
@click.option(
    "--format",
    "output_format",
    default="text",
    show_default=True,
    type=click.Choice(OUTPUT_FORMATS),
    help="Output format.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    help="Write the report to FILE instead of standard output.",
)
@click.option("--select", multiple=True, metavar="CODES", help="Rule ids or prefixes to enable.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rule ids or prefixes to disable.")
@click.option(
    "--fail-on",
    type=click.Choice(_SEVERITIES),
    default=None,
    help="Lowest severity that makes the exit code 1.  [default: warning]",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--files",
    "files_mode",
    type=click.Choice(["off", "auto", "strict"]),
    default=None,
    help="How to check credential files on disk.  [default: auto]",
)
@click.option("--root", type=click.Path(file_okay=False), help="Read absolute paths under DIR.")
@click.option(
    "--as-user", metavar="USER", help="Judge credential-file readability as USER (name or uid)."
)
@click.option(
    "--service-account",
    metavar="NAMESPACE:NAME",
    help="The ServiceAccount Prometheus runs as, for the RBAC rules.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="Settings file to use instead of the nearest .scrapelint.yaml / pyproject.toml.",
)
@click.option("--isolated", is_flag=True, help="Ignore every settings file.")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Hide findings recorded in FILE.")
@click.option(
    "--update-baseline", is_flag=True, help="Write the current findings to the --baseline file."
)
@click.option("--color/--no-color", default=None, help="Colour the text output (honours NO_COLOR).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no notices.")
def check(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str | None,
    exit_zero: bool,
    files_mode: str | None,
    root: str | None,
    as_user: str | None,
    service_account: str | None,
    config: str | None,
    isolated: bool,
    baseline: str | None,
    update_baseline: bool,
    color: bool | None,
    quiet: bool,
) -> None:
    """Lint Prometheus config files, or directories searched for them."""
    from scrapelint.findings import Severity
    from scrapelint.registry import rule_ids
    from scrapelint.settings import Overrides

    if not paths:
        raise click.UsageError("give at least one file or directory to check")
    if update_baseline and not baseline:
        raise click.UsageError("--update-baseline needs --baseline FILE")
    codes = {"select": _split_codes(select), "ignore": _split_codes(ignore)}
    _reject_unknown_codes([*codes["select"], *codes["ignore"]], rule_ids())
    overrides = Overrides(
        select=tuple(codes["select"]) or None,
        ignore=tuple(codes["ignore"]) or None,
        fail_on=Severity.parse(fail_on) if fail_on else None,
        files=files_mode,  # type: ignore[arg-type]
        root=root,
        as_user=as_user,
        service_account=service_account,
    )
    run_options = _RunOptions(overrides, config, isolated, baseline, update_baseline, quiet)
    code = _run_check(list(paths), run_options, output_format, output, color)
    _finish(0 if exit_zero and code == 1 else code)


class _RunOptions(NamedTuple):
    overrides: Overrides
    config: str | None
    isolated: bool
    baseline: str | None
    update_baseline: bool
    quiet: bool


def _run_check(
    paths: list[str], options: _RunOptions, output_format: str, output: str | None,
    color: bool | None,
) -> int:  # fmt: skip
    from scrapelint import baseline as baselines
    from scrapelint.reporters import Batch, get_reporter
    from scrapelint.runner import exit_code, run
    from scrapelint.settings import SettingsError, resolve

    def settings_for(path: str) -> Settings:
        return resolve(path, options.overrides, options.config, options.isolated)

    try:
        result = run(paths, settings_for)
        results = list(result.results)
        if options.update_baseline and options.baseline:
            return _write_baseline(options.baseline, results)
        if options.baseline:
            results, hidden = baselines.without_baselined(results, baselines.load(options.baseline))
            _notice(options.quiet, f"{hidden} finding(s) hidden by the baseline {options.baseline}")
    except (SettingsError, baselines.BaselineError) as error:
        click.echo(f"scrapelint: error: {error}", err=True)
        return 2
    for message in result.errors:
        click.echo(f"scrapelint: error: {message}", err=True)
    for notice in result.notices:
        _notice(options.quiet, notice)
    batch = Batch(tuple(results), _use_color(color, output))
    _write(get_reporter(output_format)(batch), output)
    return exit_code(results, bool(result.errors), exit_zero=False)


def _notice(quiet: bool, message: str) -> None:
    if not quiet:
        click.echo(f"scrapelint: {message}", err=True)


def _write_baseline(path: str, results: list[FileResult]) -> int:
    from scrapelint import baseline as baselines

    _write(baselines.render(results), path)
    count = sum(len(result.findings) for result in results)
    click.echo(f"scrapelint: wrote {count} finding(s) to the baseline {path}", err=True)
    return 0


def _reject_unknown_codes(codes: list[str], known: list[str]) -> None:
    for code in codes:
        if not any(rule_id.startswith(code) for rule_id in known):
            raise click.BadParameter(f"{code!r} matches no rule", param_hint="--select/--ignore")


def _write(report: str, output: str | None) -> None:
    if output is None:
        click.echo(report, nl=False)
        return
    try:
        with open(output, "w", encoding="utf-8") as stream:
            stream.write(report)
    except OSError as error:
        raise click.ClickException(f"cannot write {output}: {error.strerror}") from None


@main.command()
@click.argument("rule_id")
def rule(rule_id: str) -> None:
    """Print the documentation page of one rule (by id or name)."""
    from scrapelint.registry import rules

    catalogue = rules()
    wanted = rule_id.upper() if rule_id.upper() in catalogue else rule_id
    for candidate in catalogue.values():
        if wanted in (candidate.id, candidate.name):
            click.echo(candidate.page, nl=not candidate.page.endswith("\n"))
            return
    raise click.BadParameter(
        f"no rule {rule_id!r}; `scrapelint rules` lists them", param_hint="RULE_ID"
    )


@main.command(name="rules")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@click.option(
    "--show-settings",
    is_flag=True,
    help="Also show the settings in effect here: defaults, the nearest settings file, --config.",
)
@click.option("--config", type=click.Path(dir_okay=False), help="Settings file to use.")
@click.option("--isolated", is_flag=True, help="Ignore every settings file.")
def list_rules(output_format: str, show_settings: bool, config: str | None, isolated: bool) -> None:
    """List every rule with its id, name, effective severity and title."""
    from scrapelint.registry import rules
    from scrapelint.settings import Overrides, SettingsError, resolve

    try:
        settings = resolve(os.path.join(os.getcwd(), "-"), Overrides(), config, isolated)
    except SettingsError as error:
        raise click.ClickException(str(error)) from None
    enabled = _enabled_here(settings)
    rows = [
        {
            "id": r.id,
            "name": r.name,
            "severity": settings.severity_of(r.id, r.severity).label,
            "enabled": r.id in enabled,
            "title": r.title,
            "tags": list(r.tags),
            "prometheus": r.prometheus,
            "help_uri": r.help_uri,
        }
        for r in rules().values()
    ]
    if output_format == "json":
        import json

        shown: object = (
            {"rules": rows, "settings": settings_as_dict(settings)} if show_settings else rows
        )
        click.echo(json.dumps(shown, indent=2))
        return
    for row in rows:
        state = "" if row["enabled"] else "  (disabled)"
        click.echo(f"{row['id']}  {row['name']:<38} {row['severity']:<8} {row['title']}{state}")
    if show_settings:
        click.echo("")
        for key, value in settings_as_dict(settings).items():
            click.echo(f"{key}: {value}")


def _enabled_here(settings: Settings) -> set[str]:
    from scrapelint.registry import rule_ids, select_rules

    return select_rules(rule_ids(), settings.select, settings.ignore)


def settings_as_dict(settings: Settings) -> dict[str, object]:
    """The effective settings, under the names a settings file uses."""
    lint = settings.lint
    return {
        "settings-file": settings.path or "(none: defaults)",
        "select": list(settings.select) or ["SL"],
        "ignore": list(settings.ignore),
        "per-file-ignores": {glob: list(codes) for glob, codes in settings.per_file_ignores},
        "severity": {rule_id: level.label for rule_id, level in settings.severity},
        "fail-on": settings.fail_on.label,
        "files": lint.files,
        "root": lint.root,
        "secured-ports": sorted(lint.secured_ports),
        "tls-ports": sorted(lint.tls_ports),
        "plain-ports": sorted(lint.plain_ports),
        "secured-job-patterns": list(lint.secured_job_patterns),
        "token-expiry-days": lint.token_expiry_days,
        "expand-env": lint.expand_env,
        "locked": sorted(settings.locked),
        "require-reason": settings.require_reason,
    }
