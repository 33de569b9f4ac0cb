"""The rule catalogue's Bad and Good examples, made runnable against the live harness.

An example runs when it is a scrape-only config with static targets on ports the proxy routes.
It is changed as little as a deployment would change it: jobs are renamed apart, `proxy_url`
points at the harness' network, and file paths move into the test's folder. The files hold
what the example's premise says: a `# files:` marker's contents where it gives them, the test
CA and client certificate for TLS files, and for other deployment paths (absolute ones, which
scrapelint assumes exist on the Prometheus host) a valid token or password. A relative path the
marker does not create stays missing, as in the example. Credentials of a Good example are
the right ones for its endpoint, so the server is told to accept them; a Good job without
credentials scrapes a public endpoint, so its hosts need none.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, SequenceNode

from tests.helpers import FILES_MARKER, _make_files, expectations
from tests.live.server import Policy

FILE_FIELDS = frozenset(
    {
        "ca_file",
        "cert_file",
        "key_file",
        "credentials_file",
        "bearer_token_file",
        "password_file",
        "username_file",
    }
)
CREDENTIAL_KEYS = ("basic_auth", "authorization", "bearer_token", "bearer_token_file", "oauth2")
TOP_LEVEL = frozenset({"global", "scrape_configs"})


@dataclass(frozen=True)
class Material:
    """What the harness hands out: paths relative to the live folder, and valid secrets."""

    ca: Path
    client_cert: Path
    client_key: Path
    token: str
    user: str
    password: str


@dataclass
class Example:
    rule: str
    heading: str  # "Bad" or "Good"
    index: int
    text: str
    skip: str | None = None
    jobs: list[dict[str, Any]] = field(default_factory=list)
    # Renamed jobs that hold an `# expect:` line (what the rule is about).
    expected: set[str] = field(default_factory=set)
    hosts: set[str] = field(default_factory=set)

    @property
    def id(self) -> str:
        return f"{self.rule}-{self.heading.lower()}{self.index}"

    @property
    def good(self) -> bool:
        return self.heading == "Good"

    def job_name(self, original: str) -> str:
        return f"cat-{self.id.lower()}-{original}"


def load(rule: str, heading: str, index: int, text: str, ports: set[int]) -> Example:
    """The example, with `skip` set when the harness cannot run it."""
    example = Example(rule, heading, index, text)
    marker = FILES_MARKER.search(text)
    spec: dict[str, dict[str, str]] = json.loads(marker.group(1)) if marker else {}
    if any(entry.get("kind") == "fifo" for entry in spec.values()):
        example.skip = "its credential file is a FIFO: Prometheus' read would block the scrape"
        return example
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        example.skip = "not valid YAML"
        return example
    if not isinstance(data, dict) or set(data) - TOP_LEVEL or not data.get("scrape_configs"):
        example.skip = "not a scrape-only example (alerting, remote_write, ...): nothing to scrape"
        return example
    for job in data["scrape_configs"]:
        if any(str(key).endswith("_sd_configs") for key in job):
            example.skip = "uses service discovery; the harness serves static targets only"
            return example
        for group in job.get("static_configs") or []:
            for target in group.get("targets") or []:
                host, _, port = str(target).rpartition(":")
                if not port.isdigit() or int(port) not in ports:
                    example.skip = f"target {target} is on a port the harness does not route"
                    return example
                example.hosts.add(host)
    lines = {line for line, _ in expectations(text)}
    for original, (first, last) in _job_lines(text).items():
        if any(first <= line <= last for line in lines):
            example.expected.add(example.job_name(original))
    example.jobs = data["scrape_configs"]
    return example


def _job_lines(text: str) -> dict[str, tuple[int, int]]:
    """job_name -> (first, last) 1-based lines of its entry in scrape_configs."""
    root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    found: dict[str, tuple[int, int]] = {}
    if not isinstance(root, MappingNode):
        return found
    for key, value in root.value:
        if key.value != "scrape_configs" or not isinstance(value, SequenceNode):
            continue
        starts = [item.start_mark.line + 1 for item in value.value]
        for position, item in enumerate(value.value):
            if not isinstance(item, MappingNode):
                continue
            name = next((v.value for k, v in item.value if k.value == "job_name"), None)
            last = starts[position + 1] - 1 if position + 1 < len(starts) else 10**9
            if isinstance(name, str):
                found[name] = (starts[position], last)
    return found


def prepare(
    example: Example, folder: Path, material: Material, policy: Policy, proxy: str
) -> list[dict[str, Any]]:
    """Write the example's files under `folder`, teach `policy` its premise, return its jobs."""
    base = Path("catalogue") / example.id
    marker = FILES_MARKER.search(example.text)
    if marker:
        _make_files(str(folder / base), json.loads(marker.group(1)))
    jobs: list[dict[str, Any]] = []
    for job in example.jobs:
        job = dict(job)
        user = str((job.get("basic_auth") or {}).get("username") or material.user)
        _move_files(job, example, folder, base, material, policy, user)
        if example.good:
            _accept_inline(job, policy, user)
            if not any(job.get(key) for key in CREDENTIAL_KEYS) and not _has_client_cert(job):
                for group in job.get("static_configs") or []:
                    for target in group.get("targets") or []:
                        policy.open_hosts.add(str(target).rpartition(":")[0].lower())
        job["job_name"] = example.job_name(str(job["job_name"]))
        job["proxy_url"] = proxy
        jobs.append(job)
    return jobs


def _has_client_cert(job: dict[str, Any]) -> bool:
    return bool((job.get("tls_config") or {}).get("cert_file"))


def _accept_inline(job: dict[str, Any], policy: Policy, user: str) -> None:
    password = (job.get("basic_auth") or {}).get("password")
    if isinstance(password, str):
        policy.passwords.setdefault(user, set()).add(password)
    for token in ((job.get("authorization") or {}).get("credentials"), job.get("bearer_token")):
        if isinstance(token, str):
            policy.tokens[token] = user


def _move_files(
    node: Any,
    example: Example,
    folder: Path,
    base: Path,
    material: Material,
    policy: Policy,
    user: str,
) -> None:
    if isinstance(node, list):
        for item in node:
            _move_files(item, example, folder, base, material, policy, user)
        return
    if not isinstance(node, dict):
        return
    for key, value in list(node.items()):
        if key in FILE_FIELDS and isinstance(value, str) and value:
            node[key] = str(_move(key, value, example, folder, base, material, policy, user))
        else:
            _move_files(value, example, folder, base, material, policy, user)


def _move(
    key: str,
    value: str,
    example: Example,
    folder: Path,
    base: Path,
    material: Material,
    policy: Policy,
    user: str,
) -> Path:
    clean = os.path.normpath(value).lstrip("/").replace("..", "_")
    relative = base / clean
    target = folder / relative
    if key in ("ca_file", "cert_file", "key_file"):
        source = {"ca_file": material.ca, "cert_file": material.client_cert}.get(
            key, material.client_key
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes((folder / source).read_bytes())
        target.chmod(0o600)
        return relative
    if os.path.lexists(target):
        if example.good and target.is_file():
            content = target.read_text(encoding="utf-8").strip()
            if key in ("credentials_file", "bearer_token_file"):
                policy.tokens[content] = user
            elif key == "password_file":
                policy.passwords.setdefault(user, set()).add(content)
        return relative
    if os.path.isabs(value):  # a deployment path: it exists on the Prometheus host
        content = {"password_file": material.password, "username_file": material.user}.get(
            key, material.token
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content + "\n", encoding="utf-8")
        target.chmod(0o600)
    return relative
