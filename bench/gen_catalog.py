#!/usr/bin/env python3
"""Generates a large, deterministic benchmark catalog: a JSON array of server.json documents.

Usage: bench/gen_catalog.py N_SERVERS VERSIONS_PER [--seed N] [--out FILE]   (default: stdout)

N_SERVERS * VERSIONS_PER documents in the 2025-12-11 format, valid against the official schema and
the registry's semantic rules (see bench/tools/make_demo_catalog.py for the rule list). Size and
variety are modelled on the public registry (~10K servers / ~30K versions, 1-2 KB per document):
npm/pypi/nuget/oci/mcpb packages, remotes (streamable-http, some sse, some templated), env vars,
arguments, icons, multi-word descriptions built from a vocabulary so that word search is
meaningful (each phrase in PHRASES appears in roughly 1 of 40 servers). Same arguments and seed
give the same bytes.
"""
import argparse
import hashlib
import json
import random
import sys

SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"

ORGS = ["acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "tyrell", "cyberdyne",
        "soylent", "oscorp", "wonka", "gringotts", "aperture", "blackmesa", "vandelay", "dunder",
        "pied-piper", "massive-dynamic", "monarch", "nakatomi", "virtucon", "weyland", "zorg",
        "contoso", "fabrikam", "northwind", "litware", "proseware", "woodgrove", "tailspin",
        "wingtip", "adatum", "fourth-coffee", "alpine-ski", "blue-yonder", "coho-winery",
        "graphic-design", "lucerne", "margies-travel", "relecloud", "trey-research", "vanarsdel"]
PRODUCTS = ["jira", "confluence", "salesforce", "zendesk", "servicenow", "github", "gitlab",
            "slack", "teams", "postgres", "mysql", "snowflake", "bigquery", "kafka", "redis",
            "elastic", "grafana", "prometheus", "datadog", "sentry", "stripe", "shopify", "hubspot",
            "notion", "airtable", "figma", "linear", "asana", "trello", "okta", "vault", "terraform",
            "kubernetes", "docker", "aws", "azure", "gcp", "s3", "sharepoint", "outlook", "gmail",
            "calendar", "sap", "workday", "netsuite", "quickbooks", "xero", "twilio", "pagerduty"]
VERBS = ["Query", "Search", "Manage", "Inspect", "Automate", "Summarise", "Monitor", "Analyse",
         "Sync", "Browse", "Create and update", "Audit", "Explore", "Triage", "Export"]
OBJECTS = ["tickets", "issues", "records", "dashboards", "metrics", "logs", "invoices", "orders",
           "customers", "contacts", "deployments", "pipelines", "datasets", "tables", "documents",
           "pages", "messages", "channels", "alerts", "incidents", "users", "groups", "secrets",
           "clusters", "buckets", "payments", "subscriptions", "events", "tasks", "projects"]
FEATURES = ["natural language filters", "read-only mode", "audit trails", "fine-grained scopes",
            "bulk export", "schema discovery", "cost reports", "change history", "smart summaries",
            "role-based access", "webhook triggers", "saved queries", "rate limiting"]
# Two-word phrases used as search terms by bench/run.sh; each lands in ~1 of 40 descriptions.
PHRASES = ["incident response", "invoice reconciliation", "pull request", "access review",
           "release notes", "customer churn", "log analytics", "data lineage", "cost anomaly",
           "vulnerability scanning", "knowledge base", "sprint planning", "supply chain",
           "feature flags", "schema migration", "expense approval"]
ENV_NAMES = ["API_KEY", "API_TOKEN", "BASE_URL", "TENANT_ID", "REGION", "CLIENT_ID",
             "CLIENT_SECRET", "WORKSPACE", "PROJECT_ID", "LOG_LEVEL", "TIMEOUT_SECONDS"]
SECRET_ENVS = {"API_KEY", "API_TOKEN", "CLIENT_SECRET"}


def description(rng, product, phrase):
    verb, obj = rng.choice(VERBS), rng.choice(OBJECTS)
    feat = rng.choice(FEATURES)
    if phrase:
        text = f"{verb} {obj} in {product.title()} for {phrase} with {feat}."
    else:
        text = f"{verb} {obj} in {product.title()} with {feat} and {rng.choice(FEATURES)}."
    return text if len(text) <= 100 else text[:99].rstrip() + "."


def env_vars(rng, prefix):
    out = []
    for n in rng.sample(ENV_NAMES, rng.randint(1, 4)):
        e = {"name": f"{prefix}_{n}", "description": f"{n.replace('_', ' ').lower()} for "
             f"{prefix.lower()}"}
        if n in SECRET_ENVS:
            e |= {"isRequired": True, "isSecret": True}
        elif n == "LOG_LEVEL":
            e |= {"default": "info", "choices": ["debug", "info", "warn", "error"]}
        out.append(e)
    return out


def package(rng, kind, org, slug, version, prefix):
    sha = hashlib.sha256(f"{org}/{slug}@{version}".encode()).hexdigest()
    stdio = {"type": "stdio"}
    if kind == "npm":
        p = {"registryType": "npm", "registryBaseUrl": "https://registry.npmjs.org",
             "identifier": f"@{org}/{slug}", "version": version, "runtimeHint": "npx",
             "transport": stdio}
    elif kind == "pypi":
        p = {"registryType": "pypi", "registryBaseUrl": "https://pypi.org",
             "identifier": f"{org}-{slug}", "version": version, "runtimeHint": "uvx",
             "transport": stdio}
    elif kind == "nuget":
        ident = "".join(w.title() for w in f"{org}-{slug}".split("-")) + ".Mcp"
        p = {"registryType": "nuget", "registryBaseUrl": "https://api.nuget.org/v3/index.json",
             "identifier": ident, "version": version, "runtimeHint": "dnx", "transport": stdio}
    elif kind == "oci":
        host = rng.choice(["ghcr.io", "docker.io", "quay.io"])
        p = {"registryType": "oci", "identifier": f"{host}/{org}/{slug}:{version}",
             "runtimeHint": "docker", "transport": stdio,
             "runtimeArguments": [{"type": "named", "name": "-e", "value": f"{prefix}_API_KEY",
                                   "description": "Pass the API key into the container"}]}
    else:  # mcpb
        p = {"registryType": "mcpb",
             "identifier": f"https://github.com/{org}/{slug}/releases/download/v{version}/"
                           f"{slug}.mcpb",
             "version": version, "fileSha256": sha, "transport": stdio}
    if kind in ("npm", "pypi") and rng.random() < 0.15:
        p["transport"] = {"type": "streamable-http", "url": "http://localhost:{port}/mcp"}
        p["packageArguments"] = [{"type": "named", "name": "--port", "valueHint": "port",
                                  "default": "8080", "format": "number",
                                  "description": "Port to listen on"}]
    elif rng.random() < 0.3:
        p["packageArguments"] = [{"type": "positional", "valueHint": "workspace",
                                  "description": "Workspace or project to open",
                                  "isRequired": True}]
    p["environmentVariables"] = env_vars(rng, prefix)
    return p


def remotes(rng, org, slug):
    host = f"mcp.{org}.example.com"
    auth = {"name": "Authorization", "description": f"Bearer token for {slug}",
            "isRequired": True, "isSecret": True, "value": "Bearer {token}",
            "variables": {"token": {"description": "API token", "isRequired": True,
                                    "isSecret": True}}}
    r = rng.random()
    if r < 0.15:
        return [{"type": "streamable-http", "url": f"https://{{tenant}}.{host}/{slug}/mcp",
                 "headers": [auth],
                 "variables": {"tenant": {"description": "Tenant subdomain",
                                          "isRequired": True}}}]
    out = [{"type": "streamable-http", "url": f"https://{host}/{slug}/mcp", "headers": [auth]}]
    if r > 0.9:
        out.append({"type": "sse", "url": f"https://{host}/{slug}/sse", "headers": [auth]})
    return out


def versions(rng, n):
    major, minor, patch = rng.randint(0, 3), rng.randint(0, 9), 0
    out = []
    for i in range(n):
        if i and rng.random() < 0.1:
            out.append(f"{major}.{minor + 1}.0-beta.{i}")
            continue
        if rng.random() < 0.6:
            patch += 1
        else:
            minor, patch = minor + 1, 0
        out.append(f"{major}.{minor}.{patch}")
    return out


def generate(n_servers, versions_per, seed):
    rng = random.Random(seed)
    docs = []
    for i in range(n_servers):
        org = rng.choice(ORGS)
        ns = f"io.github.{org}" if rng.random() < 0.5 else f"com.{org}"
        product = rng.choice(PRODUCTS)
        obj = rng.choice(OBJECTS)
        slug = f"{product}-{obj}-{i:05d}"
        name = f"{ns}/{slug}"
        phrase = rng.choice(PHRASES) if rng.random() < len(PHRASES) / 40 else None
        desc = description(rng, product, phrase)
        title = f"{product.title()} {obj.title()}"
        prefix = product.upper().replace("-", "_")
        kinds = rng.sample(["npm", "pypi", "nuget", "oci", "mcpb"], rng.choice([0, 1, 1, 1, 2]))
        has_remote = not kinds or rng.random() < 0.35
        remote_set = remotes(rng, org, slug) if has_remote else []
        icon = ({"src": f"https://cdn.{org}.example.com/icons/{product}.png",
                 "mimeType": "image/png", "sizes": ["64x64"]} if rng.random() < 0.4 else None)
        for v in versions(rng, versions_per):
            d = {"$schema": SCHEMA, "name": name, "description": desc, "title": title,
                 "repository": {"url": f"https://github.com/{org}/{slug}", "source": "github"},
                 "version": v}
            if rng.random() < 0.3:
                d["websiteUrl"] = f"https://{org}.example.com/mcp/{slug}"
            if icon:
                d["icons"] = [icon]
            if kinds:
                d["packages"] = [package(rng, k, org, slug, v, prefix) for k in kinds]
            if remote_set:
                d["remotes"] = remote_set
            docs.append(d)
    return docs


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n_servers", type=int)
    ap.add_argument("versions_per", type=int)
    ap.add_argument("--seed", type=int, default=20251211)
    ap.add_argument("--out", default="-")
    a = ap.parse_args()
    if a.n_servers < 1 or a.versions_per < 1:
        ap.error("N_SERVERS and VERSIONS_PER must be >= 1")
    docs = generate(a.n_servers, a.versions_per, a.seed)
    text = json.dumps(docs, separators=(",", ":"), ensure_ascii=False)
    if a.out == "-":
        sys.stdout.write(text + "\n")
    else:
        with open(a.out, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    print(f"gen_catalog: {a.n_servers} servers, {len(docs)} versions, {len(text)} bytes",
          file=sys.stderr)


if __name__ == "__main__":
    main()
