"""Live scrapes: the real `prometheus` binary against a server of ours, all on 127.0.0.1.

For each rule that predicts a failure at scrape time, a broken job fails the way the rule's page
says and the fixed job goes UP, and scrapelint reports the broken config and not the fixed one.
The catalogue's own Bad and Good examples of those rules run too, wherever the harness can run
them. One Prometheus process scrapes every job (interval 1s), so the whole module takes a few
seconds; each case has its own jobs, target host names and files.

How the pieces fit (tests/live/): `server.TargetServer` has a plain, a TLS and a mutual-TLS
listener that answer 401 without valid credentials, 403 to a known identity without permission
and 401 to an expired JWT. `proxy.VirtualNetwork` is every job's `proxy_url`: targets keep
realistic names and ports (`node1.example.internal:10250`), which the proxy sends to the
listener for that port, and it records what crossed it in clear.
"""

from __future__ import annotations

import base64
import concurrent.futures
import json
import os
import re
import secrets
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from scrapelint.registry import checks, rules
from tests.live import binaries, catalogue, certs, tokens
from tests.live import promtool as pt
from tests.live.prometheus import PrometheusProcess
from tests.live.proxy import VirtualNetwork
from tests.live.server import Policy, TargetServer
from tests.test_catalogue import _blocks

pytestmark = pytest.mark.live

DOMAIN = certs.DOMAIN
USER = "prometheus"
VIEWER = "viewer"  # a known identity without permission: answered 403
SETTLE_SECONDS = 45
TOO_NEW = "it uses keys newer than this Prometheus"
GLOBAL = "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n"

PLAIN_PORTS = (80, 4194, 8080, 9090, 9100, 10255)
TLS_PORTS = (443, 6443, 8443, 9000, 9093, 9443, 10250, 10257, 10259)
MTLS_PORTS = (2379,)


@dataclass(frozen=True)
class LiveCase:
    """A rule's prediction, as a broken and a fixed job.

    `broken` and `fixed` are the job's keys (YAML at job level), with @CA@, @CERT@, @KEY@ for
    the test CA and client certificate and @DIR@ for the case's own folder. The broken job
    fails with `fails` in lastError, or, when `absent`, never gets a scrape pool and the log
    says `fails`; when `leaks`, it scrapes UP but its credentials crossed the network in clear.
    """

    rule: str
    name: str
    port: int
    broken: str
    fixed: str
    fails: str = ""
    absent: bool = False
    leaks: bool = False
    fixed_port: int | None = None
    broken_files: tuple[tuple[str, str], ...] = ()  # (name in @DIR@, kind of content)
    fixed_files: tuple[tuple[str, str], ...] = ()
    open_host: bool = False

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.name}"

    def job(self, variant: str) -> str:
        return f"{self.id.lower()}-{variant}"

    def host(self, variant: str) -> str:
        return f"{self.job(variant)}.{DOMAIN}"

    def target(self, variant: str) -> str:
        port = self.fixed_port if variant == "fixed" and self.fixed_port else self.port
        return f"{self.host(variant)}:{port}"


TLS_CA = "tls_config:\n  ca_file: @CA@\n"
TOKEN = "authorization:\n  credentials_file: @DIR@/token\n"
BASIC = "basic_auth:\n  username: prometheus\n  password_file: @DIR@/password\n"

CASES = [
    LiveCase(
        "SL101",
        "kubelet-without-token",
        10250,
        broken="scheme: https\n" + TLS_CA,
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r"server returned HTTP status 401 Unauthorized",
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL101",
        "etcd-without-client-certificate",
        2379,
        broken="scheme: https\n" + TLS_CA,
        fixed="scheme: https\n" + TLS_CA + "  cert_file: @CERT@\n  key_file: @KEY@\n",
        fails=r"tls: certificate required|tls: bad certificate|handshake failure",
    ),
    LiveCase(
        "SL102",
        "https-without-credentials",
        9443,
        broken="scheme: https\n" + TLS_CA,
        fixed="scheme: https\n" + TLS_CA + BASIC,
        fails=r"server returned HTTP status 401 Unauthorized",
        fixed_files=(("password", "password"),),
    ),
    LiveCase(
        "SL106",
        "basic-auth-without-password",
        9443,
        broken="scheme: https\n" + TLS_CA + "basic_auth:\n  username: prometheus\n",
        fixed="scheme: https\n" + TLS_CA + BASIC,
        fails=r"server returned HTTP status 401 Unauthorized",
        fixed_files=(("password", "password"),),
    ),
    LiveCase(
        "SL106",
        "authorization-without-credentials",
        9443,
        broken="scheme: https\n" + TLS_CA + "authorization:\n  type: Bearer\n",
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r"server returned HTTP status 401 Unauthorized",
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL109",
        "password-placeholder",
        9443,
        broken="scheme: https\n"
        + TLS_CA
        + "basic_auth:\n  username: prometheus\n  password: ${APP_PASSWORD}\n",
        fixed="scheme: https\n" + TLS_CA + BASIC,
        fails=r"server returned HTTP status 401 Unauthorized",
        fixed_files=(("password", "password"),),
    ),
    LiveCase(
        "SL301",
        "basic-auth-over-http",
        8080,
        broken=BASIC,
        fixed="scheme: https\n" + TLS_CA + BASIC,
        leaks=True,
        fixed_port=8443,
        broken_files=(("password", "password"),),
        fixed_files=(("password", "password"),),
    ),
    LiveCase(
        "SL302",
        "http-to-apiserver-port",
        6443,
        broken=TOKEN,
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r"server returned HTTP status 400 Bad Request",
        broken_files=(("token", "token"),),
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL303",
        "https-to-kubelet-read-only-port",
        10255,
        broken="scheme: https\n" + TLS_CA,
        fixed="scheme: http\n",
        fails=r"server gave HTTP response to HTTPS client",
        open_host=True,
    ),
    LiveCase(
        "SL305",
        "tls-config-on-http",
        9000,
        broken=TLS_CA + TOKEN,
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r"server returned HTTP status 400 Bad Request",
        broken_files=(("token", "token"),),
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL307",
        "ftp-scheme",
        9443,
        broken="scheme: ftp\n" + TLS_CA + TOKEN,
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r'unsupported protocol scheme "ftp"',
        broken_files=(("token", "token"),),
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL309",
        "max-version-below-min-version",
        9443,
        broken="scheme: https\n" + TLS_CA + "  min_version: TLS13\n  max_version: TLS12\n" + TOKEN,
        fixed="scheme: https\n" + TLS_CA + "  min_version: TLS12\n  max_version: TLS13\n" + TOKEN,
        fails=r"error creating new scrape pool.*max_version must be greater than or equal to",
        absent=True,
        broken_files=(("token", "token"),),
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL401",
        "credentials-file-missing",
        9443,
        broken="scheme: https\n" + TLS_CA + TOKEN,
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r"unable to read authorization credentials.*no such file or directory",
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL403",
        "credentials-file-empty",
        9443,
        broken="scheme: https\n" + TLS_CA + TOKEN,
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r"server returned HTTP status 401 Unauthorized",
        broken_files=(("token", "empty"),),
        fixed_files=(("token", "token"),),
    ),
    LiveCase(
        "SL404",
        "expired-token",
        9443,
        broken="scheme: https\n" + TLS_CA + TOKEN,
        fixed="scheme: https\n" + TLS_CA + TOKEN,
        fails=r"server returned HTTP status 401 Unauthorized",
        broken_files=(("token", "expired"),),
        fixed_files=(("token", "token"),),
    ),
]

# Jobs that check the harness itself: the 403 of a known identity without permission.
HARNESS_JOBS = {
    "harness-forbidden-token": (
        "scheme: https\n" + TLS_CA + "authorization:\n  credentials_file: harness/viewer-token\n",
        f"forbidden-token.{DOMAIN}:9443",
    ),
    "harness-forbidden-certificate": (
        "scheme: https\n" + TLS_CA + "  cert_file: @INTRUDER_CERT@\n  key_file: @INTRUDER_KEY@\n",
        f"forbidden-certificate.{DOMAIN}:2379",
    ),
    "harness-uppercase-scheme": (
        "scheme: HTTPS\n" + TLS_CA + "authorization:\n  credentials_file: harness/token\n",
        f"uppercase-scheme.{DOMAIN}:9443",
    ),
}

# The catalogue examples that run live: rules whose pages predict a scrape-time failure,
# plus SL301 (credentials in clear, observable on the wire).
LIVE_RULES = frozenset(r.id for r in rules().values() if r.prometheus == "silent") | {"SL301"}


def _examples() -> list[catalogue.Example]:
    ports = {*PLAIN_PORTS, *TLS_PORTS, *MTLS_PORTS}
    found = []
    for heading in ("Bad", "Good"):
        for rule_id, index, block, _manifests in _blocks(heading):
            if rule_id in LIVE_RULES:
                found.append(catalogue.load(rule_id, heading, index, block, ports))
    return found


EXAMPLES = _examples()


# --- the harness -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LintResults:
    broken: dict[str, tuple[int, list[dict[str, Any]]]]  # case id -> `--select RULE` run
    fixed: dict[str, list[dict[str, Any]]]  # file name -> findings of every rule


@dataclass
class LiveRun:
    folder: Path
    prometheus: PrometheusProcess
    network: VirtualNetwork
    server: TargetServer
    targets: dict[str, list[dict[str, Any]]]  # job -> its active targets, once settled
    log: str
    not_runnable: dict[str, str]  # example id -> why Prometheus could not load it
    lint: concurrent.futures.Future[LintResults]  # scrapelint's runs, made while Prometheus ran

    def job_targets(self, job: str) -> list[dict[str, Any]]:
        return self.targets.get(job, [])

    def pool_failed(self, job: str) -> str | None:
        """The log line saying the job's scrape pool could not be created, if any."""
        for line in self.log.splitlines():
            if "error creating new scrape pool" in line and f"scrape_pool={job}" in line:
                return line
        return None


def _substitute(text: str, replacements: dict[str, str]) -> str:
    for marker, value in replacements.items():
        text = text.replace(marker, value)
    return text


def _job_text(name: str, body: str, target: str, proxy: str) -> str:
    indented = "".join(f"    {line}\n" for line in body.splitlines())
    return (
        f"  - job_name: {name}\n{indented}    proxy_url: {proxy}\n"
        f'    static_configs:\n      - targets: ["{target}"]\n'
    )


def _case_config(case: LiveCase, variant: str, replacements: dict[str, str], proxy: str) -> str:
    body = case.broken if variant == "broken" else case.fixed
    values = {**replacements, "@DIR@": f"cases/{case.job(variant)}"}
    job = _job_text(case.job(variant), _substitute(body, values), case.target(variant), proxy)
    return f"{GLOBAL}scrape_configs:\n{job}"


def _write_secret(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    path.chmod(0o600)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveRun]:
    binary = binaries.find("prometheus")
    promtool = binaries.find("promtool")
    folder = tmp_path_factory.mktemp("live")
    addresses = tuple(
        sorted({host for ex in EXAMPLES if ex.skip is None for host in ex.hosts if _is_ip(host)})
    )
    material_certs = certs.generate(folder / "certs", (USER, "intruder"), addresses)
    jwt_secret = secrets.token_bytes(32)
    password = secrets.token_urlsafe(18)
    token = tokens.make(USER, 30 * 86400, jwt_secret)
    contents = {
        "token": token + "\n",
        "expired": tokens.make(USER, -3600, jwt_secret) + "\n",
        "empty": "",
        "password": password + "\n",
    }
    policy = Policy(
        passwords={USER: {password}},
        tokens={},
        jwt_secret=jwt_secret,
        allowed=frozenset({USER}),
        open_hosts={case.host(v) for case in CASES if case.open_host for v in ("broken", "fixed")},
    )
    server = TargetServer(policy, material_certs)
    network: VirtualNetwork | None = None
    process: PrometheusProcess | None = None
    background = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        server.start()
        ports = server.ports
        routes = {port: ports["plain"] for port in PLAIN_PORTS}
        routes |= {port: ports["tls"] for port in TLS_PORTS}
        routes |= {port: ports["mtls"] for port in MTLS_PORTS}
        network = VirtualNetwork(routes)
        network.start()
        relative = {
            "@CA@": "certs/ca.pem",
            "@CERT@": f"certs/{USER}.pem",
            "@KEY@": f"certs/{USER}-key.pem",
            "@INTRUDER_CERT@": "certs/intruder.pem",
            "@INTRUDER_KEY@": "certs/intruder-key.pem",
        }
        jobs_text: list[str] = []
        for case in CASES:
            for variant, files in (("broken", case.broken_files), ("fixed", case.fixed_files)):
                for name, kind in files:
                    _write_secret(folder / "cases" / case.job(variant) / name, contents[kind])
                config = _case_config(case, variant, relative, network.url)
                (folder / f"{case.job(variant)}.yml").write_text(config, encoding="utf-8")
                jobs_text.append(config.split("scrape_configs:\n", 1)[1])
        _write_secret(folder / "harness" / "token", contents["token"])
        _write_secret(
            folder / "harness" / "viewer-token", tokens.make(VIEWER, 3600, jwt_secret) + "\n"
        )
        for name, (body, target) in HARNESS_JOBS.items():
            jobs_text.append(_job_text(name, _substitute(body, relative), target, network.url))
        all_jobs: list[dict[str, Any]] = yaml.safe_load("".join(jobs_text))
        material = catalogue.Material(
            Path(relative["@CA@"]),
            Path(relative["@CERT@"]),
            Path(relative["@KEY@"]),
            token,
            USER,
            password,
        )
        not_runnable: dict[str, str] = {}
        for example in EXAMPLES:
            if example.skip is None:
                jobs = catalogue.prepare(example, folder, material, policy, network.url)
                problem = _refused(promtool, folder, example.id, jobs)
                if problem is None:
                    all_jobs.extend(jobs)
                else:
                    not_runnable[example.id] = problem
        config_path = folder / "prometheus.yml"
        config_path.write_text(
            GLOBAL + yaml.safe_dump({"scrape_configs": all_jobs}, sort_keys=False),
            encoding="utf-8",
        )
        process = PrometheusProcess(
            binary, folder, config_path, env={"SSL_CERT_FILE": str(folder / relative["@CA@"])}
        )
        # scrapelint's runs need only the files: let them overlap Prometheus' first scrapes.
        linting = background.submit(_lint_all, folder)
        process.start()
        targets = _settle(process, all_jobs)
        yield LiveRun(
            folder, process, network, server, targets, process.log(), not_runnable, linting
        )
    finally:
        if process is not None:
            process.stop()
        if network is not None:
            network.stop()
        server.stop()
        background.shutdown(wait=True)


def _is_ip(host: str) -> bool:
    return bool(re.fullmatch(r"[\d.]+", host))


def _refused(promtool: str, folder: Path, name: str, jobs: list[dict[str, Any]]) -> str | None:
    """Why Prometheus would not load the example's jobs (None: it would), checked with promtool
    in the live folder. A missing file is promtool's own check: the server still loads."""
    path = folder / f"check-{name}.yml"
    path.write_text(GLOBAL + yaml.safe_dump({"scrape_configs": jobs}), encoding="utf-8")
    done = subprocess.run(
        [promtool, "check", "config", path.name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    verdict = pt.classify(pt.PromtoolRun(done.returncode, done.stdout, done.stderr), frozenset())
    if verdict.kind in (pt.Kind.ACCEPTS, pt.Kind.FILE_CHECK):
        return None
    version = binaries.version(promtool)
    if verdict.kind is pt.Kind.UNKNOWN_FIELDS and all(
        pt.newer(key, type_name, version) for key, type_name in verdict.unknown
    ):
        keys = ", ".join(sorted({key for key, _ in verdict.unknown}))
        return f"{TOO_NEW}: {keys} (this is {binaries.version_text(version)})"
    return verdict.message


def _settle(process: PrometheusProcess, jobs: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Targets by job, once every job has been scraped or its pool has failed (bounded)."""
    names = {str(job["job_name"]) for job in jobs}
    snapshot: dict[str, list[dict[str, Any]]] = {}
    pending: set[str] = set(names)

    def settled() -> bool:
        snapshot.clear()
        for target in process.active_targets():
            snapshot.setdefault(target["labels"]["job"], []).append(target)
        waiting = names - _failed_pools(process.log(), names)
        pending.clear()
        pending.update(
            job
            for job in waiting
            if not snapshot.get(job) or any(t["health"] == "unknown" for t in snapshot[job])
        )
        return not pending

    try:
        process.wait(settled, SETTLE_SECONDS, "every live job to be scraped once")
    except TimeoutError as error:
        raise TimeoutError(f"{error}; still waiting for {sorted(pending)}") from None
    # One more interval, so that a job's first scrape is not the only one judged.
    time.sleep(1.2)
    settled()
    return dict(snapshot)


def _failed_pools(log: str, names: set[str]) -> set[str]:
    return {
        name
        for line in log.splitlines()
        if "error creating new scrape pool" in line
        for name in names
        if f"scrape_pool={name}" in line.split()
    }


def scrapelint_json(folder: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    done = subprocess.run(
        [sys.executable, "-m", "scrapelint", "check", "--isolated", "--format", "json", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert done.returncode in (0, 1), done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)["findings"]
    return done.returncode, findings


def _host_port(address: str) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return host, int(port)


def _describe(targets: list[dict[str, Any]]) -> str:
    return "; ".join(f"{t['scrapeUrl']} {t['health']} {t['lastError']!r}" for t in targets)


# --- the rules' predictions --------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_broken_config_fails_as_the_rule_says(live: LiveRun, case: LiveCase) -> None:
    job = case.job("broken")
    targets = live.job_targets(job)
    if case.absent:
        assert targets == [], f"{job} was expected to get no scrape pool: {_describe(targets)}"
        line = live.pool_failed(job)
        assert line is not None and re.search(case.fails, line), live.log[-3000:]
        return
    assert targets, f"{job} has no targets:\n{live.log[-3000:]}"
    if case.leaks:
        assert all(t["health"] == "up" for t in targets), _describe(targets)
        clear = [
            hop
            for hop in live.network.seen(case.host("broken"), case.port)
            if hop.method != "CONNECT"
        ]
        assert clear, "no plain-HTTP request crossed the proxy"
        authorization = clear[-1].header("Authorization") or ""
        assert authorization.startswith("Basic "), clear[-1]
        assert live.server.policy.passwords[USER] & {_basic_password(authorization)}, (
            "the password seen on the wire is not the job's"
        )
        return
    for target in targets:
        assert target["health"] == "down", _describe(targets)
        assert re.search(case.fails, target["lastError"]), _describe(targets)


def _basic_password(authorization: str) -> str:
    return base64.b64decode(authorization.split(" ", 1)[1]).decode().partition(":")[2]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_fixed_config_scrapes_up(live: LiveRun, case: LiveCase) -> None:
    targets = live.job_targets(case.job("fixed"))
    assert targets, f"{case.job('fixed')} has no targets:\n{live.log[-3000:]}"
    assert all(t["health"] == "up" for t in targets), _describe(targets)
    if case.leaks:
        hops = live.network.seen(case.host("fixed"))
        assert hops and all(hop.method == "CONNECT" for hop in hops), hops
        assert all(hop.header("Authorization") is None for hop in hops)


def _lint_all(folder: Path) -> LintResults:
    """scrapelint on the broken configs (one run per case, `--select` its rule, a few at a time)
    and on all fixed configs at once (every rule)."""
    selected = [case for case in CASES if case.rule in checks()]
    fixed_files = [f"{case.job('fixed')}.yml" for case in CASES]
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        broken = pool.map(
            lambda c: scrapelint_json(folder, "--select", c.rule, f"{c.job('broken')}.yml"),
            selected,
        )
        fixed = pool.submit(scrapelint_json, folder, *fixed_files)
        broken_by_case = {case.id: result for case, result in zip(selected, broken, strict=True)}
        _, fixed_findings = fixed.result()
    by_file: dict[str, list[dict[str, Any]]] = {name: [] for name in fixed_files}
    for finding in fixed_findings:
        by_file.setdefault(Path(finding["path"]).name, []).append(finding)
    return LintResults(broken_by_case, by_file)


@pytest.fixture(scope="module")
def lint(live: LiveRun) -> LintResults:
    return live.lint.result(timeout=120)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.id)
def test_scrapelint_reports_the_broken_config_only(lint: LintResults, case: LiveCase) -> None:
    assert lint.fixed[f"{case.job('fixed')}.yml"] == [], "the fixed config has findings"
    if case.rule not in checks():
        pytest.skip(f"{case.rule} is not implemented yet: only Prometheus' side is checked")
    code, findings = lint.broken[case.id]
    assert code == 1 and case.rule in {f["rule"] for f in findings}, findings


def test_every_scrape_failure_rule_has_a_live_case() -> None:
    required = {"SL101", "SL106", "SL109", "SL301", "SL302", "SL305", "SL401", "SL403", "SL404"}
    assert required <= {case.rule for case in CASES}


VERIFICATION = Path(__file__).resolve().parent.parent / "docs" / "verification.md"
ROW = re.compile(r"^\| (SL\d{3}) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|", re.MULTILINE)


def test_verification_table_lists_every_rule_truthfully() -> None:
    """docs/verification.md has one row per rule, with its front matter; it says `live` for
    every rule with a live case, and only for rules with a live case or a catalogue example
    the harness can run."""
    table = {
        m[0]: (m[1].strip(), m[2].strip(), m[3].strip())
        for m in ROW.findall(VERIFICATION.read_text(encoding="utf-8"))
    }
    catalogue_rules = rules()
    assert sorted(table) == sorted(catalogue_rules)
    cases = {case.rule for case in CASES}
    candidates = cases | {e.rule for e in EXAMPLES if e.skip is None}
    for rule_id, (name, prometheus, verified) in table.items():
        assert (name, prometheus) == (
            catalogue_rules[rule_id].name,
            catalogue_rules[rule_id].prometheus,
        ), rule_id
        if rule_id in cases:
            assert "live" in verified, rule_id
        if "live" in verified:
            assert rule_id in candidates, rule_id


# --- the catalogue's examples ------------------------------------------------------------------


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: e.id)
def test_catalogue_example_behaves_live(live: LiveRun, example: catalogue.Example) -> None:
    """Good examples scrape UP; in Bad ones the job the rule reports does not (SL301: it does,
    and the credentials crossed the network in clear)."""
    if example.skip is not None:
        pytest.skip(f"not runnable live: {example.skip}")
    if live.not_runnable.get(example.id, "").startswith(TOO_NEW):
        pytest.skip(f"not runnable live: {TOO_NEW}")
    if example.id in live.not_runnable:
        pytest.fail(
            f"Prometheus refuses to load this {example.rule} example, although the rule "
            f"predicts that it loads: {live.not_runnable[example.id]}"
        )
    names = [str(job["job_name"]) for job in example.jobs]
    renamed = [example.job_name(name) for name in names]
    if example.good:
        for job in renamed:
            targets = live.job_targets(job)
            assert targets and all(t["health"] == "up" for t in targets), (
                f"{job}: {_describe(targets)}"
            )
        return
    assert example.expected, "a Bad example holds an `# expect:` line inside a job"
    for job in sorted(example.expected):
        targets = live.job_targets(job)
        if example.rule == "SL301":
            assert targets and all(t["health"] == "up" for t in targets), _describe(targets)
            clear = [
                hop
                for t in targets
                for hop in live.network.seen(*_host_port(t["labels"]["instance"]))
                if hop.method != "CONNECT"
            ]
            assert clear and all(h.header("Authorization") for h in clear), clear
            continue
        if not targets:
            assert live.pool_failed(job), f"{job} has neither targets nor a failed pool"
            continue
        assert all(t["health"] == "down" for t in targets), f"{job}: {_describe(targets)}"


# --- the harness and Prometheus 2.x details ----------------------------------------------------


def test_known_identity_without_permission_is_answered_403(live: LiveRun) -> None:
    for job in ("harness-forbidden-token", "harness-forbidden-certificate"):
        targets = live.job_targets(job)
        assert targets and all(
            t["health"] == "down" and "403 Forbidden" in t["lastError"] for t in targets
        ), _describe(targets)


def test_uppercase_scheme_with_an_explicit_port_scrapes_in_2x(live: LiveRun) -> None:
    """SL307 reports `scheme: HTTPS`. Prometheus 2.x refuses it only for targets without a port
    (`invalid scheme`, see test_promtool.py); with a port, Go lower-cases the URL's scheme and
    the scrape works. The rule stays right to report it (the documented values are http and
    https, and 2.x fails as soon as a target has no port), but its cost here is nil."""
    version = binaries.version(live.prometheus.binary)
    if version[0] != 2:
        pytest.skip(f"observed on Prometheus 2.x; this is {binaries.version_text(version)}")
    targets = live.job_targets("harness-uppercase-scheme")
    assert targets and all(t["health"] == "up" for t in targets), _describe(targets)
