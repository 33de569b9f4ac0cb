"""SL101-SL109 and SL111-SL114: authentication, the 401 family."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from scrapelint.credentials import (
    COMMON_METHODS,
    EXTRA_METHODS,
    METHOD_NAMES,
    SOURCE_GROUPS,
    TLS_SOURCE_GROUPS,
    client_certificate,
    credential_keys,
    method_keys,
    present,
    text_of,
)
from scrapelint.defaults import KUBELET_METRICS_PATHS, KUBELET_PORT, LintOptions
from scrapelint.document import (
    MappingNode,
    Node,
    ScalarNode,
    get,
    get_key,
    is_null,
    items,
    mapping_pairs,
    may_spell,
)
from scrapelint.engine import CheckContext, Hit
from scrapelint.prometheus import Site
from scrapelint.registry import check

HitMaker = Callable[[Node | None, str, str], Hit]

_APISERVER_KEEP = "default;kubernetes;https"
_APISERVER_PROXY_PATH = re.compile(r"/api/v1/nodes/[^/]+/proxy/")
ETCD_PORT = 2379
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
_GRANT_TYPES = ("client_credentials", JWT_BEARER)


# --- SL101 / SL102: secured endpoints and https without credentials ------------------------


def secured_evidence(job: Site, options: LintOptions) -> tuple[Node, str, bool] | None:
    """The first piece of evidence that a job scrapes a secured endpoint.

    Returns (node, description, wants_client_cert). A job whose targets are all known and all
    on plain ports (the kubelet's read-only port, say) has none, whatever its path says.
    """
    # Runs for every job: one set test, no generator, and no loop over the finders (each
    # returns None or a 3-tuple, never a false value).
    if job.targets_known and options.plain_ports.issuperset([t.port for t in job.targets]):
        return None
    return (
        _port_evidence(job, options)
        or _role_evidence(job, options)
        or _apiserver_evidence(job, options)
        or _path_evidence(job, options)
        or _job_name_evidence(job, options)
    )


def _port_evidence(job: Site, options: LintOptions) -> tuple[Node, str, bool] | None:
    if job.address_rewritten:
        return None
    for target in job.targets:
        port = target.port
        if target.is_url or port is None or port in options.plain_ports:
            continue
        if port in options.secured_ports:
            return target.node, f"target {target.text} is a secured port", port == ETCD_PORT
    return None


def _role_evidence(job: Site, options: LintOptions) -> tuple[Node, str, bool] | None:
    if job.address_rewritten or KUBELET_PORT in options.plain_ports:
        return None
    for role in job.kubernetes_roles:
        if text_of(role) == "node":
            return role, "kubernetes_sd role node scrapes the kubelet on :10250", False
    return None


def _apiserver_evidence(job: Site, options: LintOptions) -> tuple[Node, str, bool] | None:
    for rule in job.relabel_rules:
        if rule.action == "keep" and rule.regex == _APISERVER_KEEP and rule.regex_node:
            return rule.regex_node, "it keeps the kube-apiserver endpoints", False
    return None


def _path_evidence(job: Site, options: LintOptions) -> tuple[Node, str, bool] | None:
    path_node = job.get("metrics_path")
    if path_node is not None and text_of(path_node) in KUBELET_METRICS_PATHS:
        return path_node, f"metrics_path {text_of(path_node)} is served by the kubelet", False
    for rule in job.relabel_writes("__metrics_path__"):
        if rule.replacement and _APISERVER_PROXY_PATH.search(rule.replacement):
            node = rule.replacement_node or rule.node
            return node, "it scrapes through the kube-apiserver proxy", False
    return None


def _job_name_evidence(job: Site, options: LintOptions) -> tuple[Node, str, bool] | None:
    name_node = job.get("job_name")
    for pattern in options.secured_job_patterns:
        if job.job_name and name_node is not None and re.search(pattern, job.job_name):
            return name_node, f"job_name matches secured-job-patterns {pattern!r}", False
    return None


def _sl101_applies(job: Site, options: LintOptions) -> tuple[Node, str, bool] | None:
    evidence = secured_evidence(job, options)
    if evidence is None:
        return None
    if evidence[2]:  # etcd accepts only a client certificate
        return evidence if client_certificate(job) is None else None
    return evidence if not credential_keys(job) else None


@check("SL101")
def missing_auth_on_secured_endpoint(context: CheckContext) -> Iterator[Hit]:
    for job in context.config.jobs:
        evidence = _sl101_applies(job, context.options)
        if evidence is None:
            continue
        node, reason, wants_cert = evidence
        if wants_cert:
            yield job.hit(
                node,
                f"{job.label} scrapes etcd ({reason}) without a TLS client certificate; etcd "
                "will reject the scrape",
                "Set tls_config.cert_file and tls_config.key_file to an etcd client certificate.",
            )
            continue
        yield job.hit(
            node,
            f"{job.label} sends no credentials but {reason}; the target will answer "
            "401 Unauthorized",
            "Add `authorization: {credentials_file: /var/run/secrets/kubernetes.io/"
            "serviceaccount/token}` (or basic_auth with password_file) to the job.",
        )


@check("SL102")
def https_without_auth(context: CheckContext) -> Iterator[Hit]:
    for job in context.config.jobs:
        if job.scheme.value != "https" or credential_keys(job):
            continue
        if _sl101_applies(job, context.options) is not None:
            continue
        anchor = job.scheme.node or job.get("job_name") or job.node
        yield job.hit(
            anchor,
            f"{job.label} scrapes over https but sends no credentials of any kind; endpoints "
            "behind TLS usually also require authentication",
            "Add authorization.credentials_file, basic_auth with password_file, or a TLS client "
            "certificate; if the endpoint is public, suppress this finding with a reason.",
        )


# --- SL103 / SL104: two of a kind ------------------------------------------------------


_HTTP_MESSAGES = {
    frozenset({"bearer", "basic_auth"}): "at most one of basic_auth, oauth2, bearer_token & "
    "bearer_token_file must be configured",
    frozenset({"bearer", "oauth2"}): "at most one of basic_auth, oauth2, bearer_token & "
    "bearer_token_file must be configured",
    frozenset({"bearer", "authorization"}): "authorization is not compatible with bearer_token "
    "& bearer_token_file",
}
_ABAO = "at most one of basic_auth, oauth2 & authorization must be configured"
_SITE_MESSAGES = {
    "remote_write": "at most one of basic_auth, authorization, oauth2, sigv4, azuread or "
    "google_iam must be configured",
    "alertmanager": "at most one of basic_auth, authorization, oauth2, & sigv4 must be configured",
}


def _method(key: ScalarNode) -> str:
    return "bearer" if str(key.value).startswith("bearer_token") else str(key.value)


def _conflict_message(site: Site, first: str, second: str) -> str:
    pair = frozenset({first, second})
    if pair in _HTTP_MESSAGES:
        return _HTTP_MESSAGES[pair]
    if pair <= {"basic_auth", "oauth2", "authorization"}:
        return _ABAO
    return _SITE_MESSAGES.get(site.kind, _ABAO)


def _method_conflict(site: Site) -> tuple[ScalarNode, str] | None:
    names = METHOD_NAMES.get(site.kind) or METHOD_NAMES["scrape"]
    if len(names.intersection(site.fields)) < 2:
        return None  # one method at most: most sites, told apart without reading their pairs
    seen: dict[str, ScalarNode] = {}
    for key in method_keys(site):
        method = _method(key)
        for earlier in seen:
            if earlier != method:
                return key, _conflict_message(site, earlier, method)
        seen.setdefault(method, key)
    return None


def _sd_conflict(site: Site) -> tuple[ScalarNode, str] | None:
    """Consul's and Marathon's own tokens against the generic auth blocks."""
    conflicts = _SD_CONFLICTS.get(site.sd_type or "", ())
    for own_keys, other_keys, message in conflicts:
        own = [k for k, v in site.pairs if k.value in own_keys and present(v)]
        other = [k for k, v in site.pairs if k.value in other_keys and present(v)]
        if own and other:
            second = max(own[0], other[0], key=lambda k: (k.start_mark.line, k.start_mark.column))
            return second, message
    return None


_SD_CONFLICTS: dict[str, tuple[tuple[frozenset[str], frozenset[str], str], ...]] = {
    "consul": (
        (
            frozenset({"username", "password"}),
            frozenset({"basic_auth"}),
            "at most one of consul SD configuration username and password and basic auth can "
            "be configured",
        ),
        (
            frozenset({"token"}),
            frozenset({"authorization", "oauth2"}),
            "at most one of consul SD token, authorization, or oauth2 can be configured",
        ),
    ),
    "marathon": (
        (
            frozenset({"auth_token", "auth_token_file"}),
            frozenset({"basic_auth"}),
            "marathon_sd: at most one of basic_auth, auth_token & auth_token_file must be "
            "configured",
        ),
        (
            frozenset({"auth_token", "auth_token_file"}),
            frozenset({"bearer_token", "bearer_token_file"}),
            "marathon_sd: at most one of bearer_token, bearer_token_file, auth_token & "
            "auth_token_file must be configured",
        ),
        (
            frozenset({"auth_token", "auth_token_file"}),
            frozenset({"authorization"}),
            "marathon_sd: at most one of auth_token, auth_token_file & authorization must be "
            "configured",
        ),
    ),
}


# A site with no method key has no conflict of methods (Consul's and Marathon's own tokens
# are checked on every entry of theirs).
_ALL_METHODS = frozenset(COMMON_METHODS).union(*EXTRA_METHODS.values())


@check("SL103")
def conflicting_auth_methods(context: CheckContext) -> Iterator[Hit]:
    candidates = context.config.sites_with(_ALL_METHODS, sd_types=_SD_CONFLICTS)
    for site in candidates:
        conflict = _method_conflict(site) or _sd_conflict(site)
        if conflict is None:
            continue
        key, message = conflict
        yield site.hit(
            key,
            f"{site.label} configures more than one auth method ({key.value} is the second); "
            f"Prometheus refuses the config: `{message}`",
            "Keep exactly one auth block; prefer authorization with credentials_file.",
        )


# Keys of a block of which at most one may be set, and what Prometheus calls them.
_Group = tuple[frozenset[str], str]


def _group_text(prefix: str, group: tuple[str, ...]) -> _Group:
    return frozenset(group), f"{prefix} " + ", ".join(group)


_BEARER_GROUPS = (
    (frozenset({"bearer_token", "bearer_token_file"}), "bearer_token & bearer_token_file"),
)
_BLOCK_GROUPS = {
    block_name: tuple(_group_text(block_name, group) for group in groups)
    for block_name, groups in SOURCE_GROUPS.items()
}
_OAUTH_SECRET_GROUPS = (
    _group_text("oauth2", ("client_secret", "client_secret_file", "client_secret_ref")),
)
_OAUTH_JWT_GROUPS = (
    _group_text(
        "oauth2",
        ("client_certificate_key", "client_certificate_key_file", "client_certificate_key_ref"),
    ),
)
_TLS_GROUPS = tuple(_group_text("tls_config", group) for group in TLS_SOURCE_GROUPS)
_SD_SECRET_GROUPS = {
    sd_type: tuple(_group_text(f"{sd_type}_sd", group) for group in groups)
    for sd_type, groups in {
        "marathon": (("auth_token", "auth_token_file"),),
        "scaleway": (("secret_key", "secret_key_file"),),
        "outscale": (("secret_key", "secret_key_file"),),
        "oci": (("key_passphrase", "key_passphrase_file"),),
    }.items()
}


def _secret_blocks(site: Site) -> Iterator[tuple[Node, tuple[_Group, ...]]]:
    """(block, its groups), in the order of the findings.

    Blocks the site does not have are left out: they hold no key at all.
    """
    node = site.node
    yield node, _BEARER_GROUPS
    for block_name, groups in _BLOCK_GROUPS.items():
        block = site.get(block_name)
        if block is not None:
            yield block, groups
    oauth2 = site.get("oauth2")
    if oauth2 is not None:
        jwt = text_of(get(oauth2, "grant_type")) == JWT_BEARER
        yield oauth2, _OAUTH_JWT_GROUPS if jwt else _OAUTH_SECRET_GROUPS
    for tls in site.tls_configs:
        yield tls, _TLS_GROUPS
    sd_groups = _SD_SECRET_GROUPS.get(site.sd_type or "")
    if sd_groups:
        yield node, sd_groups


# The keys that hold every block _secret_blocks looks into (its SD groups aside).
_SECRET_GROUP_KEYS = ("bearer_token", "bearer_token_file", *SOURCE_GROUPS, "oauth2", "tls_config")


@check("SL104")
def conflicting_secret_sources(context: CheckContext) -> Iterator[Hit]:
    candidates = context.config.sites_with(_SECRET_GROUP_KEYS, sd_types=_SD_SECRET_GROUPS)
    for site in candidates:
        for block, groups in _secret_blocks(site):
            if isinstance(block, MappingNode) and len(block.value) >= 2:  # two keys, two pairs
                yield from _doubled_secrets(site, block, groups)


def _doubled_secrets(site: Site, block: MappingNode, groups: tuple[_Group, ...]) -> Iterator[Hit]:
    # The site's own key names are indexed already; a block's are read once for all its groups.
    names = site.fields.keys() if block is site.node else _key_names(block)
    for group, what in groups:
        if len(names & group) < 2:
            continue  # most blocks: told apart without reading their values
        keys = [k for k, v in mapping_pairs(block) if k.value in group and not is_null(v)]
        if len(keys) < 2:
            continue
        yield site.hit(
            keys[1],
            f"{site.label} gives the same secret twice ({keys[0].value} and "
            f"{keys[1].value}); Prometheus refuses the config: at most one of {what} "
            "may be configured",
            f"Remove {keys[0].value} and keep {keys[1].value}, or the other way round; "
            "prefer the _file variant.",
        )


def _key_names(block: MappingNode) -> set[str]:
    return {key.value for key, _ in block.value if key.__class__ is ScalarNode}


# --- SL105 / SL106 / SL107 / SL108 ------------------------------------------------------


@check("SL105")
def authorization_type_basic(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(("authorization",)):
        type_node = get(site.get("authorization"), "type")
        if type_node is not None and text_of(type_node).strip().lower() == "basic":
            yield site.hit(
                type_node,
                f'{site.label} sets authorization.type to "basic"; Prometheus refuses the config: '
                '`authorization type cannot be set to "basic", use "basic_auth" instead`',
                "Replace the authorization block with basic_auth (username and password_file).",
            )


def _empty_strings(values: list[Node]) -> list[Node]:
    return [
        value
        for value in values
        if isinstance(value, ScalarNode) and str(value.value) == "" and not is_null(value)
    ]


def _source_problems(block: Node, block_name: str) -> tuple[list[tuple[Node, str]], list[str]]:
    """The empty values of the block's credential sources, as (node, field), and the parts
    with no source at all.

    One plain call per block: nearly every block has neither, and is done with it.
    """
    empties: list[tuple[Node, str]] = []
    missing: list[str] = []
    pairs = mapping_pairs(block)
    for group in SOURCE_GROUPS[block_name]:
        # Keys are unique once the document is read: these are the values `get` would find.
        values = [value for key, value in pairs if key.value in group]
        found = _empty_strings(values)
        if found:
            empties.extend((node, group[0]) for node in found)
        elif not any(map(present, values)):
            missing.append(group[0])
    return empties, missing


@check("SL106")
def empty_credentials(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(("basic_auth", "authorization")):
        for block_name in ("basic_auth", "authorization"):
            block = site.get(block_name)
            if block is None:
                continue
            if is_null(block):
                yield _null_block_hit(site, block_name)
                continue
            empties, missing = _source_problems(block, block_name)
            if empties or missing:
                yield from _empty_block_hits(site, block_name, empties, missing)


def _empty_block_fix(block_name: str) -> str:
    if block_name == "basic_auth":
        return "Give basic_auth both a username and a password_file."
    return "Set authorization.credentials_file to a file holding the token."


def _null_block_hit(site: Site, block_name: str) -> Hit:
    return site.hit(
        site.key(block_name),
        f"{site.label} has an empty {block_name} block; no credentials "
        "will be sent and the target will answer 401 Unauthorized",
        _empty_block_fix(block_name),
    )


def _empty_block_hits(
    site: Site, block_name: str, empties: list[tuple[Node, str]], missing: list[str]
) -> Iterator[Hit]:
    fix = _empty_block_fix(block_name)
    for node, field in empties:
        yield site.hit(
            node,
            f"{site.label} sets {block_name}.{field} to an empty string; "
            "Prometheus sends it as is and the target will answer 401",
            fix,
        )
    if missing:
        yield site.hit(
            site.key(block_name),
            f"{site.label} has {block_name} without {' or '.join(missing)}; "
            "Prometheus sends an empty value and the target will answer 401",
            fix,
        )


@check("SL107")
def deprecated_bearer_token(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(("bearer_token", "bearer_token_file")):
        for name in ("bearer_token", "bearer_token_file"):
            key = site.key(name)
            if key is not None and present(site.get(name)):
                replacement = "credentials_file" if name.endswith("_file") else "credentials"
                yield site.hit(
                    key,
                    f"{site.label} uses {name}, deprecated and gone from the Prometheus docs "
                    f"since 2.26; use authorization.{replacement}",
                    f"Replace `{name}: ...` with `authorization: {{{replacement}: ...}}`.",
                )


_REF_BLOCKS = ("basic_auth", "authorization", "oauth2")


def _ref_keys(site: Site) -> Iterator[ScalarNode]:
    blocks: list[Node | None] = [site.get(name) for name in _REF_BLOCKS]
    blocks.extend(site.tls_configs)
    for block in blocks:
        for key, _ in mapping_pairs(block):
            if str(key.value).endswith("_ref"):
                yield key


@check("SL108")
def unsupported_secret_ref(context: CheckContext) -> Iterator[Hit]:
    if not any(may_spell(document.text, "_ref") for document in context.config.documents):
        return  # no key can end in _ref
    for site in context.config.sites_with((*_REF_BLOCKS, "tls_config")):
        for key in _ref_keys(site):
            file_field = str(key.value).removesuffix("_ref") + "_file"
            yield site.hit(
                key,
                f"{site.label} uses {key.value}, but Prometheus configures no secret manager: "
                "building the client fails with `cannot use secret ref without manager`",
                f"Use {file_field} instead.",
            )


# --- SL109: placeholders -------------------------------------------------------------------

# The placeholder shapes, searched in this order (the first shape found wins, at its leftmost
# position):
#   1. `<secret>` or `<redacted>` (any case);
#   2. `${...}`, `{{ ... }}` (on one line), `%{...}`, or a run of 5+ `x`/`X`;
#   3. `$NAME` (upper case), or `<...>` holding white space or an upper-case word.
# Values can be megabytes long (hostile input); every search below is linear in the length of the
# value, where the equivalent single regular expressions backtrack quadratically.
_PLACEHOLDER_LITERAL = re.compile(r"<(?:secret|redacted)>", re.IGNORECASE)
_X_RUN = re.compile(r"[xX]{5,}")
_UPPER_NAME = re.compile(r"\$[A-Z_][A-Z0-9_]*")
_ANGLE_END = re.compile(r"[<>\n]")
_ANGLE_CONTENT = re.compile(r"\s|\b[A-Z][A-Z0-9_]+\b")


def _closed(text: str, opener: str) -> tuple[int, int] | None:
    """`${...}` / `%{...}`: the first opener followed, anywhere later, by `}`."""
    start = text.find(opener)
    if start < 0:
        return None
    close = text.find("}", start + 2)
    return (start, close + 1) if close >= 0 else None


def _template(text: str) -> tuple[int, int] | None:
    """`{{ ... }}` on one line: the first `{{` whose next `}}` comes before any newline."""
    start = text.find("{{")
    close = -1
    while start >= 0:
        if close < start + 2:
            close = text.find("}}", start + 2)
            if close < 0:
                return None
        newline = text.rfind("\n", start + 2, close)
        if newline < 0:
            return start, close + 2
        start = text.find("{{", newline + 1)
    return None


def _angle(text: str) -> tuple[int, int] | None:
    """`<...>` holding white space or an upper-case word, with no `<` or `>` inside.

    The content has no newline, except one that is itself the white space.
    """
    start = text.find("<")
    while start >= 0:
        end = _ANGLE_END.search(text, start + 1)
        if end is None:
            return None
        stop = end.start()
        if text[stop] == ">" and _ANGLE_CONTENT.search(text, start + 1, stop):
            return start, stop + 1
        if text[stop] == "\n":
            after = _ANGLE_END.search(text, stop + 1)
            if after is not None and text[after.start()] == ">":
                return start, after.start() + 1
        start = text.find("<", start + 1)
    return None


def _leftmost(text: str, spans: list[tuple[int, int] | None]) -> str | None:
    found = [span for span in spans if span is not None]
    if not found:
        return None
    start, end = min(found)
    return text[start:end]


def _regex_span(pattern: re.Pattern[str], text: str) -> tuple[int, int] | None:
    match = pattern.search(text)
    return match.span() if match else None


def _may_hold_placeholder(text: str) -> bool:
    """Every placeholder holds one of `<$%{` or a run of five x; most values hold none.

    Five substring tests are several times faster than the equivalent `[<${%]|[xX]{5}`
    search (its alternation defeats the regex engine's fast scan), and as linear. Only `x` and
    `X` lower to a text holding an `x`, so the last test finds exactly the runs of `[xX]`.
    """
    return "<" in text or "$" in text or "{" in text or "%" in text or "xxxxx" in text.lower()


def placeholder_in(text: str) -> str | None:
    """The placeholder in a value, if any (case matters for `$NAME` and `<WORD>`)."""
    if not _may_hold_placeholder(text):
        return None
    literal = _PLACEHOLDER_LITERAL.search(text)
    if literal:
        return literal.group(0)
    generic = _leftmost(
        text,
        [
            _closed(text, "${"),
            _template(text),
            _closed(text, "%{"),
            _regex_span(_X_RUN, text),
        ],
    )
    if generic is not None:
        return generic
    return _leftmost(text, [_regex_span(_UPPER_NAME, text), _angle(text)])


_PLACEHOLDER_FIELDS = {
    "basic_auth": ("username", "password", "username_file", "password_file"),
    "authorization": ("credentials", "credentials_file"),
    "oauth2": (
        "client_id", "client_secret", "client_secret_file", "token_url",
        "client_certificate_key", "client_certificate_key_file", "proxy_url",
    ),
    "sigv4": ("access_key", "secret_key", "role_arn", "profile"),
}  # fmt: skip
_SITE_PLACEHOLDER_FIELDS = (
    "bearer_token", "bearer_token_file", "url", "proxy_url", "api_server", "server", "token",
    "auth_token", "auth_token_file", "secret_key", "secret_key_file", "password", "username",
    "access_key", "client_id", "client_secret", "kubeconfig_file",
)  # fmt: skip
_TLS_PLACEHOLDER_FIELDS = ("ca_file", "cert_file", "key_file", "key")


_SITE_FIELD_SET = frozenset(_SITE_PLACEHOLDER_FIELDS)
_BLOCK_FIELD_SETS = {block: frozenset(names) for block, names in _PLACEHOLDER_FIELDS.items()}
_TLS_FIELD_SET = frozenset(_TLS_PLACEHOLDER_FIELDS)


def _placeholder_candidates(site: Site) -> Iterator[tuple[Node, str]]:
    """(value, field) for every field above that the site sets."""
    for node, block, name in _candidate_fields(site):
        yield node, f"{block}.{name}" if block else name


def _candidate_fields(site: Site) -> Iterator[tuple[Node, str, str]]:
    """(value, block, key) for every field above that the site sets (block "": the site's)."""
    # Blocks are read in place (no list of their pairs): this runs for most sites.
    fields = site.fields
    for name, node in fields.items():
        if name in _SITE_FIELD_SET:
            yield node, "", name
        elif name in _BLOCK_FIELD_SETS and isinstance(node, MappingNode):
            wanted = _BLOCK_FIELD_SETS[name]
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.value in wanted:
                    yield value, name, key.value
    for tls in site.tls_configs:
        for key, value in tls.value:
            if isinstance(key, ScalarNode) and key.value in _TLS_FIELD_SET:
                yield value, "tls_config", key.value
    if "http_headers" in fields:  # rare: no generator for the others
        for item, field in _header_candidates(site):
            yield item, "", field


def _header_candidates(site: Site) -> Iterator[tuple[Node, str]]:
    for header, spec in mapping_pairs(site.get("http_headers")):
        for part in ("values", "secrets", "files"):
            for item in items(get(spec, part)):
                if isinstance(item, ScalarNode):
                    yield item, f"http_headers.{header.value}.{part}"


def _describe_placeholder(field: str, placeholder: str, text: str) -> str:
    """Name the placeholder only where it cannot be part of a real secret."""
    if field.endswith(("_file", "url", "server", "api_server")) or text.strip() == placeholder:
        return f"the placeholder {placeholder[:60]}"
    return "a placeholder"


@check("SL109")
def unexpanded_placeholder(context: CheckContext) -> Iterator[Hit]:
    if context.options.expand_env:
        return
    keys = (*_SITE_PLACEHOLDER_FIELDS, *_PLACEHOLDER_FIELDS, "tls_config", "http_headers")
    for site in context.config.sites_with(keys):
        for node, block, name in _candidate_fields(site):
            text = text_of(node)
            placeholder = placeholder_in(text) if text else None
            if placeholder is None:
                continue
            field = f"{block}.{name}" if block else name
            yield site.hit(
                node,
                f"{site.label}: {field} holds {_describe_placeholder(field, placeholder, text)}; "
                "Prometheus does not expand it and sends the literal text",
                "Render the file before deploying it (and set `expand-env: true` for "
                "scrapelint), or point a *_file field at the real secret.",
            )


# --- SL111: reserved headers -----------------------------------------------------------

_REMOTE_RESERVED = frozenset(
    {
        "host", "content-encoding", "content-length", "content-type", "user-agent",
        "connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
        "www-authenticate", "accept-encoding", "x-prometheus-remote-write-version",
        "x-prometheus-remote-read-version", "x-amz-date", "x-amz-security-token",
        "x-amz-content-sha256",
    }
)  # fmt: skip
RESERVED_HEADERS = _REMOTE_RESERVED | {"authorization", "x-prometheus-scrape-timeout-seconds"}


def _canonical(name: str) -> str:
    return "-".join(part.capitalize() for part in name.split("-"))


def _remote_header_message(name: str, where: str) -> str | None:
    lowered = name.lower()
    if lowered == "authorization":
        if where == "tracing":
            return "custom authorization header configuration is not yet supported"
        return (
            "authorization header must be changed via the basic_auth, authorization, oauth2, "
            "sigv4, azuread or google_iam parameter"
        )
    if lowered in _REMOTE_RESERVED:
        return f"{lowered} is a reserved header. It must not be changed"
    return None


@check("SL111")
def reserved_header(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with(("headers", "http_headers")):
        if site.kind in ("remote_write", "remote_read"):
            yield from _headers_hits(site.get("headers"), site.kind, site.hit)
        for key, _ in mapping_pairs(site.get("http_headers")):
            name = str(key.value)
            if name.lower() in RESERVED_HEADERS:
                yield site.hit(
                    key,
                    f"{site.label} sets the reserved header {name} in http_headers; Prometheus "
                    f'refuses the config: `setting header "{_canonical(name)}" is not allowed`',
                    _header_fix(name),
                )
    tracing = get(context.document.root, "tracing")
    yield from _headers_hits(get(tracing, "headers"), "tracing", _document_hit(context))


def _headers_hits(headers: Node | None, where: str, make_hit: HitMaker) -> Iterator[Hit]:
    for key, _ in mapping_pairs(headers):
        message = _remote_header_message(str(key.value), where)
        if message is not None:
            yield make_hit(
                key,
                f"{where} sets the header {key.value}, which Prometheus reserves; it refuses the "
                f"config: `{message}`",
                _header_fix(str(key.value)),
            )


def _header_fix(name: str) -> str:
    if name.lower() == "authorization":
        return "Remove the header and use an auth block (authorization with credentials_file)."
    return "Remove the header: Prometheus sets it itself."


def _document_hit(context: CheckContext) -> HitMaker:
    def make(node: Node | None, message: str, help: str = "") -> Hit:
        return Hit(node, message, help, document=context.document)

    return make


# --- SL112 / SL113 / SL114 ------------------------------------------------------------


def _first_key(node: MappingNode) -> Node:
    return node.value[0][0] if node.value else node


def _missing(block: Node | None, required: tuple[str, ...]) -> list[str]:
    return [name for name in required if not present(get(block, name))]


def _incomplete_sd(site: Site) -> list[str]:
    sd_type = site.sd_type
    if sd_type == "azure":
        method = text_of(site.get("authentication_method")) or "OAuth"
        required: tuple[str, ...] = ("subscription_id",)
        if method == "OAuth":
            required += ("tenant_id", "client_id", "client_secret")
        return _missing(site.node, required)
    if sd_type in ("scaleway", "outscale"):
        return (
            []
            if any(present(site.get(k)) for k in ("secret_key", "secret_key_file"))
            else ["secret_key or secret_key_file"]
        )
    if sd_type == "ovhcloud":
        return _missing(site.node, ("application_key", "application_secret", "consumer_key"))
    if sd_type == "uyuni":
        return _missing(site.node, ("username", "password"))
    if sd_type == "oci" and (text_of(site.get("auth")) or "api_key") == "api_key":
        return _missing(site.node, ("tenancy", "user", "fingerprint", "key_file"))
    return []


@check("SL112")
def incomplete_auth_config(context: CheckContext) -> Iterator[Hit]:
    sd_types = ("azure", "scaleway", "outscale", "ovhcloud", "uyuni", "oci")
    for site in context.config.sites_with(("oauth2", "sigv4"), sd_types=sd_types):
        oauth2 = site.get("oauth2")
        if isinstance(oauth2, MappingNode):
            missing = _missing(oauth2, ("client_id", "token_url"))
            if missing:
                yield site.hit(
                    site.key("oauth2"),
                    _incomplete_message(site, "oauth2", missing),
                    "Set oauth2.client_id and oauth2.token_url.",
                )
        yield from _sigv4_hits(site)
        if site.kind == "sd":
            missing = _incomplete_sd(site)
            if missing:
                yield site.hit(
                    _first_key(site.node),
                    _incomplete_message(site, f"{site.sd_type}_sd_configs", missing),
                    "Add the missing fields.",
                )


def _sigv4_hits(site: Site) -> Iterator[Hit]:
    sigv4 = site.get("sigv4")
    has_access = present(get(sigv4, "access_key"))
    if has_access != present(get(sigv4, "secret_key")):
        missing = ["secret_key"] if has_access else ["access_key"]
        yield site.hit(
            site.key("sigv4"),
            _incomplete_message(site, "sigv4", missing),
            "Drop both keys and use an IAM role or profile, or set both.",
        )


def _incomplete_message(site: Site, block: str, missing: list[str]) -> str:
    return f"{site.label}: {block} is missing {', '.join(missing)}; Prometheus refuses the config"


_METHOD_VALUES = {
    ("azure", "authentication_method"): ("OAuth", "ManagedIdentity", "SDK", "WorkloadIdentity"),
    ("oci", "auth"): ("api_key", "instance_principal"),
}
_SIGNATURE_ALGORITHMS = ("RS256", "RS384", "RS512")


def _method_value_hits(site: Site) -> Iterator[tuple[Node, str, tuple[str, ...]]]:
    for (sd_type, field), allowed in _METHOD_VALUES.items():
        node = site.get(field) if site.sd_type == sd_type else None
        if node is not None and text_of(node) not in allowed:
            yield node, field, allowed
    oauth2 = site.get("oauth2")
    grant = get(oauth2, "grant_type")
    if grant is not None and text_of(grant) and text_of(grant) not in _GRANT_TYPES:
        yield grant, "oauth2.grant_type", _GRANT_TYPES
    if text_of(grant) == JWT_BEARER:
        node = get(oauth2, "signature_algorithm")
        if node is not None and text_of(node) and text_of(node) not in _SIGNATURE_ALGORITHMS:
            yield node, "oauth2.signature_algorithm", _SIGNATURE_ALGORITHMS


@check("SL113")
def unknown_auth_method(context: CheckContext) -> Iterator[Hit]:
    sd_types = [sd_type for sd_type, _ in _METHOD_VALUES]
    for site in context.config.sites_with(("oauth2",), sd_types=sd_types):
        for node, field, allowed in _method_value_hits(site):
            outcome = (
                "it treats the value as client_credentials and the token request fails"
                if field == "oauth2.grant_type"
                else "it refuses the config"
            )
            yield site.hit(
                node,
                f"{site.label}: {field} {text_of(node)!r} is not one Prometheus accepts "
                f"({', '.join(allowed)}); {outcome}",
                f"Use one of: {', '.join(allowed)} (the names are case-sensitive).",
            )


_PROXY_KEYS = frozenset({"proxy_url", "no_proxy", "proxy_connect_header", "proxy_from_environment"})


def _proxy_problems(block: Node | None) -> Iterator[tuple[str, str]]:
    has = {
        name: present(get(block, name))
        for name in ("proxy_url", "no_proxy", "proxy_connect_header")
    }
    from_env = text_of(get(block, "proxy_from_environment")).lower() in ("true", "yes", "on")
    if has["proxy_connect_header"] and not (has["proxy_url"] or from_env):
        yield (
            "proxy_connect_header",
            (
                "if proxy_connect_header is configured, proxy_url or "
                "proxy_from_environment must also be configured"
            ),
        )
    if from_env and has["proxy_url"]:
        yield (
            "proxy_from_environment",
            ("if proxy_from_environment is configured, proxy_url must not be configured"),
        )
    if from_env and has["no_proxy"]:
        yield (
            "proxy_from_environment",
            ("if proxy_from_environment is configured, no_proxy must not be configured"),
        )
    if has["no_proxy"] and not has["proxy_url"] and not from_env:
        yield "no_proxy", "if no_proxy is configured, proxy_url must also be configured"


@check("SL114")
def invalid_proxy_config(context: CheckContext) -> Iterator[Hit]:
    for site in context.config.sites_with((*_PROXY_KEYS, "oauth2")):
        for block in (site.node, site.get("oauth2")):
            if block is None or (block is site.node and site.fields.keys().isdisjoint(_PROXY_KEYS)):
                continue  # no proxy setting: nothing to refuse
            for key_name, message in _proxy_problems(block):
                key = get_key(block, key_name)
                if key is not None:
                    yield site.hit(
                        key,
                        f"{site.label}: proxy settings Prometheus refuses: `{message}`",
                        "Use either proxy_url (with no_proxy and proxy_connect_header) or "
                        "proxy_from_environment alone.",
                    )
