"""What a site authenticates with: auth blocks, credential sources and client certificates.

Prometheus counts a block as configured when its pointer is non-nil (a null `basic_auth:` is
not configured) and a bearer token when its string is non-empty; these helpers follow that.
"""

from __future__ import annotations

from scrapelint.document import (
    NULL_TAG,
    Node,
    ScalarNode,
    get,
    is_null,
    mapping_pairs,
)
from scrapelint.prometheus import Site

# Auth "methods" Prometheus allows at most one of; bearer_token and its file count as one.
COMMON_METHODS = ("basic_auth", "authorization", "oauth2", "bearer_token", "bearer_token_file")
EXTRA_METHODS = {
    "remote_write": ("sigv4", "azuread", "google_iam"),
    "alertmanager": ("sigv4",),
}
SOURCE_GROUPS = {
    "basic_auth": (
        ("username", "username_file", "username_ref"),
        ("password", "password_file", "password_ref"),
    ),
    "authorization": (("credentials", "credentials_file", "credentials_ref"),),
}
TLS_SOURCE_GROUPS = (
    ("ca", "ca_file", "ca_ref"),
    ("cert", "cert_file", "cert_ref"),
    ("key", "key_file", "key_ref"),
)
CLIENT_CERT_KEYS = ("cert", "cert_file", "cert_ref")
SD_TOKEN_KEYS = {
    "consul": ("token",),
    "marathon": ("auth_token", "auth_token_file"),
    "uyuni": ("password",),
}


def present(node: Node | None) -> bool:
    """Configured in Prometheus' sense: not null and not an empty string."""
    if is_null(node):
        return False
    return not (isinstance(node, ScalarNode) and str(node.value) == "")


METHOD_NAMES = {
    kind: frozenset(COMMON_METHODS) | frozenset(EXTRA_METHODS.get(kind, ()))
    for kind in ("scrape", "sd", "alertmanager", "remote_write", "remote_read")
}


def method_keys(site: Site) -> list[ScalarNode]:
    """Keys of the configured auth methods of a site, in document order."""
    names = METHOD_NAMES.get(site.kind) or METHOD_NAMES["scrape"]
    return [key for key, value in site.pairs if key.value in names and present(value)]


def has_source(block: Node | None, group: tuple[str, ...]) -> bool:
    return any(present(get(block, name)) for name in group)


def client_certificate(site: Site) -> ScalarNode | None:
    tls = site.get("tls_config")
    for key, value in mapping_pairs(tls):
        if key.value in CLIENT_CERT_KEYS and present(value):
            return key
    return None


def credential_keys(site: Site, *, client_cert: bool = True) -> list[ScalarNode]:
    """Keys that make the site send credentials (DESIGN §2, shared definitions)."""
    found = [
        key
        for key, value in site.pairs
        if key.value in CREDENTIAL_NAMES and _sends_credentials(site, key.value, value)
    ]
    certificate = client_certificate(site) if client_cert else None
    if certificate is not None:
        found.append(certificate)
    return found


# Every key that can make a site send credentials, whatever the site (a TLS client
# certificate aside: it lives in tls_config).
CREDENTIAL_NAMES = frozenset(
    [*SOURCE_GROUPS, "bearer_token", "bearer_token_file", "oauth2", "http_headers"]
    + [name for names in EXTRA_METHODS.values() for name in names]
    + [name for names in SD_TOKEN_KEYS.values() for name in names]
)


def _sends_credentials(site: Site, name: str, value: Node) -> bool:
    if name in SOURCE_GROUPS:
        return any(has_source(value, group) for group in SOURCE_GROUPS[name])
    if name in ("bearer_token", "bearer_token_file", "oauth2"):
        return present(value)
    if name in EXTRA_METHODS.get(site.kind, ()):
        return not is_null(value)
    if name == "http_headers":
        return _headers_carry_secrets(value)
    return name in SD_TOKEN_KEYS.get(site.sd_type or "", ()) and present(value)


def _headers_carry_secrets(headers: Node | None) -> bool:
    return any(
        present(get(spec, "secrets")) or present(get(spec, "files"))
        for _, spec in mapping_pairs(headers)
    )


def text_of(node: Node | None) -> str:
    # as_text's body, not a call to it: this runs for nearly every value a check reads.
    if isinstance(node, ScalarNode) and node.tag != NULL_TAG:
        return str(node.value)
    return ""
