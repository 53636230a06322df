#!/usr/bin/env bash
# Installs what `make test` needs and a fresh Debian machine lacks. Idempotent: it does nothing
# when everything is there.
set -euo pipefail

need=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
# The console's browser tests drive Debian's Chromium (never a browser downloaded by Playwright).
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
# The email channel's tests send every test message with a real SMTP client.
command -v swaks >/dev/null 2>&1 || need+=(swaks)

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

# The front ends' and the browser tests' npm packages, exactly as locked, when not installed yet.
here=$(cd "$(dirname "$0")/.." && pwd)
for dir in "$here"/web/*/ "$here"/test/e2e/; do
  if [ -f "$dir/package-lock.json" ] && [ ! -d "$dir/node_modules" ]; then
    echo "npm ci in ${dir#"$here"/} …"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done
