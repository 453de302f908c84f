#!/usr/bin/env python3
"""bench/mcp driver: `tools/call search_servers` throughput over stdio and Streamable HTTP.

  driver.py stdio --seconds S --window W -- CMD ARGS...   spawn CMD, pipeline requests over stdio
  driver.py session URL                                   initialize over HTTP, print Mcp-Session-Id
Both take the call's arguments as JSON in $BENCH_ARGS. stdio prints one JSON line
{"requests","seconds","rps","bytes_per_response","server_cpu_us_per_request"} (the server
process's CPU time per call, which stays meaningful when the driver or a loaded machine limits rps); every response is checked to be a successful
tools/call result carrying structuredContent.
"""
import io
import json
import os
import subprocess
import sys
import time
import urllib.request

CALL_ARGS = json.loads(os.environ.get("BENCH_ARGS", '{"query":"incident response","limit":30}'))
INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "bench", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}


def call(i):
    return (json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call",
                        "params": {"name": "search_servers", "arguments": CALL_ARGS}}) + "\n").encode()


def check(line):
    msg = json.loads(line)
    r = msg.get("result")
    if not r or r.get("isError") or "structuredContent" not in r:
        sys.exit(f"bad response: {line[:300]!r}")


def cpu_seconds(pid):
    """utime + stime of process `pid` in seconds (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stdio(seconds, window, cmd):
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    try:  # a 1 MiB pipe lets a whole response through in one write (Linux; best effort)
        import fcntl
        fcntl.fcntl(p.stdout.fileno(), 1031, 1 << 20)  # F_SETPIPE_SZ
    except OSError:
        pass
    reader = io.BufferedReader(p.stdout, buffer_size=1 << 20)
    p.stdin.write((json.dumps(INIT) + "\n").encode())
    json.loads(reader.readline())
    p.stdin.write((json.dumps(INITIALIZED) + "\n").encode())
    # Keep `window` requests in flight; check every 500th response.
    sent = done = 0
    size = 0
    for _ in range(window):
        p.stdin.write(call(sent)); sent += 1
    start = time.perf_counter()
    cpu0 = cpu_seconds(p.pid)
    deadline = start + seconds
    while True:
        line = reader.readline()
        if not line:
            sys.exit("server closed stdout")
        if done % 500 == 0:
            check(line)
            size = len(line)
        done += 1
        if done % 64 == 0 and time.perf_counter() >= deadline:
            break
        p.stdin.write(call(sent)); sent += 1
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(p.pid) - cpu0
    p.stdin.close()
    while reader.readline():
        pass
    p.wait(timeout=10)
    print(json.dumps({"requests": done, "seconds": round(elapsed, 3), "rps": round(done / elapsed, 1),
                      "bytes_per_response": size,
                      "server_cpu_us_per_request": round(cpu * 1e6 / max(done, 1), 1)}))


def session(url):
    def post(body, sid=None):
        h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream"}
        if sid:
            h["Mcp-Session-Id"] = sid
            h["MCP-Protocol-Version"] = "2025-06-18"
        req = urllib.request.Request(url, data=json.dumps(body).encode(), headers=h, method="POST")
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.headers.get("Mcp-Session-Id"), r.read()
    sid, _ = post(INIT)
    post(INITIALIZED, sid)
    _, body = post(json.loads(call(1)), sid)
    text = body.decode()
    if text.startswith("event:") or text.startswith("id:") or text.startswith("data:"):
        text = next(l[6:] for l in text.splitlines() if l.startswith("data: "))
    check(text)
    print(sid)


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        a = sys.argv[2:]
        sep = a.index("--")
        opts = dict(zip(a[:sep:2], a[1:sep:2]))
        stdio(float(opts.get("--seconds", "5")), int(opts.get("--window", "8")), a[sep + 1:])
    elif sys.argv[1] == "session":
        session(sys.argv[2])
