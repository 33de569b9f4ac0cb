"""Finding `promtool` and `prometheus`: skip where they are absent, except in CI, where fail."""

from __future__ import annotations

import functools
import os
import re
import shutil
import subprocess

import pytest

# .ci/run sets this; GitHub Actions and GitLab CI set CI=true.
REQUIRE_ENV = "SCRAPELINT_REQUIRE_PROMETHEUS"
INSTALL_HINT = "Debian package `prometheus`; .ci/run installs it"


def required() -> bool:
    """In CI the binaries must be there: a missing one is a failure, never a skip."""
    return os.environ.get(REQUIRE_ENV) == "1" or os.environ.get("CI", "").lower() in {"1", "true"}


def find(name: str) -> str:
    """Absolute path of `name`, or skip (fail in CI) saying why."""
    found = shutil.which(name)
    if found is None:
        message = f"`{name}` is not installed ({INSTALL_HINT})"
        if required():
            pytest.fail(f"{message}, and {REQUIRE_ENV}=1 or CI=true says it must be")
        pytest.skip(message)
    return found


@functools.cache
def version(binary: str) -> tuple[int, int, int]:
    """(major, minor, patch) from `<binary> --version` (`promtool, version 2.42.0+ds ...`)."""
    done = subprocess.run(
        [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
    )
    match = re.search(r"version (\d+)\.(\d+)\.(\d+)", done.stdout + done.stderr)
    if match is None:
        raise RuntimeError(f"cannot read the version of {binary}: {done.stdout}{done.stderr}")
    major, minor, patch = (int(part) for part in match.groups())
    return major, minor, patch


def version_text(numbers: tuple[int, int, int]) -> str:
    return ".".join(str(n) for n in numbers)
