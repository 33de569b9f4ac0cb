"""SL201-SL204: secret hygiene (secrets written where they leak)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from scrapelint.checks.auth import RESERVED_HEADERS, placeholder_in
from scrapelint.credentials import present, text_of
from scrapelint.document import Node, ScalarNode, get, items, mapping_pairs, may_spell
from scrapelint.engine import CheckContext, Hit
from scrapelint.prometheus import Site
from scrapelint.redact import query_string, query_string_secrets
from scrapelint.registry import check

# (block, field, the file variant to name): block "" is the site itself.
FILE_VARIANTS: tuple[tuple[str, str, str], ...] = (
    ("basic_auth", "password", "basic_auth.password_file"),
    ("authorization", "credentials", "authorization.credentials_file"),
    ("", "bearer_token", "authorization.credentials_file"),
    ("oauth2", "client_secret", "oauth2.client_secret_file"),
    ("oauth2", "client_certificate_key", "oauth2.client_certificate_key_file"),
)
SD_FILE_VARIANTS: dict[str, tuple[tuple[str, str], ...]] = {
    "marathon": (("auth_token", "auth_token_file"),),
    "scaleway": (("secret_key", "secret_key_file"),),
    "outscale": (("secret_key", "secret_key_file"),),
    "oci": (("key_passphrase", "key_passphrase_file"),),
    # STACKIT's variants are paths that Prometheus does not join to the config directory.
    "stackit": (
        ("service_account_key", "service_account_key_path"),
        ("private_key", "private_key_path"),
    ),
}
_AWS_ALTERNATIVE = (
    "drop the keys and use an IAM role (role_arn), a profile, or the instance's credentials"
)
_NO_FILE = "keep this config out of the repository and readable only by Prometheus"
SD_NO_FILE: dict[str, tuple[tuple[str, str], ...]] = {
    **{
        sd: (("secret_key", _AWS_ALTERNATIVE),)
        for sd in ("aws", "ec2", "ecs", "elasticache", "lightsail", "msk", "rds")
    },
    "consul": (
        ("token", "use authorization.credentials_file: Consul accepts the token as a bearer token"),
        ("password", "use basic_auth.password_file"),
    ),
    "azure": (("client_secret", "use authentication_method ManagedIdentity or WorkloadIdentity"),),
    "openstack": (("password", _NO_FILE), ("application_credential_secret", _NO_FILE)),
    "ovhcloud": (("application_secret", _NO_FILE), ("consumer_key", _NO_FILE)),
    "uyuni": (("password", _NO_FILE),),
}


def _is_real_secret(node: Node | None) -> bool:
    """A non-empty scalar that is not a placeholder (SL106 and SL109 own those)."""
    text = text_of(node)
    return isinstance(node, ScalarNode) and bool(text) and placeholder_in(text) is None


def _inline_secrets(site: Site) -> Iterator[tuple[Node, str, str]]:
    """(value, field, file variant) for inline secrets that have a file variant."""
    fields = site.fields
    for block_name, field, variant in FILE_VARIANTS:
        if not block_name:
            value = fields.get(field)
        elif (block := fields.get(block_name)) is not None:
            value = get(block, field)
        else:
            continue  # most sites have one or two of these blocks
        if value is not None and _is_real_secret(value):
            yield value, f"{block_name}.{field}".lstrip("."), variant
    for tls in site.tls_configs:
        key = get(tls, "key")
        if key is not None and _is_real_secret(key):
            yield key, "tls_config.key", "tls_config.key_file"
    for name, spec in mapping_pairs(fields.get("http_headers")):
        for item in items(get(spec, "secrets")):
            if _is_real_secret(item):
                yield item, f"http_headers.{name.value}.secrets", f"http_headers.{name.value}.files"
    for field, variant in SD_FILE_VARIANTS.get(site.sd_type or "", ()):
        value = fields.get(field)
        if value is not None and _is_real_secret(value):
            yield value, field, variant


@check("SL201")
def inline_secret(context: CheckContext) -> Iterator[Hit]:
    keys = ("basic_auth", "authorization", "bearer_token", "oauth2", "tls_config", "http_headers")
    for site in context.config.sites_with(keys, sd_types=SD_FILE_VARIANTS):
        for value, field, variant in _inline_secrets(site):
            yield site.hit(
                value,
                f"{site.label}: {field} is written inline; it lives in the config file, its "
                f"history and every copy of it, and is not re-read when rotated; use {variant}",
                f"Move the secret to a file readable only by Prometheus and set {variant}.",
            )


def _secrets_without_file(site: Site) -> Iterator[tuple[Node, str, str]]:
    for field, alternative in SD_NO_FILE.get(site.sd_type or "", ()):
        value = site.get(field)
        if _is_real_secret(value) and value is not None:
            yield value, field, alternative
    secret_key = get(site.get("sigv4"), "secret_key")
    if _is_real_secret(secret_key) and secret_key is not None:
        yield secret_key, "sigv4.secret_key", _AWS_ALTERNATIVE + " (`sigv4: {region: ...}`)"
    azuread_secret = get(get(site.get("azuread"), "oauth"), "client_secret")
    if _is_real_secret(azuread_secret) and azuread_secret is not None:
        yield (
            azuread_secret,
            "azuread.oauth.client_secret",
            "use managed_identity or workload_identity",
        )
    for headers in (
        site.get("proxy_connect_header"),
        get(site.get("oauth2"), "proxy_connect_header"),
    ):
        for name, values in mapping_pairs(headers):
            for item in items(values):
                if _is_real_secret(item):
                    field = f"proxy_connect_header.{name.value}"
                    yield (
                        item,
                        field,
                        "use proxy_from_environment with the credentials in HTTPS_PROXY",
                    )


@check("SL202")
def inline_secret_without_file_option(context: CheckContext) -> Iterator[Hit]:
    keys = ("sigv4", "azuread", "proxy_connect_header", "oauth2")
    for site in context.config.sites_with(keys, sd_types=SD_NO_FILE):
        for value, field, alternative in _secrets_without_file(site):
            yield site.hit(
                value,
                f"{site.label}: {field} is written inline and Prometheus offers no file for it; "
                f"{alternative}",
                alternative[0].upper() + alternative[1:] + ".",
            )


# --- SL203: credentials in URLs --------------------------------------------------------

_PASSWORD_USERINFO = re.compile(r"^(?:[A-Za-z][A-Za-z0-9+.-]*://)?[^/@\s:]+:[^/@\s]+@")


def _url_nodes(site: Site, userinfo: bool) -> Iterator[tuple[Node, str]]:
    """The URLs of a site, and its targets that may carry userinfo when the file may spell
    one (a target is read for userinfo only, which needs an `@`)."""
    if site.url_node is not None:
        yield site.url_node, "url"
    for proxy in (site.get("proxy_url"), get(site.get("oauth2"), "proxy_url")):
        if proxy is not None:
            yield proxy, "proxy_url"
    if site.sd_type == "marathon":
        yield from ((item, "servers") for item in items(site.get("servers")))
    if site.sd_type == "consul" and site.get("server") is not None:
        yield site.get("server"), "server"  # type: ignore[misc]
    if userinfo and site.kind in ("scrape", "alertmanager"):
        for target in site.targets:
            if "@" in target.text:
                yield target.node, "target"


@check("SL203")
def secret_in_url(context: CheckContext) -> Iterator[Hit]:
    texts = [document.text for document in context.config.documents]
    userinfo, query = any(may_spell(t, "@") for t in texts), any(may_spell(t, "?") for t in texts)
    if not userinfo and not query:
        return  # userinfo needs an `@`, a query string a `?`
    # Static targets can carry userinfo only; query strings are read from URL fields.
    sites = context.config.sites if userinfo else context.config.sites_with(_URL_KEYS)
    query_names: dict[str, list[str]] = {}  # a large config repeats a few query strings
    for site in sites:
        reported: set[int] = set()
        for node, field in _url_nodes(site, userinfo):
            text = text_of(node)
            if id(node) in reported:
                continue
            if userinfo and "@" in text and _PASSWORD_USERINFO.match(text):
                reported.add(id(node))
                yield site.hit(node, _url_message(site, field, text), _url_fix(site, field))
            elif query and field != "target" and (names := secret_query_params(text, query_names)):
                reported.add(id(node))
                yield site.hit(node, _query_message(site, field, text, names), _QUERY_FIX)


# The keys under which _url_nodes finds URLs (SD_URL_FIELDS' among them).
_URL_KEYS = ("url", "server", "servers", "api_server", "host", "proxy_url", "oauth2")


def secret_query_params(url: str, cache: dict[str, list[str]] | None = None) -> list[str]:
    """Names of the query parameters of a URL that carry a secret (api_key=...): those the
    masking hides, less names that only look like it (token_type, max_tokens, session_timeout)
    and InfluxDB's password `p` without its user `u`. `cache` keeps the names found in each
    query string, for a caller that reads many URLs."""
    query = query_string(url)
    names = cache.get(query) if cache is not None else None
    if names is None:
        names = _secret_names(query)
        if cache is not None:
            cache[query] = names
    return [name for name in names if name != "p" or _INFLUX_USER.search(url) is not None]


def _secret_names(query: str) -> list[str]:
    found = query_string_secrets(query)
    return [name for name, _ in found if not _LOOKS_SECRET_ONLY.search(name.replace("-", "_"))]


_INFLUX_USER = re.compile(r"[?&]u=")
# Names the masking hides (it errs that way) that SL203 does not report.
_LOOKS_SECRET_ONLY = re.compile(
    r"(?:_type|_mode|_timeout|_required|_through|_url)$|^(?:no|max|min|public|sort)_",
    re.IGNORECASE,
)


def _query_message(site: Site, field: str, text: str, names: list[str]) -> str:
    listed = ", ".join(names)
    return (
        f"{site.label}: {field} {text} carries a secret in its query string "
        f"({listed}), in clear in the config and in every log line that prints the URL"
    )


_QUERY_FIX = (
    "Send the secret in a header read from a file if the server accepts one "
    "(`authorization: {credentials_file: ...}`, or `http_headers` with `files`); otherwise keep "
    "the file private and rotate the secret."
)


def _url_message(site: Site, field: str, text: str) -> str:
    # The URL is quoted as written: the engine masks the URLs of every message.
    if field == "target":
        return (
            f"{site.label}: target {text} carries a password; it becomes part of the "
            "`instance` label and is shown on the targets page"
        )
    return f"{site.label}: {field} {text} carries a password in the URL, shown in clear"


def _url_fix(site: Site, field: str) -> str:
    if field == "proxy_url":
        return (
            "Remove the credentials from proxy_url; use proxy_from_environment or a proxy "
            "that authenticates Prometheus by address."
        )
    return "Remove user:password@ from the URL and set basic_auth with password_file instead."


# --- SL204: secrets in fields shown in clear ------------------------------------------------

SENSITIVE_NAME = re.compile(
    r"token|secret|passw|signature|auth|credential|api[-_]?key|private[-_]?key|(^|[-_])key$|"
    r"^key[-_]|session",
    re.IGNORECASE,
)
# Tenants are not secrets; `auth` as a scrape param is snmp_exporter's module selector.
_NOT_SECRET_NAMES = frozenset({"x-scope-orgid", "x-tenant-id", "tenant", "auth"})


@functools.lru_cache(maxsize=4096)  # a large config repeats a few names (module, target)
def is_sensitive_name(name: str) -> bool:
    lowered = name.lower()
    if lowered in _NOT_SECRET_NAMES or lowered in RESERVED_HEADERS:
        return False  # reserved headers are SL111's finding
    return bool(SENSITIVE_NAME.search(lowered))


def _first_value(node: Node) -> Node | None:
    if isinstance(node, ScalarNode):
        return node if present(node) else None
    values = items(node)
    return values[0] if values and present(values[0]) else None


def _plaintext_maps(site: Site) -> Iterator[tuple[Node | None, str]]:
    if site.kind in ("remote_write", "remote_read"):
        yield site.get("headers"), "headers"
    yield get(site.get("oauth2"), "endpoint_params"), "oauth2.endpoint_params"
    if site.kind == "scrape":
        yield site.get("params"), "params"


def _plaintext_hits(mapping: Node | None, field: str) -> Iterator[tuple[Node, str]]:
    for name, value in mapping_pairs(mapping):
        if is_sensitive_name(str(name.value)) and (shown := _first_value(value)) is not None:
            yield shown, f"{field}.{name.value}"


def _header_value_hits(site: Site) -> Iterator[tuple[Node, str]]:
    for name, spec in mapping_pairs(site.get("http_headers")):
        if not is_sensitive_name(str(name.value)):
            continue
        values = [v for v in items(get(spec, "values")) if present(v)]
        if values:
            yield values[0], f"http_headers.{name.value}.values"


def _plaintext_message(owner: str, field: str) -> str:
    return (
        f"{owner}: {field} looks like a secret but this field is shown in clear on "
        "/api/v1/status/config and in logs"
    )


_PLAINTEXT_FIX = (
    "Move the secret to an auth block with a *_file field, or to http_headers with `files:`."
)


@check("SL204")
def secret_in_plaintext_field(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(("headers", "oauth2", "params", "http_headers")):
        for mapping, field in _plaintext_maps(site):
            for node, name in _plaintext_hits(mapping, field):
                yield site.hit(node, _plaintext_message(site.label, name), _PLAINTEXT_FIX)
        for node, name in _header_value_hits(site):
            yield site.hit(node, _plaintext_message(site.label, name), _PLAINTEXT_FIX)
    tracing_headers = get(get(context.document.root, "tracing"), "headers")
    for node, name in _plaintext_hits(tracing_headers, "headers"):
        yield Hit(node, _plaintext_message("tracing", name), _PLAINTEXT_FIX, context.document)
