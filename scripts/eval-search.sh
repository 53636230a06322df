#!/usr/bin/env bash
# The help centre's search figures on the shared relevance set (../shared/data/helpcenter or
# $GESHER_EVAL_DATA): all development queries without training; then the development queries
# split in two halves (odd and even lines), each half without training and after training on
# the other half. Run on SQLite, and on PostgreSQL when $GESHER_TEST_PG_URL is set (make eval
# runs it under scripts/with-postgres.sh). Usage: scripts/eval-search.sh bin/gesher
set -euo pipefail
bin=${1:-bin/gesher}
data=${GESHER_EVAL_DATA:-../shared/data/helpcenter}
work=$(mktemp -d /tmp/gesher-eval-XXXXXX)
trap 'rm -rf "$work"' EXIT
awk 'NR % 2 == 1' "$data/queries-dev.jsonl" >"$work/half-a.jsonl"
awk 'NR % 2 == 0' "$data/queries-dev.jsonl" >"$work/half-b.jsonl"

n=0
run() { # name dialect args…: each run on a fresh database (an SQLite file, or a new PostgreSQL database)
  local name=$1 dialect=$2 dsn
  shift 2
  n=$((n + 1))
  if [ "$dialect" = sqlite ]; then
    dsn="$work/eval-$n.db"
  else
    psql -q "$GESHER_TEST_PG_URL" -c "CREATE DATABASE gesher_eval_$n" >/dev/null
    dsn="${GESHER_TEST_PG_URL%/*}/gesher_eval_$n?sslmode=disable"
  fi
  echo "== $name ($dialect)"
  "$bin" eval search --articles "$data/articles.jsonl" --db "$dsn" "$@" 2>/dev/null
}
dialects=sqlite
[ -n "${GESHER_TEST_PG_URL:-}" ] && dialects="sqlite postgres"
for d in $dialects; do
  run "all queries, no training" "$d" --queries "$data/queries-dev.jsonl"
  run "half A, no training" "$d" --queries "$work/half-a.jsonl"
  run "half B, no training" "$d" --queries "$work/half-b.jsonl"
  run "half B after training on half A" "$d" --queries "$work/half-b.jsonl" --train "$work/half-a.jsonl"
  run "half A after training on half B" "$d" --queries "$work/half-a.jsonl" --train "$work/half-b.jsonl"
done
