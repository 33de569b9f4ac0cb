"""SL501-SL504: Kubernetes RBAC for what the Prometheus config needs (the 403 family)."""
