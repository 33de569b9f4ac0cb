"""Rule logic, grouped by area; importing this package registers every check."""

from scrapelint.checks import auth, document, kubernetes, structure

__all__ = ["auth", "document", "kubernetes", "structure"]
