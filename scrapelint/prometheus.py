"""The Prometheus domain view: every place that builds an HTTP client, with what checks need.

Checks never walk raw YAML; they read the sites built here once per file. Facts behind the
choices (which blocks carry an http_config, how the scheme is chosen) are in the project's
prometheus-config-facts reference, §1.2 and §5.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from scrapelint.document import (
    Document,
    MappingNode,
    Node,
    ScalarNode,
    as_text,
    get,
    items,
    mapping_pairs,
)
from scrapelint.hit import Hit
from scrapelint.lazy import cached_property

SiteKind = Literal["scrape", "sd", "alertmanager", "remote_write", "remote_read"]

TOP_LEVEL_KEYS = frozenset(
    {
        "global",
        "scrape_configs",
        "scrape_config_files",
        "rule_files",
        "alerting",
        "remote_write",
        "remote_read",
        "storage",
        "tracing",
        "otlp",
        "runtime",
    }
)

# SD mechanisms whose discovery API is reached through a URL-valued field.
SD_URL_FIELDS: dict[str, str] = {
    "http": "url",
    "puppetdb": "url",
    "eureka": "server",
    "kuma": "server",
    "kubernetes": "api_server",
    "nomad": "server",
    "uyuni": "server",
    "docker": "host",
    "dockerswarm": "host",
}
# SD mechanisms that talk to a fixed cloud API over https.
SD_CLOUD = frozenset(
    {
        "aws", "ec2", "ecs", "elasticache", "lightsail", "msk", "rds", "azure", "digitalocean",
        "hetzner", "ionos", "linode", "oci", "outscale", "ovhcloud", "scaleway", "stackit",
        "vultr", "gce",
    }
)  # fmt: skip
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost"})
_LOOPBACK_V6 = frozenset({"::1", "0:0:0:0:0:0:0:1"})
_CONSTANT_REGEXES = frozenset({"(.*)", ".*", "(.+)", ".+"})
_CAPTURE_REF = re.compile(r"\$(\{?\w+\}?)")


class Scheme(NamedTuple):
    """The scheme requests will use. `value` None means unknown (copied from a label)."""

    value: str | None
    node: Node | None = None
    raw: str | None = None


class Target(NamedTuple):
    node: ScalarNode
    text: str
    host: str | None
    port: int | None
    userinfo: str | None
    is_url: bool
    scheme: Scheme

    @property
    def is_loopback(self) -> bool:
        return self.host is not None and is_loopback_host(self.host)


class RelabelRule(NamedTuple):
    node: MappingNode
    action: str
    source_labels: tuple[str, ...]
    regex: str | None
    regex_node: Node | None
    target_label: str | None
    replacement: str | None
    replacement_node: Node | None

    @property
    def sets_constant(self) -> bool:
        """True when the rule writes the same value into target_label for every target."""
        if self.action != "replace" or self.replacement is None:
            return False
        if _CAPTURE_REF.search(self.replacement):
            return False
        return not self.source_labels or (self.regex or "(.*)") in _CONSTANT_REGEXES

    @property
    def writes(self) -> str | None:
        return self.target_label if self.action in ("replace", "lowercase", "uppercase") else None


@dataclass(frozen=True, eq=False, repr=False)
class Site:
    """One HTTP client: a scrape job, an SD entry, an alertmanager, a remote_write/read."""

    kind: SiteKind
    node: MappingNode
    document: Document
    job_name: str | None
    sd_type: str | None
    parent: Site | None
    scheme: Scheme
    targets: tuple[Target, ...] = ()
    has_discovery: bool = False
    relabel_rules: tuple[RelabelRule, ...] = ()
    kubernetes_roles: tuple[ScalarNode, ...] = ()
    url_node: Node | None = None

    # The site's keys are read by every check: they are indexed once (keys are unique once the
    # document is read, so an index answers what a scan of the mapping would).

    @cached_property
    def pairs(self) -> list[tuple[ScalarNode, Node]]:
        """The (key, value) pairs of the site's mapping that have scalar keys, in order."""
        return mapping_pairs(self.node)

    @cached_property
    def fields(self) -> dict[str, Node]:
        """The site's values by key (the first one, should a key repeat)."""
        return _fields(self.node)

    @cached_property
    def key_nodes(self) -> dict[str, ScalarNode]:
        """The site's key nodes by name (the first one, should a key repeat)."""
        return {k.value: k for k, _ in reversed(self.node.value) if k.__class__ is ScalarNode}

    @cached_property
    def tls_configs(self) -> tuple[MappingNode, ...]:
        """The site's tls_config and the one inside its oauth2 block, when they are mappings."""
        blocks = (self.fields.get("tls_config"), get(self.fields.get("oauth2"), "tls_config"))
        return tuple(block for block in blocks if isinstance(block, MappingNode))

    def get(self, key: str) -> Node | None:
        return self.fields.get(key)

    def hit(self, node: Node | None, message: str, help: str = "") -> Hit:
        return Hit(node, message, help, document=self.document, scope=self.node)

    def key(self, key: str) -> ScalarNode | None:
        return self.key_nodes.get(key)

    @cached_property
    def label(self) -> str:
        """How messages name the site: `job "node"`, `remote_write[0]`, ... (every finding's
        message about the site names it)."""
        if self.kind == "scrape":
            return (
                f'job "{self.job_name}"' if self.job_name is not None else "a job without job_name"
            )
        if self.kind == "sd":
            owner = self.parent.label if self.parent else "?"
            return f"{self.sd_type}_sd_configs entry of {owner}"
        if self.kind == "alertmanager":
            return "alertmanager"
        return self.kind

    @property
    def targets_known(self) -> bool:
        return bool(self.targets) and not self.has_discovery

    @cached_property
    def address_rewritten(self) -> bool:
        return any(rule.writes == "__address__" for rule in self.relabel_rules)

    def relabel_writes(self, label: str) -> list[RelabelRule]:
        return [rule for rule in self.relabel_rules if rule.writes == label]


@dataclass(frozen=True, eq=False, repr=False)
class PrometheusConfig:
    """The domain view of one config: its documents and every HTTP client site in them."""

    document: Document
    sites: tuple[Site, ...]
    included: tuple[Document, ...] = field(default_factory=tuple)

    @cached_property
    def jobs(self) -> tuple[Site, ...]:
        return tuple(site for site in self.sites if site.kind == "scrape")

    @property
    def documents(self) -> tuple[Document, ...]:
        return (self.document, *self.included)

    def sites_with(
        self,
        keys: Iterable[str] = (),
        *,
        kinds: Iterable[str] = (),
        sd_types: Iterable[str] = (),
    ) -> list[Site]:
        """The sites, in order, whose mapping has one of the keys, or of those kinds or SD types.

        A check whose findings all need one of a few keys reads only the sites that have one:
        a large config has thousands of sites, most of them without the key.
        """
        index = self._index
        found: set[int] = set()
        for group in (keys, (f"kind:{kind}" for kind in kinds), (f"sd:{t}" for t in sd_types)):
            for name in group:
                found.update(index.get(name, ()))
        sites = self.sites
        return [sites[position] for position in sorted(found)]

    @cached_property
    def _index(self) -> dict[str, list[int]]:
        """The positions in `sites` of the sites with each key, kind and SD type."""
        index: defaultdict[str, list[int]] = defaultdict(list)
        for position, site in enumerate(self.sites):
            for name in site.fields:
                index[name].append(position)
            index[f"kind:{site.kind}"].append(position)
            if site.sd_type is not None:
                index[f"sd:{site.sd_type}"].append(position)
        return dict(index)


def is_prometheus_config(root: Node | None) -> bool:
    return isinstance(root, MappingNode) and any(
        key.value in TOP_LEVEL_KEYS for key, _ in mapping_pairs(root)
    )


def is_loopback_host(host: str) -> bool:
    # Plain string tests: ipaddress would cost more start-up time than every lint of a small file.
    name = host.strip("[]").lower()
    if name in _LOOPBACK_NAMES or name in _LOOPBACK_V6:
        return True
    parts = name.split(".")
    return (
        len(parts) == 4 and parts[0] == "127" and all(p.isdigit() and int(p) < 256 for p in parts)
    )


def build(document: Document, included: tuple[Document, ...] = ()) -> PrometheusConfig:
    sites: list[Site] = []
    for doc in (document, *included):
        sites.extend(_document_sites(doc))
    return PrometheusConfig(document, tuple(sites), included)


def _document_sites(doc: Document) -> Iterator[Site]:
    root = doc.root
    for job in items(get(root, "scrape_configs")):
        if isinstance(job, MappingNode):
            yield from _scrape_sites(doc, job)
    for manager in items(get(get(root, "alerting"), "alertmanagers")):
        if isinstance(manager, MappingNode):
            yield from _alertmanager_sites(doc, manager)
    for kind in ("remote_write", "remote_read"):
        for entry in items(get(root, kind)):
            if isinstance(entry, MappingNode):
                yield _url_site(doc, entry, kind)


def _fields(node: MappingNode) -> dict[str, Node]:
    """A mapping's values by scalar key, the first one winning (as `get` finds them)."""
    return {str(k.value): v for k, v in reversed(node.value) if isinstance(k, ScalarNode)}


def _scrape_sites(doc: Document, job: MappingNode) -> Iterator[Site]:
    fields = _fields(job)
    job_name = as_text(fields.get("job_name"))
    rules = _relabel_rules(fields)
    site = _target_site(doc, job, fields, "scrape", job_name, rules)
    yield site
    if site.has_discovery:
        yield from _sd_sites(doc, job, site)


def _alertmanager_sites(doc: Document, manager: MappingNode) -> Iterator[Site]:
    fields = _fields(manager)
    site = _target_site(doc, manager, fields, "alertmanager", None, _relabel_rules(fields))
    yield site
    if site.has_discovery:
        yield from _sd_sites(doc, manager, site)


def _target_site(
    doc: Document,
    node: MappingNode,
    fields: dict[str, Node],
    kind: SiteKind,
    job_name: str | None,
    rules: tuple[RelabelRule, ...],
) -> Site:
    scheme = _relabelled_scheme(_scheme_field(fields.get("scheme")), rules)
    targets = tuple(_static_targets(fields, scheme, rules))
    roles = tuple(_kubernetes_roles(fields))
    site = Site(
        kind=kind,
        node=node,
        document=doc,
        job_name=job_name,
        sd_type=None,
        parent=None,
        scheme=scheme,
        targets=targets,
        has_discovery=any(name.endswith("_sd_configs") for name in fields),
        relabel_rules=rules,
        kubernetes_roles=roles,
    )
    return _with_fields(site, fields)


def _with_fields(site: Site, fields: dict[str, Node]) -> Site:
    site.__dict__["fields"] = fields  # the value of the cached property, computed already
    # Checks call site.get about a hundred thousand times on a large config: the dict's own
    # bound method answers them without a Python frame (it shadows the method below).
    site.__dict__["get"] = fields.get
    return site


def _declared_scheme(node: MappingNode) -> Scheme:
    return _scheme_field(get(node, "scheme"))


def _scheme_field(value_node: Node | None) -> Scheme:
    raw = as_text(value_node)
    if raw is None:
        return Scheme("http")
    return Scheme(raw.lower(), value_node, raw)


def _relabelled_scheme(scheme: Scheme, rules: tuple[RelabelRule, ...]) -> Scheme:
    for rule in rules:
        if rule.writes != "__scheme__":
            continue
        if rule.sets_constant and rule.replacement is not None:
            scheme = Scheme(rule.replacement.lower(), rule.replacement_node, rule.replacement)
        else:
            scheme = Scheme(None, rule.node)
    return scheme


def _static_targets(
    fields: dict[str, Node], scheme: Scheme, rules: tuple[RelabelRule, ...]
) -> Iterator[Target]:
    for group in items(fields.get("static_configs")):
        group_scheme = _group_scheme(group, scheme, rules)
        for item in items(get(group, "targets")):
            if isinstance(item, ScalarNode):
                yield parse_target(item, group_scheme)


def _group_scheme(group: Node, scheme: Scheme, rules: tuple[RelabelRule, ...]) -> Scheme:
    labels = get(group, "labels")
    label_value = as_text(get(labels, "__scheme__"))
    if label_value is None:
        return scheme
    # A target label wins over the job's scheme; relabelling still comes after it.
    return _relabelled_scheme(Scheme(label_value.lower(), get(labels, "__scheme__")), rules)


def parse_target(node: ScalarNode, scheme: Scheme) -> Target:
    text = str(node.value).strip()
    if "/" not in text and "@" not in text and "?" not in text and "#" not in text:
        host, port = split_host_port(text)  # `host:port`, nearly every target
        return Target(node, text, host, port, None, False, scheme)
    return parse_url_target(node, text, scheme)


def parse_url_target(node: ScalarNode, text: str, scheme: Scheme) -> Target:
    """parse_target for any text: a URL, userinfo, a path (each one a finding elsewhere)."""
    is_url = "://" in text or "/" in text
    netloc = text.partition("://")[2] if "://" in text else text
    for stop in "/?#":
        netloc = netloc.partition(stop)[0]
    userinfo, _, hostport = netloc.rpartition("@")
    host, port = split_host_port(hostport)
    return Target(node, text, host, port, userinfo if "@" in netloc else None, is_url, scheme)


def split_host_port(hostport: str) -> tuple[str | None, int | None]:
    """`host:port`, `[v6]:port` or a bare host; the port is None when absent or invalid."""
    if hostport.startswith("["):
        host, _, rest = hostport[1:].partition("]")
        port_text = rest[1:] if rest.startswith(":") else ""
    elif hostport.count(":") == 1:
        host, _, port_text = hostport.partition(":")
    else:
        host, port_text = hostport, ""
    port = int(port_text) if port_text.isdigit() and int(port_text) < 65536 else None
    return (host.lower() or None), port


def _kubernetes_roles(fields: dict[str, Node]) -> Iterator[ScalarNode]:
    for entry in items(fields.get("kubernetes_sd_configs")):
        role = get(entry, "role")
        if isinstance(role, ScalarNode):
            yield role


def _relabel_rules(fields: dict[str, Node]) -> tuple[RelabelRule, ...]:
    return tuple(
        _relabel_rule(rule)
        for rule in items(fields.get("relabel_configs"))
        if isinstance(rule, MappingNode)
    )


def _relabel_rule(node: MappingNode) -> RelabelRule:
    fields = _fields(node)
    sources = tuple(
        text for text in (as_text(i) for i in items(fields.get("source_labels"))) if text
    )
    replacement_node = fields.get("replacement")
    regex_node = fields.get("regex")
    return RelabelRule(
        node=node,
        action=(as_text(fields.get("action")) or "replace").lower(),
        source_labels=sources,
        regex=as_text(regex_node),
        regex_node=regex_node,
        target_label=as_text(fields.get("target_label")),
        replacement=as_text(replacement_node) if replacement_node is not None else "$1",
        replacement_node=replacement_node,
    )


def _is_sd_key(key: object) -> bool:
    return isinstance(key, str) and key.endswith("_sd_configs")


def _sd_sites(doc: Document, owner: MappingNode, parent: Site) -> Iterator[Site]:
    for key, value in mapping_pairs(owner):
        if not _is_sd_key(key.value):
            continue
        sd_type = str(key.value).removesuffix("_sd_configs")
        for entry in items(value):
            if isinstance(entry, MappingNode):
                yield _sd_site(doc, entry, sd_type, parent)


def _sd_site(doc: Document, entry: MappingNode, sd_type: str, parent: Site) -> Site:
    fields = _fields(entry)
    url_node = fields.get(SD_URL_FIELDS[sd_type]) if sd_type in SD_URL_FIELDS else None
    if sd_type == "marathon":
        url_node = next(iter(items(fields.get("servers"))), None)
    targets = _url_targets(url_node)
    if sd_type == "consul":
        targets = _consul_targets(entry)
    site = Site(
        kind="sd",
        node=entry,
        document=doc,
        job_name=parent.job_name,
        sd_type=sd_type,
        parent=parent,
        scheme=_sd_scheme(entry, sd_type, url_node),
        targets=targets,
        url_node=url_node,
    )
    return _with_fields(site, fields)


def _consul_targets(entry: MappingNode) -> tuple[Target, ...]:
    """Consul's `server` is host:port, and Prometheus defaults it to localhost:8500."""
    server = get(entry, "server")
    if isinstance(server, ScalarNode):
        return (parse_target(server, _declared_scheme(entry)),)
    host_port = ScalarNode(
        "tag:yaml.org,2002:str", "localhost:8500", entry.start_mark, entry.end_mark
    )
    return (parse_target(host_port, _declared_scheme(entry)),)


def _sd_scheme(entry: MappingNode, sd_type: str, url_node: Node | None) -> Scheme:
    if sd_type == "consul":
        return _declared_scheme(entry)
    if url_node is not None:
        return url_scheme(url_node)
    if sd_type in SD_CLOUD or sd_type == "kubernetes":
        return Scheme("https")
    return Scheme(None)


def url_scheme(node: Node) -> Scheme:
    text = as_text(node) or ""
    raw = text.partition("://")[0] if "://" in text else None
    return Scheme(raw.lower() if raw else None, node, raw)


def _url_targets(url_node: Node | None) -> tuple[Target, ...]:
    if not isinstance(url_node, ScalarNode):
        return ()
    return (parse_target(url_node, url_scheme(url_node)),)


def _url_site(doc: Document, entry: MappingNode, kind: SiteKind) -> Site:
    fields = _fields(entry)
    url_node = fields.get("url")
    scheme = url_scheme(url_node) if url_node is not None else Scheme(None)
    site = Site(
        kind=kind,
        node=entry,
        document=doc,
        job_name=None,
        sd_type=None,
        parent=None,
        scheme=scheme,
        targets=_url_targets(url_node),
        url_node=url_node,
    )
    return _with_fields(site, fields)
