"""The real-world corpus (../shared/corpus/real-world): every finding there was read by a person.

The expected counts below are the reviewed result; a change in them means a rule changed its
mind about real configs, which must be reviewed again (see the README's corpus section).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from scrapelint.runner import run
from scrapelint.settings import Settings
from tests.helpers import SHARED

CORPUS = SHARED / "corpus" / "real-world"

# Reviewed 2026-11-28, finding by finding:
# SL002  6x pre-1.0 kubernetes_sd keys (api_servers, in_cluster) in the 2015 example; 2x the Azure
#        collector's `$$SCRAPE_INTERVAL$$` template value, which is not a duration until rendered.
# SL103  the upstream bearer_token + basic_auth fixture (Prometheus refuses it).
# SL106  swarmprom's remote_write `basic_auth:` whose only content is a commented-out password.
# SL107  11 bearer_token(_file) uses (helm chart, istio, k8s addon, azure, 2015 example, testdata).
# SL109  kwok's <ROOT_DIR> (8), the Hetzner example's "<replace with ...>" (4), conf.good's XXXX
#        keys (3), roundtrip.good's literal <secret> values (6).
# SL201  inline secrets with a file variant: conf.good's parser fixture (18), operator golden
#        outputs (4), the bearer_token/basic_auth fixture (2), grafana converter input (1), ...
# SL202  secrets without a file variant: conf.good (9: ec2, lightsail, azure, consul, ovhcloud,
#        uyuni), uyuni example, grafana converter sigv4, operator proxy_connect_header.
# SL301  credentials over http: operator outputs with SD targets and no scheme (2), conf.good (3),
#        k8s addon alertmanager, the uyuni example's http:// server, the 2015 example.
# SL304  promtool's fixture whose relabelling sets only __param_target (promtool rejects it).
# SL305  tls_config on http: operator scrape-class TLS on http jobs (4), operator inline TLS (2),
#        conf.good (4), promtool TLS fixture, k8s addon alertmanager, the 2015 example.
# SL306  insecure_skip_verify: true (istio 4, kwok 4, azure 2, k8s addon, operator, conf.good).
# SL310  conf.good's min_version TLS10.
# SL401  (auto mode) relative files that are not shipped beside the config, all resolved against
#        the config's directory as Prometheus does: conf.good's valid_* files (29: TLS pairs of
#        remote_write/read, jobs, consul/kubernetes/marathon/triton/openstack/puppetdb SD,
#        tracing, oci key_file, a header file, credentials_file, password_file), roundtrip.good
#        (13), the puppetdb example's prometheus-public/private.pem and ca.pem (6), promtool's
#        nonexistent_cert/key_file fixture (2). No absolute deployment path (/var/run/secrets/...,
#        /etc/...) is reported, and kwok's <ROOT_DIR> paths are SL109's. SL402-SL407: none.
REVIEWED: dict[str, int] = {
    "SL002": 8, "SL103": 1, "SL106": 1, "SL107": 11, "SL109": 21, "SL201": 26, "SL202": 12,
    "SL301": 8, "SL304": 1, "SL305": 13, "SL306": 13, "SL310": 1, "SL401": 50,
}  # fmt: skip


@pytest.fixture
def corpus(shared: Path) -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"{CORPUS} is absent")
    return CORPUS


def test_corpus_findings_per_rule_are_the_reviewed_ones(corpus: Path) -> None:
    result = run([str(corpus)], lambda _: Settings())
    assert result.errors == ()
    per_rule = Counter(f.rule_id for r in result.results for f in r.findings)
    assert dict(sorted(per_rule.items())) == REVIEWED
