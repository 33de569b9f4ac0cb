"""scrapelint: find Prometheus scrape-auth mistakes before deploy."""

__version__ = "0.1.0"
