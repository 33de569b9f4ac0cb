"""SL110: kubernetes_sd_configs client settings Prometheus refuses."""

from __future__ import annotations

from collections.abc import Iterator

from scrapelint.credentials import present
from scrapelint.document import MappingNode, Node, ScalarNode, as_bool, mapping_pairs
from scrapelint.engine import CheckContext, Hit
from scrapelint.prometheus import Site
from scrapelint.registry import check

HTTP_CLIENT_KEYS = frozenset(
    {
        "basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file",
        "tls_config", "proxy_url", "no_proxy", "proxy_from_environment",
        "proxy_connect_header", "follow_redirects", "enable_http2", "http_headers",
    }
)  # fmt: skip
# Keys whose value `true` equals Prometheus' default client (compared with reflect.DeepEqual).
_DEFAULT_TRUE = frozenset({"follow_redirects", "enable_http2"})

_NO_API_SERVER = (
    "to use custom HTTP client configuration please provide the 'api_server' URL explicitly"
)
_KUBECONFIG_AND_SERVER = "cannot use 'kubeconfig_file' and 'api_server' simultaneously"
_KUBECONFIG_AND_CLIENT = (
    "cannot use a custom HTTP client configuration together with 'kubeconfig_file'"
)


def _is_custom(key: ScalarNode, value: Node) -> bool:
    name = str(key.value)
    if name in _DEFAULT_TRUE:
        return as_bool(value) is False
    if name == "proxy_from_environment":
        return as_bool(value) is True
    if isinstance(value, MappingNode):
        return bool(value.value)
    return present(value)


def _client_keys(entry: MappingNode) -> list[ScalarNode]:
    return [
        key
        for key, value in mapping_pairs(entry)
        if key.value in HTTP_CLIENT_KEYS and _is_custom(key, value)
    ]


def _later(a: ScalarNode, b: ScalarNode) -> ScalarNode:
    return max(a, b, key=lambda k: (k.start_mark.line, k.start_mark.column))


def _conflict(site: Site) -> tuple[ScalarNode, str] | None:
    client = _client_keys(site.node)
    server = site.key("api_server") if present(site.get("api_server")) else None
    kubeconfig = site.key("kubeconfig_file") if present(site.get("kubeconfig_file")) else None
    if kubeconfig is not None and server is not None:
        return _later(kubeconfig, server), _KUBECONFIG_AND_SERVER
    if kubeconfig is not None and client:
        return _later(kubeconfig, client[0]), _KUBECONFIG_AND_CLIENT
    if client and server is None:
        return client[0], _NO_API_SERVER
    return None


@check("SL110")
def kubernetes_sd_auth_conflict(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(sd_types=("kubernetes",)):
        if site.sd_type != "kubernetes":
            continue
        conflict = _conflict(site)
        if conflict is None:
            continue
        key, message = conflict
        yield site.hit(
            key,
            f"{site.label}: Prometheus refuses the config: `{message}`",
            "Client settings in kubernetes_sd_configs are for the Kubernetes API only. If they "
            "were meant for the scrape, move them to the job level; otherwise set api_server "
            "explicitly, or use kubeconfig_file alone.",
        )
