"""Rule logic, grouped by area; importing this package registers every check."""

from scrapelint.checks import auth, document, kubernetes, secrets, structure, transport

__all__ = ["auth", "document", "kubernetes", "secrets", "structure", "transport"]
