"""SL301-SL310: scheme, ports, targets and TLS."""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Iterator
from typing import NamedTuple

from scrapelint.checks.auth import placeholder_in
from scrapelint.credentials import (
    CREDENTIAL_NAMES,
    credential_keys,
    present,
    text_of,
)
from scrapelint.defaults import KUBELET_PORT
from scrapelint.document import (
    Document,
    MappingNode,
    Node,
    ScalarNode,
    as_bool,
    get,
)
from scrapelint.engine import CheckContext, Hit
from scrapelint.prometheus import Site, Target
from scrapelint.redact import mask_url
from scrapelint.registry import check

_STATIC_KINDS = ("scrape", "alertmanager")
TLS_VERSIONS = ("TLS10", "TLS11", "TLS12", "TLS13")


def _checked_targets(site: Site) -> list[Target]:
    """Targets whose port means something: static host:port ones, or the URL of a URL site."""
    if site.kind in _STATIC_KINDS:
        return [] if site.address_rewritten else [t for t in site.targets if not t.is_url]
    return list(site.targets)


def _schemes_in_use(site: Site) -> set[str | None]:
    schemes: set[str | None] = {t.scheme.value for t in site.targets}
    if site.has_discovery or not site.targets:
        schemes.add(site.scheme.value)
    return schemes


def _has_target_source(site: Site) -> bool:
    return bool(site.targets) or site.has_discovery or site.kind not in _STATIC_KINDS


def _all_loopback(site: Site) -> bool:
    return (site.targets_known and all(t.is_loopback for t in site.targets)) or (
        site.kind not in _STATIC_KINDS and bool(site.targets) and site.targets[0].is_loopback
    )


# --- SL301 ------------------------------------------------------------------------------


@check("SL301")
def credentials_over_http(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(CREDENTIAL_NAMES):
        # The cheap tests first: most sites with credentials speak https.
        if "http" not in _schemes_in_use(site) or not _has_target_source(site):
            continue
        if _all_loopback(site):
            continue
        keys = credential_keys(site, client_cert=False)
        if not keys:
            continue
        yield site.hit(
            keys[0],
            f"{site.label} sends {keys[0].value} credentials over plain http; anyone on the path "
            "can read them",
            _http_fix(site),
        )


def _http_fix(site: Site) -> str:
    if site.kind in _STATIC_KINDS:
        return "Set `scheme: https` (with tls_config.ca_file) on the job."
    return "Use an https:// URL."


# --- SL302 / SL303 / SL304 ----------------------------------------------------------------


def _port_mismatches(
    sites: Iterable[Site], scheme: str, ports: frozenset[int]
) -> Iterator[tuple[Site, Node, int]]:
    """(site, node, port) where a site speaks `scheme` to one of `ports`. One generator for
    all the sites: a large config has thousands, and most have no such target."""
    kubelet = scheme == "http" and KUBELET_PORT in ports
    for site in sites:
        for target in _checked_targets(site) if site.targets else ():
            if target.port in ports and target.scheme.value == scheme:
                yield site, target.node, target.port
        if kubelet and site.kubernetes_roles and site.scheme.value == "http":
            for role in _implicit_kubelet_port(site):
                yield site, role, KUBELET_PORT


def _implicit_kubelet_port(site: Site) -> Iterator[Node]:
    if site.kind == "scrape" and not site.address_rewritten:
        for role in site.kubernetes_roles:
            if text_of(role) == "node":
                yield role


@check("SL302")
def http_to_tls_port(context: CheckContext) -> Iterator[Hit]:
    sites = context.config.sites
    for site, node, port in _port_mismatches(sites, "http", context.options.tls_ports):
        yield site.hit(
            node,
            f"{site.label} speaks plain http to port {port}, which serves TLS; the scrape "
            'fails with `malformed HTTP response "\\x15\\x03\\x01..."` or a 400',
            "Set `scheme: https` (and tls_config.ca_file) on the job.",
        )


@check("SL303")
def https_to_plain_port(context: CheckContext) -> Iterator[Hit]:
    sites = context.config.sites
    for site, node, port in _port_mismatches(sites, "https", context.options.plain_ports):
        yield site.hit(
            node,
            f"{site.label} speaks https to port {port}, which serves plain http; the scrape "
            "fails with `http: server gave HTTP response to HTTPS client`",
            "Use `scheme: http` for this port, or the endpoint's TLS port.",
        )


def _url_target_fix(target: Target) -> str:
    text = target.text
    scheme, _, rest = text.partition("://") if "://" in text else ("", "", text)
    host, slash, path = rest.partition("/")
    parts = [f'targets: ["{mask_url(host)}"]']
    if scheme:
        parts.append(f"scheme: {scheme.lower()}")
    if slash and path:
        parts.append(f"metrics_path: /{path.split('?')[0]}")
    return "Write " + ", ".join(parts) + "."


@check("SL304")
def url_in_target(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites:
        if site.kind not in _STATIC_KINDS or site.address_rewritten:
            continue
        for target in site.targets:
            if target.is_url:
                yield site.hit(
                    target.node,
                    f'{site.label}: target "{target.text}" is a URL, but '
                    f'Prometheus wants host:port (`"{target.text}" is not a '
                    "valid hostname`)",
                    _url_target_fix(target),
                )


# --- SL305 / SL306 -----------------------------------------------------------------------


@check("SL305")
def tls_config_ignored(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(("tls_config",)):
        tls = site.get("tls_config")
        if not isinstance(tls, MappingNode) or not tls.value:
            continue
        # The key (indexed on first use) is looked up for the few sites with a finding.
        key = site.key("tls_config") if _schemes_in_use(site) == {"http"} else None
        if key is not None:
            yield site.hit(
                key,
                f"{site.label} has a tls_config but its scheme is http: the TLS settings are "
                "never used",
                "Set `scheme: https` if the endpoint speaks TLS; otherwise remove tls_config.",
            )


class _TlsBlock(NamedTuple):
    node: MappingNode
    site: Site | None  # None: the tracing block
    document: Document

    def hit(self, node: Node | None, message: str, help: str) -> Hit:
        site = self.site
        owner = site.label if site is not None else "tracing"
        scope = site.node if site is not None else None
        return Hit(node, f"{owner}: {message}", help, self.document, scope=scope)


_TLS_BLOCKS: weakref.WeakKeyDictionary[CheckContext, list[_TlsBlock]] = weakref.WeakKeyDictionary()


def _every_tls_block(context: CheckContext) -> list[_TlsBlock]:
    """The config's TLS blocks, listed once per run of the checks (four checks read them)."""
    blocks = _TLS_BLOCKS.get(context)
    if blocks is None:
        blocks = _TLS_BLOCKS[context] = list(_find_tls_blocks(context))
    return blocks


def _find_tls_blocks(context: CheckContext) -> Iterator[_TlsBlock]:
    for site in context.config.sites_with(("tls_config", "oauth2")):
        for block in site.tls_configs:
            yield _TlsBlock(block, site, site.document)
    tracing_tls = get(get(context.document.root, "tracing"), "tls_config")
    if isinstance(tracing_tls, MappingNode):
        yield _TlsBlock(tracing_tls, None, context.document)


@check("SL306")
def insecure_skip_verify(context: CheckContext) -> Iterator[Hit]:
    for tls in _every_tls_block(context):
        value = get(tls.node, "insecure_skip_verify")
        if as_bool(value) is True:
            yield tls.hit(
                value,
                "insecure_skip_verify is true; the server's certificate is not checked, "
                "so anyone in the path can impersonate it and receive the credentials",
                "Set tls_config.ca_file to the CA that signed the server certificate (and "
                "server_name if the name differs).",
            )


# --- SL307 -------------------------------------------------------------------------------

_URL_FIELDS = {"http": "url", "puppetdb": "url", "eureka": "server", "kuma": "server"}
_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")


def url_problem(text: str, schemes: tuple[str, ...] = ("http", "https")) -> str | None:
    if not text.strip():
        return "it is empty"
    problem = _malformed_url(text, schemes)
    # Looked for only when the URL is malformed: nearly every URL is well formed.
    if problem is not None and placeholder_in(text) == text.strip():
        return None  # a whole-value placeholder is SL109's finding
    return problem


def _malformed_url(text: str, schemes: tuple[str, ...]) -> str | None:
    if "://" not in text:
        return "it has no scheme (write https://...)"
    scheme, _, rest = text.partition("://")
    if scheme.lower() not in schemes:
        return f"its scheme {scheme!r} is not one of {', '.join(schemes)}"
    host = rest.split("/")[0].split("?")[0].rpartition("@")[2]
    if not host or host.startswith(":"):
        return "it has no host"
    return None


def _scheme_value_problem(site: Site) -> tuple[Node, str] | None:
    node = site.get("scheme")
    raw = text_of(node)
    if node is None or raw in ("http", "https"):
        return None
    hint = f"; write {raw.lower()}" if raw.lower() in ("http", "https") else ""
    return node, f"{site.label}: scheme {raw!r} is not http or https (case matters){hint}"


def _url_field_problem(site: Site) -> tuple[Node, str] | None:
    field = _URL_FIELDS.get(site.sd_type or "") if site.kind == "sd" else None
    if site.kind in ("remote_write", "remote_read"):
        field = "url"
    if field is None:
        return None
    node = site.get(field)
    problem = url_problem(text_of(node))
    if problem is None:
        return None
    return (node or site.node), f"{site.label}: {field} is not a valid URL: {problem}"


def _proxy_problems(site: Site) -> Iterator[tuple[Node, str]]:
    for proxy in (site.get("proxy_url"), get(site.get("oauth2"), "proxy_url")):
        problem = url_problem(text_of(proxy), _PROXY_SCHEMES) if proxy is not None else None
        if problem is not None and proxy is not None and present(proxy):
            yield proxy, f"{site.label}: proxy_url is not a valid URL: {problem}"


def _url_problems(site: Site) -> list[tuple[Node, str]]:
    """What Prometheus refuses among a site's scheme (a job's or an alertmanager's) or URL
    field (a URL site's), then its proxy URLs."""
    if site.kind in _STATIC_KINDS:
        problem = _scheme_value_problem(site)
    else:
        problem = _url_field_problem(site)
    problems = [problem] if problem is not None else []
    if not site.fields.keys().isdisjoint(("proxy_url", "oauth2")):  # few sites have a proxy
        problems.extend(_proxy_problems(site))
    return problems


def _first_key(node: MappingNode) -> Node:
    return node.value[0][0] if node.value else node


@check("SL307")
def invalid_scheme(context: CheckContext) -> Iterator[Hit]:
    candidates = context.config.sites_with(
        ("scheme", "proxy_url", "oauth2"),
        kinds=("remote_write", "remote_read"),
        sd_types=_URL_FIELDS,
    )
    for site in candidates:
        for node, message in _url_problems(site):
            anchor = _first_key(node) if isinstance(node, MappingNode) else node
            yield site.hit(
                anchor,
                message,
                "Use http or https, spelled in lower case, with a host: https://host:port/path.",
            )


# --- SL308 / SL309 / SL310 ----------------------------------------------------------------

_CERT_KEYS = ("cert", "cert_file", "cert_ref")
_KEY_KEYS = ("key", "key_file", "key_ref")


def _present_key(block: MappingNode, names: tuple[str, ...]) -> ScalarNode | None:
    # Scans the pairs as `get` does (no list of them: most blocks have neither name).
    for key, value in block.value:
        if key.value in names and isinstance(key, ScalarNode) and present(value):
            return key
    return None


@check("SL308")
def incomplete_client_certificate(context: CheckContext) -> Iterator[Hit]:
    for tls in _every_tls_block(context):
        cert, key = _present_key(tls.node, _CERT_KEYS), _present_key(tls.node, _KEY_KEYS)
        given = cert or key
        if given is None or (cert is not None and key is not None):
            continue
        missing = "key_file" if cert is not None else "cert_file"
        yield tls.hit(
            given,
            f"tls_config has {given.value} but no {missing.removesuffix('_file')}; "
            "Prometheus (2.45 and later) refuses the config",
            f"Add tls_config.{missing}, or remove {given.value}.",
        )


def _version_hits(block: MappingNode) -> Iterator[tuple[Node, str]]:
    versions: dict[str, tuple[Node, str]] = {}
    for name in ("min_version", "max_version"):
        node = get(block, name)
        text = text_of(node)
        if node is None or not text:
            continue
        if text not in TLS_VERSIONS:
            yield (
                node,
                f"{name} {text!r} is not one of {', '.join(TLS_VERSIONS)}: Prometheus "
                "refuses the config (`unknown TLS version`)",
            )
        else:
            versions[name] = (node, text)
    if len(versions) == 2 and versions["max_version"][1] < versions["min_version"][1]:
        yield (
            versions["max_version"][0],
            (
                "max_version is lower than min_version: building the client fails and the job is "
                "skipped (`tls_config.max_version must be greater than or equal to "
                "tls_config.min_version`)"
            ),
        )


@check("SL309")
def invalid_tls_version(context: CheckContext) -> Iterator[Hit]:
    for tls in _every_tls_block(context):
        for node, message in _version_hits(tls.node):
            yield tls.hit(node, message, "Use TLS12 or TLS13.")


@check("SL310")
def weak_tls_min_version(context: CheckContext) -> Iterator[Hit]:
    for tls in _every_tls_block(context):
        node = get(tls.node, "min_version")
        if text_of(node) in ("TLS10", "TLS11"):
            yield tls.hit(
                node,
                f"min_version {text_of(node)} allows TLS versions deprecated by RFC 8996",
                "Set min_version: TLS12 (the default) or remove it.",
            )
