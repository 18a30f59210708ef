#!/usr/bin/env bash
# Throughput through nginx of the multi-server topology (scripts/cluster), in one run:
#
#   bench/cluster.sh                        # about 8 minutes on 2 cores (2 rounds)
#   BENCH_DURATION=5s bench/cluster.sh      # quick look
#
# Starts its own topology (CLUSTER_DIR in a temporary folder, ports 55700+, the demo
# district: 1,200 notices), then measures anonymous notice pages (page cache in Redis:
# one generation query a hit) and search pages (a query string: never page-cached, the
# search and facet SQL each time; totals and facets cached in Redis after the first) in
# four configurations, each after a warm-up, with wrk at BENCH_CONCURRENCY connections:
#
#   A  one app server,  reads on the primary     (the baseline: 1.00)
#   B  two app servers, reads on the primary
#   C  one app server,  reads on the replica
#   D  two app servers, reads on the replica
#
# and prints requests/s, p50/p95 and the ratio against A, measured in the same run
# (BENCH_ROUNDS rounds, 2 by default, in alternating order; the table has the means).
# Everything (PostgreSQL ×2, Redis, nginx, gunicorn ×2, wrk) shares this machine's
# cores, so a second app server or a replica adds processes, not CPU: the ratios show
# what the topology costs or gains here, not what separate machines would give.
# Results go to docs/performance.md, section "Several servers".
set -euo pipefail
cd "$(dirname "$0")/.."

BENCH_DURATION="${BENCH_DURATION:-15s}"
BENCH_CONCURRENCY="${BENCH_CONCURRENCY:-16}"
export CLUSTER_PORT_BASE="${BENCH_PORT_BASE:-55700}"
export CLUSTER_WORKERS="${CLUSTER_WORKERS:-2}"
export CLUSTER_THREADS="${CLUSTER_THREADS:-4}"
export CLUSTER_DIR
CLUSTER_DIR="$(mktemp -d -t xxgk-cluster-bench-XXXXXX)"
chmod 755 "$CLUSTER_DIR"
NGINX_PORT=$((CLUSTER_PORT_BASE + 80))
PY=.venv/bin/python

if ! command -v wrk >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "==> 安装 wrk（apt-get install -y wrk）"
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    echo "需要 wrk：请先执行 sudo apt-get install -y wrk，再运行本脚本。" >&2
    exit 1
  fi
fi
scripts/ensure-nginx

cleanup() {
  "$PY" scripts/_cluster.py destroy >/dev/null 2>&1 || true
  rm -rf "$CLUSTER_DIR"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "==> 启动拓扑（含演示数据）"
"$PY" scripts/_cluster.py start --demo

# a few notice pages and searches of the demo district
mapfile -t NOTICES < <(curl -sf "http://127.0.0.1:$NGINX_PORT/api/notices/?page_size=20" |
  "$PY" -c 'import json,sys; d=json.load(sys.stdin); r=d.get("results", d)
print("\n".join("/xxgk/%s/" % n["uuid"] for n in r[:8]))')
if [ "${#NOTICES[@]}" -lt 1 ]; then
  echo "演示数据中没有找到政府信息（/api/notices/）" >&2
  exit 1
fi
NOTICE_PATHS="$(IFS='|'; echo "${NOTICES[*]}")"
q() { "$PY" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1]))' "$1"; }
SEARCH_PATHS="/xxgk/?q=$(q 教育)|/xxgk/?q=$(q 通知)|/xxgk/?q=$(q 2024)|/xxgk/?q=$(q 招生 计划)|/api/notices/?q=$(q 政府)"

run() {  # <paths> → RESULT line
  BENCH_PATHS="$1" BENCH_HOST="127.0.0.1:$NGINX_PORT" \
    wrk -t1 -c"$BENCH_CONCURRENCY" -d"$BENCH_DURATION" --timeout 10s \
    -s bench/wrk_report.lua "http://127.0.0.1:$NGINX_PORT" | grep '^RESULT'
}
field() { sed -nE "s/.* $1=([0-9.]+).*/\1/p" <<<"$2"; }
errors() {
  local total=0 f
  for f in status_errors connect read write timeout; do
    total=$((total + $(field "$f" "$1")))
  done
  echo "$total"
}

# Rounds alternate the order (A B C D, then D C B A, …) so that a machine getting busier
# or quieter during the run does not favour one configuration; figures are means.
BENCH_ROUNDS="${BENCH_ROUNDS:-2}"
declare -A RPS P95 ERR
CONFIGS=("A 1 primary" "B 2 primary" "C 1 replica" "D 2 replica")
for ((round = 1; round <= BENCH_ROUNDS; round++)); do
  order=("${CONFIGS[@]}")
  if ((round % 2 == 0)); then
    order=("${CONFIGS[3]}" "${CONFIGS[2]}" "${CONFIGS[1]}" "${CONFIGS[0]}")
  fi
  for config in "${order[@]}"; do
    read -r name apps reads <<<"$config"
    echo "==> 第 $round 轮，配置 $name：$apps 台应用服务器，读取 $reads"
    "$PY" scripts/_cluster.py reconfigure --apps "$apps" --reads "$reads" 2>&1 | grep '^==> 已'
    BENCH_DURATION=3s run "$NOTICE_PATHS|$SEARCH_PATHS" >/dev/null  # warm-up
    for kind in notice search; do
      if [ "$kind" = notice ]; then paths="$NOTICE_PATHS"; else paths="$SEARCH_PATHS"; fi
      line="$(run "$paths")"
      key="$name.$kind"
      RPS[$key]="${RPS[$key]:-} $(field rps "$line")"
      P95[$key]="${P95[$key]:-} $(field p95_ms "$line")"
      ERR[$key]=$((${ERR[$key]:-0} + $(errors "$line")))
      printf '   %-6s %8s req/s  p50 %6s ms  p95 %6s ms  errors %s\n' "$kind" \
        "$(field rps "$line")" "$(field p50_ms "$line")" "$(field p95_ms "$line")" "$(errors "$line")"
    done
  done
done

mean() { awk '{ s = 0; for (i = 1; i <= NF; i++) s += $i; printf "%.1f", s / NF }' <<<"$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

echo
echo "## Several servers ($(date +%F), $(nproc) cores, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg); gunicorn ${CLUSTER_WORKERS}×${CLUSTER_THREADS} per app server, wrk -c$BENCH_CONCURRENCY, $BENCH_DURATION each, $BENCH_ROUNDS rounds, through nginx)"
echo
echo "| Configuration | Notice page req/s (each round) | mean | p95 ms (mean) | × A | Search req/s (each round) | mean | p95 ms (mean) | × A | Errors |"
echo "|---|---|---:|---:|---:|---|---:|---:|---:|---:|"
base_n="$(mean "${RPS[A.notice]}")"
base_s="$(mean "${RPS[A.search]}")"
for config in "${CONFIGS[@]}"; do
  read -r name apps reads <<<"$config"
  n="$(mean "${RPS[$name.notice]}")"
  s="$(mean "${RPS[$name.search]}")"
  echo "| $name: $apps app server(s), reads on the $reads |${RPS[$name.notice]} | $n | $(mean "${P95[$name.notice]}") | $(ratio "$n" "$base_n") |${RPS[$name.search]} | $s | $(mean "${P95[$name.search]}") | $(ratio "$s" "$base_s") | $((ERR[$name.notice] + ERR[$name.search])) |"
done
