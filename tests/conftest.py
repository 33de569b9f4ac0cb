from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SHARED


@pytest.fixture(autouse=True)
def _private_cache(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Settings validations are cached per user; tests must not share or leave that cache.
    monkeypatch.setenv("SCRAPELINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def shared() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is absent (CI lays shared/ beside the checkout)")
    return SHARED


@pytest.fixture
def git() -> str:
    found = shutil.which("git")
    if found is None:
        pytest.skip("git is not installed")
    return found
