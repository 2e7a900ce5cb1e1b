#!/usr/bin/env bash
# A bounded load run of the deployment: Redis, N replicas of the release binary and nginx
# (this directory's configuration, TLS, its login rate limit raised out of the way) on
# loopback ports, driven by wrk through nginx. Prints requests/s and p50/p99 latency of
# GET /me and POST /token with 1 and 3 replicas, and of GET /me during a login burst.
# Not run in CI. Needs redis-server, nginx, openssl and wrk (apt-get install -y redis-server
# nginx openssl wrk). Everything it starts is stopped by PID on exit.
#
#   examples/service/deploy/load.sh                # 10 s per measurement
#   DURATION=5s ITERATIONS=600000 examples/service/deploy/load.sh
#   WEBTOKEN_SERVICE_PASSWORD_CHECKS=1 examples/service/deploy/load.sh   # any service variable
set -euo pipefail
cd "$(dirname "$0")/../../.."

DURATION=${DURATION:-10s}
ME_CONNECTIONS=${ME_CONNECTIONS:-16}
LOGIN_CONNECTIONS=${LOGIN_CONNECTIONS:-8}
# The production PBKDF2 cost by default: login throughput is the password hash's.
ITERATIONS=${ITERATIONS:-600000}

for tool in redis-server nginx openssl wrk; do
  command -v "$tool" >/dev/null || [ -x "/usr/sbin/$tool" ] || {
    echo "$tool is missing: apt-get install -y redis-server nginx openssl wrk" >&2
    exit 1
  }
done
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

cargo build --release --quiet -p webtoken-service
BIN=$PWD/target/release/webtoken-service
CONF=$PWD/examples/service/deploy/nginx-webtoken-service.conf

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_port() {
  for _ in $(seq 200); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.05
  done
  echo "nothing listens on $1" >&2
  return 1
}

(cd "$work" && openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
  -keyout tls.key -out tls.pem -days 1 -subj /CN=localhost 2>/dev/null)

redis_port=$(free_port)
mkdir -p "$work/redis"
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save "" \
  --appendonly yes --daemonize no >"$work/redis.log" 2>&1 &
pids+=($!)
wait_port "$redis_port"

export WEBTOKEN_SERVICE_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export WEBTOKEN_SERVICE_KEY_DIR="$work/keys"
export WEBTOKEN_SERVICE_PBKDF2_ITERATIONS=$ITERATIONS
export WEBTOKEN_SERVICE_USERS=alice:wonderland
export WEBTOKEN_SERVICE_TRUSTED_PROXIES=127.0.0.1
export RUST_LOG=warn

replica_ports=()
start_replicas() { # count
  while [ "${#replica_ports[@]}" -lt "$1" ]; do
    local port
    port=$(free_port)
    WEBTOKEN_SERVICE_LISTEN=127.0.0.1:$port "$BIN" >>"$work/replicas.log" 2>&1 &
    pids+=($!)
    wait_port "$port"
    replica_ports+=("$port")
  done
}

nginx_pid=
https_port=
start_nginx() { # replica ports...
  [ -n "$nginx_pid" ] && { kill "$nginx_pid"; wait "$nginx_pid" 2>/dev/null || true; }
  https_port=$(free_port)
  local http_port upstreams
  http_port=$(free_port)
  upstreams=$(for p in "$@"; do printf 'server 127.0.0.1:%s max_fails=1 fail_timeout=5s;\\n' "$p"; done)
  awk -v up="$upstreams" -v hp="$http_port" -v sp="$https_port" -v dir="$work" '
    /# test: rate/ { print "limit_req_zone $binary_remote_addr zone=webtoken_login:10m rate=100000r/s;"; next }
    /# test: upstream/ { if (!done) { gsub(/\\n/, "\n", up); printf "%s", up; done = 1 } next }
    /# test: http listen/ { print "listen 127.0.0.1:" hp ";"; next }
    /# test: https listen/ { print "listen 127.0.0.1:" sp " ssl;"; next }
    /# test: host/ { print "server_name localhost;"; next }
    /# test: origin/ { print "return 308 https://127.0.0.1:" sp "$request_uri;"; next }
    /# test: certificate/ { print "ssl_certificate " dir "/tls.pem;"; next }
    /# test: key/ { print "ssl_certificate_key " dir "/tls.key;"; next }
    { print }' "$CONF" >"$work/site.conf"
  mkdir -p "$work/nginx/logs" "$work/nginx/temp"
  cat >"$work/nginx.conf" <<NGINX
daemon off;
worker_processes auto;
pid $work/nginx/nginx.pid;
error_log $work/nginx/logs/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $work/nginx/temp/body;
  proxy_temp_path $work/nginx/temp/proxy;
  fastcgi_temp_path $work/nginx/temp/fastcgi;
  uwsgi_temp_path $work/nginx/temp/uwsgi;
  scgi_temp_path $work/nginx/temp/scgi;
  include $work/site.conf;
}
NGINX
  "$NGINX" -p "$work/nginx" -c "$work/nginx.conf" >"$work/nginx.out" 2>&1 &
  nginx_pid=$!
  pids+=("$nginx_pid")
  wait_port "$https_port"
}

cat >"$work/login.lua" <<'LUA'
wrk.method = "POST"
wrk.body = '{"username":"alice","password":"wonderland"}'
wrk.headers["Content-Type"] = "application/json"
LUA

# wrk's summary as "req/s p50 p99 non-2xx".
summary() {
  awk '
    /Requests\/sec/ { rps = $2 }
    /^ +50%/ { p50 = $2 }
    /^ +99%/ { p99 = $2 }
    /Non-2xx/ { bad = $NF }
    /Socket errors/ { gsub(/,/, ""); errors = $4 + $6 + $8 + $10 }
    END {
      printf "%s req/s, p50 %s, p99 %s, non-2xx %s, socket errors/timeouts %s\n",
        rps, p50, p99, (bad == "" ? 0 : bad), (errors == "" ? 0 : errors)
    }'
}

token() {
  curl -sk -X POST -H 'Content-Type: application/json' \
    -d '{"username":"alice","password":"wonderland"}' "https://127.0.0.1:$https_port/token" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])'
}

echo "cores: $(nproc); duration $DURATION per run; PBKDF2 $ITERATIONS rounds;" \
  "password checks per replica: ${WEBTOKEN_SERVICE_PASSWORD_CHECKS:-one per core}"
for replicas in 1 3; do
  start_replicas "$replicas"
  start_nginx "${replica_ports[@]}"
  url="https://127.0.0.1:$https_port"
  access=$(token)
  echo "== $replicas replica(s)"
  printf 'GET /me (%s conns):        ' "$ME_CONNECTIONS"
  wrk --timeout 10s -t2 -c"$ME_CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $access" "$url/me" | summary
  printf 'POST /token (%s conns):     ' "$LOGIN_CONNECTIONS"
  wrk --timeout 10s -t2 -c"$LOGIN_CONNECTIONS" -d"$DURATION" --latency -s "$work/login.lua" "$url/token" | summary
  printf "GET /me during logins (%s): " "$ME_CONNECTIONS"
  wrk --timeout 10s -t1 -c"$LOGIN_CONNECTIONS" -d"$DURATION" --latency -s "$work/login.lua" "$url/token" >"$work/burst.txt" &
  burst=$!
  sleep 1
  wrk --timeout 10s -t1 -c"$ME_CONNECTIONS" -d"$DURATION" --latency -H "Authorization: Bearer $access" "$url/me" | summary
  wait "$burst"
  printf '  (the login burst itself:  '
  summary <"$work/burst.txt"
done
