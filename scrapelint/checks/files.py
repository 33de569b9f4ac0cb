"""SL401-SL407: credential files on disk, checked the way Prometheus reads them."""
