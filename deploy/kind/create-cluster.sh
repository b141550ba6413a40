#!/usr/bin/env bash
# Creates the kind cluster `concurso-coach` with a local registry, following kind's
# local-registry recipe. Safe to re-run: existing pieces are kept.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cluster=concurso-coach
registry=kind-registry
host_port=5001

if [ "$(docker inspect -f '{{.State.Running}}' "$registry" 2>/dev/null || true)" != true ]; then
  docker run -d --restart=always -p "127.0.0.1:${host_port}:5000" \
    --network bridge --name "$registry" registry:2
fi

if ! kind get clusters | grep -qx "$cluster"; then
  kind create cluster --config "$here/cluster.yaml"
fi

# Every node resolves localhost:5001 to the registry container.
for node in $(kind get nodes --name "$cluster"); do
  dir="/etc/containerd/certs.d/localhost:${host_port}"
  docker exec "$node" mkdir -p "$dir"
  printf '[host."http://%s:5000"]\n' "$registry" | docker exec -i "$node" cp /dev/stdin "$dir/hosts.toml"
done

if [ "$(docker inspect -f '{{json .NetworkSettings.Networks.kind}}' "$registry")" = null ]; then
  docker network connect kind "$registry"
fi

kubectl --context "kind-$cluster" apply -f "$here/registry-hosting.yaml"
