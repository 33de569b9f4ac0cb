"""Every tunable default of the rules, in one place (settings files override them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FilesMode = Literal["off", "auto", "strict"]

# kubelet, kube-apiserver, kube-controller-manager, kube-scheduler, etcd
SECURED_PORTS: frozenset[int] = frozenset({10250, 6443, 10257, 10259, 2379})
TLS_PORTS: frozenset[int] = frozenset({443, 2379, 6443, 8443, 10250, 10257, 10259})
# 10255 is the kubelet's read-only port, 4194 the old standalone cAdvisor port.
PLAIN_PORTS: frozenset[int] = frozenset({80, 4194, 10255})
KUBELET_PORT = 10250
KUBELET_METRICS_PATHS: tuple[str, ...] = (
    "/metrics/cadvisor",
    "/metrics/resource",
    "/metrics/probes",
)
TOKEN_EXPIRY_DAYS = 7
# A config is split between processes (sharding.py) only into parts of at least this many
# characters: a smaller part costs more in the second process' start than it saves.
MIN_SHARD_CHARS = 256 * 1024


@dataclass(frozen=True)
class LintOptions:
    """What the rules assume about the Prometheus host and cluster, from settings and flags."""

    secured_ports: frozenset[int] = SECURED_PORTS
    tls_ports: frozenset[int] = TLS_PORTS
    plain_ports: frozenset[int] = PLAIN_PORTS
    secured_job_patterns: tuple[str, ...] = ()
    token_expiry_days: int = TOKEN_EXPIRY_DAYS
    expand_env: bool = False
    files: FilesMode = "auto"
    # Read absolute credential-file paths under this directory (--root).
    root: str | None = None
    # Judge file readability as this user (name or uid) instead of the current one (--as-user).
    as_user: str | None = None
    # NAMESPACE:NAME of the ServiceAccount Prometheus runs as (--service-account); wins over
    # what the manifests say, since only it can choose between two Prometheus deployments.
    service_account: str | None = None
