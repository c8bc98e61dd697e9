#!/usr/bin/env bash
# REDbot against `cachet serve` on loopback: a small file, a large file, an HTML file with a
# precompressed .gz sibling, and a dynamic Hummingbird route behind ConditionalRequestMiddleware.
# Then the same URLs through `cachet proxy`. Fails on any `bad` or `warning` note. Needs python3 (>= 3.11) with venv and PyPI access.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${REDBOT_VENV:-.build/redbot-venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check 'redbot==2.7.1'

swift build --product cachet
CACHET="$(swift build --show-bin-path)/cachet"

SITE="$(mktemp -d)"
SERVER_PID=""
PROXY_PID=""
cleanup() {
    if [ -n "$PROXY_PID" ]; then kill "$PROXY_PID" 2>/dev/null || true; wait "$PROXY_PID" 2>/dev/null || true; fi
    if [ -n "$SERVER_PID" ]; then kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
    rm -rf "$SITE"
}
trap cleanup EXIT

# The site: a 1 KiB text file, 8 MiB of a fixed pattern, and an HTML page with a gzip sibling.
# (REDbot's range probe asks for up to 97 bytes from the start, so a body shorter than that is
# asked for whole and draws a warning whatever the server does: the small file is 1 KiB.)
python3 -c "print('\n'.join(f'line {i:03}: small file served by cachet serve' for i in range(24)))" > "$SITE/small.txt"
python3 -c "import sys; sys.stdout.buffer.write(bytes((i * 31 + (i >> 9)) & 255 for i in range(8 << 20)))" > "$SITE/large.bin"
cat > "$SITE/index.html" <<'HTML'
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>cachet serve</title></head>
<body>
<h1>cachet serve</h1>
HTML
for i in $(seq 1 40); do
    printf '<p>Paragraph %d: strong validators from content, conditional requests in RFC 9110 order, ranges and precompressed siblings.</p>\n' "$i" >> "$SITE/index.html"
done
printf '</body>\n</html>\n' >> "$SITE/index.html"
gzip -9 -k -n "$SITE/index.html"

PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$CACHET" serve "$SITE" --listen "127.0.0.1:$PORT" --max-age 60 --index --example-route &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/small.txt', timeout=1)" 2>/dev/null; then break; fi
    sleep 0.1
done

BASE="http://127.0.0.1:$PORT"
# One process per URL: REDbot's event loop is not meant to be run twice in one process.
STATUS=0
for path in small.txt large.bin index.html "" _cachet/example; do
    "$VENV/bin/python" .ci/redbot_check.py "$BASE/$path" || STATUS=1
done
# The same URLs through `cachet proxy` in front of it: a shared cache must not spoil any of it.
PROXY_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
"$CACHET" proxy --listen "127.0.0.1:$PROXY_PORT" --admin 127.0.0.1:0 --origin "$BASE" --threads 1 &
PROXY_PID=$!
for _ in $(seq 1 100); do
    if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PROXY_PORT/small.txt', timeout=1)" 2>/dev/null; then break; fi
    sleep 0.1
done
for path in small.txt large.bin index.html "" _cachet/example; do
    "$VENV/bin/python" .ci/redbot_check.py "http://127.0.0.1:$PROXY_PORT/$path" || STATUS=1
done

if [ "$STATUS" -ne 0 ]; then
    echo "REDbot check failed: see the bad or warning notes above"
else
    echo "REDbot check passed: no bad or warning notes"
fi
exit "$STATUS"
