#!/usr/bin/env bash
# Run container healthchecks where Podman cannot: it schedules them with systemd
# timers, and machines without systemd (CI sandboxes) have none, so a container's
# health would stay "starting" forever and `depends_on: condition: service_healthy`
# would never be met. This loop runs `podman healthcheck run` itself: every 3 s
# for containers still starting or unhealthy, every 30 s for healthy ones.
# Started in the background by .ci/engine.sh; stops when the API socket is gone.
set -u
SOCKET="${1:-/run/podman/podman.sock}"
declare -A last
while [[ -S $SOCKET ]]; do
    now=$SECONDS
    while IFS='|' read -r id state; do
        case "$state" in
            *"(starting)"* | *"(unhealthy)"*) due=3 ;;
            *"(healthy)"*) due=30 ;;
            *) continue ;;
        esac
        if ((now - ${last[$id]:-0} >= due)); then
            podman healthcheck run "$id" >/dev/null 2>&1
            last[$id]=$now
        fi
    done < <(podman ps --format '{{.ID}}|{{.Status}}' 2>/dev/null)
    sleep 2
done
