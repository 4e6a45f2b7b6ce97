#!/usr/bin/env bash
# Interop of Candlewick's Kafka path with non-Go Kafka clients (make interop).
#
#   1. installs Debian's kcat and python3-confluent-kafka if missing (apt-get;
#      sudo when not root) -- python3-confluent-kafka is for Debian's own
#      /usr/bin/python3, not a pyenv python earlier on PATH;
#   2. builds candlewick and starts `candlewick dev-kafka` on a free port;
#   3. produces the bundled market bars (examples/data, as JSON: the output
#      of an embedded import and `candlewick cat`) with kcat, key = symbol,
#      partitioned with murmur2 like the Java client (and checks that kcat
#      put each symbol where candlewick's own producer puts it);
#   4. runs `candlewick run --brokers ... --once`;
#   5. reads signals.v1 with kcat and with a Python confluent-kafka consumer
#      group, and checks that both see exactly the signals `candlewick
#      signals --brokers` prints: the same set of IDs, and the same order in
#      every partition as `candlewick cat --brokers --seq signals.v1`;
#   6. runs `candlewick verify --brokers`: a replay of the market topic gives
#      the signal topic byte for byte.
#
# Exit 0 when everything agrees, non-zero on any mismatch or failure. Not
# part of `make test`: it needs apt and takes a while. Environment:
#   KEEP=1   keep the work directory (printed) for inspection.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY=/usr/bin/python3
GO=${GO:-go}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/candlewick-interop.XXXXXX")
DEV_PID=""

cleanup() {
	local rc=$?
	if [[ -n $DEV_PID ]] && kill -0 "$DEV_PID" 2>/dev/null; then
		kill -TERM "$DEV_PID" 2>/dev/null || true
		wait "$DEV_PID" 2>/dev/null || true
	fi
	if [[ ${KEEP:-} == 1 || $rc -ne 0 ]]; then
		echo "work directory kept: $WORK"
	else
		rm -rf "$WORK"
	fi
	if [[ $rc -eq 0 ]]; then echo "interop: PASS"; else echo "interop: FAIL (exit $rc)"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { printf '\n== %s\n' "$*"; }
die() {
	printf 'interop: %s\n' "$*" >&2
	exit 1
}

step "tools"
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
[[ -x $PY ]] || die "$PY not found: this script needs Debian's python3"
"$PY" -c 'import confluent_kafka' 2>/dev/null || missing+=(python3-confluent-kafka)
if ((${#missing[@]})); then
	sudo=()
	if [[ $(id -u) -ne 0 ]]; then
		command -v sudo >/dev/null 2>&1 || die "need root or sudo to apt-get install ${missing[*]}"
		sudo=(sudo)
	fi
	echo "installing ${missing[*]} with apt-get"
	"${sudo[@]}" apt-get update -q >/dev/null
	DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q "${missing[@]}" >/dev/null
fi
echo "kcat: $(kcat -V 2>&1 | head -1)"
echo "confluent-kafka: $("$PY" -c 'import confluent_kafka as c; print(c.version()[0], "librdkafka", c.libversion()[0])')"

step "build"
(cd "$ROOT" && "$GO" build -o "$WORK/candlewick" ./cmd/candlewick)
CW=("$WORK/candlewick")
"${CW[@]}" version
# (Not `run --help | grep -q`: with pipefail, grep's early exit fails the pipe.)
run_help=$("${CW[@]}" run --help 2>&1 || true)
if [[ $run_help != *-brokers* ]]; then
	die "'candlewick run' has no --brokers flag yet: the engine's Kafka path is needed for this check"
fi

step "dev broker"
PORT=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
"${CW[@]}" dev-kafka --listen "127.0.0.1:$PORT" >"$WORK/dev-kafka.log" 2>&1 &
DEV_PID=$!
for _ in $(seq 100); do
	grep -q '^listening on ' "$WORK/dev-kafka.log" 2>/dev/null && break
	kill -0 "$DEV_PID" 2>/dev/null || { cat "$WORK/dev-kafka.log"; die "dev-kafka exited"; }
	sleep 0.1
done
BROKER=$(sed -n 's/^listening on //p' "$WORK/dev-kafka.log")
[[ -n $BROKER ]] || die "dev-kafka did not start: $(cat "$WORK/dev-kafka.log")"
echo "broker $BROKER (pid $DEV_PID)"
kcat -b "$BROKER" -L -t market.bars.v1 | sed -n '1,4p'

step "market bars as JSON (embedded import + candlewick cat)"
EX="$ROOT/examples/data"
"${CW[@]}" import --quiet --data-dir "$WORK/data" --symbol BTC-USDT --venue binance "$EX/btc-1h.csv"
"${CW[@]}" import --quiet --data-dir "$WORK/data" --symbol ETH-USDT --venue binance "$EX/eth-1h.csv"
"${CW[@]}" cat --data-dir "$WORK/data" market.bars.v1 >"$WORK/bars.jsonl"
# kcat -K takes "key<TAB>value" lines.
"$PY" -c '
import json, sys
for line in open(sys.argv[1]):
    line = line.rstrip("\n")
    sys.stdout.write(json.loads(line)["symbol"] + "\t" + line + "\n")
' "$WORK/bars.jsonl" >"$WORK/bars.kv"
echo "$(wc -l <"$WORK/bars.kv") bars"

step "produce with kcat (murmur2, as the Java client partitions)"
kcat -P -b "$BROKER" -t market.bars.v1 -K $'\t' -X partitioner=murmur2_random \
	-H event-type=bar -H schema-version=1 -H content-type=application/json -l "$WORK/bars.kv"
"${CW[@]}" topics describe --brokers "$BROKER" market.bars.v1

# candlewick's own producer (kafka-go Murmur2Balancer) into a scratch topic:
# every symbol must land in the same partition number as kcat put it.
"${CW[@]}" topics create --brokers "$BROKER" --partitions 6 interop.check.v1 >/dev/null
"${CW[@]}" import --quiet --brokers "$BROKER" --topic interop.check.v1 --symbol BTC-USDT --venue binance "$EX/btc-1h.csv"
"${CW[@]}" import --quiet --brokers "$BROKER" --topic interop.check.v1 --symbol ETH-USDT --venue binance "$EX/eth-1h.csv"
partitions_of() { # topic -> "symbol partition" lines
	"${CW[@]}" cat --brokers "$BROKER" --seq --to-offset 1 "$1" |
		"$PY" -c 'import json, sys
for l in sys.stdin:
    po, v = l.split("\t", 1)
    print(json.loads(v)["symbol"], po.split(":")[0])' | sort -u
}
partitions_of market.bars.v1 >"$WORK/parts.kcat"
partitions_of interop.check.v1 >"$WORK/parts.candlewick"
echo "symbol partitions (kcat):"
sed 's/^/  /' "$WORK/parts.kcat"
diff -u "$WORK/parts.candlewick" "$WORK/parts.kcat" ||
	die "kcat's murmur2_random and candlewick's Murmur2Balancer put symbols in different partitions"

step "candlewick run --brokers --once"
"${CW[@]}" run --brokers "$BROKER" --once 2>"$WORK/run.log" | tee "$WORK/run.out" ||
	{ tail -20 "$WORK/run.log"; die "candlewick run failed"; }

step "read signals.v1"
"${CW[@]}" signals --brokers "$BROKER" >"$WORK/signals.jsonl"
"${CW[@]}" cat --brokers "$BROKER" --seq signals.v1 >"$WORK/signals.seq"
echo "candlewick signals: $(wc -l <"$WORK/signals.jsonl") signals"
kcat -C -b "$BROKER" -t signals.v1 -o beginning -e -q -f '%p\t%o\t%s\n' >"$WORK/signals.kcat"
echo "kcat: $(wc -l <"$WORK/signals.kcat") records"
"$PY" "$ROOT/scripts/interop/consume.py" "$BROKER" signals.v1 "interop-$$" 60 >"$WORK/signals.python"
echo "python consumer group: $(wc -l <"$WORK/signals.python") records"

step "compare"
"$PY" "$ROOT/scripts/interop/compare.py" "$WORK/signals.jsonl" "$WORK/signals.seq" \
	"$WORK/signals.kcat" "$WORK/signals.python"

step "verify: a replay of the kcat-produced topic gives the same signals"
"${CW[@]}" verify --brokers "$BROKER" | tee "$WORK/verify.out"
grep -q '^identical: ' "$WORK/verify.out" || die "verify found a divergence"
