"""Probe parity: the Kubernetes probes in deploy/ must run the Compose healthchecks.

The core (`model`, `parsing`, `checks`, `execution`) is pure: it takes parsed YAML
and returns findings or commands. `loader` renders and reads files; `cli` is the
`coach parity` command.
"""
