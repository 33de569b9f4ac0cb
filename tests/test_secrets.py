"""No secret value reaches any output: canaries in every secret-bearing place."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scrapelint.document import parse
from scrapelint.redact import MASK, Redactor, is_secret_param, mask_url_secrets
from scrapelint.reporters import FORMATS
from tests.helpers import lint_text

CANARY = "CANARY7f3a"
# Each line plants a distinct canary next to a mistake, so findings quote these lines.
CONFIG = f"""\
scrape_configs:
  - job_name: inline-everything
    scheme: http
    basic_auth:
      username: user
      password: {CANARY}01
      password_file: /etc/prometheus/password
    authorization:
      type: Basic
      credentials: {CANARY}02
    bearer_token: {CANARY}03
    oauth2:
      client_secret: {CANARY}04
      client_secret_file: /etc/oauth
      endpoint_params:
        password: {CANARY}05
    tls_config:
      key: {CANARY}06
    http_headers:
      X-Api-Key:
        secrets: [{CANARY}07]
    passwrod: {CANARY}08
    params:
      token: [{CANARY}09]
    proxy_url: http://proxyuser:{CANARY}10@proxy:3128
    proxy_connect_header:
      Proxy-Authorization: [{CANARY}11]
    static_configs:
      - targets: ["user:{CANARY}12@10.0.0.1:10250"]
    consul_sd_configs:
      - server: consul:8500
        token: {CANARY}13
        authorization: {{credentials: {CANARY}14}}
    marathon_sd_configs:
      - servers: [https://marathon:8080]
        auth_token: {CANARY}15
        auth_token_file: /etc/marathon
        basic_auth: {{username: u, password: {CANARY}16}}
  - job_name: duplicate
    basic_auth:
      username: u
      password: {CANARY}17
      password: {CANARY}18
  - job_name: typed
    basic_auth:
      username: u
      password: [{CANARY}23]
    authorization:
      credentials: {{nested: {CANARY}24}}
remote_write:
  - url: https://writer:{CANARY}19@metrics.example.com/push
    headers:
      Authorization: Bearer {CANARY}20
    sigv4:
      access_key: AKIA{CANARY}21
    basic_auth: {{username: u, password: {CANARY}22}}
"""


@pytest.fixture(scope="module")
def config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("canary") / "prometheus.yml"
    path.write_text(CONFIG, encoding="utf-8")
    return path


def test_the_canary_config_has_findings_on_the_secret_lines(config: Path) -> None:
    run = _scrapelint("check", "--format", "concise", str(config))
    lines_with_findings = {int(m) for m in re.findall(r"^\S+?:(\d+):", run.stdout, re.M)}
    canary_lines = {n for n, text in enumerate(CONFIG.splitlines(), 1) if CANARY in text}
    # Enough secret lines are quoted for the masking to be exercised, not just skipped.
    assert len(lines_with_findings & canary_lines) >= 8


@pytest.mark.parametrize("output_format", FORMATS)
def test_no_canary_in_any_format(config: Path, output_format: str) -> None:
    run = _scrapelint("check", "--format", output_format, str(config))
    assert run.returncode == 1
    assert CANARY not in run.stdout + run.stderr


def test_masked_snippet_keeps_the_key(config: Path) -> None:
    run = _scrapelint("check", "--select", "SL002", str(config))
    assert "passwrod: ********" in run.stdout


def _scrapelint(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapelint", *args], capture_output=True, text=True, check=False
    )


# --- secret query parameters ----------------------------------------------------------------------

SECRET_PARAMS = [
    "api_key", "apikey", "api-key", "API_KEY", "ApiKey", "X-API-Key", "access_token", "token",
    "Token", "auth", "password", "passwd", "pwd", "secret", "client_secret", "key", "signature",
    "sig", "X-Amz-Signature", "x-amz-security-token", "X-Amz-Credential", "X-Goog-Signature",
    "id_token", "refresh_token", "private_token", "sessionToken", "access_key", "AWSAccessKeyId",
    "subscription-key", "license_key", "auth_token", "oauth_signature", "jwt", "p", "token[]",
    "api%5Fkey", "api%2dkey", "%74oken", "passphrase", "x.auth",
]  # fmt: skip
PLAIN_PARAMS = [
    "org", "orgId", "tenant", "role", "namespace", "shard", "db", "u", "module", "target",
    "match[]", "collect[]", "format", "X-Amz-Date", "X-Amz-Expires", "X-Amz-Algorithm",
    "X-Amz-SignedHeaders", "sv", "se", "sp", "keyspace", "author", "authority", "region",
]  # fmt: skip


@pytest.mark.parametrize("name", SECRET_PARAMS)
def test_secret_query_parameter_names(name: str) -> None:
    assert is_secret_param(name)
    assert mask_url_secrets(f"https://h/p?{name}=v4lue&org=1") == f"https://h/p?{name}={MASK}&org=1"


@pytest.mark.parametrize("name", PLAIN_PARAMS)
def test_other_query_parameters_stay_readable(name: str) -> None:
    assert not is_secret_param(name)
    text = f"url: https://h/p?{name}=v4lue&{name}=2"
    assert mask_url_secrets(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "    url: https://metrics.example.net/api/v1/push?api_key=SECRET123&org=1",
            f"    url: https://metrics.example.net/api/v1/push?api_key={MASK}&org=1",
        ),
        # Several parameters, secret and not, in any order; `;` separates too.
        (
            "https://h/p?org=1&token=a&role=r&sig=b&shard=2",
            f"https://h/p?org=1&token={MASK}&role=r&sig={MASK}&shard=2",
        ),
        ("https://h/p?org=1;token=a;x=1", f"https://h/p?org=1;token={MASK}"),
        ("https://h/p?token=a&token=b", f"https://h/p?token={MASK}&token={MASK}"),
        # Fragments: the query value ends there, and a token in the fragment is masked.
        ("https://h/p?token=a#section", f"https://h/p?token={MASK}#section"),
        (
            "https://h/cb#access_token=a&state=s&expires_in=60",
            f"https://h/cb#access_token={MASK}&state=s&expires_in=60",
        ),
        # Encoded values are masked whole; encoded names are decoded first.
        ("https://h/p?token=a%2Fb%3D%3D&org=1", f"https://h/p?token={MASK}&org=1"),
        ("https://h/p?token=a+b%20c;d,e", f"https://h/p?token={MASK}"),
        ("https://h/p?%61pi%5Fkey=a", f"https://h/p?%61pi%5Fkey={MASK}"),
        # Values with `=` (base64 padding, JWTs) and other URLs in them.
        ("https://h/p?sig=YWJj==&o=1", f"https://h/p?sig={MASK}&o=1"),
        ("https://h/p?token=eyJh.eyJz.c2ln", f"https://h/p?token={MASK}"),
        # Where the value ends in YAML: quotes, white space, flow collections, comments.
        ('targets: ["h/m?token=a", "b"]', f'targets: ["h/m?token={MASK}", "b"]'),
        ("targets: ['h/m?token=a']", f"targets: ['h/m?token={MASK}']"),
        ("{url: https://h?token=a}", f"{{url: https://h?token={MASK}}}"),
        ("{url: https://h?token=a, x: 1}", f"{{url: https://h?token={MASK}, x: 1}}"),
        ("url: https://h?token=a # comment", f"url: https://h?token={MASK} # comment"),
        # ... and in messages.
        ("target `https://h?token=a` is a URL.", f"target `https://h?token={MASK}` is a URL."),
        ("url https://h?token=a.", f"url https://h?token={MASK}."),
        # Brackets that belong to the value stay hidden.
        ("https://h?token=${TOKEN}", f"https://h?token={MASK}"),
        ("{url: https://h?token=${TOKEN}}", f"{{url: https://h?token={MASK}}}"),
        ("https://h?token=(a)", f"https://h?token={MASK}"),
        # Empty values have nothing to hide.
        ("https://h/p?token=&org=1", "https://h/p?token=&org=1"),
        # Together with userinfo.
        (
            "https://user:pw@h/p?api_key=a&org=1",
            f"https://user:{MASK}@h/p?api_key={MASK}&org=1",
        ),
        ("https://h/p?token=a:b@c&o=1", f"https://h/p?token={MASK}&o=1"),
        # InfluxDB 1.x: the user stays readable like a userinfo user.
        (
            "http://influx:8086/api/v1/prom/write?db=prometheus&u=user&p=pass",
            f"http://influx:8086/api/v1/prom/write?db=prometheus&u=user&p={MASK}",
        ),
        # Not a query parameter.
        ("password = 1", "password = 1"),
        ("? token=a", "? token=a"),
    ],
)
def test_query_secrets_are_masked(text: str, expected: str) -> None:
    assert mask_url_secrets(text) == expected
    assert mask_url_secrets(expected) == expected  # masking a masked text changes nothing


def test_quoted_lines_mask_query_secrets() -> None:
    text = (
        "remote_write:\n"
        "  - url: https://metrics.example.net/push?api_key=S1&org=1\n"
        "scrape_configs:\n"
        "  - job_name: j\n"
        "    proxy_url: http://proxy:3128/?auth=S2\n"
        "    static_configs: [{targets: ['https://h/m?token=S3&shard=2']}]\n"
        "    http_sd_configs: [{url: 'https://sd/t?access_token=S4&namespace=n'}]\n"
    )
    for lines in (None, [2, 5, 6, 7]):
        redactor = Redactor(parse("p.yml", text), lines)
        assert redactor.line(2) == f"  - url: https://metrics.example.net/push?api_key={MASK}&org=1"
        assert redactor.line(5) == f"    proxy_url: http://proxy:3128/?auth={MASK}"
        assert redactor.line(6).endswith(f"['https://h/m?token={MASK}&shard=2']}}]")
        assert redactor.line(7).endswith(f"'https://sd/t?access_token={MASK}&namespace=n'}}]")


def test_unparsed_lines_mask_query_secrets() -> None:
    text = "remote_write:\n  - url: https://h/push?org=1&sig=S1&role=r: x\n"
    document = parse("p.yml", text)
    assert document.root is None and document.problem is not None
    assert Redactor(document).line(2) == f"  - url: https://h/push?org=1&sig={MASK}&role=r: x"


# Sizes at which a search that goes back over a value or a name for each parameter (quadratic)
# would not finish; linear masking takes well under a second. No timing is asserted: a hang is
# what fails (DESIGN §4).
HUGE = 400_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Every `;token=` starts a secret parameter inside the first one's value.
        ("u?token=a" + ";token=b" * HUGE, f"u?token={MASK}"),
        # Many secret parameters, each masked.
        ("u?o=1" + "&token=b" * HUGE, "u?o=1" + f"&token={MASK}" * HUGE),
        # Closers at the end of a value, with and without their openers.
        ("u?token=a" + ")" * HUGE, "u?token=" + MASK + ")" * HUGE),
        ("u?token=" + "(" * HUGE + ")" * HUGE + "}", f"u?token={MASK}}}"),
        # Names that never reach an `=`, or are very long.
        ("u?" + "&a" * HUGE, "u?" + "&a" * HUGE),
        ("u?" + "a" * HUGE + "token=b", f"u?{'a' * HUGE}token={MASK}"),
        ("u?" + "%41" * HUGE + "=b", "u?" + "%41" * HUGE + "=b"),
        ("u?token" + "=" * HUGE, f"u?token={MASK}"),
    ],
)
def test_query_masking_is_linear_on_long_lines(text: str, expected: str) -> None:
    assert mask_url_secrets(text) == expected


def test_long_quoted_line_with_query_secrets() -> None:
    url = "https://h/push?org=1" + "&api_key=s&shard=2" * (HUGE // 4)
    document = parse("p.yml", f"remote_write:\n  - url: {url}\n")
    assert Redactor(document, [2]).line(2) == "  - url: " + url.replace("=s&", f"={MASK}&")


def test_sl203_reads_every_field_that_holds_a_discovery_url() -> None:
    """Without an `@` in the file, SL203 reads only the sites with a URL key: every SD
    mechanism's URL field must be one of them."""
    from scrapelint.checks.secrets import _URL_KEYS
    from scrapelint.prometheus import SD_URL_FIELDS

    assert set(SD_URL_FIELDS.values()) <= set(_URL_KEYS)


def test_url_secrets_spelled_with_escapes_are_hidden_in_quoted_lines() -> None:
    """`\x40` is the `@` of userinfo and `\x5f` the `_` of api_key in a double-quoted value:
    the quoted line shows the escapes, which URL masking cannot read, so the value is hidden."""
    text = (
        "scrape_configs:\n"
        "  - job_name: legacy\n"
        "    static_configs:\n"
        '      - targets: ["scraper:CANARY-ONE\\x40legacy.example.internal:9100"]\n'
        "remote_write:\n"
        '  - url: "https://metrics.example.com/push?api\\x5fkey=CANARY-TWO"\n'
    )
    findings = lint_text(text, {"SL203"})
    assert [f.span.line for f in findings] == [4, 6]
    for finding in findings:
        assert "CANARY" not in finding.source + finding.message
        assert MASK in finding.source


@pytest.mark.parametrize(
    "text",
    [
        # A query value that the line masking would stop early: folded, a quote, a backtick.
        "remote_write:\n  - url: https://h/p?token=\n      CANARY\n",
        "remote_write:\n  - url: https://h/p?token=a'CANARY\n",
        "remote_write:\n  - url: https://h/p?token=a`CANARY\n",
        'remote_write:\n  - url: "https://h/p?token=a\\"CANARY"\n',
        "remote_write:\n  - url: 'https://h/p?token=a''CANARY'\n",
        # A file that does not parse, its secret spelled with an escape.
        'remote_write:\n  - url: "https://u:CANARY\\x40h/p" ]\n',
        # A repeated key, its secret spelled with an escape.
        "scrape_configs:\n  - job_name: a\n    static_configs:\n"
        '      - targets: ["u:S1\\x40h:1"]\n        targets: ["u:CANARY\\x40h:1"]\n',
        # A URL where a list belongs: SL002 quotes what it found.
        "remote_write: https://u:CANARY@h/p?token=CANARY\n",
    ],
    ids=["folded", "quote", "backtick", "escaped-quote", "doubled-quote", "unparsed",
         "duplicate", "quoted-by-another-rule"],
)  # fmt: skip
def test_url_secrets_are_hidden_however_they_are_written(text: str) -> None:
    findings = lint_text(text)
    assert findings
    for finding in findings:
        assert "CANARY" not in finding.source + finding.message + finding.help, finding


@pytest.mark.parametrize(
    ("query", "reported"),
    [
        ("api_key=k", True), ("u=writer&p=pw", True), ("p=2", False), ("token_type=bearer", False),
        ("max_tokens=5", False), ("session_timeout=30s", False), ("auth_required=true", False),
        ("orgId=1", False),
    ],
)  # fmt: skip
def test_sl203_reports_query_parameters_that_carry_secrets(query: str, reported: bool) -> None:
    text = f"remote_write:\n  - url: https://metrics.example.com/push?{query}\n"
    assert bool(lint_text(text, {"SL203"})) is reported
