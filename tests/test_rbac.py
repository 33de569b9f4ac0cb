"""Kubernetes RBAC (SL501-SL504) as users run it: directories and files given to real processes.

The rule-by-rule cases are fixtures (tests/fixtures/SL50x) and rule-page examples; this file
covers how manifests reach the rules (directories, multi-document files, `List`, files named
explicitly), which ServiceAccount is judged (`--service-account`, workloads, guesses), what the
help text gives back, and that without manifests nothing changes. A few unit tests pin the RBAC
matching semantics the rules rely on.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from scrapelint import rbac
from scrapelint.document import parse

TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token"
CA = "/var/run/secrets/kubernetes.io/serviceaccount/ca.crt"

# The jobs of Prometheus' official Kubernetes example, reduced to what the RBAC rules read.
CONFIG = f"""\
scrape_configs:
  - job_name: kubernetes-apiservers
    scheme: https
    tls_config: {{ca_file: {CA}}}
    authorization: {{credentials_file: {TOKEN}}}
    kubernetes_sd_configs:
      - role: endpoints
    relabel_configs:
      - source_labels: [__meta_kubernetes_namespace, __meta_kubernetes_service_name,
                        __meta_kubernetes_endpoint_port_name]
        action: keep
        regex: default;kubernetes;https
  - job_name: kubernetes-nodes
    scheme: https
    tls_config: {{ca_file: {CA}}}
    authorization: {{credentials_file: {TOKEN}}}
    kubernetes_sd_configs:
      - role: node
  - job_name: kubernetes-cadvisor
    scheme: https
    metrics_path: /metrics/cadvisor
    tls_config: {{ca_file: {CA}}}
    authorization: {{credentials_file: {TOKEN}}}
    kubernetes_sd_configs:
      - role: node
  - job_name: kubernetes-service-endpoints
    kubernetes_sd_configs:
      - role: endpoints
  - job_name: kubernetes-services
    kubernetes_sd_configs:
      - role: service
  - job_name: kubernetes-ingresses
    kubernetes_sd_configs:
      - role: ingress
  - job_name: kubernetes-pods
    kubernetes_sd_configs:
      - role: pod
"""

CLUSTER_ROLE = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: prometheus
rules:
  - apiGroups: [""]
    resources: [nodes, nodes/metrics, services, endpoints, pods]
    verbs: [get, list, watch]
  - apiGroups: [extensions, networking.k8s.io]
    resources: [ingresses]
    verbs: [get, list, watch]
  - nonResourceURLs: [/metrics, /metrics/cadvisor]
    verbs: [get]
"""


def binding(namespace: str = "default", name: str = "prometheus") -> str:
    return f"""\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: prometheus
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: prometheus
subjects:
  - kind: ServiceAccount
    name: {name}
    namespace: {namespace}
"""


def service_account(namespace: str = "default", name: str = "prometheus") -> str:
    return f"""\
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {name}
  namespace: {namespace}
"""


# The shape of documentation/examples/rbac-setup.yml: one multi-document file.
RBAC_SETUP = "---\n".join([CLUSTER_ROLE, service_account(), binding()])

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: prometheus
  namespace: monitoring
spec:
  template:
    spec:
      serviceAccountName: prometheus
      containers:
        - name: prometheus
          image: quay.io/prometheus/prometheus:v3.5.0
          args: [--config.file=/etc/prometheus/prometheus.yml]
"""


def scrapelint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapelint", "check", "--isolated", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def findings(run: subprocess.CompletedProcess[str]) -> list[dict[str, object]]:
    assert "Traceback" not in run.stderr, run.stderr
    document = json.loads(run.stdout)
    return [f for f in document["findings"] if str(f["rule"]).startswith("SL5")]


def rules_and_jobs(found: list[dict[str, object]]) -> list[tuple[object, object]]:
    return sorted((f["rule"], str(f["yaml_path"]).split("]")[0] + "]") for f in found)


def snippet(help_text: str) -> object:
    """The YAML the help text ends with (its indented lines)."""
    lines = [line for line in help_text.splitlines()[1:] if line.startswith("    ")]
    return yaml.safe_load(textwrap.dedent("\n".join(lines)))


# --- manifests among the inputs ------------------------------------------------------------


def test_rbac_setup_shape_passes(tmp_path: Path) -> None:
    folder = write(tmp_path, {"prometheus.yml": CONFIG, "rbac-setup.yml": RBAC_SETUP})
    run = scrapelint("--format", "json", ".", cwd=folder)
    assert findings(run) == []
    assert run.returncode == 0, run.stdout
    assert run.stderr == ""


def test_directory_with_deployment_reports_the_missing_kubelet_rule(tmp_path: Path) -> None:
    role = CLUSTER_ROLE.replace("nodes, nodes/metrics,", "nodes,")
    manifests = "---\n".join([role, service_account("monitoring"), binding("monitoring")])
    folder = write(
        tmp_path,
        {
            "prometheus.yml": CONFIG,
            "deploy/rbac.yaml": manifests,
            "deploy/deployment.yaml": DEPLOYMENT,
        },
    )
    run = scrapelint("--format", "json", ".", cwd=folder)
    assert run.returncode == 1
    assert run.stderr == ""
    found = findings(run)
    assert rules_and_jobs(found) == [
        ("SL502", "scrape_configs[job_name=kubernetes-cadvisor]"),
        ("SL502", "scrape_configs[job_name=kubernetes-nodes]"),
    ]
    first = found[0]
    assert first["path"] == "prometheus.yml"
    assert "monitoring:prometheus (from Deployment monitoring/prometheus)" in str(first["message"])
    assert 'ClusterRole "prometheus" (deploy/rbac.yaml:1)' in str(first["help"])
    assert snippet(str(first["help"])) == [
        {"apiGroups": [""], "resources": ["nodes/metrics"], "verbs": ["get"]}
    ]


def as_list(*objects: str) -> str:
    """A `kind: List` holding the objects (each a YAML mapping)."""
    items = "".join("  - " + textwrap.indent(text, "    ")[4:] for text in objects)
    return f"apiVersion: v1\nkind: List\nitems:\n{items}"


def test_list_kind_and_files_named_explicitly(tmp_path: Path) -> None:
    listed = as_list(CLUSTER_ROLE, binding("monitoring"))
    assert len(rbac.build((parse("list.yaml", listed),)).bindings) == 1
    folder = write(
        tmp_path,
        {"prometheus.yml": CONFIG, "list.yaml": listed, "deployment.yaml": DEPLOYMENT},
    )
    named = ("prometheus.yml", "list.yaml", "deployment.yaml")
    run = scrapelint("--format", "json", *named, cwd=folder)
    # Manifests named explicitly are read silently (no "not a Prometheus config" notice).
    assert run.stderr == ""
    assert findings(run) == []
    assert run.returncode == 0
    broken = listed.replace("nodes/metrics, ", "")
    write(tmp_path, {"list.yaml": broken})
    found = findings(scrapelint("--format", "json", *named, cwd=folder))
    assert rules_and_jobs(found) == [
        ("SL502", "scrape_configs[job_name=kubernetes-cadvisor]"),
        ("SL502", "scrape_configs[job_name=kubernetes-nodes]"),
    ]
    assert "(list.yaml:4)" in str(found[0]["help"])


def test_role_bound_to_another_account(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {"prometheus.yml": CONFIG, "rbac-setup.yml": RBAC_SETUP, "deployment.yaml": DEPLOYMENT},
    )
    run = scrapelint("--format", "json", ".", cwd=folder)
    found = findings(run)
    assert {f["rule"] for f in found} == {"SL504"}
    assert len(found) == 7  # every job of the example
    message = str(found[0]["message"])
    assert 'ClusterRoleBinding "prometheus" binds it to default:prometheus' in message
    assert snippet(str(found[0]["help"])) == [
        {"kind": "ServiceAccount", "name": "prometheus", "namespace": "monitoring"}
    ]


def test_service_account_option_wins(tmp_path: Path) -> None:
    folder = write(
        tmp_path,
        {"prometheus.yml": CONFIG, "rbac-setup.yml": RBAC_SETUP, "deployment.yaml": DEPLOYMENT},
    )
    bound = scrapelint(
        "--format", "json", "--service-account", "default:prometheus", ".", cwd=folder
    )
    assert findings(bound) == []
    assert bound.returncode == 0
    other = scrapelint("--format", "json", "--service-account", "ops:scraper", ".", cwd=folder)
    found = findings(other)
    assert {f["rule"] for f in found} == {"SL504"}
    assert "ServiceAccount ops:scraper (given with --service-account)" in str(found[0]["message"])


def test_namespaced_grants_and_own_namespace(tmp_path: Path) -> None:
    config = """\
scrape_configs:
  - job_name: team-pods
    kubernetes_sd_configs:
      - role: pod
        namespaces:
          own_namespace: true
          names: [team-a, team-b]
"""
    role_binding = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: prometheus
  namespace: {namespace}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: prometheus-pods
subjects:
  - kind: ServiceAccount
    name: prometheus
    namespace: monitoring
"""
    role = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: prometheus-pods
rules:
  - apiGroups: [""]
    resources: [pods]
    verbs: [list, watch]
"""
    docs = [DEPLOYMENT, role, role_binding.format(namespace="team-a")]
    folder = write(tmp_path, {"prometheus.yml": config, "rbac.yaml": "---\n".join(docs)})
    found = findings(scrapelint("--format", "json", ".", cwd=folder))
    assert [f["rule"] for f in found] == ["SL504"]
    message = str(found[0]["message"])
    assert "pods in namespaces monitoring and team-b, which ClusterRole" in message
    assert "in namespaces monitoring and team-b: RoleBinding" in message
    assert 'RoleBinding "team-a/prometheus" grants it only in namespace team-a' in message
    docs += [role_binding.format(namespace=n) for n in ("team-b", "monitoring")]
    write(tmp_path, {"rbac.yaml": "---\n".join(docs)})
    assert findings(scrapelint("--format", "json", ".", cwd=folder)) == []


def test_assumed_default_account_is_said(tmp_path: Path) -> None:
    manifests = "---\n".join(
        [
            CLUSTER_ROLE,
            binding("ops", "scraper-a").replace("name: prometheus\n", "name: a\n", 1),
            binding("ops", "scraper-b").replace("name: prometheus\n", "name: b\n", 1),
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: ops}\n",
        ]
    )
    folder = write(tmp_path, {"prometheus.yml": CONFIG, "rbac.yaml": manifests})
    found = findings(scrapelint("--format", "json", ".", cwd=folder))
    assert found and {f["rule"] for f in found} == {"SL504"}
    # The namespace is the one the namespaced objects state.
    assert all("ServiceAccount ops:default (assumed: " in str(f["message"]) for f in found)
    assert "so the default one of namespace ops" in str(found[0]["message"])


def test_text_output_indents_the_snippet_and_is_deterministic(tmp_path: Path) -> None:
    role = CLUSTER_ROLE.replace("[/metrics, /metrics/cadvisor]", "[/healthz]")
    folder = write(
        tmp_path, {"prometheus.yml": CONFIG, "rbac.yaml": "---\n".join([role, binding()])}
    )
    first = scrapelint(".", cwd=folder)
    assert first.returncode == 1
    assert "SL503" in first.stdout
    assert '  help: Add this rule to the rules of ClusterRole "prometheus" (rbac.yaml:1)' in (
        first.stdout
    )
    assert '    - nonResourceURLs: ["/metrics"]\n      verbs: ["get"]\n' in first.stdout
    assert scrapelint(".", cwd=folder).stdout == first.stdout


# --- no manifests, no noise ----------------------------------------------------------------


def test_no_manifests_means_no_rbac_findings_and_nothing_on_stderr(tmp_path: Path) -> None:
    folder = write(tmp_path, {"prometheus.yml": CONFIG})
    for args in ([], ["--service-account", "monitoring:prometheus"]):
        run = scrapelint("--format", "json", *args, ".", cwd=folder)
        assert findings(run) == []
        assert run.stderr == ""
        assert run.returncode == 0


def test_manifests_without_rbac_objects_are_silent(tmp_path: Path) -> None:
    config_map = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x, namespace: monitoring}\n"
    folder = write(
        tmp_path,
        {"prometheus.yml": CONFIG, "deployment.yaml": DEPLOYMENT, "cm.yaml": config_map},
    )
    run = scrapelint("--format", "json", ".", cwd=folder)
    assert findings(run) == []
    assert run.stderr == ""


def test_malformed_manifests_never_crash(tmp_path: Path) -> None:
    broken = """\
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: prometheus, labels: [not, a, map]}
rules: oops
aggregationRule: {clusterRoleSelectors: [{matchExpressions: [{key: a, operator: Weird}]}]}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: {name: x}
roleRef: 3
subjects: {kind: ServiceAccount}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: y}
roleRef: {kind: Role, name: missing}
subjects: [{kind: ServiceAccount, name: prometheus}, 7, null]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: p}
spec: {template: {spec: {containers: [{image: 5}, null, {command: [prometheus]}]}}}
"""
    folder = write(tmp_path, {"prometheus.yml": CONFIG, "broken.yaml": broken})
    run = scrapelint("--format", "json", ".", cwd=folder)
    assert run.returncode in (0, 1)
    assert run.stderr == ""
    assert {f["rule"] for f in findings(run)} <= {"SL501", "SL502", "SL503", "SL504"}


# --- the RBAC model ------------------------------------------------------------------------


def rule(**fields: tuple[str, ...]) -> rbac.Rule:
    base = {"verbs": (), "api_groups": (), "resources": (), "resource_names": (), "urls": ()}
    base.update(fields)
    return rbac.Rule(**base)


GET_NODE_METRICS = rbac.Need("get", "", "nodes/metrics")
GET_METRICS_URL = rbac.Need("get", "", "", url="/metrics")


@pytest.mark.parametrize(
    ("granted", "need", "allowed"),
    [
        (rule(verbs=("*",), api_groups=("",), resources=("pods",)),
         rbac.Need("watch", "", "pods"), True),
        (rule(verbs=("list",), api_groups=("*",), resources=("endpointslices",)),
         rbac.Need("list", "discovery.k8s.io", "endpointslices"), True),
        (rule(verbs=("get",), api_groups=("",), resources=("*",)), GET_NODE_METRICS, True),
        (rule(verbs=("get",), api_groups=("",), resources=("*/metrics",)), GET_NODE_METRICS, True),
        (rule(verbs=("get",), api_groups=("",), resources=("nodes/*",)), GET_NODE_METRICS, False),
        (rule(verbs=("get",), api_groups=("",), resources=("nodes",)), GET_NODE_METRICS, False),
        (rule(verbs=("get",), api_groups=("",), resources=("nodes/metrics",),
              resource_names=("node-1",)), GET_NODE_METRICS, False),
        (rule(verbs=("list",), api_groups=("",), resources=("pods",), resource_names=("a",)),
         rbac.Need("list", "", "pods"), False),
        (rule(verbs=("get",), urls=("/metrics",)), GET_METRICS_URL, True),
        (rule(verbs=("get",), urls=("/metrics*",)),
         rbac.Need("get", "", "", url="/metrics/slis"), True),
        (rule(verbs=("get",), urls=("/metrics/*",)), GET_METRICS_URL, False),
        (rule(verbs=("get",), urls=("*",)), GET_METRICS_URL, True),
        (rule(verbs=("get",), api_groups=("*",), resources=("*",)), GET_METRICS_URL, False),
    ],
)  # fmt: skip
def test_rule_matching(granted: rbac.Rule, need: rbac.Need, allowed: bool) -> None:
    assert rbac.allows(granted, need) is allowed


def test_label_selectors() -> None:
    expressions = (
        rbac.Expression("tier", "In", ("a", "b")),
        rbac.Expression("legacy", "DoesNotExist", ()),
        rbac.Expression("team", "Exists", ()),
        rbac.Expression("zone", "NotIn", ("x",)),
    )
    selector = rbac.Selector((("app", "prom"),), expressions)
    assert rbac.selects(selector, {"app": "prom", "tier": "a", "team": "t"})
    assert not rbac.selects(selector, {"app": "prom", "tier": "c", "team": "t"})
    assert not rbac.selects(selector, {"app": "prom", "tier": "a", "team": "t", "legacy": "1"})
    assert not rbac.selects(selector, {"app": "prom", "tier": "a", "team": "t", "zone": "x"})
    assert rbac.selects(rbac.Selector((), ()), {})  # an empty selector selects everything


def test_subjects_a_service_account_matches() -> None:
    account = rbac.Account("monitoring", "prometheus", "test")
    ref = rbac.Ref("RoleBinding", "monitoring", "b", "x.yaml", 1)
    in_namespace = rbac.Binding(ref, "Role", "r", ())
    cluster = rbac.Binding(
        ref._replace(kind="ClusterRoleBinding", namespace=None), "ClusterRole", "r", ()
    )
    cases = [
        (rbac.Subject("ServiceAccount", "prometheus", None), in_namespace, True),
        (rbac.Subject("ServiceAccount", "prometheus", None), cluster, False),
        (rbac.Subject("ServiceAccount", "prometheus", "default"), cluster, False),
        (rbac.Subject("User", "system:serviceaccount:monitoring:prometheus", None), cluster, True),
        (rbac.Subject("Group", "system:serviceaccounts", None), cluster, True),
        (rbac.Subject("Group", "system:serviceaccounts:monitoring", None), cluster, True),
        (rbac.Subject("Group", "system:serviceaccounts:default", None), cluster, False),
        (rbac.Subject("Group", "system:authenticated", None), cluster, True),
    ]
    for subject, where, expected in cases:
        assert rbac.applies(subject, account, where) is expected, subject


@pytest.mark.parametrize(
    ("container", "is_prometheus"),
    [
        ("{image: prom/prometheus:v3.5.0}", True),
        ("{image: 'registry:5000/mirror/prometheus@sha256:abc'}", True),
        ("{image: quay.io/prometheus/node-exporter:v1.9.0}", False),
        ("{image: quay.io/prometheus-operator/prometheus-config-reloader:v0.85.0}", False),
        ("{image: quay.io/prometheus/alertmanager, args: [--config.file=/etc/am/am.yml]}", False),
        ("{image: example/custom, command: [/bin/prometheus]}", True),
        (
            "{image: example/custom, command: [sh, -c, exec prometheus --web.enable-lifecycle]}",
            True,
        ),
        ("{image: example/custom, args: [--config.file, /etc/prometheus/prometheus.yml]}", True),
        ("{image: example/adapter, args: [--prometheus-url=http://prometheus]}", False),
        ("{image: example/sidecar, args: [--upstream, http://prometheus]}", False),
    ],
)
def test_prometheus_containers(container: str, is_prometheus: bool) -> None:
    node = parse("c.yaml", container).root
    assert node is not None
    assert rbac.runs_prometheus(node) is is_prometheus


def test_service_account_resolution_order() -> None:
    def accounts(text: str, given: str | None = None) -> list[str]:
        policy = rbac.build((parse("m.yaml", text),))
        return [str(account) for account in rbac.accounts(policy, given)]

    operator = (
        "apiVersion: monitoring.coreos.com/v1\nkind: Prometheus\n"
        "metadata: {name: k8s, namespace: mon}\nspec: {serviceAccountName: prometheus-k8s}\n"
    )
    sts_default = DEPLOYMENT.replace("Deployment", "StatefulSet").replace(
        "      serviceAccountName: prometheus\n", ""
    )
    assert accounts(RBAC_SETUP, "ops:scraper") == ["ops:scraper"]
    assert accounts(RBAC_SETUP, "system:serviceaccount:ops:scraper") == ["ops:scraper"]
    assert accounts(RBAC_SETUP, "ops/scraper") == ["ops:scraper"]
    assert accounts(RBAC_SETUP, "scraper") == ["default:scraper"]
    assert accounts(RBAC_SETUP + "---\n" + DEPLOYMENT) == ["monitoring:prometheus"]
    assert accounts(RBAC_SETUP + "---\n" + operator) == ["mon:prometheus-k8s"]
    assert accounts(RBAC_SETUP + "---\n" + sts_default) == ["monitoring:default"]
    assert accounts(RBAC_SETUP) == ["default:prometheus"]  # the only ServiceAccount object
    two = "---\n".join(
        [service_account("m", "prometheus"), service_account("m", "grafana"), CLUSTER_ROLE]
    )
    assert accounts(two) == ["m:prometheus"]  # the only Prometheus-named one
    assert accounts("---\n".join([CLUSTER_ROLE, binding("ops", "scraper")])) == ["ops:scraper"]
