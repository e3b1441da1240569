#!/usr/bin/env bash
# Provision a real container engine and the images the container tests use.
#
# The machines have the docker client but no Docker engine and no registry
# (see shared/CONTAINERS.md). Podman from Debian serves the Docker Engine API
# on a unix socket; base images are built locally with debootstrap. Every step
# is idempotent and skipped when already done, so a second run takes seconds;
# the engine's image store survives on the machine, a fresh machine builds all.
#
#   bash .ci/engine.sh           engine + base, PostgreSQL and proxy images + sandbox image
#   bash .ci/engine.sh engine    only the engine (packages, config, API socket)
#   bash .ci/engine.sh image     only (re)build the sandbox image (layer cache makes it fast)
#   bash .ci/engine.sh proxy     only the workshop's proxy image (if missing)
#
# Afterwards: export DOCKER_HOST=unix:///run/podman/podman.sock
set -euo pipefail
cd "$(dirname "$0")/.."

SOCKET=/run/podman/podman.sock
export DOCKER_HOST="unix://$SOCKET"
BASE_IMAGE="${SANDBOX_BASE_IMAGE:-localhost/sandbox-base:bookworm}"
POSTGRES_IMAGE="${SANDBOX_POSTGRES_IMAGE:-localhost/sandbox-postgres:bookworm}"
PROXY_IMAGE="${SANDBOX_PROXY_IMAGE:-localhost/sandbox-proxy:bookworm}"
SANDBOX_IMAGE="${SANDBOX_IMAGE:-localhost/experimentierraum:ci}"
CA_BUNDLE=/etc/ssl/certs/ca-certificates.crt
LOG_DIR="${TMPDIR:-/tmp}/experimentierraum-engine"
mkdir -p "$LOG_DIR"

say() { echo "[engine] $*"; }

install_packages() {
    local missing=()
    for pair in podman:podman runc:runc debootstrap:debootstrap docker-compose:docker-compose; do
        command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
    done
    if ((${#missing[@]})); then
        say "installing ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >"$LOG_DIR/apt.log"
    fi
}

configure() {
    # crun (the default runtime) fails here on setrlimit and hybrid cgroups; runc works without default ulimits.
    local conf=/etc/containers/containers.conf
    local want
    want=$'[containers]\ndefault_ulimits = []\n[engine]\nruntime = "runc"\n[engine.runtimes]\nrunc = ["/usr/sbin/runc"]\n'
    if [[ ! -f $conf ]] || [[ "$(cat "$conf")"$'\n' != "$want" ]]; then
        say "writing $conf"
        mkdir -p /etc/containers
        printf '%s' "$want" >"$conf"
    fi
}

api_answers() {
    curl -fsS --max-time 3 --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1
}

api_runs_containers() {
    # A service can answer _ping and still fail every start ("write child: broken pipe") after its
    # environment changed under it; a throw-away container on the base image tells the truth.
    docker image inspect "$BASE_IMAGE" >/dev/null 2>&1 || return 0
    timeout 120 docker run --rm --network none "$BASE_IMAGE" true >/dev/null 2>&1
}

serve_api() {
    if api_answers; then
        if api_runs_containers; then
            return
        fi
        say "the Docker API answers but cannot start containers; restarting it"
        pkill -f "podman system service.*$SOCKET" || true
        sleep 2
    fi
    say "starting the Docker API: podman system service on $SOCKET"
    mkdir -p "$(dirname "$SOCKET")"
    rm -f "$SOCKET"
    setsid nohup podman system service --time=0 "unix://$SOCKET" >"$LOG_DIR/podman-service.log" 2>&1 </dev/null &
    for _ in $(seq 1 100); do
        api_answers && return
        sleep 0.2
    done
    say "the API did not answer; log:"
    tail -20 "$LOG_DIR/podman-service.log" >&2
    exit 1
}

drive_healthchecks() {
    # Podman runs healthchecks from systemd timers; without systemd, .ci/healthchecks.sh runs them.
    [[ -d /run/systemd/system ]] && return
    local pidfile=/run/podman/healthchecks.pid
    if [[ -f $pidfile ]] && grep -qs healthchecks.sh "/proc/$(cat "$pidfile")/cmdline"; then
        return
    fi
    setsid nohup bash .ci/healthchecks.sh "$SOCKET" >"$LOG_DIR/healthchecks.log" 2>&1 </dev/null &
    echo $! >"$pidfile"
}

mirror() {
    # The Debian mirror this machine's apt uses (deb822 sources first, then the classic list).
    local uri
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
    [[ -n $uri ]] || uri=$(awk '$1 == "deb" {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)
    echo "${uri:-http://deb.debian.org/debian}"
}

base_image() {
    if podman image exists "$BASE_IMAGE"; then
        return
    fi
    local dir
    dir=$(mktemp -d "$LOG_DIR/rootfs.XXXXXX")
    say "building $BASE_IMAGE with debootstrap (about a minute)"
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "$dir" "$(mirror)" >"$LOG_DIR/debootstrap.log" 2>&1 ||
        { tail -20 "$LOG_DIR/debootstrap.log" >&2; rm -rf "$dir"; exit 1; }
    rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/lib/apt/lists/*
    tar -C "$dir" -c . | podman import --quiet --change 'CMD ["/bin/bash"]' - "$BASE_IMAGE" >/dev/null
    rm -rf "$dir"
}

build() {
    # podman build with the host's network (the only way to the package registries), Docker image
    # format (keeps HEALTHCHECK); output to a log, its tail shown on failure.
    local log=$1
    shift
    if ! podman build --network host --format docker "$@" >"$log" 2>&1; then
        tail -40 "$log" >&2
        say "build failed; full log: $log"
        exit 1
    fi
}

postgres_image() {
    if podman image exists "$POSTGRES_IMAGE"; then
        return
    fi
    say "building $POSTGRES_IMAGE (Debian's PostgreSQL on the debootstrap base)"
    build "$LOG_DIR/build-postgres.log" --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$POSTGRES_IMAGE" .ci/postgres
}

proxy_image() {
    # The workshop's reverse proxy (Debian's Caddy): the build context comes from the package, the one source
    # `sandbox workshop start` also builds from on a trainer's machine.
    if podman image exists "$PROXY_IMAGE"; then
        return
    fi
    say "building $PROXY_IMAGE (Debian's Caddy on the debootstrap base)"
    local context
    context=$(mktemp -d "$LOG_DIR/proxy.XXXXXX")
    PYTHONPATH=. python3 -m sandbox.workshop.proxy_image "$context" >/dev/null
    build "$LOG_DIR/build-proxy.log" --build-arg "BASE_IMAGE=$BASE_IMAGE" -t "$PROXY_IMAGE" "$context"
    rm -rf "$context"
}

sandbox_image() {
    # pip reaches PyPI only through the host's network and CA bundle. The bundle is mounted over the base
    # image's own for the build (a path that exists, so no layer records even a mount point) and named in
    # the CI-only argument PIP_CERT_FILE; the image keeps its own bundle.
    say "building $SANDBOX_IMAGE from $BASE_IMAGE"
    build "$LOG_DIR/build-sandbox.log" --build-arg "BASE_IMAGE=$BASE_IMAGE" \
        --volume "$CA_BUNDLE:$CA_BUNDLE:ro" --build-arg "PIP_CERT_FILE=$CA_BUNDLE" -t "$SANDBOX_IMAGE" .
    # Earlier builds' top layers are untagged now; drop them so repeated CI runs do not fill the disk
    # (the layers the current image is built on stay, and with them the build cache).
    podman image prune --force >/dev/null
}

case "${1:-all}" in
    engine) install_packages; configure; serve_api; drive_healthchecks ;;
    image) serve_api; drive_healthchecks; sandbox_image ;;
    proxy) serve_api; drive_healthchecks; base_image; proxy_image ;;
    all) install_packages; configure; serve_api; drive_healthchecks; base_image; postgres_image; proxy_image; sandbox_image ;;
    *) echo "usage: $0 [all|engine|image|proxy]" >&2; exit 2 ;;
esac
say "ready: DOCKER_HOST=$DOCKER_HOST"
