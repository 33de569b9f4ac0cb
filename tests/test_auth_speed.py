"""The shortcuts taken by the checks of auth.py for speed agree with the tests they replace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scrapelint.checks.auth import _may_hold_placeholder, _sends_credentials
from scrapelint.credentials import credential_keys
from scrapelint.document import parse
from scrapelint.prometheus import build
from tests.test_fuzz import FUZZ, config_texts

FIXTURES = sorted((Path(__file__).parent / "fixtures").glob("SL*/*.y*ml"))
tricky_text = st.text(st.sampled_from([*"${}%<>xX\n\t aAB_1:@/", "\u00a0", "é", "\u212a"]))


@settings(max_examples=400, deadline=None, derandomize=True, database=None)
@given(tricky_text)
def test_placeholder_sign_test_matches_the_pattern_it_replaces(text: str) -> None:
    assert _may_hold_placeholder(text) == bool(re.search(r"[<${%]|[xX]{5}", text))


def test_only_x_and_capital_x_lower_to_a_text_holding_x() -> None:
    # What makes `"xxxxx" in text.lower()` find exactly the runs of five [xX].
    holders = [c for c in map(chr, range(0x110000)) if "x" in c.lower()]
    assert holders == ["X", "x"]


def _assert_credential_shortcut_agrees(text: str) -> None:
    for site in build(parse("config.yml", text)).sites:
        assert _sends_credentials(site) == bool(credential_keys(site)), site.label


@pytest.mark.parametrize("path", FIXTURES, ids=lambda path: f"{path.parent.name}/{path.name}")
def test_credential_shortcut_agrees_on_fixtures(path: Path) -> None:
    _assert_credential_shortcut_agrees(path.read_text(encoding="utf-8"))


@FUZZ
@given(config_texts())
def test_credential_shortcut_agrees_on_generated_configs(text: str) -> None:
    _assert_credential_shortcut_agrees(text)
