"""Every key Prometheus accepts, with its type: the data behind SL002.

Prometheus loads prometheus.yml with go-yaml's ``UnmarshalStrict``, so any key that is not a
field of the target Go struct is fatal (``field X not found in type T``). This module describes
those structs as plain data. It targets Prometheus 3.14 (prometheus/common v0.70.1,
prometheus/sigv4 v0.4.1) and also accepts keys that 2.x releases accepted but later releases
removed, so that a config that loads on the user's version is never reported; such keys carry a
comment naming the version.

Sources (read, not copied): prometheus/prometheus ``config/config.go``,
``model/relabel/relabel.go``, ``discovery/*/``, ``storage/remote/azuread/``,
``storage/remote/googleiam/``; prometheus/common ``config/http_config.go``,
``config/headers.go``; prometheus/sigv4 ``sigv4_config.go``; the facts file
``reference/prometheus-config-facts.md``.

Type expressions are strings:

* primitives: ``"string"`` (any scalar is accepted: go-yaml turns ints and bools into strings),
  ``"secret"`` (same as string, but a secret), ``"bool"``, ``"int"``, ``"float"``,
  ``"duration"`` (Prometheus model.Duration such as ``30s`` or ``1h30m``), ``"size"`` (a byte
  size such as ``512MB``), ``"url"``, ``"path"``, ``"regexp"``, ``"labelname"``, ``"any"``
  (not checked);
* ``"enum:a|b|c"``: a scalar that must be one of the values, case-sensitive;
  ``"enumi:a|b|c"``: the same, compared case-insensitively;
* ``"list[T]"``, ``"map[T]"`` (string keys, values of type T), and a struct name from STRUCTS.

INLINES lists, for a struct, the structs whose keys are inlined into it (``yaml:",inline"``).
Inlining is transitive: ``scrape_config`` inlines ``http_client_config``, which itself inlines
``proxy_config``, so the proxy keys are valid directly in a scrape job.

SD_CONFIGS maps every service-discovery key to its struct; a walker adds each of these keys to
every struct in SD_HOSTS as ``list[<struct>]``.
"""

from typing import Final

# Scrape protocols accepted by scrape_protocols / fallback_scrape_protocol (case-sensitive).
# PrometheusText1.0.0 is new in 3.0.
_SCRAPE_PROTOCOL: Final[str] = (
    "enum:OpenMetricsText0.0.1|OpenMetricsText1.0.0|PrometheusProto"
    "|PrometheusText0.0.4|PrometheusText1.0.0"
)
_TLS_VERSION: Final[str] = "enum:TLS10|TLS11|TLS12|TLS13"
_VALIDATION_SCHEME: Final[str] = "enum:legacy|utf8"
_ESCAPING_SCHEME: Final[str] = "enum:allow-utf-8|dots|underscores|values"

STRUCTS: Final[dict[str, dict[str, str]]] = {
    # ---------------------------------------------------------------- top level
    "config": {
        "alerting": "alerting_config",
        "global": "global_config",
        "otlp": "otlp_config",  # 2.54+
        "remote_read": "list[remote_read_config]",
        "remote_write": "list[remote_write_config]",
        "rule_files": "list[path]",
        "runtime": "runtime_config",  # 3.0+
        "scrape_config_files": "list[path]",  # 2.43+
        "scrape_configs": "list[scrape_config]",
        "storage": "storage_config",
        "tracing": "tracing_config",  # 2.34+
    },
    "global_config": {
        "always_scrape_classic_histograms": "bool",  # 3.x
        "body_size_limit": "size",
        "convert_classic_histograms_to_nhcb": "bool",  # 3.x
        "evaluation_interval": "duration",
        "external_labels": "map[string]",
        "extra_scrape_metrics": "bool",  # 3.x
        "keep_dropped_targets": "int",
        "label_limit": "int",
        "label_name_length_limit": "int",
        "label_value_length_limit": "int",
        "metric_name_escaping_scheme": _ESCAPING_SCHEME,  # 3.x
        "metric_name_validation_scheme": _VALIDATION_SCHEME,  # 3.0+
        "query_log_file": "path",
        "rule_query_offset": "duration",  # 2.53+
        "sample_limit": "int",
        "scrape_failure_log_file": "path",  # 3.x
        "scrape_interval": "duration",
        "scrape_native_histograms": "bool",  # 3.x
        "scrape_protocols": f"list[{_SCRAPE_PROTOCOL}]",  # 2.49+
        "scrape_timeout": "duration",
        "target_limit": "int",
    },
    "runtime_config": {
        "gogc": "int",
    },
    "storage_config": {
        "exemplars": "exemplars_config",
        "tsdb": "tsdb_config",
    },
    "tsdb_config": {
        "out_of_order_time_window": "duration",
        "retention": "tsdb_retention_config",  # 3.x
        "stale_series_compaction_threshold": "float",  # 3.x
    },
    "tsdb_retention_config": {
        "percentage": "float",  # 3.x
        "size": "size",
        "time": "duration",
    },
    "exemplars_config": {
        "max_exemplars": "int",
    },
    "tracing_config": {
        "client_type": "enum:grpc|http",
        "compression": "enum:gzip",
        "endpoint": "string",
        "headers": "map[string]",
        "insecure": "bool",
        "sampling_fraction": "float",
        "timeout": "duration",
        "tls_config": "tls_config",
    },
    "otlp_config": {
        "convert_histograms_to_nhcb": "bool",  # 3.x
        "ignore_resource_attributes": "list[string]",  # 3.x
        "keep_identifying_resource_attributes": "bool",  # 3.x
        "label_name_preserve_multiple_underscores": "bool",  # 3.x
        "label_name_underscore_sanitization": "bool",  # 3.x
        "promote_all_resource_attributes": "bool",  # 3.x
        "promote_resource_attributes": "list[string]",
        "promote_scope_metadata": "bool",  # 3.x
        "translation_strategy": (  # 3.0+
            "enum:NoTranslation|NoUTF8EscapingWithSuffixes"
            "|UnderscoreEscapingWithSuffixes|UnderscoreEscapingWithoutSuffixes"
        ),
    },
    # A file listed in scrape_config_files is loaded strictly into this struct (2.43+): only
    # scrape_configs is allowed there.
    "scrape_config_file": {
        "scrape_configs": "list[scrape_config]",
    },
    "alerting_config": {
        "alert_relabel_configs": "list[relabel_config]",
        "alertmanagers": "list[alertmanager_config]",
    },
    # ---------------------------------------------------------------- scraping
    "scrape_config": {
        "always_scrape_classic_histograms": "bool",  # 3.0+ (was scrape_classic_histograms)
        "body_size_limit": "size",
        "convert_classic_histograms_to_nhcb": "bool",  # 3.0+
        "enable_compression": "bool",  # 2.49+
        "extra_scrape_metrics": "bool",  # 3.x
        "fallback_scrape_protocol": _SCRAPE_PROTOCOL,  # 3.0+
        "honor_labels": "bool",
        "honor_timestamps": "bool",
        "job_name": "string",
        "keep_dropped_targets": "int",  # 2.47+
        "label_limit": "int",
        "label_name_length_limit": "int",
        "label_value_length_limit": "int",
        "metric_name_escaping_scheme": _ESCAPING_SCHEME,  # 3.x
        "metric_name_validation_scheme": _VALIDATION_SCHEME,  # 3.0+
        "metric_relabel_configs": "list[relabel_config]",
        "metrics_path": "string",
        "native_histogram_bucket_limit": "int",  # 2.45+
        "native_histogram_min_bucket_factor": "float",  # 2.50+
        "params": "map[list[string]]",
        "relabel_configs": "list[relabel_config]",
        "sample_limit": "int",
        "scheme": "string",  # values are checked by a separate rule
        "scrape_classic_histograms": "bool",  # 2.45-2.55 only; renamed in 3.0
        "scrape_failure_log_file": "path",  # 3.x
        "scrape_interval": "duration",
        "scrape_native_histograms": "bool",  # 3.x
        "scrape_protocols": f"list[{_SCRAPE_PROTOCOL}]",  # 2.49+
        "scrape_timeout": "duration",
        "target_limit": "int",
        "track_timestamps_staleness": "bool",  # 2.48+
    },
    "static_config": {
        "labels": "map[string]",
        "targets": "list[string]",
    },
    "relabel_config": {
        # Action is lower-cased before it is checked (model/relabel UnmarshalYAML).
        # keepequal/dropequal and lowercase/uppercase are 2.41+ / 2.36+.
        "action": (
            "enumi:drop|dropequal|hashmod|keep|keepequal|labeldrop|labelkeep|labelmap"
            "|lowercase|replace|uppercase"
        ),
        "modulus": "int",
        "regex": "regexp",
        "replacement": "string",
        "separator": "string",
        "source_labels": "list[string]",
        "target_label": "string",
    },
    # ---------------------------------------------------------------- alerting
    "alertmanager_config": {
        "alert_relabel_configs": "list[relabel_config]",  # 2.51+
        "api_version": "enum:v1|v2",  # v1 was rejected from 3.0 on
        "path_prefix": "string",
        "relabel_configs": "list[relabel_config]",
        "scheme": "string",
        "sigv4": "sigv4_config",  # 2.48+
        "timeout": "duration",
    },
    # ---------------------------------------------------------------- remote storage
    "remote_write_config": {
        "azuread": "azuread_config",  # 2.45+
        "google_iam": "google_iam_config",  # 2.55+
        "headers": "map[string]",
        "metadata_config": "metadata_config",
        "name": "string",
        "protobuf_message": (  # 2.54+ (remote write 2.0)
            "enum:io.prometheus.write.v2.Request|prometheus.WriteRequest"
        ),
        "queue_config": "queue_config",
        "remote_timeout": "duration",
        "round_robin_dns": "bool",  # 3.x
        "send_exemplars": "bool",  # 2.27+
        "send_native_histograms": "bool",  # 2.40+
        "sigv4": "sigv4_config",  # 2.26+
        "url": "url",
        "write_relabel_configs": "list[relabel_config]",
    },
    "queue_config": {
        "batch_send_deadline": "duration",
        "capacity": "int",
        "max_backoff": "duration",
        "max_retries": "int",  # early 2.x only; removed in 2.x (no retry cap since)
        "max_samples_per_send": "int",
        "max_shards": "int",
        "min_backoff": "duration",
        "min_shards": "int",
        "retry_on_http_429": "bool",
        "sample_age_limit": "duration",  # 2.50+
    },
    "metadata_config": {
        "max_samples_per_send": "int",
        "send": "bool",
        "send_interval": "duration",
    },
    "remote_read_config": {
        "chunked_read_limit": "int",
        "filter_external_labels": "bool",  # 2.34+
        "headers": "map[string]",
        "name": "string",
        "read_recent": "bool",
        "remote_timeout": "duration",
        "required_matchers": "map[string]",
        "url": "url",
    },
    "sigv4_config": {
        "access_key": "string",
        "external_id": "string",
        "profile": "string",
        "region": "string",
        "role_arn": "string",
        "secret_key": "secret",
        "service": "string",
        "use_fips_sts_endpoint": "bool",
    },
    "azuread_config": {
        # cloud is a name (AzurePublic, AzureChina, AzureGovernment) or, in newer releases, a
        # mapping {name, aad_endpoint, token_audience}.
        "certificate": "azuread_certificate_config",  # 3.13+
        "cloud": "any",
        "managed_identity": "azuread_managed_identity_config",
        "oauth": "azuread_oauth_config",
        "scope": "string",  # 3.x
        "sdk": "azuread_sdk_config",  # 3.x
        "workload_identity": "azuread_workload_identity_config",  # 3.x
    },
    "azuread_managed_identity_config": {
        "client_id": "string",
    },
    "azuread_oauth_config": {
        "client_id": "string",
        "client_secret": "secret",
        "tenant_id": "string",
    },
    "azuread_sdk_config": {
        "tenant_id": "string",
    },
    "azuread_workload_identity_config": {
        "client_id": "string",
        "tenant_id": "string",
        "token_file_path": "path",
    },
    "azuread_certificate_config": {
        "certificate_key_path": "path",
        "certificate_password": "secret",
        "certificate_path": "path",
        "client_id": "string",
        "send_certificate_chain": "bool",
        "tenant_id": "string",
    },
    "google_iam_config": {
        "credentials_file": "path",
    },
    # ---------------------------------------------------------------- HTTP client (common)
    "http_client_config": {
        "authorization": "authorization",
        "basic_auth": "basic_auth",
        "bearer_token": "secret",  # deprecated, still accepted
        "bearer_token_file": "path",  # deprecated, still accepted
        "enable_http2": "bool",
        "follow_redirects": "bool",
        "http_headers": "map[http_header]",  # 2.53+
        "oauth2": "oauth2",
        "tls_config": "tls_config",
    },
    "proxy_config": {
        "no_proxy": "string",  # 2.43+
        "proxy_connect_header": "map[list[secret]]",  # 2.41+
        "proxy_from_environment": "bool",  # 2.43+
        "proxy_url": "url",
    },
    "basic_auth": {
        "password": "secret",
        "password_file": "path",
        "password_ref": "string",  # unusable in Prometheus (no secret manager)
        "username": "string",
        "username_file": "path",  # 2.49+
        "username_ref": "string",  # unusable in Prometheus (no secret manager)
    },
    "authorization": {
        "credentials": "secret",
        "credentials_file": "path",
        "credentials_ref": "string",  # unusable in Prometheus (no secret manager)
        "type": "string",
    },
    "oauth2": {
        "audience": "string",  # jwt-bearer grant, 3.8+
        "claims": "map[any]",  # jwt-bearer grant, 3.8+
        "client_certificate_key": "secret",  # jwt-bearer grant, 3.8+
        "client_certificate_key_file": "path",  # jwt-bearer grant, 3.8+
        "client_certificate_key_id": "string",  # jwt-bearer grant, 3.8+
        "client_certificate_key_ref": "string",  # jwt-bearer grant, 3.8+
        "client_id": "string",
        "client_secret": "secret",
        "client_secret_file": "path",
        "client_secret_ref": "string",
        "endpoint_params": "map[string]",
        "grant_type": "string",  # 3.8+
        "iss": "string",  # jwt-bearer grant, 3.8+
        "scopes": "list[string]",
        "signature_algorithm": "string",  # jwt-bearer grant, 3.8+
        "tls_config": "tls_config",
        "token_url": "string",
    },
    "tls_config": {
        "ca": "string",  # 2.45+
        "ca_file": "path",
        "ca_ref": "string",
        "cert": "string",  # 2.45+
        "cert_file": "path",
        "cert_ref": "string",
        "insecure_skip_verify": "bool",
        "key": "secret",  # 2.45+
        "key_file": "path",
        "key_ref": "string",
        "max_version": _TLS_VERSION,  # 2.41+
        "min_version": _TLS_VERSION,  # 2.35+
        "server_name": "string",
    },
    "http_header": {
        "files": "list[path]",
        "secrets": "list[secret]",
        "values": "list[string]",
    },
    # ---------------------------------------------------------------- service discovery
    # AWS (unified aws_sd_configs is 3.8+; elasticache/rds roles and SDs are 3.11+).
    "aws_sd_config": {
        "access_key": "string",
        "clusters": "list[string]",  # ecs, elasticache, msk, rds roles
        "endpoint": "string",
        "external_id": "string",
        "filters": "list[aws_filter]",  # ec2, rds roles
        "port": "int",
        "profile": "string",
        "refresh_interval": "duration",
        "region": "string",
        "request_concurrency": "int",
        "role": "enum:ec2|ecs|elasticache|lightsail|msk|rds",
        "role_arn": "string",
        "secret_key": "secret",
    },
    "aws_filter": {
        "name": "string",
        "values": "list[string]",
    },
    "ec2_sd_config": {
        "access_key": "string",
        "endpoint": "string",
        "external_id": "string",  # 3.x
        "filters": "list[aws_filter]",
        "port": "int",
        "profile": "string",
        "refresh_interval": "duration",
        "region": "string",
        "role_arn": "string",
        "secret_key": "secret",
    },
    "ecs_sd_config": {  # 3.8+
        "access_key": "string",
        "clusters": "list[string]",
        "endpoint": "string",
        "external_id": "string",
        "port": "int",
        "profile": "string",
        "refresh_interval": "duration",
        "region": "string",
        "request_concurrency": "int",
        "role_arn": "string",
        "secret_key": "secret",
    },
    "elasticache_sd_config": {  # 3.11+
        "access_key": "string",
        "clusters": "list[string]",
        "endpoint": "string",
        "external_id": "string",
        "port": "int",
        "profile": "string",
        "refresh_interval": "duration",
        "region": "string",
        "request_concurrency": "int",
        "role_arn": "string",
        "secret_key": "secret",
    },
    "lightsail_sd_config": {  # 2.28+
        "access_key": "string",
        "endpoint": "string",
        "external_id": "string",  # 3.x
        "port": "int",
        "profile": "string",
        "refresh_interval": "duration",
        "region": "string",
        "role_arn": "string",
        "secret_key": "secret",
    },
    "msk_sd_config": {  # 3.10+
        "access_key": "string",
        "clusters": "list[string]",
        "endpoint": "string",
        "external_id": "string",
        "port": "int",
        "profile": "string",
        "refresh_interval": "duration",
        "region": "string",
        "request_concurrency": "int",
        "role_arn": "string",
        "secret_key": "secret",
    },
    "rds_sd_config": {  # 3.11+
        "access_key": "string",
        "clusters": "list[string]",
        "endpoint": "string",
        "external_id": "string",
        "filters": "list[aws_filter]",
        "port": "int",
        "profile": "string",
        "refresh_interval": "duration",
        "region": "string",
        "request_concurrency": "int",
        "role_arn": "string",
        "secret_key": "secret",
    },
    "azure_sd_config": {
        # WorkloadIdentity is 3.x; SDK is 2.52+.
        "authentication_method": "string",  # values are checked by SL113
        "client_id": "string",
        "client_secret": "secret",
        "environment": "string",
        "port": "int",
        "refresh_interval": "duration",
        "resource_group": "string",
        "subscription_id": "string",
        "tenant_id": "string",
    },
    "consul_sd_config": {
        "allow_stale": "bool",
        "datacenter": "string",
        "filter": "string",  # newer releases (catalog API filter)
        "health_filter": "string",  # 3.12+ (health API filter)
        "namespace": "string",
        "node_meta": "map[string]",
        "partition": "string",
        "password": "secret",  # deprecated in favour of basic_auth
        "path_prefix": "string",
        "refresh_interval": "duration",
        "scheme": "string",
        "server": "string",
        "services": "list[string]",
        "tag_separator": "string",
        "tags": "list[string]",
        "token": "secret",
        "username": "string",  # deprecated in favour of basic_auth
    },
    "digitalocean_sd_config": {
        "port": "int",
        "refresh_interval": "duration",
    },
    "docker_sd_config": {  # 2.24+
        "filters": "list[docker_filter]",
        "host": "string",
        "host_networking_host": "string",
        "match_first_network": "bool",
        "port": "int",
        "refresh_interval": "duration",
    },
    "dockerswarm_sd_config": {
        "filters": "list[docker_filter]",
        "host": "string",
        "port": "int",
        "refresh_interval": "duration",
        "role": "enum:nodes|services|tasks",
    },
    "docker_filter": {
        "name": "string",
        "values": "list[string]",
    },
    "dns_sd_config": {
        "names": "list[string]",
        "port": "int",
        "refresh_interval": "duration",
        "type": "enumi:A|AAAA|MX|NS|SRV",  # MX 2.37+, NS 2.49+
    },
    "eureka_sd_config": {
        "refresh_interval": "duration",
        "server": "string",
    },
    "file_sd_config": {
        "files": "list[path]",
        "refresh_interval": "duration",
    },
    "gce_sd_config": {
        "filter": "string",
        "port": "int",
        "project": "string",
        "refresh_interval": "duration",
        "tag_separator": "string",
        "zone": "string",
    },
    "hetzner_sd_config": {
        "label_selector": "string",  # 3.x
        "port": "int",
        "refresh_interval": "duration",
        "role": "enum:hcloud|robot",
    },
    "http_sd_config": {
        "refresh_interval": "duration",
        "url": "url",
    },
    "ionos_sd_config": {
        "datacenter_id": "string",
        "port": "int",
        "refresh_interval": "duration",
    },
    "kubernetes_sd_config": {
        "api_server": "url",
        "attach_metadata": "kubernetes_attach_metadata",
        "kubeconfig_file": "path",
        "namespaces": "kubernetes_namespaces",
        "role": "enum:endpoints|endpointslice|ingress|node|pod|service",
        "selectors": "list[kubernetes_selector]",
    },
    "kubernetes_namespaces": {
        "names": "list[string]",
        "own_namespace": "bool",
    },
    "kubernetes_selector": {
        "field": "string",
        "label": "string",
        "role": "enum:endpoints|endpointslice|ingress|node|pod|service",
    },
    "kubernetes_attach_metadata": {
        "namespace": "bool",  # 3.x
        "node": "bool",
    },
    "kuma_sd_config": {
        "client_id": "string",
        "fetch_timeout": "duration",
        "refresh_interval": "duration",
        "server": "string",
    },
    "linode_sd_config": {
        "port": "int",
        "refresh_interval": "duration",
        "region": "string",
        "tag_separator": "string",
    },
    "marathon_sd_config": {
        "auth_token": "secret",
        "auth_token_file": "path",
        "refresh_interval": "duration",
        "servers": "list[string]",
    },
    "nomad_sd_config": {
        "allow_stale": "bool",
        "namespace": "string",
        "refresh_interval": "duration",
        "region": "string",
        "server": "string",
        "tag_separator": "string",
    },
    "oci_sd_config": {  # 3.14+
        "auth": "string",  # values are checked by SL113
        "compartments": "list[string]",
        "fingerprint": "string",
        "key_file": "path",
        "key_passphrase": "secret",
        "key_passphrase_file": "path",
        "port": "int",
        "refresh_interval": "duration",
        "region": "string",
        "tenancy": "string",
        "user": "string",
    },
    "openstack_sd_config": {
        "all_tenants": "bool",
        "application_credential_id": "string",
        "application_credential_name": "string",
        "application_credential_secret": "secret",
        "availability": "enum:admin|internal|public",
        "domain_id": "string",
        "domain_name": "string",
        "identity_endpoint": "string",
        "password": "secret",
        "port": "int",
        "project_id": "string",
        "project_name": "string",
        "refresh_interval": "duration",
        "region": "string",
        "role": "enum:hypervisor|instance|loadbalancer",  # loadbalancer is 3.2+
        "tls_config": "tls_config",
        "userid": "string",
        "username": "string",
    },
    "outscale_sd_config": {  # 3.12+
        "access_key": "string",
        "endpoint": "string",
        "port": "int",
        "refresh_interval": "duration",
        "region": "string",
        "secret_key": "secret",
        "secret_key_file": "path",
    },
    "ovhcloud_sd_config": {  # 2.40+
        "application_key": "string",
        "application_secret": "secret",
        "consumer_key": "secret",
        "endpoint": "string",
        "refresh_interval": "duration",
        "service": "enum:dedicated_server|vps",
    },
    "puppetdb_sd_config": {
        "include_parameters": "bool",
        "port": "int",
        "query": "string",
        "refresh_interval": "duration",
        "url": "url",
    },
    "scaleway_sd_config": {
        "access_key": "string",
        "api_url": "string",
        "name_filter": "string",
        "port": "int",
        "project_id": "string",
        "refresh_interval": "duration",
        "role": "enum:baremetal|instance",
        "secret_key": "secret",
        "secret_key_file": "path",
        "tags_filter": "list[string]",
        "zone": "string",
    },
    "serverset_sd_config": {
        "paths": "list[string]",
        "servers": "list[string]",
        "timeout": "duration",
    },
    "nerve_sd_config": {
        "paths": "list[string]",
        "servers": "list[string]",
        "timeout": "duration",
    },
    "stackit_sd_config": {  # 3.5+
        "credentials_file_path": "path",
        "endpoint": "string",
        "port": "int",
        "private_key": "secret",
        "private_key_path": "path",
        "project": "string",
        "refresh_interval": "duration",
        "region": "string",
        "role": "string",  # newer releases discover more than servers
        "service_account_key": "secret",
        "service_account_key_path": "path",
    },
    "triton_sd_config": {
        "account": "string",
        "dns_suffix": "string",
        "endpoint": "string",
        "groups": "list[string]",
        "port": "int",
        "refresh_interval": "duration",
        "role": "enum:cn|container",
        "tls_config": "tls_config",
        "version": "int",
    },
    "uyuni_sd_config": {
        "entitlement": "string",
        "password": "secret",
        "refresh_interval": "duration",
        "separator": "string",
        "server": "string",
        "username": "string",
    },
    "vultr_sd_config": {
        "port": "int",
        "refresh_interval": "duration",
    },
}

# Structs whose keys are inlined into another struct (yaml ",inline"). Transitive.
INLINES: Final[dict[str, tuple[str, ...]]] = {
    "alertmanager_config": ("http_client_config",),
    "http_client_config": ("proxy_config",),
    "oauth2": ("proxy_config",),  # 2.43+
    "remote_read_config": ("http_client_config",),
    "remote_write_config": ("http_client_config",),
    "scrape_config": ("http_client_config",),
    # Service discovery mechanisms that embed a full HTTP client config (facts file §1.2).
    # openstack and triton only have tls_config; dns, file, gce, ovhcloud, serverset and
    # nerve have none.
    "aws_sd_config": ("http_client_config",),
    "azure_sd_config": ("http_client_config",),
    "consul_sd_config": ("http_client_config",),
    "digitalocean_sd_config": ("http_client_config",),
    "docker_sd_config": ("http_client_config",),
    "dockerswarm_sd_config": ("http_client_config",),
    "ec2_sd_config": ("http_client_config",),
    "ecs_sd_config": ("http_client_config",),
    "elasticache_sd_config": ("http_client_config",),
    "eureka_sd_config": ("http_client_config",),
    "hetzner_sd_config": ("http_client_config",),
    "http_sd_config": ("http_client_config",),
    "ionos_sd_config": ("http_client_config",),
    "kubernetes_sd_config": ("http_client_config",),
    "kuma_sd_config": ("http_client_config",),
    "lightsail_sd_config": ("http_client_config",),
    "linode_sd_config": ("http_client_config",),
    "marathon_sd_config": ("http_client_config",),
    "msk_sd_config": ("http_client_config",),
    "nomad_sd_config": ("http_client_config",),
    "oci_sd_config": ("http_client_config",),
    "outscale_sd_config": ("http_client_config",),
    "puppetdb_sd_config": ("http_client_config",),
    "rds_sd_config": ("http_client_config",),
    "scaleway_sd_config": ("http_client_config",),
    "stackit_sd_config": ("http_client_config",),
    "uyuni_sd_config": ("http_client_config",),
    "vultr_sd_config": ("http_client_config",),
}

# Every service-discovery key and its struct. The walker adds these keys to every struct
# listed in SD_HOSTS as "list[<struct>]".
SD_CONFIGS: Final[dict[str, str]] = {
    "aws_sd_configs": "aws_sd_config",  # 3.8+
    "azure_sd_configs": "azure_sd_config",
    "consul_sd_configs": "consul_sd_config",
    "digitalocean_sd_configs": "digitalocean_sd_config",  # 2.20+
    "dns_sd_configs": "dns_sd_config",
    "docker_sd_configs": "docker_sd_config",  # 2.24+
    "dockerswarm_sd_configs": "dockerswarm_sd_config",  # 2.20+
    "ec2_sd_configs": "ec2_sd_config",
    "ecs_sd_configs": "ecs_sd_config",  # 3.8+
    "elasticache_sd_configs": "elasticache_sd_config",  # 3.11+
    "eureka_sd_configs": "eureka_sd_config",  # 2.16+
    "file_sd_configs": "file_sd_config",
    "gce_sd_configs": "gce_sd_config",
    "hetzner_sd_configs": "hetzner_sd_config",  # 2.21+
    "http_sd_configs": "http_sd_config",  # 2.28+
    "ionos_sd_configs": "ionos_sd_config",  # 2.36+
    "kubernetes_sd_configs": "kubernetes_sd_config",
    "kuma_sd_configs": "kuma_sd_config",  # 2.29+
    "lightsail_sd_configs": "lightsail_sd_config",  # 2.28+
    "linode_sd_configs": "linode_sd_config",  # 2.28+
    "marathon_sd_configs": "marathon_sd_config",
    "msk_sd_configs": "msk_sd_config",  # 3.10+
    "nerve_sd_configs": "nerve_sd_config",
    "nomad_sd_configs": "nomad_sd_config",  # 2.36+
    "oci_sd_configs": "oci_sd_config",  # 3.14+
    "openstack_sd_configs": "openstack_sd_config",
    "outscale_sd_configs": "outscale_sd_config",  # 3.12+
    "ovhcloud_sd_configs": "ovhcloud_sd_config",  # 2.40+
    "puppetdb_sd_configs": "puppetdb_sd_config",  # 2.31+
    "rds_sd_configs": "rds_sd_config",  # 3.11+
    "scaleway_sd_configs": "scaleway_sd_config",  # 2.26+
    "serverset_sd_configs": "serverset_sd_config",
    "stackit_sd_configs": "stackit_sd_config",  # 3.5+
    "static_configs": "static_config",
    "triton_sd_configs": "triton_sd_config",
    "uyuni_sd_configs": "uyuni_sd_config",  # 2.31+
    "vultr_sd_configs": "vultr_sd_config",  # 2.37+
}

SD_HOSTS: Final[tuple[str, ...]] = ("scrape_config", "alertmanager_config")

ROOT: Final[str] = "config"
