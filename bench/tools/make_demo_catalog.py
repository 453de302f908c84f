#!/usr/bin/env python3
"""Writes data/demo-catalog.json: the demo catalog `make run` starts with.

A JSON array of server.json documents (2025-12-11 format) for ~36 fictional, enterprise-flavoured
MCP servers with several versions each. The catalog is hand-described below (one entry per
server) and expanded per version, so it is deterministic: running the script twice gives the same
bytes. Every document must pass the official JSON schema and the official registry's semantic
rules; `bench/tools/check_catalog.sh` checks both.

Usage: bench/tools/make_demo_catalog.py [OUT]   (default: data/demo-catalog.json)
"""
import hashlib
import json
import os
import re
import sys

SCHEMA = "https://static.modelcontextprotocol.io/schemas/2025-12-11/server.schema.json"


# --- building blocks -----------------------------------------------------------------------------
# String values may contain "{v}" (the server version); it is substituted per version. "since" on a
# package/remote/env var means "present from the n-th version on" (0-based), so catalogs evolve.

def env(name, description, required=False, secret=False, default=None, choices=None, since=0):
    e = {"name": name, "description": description}
    if required:
        e["isRequired"] = True
    if secret:
        e["isSecret"] = True
    if default is not None:
        e["default"] = default
    if choices:
        e["choices"] = choices
    if since:
        e["since"] = since
    return e


def named(name, description, value_hint=None, default=None, required=False, fmt=None,
          value=None):
    a = {"type": "named", "name": name, "description": description}
    if value is not None:
        a["value"] = value
    if value_hint:
        a["valueHint"] = value_hint
    if default is not None:
        a["default"] = default
    if required:
        a["isRequired"] = True
    if fmt:
        a["format"] = fmt
    return a


def positional(value_hint, description, required=True, repeated=False, value=None, fmt=None):
    a = {"type": "positional", "valueHint": value_hint, "description": description}
    if value is not None:
        a["value"] = value
    if required:
        a["isRequired"] = True
    if repeated:
        a["isRepeated"] = True
    if fmt:
        a["format"] = fmt
    return a


def header(name, description, secret=False, required=True, value=None, choices=None):
    h = {"name": name, "description": description}
    if required:
        h["isRequired"] = True
    if secret:
        h["isSecret"] = True
    if value is not None:
        h["value"] = value
    if choices:
        h["choices"] = choices
    return h


def bearer(what):
    return header("Authorization", f"Bearer token for {what}", secret=True,
                  value="Bearer {token}") | {"variables": {"token": {
                      "description": f"{what} API token", "isRequired": True, "isSecret": True}}}


STDIO = {"type": "stdio"}


def local_http(port_default="8080", path="/mcp"):
    """A package that serves streamable HTTP on localhost: needs a --port argument."""
    return {"transport": {"type": "streamable-http", "url": "http://localhost:{port}" + path},
            "args": [named("--port", "Port to listen on", value_hint="port",
                           default=port_default, fmt="number")]}


def npm(identifier, envs=(), args=(), http=None, since=0):
    p = {"registryType": "npm", "registryBaseUrl": "https://registry.npmjs.org",
         "identifier": identifier, "version": "{v}", "runtimeHint": "npx"}
    return _finish(p, envs, args, http, since)


def pypi(identifier, envs=(), args=(), http=None, runtime_args=(), since=0):
    p = {"registryType": "pypi", "registryBaseUrl": "https://pypi.org",
         "identifier": identifier, "version": "{v}", "runtimeHint": "uvx"}
    return _finish(p, envs, args, http, since, runtime_args)


def nuget(identifier, envs=(), args=(), since=0):
    p = {"registryType": "nuget", "registryBaseUrl": "https://api.nuget.org/v3/index.json",
         "identifier": identifier, "version": "{v}", "runtimeHint": "dnx"}
    return _finish(p, envs, args, None, since)


def oci(image, envs=(), args=(), runtime_args=(), http=None, since=0):
    p = {"registryType": "oci", "identifier": image + ":{v}", "runtimeHint": "docker"}
    return _finish(p, envs, args, http, since, runtime_args)


def mcpb(org, repo, asset, envs=(), args=(), with_version=False, since=0):
    p = {"registryType": "mcpb",
         "identifier": f"https://github.com/{org}/{repo}/releases/download/v{{v}}/{asset}-{{v}}.mcpb"}
    if with_version:
        p["version"] = "{v}"
    p["fileSha256"] = "{sha}"
    return _finish(p, envs, args, None, since)


def _finish(p, envs, args, http, since, runtime_args=()):
    args = list(args)
    if http:
        p["transport"] = http["transport"]
        args = http["args"] + args
    else:
        p["transport"] = STDIO
    if runtime_args:
        p["runtimeArguments"] = list(runtime_args)
    if args:
        p["packageArguments"] = args
    if envs:
        p["environmentVariables"] = list(envs)
    if since:
        p["since"] = since
    return p


def remote(url, kind="streamable-http", headers=(), variables=None, since=0):
    r = {"type": kind, "url": url}
    if headers:
        r["headers"] = list(headers)
    if variables:
        r["variables"] = variables
    if since:
        r["since"] = since
    return r


def icon(src, mime="image/png", sizes=("64x64",), theme=None):
    i = {"src": src, "mimeType": mime, "sizes": list(sizes)}
    if theme:
        i["theme"] = theme
    return i


def gh(org, repo, subfolder=None, repo_id=None):
    r = {"url": f"https://github.com/{org}/{repo}", "source": "github"}
    if repo_id:
        r["id"] = repo_id
    if subfolder:
        r["subfolder"] = subfolder
    return r


def gl(group, repo):
    return {"url": f"https://gitlab.com/{group}/{repo}", "source": "gitlab"}


SERVERS = []


def server(name, title, description, versions, repository=None, website=None, icons=(),
           packages=(), remotes=(), meta=None):
    SERVERS.append(dict(name=name, title=title, description=description, versions=versions,
                        repository=repository, website=website, icons=list(icons),
                        packages=list(packages), remotes=list(remotes), meta=meta))


# --- the catalog ---------------------------------------------------------------------------------

server("com.contoso/crm-insights", "Contoso CRM Insights",
       "Query accounts, opportunities and pipeline health in Contoso CRM.",
       ["1.0.0", "1.1.0", "1.2.0", "2.0.0-rc.1", "2.0.0"],
       repository=gh("contoso", "crm-insights-mcp", repo_id="734519802"),
       website="https://developer.contoso.com/mcp/crm-insights",
       icons=[icon("https://cdn.contoso.com/mcp/icons/crm-insights-64.png"),
              icon("https://cdn.contoso.com/mcp/icons/crm-insights.svg", "image/svg+xml", ["any"],
                   "dark")],
       packages=[npm("@contoso/crm-insights-mcp", envs=[
           env("CONTOSO_CRM_URL", "Base URL of your CRM tenant", required=True),
           env("CONTOSO_CRM_TOKEN", "CRM API token with read scope", required=True, secret=True),
           env("CRM_INSIGHTS_LOG_LEVEL", "Log verbosity", default="info",
               choices=["debug", "info", "warn", "error"], since=2)])],
       remotes=[remote("https://mcp.contoso.com/crm-insights/mcp", headers=[bearer("Contoso CRM")],
                       since=3)],
       meta={"com.contoso/catalog": {"owner": "sales-engineering", "tier": "gold"}})

server("com.contoso/hr-directory", "HR Directory",
       "Look up employees, reporting lines and office locations from the HR directory.",
       ["0.9.0", "1.0.0", "1.0.1"],
       repository=gh("contoso", "hr-directory-mcp"),
       packages=[pypi("contoso-hr-directory-mcp", envs=[
           env("HR_API_BASE_URL", "HR directory API endpoint", required=True),
           env("HR_API_TOKEN", "Service token for the HR directory", required=True, secret=True)])])

server("com.contoso/expense-reports", "Expense Reports",
       "Draft, submit and check the approval status of expense reports.",
       ["1.0.0", "1.1.0", "1.2.0"],
       repository=gh("contoso", "expense-reports-mcp"),
       website="https://developer.contoso.com/mcp/expenses",
       packages=[nuget("Contoso.ExpenseReports.Mcp", envs=[
           env("EXPENSES_TENANT_ID", "Azure AD tenant id", required=True),
           env("EXPENSES_CLIENT_SECRET", "App registration client secret", required=True,
               secret=True)])])

server("com.contoso.cloud/tenant-gateway", "Contoso Tenant Gateway",
       "Per-tenant gateway to Contoso cloud admin APIs: users, licenses and audit logs.",
       ["1.0.0", "1.1.0"],
       website="https://cloud.contoso.com/docs/mcp",
       icons=[icon("https://cloud.contoso.com/static/mcp-gateway-128.png", sizes=["128x128"])],
       remotes=[remote("https://{tenant}.mcp.cloud.contoso.com/v1/mcp", variables={
           "tenant": {"description": "Your tenant subdomain, e.g. acme", "isRequired": True}},
           headers=[bearer("Contoso Cloud"),
                    header("X-Contoso-Region", "Data residency region", required=False,
                           choices=["eu", "us", "apac"])])])

server("com.fabrikam/inventory-sync", "Fabrikam Inventory Sync",
       "Synchronise stock levels between warehouses and the Fabrikam ERP.",
       ["2.3.0", "2.4.0", "2.5.0-beta.2", "2.5.0"],
       repository=gh("fabrikam", "inventory-sync"),
       packages=[oci("ghcr.io/fabrikam/inventory-sync-mcp", runtime_args=[
           named("--network", "Docker network that can reach the ERP", value_hint="network",
                 default="host"),
           named("-e", "Pass the ERP token into the container", value="ERP_TOKEN")],
           envs=[env("ERP_TOKEN", "Fabrikam ERP API token", required=True, secret=True),
                 env("ERP_BASE_URL", "ERP base URL", required=True)])])

server("com.fabrikam/warehouse-analytics", "Warehouse Analytics",
       "Ask questions about pick rates, dock utilisation and shipment delays.",
       ["0.3.0", "0.4.0", "0.5.0"],
       repository=gh("fabrikam", "warehouse-analytics", subfolder="servers/mcp"),
       packages=[pypi("fabrikam-warehouse-analytics", http=local_http("8765"), envs=[
           env("WAREHOUSE_DSN", "Read-only connection string of the analytics database",
               required=True, secret=True)])])

server("com.fabrikam/legacy-erp-bridge", "Legacy ERP Bridge",
       "Read-only bridge to the mainframe ERP: orders, invoices and customer master data.",
       ["3.1.0", "3.2.0"],
       website="https://www.fabrikam.com/it/erp-bridge",
       remotes=[remote("https://erp-bridge.fabrikam.com/sse", "sse",
                       headers=[header("X-Api-Key", "ERP bridge API key", secret=True)])])

server("com.northwind/orders", "Northwind Orders",
       "Search, create and track customer orders in Northwind Traders.",
       ["1.0.0", "1.1.0", "1.2.0", "1.3.0"],
       repository=gh("northwind-traders", "orders-mcp"),
       website="https://northwind.com/developers/mcp",
       icons=[icon("https://northwind.com/assets/mcp/orders-48.png", sizes=["48x48"])],
       packages=[npm("@northwind/orders-mcp", envs=[
           env("NORTHWIND_API_KEY", "Northwind API key", required=True, secret=True),
           env("NORTHWIND_REGION", "API region", default="us", choices=["us", "eu"], since=1)])])

server("com.northwind/supplier-portal", "Supplier Portal",
       "Supplier onboarding, purchase orders and delivery confirmations.",
       ["1.0.0", "1.0.1", "1.1.0"],
       website="https://suppliers.northwind.com",
       remotes=[remote("https://suppliers.northwind.com/mcp", headers=[bearer("Supplier Portal")]),
                remote("https://suppliers.northwind.com/mcp/sse", "sse",
                       headers=[bearer("Supplier Portal")])])

server("com.adventure-works/bike-telemetry", "Bike Telemetry",
       "Ride, battery and fault-code telemetry from Adventure Works e-bikes.",
       ["0.1.0", "0.2.0", "0.3.0-alpha.1"],
       repository=gh("adventure-works", "bike-telemetry-mcp"),
       packages=[mcpb("adventure-works", "bike-telemetry-mcp", "bike-telemetry", with_version=True,
                      envs=[env("AW_TELEMETRY_KEY", "Telemetry API key", required=True,
                                secret=True)]),
                 oci("docker.io/adventureworks/bike-telemetry-mcp", since=1,
                     envs=[env("AW_TELEMETRY_KEY", "Telemetry API key", required=True,
                               secret=True)])])

server("com.tailspin/flight-ops", "Tailspin Flight Ops",
       "Flight status, gate changes and crew notes for Tailspin operations staff.",
       ["4.0.0", "4.1.0", "4.2.0"],
       repository=gh("tailspin", "flight-ops-mcp"),
       packages=[nuget("Tailspin.FlightOps.Mcp", args=[
           named("--airport", "Default airport IATA code", value_hint="iata_code", default="SEA")],
           envs=[env("FLIGHTOPS_TOKEN", "Operations API token", required=True, secret=True)])],
       remotes=[remote("https://ops.tailspin.example/mcp", headers=[bearer("Flight Ops")],
                       since=1)])

server("com.wingtiptoys/catalog-search", "Wingtip Catalog Search",
       "Full-text product search across the Wingtip Toys catalog with stock and pricing.",
       ["2025.09.30", "2025.11.04", "2026.01.15"],
       website="https://wingtiptoys.com/partners/mcp",
       packages=[oci("ghcr.io/wingtiptoys/catalog-search",
                     envs=[env("WINGTIP_PARTNER_KEY", "Partner API key", required=True,
                               secret=True)])],
       remotes=[remote("https://mcp.wingtiptoys.com/catalog")])

server("com.litware/contract-review", "Contract Review",
       "Clause extraction, risk flags and redline suggestions for commercial contracts.",
       ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"],
       repository=gh("litware", "contract-review-mcp"),
       website="https://litware.com/ai/contract-review",
       icons=[icon("https://litware.com/static/contract-review.webp", "image/webp", ["96x96"])],
       packages=[pypi("litware-contract-review", runtime_args=[
           named("--python", "Python version for uvx", value_hint="version", default="3.12")],
           args=[named("--playbook", "Path to the negotiation playbook", value_hint="playbook_path",
                       fmt="filepath")],
           envs=[env("LITWARE_API_KEY", "Litware API key", required=True, secret=True)])])

server("com.litware/legal-hold", "Legal Hold",
       "Place, review and release legal holds on mailboxes and document libraries.",
       ["2025-10-01", "2025-12-15"],
       website="https://litware.com/ai/legal-hold",
       remotes=[remote("https://legal-hold.litware.com/mcp", headers=[bearer("Legal Hold")])])

server("net.woodgrove/payments-ledger", "Woodgrove Payments Ledger",
       "Reconcile payments, refunds and chargebacks against the general ledger.",
       ["1.0.0", "1.1.0-preview.1", "1.1.0"],
       repository=gh("woodgrove-bank", "payments-ledger-mcp"),
       packages=[nuget("Woodgrove.PaymentsLedger.Mcp",
                       envs=[env("LEDGER_CONNECTION", "Ledger API connection string",
                                 required=True, secret=True)])],
       remotes=[remote("https://ledger.{region}.woodgrove.net/mcp", variables={
           "region": {"description": "Ledger region", "isRequired": True, "default": "eu-west",
                      "choices": ["eu-west", "us-east"]}},
           headers=[bearer("Woodgrove Ledger")])])

server("net.woodgrove/fraud-signals", "Fraud Signals",
       "Risk scores and fraud signals for card transactions, with analyst notes.",
       ["0.8.0", "0.9.0", "1.0.0"],
       repository=gl("woodgrove", "fraud-signals-mcp"),
       packages=[oci("quay.io/woodgrove/fraud-signals-mcp", runtime_args=[
           named("--read-only", "Run the container with a read-only root filesystem")],
           envs=[env("FRAUD_API_TOKEN", "Fraud service token", required=True, secret=True)])])

server("org.proseware/docs-search", "Proseware Docs Search",
       "Semantic search over Proseware product documentation and release notes.",
       ["1.0.0", "1.1.0", "1.2.0"],
       repository=gh("proseware", "docs-search-mcp"),
       website="https://docs.proseware.org/mcp",
       packages=[npm("@proseware/docs-search-mcp"),
                 mcpb("proseware", "docs-search-mcp", "docs-search", since=1)])

server("org.proseware/style-linter", "Style Linter",
       "Checks drafts against the Proseware writing style guide and suggests fixes.",
       ["0.1.0", "0.2.0"],
       repository=gh("proseware", "style-linter"),
       packages=[npm("@proseware/style-linter-mcp", args=[
           positional("style_guide", "Path or URL of the style guide", required=False,
                      fmt="filepath")])])

server("io.github.contoso-labs/k8s-inspector", "Kubernetes Inspector",
       "Read-only inspection of Kubernetes workloads, events and pod logs.",
       ["0.4.0", "0.5.0", "0.6.0", "0.7.0"],
       repository=gh("contoso-labs", "k8s-inspector"),
       packages=[oci("ghcr.io/contoso-labs/k8s-inspector", runtime_args=[
           named("--mount", "Mount your kubeconfig read-only",
                 value="type=bind,src={kubeconfig},dst=/home/app/.kube/config,readonly") | {
               "variables": {"kubeconfig": {"description": "Path to your kubeconfig",
                                            "isRequired": True, "format": "filepath",
                                            "default": "~/.kube/config"}}}],
           args=[named("--namespace", "Namespace to restrict to", value_hint="namespace")])])

server("io.github.contoso-labs/terraform-plan-review", "Terraform Plan Review",
       "Summarises terraform plans and flags risky changes before apply.",
       ["1.0.0", "1.0.1", "1.1.0"],
       repository=gh("contoso-labs", "terraform-plan-review"),
       packages=[npm("@contoso-labs/terraform-plan-review")])

server("io.github.fabrikam-oss/sql-explorer", "SQL Explorer",
       "Explore schemas and run read-only SQL against PostgreSQL, MySQL and SQL Server.",
       ["2.0.0", "2.1.0", "2.2.0", "2.3.0-rc.1"],
       repository=gh("fabrikam-oss", "sql-explorer"),
       packages=[pypi("sql-explorer-mcp", args=[positional("connection_url",
                                                            "Database URL (read-only user)")],
                      envs=[env("SQL_EXPLORER_MAX_ROWS", "Row limit per query", default="500")]),
                 oci("ghcr.io/fabrikam-oss/sql-explorer",
                     args=[positional("connection_url", "Database URL (read-only user)")],
                     since=2)])

server("io.github.northwind-dev/log-tail", "Log Tail",
       "Tail and grep application logs from files or journald over MCP.",
       ["1.0.0", "1.1.0"],
       repository=gh("northwind-dev", "log-tail-mcp"),
       packages=[npm("@northwind-dev/log-tail-mcp", http=local_http("3333"),
                     args=[positional("log_path", "Log file or directory", repeated=True,
                                      fmt="filepath")])])

server("io.github.woodgrove-bank/openapi-proxy", "OpenAPI Proxy",
       "Turns any OpenAPI 3 description into MCP tools, one per operation.",
       ["0.5.0", "0.6.0", "0.7.0"],
       repository=gh("woodgrove-bank", "openapi-proxy-mcp"),
       packages=[npm("@woodgrove/openapi-proxy-mcp", args=[
           positional("spec", "Path or URL of the OpenAPI document"),
           named("--base-url", "Override the server URL from the spec", value_hint="url")],
           envs=[env("OPENAPI_PROXY_AUTH", "Authorization header value for upstream calls",
                     secret=True)])])

server("com.contoso/servicedesk", "Contoso Service Desk",
       "Create, triage and resolve IT tickets; search the knowledge base.",
       ["1.0.0", "1.1.0", "1.2.0", "1.3.0"],
       website="https://servicedesk.contoso.com/mcp",
       icons=[icon("https://servicedesk.contoso.com/img/mcp-light.png", theme="light"),
              icon("https://servicedesk.contoso.com/img/mcp-dark.png", theme="dark")],
       remotes=[remote("https://servicedesk.contoso.com/mcp", headers=[bearer("Service Desk")]),
                remote("https://servicedesk.contoso.com/sse", "sse",
                       headers=[bearer("Service Desk")], since=2)])

server("com.contoso/sharepoint-files", "Document Libraries",
       "Browse, search and summarise files in Contoso document libraries.",
       ["1.0.0", "1.1.0"],
       repository=gh("contoso", "document-libraries-mcp"),
       packages=[nuget("Contoso.DocumentLibraries.Mcp", envs=[
           env("GRAPH_CLIENT_ID", "App registration client id", required=True),
           env("GRAPH_CLIENT_SECRET", "App registration client secret", required=True,
               secret=True)])])

server("com.fabrikam/iot-fleet", "IoT Fleet",
       "Device inventory, firmware rollouts and alerts for Fabrikam IoT fleets.",
       ["1.0.0", "1.1.0", "1.2.0"],
       repository=gh("fabrikam", "iot-fleet-mcp"),
       packages=[oci("mcr.microsoft.com/fabrikam/iot-fleet-mcp",
                     envs=[env("IOT_HUB_CONNECTION", "IoT hub connection string", required=True,
                               secret=True)])],
       remotes=[remote("https://iot.fabrikam.com/fleets/{fleet_id}/mcp", variables={
           "fleet_id": {"description": "Fleet identifier", "isRequired": True}},
           headers=[bearer("Fabrikam IoT")], since=1)])

server("com.northwind/pricing-engine", "Pricing Engine",
       "Quote prices with discounts, tax rules and currency conversion.",
       ["3.0.0", "3.0.1", "3.1.0"],
       repository=gh("northwind-traders", "pricing-engine"),
       packages=[pypi("northwind-pricing-mcp", envs=[
           env("PRICING_API_KEY", "Pricing API key", required=True, secret=True),
           env("PRICING_CURRENCY", "Default currency", default="USD")])])

server("com.adventure-works/dealer-locator", "Dealer Locator",
       "Find Adventure Works dealers, opening hours and service availability.",
       ["1.0.0", "1.1.0"],
       website="https://adventure-works.com/dealers",
       remotes=[remote("https://dealers.adventure-works.com/mcp")])

server("com.tailspin/crew-scheduling", "Crew Scheduling",
       "Roster lookups, duty-time limits and swap requests for flight crews.",
       ["0.9.0", "1.0.0-beta.1", "1.0.0"],
       repository=gh("tailspin", "crew-scheduling-mcp"),
       packages=[pypi("tailspin-crew-scheduling",
                      envs=[env("CREW_API_TOKEN", "Crew API token", required=True, secret=True)]),
                 mcpb("tailspin", "crew-scheduling-mcp", "crew-scheduling",
                      envs=[env("CREW_API_TOKEN", "Crew API token", required=True,
                                secret=True)])])

server("com.wingtiptoys/feature-flags", "Feature Flags",
       "List, toggle and audit feature flags across environments.",
       ["2.0.0", "2.1.0", "2.2.0", "2.3.0"],
       repository=gh("wingtiptoys", "feature-flags-mcp"),
       packages=[npm("@wingtiptoys/feature-flags-mcp", args=[
           named("--environment", "Environment to operate on", value_hint="environment",
                 default="staging")],
           envs=[env("FLAGS_API_KEY", "Feature flag service key", required=True, secret=True)])])

server("com.litware/knowledge-graph", "Knowledge Graph",
       "Query the Litware enterprise knowledge graph of people, projects and documents.",
       ["1.0.0", "1.1.0", "1.2.0"],
       repository=gh("litware", "knowledge-graph-mcp"),
       packages=[oci("docker.io/litware/knowledge-graph-mcp", http=local_http("7474"))],
       remotes=[remote("https://kg.litware.com/mcp", headers=[bearer("Knowledge Graph")])])

server("net.woodgrove/compliance-reports", "Compliance Reports",
       "Generate SOX and PCI evidence packs from audit systems.",
       ["1.0.0", "1.1.0"],
       repository=gh("woodgrove-bank", "compliance-reports-mcp"),
       packages=[mcpb("woodgrove-bank", "compliance-reports-mcp", "compliance-reports",
                      with_version=True)])

server("org.proseware/translation-memory", "Translation Memory",
       "Look up approved translations and glossary terms in 40 languages.",
       ["0.2.0", "0.3.0", "0.4.0"],
       repository=gh("proseware", "translation-memory"),
       packages=[pypi("proseware-translation-memory", http=local_http("9000"))])

server("io.github.tailspin-toys/test-runner", "Test Runner",
       "Run, filter and explain failing unit tests in JavaScript projects.",
       ["1.0.0", "1.1.0", "1.2.0", "1.2.1"],
       repository=gh("tailspin-toys", "test-runner-mcp"),
       packages=[npm("@tailspin-toys/test-runner-mcp", args=[
           named("--cwd", "Project directory", value_hint="directory", fmt="filepath")])])

server("io.github.litware-inc/incident-timeline", "Incident Timeline",
       "Builds incident timelines from alerts, chat and deploy events for postmortems.",
       ["0.1.0", "0.2.0", "0.3.0"],
       repository=gh("litware-inc", "incident-timeline"),
       remotes=[remote("https://incidents.litware.com/mcp", headers=[bearer("Incident Timeline")]),
                remote("https://incidents.litware.com/events", "sse",
                       headers=[bearer("Incident Timeline")])])

server("com.contoso/data-catalog", "Contoso Data Catalog",
       "Discover datasets, owners, lineage and quality checks in the data catalog.",
       ["1.0.0", "2.0.0-alpha.1", "2.0.0-beta.1", "2.0.0"],
       repository=gh("contoso", "data-catalog-mcp"),
       website="https://data.contoso.com/catalog/mcp",
       packages=[pypi("contoso-data-catalog", envs=[
           env("DATA_CATALOG_TOKEN", "Catalog API token", required=True, secret=True)]),
           oci("ghcr.io/contoso/data-catalog-mcp", since=1, envs=[
               env("DATA_CATALOG_TOKEN", "Catalog API token", required=True, secret=True)])],
       remotes=[remote("https://data.contoso.com/catalog/mcp", headers=[bearer("Data Catalog")],
                       since=3)])


# --- expansion -----------------------------------------------------------------------------------

PKG_ORDER = ["registryType", "registryBaseUrl", "identifier", "version", "fileSha256",
             "runtimeHint", "transport", "runtimeArguments", "packageArguments",
             "environmentVariables"]


def subst(value, repl):
    if isinstance(value, str):
        for k, v in repl.items():
            value = value.replace("{" + k + "}", v)
        return value
    if isinstance(value, list):
        return [subst(x, repl) for x in value]
    if isinstance(value, dict):
        return {k: subst(x, repl) for k, x in value.items()}
    return value


def present(items, index):
    out = []
    for item in items:
        if item.get("since", 0) <= index:
            item = {k: v for k, v in item.items() if k != "since"}
            if "environmentVariables" in item:
                item["environmentVariables"] = present(item["environmentVariables"], index)
                if not item["environmentVariables"]:
                    del item["environmentVariables"]
            out.append(item)
    return out


def expand(s):
    docs = []
    for i, version in enumerate(s["versions"]):
        d = {"$schema": SCHEMA, "name": s["name"], "description": s["description"],
             "title": s["title"]}
        if s["repository"]:
            d["repository"] = s["repository"]
        d["version"] = version
        if s["website"]:
            d["websiteUrl"] = s["website"]
        if s["icons"]:
            d["icons"] = s["icons"]
        pkgs = []
        for p in present(s["packages"], i):
            sha = hashlib.sha256(f"{s['name']}@{version}:{p['registryType']}".encode()).hexdigest()
            # Only "{v}" and "{sha}" are ours; other {vars} are URL/argument templates.
            p = subst(p, {"v": version, "sha": sha})
            pkgs.append({k: p[k] for k in PKG_ORDER if k in p})
        if pkgs:
            d["packages"] = pkgs
        remotes = present(s["remotes"], i)
        if remotes:
            d["remotes"] = remotes
        if s["meta"]:
            d["_meta"] = {"io.modelcontextprotocol.registry/publisher-provided": s["meta"]}
        docs.append(d)
    return docs


def self_check(docs):
    """The semantic rules ajv cannot see (official registry §2.5); raises on the first problem."""
    name_re = re.compile(r"^[a-zA-Z0-9][a-zA-Z0-9.-]*[a-zA-Z0-9]/[a-zA-Z0-9][a-zA-Z0-9._-]*"
                         r"[a-zA-Z0-9]$")
    remote_owner = {}
    seen = set()
    for d in docs:
        where = f"{d['name']}@{d['version']}"
        assert name_re.match(d["name"]), where
        assert 1 <= len(d["description"]) <= 100, f"{where}: description length"
        assert (d["name"], d["version"]) not in seen, f"{where}: duplicate"
        seen.add((d["name"], d["version"]))
        for p in d.get("packages", []):
            t = p["registryType"]
            assert " " not in p["identifier"], where
            if t in ("npm", "pypi", "nuget"):
                assert p.get("version") and "fileSha256" not in p, where
            if t == "oci":
                assert "version" not in p and "registryBaseUrl" not in p, where
            if t == "mcpb":
                assert re.match(r"^[a-f0-9]{64}$", p["fileSha256"]), where
                assert p["identifier"].startswith("https://github.com/"), where
                assert "registryBaseUrl" not in p, where
            known = {e["name"] for e in p.get("environmentVariables", [])}
            for a in p.get("runtimeArguments", []) + p.get("packageArguments", []):
                known |= {a.get("name", ""), a.get("valueHint", "")}
                if a["type"] == "named":
                    assert not re.search(r"[<> $]", a["name"]), where
                    for f in ("value", "default"):
                        assert not str(a.get(f, "")).startswith(a["name"]), where
            url = p["transport"].get("url", "")
            for var in re.findall(r"\{([^}]+)\}", url):
                assert var in known, f"{where}: package url var {var}"
        for r in d.get("remotes", []):
            url = r["url"]
            assert url.startswith("https://") and "localhost" not in url, where
            for var in re.findall(r"\{([^}]+)\}", url):
                assert var in r.get("variables", {}), f"{where}: remote url var {var}"
            owner = remote_owner.setdefault(url, d["name"])
            assert owner == d["name"], f"{where}: remote {url} also used by {owner}"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "..", "data", "demo-catalog.json")
    docs = [d for s in SERVERS for d in expand(s)]
    self_check(docs)
    with open(out, "w", encoding="utf-8") as f:
        json.dump(docs, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"wrote {os.path.normpath(out)}: {len(SERVERS)} servers, {len(docs)} versions", file=sys.stderr)


if __name__ == "__main__":
    main()
