"""What the faster paths of the file survey and of SL2xx/SL3xx checks must keep: the same
references, URL verdicts and query names as the plain code, and per-run caches that stay
per run."""

from __future__ import annotations

import pytest

from scrapelint import credential_files as cf
from scrapelint import prometheus
from scrapelint.checks.secrets import secret_query_params
from scrapelint.checks.transport import _PROXY_SCHEMES, url_problem
from scrapelint.document import parse

from .helpers import lint_text

REFS_CONFIG = """\
tracing:
  tls_config:
    ca_file: /etc/tracing/ca.pem
scrape_configs:
  - job_name: full
    basic_auth:
      username_file: secrets/user
      password_file: secrets/pass
    oauth2:
      client_id: x
      client_secret_file: secrets/oauth
      client_certificate_key_file: keys/jwt.key
      tls_config:
        cert_file: certs/oauth.crt
    tls_config:
      key_file: /abs/client.key
      ca_file: certs/ca.pem
    http_headers:
      X-Token:
        files: [secrets/h1, secrets/h2]
    kubernetes_sd_configs:
      - role: node
        kubeconfig_file: kube/config
        authorization:
          credentials_file: secrets/k8s
    azure_sd_configs:
      - subscription_id: s
        tls_config:
          ca_file: certs/azure-ca.pem
  - job_name: bearer
    bearer_token_file: secrets/bearer
    oci_sd_configs:
      - key_passphrase_file: oci/pass
        key_file: oci/key
  - job_name: plain
    static_configs:
      - targets: [a:9100]
remote_write:
  - url: https://rw.example.com/api/v1/write
    azuread:
      certificate:
        certificate_path: certs/az.crt
        certificate_key_path: certs/az.key
      workload_identity:
        token_file_path: tokens/wi
    google_iam:
      credentials_file: gcp.json
"""

FULL = 'job "full"'
K8S = 'kubernetes_sd_configs entry of job "full"'
AZURE = 'azure_sd_configs entry of job "full"'
OCI = 'oci_sd_configs entry of job "bearer"'
# (field, text, kind, joined, relative, owner), in the order the survey reports them.
EXPECTED_REFS = [
    ("basic_auth.username_file", "secrets/user", "other", True, True, FULL),
    ("basic_auth.password_file", "secrets/pass", "secret", True, True, FULL),
    ("oauth2.client_secret_file", "secrets/oauth", "secret", True, True, FULL),
    ("oauth2.client_certificate_key_file", "keys/jwt.key", "secret", False, True, FULL),
    ("oauth2.tls_config.cert_file", "certs/oauth.crt", "certificate", True, True, FULL),
    ("tls_config.ca_file", "certs/ca.pem", "certificate", True, True, FULL),
    ("tls_config.key_file", "/abs/client.key", "secret", True, False, FULL),
    ("http_headers.X-Token.files[0]", "secrets/h1", "secret", True, True, FULL),
    ("http_headers.X-Token.files[1]", "secrets/h2", "secret", True, True, FULL),
    ("kubeconfig_file", "kube/config", "secret", True, True, K8S),
    ("authorization.credentials_file", "secrets/k8s", "secret", True, True, K8S),
    ("tls_config.ca_file", "certs/azure-ca.pem", "certificate", False, True, AZURE),
    ("bearer_token_file", "secrets/bearer", "secret", True, True, 'job "bearer"'),
    ("key_file", "oci/key", "secret", True, True, OCI),
    ("key_passphrase_file", "oci/pass", "secret", True, True, OCI),
    ("google_iam.credentials_file", "gcp.json", "secret", False, True, "remote_write"),
    ("azuread.workload_identity.token_file_path", "tokens/wi", "secret", False, True,
     "remote_write"),
    ("azuread.certificate.certificate_path", "certs/az.crt", "certificate", False, True,
     "remote_write"),
    ("azuread.certificate.certificate_key_path", "certs/az.key", "secret", False, True,
     "remote_write"),
    ("tls_config.ca_file", "/etc/tracing/ca.pem", "certificate", True, False, "tracing"),
]  # fmt: skip


def test_file_refs_are_every_file_field_in_order() -> None:
    config = prometheus.build(parse("conf/prometheus.yml", REFS_CONFIG))
    refs = cf.file_refs(config)
    assert [(r.field, r.text, r.kind, r.joined, r.relative, r.owner) for r in refs] == (
        EXPECTED_REFS
    )
    assert cf.located(refs[0]) == "conf/secrets/user"
    assert cf.located(refs[3]) is None  # relative and not joined: Prometheus' working directory


@pytest.mark.parametrize(
    ("text", "web", "proxy"),
    [
        ("", "it is empty", "it is empty"),
        ("  ", "it is empty", "it is empty"),
        ("${URL}", None, None),
        (" ${URL} ", None, None),
        ("XXXXX", None, None),
        ("http://${HOST}", None, None),
        ("<url>", "it has no scheme (write https://...)", "it has no scheme (write https://...)"),
        ("host:9090", "it has no scheme (write https://...)", "it has no scheme (write https://...)"),
        ("${SCHEME}://h", "its scheme '${SCHEME}' is not one of http, https",
         "its scheme '${SCHEME}' is not one of http, https, socks5, socks5h"),
        ("ftp://x", "its scheme 'ftp' is not one of http, https",
         "its scheme 'ftp' is not one of http, https, socks5, socks5h"),
        ("https://", "it has no host", "it has no host"),
        ("https://:443/x", "it has no host", "it has no host"),
        ("https://h/p?q=1", None, None),
        ("socks5://proxy:1080", "its scheme 'socks5' is not one of http, https", None),
    ],
)  # fmt: skip
def test_url_problem_excuses_only_a_whole_placeholder(
    text: str, web: str | None, proxy: str | None
) -> None:
    assert url_problem(text) == web
    assert url_problem(text, _PROXY_SCHEMES) == proxy


QUERY_NAMES = {
    "http://h/a&u=1?p=s": ["p"],  # a `&u=` before the query still counts as InfluxDB's user
    "http://h/?p=s": [],
    "http://h/?u=me&p=s": ["p"],
    "http://h/?p=s#&u=1": ["p"],
    "http://h/?api_key=k&token_type=b#p=x": ["api_key"],
    "http://h/?ACCESS_TOKEN=x&max_tokens=3": ["ACCESS_TOKEN"],
    "http://h/?role=node": [],
    "http://h/x?p=&api_key=": [],
    "http://h/x": [],
}


@pytest.mark.parametrize("order", [1, -1])
def test_secret_query_params_with_a_shared_cache(order: int) -> None:
    cache: dict[str, list[str]] = {}
    for url, names in list(QUERY_NAMES.items())[::order]:
        assert secret_query_params(url, cache) == names
        assert secret_query_params(url) == names


def test_secret_file_modes_judged_per_file() -> None:
    text = (
        '# files: {"open.token": {"content": "t", "mode": "0644"}, '
        '"shut.token": {"content": "t", "mode": "0600"}, '
        '"group.token": {"content": "t", "mode": "0660"}}\n'
        "scrape_configs:\n"
        + "".join(
            f"  - job_name: j{n}\n    scheme: https\n"
            f"    authorization: {{credentials_file: {name}.token}}\n"
            f"    static_configs: [{{targets: ['h{n}:9443']}}]\n"
            for n, name in enumerate(["open", "shut", "group", "open", "group"])
        )
    )
    messages = [f.message for f in lint_text(text, {"SL402"})]
    assert len(messages) == 4
    assert [m.split(" has mode ")[1].split(" ")[0] for m in messages] == [
        "0644", "0660", "0644", "0660",
    ]  # fmt: skip
    assert "readable by every local user" in messages[0]
    assert "writable by its group" in messages[1]


def test_tls_blocks_are_listed_for_each_run() -> None:
    config = (
        "scrape_configs:\n  - job_name: a\n    scheme: https\n"
        "    tls_config: {{insecure_skip_verify: {flag}, min_version: TLS10}}\n"
        "    static_configs: [{{targets: ['h:9443']}}]\n"
    )
    first = lint_text(config.format(flag="true"), {"SL306", "SL310"})
    second = lint_text(config.format(flag="false"), {"SL306", "SL310"})
    assert sorted(f.rule_id for f in first) == ["SL306", "SL310"]
    assert [f.rule_id for f in second] == ["SL310"]


def test_only_targets_with_userinfo_are_reported() -> None:
    text = (
        "# ops@example.com\nscrape_configs:\n  - job_name: a\n    static_configs:\n"
        "      - targets: ['user:pw@h1:9100', 'h2:9100', 'h3@x:9100']\n"
    )
    findings = lint_text(text, {"SL203"})
    assert [(f.span.line, f.span.column) for f in findings] == [(5, 19)]
