"""The command line: builds options, calls the runner, renders, returns the exit code."""

from __future__ import annotations

import gc
import os
import sys

import click

from scrapelint import __version__

_SEVERITIES = ("error", "warning", "note")
# Kept here, not imported from reporters, so that building the CLI imports no reporter.
OUTPUT_FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab", "junit")
_STANDALONE = False


def entry() -> None:
    """The console script: the whole process belongs to one run of the CLI."""
    global _STANDALONE
    _STANDALONE = True
    # The run allocates many small objects and frees nothing early: collection is wasted work.
    gc.disable()
    main()


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
    default="warning",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option(
    "--files",
    "files_mode",
    type=click.Choice(["off", "auto", "strict"]),
    default="auto",
    show_default=True,
    help="How to check credential files on disk.",
)
@click.option("--color/--no-color", default=None, help="Colour the text output (honours NO_COLOR).")
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no notices.")
def check(
    paths: tuple[str, ...],
    output_format: str,
    output: str | None,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    exit_zero: bool,
    files_mode: str,
    color: bool | None,
    quiet: bool,
) -> None:
    """Lint Prometheus config files, or directories searched for them."""
    from scrapelint.defaults import LintOptions
    from scrapelint.findings import Severity
    from scrapelint.registry import rule_ids, select_rules
    from scrapelint.reporters import Batch, get_reporter
    from scrapelint.runner import exit_code, run

    if not paths:
        raise click.UsageError("give at least one file or directory to check")
    known = rule_ids()
    _reject_unknown_codes([*_split_codes(select), *_split_codes(ignore)], known)
    enabled = select_rules(known, _split_codes(select), _split_codes(ignore))
    options = LintOptions(files=files_mode)  # type: ignore[arg-type]
    result = run(list(paths), options, enabled)
    for message in result.errors:
        click.echo(f"scrapelint: error: {message}", err=True)
    if not quiet:
        for notice in result.notices:
            click.echo(f"scrapelint: {notice}", err=True)
    batch = Batch(result.results, _use_color(color, output), Severity.parse(fail_on))
    _write(get_reporter(output_format)(batch), output)
    _finish(exit_code(result, Severity.parse(fail_on), exit_zero))


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
def list_rules(output_format: str) -> None:
    """List every rule with its id, name, severity and title."""
    from scrapelint.registry import rules

    catalogue = rules()
    if output_format == "json":
        import json

        rows = [
            {
                "id": r.id,
                "name": r.name,
                "severity": r.severity.label,
                "title": r.title,
                "tags": list(r.tags),
                "prometheus": r.prometheus,
                "help_uri": r.help_uri,
            }
            for r in catalogue.values()
        ]
        click.echo(json.dumps(rows, indent=2))
        return
    for r in catalogue.values():
        click.echo(f"{r.id}  {r.name:<38} {r.severity.label:<8} {r.title}")
