"""Rule logic, grouped by area; importing this package registers every check."""

from scrapelint.checks import (
    auth,
    directives,
    document,
    files,
    kubernetes,
    rbac,
    secrets,
    structure,
    transport,
)

__all__ = [
    "auth",
    "directives",
    "document",
    "files",
    "kubernetes",
    "rbac",
    "secrets",
    "structure",
    "transport",
]
