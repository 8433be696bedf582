# Shared by the benchmark scripts: start a release souk on a free loopback port with a fresh
# store, mint an admin key, and stop it again. Source it; needs SOUK (the binary) set.
set -eu
: "${SOUK:=$(cd "$(dirname "$0")/.." && pwd)/build-release/souk}"
BENCH_DIR=$(mktemp -d "${TMPDIR:-/tmp}/souk-bench.XXXXXX")
trap 'bench_stop; rm -rf "$BENCH_DIR"' EXIT INT TERM

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# bench_start [serve flags...]: sets PORT, BASE, KEY, DB
bench_start() {
    DB="sqlite:$BENCH_DIR/souk.db"
    PORT=$(free_port)
    BASE="http://127.0.0.1:$PORT"
    "$SOUK" migrate --db "$DB" >/dev/null
    KEY=$("$SOUK" apikey create --db "$DB" --scope admin --name bench 2>/dev/null)
    "$SOUK" serve --listen "127.0.0.1:$PORT" --db "$DB" --log-level warn "$@" \
        2>"$BENCH_DIR/server.log" &
    SERVER_PID=$!
    for _ in $(seq 100); do
        curl -sf "$BASE/healthz" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "bench: server did not start:" >&2
    cat "$BENCH_DIR/server.log" >&2
    exit 1
}

bench_stop() {
    if [ -n "${SERVER_PID:-}" ]; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
        SERVER_PID=
    fi
}

# add_hot_sku STOCK: one warehouse and the product HOT-1 at 19.99 EUR with STOCK units there,
# which bench/order.lua buys
add_hot_sku() {
    curl -sf -X POST "$BASE/v1/warehouses" -H "Authorization: Bearer $KEY" \
        -H 'Content-Type: application/json' \
        -d '{"code":"live","name":"Live","country":"DE"}' >/dev/null
    curl -sf -X POST "$BASE/v1/products" -H "Authorization: Bearer $KEY" \
        -H 'Content-Type: application/json' \
        -d "{\"title\":\"Hot\",\"variants\":[{\"sku\":\"HOT-1\",\"prices\":[{\"currency\":\"EUR\",\"amount\":1999}],\"stock\":[{\"warehouse_code\":\"live\",\"on_hand\":$1}]}]}" \
        >/dev/null
}

# wrk_summary FILE: prints "requests/s p99" from wrk --latency output
wrk_summary() {
    rps=$(awk '/^Requests\/sec:/ {print $2}' "$1")
    p99=$(awk '$1 == "99%" {print $2}' "$1")
    echo "$rps $p99"
}
