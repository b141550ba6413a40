"""What schema validation cannot see in the rendered overlays."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.deploy.rendering import (
    OVERLAYS,
    ROOT,
    Document,
    all_containers,
    needs_kubectl,
    of_kind,
    pod_spec,
    rendered,
    workloads,
)

pytestmark = needs_kubectl
each_overlay = pytest.mark.parametrize("overlay", OVERLAYS)

APP_IMAGE = "concurso-coach"
PART_OF = "app.kubernetes.io/part-of"
NAME = "app.kubernetes.io/name"


def matches(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(key) == value for key, value in selector.items())


def template_labels(workload: Document) -> dict[str, str]:
    labels: dict[str, str] = workload["spec"]["template"]["metadata"]["labels"]
    return labels


def workload(overlay: str, name: str) -> Document:
    (found,) = [w for w in workloads(overlay) if w["metadata"]["name"] == name]
    return found


def container(overlay: str, name: str) -> Document:
    (found,) = [
        c for w in workloads(overlay) for c in pod_spec(w)["containers"] if c["name"] == name
    ]
    result: Document = found
    return result


def declared_ports(workload_document: Document) -> dict[str, int]:
    return {
        port["name"]: port["containerPort"]
        for c in pod_spec(workload_document)["containers"]
        for port in c.get("ports", [])
    }


@each_overlay
def test_workload_selectors_match_their_pod_labels(overlay: str) -> None:
    for w in workloads(overlay):
        selector = w["spec"].get("selector", {}).get("matchLabels", template_labels(w))

        assert matches(selector, template_labels(w)), w["metadata"]["name"]


@each_overlay
def test_every_service_selects_a_workload_on_a_declared_port(overlay: str) -> None:
    for service in of_kind(overlay, "Service"):
        selected = [
            w
            for w in workloads(overlay)
            if matches(service["spec"]["selector"], template_labels(w))
        ]

        assert selected, service["metadata"]["name"]
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in declared_ports(selected[0]), port


@each_overlay
def test_every_container_port_is_named(overlay: str) -> None:
    ports = [p for w in workloads(overlay) for c in all_containers(w) for p in c.get("ports", [])]

    assert ports
    assert all(p.get("name") for p in ports)


@each_overlay
def test_probe_ports_name_declared_ports(overlay: str) -> None:
    for w in workloads(overlay):
        for c in pod_spec(w)["containers"]:
            for key in ("readinessProbe", "livenessProbe", "startupProbe"):
                handler = c.get(key, {}).get("httpGet") or c.get(key, {}).get("tcpSocket")
                if handler:
                    assert handler["port"] in declared_ports(w), (c["name"], key)


@each_overlay
def test_every_container_has_requests_and_a_memory_limit(overlay: str) -> None:
    for w in workloads(overlay):
        for c in all_containers(w):
            resources = c["resources"]

            assert {"cpu", "memory"} <= resources["requests"].keys(), c["name"]
            assert "memory" in resources["limits"], c["name"]


@each_overlay
def test_every_pod_and_container_is_hardened(overlay: str) -> None:
    for w in workloads(overlay):
        spec = pod_spec(w)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for c in all_containers(w):
            context = c["securityContext"]

            assert context["allowPrivilegeEscalation"] is False, c["name"]
            assert context["capabilities"]["drop"] == ["ALL"], c["name"]
            assert context["readOnlyRootFilesystem"] is True, c["name"]


@each_overlay
def test_each_workload_has_its_own_account_without_a_token(overlay: str) -> None:
    accounts = {a["metadata"]["name"]: a for a in of_kind(overlay, "ServiceAccount")}
    names = [pod_spec(w)["serviceAccountName"] for w in workloads(overlay)]

    assert len(set(names)) == len(names)
    for w in workloads(overlay):
        name = pod_spec(w)["serviceAccountName"]
        assert accounts[name]["automountServiceAccountToken"] is False
        assert pod_spec(w)["automountServiceAccountToken"] is False


@each_overlay
def test_every_object_carries_the_recommended_labels(overlay: str) -> None:
    for document in rendered(overlay):
        labels = document["metadata"].get("labels", {})
        if document["kind"] != "Namespace":
            assert labels.get(PART_OF) == "concurso-coach", document["metadata"]["name"]
    for w in workloads(overlay):
        assert template_labels(w)[NAME] == w["metadata"]["name"]


def test_app_images_are_the_tilt_ref_in_kind_and_pinned_in_prod() -> None:
    tiltfile = (ROOT / "Tiltfile").read_text(encoding="utf-8")
    assert f"docker_build(\n    '{APP_IMAGE}'" in tiltfile

    kind = {c["image"] for w in workloads("deploy/overlays/kind") for c in all_containers(w)}
    prod = {c["image"] for w in workloads("deploy/overlays/prod") for c in all_containers(w)}

    assert kind == {APP_IMAGE, "postgres:17", "redis:7"}
    assert all(re.fullmatch(r"[\w./-]+:\d+\.\d+(\.\d+)?", image) for image in prod), prod


def test_data_store_images_are_the_compose_images() -> None:
    compose = (ROOT / "compose.yaml").read_text(encoding="utf-8")

    for name in ("db", "redis"):
        assert f"image: {container('deploy/overlays/kind', name)['image']}\n" in compose


@each_overlay
def test_migrations_run_in_the_job_and_never_in_the_server(overlay: str) -> None:
    assert container(overlay, "migrate")["command"] == [
        "coach",
        "database",
        "upgrade",
        "--no-prompt",
    ]
    assert "upgrade" not in container(overlay, "api")["command"]
    assert workload(overlay, "migrate")["kind"] == "Job"


@each_overlay
def test_api_grace_period_outlasts_pre_stop_and_drain(overlay: str) -> None:
    api = container(overlay, "api")
    command: list[str] = api["command"]
    drain = int(command[command.index("--timeout-graceful-shutdown") + 1])
    pre_stop = api["lifecycle"]["preStop"]["sleep"]["seconds"]

    grace = pod_spec(workload(overlay, "api"))["terminationGracePeriodSeconds"]

    assert grace > pre_stop + drain


@each_overlay
def test_uvicorn_leaves_proxy_headers_to_the_app(overlay: str) -> None:
    # Otherwise any peer on 127.0.0.1 (a port-forward, a sidecar) could set its own
    # address with X-Forwarded-For and reset its login rate limit.
    assert "--no-proxy-headers" in container(overlay, "api")["command"]


def test_the_image_command_leaves_proxy_headers_to_the_app() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    command = dockerfile[dockerfile.rindex("\nCMD ") :]

    assert '"--no-proxy-headers"' in command


def test_the_server_reloads_itself_in_kind_only() -> None:
    assert "--reload" in container("deploy/overlays/kind", "api")["command"]
    assert "--reload" not in container("deploy/overlays/prod", "api")["command"]


@each_overlay
def test_postgres_keeps_its_data_in_a_subfolder_of_the_claim(overlay: str) -> None:
    db = workload(overlay, "db")
    env = {e["name"]: e for e in container(overlay, "db")["env"]}
    mounts = {m["name"]: m["mountPath"] for m in container(overlay, "db")["volumeMounts"]}
    claims = [t["metadata"]["name"] for t in db["spec"]["volumeClaimTemplates"]]

    assert claims == ["data"]
    assert env["PGDATA"]["value"].startswith(mounts["data"] + "/")


@each_overlay
def test_postgres_has_a_headless_and_a_client_service(overlay: str) -> None:
    services = {s["metadata"]["name"]: s["spec"] for s in of_kind(overlay, "Service")}

    assert services[workload(overlay, "db")["spec"]["serviceName"]]["clusterIP"] == "None"
    assert services["db"].get("clusterIP") != "None"


def _secret_keys(overlay: str) -> set[str]:
    return {
        e["valueFrom"]["secretKeyRef"]["key"]
        for w in workloads(overlay)
        for c in all_containers(w)
        for e in c.get("env", [])
        if "secretKeyRef" in e.get("valueFrom", {})
    }


def test_the_committed_secret_example_has_every_key_the_pods_read() -> None:
    example = (ROOT / "deploy/overlays/kind/secrets.env.example").read_text(encoding="utf-8")
    keys = {line.split("=", 1)[0] for line in example.splitlines() if "=" in line}

    assert _secret_keys("deploy/overlays/kind") <= keys


def test_prod_runs_two_api_replicas_under_an_autoscaler_and_a_budget() -> None:
    prod = "deploy/overlays/prod"
    (hpa,) = of_kind(prod, "HorizontalPodAutoscaler")
    budgets = [b["spec"]["selector"]["matchLabels"] for b in of_kind(prod, "PodDisruptionBudget")]

    assert workload(prod, "api")["spec"]["replicas"] >= 2
    assert hpa["spec"]["scaleTargetRef"]["name"] == "api"
    assert hpa["spec"]["minReplicas"] >= 2
    assert any(matches(b, template_labels(workload(prod, "api"))) for b in budgets)


def test_prod_denies_by_default_and_opens_a_policy_per_workload() -> None:
    policies: list[dict[str, Any]] = of_kind("deploy/overlays/prod", "NetworkPolicy")
    deny = [p for p in policies if p["spec"]["podSelector"] == {} and "ingress" not in p["spec"]]
    specific = [
        p["spec"]["podSelector"]["matchLabels"] for p in policies if p["spec"]["podSelector"]
    ]

    assert any(set(p["spec"]["policyTypes"]) == {"Ingress", "Egress"} for p in deny)
    for w in workloads("deploy/overlays/prod"):
        assert any(matches(s, template_labels(w)) for s in specific), w["metadata"]["name"]
