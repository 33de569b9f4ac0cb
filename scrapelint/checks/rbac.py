"""SL501-SL504: Kubernetes RBAC for what the Prometheus config needs (the 403 family).

The rules run only when Kubernetes manifests with RBAC objects are among the inputs. For each
ServiceAccount Prometheus runs as (scrapelint.rbac.accounts), every job's needs are checked:
- SL501: in-cluster kubernetes_sd discovery lists and watches what its role needs;
- SL502: kubelet scrapes need `get nodes/metrics`, or `get nodes/proxy` through the apiserver;
- SL503: apiserver scrapes need `get` on the non-resource URL of their metrics path;
- SL504: a needed permission that a role among the manifests grants, but that no binding gives
  Prometheus where it needs it (the fix is a binding, not a rule).
Scrapes count only when they send the pod's ServiceAccount token (otherwise the identity is not
the ServiceAccount, or the 401 of SL101 comes first); in-cluster discovery always sends it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

from scrapelint.checks.auth import _APISERVER_KEEP, _APISERVER_PROXY_PATH
from scrapelint.credentials import present
from scrapelint.defaults import KUBELET_METRICS_PATHS, KUBELET_PORT, LintOptions
from scrapelint.document import Document, Node, as_bool, as_text, get, items
from scrapelint.engine import CheckContext, Hit
from scrapelint.prometheus import PrometheusConfig, Site
from scrapelint.registry import check

if TYPE_CHECKING:
    from scrapelint.rbac import Account, Binding, Grants, Need, Policy, Ref, Role

# What each kubernetes_sd role lists and watches: (API group, resource).
DISCOVERY: dict[str, tuple[tuple[str, str], ...]] = {
    "node": (("", "nodes"),),
    "service": (("", "services"),),
    "pod": (("", "pods"),),
    "endpoints": (("", "endpoints"), ("", "services"), ("", "pods")),
    "endpointslice": (("discovery.k8s.io", "endpointslices"), ("", "services"), ("", "pods")),
    "ingress": (("networking.k8s.io", "ingresses"),),
}
# Roles for which `attach_metadata: {node: true}` also watches nodes.
_NODE_METADATA_ROLES = frozenset({"pod", "endpoints", "endpointslice"})
_WATCH = ("list", "watch")
SERVICE_ACCOUNT_DIRS = (
    "/var/run/secrets/kubernetes.io/serviceaccount/",
    "/run/secrets/kubernetes.io/serviceaccount/",
)
APISERVER_PORT = 6443
_APISERVER_HOSTS = frozenset(
    {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
     "kubernetes.default.svc.cluster.local"}
)  # fmt: skip
_FORBIDDEN_DISCOVERY = "discovery fails with 403 Forbidden and finds no targets"
_FORBIDDEN_SCRAPE = "every scrape fails with 403 Forbidden"
_INDENT = "    "


class Requirement(NamedTuple):
    """What one job needs for one reason, and where a finding about it points."""

    rule_id: str
    site: Site
    anchor: Node
    reason: str
    needs: tuple[Need, ...]
    outcome: str


# --- the checks -----------------------------------------------------------------------------


@check("SL501")
def rbac_missing_discovery_permission(context: CheckContext) -> Iterator[Hit]:
    yield from _analysis(context).get("SL501", ())


@check("SL502")
def rbac_missing_kubelet_metrics(context: CheckContext) -> Iterator[Hit]:
    yield from _analysis(context).get("SL502", ())


@check("SL503")
def rbac_missing_nonresource_metrics(context: CheckContext) -> Iterator[Hit]:
    yield from _analysis(context).get("SL503", ())


@check("SL504")
def rbac_role_not_bound(context: CheckContext) -> Iterator[Hit]:
    yield from _analysis(context).get("SL504", ())


# The four checks share one analysis per linted file (one context), computed on first use.
_LAST: list[tuple[CheckContext, dict[str, list[Hit]]]] = []


def _analysis(context: CheckContext) -> dict[str, list[Hit]]:
    if _LAST and _LAST[0][0] is context:
        return _LAST[0][1]
    result = _evaluate(context) if context.manifests else {}
    _LAST[:] = [(context, result)]
    return result


@functools.lru_cache(maxsize=4)
def _policy(manifests: tuple[Document, ...]) -> Policy:
    from scrapelint import rbac  # only runs that were given manifests load the model

    return rbac.build(manifests)


def _evaluate(context: CheckContext) -> dict[str, list[Hit]]:
    from scrapelint import rbac

    policy = _policy(context.manifests)
    if not policy.has_rbac:
        return {}
    hits: dict[str, list[Hit]] = {}
    for account in rbac.accounts(policy, context.options.service_account):
        for rule_id, hit in _account_hits(policy, account, context.config, context.options):
            hits.setdefault(rule_id, []).append(hit)
    return hits


def _account_hits(
    policy: Policy, account: Account, config: PrometheusConfig, options: LintOptions
) -> Iterator[tuple[str, Hit]]:
    from scrapelint import rbac

    grants = rbac.Grants(policy, account)
    unbound: dict[tuple[Site, Ref], list[tuple[Requirement, Need]]] = {}
    for requirement in _requirements(config, options, account):
        direct: list[Need] = []
        for need in requirement.needs:
            if grants.verdict(need) != "missing":
                continue
            found = grants.grantors(need)
            if found:
                key = (requirement.site, found[0].ref)
                unbound.setdefault(key, []).append((requirement, need))
            else:
                direct.append(need)
        for hit in _missing_hits(grants, requirement, direct):
            yield requirement.rule_id, hit
    for (site, ref), pairs in unbound.items():
        role = policy.roles[(ref.kind, ref.namespace, ref.name)]
        yield "SL504", _unbound_hit(policy, account, site, role, pairs)


# --- what the config needs ------------------------------------------------------------------


def _requirements(
    config: PrometheusConfig, options: LintOptions, account: Account
) -> Iterator[Requirement]:
    for site in config.sites:
        if site.sd_type == "kubernetes" and site.parent is not None:
            found = _discovery(site, site.parent, account)
            if found is not None:
                yield found
    for job in config.jobs:
        if not _sends_service_account_token(job):
            continue
        kubelet = _kubelet(job, options)
        if kubelet is not None:
            yield kubelet
            continue
        apiserver = _apiserver(job)
        if apiserver is not None:
            yield apiserver


def _discovery(sd: Site, owner: Site, account: Account) -> Requirement | None:
    """In-cluster kubernetes_sd (no api_server, no kubeconfig_file) lists and watches."""
    from scrapelint.rbac import Need

    if present(sd.get("api_server")) or present(sd.get("kubeconfig_file")):
        return None
    role_node = sd.get("role")
    role = as_text(role_node)
    if role_node is None or role not in DISCOVERY:
        return None
    namespaces = (None,) if role == "node" else _namespaces(sd, account)
    needs = [
        Need(verb, group, resource, namespace)
        for group, resource in DISCOVERY[role]
        for namespace in namespaces
        for verb in _WATCH
    ]
    attach = get(sd.node, "attach_metadata")
    if role in _NODE_METADATA_ROLES and as_bool(get(attach, "node")):
        needs.extend(Need(verb, "", "nodes") for verb in _WATCH)
    reason = f"for kubernetes_sd role {role}"
    return Requirement("SL501", owner, role_node, reason, tuple(needs), _FORBIDDEN_DISCOVERY)


def _namespaces(sd: Site, account: Account) -> tuple[str | None, ...]:
    """The namespaces discovery lists in; (None,) means all of them at once."""
    block = sd.get("namespaces")
    names = [text for text in (as_text(i) for i in items(get(block, "names"))) if text]
    if as_bool(get(block, "own_namespace")):
        names.append(account.namespace)
    return tuple(dict.fromkeys(names)) or (None,)


def _sends_service_account_token(job: Site) -> bool:
    files = (
        as_text(get(job.get("authorization"), "credentials_file")),
        as_text(job.get("bearer_token_file")),
    )
    return any(path and path.startswith(SERVICE_ACCOUNT_DIRS) for path in files)


def _proxy_path(job: Site) -> Node | None:
    """The node that sends the scrape through the apiserver's node proxy, if any."""
    path_node = job.get("metrics_path")
    if path_node is not None and _APISERVER_PROXY_PATH.search(as_text(path_node) or ""):
        return path_node
    for rule in job.relabel_writes("__metrics_path__"):
        if rule.replacement and _APISERVER_PROXY_PATH.search(rule.replacement):
            return rule.replacement_node or rule.node
    return None


def _kubelet(job: Site, options: LintOptions) -> Requirement | None:
    from scrapelint.rbac import Need

    proxy = _proxy_path(job)
    if proxy is not None:
        need = Need("get", "", "nodes/proxy")
        reason = "to scrape kubelets through the kube-apiserver proxy"
        return Requirement("SL502", job, proxy, reason, (need,), _FORBIDDEN_SCRAPE)
    direct = _kubelet_anchor(job, options)
    if direct is None:
        return None
    anchor, reason = direct
    need = Need("get", "", "nodes/metrics")
    return Requirement("SL502", job, anchor, reason, (need,), _FORBIDDEN_SCRAPE)


def _kubelet_anchor(job: Site, options: LintOptions) -> tuple[Node, str] | None:
    if job.targets_known and all(t.port in options.plain_ports for t in job.targets):
        return None
    if not job.address_rewritten and KUBELET_PORT not in options.plain_ports:
        for role in job.kubernetes_roles:
            if as_text(role) == "node":
                return role, "to scrape the kubelet (kubernetes_sd role node targets :10250)"
        for target in job.targets:
            if target.port == KUBELET_PORT and not target.is_url:
                return target.node, f"to scrape the kubelet (target {target.text})"
    path_node = job.get("metrics_path")
    if path_node is not None and as_text(path_node) in KUBELET_METRICS_PATHS:
        return path_node, f"to scrape the kubelet (metrics_path {as_text(path_node)})"
    return None


def _apiserver(job: Site) -> Requirement | None:
    from scrapelint.rbac import Need

    if _proxy_path(job) is not None:
        return None
    anchor = _apiserver_anchor(job)
    if anchor is None:
        return None
    path = as_text(job.get("metrics_path")) or "/metrics"
    need = Need("get", "", "", url=path)
    reason = "to scrape the kube-apiserver"
    return Requirement("SL503", job, anchor, reason, (need,), _FORBIDDEN_SCRAPE)


def _apiserver_anchor(job: Site) -> Node | None:
    for rule in job.relabel_rules:
        if rule.action == "keep" and rule.regex == _APISERVER_KEEP and rule.regex_node:
            return rule.regex_node
    if job.address_rewritten:
        return None
    for target in job.targets:
        if target.is_url:
            continue
        if target.port == APISERVER_PORT or (
            target.host in _APISERVER_HOSTS and target.port in (None, 443)
        ):
            return target.node
    return None


# --- findings -------------------------------------------------------------------------------


def _missing_hits(grants: Grants, requirement: Requirement, needs: list[Need]) -> Iterator[Hit]:
    """One finding per role the missing rules belong in (usually one)."""
    homes: dict[Ref | None, tuple[tuple[Role, Binding] | None, list[Need]]] = {}
    for need in needs:
        target = grants.fix_target(need)
        key = target[0].ref if target else None
        homes.setdefault(key, (target, []))[1].append(need)
    account = grants.account
    for target, group in homes.values():
        restricted = (grants.restricted_by_names(need) for need in group)
        note = next(
            (
                f" ({ref.label} allows it only for the objects named in its resourceNames)"
                for ref in restricted
                if ref is not None
            ),
            "",
        )
        message = (
            f"{requirement.site.label} needs {describe(group)} {requirement.reason}, but "
            f"ServiceAccount {account} ({account.origin}) is not granted it{note}; "
            f"{requirement.outcome}"
        )
        help_text = _rule_help(grants.policy, account, target, group)
        yield requirement.site.hit(requirement.anchor, message, help_text)


def _unbound_hit(
    policy: Policy,
    account: Account,
    site: Site,
    role: Role,
    pairs: list[tuple[Requirement, Need]],
) -> Hit:
    needs = [need for _, need in pairs]
    anchor = site.get("job_name") or pairs[0][0].anchor
    outcome = (
        _FORBIDDEN_DISCOVERY
        if all(requirement.rule_id == "SL501" for requirement, _ in pairs)
        else "the requests fail with 403 Forbidden"
    )
    message = (
        f"{site.label} needs {describe(needs)}, which {role.ref.label} grants, but no binding "
        f"grants that role to ServiceAccount {account} ({account.origin})"
        f"{where_needed(needs)}: {_relation(policy, role, account)}; {outcome}"
    )
    return site.hit(anchor, message, _binding_help(policy, account, role, needs))


def where_needed(needs: Sequence[Need]) -> str:
    namespaces = {need.namespace for need in needs}
    if None in namespaces:
        return " cluster-wide"
    return _scope(list(namespaces))


def _relation(policy: Policy, role: Role, account: Account) -> str:
    from scrapelint import rbac

    parts: list[str] = []
    for binding in rbac.bindings_of(policy, role):
        if any(rbac.applies(subject, account, binding) for subject in binding.subjects):
            parts.append(f"{binding.ref.label} grants it only in namespace {binding.ref.namespace}")
            continue
        subjects = [subject.describe(binding) for subject in binding.subjects]
        shown = ", ".join(subjects[:3]) + (", ..." if len(subjects) > 3 else "")
        parts.append(f"{binding.ref.label} binds it to {shown or 'no subject'}")
    for binding in rbac.misplaced_bindings(policy, role, account):
        parts.append(
            f'{binding.ref.label} names Role "{role.ref.name}" but, being in namespace '
            f"{binding.ref.namespace}, refers to the Role of that namespace"
        )
    return "; ".join(parts) if parts else "nothing binds it"


# --- wording and YAML snippets --------------------------------------------------------------


def describe(needs: Sequence[Need]) -> str:
    """`list and watch on endpoints and pods in namespace apps`, `get on /metrics`, ..."""
    verbs: dict[str, list[str]] = {}
    scopes: dict[str, list[str | None]] = {}
    cluster: dict[str, bool] = {}
    for need in needs:
        verbs.setdefault(need.subject, [])
        if need.verb not in verbs[need.subject]:
            verbs[need.subject].append(need.verb)
        scopes.setdefault(need.subject, [])
        if need.namespace not in scopes[need.subject]:
            scopes[need.subject].append(need.namespace)
        cluster[need.subject] = need.cluster_scoped
    groups: dict[tuple[tuple[str, ...], str], list[str]] = {}
    for subject, subject_verbs in verbs.items():
        scope = "" if cluster[subject] else _scope(scopes[subject])
        groups.setdefault((tuple(subject_verbs), scope), []).append(subject)
    return ", plus ".join(
        f"{_and(list(group_verbs))} on {_and(subjects)}{scope}"
        for (group_verbs, scope), subjects in groups.items()
    )


def _scope(namespaces: list[str | None]) -> str:
    if None in namespaces:
        return " in all namespaces"
    names = sorted(n for n in namespaces if n is not None)
    return f" in namespace{'s' if len(names) > 1 else ''} {_and(names)}"


def _and(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _quoted(values: Sequence[str]) -> str:
    return "[" + ", ".join(f'"{value}"' for value in values) + "]"


def rule_lines(needs: Sequence[Need]) -> list[str]:
    """The PolicyRule items that grant the needs, as YAML lines."""
    resources: dict[tuple[str, tuple[str, ...]], list[str]] = {}
    urls: dict[tuple[str, ...], list[str]] = {}
    verbs_of: dict[tuple[str, str | None], list[str]] = {}
    for need in needs:
        key = (need.url or need.resource, need.group if need.url is None else None)
        verbs_of.setdefault(key, [])
        if need.verb not in verbs_of[key]:
            verbs_of[key].append(need.verb)
    for (name, group), need_verbs in verbs_of.items():
        if group is None:
            urls.setdefault(tuple(need_verbs), []).append(name)
        elif name not in resources.setdefault((group, tuple(need_verbs)), []):
            resources[(group, tuple(need_verbs))].append(name)
    lines: list[str] = []
    for (group, group_verbs), names in resources.items():
        lines += [
            f"- apiGroups: {_quoted([group])}",
            f"  resources: {_quoted(names)}",
            f"  verbs: {_quoted(group_verbs)}",
        ]
    for url_verbs, names in urls.items():
        lines += [f"- nonResourceURLs: {_quoted(names)}", f"  verbs: {_quoted(url_verbs)}"]
    return lines


def _block(lines: list[str]) -> str:
    return "\n".join(_INDENT + line for line in lines)


def _rule_help(
    policy: Policy,
    account: Account,
    target: tuple[Role, Binding] | None,
    needs: Sequence[Need],
) -> str:
    rules = rule_lines(needs)
    if target is None:
        name = _free_name(policy, account)
        new_role = ["apiVersion: rbac.authorization.k8s.io/v1", "kind: ClusterRole"]
        new_role += ["metadata:", f"  name: {name}", "rules:"]
        new_role += ["  " + line for line in rules]
        new_binding = _binding_lines("ClusterRoleBinding", None, "ClusterRole", name, account)
        return (
            f"No role is bound to ServiceAccount {account} where this is needed; create a "
            f"ClusterRole and bind it:\n{_block([*new_role, '---', *new_binding])}"
        )
    role, binding = target
    if role.selectors is not None:
        return _aggregated_help(role, rules)
    return (
        f"Add this rule to the rules of {role.ref.label} ({role.ref.where}), which "
        f"{binding.ref.label} grants to {account}:\n{_block(rules)}"
    )


def _aggregated_help(role: Role, rules: list[str]) -> str:
    intro = (
        f"{role.ref.label} ({role.ref.where}) is aggregated, so rules written into it are "
        "overwritten; "
    )
    if role.components:
        part = role.components[0]
        return (
            f"{intro}add this rule to {part.label} ({part.where}), which it aggregates:\n"
            f"{_block(rules)}"
        )
    labels = role.selectors[0].labels if role.selectors else ()
    shown = ", ".join(f"{key}: {_quoted([value])[1:-1]}" for key, value in labels)
    return (
        f"{intro}add a ClusterRole with labels {{{shown}}} (matching its aggregationRule) and "
        f"this rule:\n{_block(rules)}"
    )


def _free_name(policy: Policy, account: Account) -> str:
    if ("ClusterRole", None, account.name) not in policy.roles:
        return account.name
    return f"{account.name}-{account.namespace}"


def _binding_lines(
    kind: str, namespace: str | None, role_kind: str, role_name: str, account: Account
) -> list[str]:
    metadata = ["metadata:", f"  name: {role_name}"]
    if namespace is not None:
        metadata.append(f"  namespace: {namespace}")
    return [
        "apiVersion: rbac.authorization.k8s.io/v1",
        f"kind: {kind}",
        *metadata,
        "roleRef:",
        "  apiGroup: rbac.authorization.k8s.io",
        f"  kind: {role_kind}",
        f"  name: {role_name}",
        "subjects:",
        *("  " + line for line in _subject_lines(account)),
    ]


def _subject_lines(account: Account) -> list[str]:
    return [
        "- kind: ServiceAccount",
        f"  name: {account.name}",
        f"  namespace: {account.namespace}",
    ]


def _binding_help(policy: Policy, account: Account, role: Role, needs: Sequence[Need]) -> str:
    from scrapelint import rbac

    namespaces = {need.namespace for need in needs}
    kind, namespace = "ClusterRoleBinding", None
    if role.ref.kind == "Role":
        kind, namespace = "RoleBinding", role.ref.namespace
    elif None not in namespaces and len(namespaces) == 1:
        kind, namespace = "RoleBinding", next(iter(namespaces))
    for binding in rbac.bindings_of(policy, role):
        if binding.ref.kind == kind and (namespace is None or binding.ref.namespace == namespace):
            return (
                f"Add the ServiceAccount to the subjects of {binding.ref.label} "
                f"({binding.ref.where}):\n{_block(_subject_lines(account))}"
            )
    lines = _binding_lines(kind, namespace, role.ref.kind, role.ref.name, account)
    return f"Bind {role.ref.label} to the ServiceAccount:\n{_block(lines)}"
