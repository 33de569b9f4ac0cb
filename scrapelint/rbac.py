"""The Kubernetes RBAC model behind SL501-SL504: who Prometheus runs as, and what it may do.

Built once per run from the manifest files among the inputs, it answers questions the way the
Kubernetes RBAC authorizer does:
- a request is allowed when a binding whose subjects include the user refers to a role with a
  rule that matches the request;
- a ClusterRoleBinding grants its ClusterRole everywhere; a RoleBinding grants its Role or
  ClusterRole only inside the binding's own namespace, so never cluster-scoped resources (nodes)
  or non-resource URLs (`/metrics`), and never a list across all namespaces;
- `*` matches every verb, API group or resource (subresources included), `*/metrics` the
  `metrics` subresource of every resource; `nodes/*` is no wildcard;
- a rule with `resourceNames` covers only the objects it names, so never a list or a watch, and
  never "every node";
- a non-resource URL ending in `*` matches by prefix;
- an aggregated ClusterRole (`aggregationRule`) holds the rules of the ClusterRoles its label
  selectors match (the controller overwrites whatever rules it lists itself);
- a ServiceAccount subject without a namespace, in a RoleBinding, means the binding's namespace;
  ServiceAccounts also belong to the groups `system:serviceaccounts`,
  `system:serviceaccounts:<namespace>` and `system:authenticated`, and are the user
  `system:serviceaccount:<namespace>:<name>`.
A binding that refers to a role that is not among the manifests (other than `cluster-admin`) may
grant anything: questions it could answer stay open ("unknown") instead of "missing".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Literal, NamedTuple

from scrapelint.document import (
    Document,
    MappingNode,
    Node,
    as_text,
    get,
    items,
    mapping_pairs,
    span_of,
)
from scrapelint.manifests import (
    api_group_of,
    kind_of,
    labels_of,
    located_objects,
    name_of,
    namespace_of,
    texts,
)

RBAC_GROUP = "rbac.authorization.k8s.io"
ALL = "*"
DEFAULT_NAMESPACE = "default"
# Kinds without a namespace: their metadata.namespace is ignored, as the API server does.
CLUSTER_KINDS = frozenset(
    {
        "ClusterRole", "ClusterRoleBinding", "Namespace", "Node", "PersistentVolume",
        "StorageClass", "CustomResourceDefinition", "PriorityClass", "APIService",
        "IngressClass", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
    }
)  # fmt: skip
# Resources that live outside namespaces (only the ones Prometheus needs).
CLUSTER_RESOURCES = frozenset({"nodes", "namespaces"})
# Where the pod spec sits in each workload kind.
_POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Pod": ("spec",),
}
OPERATOR_GROUP = "monitoring.coreos.com"
OPERATOR_KINDS = frozenset({"Prometheus", "PrometheusAgent"})
# Names that contain "prometheus" but belong to its neighbours, not to the server.
_NEIGHBOURS = (
    "operator", "adapter", "exporter", "alertmanager", "pushgateway", "blackbox", "reloader",
)  # fmt: skip

Verdict = Literal["granted", "missing", "unknown"]
RoleKey = tuple[str, str | None, str]


class Ref(NamedTuple):
    """An object among the manifests: kind, namespace (None when cluster-scoped), name, place."""

    kind: str
    namespace: str | None
    name: str
    path: str
    line: int

    @property
    def label(self) -> str:
        qualified = f"{self.namespace}/{self.name}" if self.namespace else self.name
        return f'{self.kind} "{qualified}"'

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}"


class Rule(NamedTuple):
    verbs: tuple[str, ...]
    api_groups: tuple[str, ...]
    resources: tuple[str, ...]
    resource_names: tuple[str, ...]
    urls: tuple[str, ...]


class Expression(NamedTuple):
    key: str
    operator: str
    values: tuple[str, ...]


class Selector(NamedTuple):
    labels: tuple[tuple[str, str], ...]
    expressions: tuple[Expression, ...]


class Role(NamedTuple):
    ref: Ref
    # For an aggregated ClusterRole, the rules of the ClusterRoles it aggregates.
    rules: tuple[Rule, ...]
    labels: tuple[tuple[str, str], ...]
    # aggregationRule.clusterRoleSelectors; None when the role is not aggregated.
    selectors: tuple[Selector, ...] | None = None
    components: tuple[Ref, ...] = ()

    @property
    def key(self) -> RoleKey:
        return (self.ref.kind, self.ref.namespace, self.ref.name)


class Subject(NamedTuple):
    kind: str
    name: str
    namespace: str | None

    def describe(self, binding: Binding) -> str:
        if self.kind == "ServiceAccount":
            return f"{self.namespace or binding.ref.namespace or '?'}:{self.name}"
        return f"{self.kind} {self.name}"


class Binding(NamedTuple):
    ref: Ref
    role_kind: str
    role_name: str
    subjects: tuple[Subject, ...]

    @property
    def cluster_wide(self) -> bool:
        return self.ref.kind == "ClusterRoleBinding"

    @property
    def role_key(self) -> RoleKey | None:
        """The role it refers to; None when the reference is one the API server rejects."""
        if self.role_kind == "ClusterRole":
            return ("ClusterRole", None, self.role_name)
        if self.role_kind == "Role" and not self.cluster_wide:
            return ("Role", self.ref.namespace, self.role_name)
        return None

    def covers(self, namespace: str | None) -> bool:
        """Whether it grants in a namespace (None: cluster-wide or cluster-scoped requests)."""
        return self.cluster_wide or (namespace is not None and namespace == self.ref.namespace)


class Account(NamedTuple):
    """The ServiceAccount Prometheus runs as, and how scrapelint knows (or guessed) it."""

    namespace: str
    name: str
    origin: str

    def __str__(self) -> str:
        return f"{self.namespace}:{self.name}"

    @property
    def user(self) -> str:
        return f"system:serviceaccount:{self.namespace}:{self.name}"


class Need(NamedTuple):
    """One permission: a verb on a resource (in a namespace, or cluster-wide) or on a URL."""

    verb: str
    group: str
    resource: str
    namespace: str | None = None
    url: str | None = None

    @property
    def cluster_scoped(self) -> bool:
        return self.url is not None or self.resource.partition("/")[0] in CLUSTER_RESOURCES

    @property
    def subject(self) -> str:
        """What the permission is on: `/metrics`, `nodes/metrics`, `endpointslices.discovery...`."""
        if self.url is not None:
            return self.url
        return f"{self.resource}.{self.group}" if self.group else self.resource


CLUSTER_ADMIN: tuple[Rule, ...] = (
    Rule((ALL,), (ALL,), (ALL,), (), ()),
    Rule((ALL,), (), (), (), (ALL,)),
)


@dataclass(frozen=True, eq=False, repr=False)
class Policy:
    """The RBAC objects of the given manifests: roles by key, and the bindings to them."""

    roles: dict[RoleKey, Role]
    bindings: tuple[Binding, ...]
    # ServiceAccount objects among the manifests.
    service_accounts: tuple[Ref, ...]
    # ServiceAccounts of Prometheus workloads and Prometheus Operator resources.
    runners: tuple[Account, ...]
    # The namespace of objects that state none: the one most objects state, else `default`.
    namespace: str

    @property
    def has_rbac(self) -> bool:
        return bool(self.roles or self.bindings)


# --- building the model ---------------------------------------------------------------------


def build(documents: tuple[Document, ...]) -> Policy:
    found = list(located_objects(documents))
    namespace = _common_namespace(node for _, node in found)
    roles: dict[RoleKey, Role] = {}
    bindings: list[Binding] = []
    accounts: list[Ref] = []
    runners: list[Account] = []
    for document, node in found:
        ref = _ref(document, node, namespace)
        group = api_group_of(node)
        if group == RBAC_GROUP and ref.kind in ("Role", "ClusterRole"):
            role = _role(ref, node)
            roles[role.key] = role
        elif group == RBAC_GROUP and ref.kind in ("RoleBinding", "ClusterRoleBinding"):
            bindings.append(_binding(ref, node))
        elif group == "" and ref.kind == "ServiceAccount":
            accounts.append(ref)
        else:
            runner = _runner(ref, node, group)
            if runner is not None:
                runners.append(runner)
    return Policy(_aggregate(roles), tuple(bindings), tuple(accounts), tuple(runners), namespace)


def _common_namespace(nodes: Iterable[MappingNode]) -> str:
    stated = Counter(
        namespace
        for node in nodes
        if kind_of(node) not in CLUSTER_KINDS and (namespace := namespace_of(node))
    )
    if not stated:
        return DEFAULT_NAMESPACE
    return min(stated.items(), key=lambda pair: (-pair[1], pair[0]))[0]


def _ref(document: Document, node: MappingNode, namespace: str) -> Ref:
    kind = kind_of(node)
    scope = None if kind in CLUSTER_KINDS else (namespace_of(node) or namespace)
    return Ref(kind, scope, name_of(node), document.path, span_of(node).line)


def _role(ref: Ref, node: MappingNode) -> Role:
    rules = tuple(
        _rule(rule) for rule in items(get(node, "rules")) if isinstance(rule, MappingNode)
    )
    aggregation = get(node, "aggregationRule")
    selectors = None
    if ref.kind == "ClusterRole" and isinstance(aggregation, MappingNode):
        selectors = tuple(
            _selector(selector)
            for selector in items(get(aggregation, "clusterRoleSelectors"))
            if isinstance(selector, MappingNode)
        )
    return Role(ref, rules, labels_of(node), selectors)


def _rule(node: MappingNode) -> Rule:
    return Rule(
        verbs=texts(get(node, "verbs")),
        api_groups=texts(get(node, "apiGroups")),
        resources=texts(get(node, "resources")),
        resource_names=texts(get(node, "resourceNames")),
        urls=texts(get(node, "nonResourceURLs")),
    )


def _selector(node: MappingNode) -> Selector:
    labels = tuple(
        (str(key.value), as_text(value) or "")
        for key, value in mapping_pairs(get(node, "matchLabels"))
    )
    expressions = tuple(
        Expression(
            as_text(get(expression, "key")) or "",
            as_text(get(expression, "operator")) or "",
            texts(get(expression, "values")),
        )
        for expression in items(get(node, "matchExpressions"))
        if isinstance(expression, MappingNode)
    )
    return Selector(labels, expressions)


def _binding(ref: Ref, node: MappingNode) -> Binding:
    role_ref = get(node, "roleRef")
    subjects = tuple(
        Subject(
            as_text(get(subject, "kind")) or "",
            as_text(get(subject, "name")) or "",
            as_text(get(subject, "namespace")) or None,
        )
        for subject in items(get(node, "subjects"))
        if isinstance(subject, MappingNode)
    )
    return Binding(
        ref, as_text(get(role_ref, "kind")) or "", as_text(get(role_ref, "name")) or "", subjects
    )


def _aggregate(roles: dict[RoleKey, Role]) -> dict[RoleKey, Role]:
    """Aggregated ClusterRoles with the rules of the ClusterRoles they select (cycles cut)."""
    resolved: dict[RoleKey, Role] = {}

    def resolve(key: RoleKey, visiting: frozenset[RoleKey]) -> Role:
        if key in resolved:
            return resolved[key]
        role = roles[key]
        if role.selectors is None:
            resolved[key] = role
            return role
        rules: list[Rule] = []
        components: list[Ref] = []
        for other_key, other in roles.items():
            if other_key[0] != "ClusterRole" or other_key == key or other_key in visiting:
                continue
            if any(selects(selector, dict(other.labels)) for selector in role.selectors):
                components.append(other.ref)
                rules.extend(resolve(other_key, visiting | {key}).rules)
        result = role._replace(rules=tuple(rules), components=tuple(components))
        resolved[key] = result
        return result

    return {key: resolve(key, frozenset()) for key in roles}


def selects(selector: Selector, labels: dict[str, str]) -> bool:
    """A Kubernetes label selector (matchLabels and matchExpressions) against labels."""
    if any(labels.get(key) != value for key, value in selector.labels):
        return False
    return all(_satisfies(expression, labels) for expression in selector.expressions)


def _satisfies(expression: Expression, labels: dict[str, str]) -> bool:
    has = expression.key in labels
    if expression.operator == "In":
        return has and labels[expression.key] in expression.values
    if expression.operator == "NotIn":
        return not has or labels[expression.key] not in expression.values
    if expression.operator == "Exists":
        return has
    if expression.operator == "DoesNotExist":
        return not has
    return False


# --- who Prometheus runs as -----------------------------------------------------------------


def _runner(ref: Ref, node: MappingNode, group: str) -> Account | None:
    namespace = ref.namespace or DEFAULT_NAMESPACE
    if group == OPERATOR_GROUP and ref.kind in OPERATOR_KINDS:
        name = as_text(get(get(node, "spec"), "serviceAccountName"))
        return _account_of(ref, namespace, name)
    path = _POD_SPEC_PATHS.get(ref.kind)
    if path is None:
        return None
    spec: Node | None = node
    for step in path:
        spec = get(spec, step)
    if not any(runs_prometheus(c) for c in items(get(spec, "containers"))):
        return None
    account = as_text(get(spec, "serviceAccountName")) or as_text(get(spec, "serviceAccount"))
    return _account_of(ref, namespace, account)


def _account_of(ref: Ref, namespace: str, name: str | None) -> Account:
    what = f"{ref.kind} {namespace}/{ref.name}"
    if name:
        return Account(namespace, name, f"from {what}")
    return Account(
        namespace, "default", f"{what} sets no serviceAccountName, so it runs as default"
    )


def runs_prometheus(container: Node) -> bool:
    """An image named prometheus, a `prometheus` command, or a prometheus `--config.file`."""
    image = (as_text(get(container, "image")) or "").partition("@")[0]
    if image.rsplit("/", 1)[-1].partition(":")[0] == "prometheus":
        return True
    words = [
        word
        for text in (*texts(get(container, "command")), *texts(get(container, "args")))
        for word in text.split()
    ]
    for index, word in enumerate(words):
        is_path = not word.startswith("-") and "=" not in word and "://" not in word
        if is_path and word.rsplit("/", 1)[-1] == "prometheus":
            return True
        if word == "--config.file" or word.startswith("--config.file="):
            value = word.partition("=")[2] or (words[index + 1] if index + 1 < len(words) else "")
            if "prometheus" in value:
                return True
    return False


def accounts(policy: Policy, given: str | None) -> tuple[Account, ...]:
    """The ServiceAccounts to judge: --service-account, else Prometheus' own, else a guess."""
    if given:
        return (_given(given, policy.namespace),)
    if policy.runners:
        unique: dict[tuple[str, str], Account] = {}
        for runner in policy.runners:
            unique.setdefault((runner.namespace, runner.name), runner)
        return tuple(unique.values())
    return (_assumed(policy),)


def _given(text: str, namespace: str) -> Account:
    value = text.strip().removeprefix("system:serviceaccount:")
    if ":" not in value:
        value = value.replace("/", ":", 1)  # NAMESPACE/NAME, as kubectl prints objects
    given_namespace, separator, name = value.rpartition(":")
    if separator and given_namespace and name:
        return Account(given_namespace, name, "given with --service-account")
    return Account(
        namespace,
        name or value,
        f"given with --service-account without a namespace; taken to be in {namespace}",
    )


def _assumed(policy: Policy) -> Account:
    objects = [(ref.namespace or policy.namespace, ref.name) for ref in policy.service_accounts]
    pick = _single(objects)
    if pick is not None:
        (namespace, name), how = pick
        return Account(namespace, name, f"assumed: {how} ServiceAccount among the manifests")
    subjects = [
        (subject.namespace or binding.ref.namespace or policy.namespace, subject.name)
        for binding in policy.bindings
        for subject in binding.subjects
        if subject.kind == "ServiceAccount"
    ]
    pick = _single(subjects)
    if pick is not None:
        (namespace, name), how = pick
        return Account(namespace, name, f"assumed: {how} ServiceAccount the bindings name")
    return Account(
        policy.namespace,
        "default",
        "assumed: nothing says which ServiceAccount Prometheus runs as (no Prometheus workload "
        "or resource, no single ServiceAccount, no --service-account), so the default one of "
        f"namespace {policy.namespace}",
    )


def _single(pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], str] | None:
    distinct = list(dict.fromkeys(pairs))
    if len(distinct) == 1:
        return distinct[0], "the only"
    named = [pair for pair in distinct if prometheus_like(pair[1])]
    if len(named) == 1:
        return named[0], "the only Prometheus-named"
    return None


def prometheus_like(name: str) -> bool:
    lowered = name.lower()
    return "prometheus" in lowered and not any(word in lowered for word in _NEIGHBOURS)


# --- grants ---------------------------------------------------------------------------------


def allows(rule: Rule, need: Need) -> bool:
    if not _listed(rule.verbs, need.verb):
        return False
    if need.url is not None:
        return any(_url_matches(pattern, need.url) for pattern in rule.urls)
    return (
        _listed(rule.api_groups, need.group)
        and any(_resource_matches(pattern, need.resource) for pattern in rule.resources)
        and not rule.resource_names
    )


def allows_by_name_only(rule: Rule, need: Need) -> bool:
    """The rule would allow the need if it did not restrict itself to resourceNames."""
    return bool(rule.resource_names) and allows(rule._replace(resource_names=()), need)


def _listed(values: tuple[str, ...], wanted: str) -> bool:
    return ALL in values or wanted in values


def _resource_matches(pattern: str, resource: str) -> bool:
    if pattern in (ALL, resource):
        return True
    subresource = resource.partition("/")[2]
    return bool(subresource) and pattern == f"*/{subresource}"


def _url_matches(pattern: str, url: str) -> bool:
    if pattern in (ALL, url):
        return True
    return pattern.endswith(ALL) and url.startswith(pattern[:-1])


def applies(subject: Subject, account: Account, binding: Binding) -> bool:
    if subject.kind == "ServiceAccount":
        default = None if binding.cluster_wide else binding.ref.namespace
        namespace = subject.namespace or default
        return subject.name == account.name and namespace == account.namespace
    if subject.kind == "User":
        return subject.name == account.user
    if subject.kind == "Group":
        groups = (
            "system:serviceaccounts",
            f"system:serviceaccounts:{account.namespace}",
            "system:authenticated",
        )
        return subject.name in groups
    return False


def bindings_for(policy: Policy, account: Account) -> Iterator[Binding]:
    for binding in policy.bindings:
        if any(applies(subject, account, binding) for subject in binding.subjects):
            yield binding


def bound_rules(policy: Policy, binding: Binding) -> tuple[Rule, ...] | None:
    """The rules a binding grants; None when its role is not among the manifests."""
    key = binding.role_key
    if key is None:
        return ()
    role = policy.roles.get(key)
    if role is not None:
        return role.rules
    if key == ("ClusterRole", None, "cluster-admin"):
        return CLUSTER_ADMIN
    return None


class Grants:
    """What one ServiceAccount is granted. Jobs repeat the same needs, so answers are kept."""

    def __init__(self, policy: Policy, account: Account) -> None:
        self.policy = policy
        self.account = account
        self.bindings = tuple(bindings_for(policy, account))
        self._verdicts: dict[Need, Verdict] = {}
        self._grantors: dict[Need, list[Role]] = {}
        self._ownership: dict[RoleKey, int | None] = {}

    def _in_scope(self, need: Need) -> Iterator[tuple[Binding, Role | None]]:
        for binding in self.bindings:
            if binding.covers(need.namespace):
                key = binding.role_key
                yield binding, self.policy.roles.get(key) if key else None

    def verdict(self, need: Need) -> Verdict:
        found = self._verdicts.get(need)
        if found is None:
            found = self._verdicts[need] = self._judge(need)
        return found

    def _judge(self, need: Need) -> Verdict:
        unknown = False
        for binding in self.bindings:
            if not binding.covers(need.namespace):
                continue
            rules = bound_rules(self.policy, binding)
            if rules is None:
                unknown = True
            elif any(allows(rule, need) for rule in rules):
                return "granted"
        return "unknown" if unknown else "missing"

    def restricted_by_names(self, need: Need) -> Ref | None:
        """A role bound in scope that grants the need only for the objects it names."""
        for _, role in self._in_scope(need):
            if role is not None and any(allows_by_name_only(rule, need) for rule in role.rules):
                return role.ref
        return None

    def fix_target(self, need: Need) -> tuple[Role, Binding] | None:
        """The role already bound to the account where the need applies: the rule's home."""
        found = [(role, binding) for binding, role in self._in_scope(need) if role is not None]
        if not found:
            return None
        # A RoleBinding in the namespace is the narrower home; then names that say prometheus.
        return min(
            found,
            key=lambda pair: (pair[1].cluster_wide, not prometheus_like(pair[0].ref.name)),
        )

    def grantors(self, need: Need) -> list[Role]:
        """Prometheus' roles among the manifests that would grant the need if bound in place.

        A role counts as Prometheus' when it is bound to the account somewhere (in another
        namespace), when a misplaced RoleBinding of the account names it, when its name or a
        ServiceAccount it is bound to looks like Prometheus', or when nothing binds it at all;
        roles of other components (kube-state-metrics, an operator) are not candidates.
        """
        found = self._grantors.get(need)
        if found is None:
            ranked: list[tuple[int, Role]] = []
            for role in self.policy.roles.values():
                if not _can_serve(role, need):
                    continue
                if not any(allows(rule, need) for rule in role.rules):
                    continue
                rank = self.ownership(role)
                if rank is not None:
                    ranked.append((rank, role))
            found = self._grantors[need] = [role for _, role in sorted(ranked, key=_first)]
        return found

    def ownership(self, role: Role) -> int | None:
        """How surely a role is meant for Prometheus (lower is surer); None: someone else's."""
        if role.key not in self._ownership:
            self._ownership[role.key] = _ownership(self.policy, role, self.account)
        return self._ownership[role.key]


def _first(pair: tuple[int, Role]) -> int:
    return pair[0]


def _ownership(policy: Policy, role: Role, account: Account) -> int | None:
    bindings = bindings_of(policy, role)
    if any(applies(s, account, b) for b in bindings for s in b.subjects):
        return 0
    if misplaced_bindings(policy, role, account):
        return 1
    if prometheus_like(role.ref.name) or any(
        subject.kind == "ServiceAccount"
        and (subject.name == account.name or prometheus_like(subject.name))
        for binding in bindings
        for subject in binding.subjects
    ):
        return 2
    return 3 if not bindings else None


def _can_serve(role: Role, need: Need) -> bool:
    if role.ref.kind == "ClusterRole":
        return True
    return not need.cluster_scoped and need.namespace == role.ref.namespace


def bindings_of(policy: Policy, role: Role) -> list[Binding]:
    return [binding for binding in policy.bindings if binding.role_key == role.key]


def misplaced_bindings(policy: Policy, role: Role, account: Account) -> list[Binding]:
    """RoleBindings for the account that name this Role but sit in another namespace."""
    if role.ref.kind != "Role":
        return []
    return [
        binding
        for binding in policy.bindings
        if binding.role_kind == "Role"
        and binding.role_name == role.ref.name
        and not binding.cluster_wide
        and binding.ref.namespace != role.ref.namespace
        and any(applies(subject, account, binding) for subject in binding.subjects)
    ]
