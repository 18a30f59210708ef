#!/usr/bin/env bash
# Load test of the public pages with wrk against gunicorn on 127.0.0.1.
#
#   bench/load.sh                      # full run (about 4–5 minutes on 2 cores)
#   BENCH_DURATION=5s BENCH_OVERLOAD_DURATION=20s bench/load.sh   # quick look
#
# What it does (results go to docs/performance.md, section "Load"):
#  1. creates a scratch database (BENCH_DATABASE_URL, default
#     postgres://postgres@127.0.0.1:5432/xxgk_bench), migrates it and loads the demo
#     district (seed_demo: 1,200 notices, requests, reports);
#  2. starts gunicorn with production settings (DEBUG off, random SECRET_KEY,
#     CONN_MAX_AGE=60, whitenoise manifest storage, gunicorn.conf.py; access log off,
#     plain HTTP on the loopback interface: no TLS, no nginx);
#  3. finds the saturation concurrency of the notice detail page: concurrency 1…64,
#     the smallest that reaches 90 % of the best throughput seen;
#  4. at that concurrency measures requests/s and p50/p95/p99 for: home, the 目录
#     without a query, search, notice detail, the same notice page with a query string
#     (which the page cache never serves: the cost of rendering it), the applicant's
#     case page (16 sessions after a real 申请编号 + 查询码 lookup) and /healthz, the
#     bare Django view (whole middleware stack plus one SELECT 1) on the same server;
#     prints notice detail ÷ bare and rendered notice detail ÷ bare;
#  5. runs all five pages mixed at 2× the saturation concurrency (or
#     BENCH_OVERLOAD_CONCURRENCY) for 60 s and reports every error (HTTP ≥ 400,
#     connect/read/write errors, timeouts).
# Exit status 1 when the overload phase saw any error.
#
# Needs wrk (Debian: apt-get install -y wrk; installed automatically when run as root).
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/xxgk_bench}"
BENCH_PORT="${BENCH_PORT:-8790}"
BENCH_DURATION="${BENCH_DURATION:-15s}"
BENCH_SWEEP_DURATION="${BENCH_SWEEP_DURATION:-5s}"
BENCH_OVERLOAD_DURATION="${BENCH_OVERLOAD_DURATION:-60s}"
BENCH_SEARCH="${BENCH_SEARCH:-教育}"
BENCH_NOTICES="${BENCH_NOTICES:-1200}"
BENCH_KEEP_DB="${BENCH_KEEP_DB:-false}"
BENCH_REUSE_DB="${BENCH_REUSE_DB:-false}"
export GUNICORN_WORKERS="${GUNICORN_WORKERS:-$((2 * $(nproc)))}"
export GUNICORN_THREADS="${GUNICORN_THREADS:-4}"
HOST_HEADER="bench.xxgk.local"

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> 安装 wrk（apt-get install -y wrk）"
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    echo "需要 wrk：请先执行 sudo apt-get install -y wrk（或从 https://github.com/wg/wrk 编译），再运行本脚本。" >&2
    exit 1
  fi
fi

scripts/bootstrap requirements.txt
PY=.venv/bin/python
WORK="$(mktemp -d -t xxgk-bench-XXXXXX)"
GUNICORN_PID=""
cleanup() {
  if [ -n "$GUNICORN_PID" ] && kill -0 "$GUNICORN_PID" 2>/dev/null; then
    kill -TERM "$GUNICORN_PID"
    for _ in $(seq 1 50); do kill -0 "$GUNICORN_PID" 2>/dev/null || break; sleep 0.2; done
  fi
  if [ "$BENCH_KEEP_DB" != "true" ]; then
    "$PY" - "$BENCH_DATABASE_URL" drop <<'EOF' || true
import sys, psycopg2
from urllib.parse import urlparse
url = urlparse(sys.argv[1]); name = url.path.lstrip("/")
conn = psycopg2.connect(sys.argv[1].replace(url.path, "/postgres", 1)); conn.autocommit = True
conn.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
EOF
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT

export DEBUG=false PORTAL_HTTPS=false BEHIND_PROXY=false CONN_MAX_AGE=60 LOG_LEVEL=WARNING
export DATABASE_URL="$BENCH_DATABASE_URL" ALLOWED_HOSTS="$HOST_HEADER,127.0.0.1"
export SECRET_KEY="$("$PY" -c 'import secrets; print(secrets.token_urlsafe(48))')"
export STATIC_ROOT="$WORK/static" MEDIA_ROOT="$WORK/media"
export GUNICORN_BIND="127.0.0.1:$BENCH_PORT" GUNICORN_ACCESS_LOG=""

if [ "$BENCH_REUSE_DB" != "true" ]; then
  echo "==> 临时数据库 $(echo "$BENCH_DATABASE_URL" | sed -E 's#//([^:@/]+):[^@/]*@#//\1:***@#')"
  "$PY" - "$BENCH_DATABASE_URL" <<'EOF'
import sys, psycopg2
from urllib.parse import urlparse
url = urlparse(sys.argv[1]); name = url.path.lstrip("/")
conn = psycopg2.connect(sys.argv[1].replace(url.path, "/postgres", 1)); conn.autocommit = True
cur = conn.cursor()
cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
cur.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
EOF
  "$PY" manage.py migrate --noinput -v0
  echo "==> 演示数据（$BENCH_NOTICES 条政府信息）"
  "$PY" manage.py seed_demo --notices "$BENCH_NOTICES" > "$WORK/seed.log"
else
  "$PY" manage.py seed_demo --if-empty --notices "$BENCH_NOTICES" > "$WORK/seed.log"
fi
"$PY" manage.py collectstatic --noinput -v0

NOTICE_PATH="$("$PY" manage.py shell -v0 -c '
from django.urls import reverse
from catalog.models import Notice
notice = Notice.objects.published().order_by("-pk").first()
print(reverse("catalog:notice_detail", args=[notice.uuid]))')"
SEARCH_PATH="/xxgk/?q=$("$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$BENCH_SEARCH")"
read -r TRACKING_NO QUERY_CODE < <(sed -nE 's/.*演示查询：申请编号 ([^ ]+) +查询码 ([^（]+)（.*/\1 \2/p' "$WORK/seed.log" | head -1)
if [ -z "${TRACKING_NO:-}" ]; then
  echo "演示数据中没有可查询的申请（seed_demo 未输出“演示查询”）。" >&2
  exit 1
fi

echo "==> gunicorn $GUNICORN_WORKERS workers × $GUNICORN_THREADS threads on $GUNICORN_BIND"
.venv/bin/gunicorn portal.wsgi > "$WORK/gunicorn.log" 2>&1 &
GUNICORN_PID=$!
for _ in $(seq 1 100); do
  curl -fsS -o /dev/null -H "Host: $HOST_HEADER" "http://127.0.0.1:$BENCH_PORT/healthz" 2>/dev/null && break
  kill -0 "$GUNICORN_PID" 2>/dev/null || { cat "$WORK/gunicorn.log" >&2; exit 1; }
  sleep 0.2
done

# 16 applicant sessions, each from a real lookup (申请编号 + 查询码, POST with CSRF)
COOKIES=""
for n in $(seq 1 16); do
  jar="$WORK/jar$n"
  page="$(curl -fsS -c "$jar" -H "Host: $HOST_HEADER" "http://127.0.0.1:$BENCH_PORT/ysq/lookup/")"
  token="$(printf '%s' "$page" | sed -nE 's/.*name="csrfmiddlewaretoken" value="([^"]+)".*/\1/p' | head -1)"
  status="$(curl -sS -o /dev/null -w '%{http_code}' -b "$jar" -c "$jar" -H "Host: $HOST_HEADER" \
    --data-urlencode "csrfmiddlewaretoken=$token" --data-urlencode "tracking_no=$TRACKING_NO" \
    --data-urlencode "query_code=$QUERY_CODE" "http://127.0.0.1:$BENCH_PORT/ysq/lookup/")"
  [ "$status" = 302 ] || { echo "查询失败（HTTP $status）" >&2; exit 1; }
  session="$(awk '$6 == "sessionid" {print $7}' "$jar")"
  COOKIES="${COOKIES:+$COOKIES|}sessionid=$session"
done
case_status="$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $HOST_HEADER" -H "Cookie: ${COOKIES%%|*}" "http://127.0.0.1:$BENCH_PORT/ysq/case/")"
[ "$case_status" = 200 ] || { echo "申请人查询页返回 HTTP $case_status" >&2; exit 1; }

for path in / /xxgk/ "$SEARCH_PATH" "$NOTICE_PATH" "$NOTICE_PATH?render=1" /healthz; do
  code="$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $HOST_HEADER" "http://127.0.0.1:$BENCH_PORT$path")"
  [ "$code" = 200 ] || { echo "$path 返回 HTTP $code" >&2; exit 1; }
done

# run <concurrency> <duration> <paths> [cookies] → prints the RESULT line
run() {
  BENCH_PATHS="$3" BENCH_COOKIES="${4:-}" BENCH_HOST="$HOST_HEADER" \
    wrk -t1 -c"$1" -d"$2" --timeout 10s -s bench/wrk_report.lua "http://127.0.0.1:$BENCH_PORT" | grep '^RESULT'
}
field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p" <<<"$2"; }

echo "==> 预热"
run 4 3s "/|$SEARCH_PATH|$NOTICE_PATH|/ysq/case/|/healthz" "$COOKIES" >/dev/null

echo "==> 饱和并发（政府信息详情页，每级 $BENCH_SWEEP_DURATION）"
declare -A SWEEP
for c in 1 2 4 8 16 32 64; do
  line="$(run "$c" "$BENCH_SWEEP_DURATION" "$NOTICE_PATH")"
  SWEEP[$c]="$(field rps "$line")"
  printf '   c=%-3s %8s req/s  p95 %s ms\n' "$c" "${SWEEP[$c]}" "$(field p95_ms "$line")"
done
# saturation: the smallest concurrency that reaches 90 % of the best throughput seen
sat="$("$PY" -c '
import sys
pairs = [(int(c), float(r)) for c, r in (a.split("=") for a in sys.argv[1:])]
best = max(r for _, r in pairs)
print(min(c for c, r in pairs if r >= 0.9 * best))' $(for c in 1 2 4 8 16 32 64; do printf '%s=%s ' "$c" "${SWEEP[$c]}"; done))"
echo "   saturation concurrency: $sat"

echo "==> 各页面，并发 $sat，每页 $BENCH_DURATION"
declare -A RPS P50 P95 P99 ERR
PAGES="home list search notice rendered case bare"
for name in $PAGES; do
  case "$name" in
    home) paths="/"; cookies="" ;;
    list) paths="/xxgk/"; cookies="" ;;
    search) paths="$SEARCH_PATH"; cookies="" ;;
    notice) paths="$NOTICE_PATH"; cookies="" ;;
    rendered) paths="$NOTICE_PATH?render=1"; cookies="" ;;
    case) paths="/ysq/case/"; cookies="$COOKIES" ;;
    bare) paths="/healthz"; cookies="" ;;
  esac
  line="$(run "$sat" "$BENCH_DURATION" "$paths" "$cookies")"
  RPS[$name]="$(field rps "$line")"; P50[$name]="$(field p50_ms "$line")"
  P95[$name]="$(field p95_ms "$line")"; P99[$name]="$(field p99_ms "$line")"
  ERR[$name]=$(( $(field status_errors "$line") + $(field connect "$line") + $(field read "$line") + $(field write "$line") + $(field timeout "$line") ))
done

overload="${BENCH_OVERLOAD_CONCURRENCY:-$((2 * sat))}"
echo "==> 过载：五个页面混合，并发 $overload（饱和并发 $sat），$BENCH_OVERLOAD_DURATION"
over="$(run "$overload" "$BENCH_OVERLOAD_DURATION" "/|$SEARCH_PATH|$NOTICE_PATH|/ysq/case/|/healthz" "$COOKIES")"
over_errors=$(( $(field status_errors "$over") + $(field connect "$over") + $(field read "$over") + $(field write "$over") + $(field timeout "$over") ))
server_errors="$(grep -c -E 'Traceback|WORKER TIMEOUT' "$WORK/gunicorn.log" || true)"

ratio() { "$PY" -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.0%}')" "$1" "$2"; }
echo
echo "## Load ($(date +%F), $(nproc) cores, gunicorn $GUNICORN_WORKERS×$GUNICORN_THREADS, wrk -t1 -c$sat, $BENCH_DURATION each)"
echo
echo "| Page | Path | req/s | p50 ms | p95 ms | p99 ms | errors |"
echo "|---|---|---:|---:|---:|---:|---:|"
for name in $PAGES; do
  case "$name" in
    home) label="首页"; path="/" ;;
    list) label="政府信息公开目录（无查询）"; path="/xxgk/" ;;
    search) label="检索 q=$BENCH_SEARCH"; path="/xxgk/?q=…" ;;
    notice) label="政府信息详情"; path="/xxgk/<uuid>/" ;;
    rendered) label="政府信息详情，每次渲染（带查询串，不用页面缓存）"; path="/xxgk/<uuid>/?render=1" ;;
    case) label="申请人查询页"; path="/ysq/case/" ;;
    bare) label="bare view (/healthz: middleware + SELECT 1)"; path="/healthz" ;;
  esac
  echo "| $label | \`$path\` | ${RPS[$name]} | ${P50[$name]} | ${P95[$name]} | ${P99[$name]} | ${ERR[$name]} |"
done
echo
echo "Notice detail ÷ bare view: $(ratio "${RPS[notice]}" "${RPS[bare]}") (target ≥ 50 %); rendered every time: $(ratio "${RPS[rendered]}" "${RPS[bare]}")."
echo "Saturation sweep (notice detail, req/s by concurrency): $(for c in 1 2 4 8 16 32 64; do printf 'c%s=%s ' "$c" "${SWEEP[$c]}"; done)"
echo "Overload: mixed pages at c=$overload for $BENCH_OVERLOAD_DURATION: $(field requests "$over") requests, $(field rps "$over") req/s, p95 $(field p95_ms "$over") ms, p99 $(field p99_ms "$over") ms, errors $over_errors, server tracebacks/timeouts $server_errors."
[ "$over_errors" = 0 ] && [ "$server_errors" = 0 ]
