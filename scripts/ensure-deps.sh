#!/usr/bin/env bash
# Installs what `make test` needs and a fresh Debian machine lacks. Idempotent: it does nothing
# when everything is there.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)

if ((${#need[@]})); then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing: ${need[*]} — install them (sudo apt-get install -y ${need[*]}) and run make test again" >&2
    exit 1
  fi
  echo "installing ${need[*]} …"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
