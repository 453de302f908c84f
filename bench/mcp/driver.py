#!/usr/bin/env python3
"""bench/mcp driver: `tools/call search_servers` throughput over stdio and Streamable HTTP.

  driver.py stdio --seconds S --window W [--era legacy|modern] -- CMD ARGS...
      spawn CMD, pipeline requests over stdio (legacy: initialize first; modern: 2026-07-28
      stateless requests carrying params._meta, no initialize)
  driver.py session URL     initialize over HTTP, check one call, print Mcp-Session-Id
  driver.py modern URL      check one 2026-07-28 call over HTTP (headers as post.lua sends them)
All take the call's arguments as JSON in $BENCH_ARGS. stdio prints one JSON line
{"requests","seconds","rps","bytes_per_response","server_cpu_us_per_request"} (the server
process's CPU time per call, which stays meaningful when the driver or a loaded machine limits
rps); every 500th response is parsed and checked to be a successful tools/call result carrying
structuredContent, the others are counted by their newline.
"""
import json
import os
import subprocess
import sys
import time
import urllib.request

CALL_ARGS = json.loads(os.environ.get("BENCH_ARGS", '{"query":"incident response","limit":30}'))
MODERN_VERSION = "2026-07-28"
# 2026-07-28 (stateless): no initialize; every request names the version and capabilities.
MODERN_META = {"io.modelcontextprotocol/protocolVersion": MODERN_VERSION,
               "io.modelcontextprotocol/clientCapabilities": {}}
INIT = {"jsonrpc": "2.0", "id": 0, "method": "initialize",
        "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                   "clientInfo": {"name": "bench", "version": "1"}}}
INITIALIZED = {"jsonrpc": "2.0", "method": "notifications/initialized"}
CHECK_EVERY = 500


def call(i, era="legacy"):
    params = {"name": "search_servers", "arguments": CALL_ARGS}
    if era == "modern":
        params["_meta"] = MODERN_META
    return (json.dumps({"jsonrpc": "2.0", "id": i, "method": "tools/call", "params": params}) +
            "\n").encode()


def check(line):
    msg = json.loads(line)
    r = msg.get("result")
    if not r or r.get("isError") or "structuredContent" not in r:
        sys.exit(f"bad response: {bytes(line[:300])!r}")


def cpu_seconds(pid):
    """utime + stime of process `pid` in seconds (Linux /proc)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def stdio(seconds, window, cmd, era):
    """Keeps `window` requests in flight. Responses are newline-framed, so the driver reads in
    1 MiB chunks and counts newlines; only every CHECK_EVERY-th response is assembled and
    parsed. The driver's cost per response is a memchr over it, so it stays far from being
    the bottleneck (python's readline + json.loads of every 82 KB line capped it near 3.5K/s)."""
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0)
    out = p.stdout.fileno()
    try:  # a 1 MiB pipe lets a whole response through in one write (Linux; best effort)
        import fcntl
        fcntl.fcntl(out, 1031, 1 << 20)  # F_SETPIPE_SZ
    except OSError:
        pass
    pending = b""

    def read_line():  # only before the timed loop
        nonlocal pending
        while b"\n" not in pending:
            chunk = os.read(out, 1 << 20)
            if not chunk:
                sys.exit("server closed stdout")
            pending += chunk
        line, _, pending = pending.partition(b"\n")
        return line

    if era == "legacy":
        p.stdin.write((json.dumps(INIT) + "\n").encode())
        json.loads(read_line())
        p.stdin.write((json.dumps(INITIALIZED) + "\n").encode())
    requests = [call(i, era) for i in range(64)]  # reused round robin: ids repeat, never in flight together
    sent = done = 0
    size = 0
    p.stdin.write(b"".join(requests[(sent + k) % 64] for k in range(window)))
    sent += window
    start = time.perf_counter()
    cpu0 = cpu_seconds(p.pid)
    deadline = start + seconds
    line = bytearray()  # the response being assembled (only when it is to be checked)
    capturing = True
    chunk = pending
    pending = b""
    while True:
        pos = 0
        finished = 0
        while True:
            nl = chunk.find(b"\n", pos)
            if nl < 0:
                if capturing:
                    line += chunk[pos:]
                break
            if capturing:
                line += chunk[pos:nl]
                check(line)
                size = len(line) + 1
                line = bytearray()
            done += 1
            finished += 1
            capturing = done % CHECK_EVERY == 0
            pos = nl + 1
        if finished and time.perf_counter() >= deadline:
            break
        if finished:
            p.stdin.write(b"".join(requests[(sent + k) % 64] for k in range(finished)))
            sent += finished
        chunk = os.read(out, 1 << 20)
        if not chunk:
            sys.exit("server closed stdout")
    elapsed = time.perf_counter() - start
    cpu = cpu_seconds(p.pid) - cpu0
    p.stdin.close()
    while os.read(out, 1 << 20):
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


def modern(url):
    h = {"Content-Type": "application/json", "Accept": "application/json, text/event-stream",
         "MCP-Protocol-Version": MODERN_VERSION, "Mcp-Method": "tools/call",
         "Mcp-Name": "search_servers"}
    req = urllib.request.Request(url, data=call(1, "modern"), headers=h, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        check(r.read())


if __name__ == "__main__":
    if sys.argv[1] == "stdio":
        a = sys.argv[2:]
        sep = a.index("--")
        opts = dict(zip(a[:sep:2], a[1:sep:2]))
        stdio(float(opts.get("--seconds", "5")), int(opts.get("--window", "8")), a[sep + 1:],
              opts.get("--era", "legacy"))
    elif sys.argv[1] == "session":
        session(sys.argv[2])
    elif sys.argv[1] == "modern":
        modern(sys.argv[2])
