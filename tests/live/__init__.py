"""Helpers that run the real Prometheus tools: promtool for the differential tests, and a
loopback HTTP(S) server, forward proxy and `prometheus` process for the live scrapes."""
