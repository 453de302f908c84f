#!/usr/bin/env python3
"""mcpreg benchmark: import time, start time, RSS, and req/s + p99 against an nginx ceiling.

Run through bench/run.sh (see bench/README.md). Steps, in one run:
  1. bench/gen_catalog.py N_SERVERS VERSIONS_PER  -> catalog.json (deterministic)
  2. mcpreg import --db TMP/registry.db catalog.json          (timed)
  3. mcpreg serve --listen 127.0.0.1:0 --db ...               (timed until /health answers)
  4. fetch the benchmarked URLs once; warm up; read VmRSS
  5. write those exact bodies as static files, start nginx on a free port serving them under the
     same paths and query strings (a generated `map $args`), check it returns identical bytes
  6. wrk with the same parameters against both, per URL; write bench/out/results.{json,md}
Only the standard library is used. Processes started here are stopped here, by pid.
"""
import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def log(msg):
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def die(msg):
    log(f"error: {msg}")
    sys.exit(1)


def get(port, path, timeout=10):
    """GET http://127.0.0.1:port/path -> (status, headers dict, body bytes). No proxies."""
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request("GET", path)
        r = c.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        c.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


class Proc:
    """A child process whose output is collected in a thread (so pipes never block it)."""

    def __init__(self, argv, log_path, **kw):
        self.argv = argv
        self.lines = []
        self.log = open(log_path, "w")
        self.p = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                  text=True, **kw)
        self.t = threading.Thread(target=self._pump, daemon=True)
        self.t.start()

    def _pump(self):
        for line in self.p.stdout:
            self.lines.append(line)
            self.log.write(line)
            self.log.flush()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(10)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.t.join(2)
        self.log.close()


# --- mcpreg --------------------------------------------------------------------------------------

def run_import(args, db, catalog, work):
    t0 = time.monotonic()
    argv = [args.bin, "import", "--db", db, catalog]
    if supports(args, "import", "--quiet"):
        argv.insert(2, "--quiet")
    r = subprocess.run(argv, capture_output=True, text=True)
    secs = time.monotonic() - t0
    with open(os.path.join(work, "import.log"), "w") as f:
        f.write(r.stdout + r.stderr)
    if r.returncode != 0:
        die(f"mcpreg import failed (exit {r.returncode}):\n{(r.stdout + r.stderr)[-2000:]}")
    log(f"import: {secs:.2f} s ({(r.stdout + r.stderr).strip().splitlines()[-1:]})")
    return secs


def supports(args, sub, flag):
    r = subprocess.run([args.bin, sub, "--help"], capture_output=True, text=True)
    return flag in r.stdout


def start_mcpreg(args, db, work):
    argv = [args.bin, "serve", "--listen", "127.0.0.1:0", "--db", db]
    if args.threads and supports(args, "serve", "--threads"):
        argv += ["--threads", str(args.threads)]
    if supports(args, "serve", "--no-demo"):
        argv += ["--no-demo"]  # measure exactly the generated catalog
    t0 = time.monotonic()
    proc = Proc(argv, os.path.join(work, "serve.log"))
    port, deadline = None, t0 + args.start_timeout
    while time.monotonic() < deadline:
        if proc.p.poll() is not None:
            die(f"mcpreg serve exited with {proc.p.returncode}:\n{''.join(proc.lines)[-2000:]}")
        if port is None:
            for line in proc.lines:
                m = re.search(r"(?:127\.0\.0\.1|localhost|\[::1\]):(\d{2,5})\b", line)
                if m and m.group(1) != "0":
                    port = int(m.group(1))
                    break
        if port is not None:
            try:
                status, _, _ = get(port, "/v0.1/health", timeout=1)
                if status == 200:
                    return proc, port, time.monotonic() - t0
            except OSError:
                pass
        time.sleep(0.005)
    proc.stop()
    die(f"mcpreg serve did not answer /v0.1/health within {args.start_timeout}s "
        f"(bound port {port}); log: {os.path.join(work, 'serve.log')}")


# --- nginx ---------------------------------------------------------------------------------------

def nginx_conf(work, port, threads, files_by_path):
    """files_by_path: {path: {args_or_empty: file_name}}. Exact-match map on $args per path."""
    q = lambda s: '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'
    maps, locations = [], []
    for i, (path, by_args) in enumerate(sorted(files_by_path.items())):
        lines = [f"  map $args $bench_file_{i} {{", "    default /__none__;"]
        lines += [f"    {q(a) if a else q('')} /{f};" for a, f in sorted(by_args.items())]
        maps.append("\n".join(lines + ["  }"]))
        locations.append(f"    location = {path} {{ try_files $bench_file_{i} =404; }}")
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes {threads};
daemon off;
pid {work}/nginx.pid;
error_log {work}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  default_type application/json;
  map_hash_bucket_size 512;  # the keys are whole query strings (cursors are long)
  sendfile on;
  tcp_nopush on;
  tcp_nodelay on;
  keepalive_timeout 75s;
  keepalive_requests 1000000;
  client_body_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp;
  fastcgi_temp_path {work}/nginx-tmp;
  uwsgi_temp_path {work}/nginx-tmp;
  scgi_temp_path {work}/nginx-tmp;
{chr(10).join(maps)}
  server {{
    listen 127.0.0.1:{port} reuseport;
    root {work}/www;
{chr(10).join(locations)}
  }}
}}
"""


def start_nginx(args, work, bodies):
    """bodies: {url: bytes}. Writes the files + config, starts nginx, checks identical bytes."""
    www = os.path.join(work, "www")
    os.makedirs(www, exist_ok=True)
    os.makedirs(os.path.join(work, "nginx-tmp"), exist_ok=True)
    files = {}
    for i, (url, body) in enumerate(bodies.items()):
        path, _, query = url.partition("?")
        name = f"body{i}.json"
        with open(os.path.join(www, name), "wb") as f:
            f.write(body)
        files.setdefault(path, {})[query] = name
    port = free_port()
    conf = os.path.join(work, "nginx.conf")
    with open(conf, "w") as f:
        f.write(nginx_conf(work, port, args.threads, files))
    proc = Proc([args.nginx, "-p", work, "-c", conf], os.path.join(work, "nginx.log"))
    deadline = time.monotonic() + 10
    while True:
        if proc.p.poll() is not None:
            err = open(os.path.join(work, "nginx-error.log")).read() if os.path.exists(
                os.path.join(work, "nginx-error.log")) else ""
            die(f"nginx exited with {proc.p.returncode}: {''.join(proc.lines)}{err}")
        try:
            if get(port, "/__probe__", timeout=1)[0]:
                break
        except OSError:
            if time.monotonic() > deadline:
                proc.stop()
                die("nginx did not start within 10 s")
            time.sleep(0.02)
    for url, body in bodies.items():
        status, _, got = get(port, url)
        if status != 200 or got != body:
            proc.stop()
            die(f"nginx does not serve the mcpreg bytes for {url} (status {status}, "
                f"{len(got)} vs {len(body)} bytes); see {conf}")
    return proc, port


def nginx_version(nginx):
    r = subprocess.run([nginx, "-v"], capture_output=True, text=True)
    return (r.stderr or r.stdout).strip().replace("nginx version: ", "")


# --- wrk -----------------------------------------------------------------------------------------

def wrk(args, port, url, label, out_dir, duration=None):
    argv = [args.wrk, f"-t{args.wrk_threads}", f"-c{args.connections}",
            f"-d{duration or args.duration}", "--latency", "-s",
            os.path.join(HERE, "wrk_report.lua"), f"http://127.0.0.1:{port}{url}"]
    r = subprocess.run(argv, capture_output=True, text=True)
    if r.returncode != 0:
        die(f"wrk failed ({' '.join(argv)}):\n{r.stderr}")
    if label:
        with open(os.path.join(out_dir, f"wrk-{label}.txt"), "w") as f:
            f.write(" ".join(argv) + "\n" + r.stdout)
    m = re.search(r"^WRK_JSON (.*)$", r.stdout, re.M)
    if not m:
        die(f"wrk printed no summary:\n{r.stdout}")
    s = json.loads(m.group(1))
    errors = sum(v for k, v in s.items() if k.startswith("errors_"))
    return {"rps": round(s["requests"] / (s["duration_us"] / 1e6), 1),
            "p50_ms": s["p50_us"] / 1000, "p99_ms": s["p99_us"] / 1000,
            "max_ms": s["max_us"] / 1000, "requests": s["requests"], "errors": errors,
            "non_2xx": s["errors_status"], "bytes_per_response":
                round(s["bytes"] / s["requests"]) if s["requests"] else 0}


# --- main ----------------------------------------------------------------------------------------

def bench_urls(port, search):
    """Returns [(id, url, body)]: list page 1 and 2 (via nextCursor), search page 1 (and 2)."""
    def fetch(url):
        status, headers, body = get(port, url)
        if status != 200:
            die(f"GET {url} -> {status}: {body[:300]!r}")
        return body, json.loads(body)

    out = []
    url = "/v0.1/servers?limit=100"
    body, doc = fetch(url)
    out.append(("list_limit100", url, body, doc["metadata"].get("count")))
    cursor = doc["metadata"].get("nextCursor")
    if cursor:
        url = "/v0.1/servers?limit=100&cursor=" + urllib.parse.quote(cursor, safe="")
        body, doc = fetch(url)
        out.append(("list_limit100_page2", url, body, doc["metadata"].get("count")))
    url = ("/v0.1/servers?version=latest&search=" + urllib.parse.quote(search, safe="") +
           "&limit=30")
    body, doc = fetch(url)
    out.append(("search_latest_limit30", url, body, doc["metadata"].get("count")))
    if not doc["servers"]:
        log(f"warning: search {search!r} matched nothing; that URL measures an empty page")
    cursor = doc["metadata"].get("nextCursor")
    if cursor:
        url += "&cursor=" + urllib.parse.quote(cursor, safe="")
        body, doc = fetch(url)
        out.append(("search_latest_limit30_page2", url, body, doc["metadata"].get("count")))
    return out


def write_results(args, res, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump(res, f, indent=2)
        f.write("\n")
    m = res["mcpreg"]
    lines = [f"# mcpreg benchmark ({res['date']})", "",
             f"Machine: {res['machine']['cpus']} CPUs ({res['machine']['cpu']}), "
             f"{res['machine']['kernel']}; mcpreg {m['version']}, nginx {res['nginx']['version']}, "
             f"server threads {res['threads']}.",
             f"Catalog: {res['catalog']['servers']} servers / {res['catalog']['versions']} versions "
             f"({res['catalog']['bytes'] / 1e6:.1f} MB JSON). wrk: `{res['wrk']}` per URL, "
             "wrk on the same machine.", "",
             "| mcpreg | value |", "|---|---|",
             f"| import | {m['import_s']:.2f} s ({res['catalog']['versions'] / m['import_s']:.0f} "
             "versions/s) |" if m.get("import_s") else "| import | n/a |",
             f"| start (exec → /health 200) | {m['start_ms']:.0f} ms |" if m.get("start_ms")
             else "| start | n/a |",
             f"| RSS after warm-up | {m['rss_mib']:.1f} MiB |" if m.get("rss_mib")
             else "| RSS | n/a |",
             f"| RSS after benchmark | {m['rss_after_mib']:.1f} MiB |" if m.get("rss_after_mib")
             else "| RSS after | n/a |",
             f"| database file | {m['db_mib']:.1f} MiB |" if m.get("db_mib") else "| db | n/a |",
             "", "| URL | bytes | mcpreg req/s | nginx req/s | ratio | mcpreg p99 | nginx p99 |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for u in res["urls"]:
        a, b = u["mcpreg"], u["nginx"]
        lines.append(f"| `{u['url']}` | {u['bytes']} | {a['rps']:.0f} | {b['rps']:.0f} | "
                     f"{u['ratio_rps']} | {a['p99_ms']:.2f} ms | {b['p99_ms']:.2f} ms |")
    lines += ["", "ratio = mcpreg req/s ÷ nginx req/s serving the identical bytes from static files."]
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="mcpreg vs nginx benchmark (see bench/README.md)")
    env = os.environ.get
    ap.add_argument("--bin", default=env("MCPREG_BIN", os.path.join(ROOT, "build", "mcpreg")))
    ap.add_argument("--servers", type=int, default=int(env("BENCH_SERVERS", "10000")))
    ap.add_argument("--versions-per", type=int, default=int(env("BENCH_VERSIONS_PER", "3")))
    ap.add_argument("--search", default=env("BENCH_SEARCH", "incident response"))
    ap.add_argument("--threads", type=int, default=int(env("BENCH_THREADS", os.cpu_count() or 2)))
    ap.add_argument("--wrk-threads", type=int, default=int(env("WRK_THREADS", "2")))
    ap.add_argument("--connections", type=int, default=int(env("WRK_CONNECTIONS", "64")))
    ap.add_argument("--duration", default=env("WRK_DURATION", "10s"))
    ap.add_argument("--warmup", default=env("WRK_WARMUP", "2s"))
    ap.add_argument("--start-timeout", type=float, default=60)
    ap.add_argument("--out", default=env("BENCH_OUT", os.path.join(HERE, "out")))
    ap.add_argument("--keep", action="store_true", help="keep the temp dir (db, logs, nginx)")
    ap.add_argument("--nginx", default=shutil.which("nginx") or "/usr/sbin/nginx")
    ap.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = ap.parse_args()
    for tool in (args.bin, args.nginx, args.wrk):
        if not (os.path.exists(tool) or shutil.which(tool)):
            die(f"{tool} not found (make bench installs wrk and nginx-light; build mcpreg first)")

    work = tempfile.mkdtemp(prefix="mcpreg-bench-")
    os.chmod(work, 0o755)
    os.makedirs(args.out, exist_ok=True)
    procs = []
    try:
        catalog = os.path.join(work, "catalog.json")
        subprocess.run([sys.executable, os.path.join(HERE, "gen_catalog.py"), str(args.servers),
                        str(args.versions_per), "--out", catalog], check=True)
        db = os.path.join(work, "registry.db")
        import_s = run_import(args, db, catalog, work)
        mc, mc_port, start_s = start_mcpreg(args, db, work)
        procs.append(mc)
        log(f"serve: /health answered after {start_s * 1000:.0f} ms on port {mc_port}")
        urls = bench_urls(mc_port, args.search)
        for uid, url, body, count in urls:
            log(f"{uid}: {url} -> {len(body)} bytes, count={count}")
            wrk(args, mc_port, url, None, args.out, duration=args.warmup)
        rss = rss_kib(mc.p.pid)
        log(f"RSS after warm-up: {rss / 1024:.1f} MiB")
        ng, ng_port = start_nginx(args, work, {url: body for _, url, body, _ in urls})
        procs.append(ng)
        for _, url, _, _ in urls:
            wrk(args, ng_port, url, None, args.out, duration=args.warmup)
        rows = []
        for uid, url, body, count in urls:
            a = wrk(args, mc_port, url, f"{uid}-mcpreg", args.out)
            if mc.p.poll() is not None:
                die(f"mcpreg serve died during {url} (exit status {mc.p.returncode}); log tail:\n"
                    + "".join(mc.lines[-20:]))
            b = wrk(args, ng_port, url, f"{uid}-nginx", args.out)
            for who, r in (("mcpreg", a), ("nginx", b)):
                if r["errors"]:
                    log(f"warning: {who} {uid}: {r['errors']} errors ({r['non_2xx']} non-2xx)")
            ratio = round(a["rps"] / b["rps"], 3) if b["rps"] else None
            log(f"{uid}: mcpreg {a['rps']:.0f} req/s p99 {a['p99_ms']:.2f} ms | nginx "
                f"{b['rps']:.0f} req/s p99 {b['p99_ms']:.2f} ms | ratio {ratio}")
            rows.append({"id": uid, "url": url, "bytes": len(body), "count": count, "mcpreg": a,
                         "nginx": b, "ratio_rps": ratio,
                         "ratio_p99": round(a["p99_ms"] / b["p99_ms"], 3) if b["p99_ms"] else None})
        rss_after = rss_kib(mc.p.pid)
        version = subprocess.run([args.bin, "--version"], capture_output=True,
                                 text=True).stdout.strip()
        cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo")
                    if l.startswith("model name")), platform.machine())
        res = {
            "date": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
            "machine": {"cpus": os.cpu_count(), "cpu": cpu, "kernel": platform.release()},
            "threads": args.threads,
            "wrk": f"wrk -t{args.wrk_threads} -c{args.connections} -d{args.duration} --latency",
            "catalog": {"servers": args.servers, "versions": args.servers * args.versions_per,
                        "bytes": os.path.getsize(catalog), "search": args.search},
            "mcpreg": {"version": version, "import_s": round(import_s, 3),
                       "start_ms": round(start_s * 1000, 1), "rss_mib": round(rss / 1024, 1),
                       "rss_after_mib": round(rss_after / 1024, 1),
                       "db_mib": round(sum(os.path.getsize(os.path.join(work, f))
                                           for f in os.listdir(work)
                                           if f.startswith("registry.db")) / 2**20, 1)},
            "nginx": {"version": nginx_version(args.nginx)},
            "urls": rows,
        }
        print(write_results(args, res, args.out))
        log(f"wrote {os.path.join(args.out, 'results.json')} and results.md")
    finally:
        for p in reversed(procs):
            p.stop()
        if args.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
