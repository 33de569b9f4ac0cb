"""The shortcuts taken by the checks of auth.py for speed agree with the tests they replace."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scrapelint.checks.auth import _may_hold_placeholder

tricky_text = st.text(st.sampled_from([*"${}%<>xX\n\t aAB_1:@/", "\u00a0", "é", "\u212a"]))


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(tricky_text)
def test_placeholder_sign_test_matches_the_pattern_it_replaces(text: str) -> None:
    assert _may_hold_placeholder(text) == bool(re.search(r"[<${%]|[xX]{5}", text))


def test_only_x_and_capital_x_lower_to_a_text_holding_x() -> None:
    # What makes `"xxxxx" in text.lower()` find exactly the runs of five [xX].
    holders = [c for c in map(chr, range(0x110000)) if "x" in c.lower()]
    assert holders == ["X", "x"]
