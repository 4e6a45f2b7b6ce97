#!/usr/bin/env bash
# screenshot-report.sh REPORT.html OUT.png [WIDTH,HEIGHT]
#
# Renders a backtest report.html in headless Chromium (Debian's `chromium`
# package: apt-get install -y chromium) and saves a PNG screenshot, so a
# reviewer can see that every chart is visible. The report is self-contained,
# so Chromium runs with networking features off and a throwaway profile.
# CHROMIUM may name the binary (default: chromium, then chromium-browser,
# google-chrome). Exit status: 0 on success, 2 on usage errors, 3 when no
# browser is installed, 1 when the browser fails or writes no PNG.
set -euo pipefail

if [[ $# -lt 2 || $# -gt 3 ]]; then
	echo "usage: $0 REPORT.html OUT.png [WIDTH,HEIGHT]" >&2
	exit 2
fi
report=$1
out=$2
size=${3:-1400,3000}

if [[ ! -f $report ]]; then
	echo "$0: $report: no such file" >&2
	exit 2
fi

browser=${CHROMIUM:-}
if [[ -z $browser ]]; then
	for b in chromium chromium-browser google-chrome; do
		if command -v "$b" >/dev/null 2>&1; then
			browser=$b
			break
		fi
	done
fi
if [[ -z $browser ]]; then
	echo "$0: no chromium found (apt-get install -y chromium, or set CHROMIUM)" >&2
	exit 3
fi

abs_report=$(cd "$(dirname "$report")" && pwd)/$(basename "$report")
mkdir -p "$(dirname "$out")"
abs_out=$(cd "$(dirname "$out")" && pwd)/$(basename "$out")
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
rm -f "$abs_out"

# --hide-scrollbars keeps the scrollbar out of the picture; the log goes to
# a file and is shown only when something went wrong.
if ! "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
	--disable-background-networking --disable-component-update --disable-sync \
	--hide-scrollbars --user-data-dir="$profile" --window-size="$size" \
	--screenshot="$abs_out" "file://$abs_report" >"$profile/log" 2>&1; then
	cat "$profile/log" >&2
	echo "$0: $browser failed" >&2
	exit 1
fi
if [[ ! -s $abs_out ]]; then
	cat "$profile/log" >&2
	echo "$0: no screenshot written to $out" >&2
	exit 1
fi
echo "$out"
