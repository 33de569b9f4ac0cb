"""SL005-SL007: rules about the inline directives themselves."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from scrapelint.hit import Hit
from scrapelint.registry import directive_check, rule_ids

if TYPE_CHECKING:
    # Imported lazily below: files without directives never load the module.
    from scrapelint.suppressions import Directive, DirectiveContext


def _hit(directive: Directive, message: str, help: str) -> Hit:
    return Hit(None, message, help, document=directive.document, span=directive.span)


@directive_check("SL005")
def unknown_suppression(context: DirectiveContext) -> Iterator[Hit]:
    from scrapelint.suppressions import directive_codes

    known = set(rule_ids())
    for _, directive, code in directive_codes(context.directives):
        if code not in known:
            yield _hit(
                directive,
                f"the directive names {code}, which is not a scrapelint rule; it suppresses "
                "nothing",
                "Use a rule id from `scrapelint rules` (SL followed by three digits).",
            )


def _why_unused(directive: Directive, code: str, context: DirectiveContext) -> str | None:
    from scrapelint.suppressions import UNSUPPRESSIBLE

    if code in UNSUPPRESSIBLE:
        return f"{code} cannot be suppressed"
    if code in context.settings.locked:
        return f"{code} is locked by the settings, so directives cannot suppress it"
    if directive.expired(context.today):
        return f"the directive expired on {directive.until_text} and no longer suppresses {code}"
    return None


@directive_check("SL006")
def unused_suppression(context: DirectiveContext) -> Iterator[Hit]:
    from scrapelint.suppressions import directive_codes

    known = set(rule_ids())
    for index, directive, code in directive_codes(context.directives):
        if code not in known or code not in context.enabled:
            continue
        reason = _why_unused(directive, code, context)
        if reason is None and context.outcome.used[(index, code)] == 0:
            reason = f"the directive suppresses {code}, but there is no {code} finding there"
        if reason is not None:
            yield _hit(directive, reason, "Remove the directive or the code from it.")


@directive_check("SL007")
def suppression_without_reason(context: DirectiveContext) -> Iterator[Hit]:
    if not context.settings.require_reason:
        return
    for directive in context.directives:
        if not directive.reason:
            yield _hit(
                directive,
                "the directive gives no reason; the settings require one (require-reason)",
                "Write the reason after `--`: `# scrapelint: disable=SL201 -- rotated by vault`.",
            )
