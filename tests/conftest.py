from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.helpers import SHARED


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
