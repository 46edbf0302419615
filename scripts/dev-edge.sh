#!/usr/bin/env bash
# `npm run dev:edge`: the worker (api/worker.ts) in workerd on a local D1, offline, exactly as it
# is deployed: the committed migrations applied by wrangler, the web app as static assets, the
# database seeded on the first request (the demo community unless SEED_DEMO=0).
#
#   PORT=8790 SEED_DEMO=0 npm run dev:edge
#   curl 'http://127.0.0.1:8788/__scheduled?cron=*/10+*+*+*+*'   # fire the cron trigger
#
# Local D1 data lives in .wrangler/state (git-ignored); delete it to start again from empty.
set -euo pipefail
cd "$(dirname "$0")/.."

# Quiet and offline: no metrics, no request.cf lookups, no banner (docs/shared STACK notes).
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false WRANGLER_HIDE_BANNER=true

port="${PORT:-8788}"   # 8787 is the Node server's default; keep both runnable side by side.
if [ "$port" = "8787" ]; then echo "dev:edge: pick a PORT other than 8787 (npm start uses it)" >&2; exit 1; fi
seed_demo="${SEED_DEMO:-1}"
seed_password="${SEED_PASSWORD:-shuangfu-demo-2026}"
card_signing_key="${CARD_SIGNING_KEY:-dev-only-card-signing-key-change-me}"
wrangler=(node node_modules/wrangler/bin/wrangler.js)

if [ ! -f web/dist/index.html ]; then
  echo "dev:edge: building the web app (web/dist) first"
  npm run build:web
fi

"${wrangler[@]}" d1 migrations apply DB --local

# Seed on the first request as soon as the worker listens, so the first page load is fast.
(
  for _ in $(seq 1 300); do
    if curl -fsS -o /dev/null --max-time 120 "http://127.0.0.1:${port}/api/health" 2>/dev/null; then
      echo "dev:edge: ready on http://127.0.0.1:${port} (admin / ${seed_password})"
      exit 0
    fi
    sleep 0.2
  done
) &

# exec: Ctrl-C reaches wrangler and its workerd (same process group), so nothing is left behind.
exec "${wrangler[@]}" dev --local --ip 127.0.0.1 --port "$port" --test-scheduled \
  --var "SEED_DEMO:${seed_demo}" \
  --var "SEED_PASSWORD:${seed_password}" \
  --var "CARD_SIGNING_KEY:${card_signing_key}" \
  --show-interactive-dev-session=false
