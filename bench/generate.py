"""Generate realistic Prometheus configs with N scrape jobs, for the benchmark (bench/run.py).

    python bench/generate.py 10 1000 10000 -o /tmp/bench            # http_sd flavour
    python bench/generate.py 10000 --sd kubernetes -o /tmp/bench    # kubernetes_sd flavour

The jobs look like the ones a platform team keeps for a fleet: node exporters and services
listed statically (with target labels, relabelling of `instance`, dropped Go metrics),
services behind TLS with a bearer token or basic auth read from files, blackbox probes,
federation, and discovered workloads with the usual annotation-driven relabelling. The
discovered workloads use `kubernetes_sd_configs`, or `http_sd_configs` with the same
relabelling (`--sd http`, the default), because Debian's promtool is built without Kubernetes
discovery: the benchmark compares against it on the http flavour.

A real fleet's config is mostly right: about one job in a hundred carries a mistake scrapelint
reports (an inline password, `insecure_skip_verify`, credentials over plain http, a kubelet
scraped without credentials). Every file a job names (CA, client certificates, token and
password files, rule files) is written beside the config with mode 0600, so that `promtool
check config` accepts the config and scrapelint's credential-file rules find them in order.
Output is deterministic for a given seed.
"""

from __future__ import annotations

import argparse
import os
import random
from pathlib import Path

TEAMS = [
    f"team-{name}"
    for name in ("payments", "search", "identity", "storage", "edge", "billing", "ml", "ads")
]
DATACENTRES = ("fra1", "ams2", "iad1", "sfo3", "sgp1")
ENVIRONMENTS = ("prod", "prod", "prod", "staging", "dev")
MISTAKE_RATE = 0.01


class Job:
    """One scrape job being written: lines of YAML, indented under `scrape_configs:`."""

    def __init__(self, name: str) -> None:
        self.lines = [f"  - job_name: {name}"]

    def add(self, text: str) -> None:
        self.lines.extend("    " + line if line else "" for line in text.strip("\n").split("\n"))


class Generator:
    def __init__(self, seed: int, sd: str) -> None:
        self.random = random.Random(seed)
        self.sd = sd
        self.files: set[str] = set()

    # --- pieces ------------------------------------------------------------------------

    def file(self, path: str) -> str:
        self.files.add(path)
        return path

    def host(self, index: int, number: int) -> str:
        role = self.random.choice(("app", "db", "cache", "web", "worker"))
        return f"{role}-{index:05d}-{number}.{self.random.choice(DATACENTRES)}.example.net"

    def static(self, index: int, port: int, team: str, groups: int = 0) -> str:
        lines = ["static_configs:"]
        for group in range(groups or self.random.randint(1, 2)):
            count = self.random.randint(1, 4)
            hosts = [f"{self.host(index, group * 10 + n)}:{port}" for n in range(count)]
            if count <= 3:
                lines.append("  - targets: [" + ", ".join(f'"{h}"' for h in hosts) + "]")
            else:
                lines.append("  - targets:")
                lines.extend(f"      - {h}" for h in hosts)
            lines.append("    labels:")
            lines.append(f"      team: {team}")
            lines.append(f"      env: {self.random.choice(ENVIRONMENTS)}")
        return "\n".join(lines)

    def tls(self, client_cert: bool = False, server_name: str | None = None) -> str:
        lines = ["tls_config:", f"  ca_file: {self.file('certs/ca.pem')}"]
        if server_name:
            lines.append(f"  server_name: {server_name}")
        if client_cert:
            lines.append(f"  cert_file: {self.file('certs/prometheus.pem')}")
            lines.append(f"  key_file: {self.file('certs/prometheus-key.pem')}")
        if self.random.random() < 0.2:
            lines.append("  min_version: TLS12")
        return "\n".join(lines)

    def token(self, team: str) -> str:
        return (
            "authorization:\n"
            "  type: Bearer\n"
            f"  credentials_file: {self.file(f'secrets/{team}.token')}"
        )

    def basic(self, team: str) -> str:
        return (
            "basic_auth:\n"
            f"  username: {team}-scraper\n"
            f"  password_file: {self.file(f'secrets/{team}.password')}"
        )

    def timing(self) -> str:
        interval = self.random.choice(("15s", "30s", "30s", "1m"))
        timeout = {"15s": "10s", "30s": "20s", "1m": "30s"}[interval]
        return f"scrape_interval: {interval}\nscrape_timeout: {timeout}"

    def instance_relabel(self) -> str:
        return (
            "relabel_configs:\n"
            "  - source_labels: [__address__]\n"
            "    regex: '([^.]+)\\..*'\n"
            "    target_label: instance\n"
            "    replacement: '$1'\n"
            "  - source_labels: [env]\n"
            "    regex: dev\n"
            "    action: drop"
        )

    def drop_go_metrics(self) -> str:
        return (
            "metric_relabel_configs:\n"
            "  - source_labels: [__name__]\n"
            "    regex: 'go_(gc|memstats|threads).*'\n"
            "    action: drop"
        )

    def discovery(self, index: int, role: str, team: str) -> str:
        if self.sd == "kubernetes":
            lines = [
                "kubernetes_sd_configs:",
                f"  - role: {role}",
                "    namespaces:",
                f"      names: [{team}]",
            ]
            return "\n".join(lines)
        return (
            "http_sd_configs:\n"
            f"  - url: https://sd.{self.random.choice(DATACENTRES)}.example.net/v1/targets"
            f"?role={role}&namespace={team}&shard={index % 16}\n"
            "    refresh_interval: 1m\n"
            "    authorization:\n"
            f"      credentials_file: {self.file('secrets/service-discovery.token')}\n"
            "    tls_config:\n"
            f"      ca_file: {self.file('certs/ca.pem')}"
        )

    # --- job flavours --------------------------------------------------------------------

    def node_exporter(self, index: int, team: str) -> Job:
        job = Job(f"node-{team}-{index:05d}")
        if self.random.random() < 0.5:
            job.add(self.timing())
        job.add(self.static(index, 9100, team))
        job.add(self.instance_relabel())
        if self.random.random() < 0.3:
            job.add(self.drop_go_metrics())
        return job

    def tls_service(self, index: int, team: str) -> Job:
        job = Job(f"svc-{team}-{index:05d}")
        job.add("scheme: https")
        job.add(self.random.choice((self.token(team), self.basic(team))))
        job.add(self.tls(server_name=f"{team}.internal.example.net"))
        if self.random.random() < 0.3:
            job.add("metrics_path: /internal/metrics")
        job.add(self.static(index, self.random.choice((8443, 9443, 443)), team))
        if self.random.random() < 0.3:
            job.add(self.drop_go_metrics())
        return job

    def mtls_service(self, index: int, team: str) -> Job:
        job = Job(f"mtls-{team}-{index:05d}")
        job.add(self.timing())
        job.add("scheme: https")
        job.add(self.tls(client_cert=True))
        job.add(self.static(index, 9443, team, groups=1))
        return job

    def blackbox(self, index: int, team: str) -> Job:
        job = Job(f"probe-{team}-{index:05d}")
        job.add("metrics_path: /probe")
        job.add("params:\n  module: [http_2xx]")
        urls = [f"https://{team}-{index}-{n}.example.org/healthz" for n in range(3)]
        job.add("static_configs:\n  - targets:\n" + "\n".join(f"      - {u}" for u in urls))
        job.add(
            "relabel_configs:\n"
            "  - source_labels: [__address__]\n"
            "    target_label: __param_target\n"
            "  - source_labels: [__param_target]\n"
            "    target_label: instance\n"
            "  - target_label: __address__\n"
            "    replacement: blackbox-exporter.monitoring.svc:9115"
        )
        return job

    def discovered(self, index: int, team: str) -> Job:
        job = Job(f"pods-{team}-{index:05d}")
        job.add(self.timing())
        job.add(self.discovery(index, "pod", team))
        job.add(
            "relabel_configs:\n"
            "  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_scrape]\n"
            "    action: keep\n"
            '    regex: "true"\n'
            "  - source_labels: [__meta_kubernetes_pod_annotation_prometheus_io_path]\n"
            "    action: replace\n"
            "    target_label: __metrics_path__\n"
            "    regex: (.+)\n"
            "  - source_labels:\n"
            "      - __address__\n"
            "      - __meta_kubernetes_pod_annotation_prometheus_io_port\n"
            "    regex: '([^:]+)(?::\\d+)?;(\\d+)'\n"
            "    replacement: $1:$2\n"
            "    target_label: __address__\n"
            "  - action: labelmap\n"
            "    regex: __meta_kubernetes_pod_label_(.+)"
        )
        return job

    def kubelet(self, index: int, team: str) -> Job:
        job = Job(f"kubelet-{team}-{index:05d}")
        job.add("scheme: https")
        job.add(self.token("kubelet"))
        job.add(self.tls(server_name="kubelet.cluster.local"))
        job.add(self.discovery(index, "node", team))
        job.add(
            "relabel_configs:\n  - action: labelmap\n    regex: __meta_kubernetes_node_label_(.+)"
        )
        return job

    def federate(self, index: int, team: str) -> Job:
        job = Job(f"federate-{team}-{index:05d}")
        job.add("honor_labels: true\nmetrics_path: /federate\nscrape_interval: 1m")
        job.add("params:\n  'match[]':\n    - '{job=~\"node.*\"}'\n    - '{__name__=~\"job:.*\"}'")
        job.add("scheme: https")
        job.add(self.basic(team))
        job.add(self.tls())
        job.add(self.static(index, 9090, team, groups=1))
        return job

    def job(self, index: int) -> Job:
        team = TEAMS[index % len(TEAMS)]
        if self.random.random() < MISTAKE_RATE:
            return self.mistaken(index, team)
        flavours = (
            (self.node_exporter, 30), (self.tls_service, 25), (self.discovered, 20),
            (self.mtls_service, 8), (self.blackbox, 8), (self.kubelet, 5), (self.federate, 4),
        )  # fmt: skip
        make = self.random.choices([f for f, _ in flavours], [w for _, w in flavours])[0]
        return make(index, team)

    def mistaken(self, index: int, team: str) -> Job:
        """A job with one of the mistakes scrapelint exists for (promtool accepts them all)."""
        job = Job(f"legacy-{team}-{index:05d}")
        kind = self.random.randrange(4)
        if kind == 0:  # TLS without verification
            job.add("scheme: https\ntls_config:\n  insecure_skip_verify: true")
            job.add(self.token(team))
        elif kind == 1:  # a password written inline, sent over plain http
            job.add("basic_auth:\n  username: admin\n  password: changeme-123")
        elif kind == 2:  # the deprecated bearer_token, inline
            job.add("bearer_token: eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9I")
        else:  # the kubelet's secured port without credentials
            job.add("scheme: https")
            job.add(self.tls())
            job.add(self.static(index, 10250, team, groups=1))
            return job
        job.add(self.static(index, 9100, team, groups=1))
        return job

    # --- the whole file ------------------------------------------------------------------

    def config(self, jobs: int) -> str:
        head = f"""\
# Generated by bench/generate.py: {jobs} scrape jobs.
global:
  scrape_interval: 30s
  scrape_timeout: 10s
  evaluation_interval: 30s
  external_labels:
    cluster: bench-{self.sd}
    replica: a

rule_files:
  - {self.file("rules/recording.yml")}

alerting:
  alertmanagers:
    - scheme: https
      path_prefix: /alertmanager
      authorization:
        credentials_file: {self.file("secrets/alertmanager.token")}
      tls_config:
        ca_file: {self.file("certs/ca.pem")}
      static_configs:
        - targets: [am-0.monitoring.example.net:9093, am-1.monitoring.example.net:9093]

remote_write:
  - url: https://metrics.example.net/api/v1/push
    basic_auth:
      username: prometheus
      password_file: {self.file("secrets/remote-write.password")}
    tls_config:
      ca_file: {self.file("certs/ca.pem")}
    queue_config:
      max_samples_per_send: 5000
      capacity: 20000
    write_relabel_configs:
      - source_labels: [__name__]
        regex: "up|job:.*|node_.*"
        action: keep

scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]
"""
        body = ["\n".join(self.job(index).lines) for index in range(1, jobs)]
        return head + "\n".join(body) + "\n"


RULES = """\
groups:
  - name: recording
    rules:
      - record: job:up:sum
        expr: sum by (job) (up)
"""


def write(outdir: Path, jobs: int, sd: str, seed: int) -> Path:
    generator = Generator(seed, sd)
    text = generator.config(jobs)
    outdir.mkdir(parents=True, exist_ok=True)
    target = outdir / f"prometheus-{sd}-{jobs}.yml"
    target.write_text(text, encoding="utf-8")
    for relative in sorted(generator.files):
        path = outdir / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(RULES if relative.startswith("rules/") else f"bench-{path.name}\n")
        os.chmod(path, 0o600)
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("jobs", type=int, nargs="+", help="numbers of scrape jobs")
    parser.add_argument("-o", "--outdir", type=Path, default=Path("bench-configs"))
    parser.add_argument("--sd", choices=("http", "kubernetes"), default="http")
    parser.add_argument("--seed", type=int, default=9)
    options = parser.parse_args()
    for jobs in options.jobs:
        target = write(options.outdir, jobs, options.sd, options.seed)
        text = target.read_text(encoding="utf-8")
        print(f"{target}\t{jobs} jobs\t{len(text.encode())} bytes\t{text.count(chr(10))} lines")


if __name__ == "__main__":
    main()
