#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from the test fixtures (tests/fixtures), so seeds
follow the fixtures instead of being committed twice.

usage: fuzz/make_corpus.py OUT_DIR      -> OUT_DIR/<target>/seed-*  (existing files are kept)

Also copies fuzz/regressions/<target>/* (past crashes, replayed first by every run)."""
import json
import pathlib
import shutil
import sys
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
FIX = ROOT / "tests" / "fixtures"


def server_docs():
    docs = []
    for sub in ("validate/valid", "validate/invalid", "policy"):
        for p in sorted((FIX / sub).glob("*.json")):
            docs.append(p.read_bytes())
    return docs


def valid_docs():
    out = []
    for p in sorted((FIX / "validate" / "valid").glob("*.json")):
        try:
            d = json.loads(p.read_text())
        except ValueError:
            continue
        if isinstance(d, dict) and "name" in d and "version" in d:
            out.append((p.read_bytes(), d))
    return out


def enc(s):
    return urllib.parse.quote(s, safe="")


def http_requests():
    reqs = []
    docs = valid_docs()
    for prefix in ("/v0", "/v0.1"):
        reqs += [f"GET {prefix}/servers\n\n", f"GET {prefix}/servers?limit=2&cursor=x\n\n",
                 f"GET {prefix}/servers?search=brave&version=latest&updated_since=2025-01-01T00:00:00Z\n\n",
                 f"GET {prefix}/servers?include_deleted=true&limit=100\n\n",
                 f"GET {prefix}/health\n\n", f"GET {prefix}/x/dev.mcpreg/export/readme\n\n",
                 f"GET {prefix}/x/dev.mcpreg/export/allowlist\n\n",
                 f"GET {prefix}/x/dev.mcpreg/requests\nAuthorization: Bearer $ADMIN\n\n",
                 f"POST {prefix}/auth/oidc\nContent-Type: application/json\n\n"
                 + '{"oidc_token":"' + (FIX / "auth" / "rs256.jwt").read_text().strip() + '"}',
                 f"OPTIONS {prefix}/servers\nOrigin: https://example.com\n"
                 "Access-Control-Request-Method: GET\n\n"]
    reqs += ["GET /\n\n", "GET /openapi.yaml\n\n", "GET /ping\n\n", "GET /v0.1/servers/\n\n",
             "GET //evil.example/\n\n", "GET /v0.1/servers/%00\n\n", "GET /mcp\n\n"]
    for raw, d in docs[:8]:
        name, ver = d["name"], d["version"]
        body = raw.decode("utf-8", "replace")
        reqs += [f"GET /v0.1/servers/{enc(name)}/versions\n\n",
                 f"GET /v0.1/servers/{enc(name)}/versions/{enc(ver)}\n\n",
                 f"GET /v0/servers/{enc(enc(name))}/versions/latest\n\n",
                 f"POST /v0.1/validate\nContent-Type: application/json\n\n{body}",
                 f"POST /v0.1/publish\nAuthorization: Bearer $ADMIN\nContent-Type: application/json\n\n{body}",
                 f"PUT /v0.1/servers/{enc(name)}/versions/{enc(ver)}\nAuthorization: Bearer $ADMIN\n\n{body}",
                 f"PATCH /v0.1/servers/{enc(name)}/versions/{enc(ver)}/status\n"
                 'Authorization: Bearer $ADMIN\n\n{"status":"deprecated","statusMessage":"old"}',
                 f"PUT /v0.1/x/dev.mcpreg/feed/{enc(name)}/{enc(ver)}/pkg.tgz\n"
                 "Authorization: Bearer $ADMIN\n\nbytes",
                 f"GET /v0.1/x/dev.mcpreg/feed/{enc(name)}/{enc(ver)}\n\n",
                 f"POST /v0.1/x/dev.mcpreg/requests\nAuthorization: Bearer $ADMIN\n\n{body}",
                 f"POST /v0.1/x/dev.mcpreg/servers/{enc(name)}/versions/{enc(ver)}/evidence\n"
                 "Authorization: Bearer $ADMIN\n\n"
                 + (FIX / "policy" / "sarif" / "levels.sarif.json").read_text()]
    return [r.encode() for r in reqs]


def rpc(i, method, params=None):
    m = {"jsonrpc": "2.0", "id": i, "method": method}
    if params is not None:
        m["params"] = params
    return json.dumps(m, separators=(",", ":"))


def mcp_conversations():
    docs = valid_docs()
    init = rpc(0, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {"sampling": {}},
                                 "clientInfo": {"name": "seed", "version": "1"}})
    convs = [[init, '{"jsonrpc":"2.0","method":"notifications/initialized"}',
              rpc(1, "tools/list", {}), rpc(2, "resources/list", {}),
              rpc(3, "resources/templates/list", {}), rpc(4, "prompts/list", {}), rpc(5, "ping")],
             [rpc(1, "tools/call", {"name": "search_servers", "arguments": {"query": "search",
                                                                          "limit": 2}}),
              rpc(2, "tools/call", {"name": "search_servers",
                                    "arguments": {"query": "", "transport": "remote",
                                                  "registryType": "npm", "status": "active"}})],
             [rpc(1, "logging/setLevel", {"level": "error"}),
              rpc(2, "completion/complete", {"ref": {"type": "ref/resource",
                                                     "uri": "mcpreg://servers/{name}/versions/{version}"},
                                             "argument": {"name": "name", "value": "io."}}),
              '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}}',
              rpc(3, "resources/subscribe", {"uri": "mcpreg://servers/a/versions/1"})],
             ['{"jsonrpc":"2.0","id":1,"result":{}}', '[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
              '{"jsonrpc":"1.0","id":{},"method":5}', "{" * 20]]
    # 2026-07-28: stateless requests with per-request _meta, input-required rounds (a forged
    # requestState, malformed inputResponses), subscriptions/listen and its cancellation.
    meta = {"io.modelcontextprotocol/protocolVersion": "2026-07-28",
            "io.modelcontextprotocol/clientCapabilities": {"elicitation": {}, "sampling": {}},
            "io.modelcontextprotocol/logLevel": "debug"}
    first = docs[0][1]["name"] if docs else "a.b/c"
    convs.append([
        rpc(1, "server/discover", {"_meta": meta}),
        rpc(2, "tools/call", {"name": "get_install_config", "arguments": {"name": first}, "_meta": meta}),
        rpc(3, "tools/call", {"name": "get_install_config", "arguments": {"name": first},
                              "inputResponses": {"install_option": {"action": "accept",
                                                                    "content": {"option": "npm:x"}}},
                              "requestState": "AAAAAAAAAAA.AAAA", "_meta": meta}),
        rpc(4, "tools/call", {"name": "get_install_config", "arguments": {"name": first, "option": "oci:y"},
                              "inputResponses": {"install_option": 5}, "_meta": meta}),
        rpc(5, "subscriptions/listen", {"notifications": {"resourcesListChanged": True,
                                                          "resourceSubscriptions": ["mcpreg://servers/a/versions/1"]},
                                        "_meta": meta}),
        '{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":5}}',
        rpc(6, "prompts/get", {"name": "x", "inputResponses": None, "_meta": meta}),
        rpc(7, "tools/list", {"_meta": {"io.modelcontextprotocol/protocolVersion": "2099-01-01"}}),
    ])
    for raw, d in docs[:6]:
        name, ver = d["name"], d["version"]
        convs.append([
            rpc(1, "tools/call", {"name": "get_server", "arguments": {"name": name}}),
            rpc(2, "tools/call", {"name": "list_versions", "arguments": {"name": name}}),
            rpc(3, "tools/call", {"name": "get_install_config",
                                  "arguments": {"name": name, "version": ver, "client": "claude"}}),
            rpc(4, "resources/read", {"uri": f"mcpreg://servers/{enc(name)}/versions/{enc(ver)}"}),
            rpc(5, "tools/call", {"name": "validate_server_json",
                                  "arguments": {"server_json": raw.decode("utf-8", "replace")}}),
            rpc(6, "tools/call", {"name": "validate_server_json", "arguments": {"server_json": d}}),
        ])
    return ["\n".join(c).encode() for c in convs]


def jwt_inputs():
    out = [(FIX / "auth" / n).read_bytes().strip() for n in ("rs256.jwt", "es256.jwt", "eddsa.jwt")]
    jwks = (FIX / "auth" / "jwks.json").read_bytes()
    out.append(jwks)
    for k in json.loads(jwks)["keys"]:
        out.append(json.dumps(k).encode())
    out += [b"eyJhbGciOiJub25lIn0.eyJpc3MiOiJ4In0.", b"a.b.c", b'{"keys":[]}']
    return out


def yaml_inputs():
    out = [p.read_bytes() for p in sorted(FIX.rglob("*.yaml"))]
    out += [b'{"listen":"127.0.0.1:0","db":"x.db","policy":{"require_repository":true}}',
            b"mcp:\n  enabled: true\n  auth:\n    enabled: false\n"]
    return out


def percent_inputs():
    return [b"io.github.acme%2Fweather", b"a%252Fb", b"a+b%20c", b"%zz", b"%4", b"%", b"%%41",
            b"caf%C3%A9", b"~._-", b"\x00%00"]


TARGETS = {
    "server_json": server_docs,
    "http_router": http_requests,
    "mcp": mcp_conversations,
    "jwt": jwt_inputs,
    "sarif": lambda: [p.read_bytes() for p in sorted((FIX / "policy" / "sarif").glob("*"))],
    "config": yaml_inputs,
    "percent": percent_inputs,
}


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = pathlib.Path(sys.argv[1])
    for target, gen in TARGETS.items():
        d = out / target
        d.mkdir(parents=True, exist_ok=True)
        seeds = gen()
        for i, data in enumerate(seeds):
            (d / f"seed-{i:03d}").write_bytes(data)
        reg = ROOT / "fuzz" / "regressions" / target
        n = 0
        if reg.is_dir():
            for p in sorted(reg.iterdir()):
                if p.is_file() and p.name != "README.md":
                    shutil.copyfile(p, d / f"regression-{p.name}")
                    n += 1
        print(f"{target}: {len(seeds)} seeds, {n} regressions -> {d}")


if __name__ == "__main__":
    main()
