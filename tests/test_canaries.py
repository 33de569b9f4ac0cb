"""Secret canaries (DESIGN §6): a distinct marker in every secret-bearing place of a config and in
every secret file it names; no output of any format, and no command, may show one of them.

tests/test_secrets.py plants markers in the common inline fields; this file covers the rest: every
inline secret field of every client (scrape jobs, each service discovery, alertmanagers,
remote_write/read, tracing), URL userinfo everywhere a URL or target is taken, secret query
parameters (`?api_key=`, `?token=`, ...) in targets, http_sd, remote_write and proxy URLs, headers,
params, endpoint_params, proxy headers, the contents of secret files (passwords, tokens, keys,
header files) and JWTs, files that do not parse, and the baseline and --output files.
"""

from __future__ import annotations

import base64
import json
import re
import subprocess
import time
from pathlib import Path

import pytest

from scrapelint.reporters import FORMATS
from tests.helpers import run_scrapelint

PREFIX = "Cnry"
_counter = iter(range(1, 1000))


def marker() -> str:
    """A new distinct canary: letters and digits only, so that it is no placeholder shape."""
    return f"{PREFIX}{next(_counter):03d}q"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(exp: float, *claims_markers: str, signature: str) -> str:
    header = _b64(json.dumps({"alg": "RS256", "typ": "JWT"}).encode())
    claims = {
        "exp": int(exp),
        "iat": int(exp) - 3600,
        "sub": "system:serviceaccount:monitoring:prometheus",
        "jti": claims_markers[0],
        "aud": list(claims_markers[1:]),
    }
    return f"{header}.{_b64(json.dumps(claims).encode())}.{signature}"


# Inline places: {name} is replaced by a new marker each time it occurs.
INLINE = """\
global:
  external_labels: {cluster: canaries}
alerting:
  alertmanagers:
    - scheme: http
      basic_auth: {username: am, password: {m}}
      static_configs: [{targets: ["am-user:{m}@am.example.com:9093"]}]
    - sigv4: {region: eu-west-1, access_key: {m}, secret_key: {m}}
      authorization: {credentials: {m}}
remote_write:
  - url: https://rw-user:{m}@metrics.example.com/push
    headers: {X-Api-Token: {m}, X-Scope-OrgID: tenant}
    sigv4: {region: eu-west-1, access_key: {m}, secret_key: {m}}
    basic_auth: {username: u, password: {m}}
    oauth2: {client_id: id, client_secret: {m}, token_url: "https://t:{m}@auth.example.com/token"}
  - url: https://metrics.example.com/push2
    azuread:
      cloud: AzurePublic
      oauth: {client_id: id, client_secret: {m}, tenant_id: t}
    authorization: {credentials: {m}}
  - url: https://metrics.example.net/api/v1/push?api_key={m}&org=1
  - url: https://rwq:{m}@metrics.example.net/push?X-Amz-Signature={m}&X-Amz-Security-Token={m}&shard=2
  - url: htp://influx.example.com:8086/api/v1/prom/write?db=prometheus&u=user&p={m}
remote_read:
  - url: http://rr:{m}@reader.example.com/read
    headers: {Authorization: Bearer {m}}
    bearer_token: {m}
tracing:
  endpoint: tracing.example.com:4317
  headers: {X-Trace-Key: {m}}
  tls_config: {key: {m}, cert_file: /etc/cert}
scrape_configs:
  - job_name: inline-basic
    scheme: http
    basic_auth: {username: u, password: {m}}
    authorization: {credentials: {m}}
    bearer_token: {m}
    params: {token: [{m}], api_key: [{m}], module: [ok]}
    proxy_url: http://proxy:{m}@proxy.example.com:3128
    proxy_connect_header: {Proxy-Authorization: [{m}]}
    http_headers:
      X-Api-Key: {secrets: [{m}], values: [{m}]}
      X-Plain-Token: {values: [{m}]}
    static_configs:
      - targets: ["t-user:{m}@10.0.0.1:10250", "https://u:{m}@host.example.com/metrics"]
    tls_config: {key: {m}, cert: pem, insecure_skip_verify: true}
  - job_name: inline-oauth
    scheme: https
    oauth2:
      client_id: id
      client_secret: {m}
      client_secret_file: /etc/oauth-secret
      token_url: https://auth.example.com/token
      endpoint_params: {password: {m}, audience: x}
      proxy_url: http://op:{m}@proxy.example.com:3128
      proxy_connect_header: {Proxy-Authorization: [{m}]}
      tls_config: {key: {m}}
  - job_name: inline-jwt-bearer
    oauth2:
      client_id: id
      grant_type: urn:ietf:params:oauth:grant-type:jwt-bearer
      client_certificate_key: {m}
      token_url: https://auth.example.com/token
  - job_name: discovery
    consul_sd_configs:
      - server: "cu:{m}@consul.example.com:8500"
        token: {m}
        username: cu
        password: {m}
        authorization: {credentials: {m}}
    marathon_sd_configs:
      - servers: ["https://mu:{m}@marathon.example.com"]
        auth_token: {m}
        basic_auth: {username: u, password: {m}}
    http_sd_configs:
      - url: "https://hu:{m}@sd.example.com/targets"
        bearer_token: {m}
    kubernetes_sd_configs:
      - role: pod
        api_server: "https://ku:{m}@k8s.example.com"
        bearer_token: {m}
        tls_config: {key: {m}}
    azure_sd_configs:
      - {subscription_id: s, tenant_id: t, client_id: c, client_secret: {m}}
    ec2_sd_configs: [{region: r, access_key: {m}, secret_key: {m}}]
    lightsail_sd_configs: [{region: r, access_key: {m}, secret_key: {m}}]
    openstack_sd_configs:
      - {role: instance, region: r, password: {m}, application_credential_secret: {m}}
    ovhcloud_sd_configs:
      - {service: vps, application_key: k, application_secret: {m}, consumer_key: {m}}
    uyuni_sd_configs:
      - {server: "https://uu:{m}@uyuni.example.com", username: u, password: {m}}
    scaleway_sd_configs: [{role: instance, project_id: p, access_key: a, secret_key: {m}}]
    puppetdb_sd_configs: [{url: "https://pu:{m}@puppetdb.example.com", query: q}]
    eureka_sd_configs: [{server: "https://eu:{m}@eureka.example.com/eureka"}]
    nomad_sd_configs: [{server: "https://nu:{m}@nomad.example.com"}]
    docker_sd_configs: [{host: "tcp://du:{m}@docker.example.com:2376"}]
    hetzner_sd_configs: [{role: hcloud, authorization: {credentials: {m}}}]
    digitalocean_sd_configs: [{authorization: {credentials: {m}}}]
    linode_sd_configs: [{authorization: {credentials: {m}}}]
  - job_name: query-strings
    scheme: https
    proxy_url: ftp://proxy.example.com:3128/?auth={m}&role=x
    static_configs:
      - targets:
          - "https://q.example.com/metrics?token={m}&org=1"
          - "https://q.example.com/m?org=1;Access_Token={m}#id_token={m}"
          - https://q.example.com/m?module=x&api-key={m}
    http_sd_configs:
      - url: "https://sd.example.com/targets?access_token={m}&namespace=ns"
      - url: sd.example.com/targets?apikey={m}&sig={m}
      - url: https://sd.example.com/targets?client_secret={m}&secret={m}&passwd={m}
  - job_name: query-proxy
    proxy_url: http://pu:{m}@proxy.example.com:3128/?password={m}&role=x
    static_configs: [{targets: ["qp.example.com:443"]}]
    http_sd_configs:
      - url: https://sd.example.com/t?key={m}
        proxy_url: "http://sd-proxy.example.com:3128?token={m}"
  - job_name: typed-and-duplicated
    basic_auth:
      username: u
      password: {m}
      password: {m}
    authorization:
      credentials: [{m}]
    bearer_token: {nested: {m}}
    passwrod: {m}
    client_secret: {m}
"""

# Secret files, relative to the config's directory: {m} is a marker.
FILES = {
    "secrets/password": "{m}\n",
    "secrets/token": "{m}\n",
    "secrets/bearer": "{m}",
    "secrets/oauth": "{m}\n",
    "secrets/tls.key": "-----BEGIN PRIVATE KEY-----\n{m}\n-----END PRIVATE KEY-----\n",
    "secrets/header": "{m}\n",
    "secrets/marathon": "{m}\n",
    "secrets/scaleway": "{m}\n",
    "secrets/world-readable": "{m}\n",
    "secrets/whitespace": "   \n\t\n",
}
FILE_JOBS = """\
  - job_name: files
    scheme: https
    basic_auth: {username: u, password_file: secrets/password}
    tls_config: {cert_file: secrets/tls.key, key_file: secrets/tls.key}
    http_headers:
      X-Header-File: {files: [secrets/header]}
    static_configs: [{targets: ["files.example.com:443"]}]
    marathon_sd_configs: [{servers: [https://m.example.com], auth_token_file: secrets/marathon}]
    scaleway_sd_configs:
      - {role: instance, project_id: p, access_key: a, secret_key_file: secrets/scaleway}
  - job_name: token-files
    scheme: https
    authorization: {credentials_file: secrets/token}
    static_configs: [{targets: ["tokens.example.com:443"]}]
  - job_name: bearer-file
    scheme: https
    bearer_token_file: secrets/bearer
    static_configs: [{targets: ["bearer.example.com:443"]}]
  - job_name: oauth-file
    oauth2: {client_id: id, client_secret_file: secrets/oauth, token_url: https://a/t}
  - job_name: open-file
    authorization: {credentials_file: secrets/world-readable}
  - job_name: blank-file
    authorization: {credentials_file: secrets/whitespace}
  - job_name: expired-jwt
    authorization: {credentials_file: secrets/expired.jwt}
  - job_name: expiring-jwt
    authorization: {credentials_file: secrets/expiring.jwt}
  - job_name: valid-jwt
    authorization: {credentials_file: secrets/valid.jwt}
"""


def _fill(template: str, markers: list[str]) -> str:
    def replace(_: re.Match[str]) -> str:
        markers.append(marker())
        return markers[-1]

    return re.sub(r"\{m\}", replace, template)


@pytest.fixture(scope="module")
def planted(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[str], list[str]]:
    """(folder with prometheus.yml and its files, markers, other strings that must not show)."""
    folder = tmp_path_factory.mktemp("canaries")
    markers: list[str] = []
    config = _fill(INLINE, markers) + FILE_JOBS
    (folder / "prometheus.yml").write_text(config, encoding="utf-8")
    (folder / "secrets").mkdir()
    for relative, content in FILES.items():
        path = folder / relative
        path.write_text(_fill(content, markers), encoding="utf-8")
        path.chmod(0o644 if "world" in relative else 0o600)
    forbidden: list[str] = []
    now = time.time()
    for name, exp in (
        ("expired", now - 86400),
        ("expiring", now + 2 * 86400),
        ("valid", now + 1e7),
    ):
        claims = [marker(), marker(), marker()]
        signature = marker() + "AbCdEfGhIjKlMnOpQrStUv-_"
        markers.extend([*claims, signature])
        token = jwt(exp, *claims, signature=signature)
        forbidden.extend(token.split(".")[:2])  # the encoded header and claims
        (folder / "secrets" / f"{name}.jwt").write_text(token + "\n", encoding="utf-8")
        (folder / "secrets" / f"{name}.jwt").chmod(0o600)
    # A file that does not parse, its secrets on the line the syntax error points at.
    broken = [marker(), marker(), marker()]
    markers.extend(broken)
    (folder / "broken.yml").write_text(
        "scrape_configs:\n  - job_name: broken\n    basic_auth:\n      username: u\n"
        f"      password: {broken[0]}: {broken[1]}\n    headers:\n      X-Token: {broken[2]}\n",
        encoding="utf-8",
    )
    # And one whose syntax error is on a URL with secret query parameters (whose names the masking
    # of unparsed lines by their keys does not take for secret ones).
    query = [marker(), marker()]
    markers.extend(query)
    (folder / "broken-query.yml").write_text(
        "remote_write:\n"
        f"  - url: https://h.example.com/push?org=1&sig={query[0]}&p={query[1]}&role=x: y\n",
        encoding="utf-8",
    )
    return folder, markers, forbidden


def scrapelint(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_scrapelint(*args, cwd=folder)


def assert_no_canary(text: str, markers: list[str], forbidden: list[str]) -> None:
    leaked = [m for m in markers if m in text] + [f for f in forbidden if f in text]
    assert not leaked, f"leaked: {leaked}"
    assert PREFIX not in text


def test_markers_are_distinct_and_planted(planted: tuple[Path, list[str], list[str]]) -> None:
    folder, markers, _ = planted
    assert len(markers) == len(set(markers)) > 90
    text = (folder / "prometheus.yml").read_text(encoding="utf-8")
    assert sum(m in text for m in markers) > 70


def test_secret_lines_are_quoted_so_masking_is_exercised(
    planted: tuple[Path, list[str], list[str]],
) -> None:
    folder, markers, _ = planted
    run = scrapelint(folder, "check", "--format", "concise", "prometheus.yml")
    lines = (folder / "prometheus.yml").read_text(encoding="utf-8").splitlines()
    reported = {int(n) for n in re.findall(r"^prometheus\.yml:(\d+):", run.stdout, re.M)}
    with_marker = {n for n, text in enumerate(lines, 1) if any(m in text for m in markers)}
    assert len(reported & with_marker) >= 40


@pytest.mark.parametrize("files_mode", ["auto", "strict"])
@pytest.mark.parametrize("output_format", FORMATS)
def test_no_canary_in_any_format(
    planted: tuple[Path, list[str], list[str]], output_format: str, files_mode: str
) -> None:
    folder, markers, forbidden = planted
    run = scrapelint(
        folder,
        "check",
        "--format",
        output_format,
        "--files",
        files_mode,
        "--color",
        "prometheus.yml",
        "broken.yml",
        "broken-query.yml",
    )
    assert run.returncode == 1, run.stderr
    assert_no_canary(run.stdout + run.stderr, markers, forbidden)


def test_no_canary_in_output_file_or_baseline(
    planted: tuple[Path, list[str], list[str]], tmp_path: Path
) -> None:
    folder, markers, forbidden = planted
    report, baseline = tmp_path / "report.json", tmp_path / "baseline.json"
    run = scrapelint(folder, "check", "-o", str(report), "--format", "json", "prometheus.yml")
    assert run.returncode == 1
    written = scrapelint(
        folder, "check", "--baseline", str(baseline), "--update-baseline", "prometheus.yml"
    )
    assert written.returncode == 0, written.stderr
    for text in (report.read_text(), baseline.read_text(), run.stdout + run.stderr):
        assert_no_canary(text, markers, forbidden)


def test_no_canary_in_rule_pages(planted: tuple[Path, list[str], list[str]]) -> None:
    """`scrapelint rule` and `rules` for every rule that reports something here."""
    folder, markers, forbidden = planted
    run = scrapelint(
        folder, "check", "--format", "json", "prometheus.yml", "broken.yml", "broken-query.yml"
    )
    reported = sorted({finding["rule"] for finding in json.loads(run.stdout)["findings"]})
    assert len(reported) >= 15
    outputs = [scrapelint(folder, "rules", "--show-settings").stdout]
    outputs.extend(scrapelint(folder, "rule", rule_id).stdout for rule_id in reported)
    for text in outputs:
        assert_no_canary(text, markers, forbidden)


def test_unparsable_file_snippet_is_masked(planted: tuple[Path, list[str], list[str]]) -> None:
    """Regression: a file with a syntax error quoted its line, secrets and all."""
    folder, markers, forbidden = planted
    run = scrapelint(folder, "check", "broken.yml")
    assert "broken.yml:5:" in run.stdout and "SL001" in run.stdout
    assert "********" in run.stdout
    assert_no_canary(run.stdout, markers, forbidden)


def test_query_string_secrets_are_masked_in_place(
    planted: tuple[Path, list[str], list[str]],
) -> None:
    """The lines and messages quoting URLs with secret query parameters are reported, with each
    secret value masked and the other parameters kept."""
    folder, markers, forbidden = planted
    run = scrapelint(folder, "check", "prometheus.yml", "broken-query.yml")
    assert_no_canary(run.stdout, markers, forbidden)
    for shown in (
        "rwq:********@metrics.example.net/push?X-Amz-Signature=********&X-Amz-Security-Token"
        "=********&shard=2",  # SL203: the message and the quoted line
        "write?db=prometheus&u=user&p=********",  # SL307
        "proxy.example.com:3128/?auth=********&role=x",  # SL307
        '"https://q.example.com/metrics?token=********&org=1"',  # SL304: message and line
        "m?org=1;Access_Token=********#id_token=********",
        "m?module=x&api-key=********",
        "sd.example.com/targets?apikey=********&sig=********",  # SL307
        "pu:********@proxy.example.com:3128/?password=********&role=x",  # SL203
        "push?org=1&sig=********&p=********&role=x: y",  # SL001, a line that did not parse
    ):
        assert shown in run.stdout
