// JSON renderings of requests and evidence, shared by REST, CLI and MCP, and the small writers
// the service uses for audit details.
#include <cstdio>

#include "core/json_out.h"
#include "service/governance_rules.h"
#include "service/governance_service.h"

namespace mcpreg::service {
namespace rules {

std::string Details(const std::function<void(json::JsonOut&)>& fill) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject();
  fill(w);
  w.EndObject();
  return out;
}

void WriteIssues(json::JsonOut& w, const std::vector<model::Issue>& issues) {
  w.BeginArray();
  for (const auto& i : issues)
    w.BeginObject()
        .Key("type")
        .String(i.type)
        .Key("path")
        .String(i.path)
        .Key("message")
        .String(i.message)
        .Key("severity")
        .String(i.severity)
        .Key("reference")
        .String(i.reference)
        .EndObject();
  w.EndArray();
}

void WriteGateSummary(json::JsonOut& w, const std::vector<model::Issue>& gates) {
  size_t errors = 0, warnings = 0;
  for (const auto& i : gates) (i.severity == "error" ? errors : warnings)++;
  w.Key("gates")
      .BeginObject()
      .Key("pass")
      .Bool(errors == 0)
      .Key("errors")
      .Int(errors)
      .Key("warnings")
      .Int(warnings)
      .Key("failed")
      .String(FailedRules(gates))
      .EndObject();
}

}  // namespace rules

using rules::WriteIssues;

namespace {

void WriteEvidence(json::JsonOut& w, const Evidence& e) {
  w.BeginObject()
      .Key("id")
      .Int(e.id)
      .Key("server")
      .String(e.server_name)
      .Key("version")
      .String(e.version)
      .Key("digest")
      .String(e.digest)
      .Key("kind")
      .String(e.kind)
      .Key("verdict")
      .String(e.verdict)
      .Key("summary")
      .String(e.summary)
      .Key("at")
      .String(FormatRfc3339(e.at))
      .Key("actor")
      .String(e.actor)
      .Key("details")
      .Raw(e.document)
      .EndObject();
}

void WriteView(json::JsonOut& w, const RequestView& v) {
  const ServerRequest& r = v.request;
  w.BeginObject()
      .Key("name")
      .String(r.name)
      .Key("state")
      .String(r.state)
      .Key("revision")
      .Int(r.revision)
      .Key("createdAt")
      .String(FormatRfc3339(r.created_at))
      .Key("createdBy")
      .String(r.created_by)
      .Key("updatedAt")
      .String(FormatRfc3339(r.updated_at));
  if (!r.decided_by.empty())
    w.Key("decidedBy").String(r.decided_by).Key("decidedAt").String(FormatRfc3339(r.decided_at));
  w.StringIf("reason", r.reason);
  w.Key("request").Raw(r.document);
  w.Key("gates").BeginObject().Key("pass").Bool(v.gates_pass).Key("issues");
  WriteIssues(w, v.gates);
  w.EndObject();
  w.Key("versions").BeginArray();
  for (const auto& c : v.versions) {
    w.BeginObject()
        .Key("version")
        .String(c.version)
        .Key("status")
        .String(c.status)
        .Key("listed")
        .Bool(c.listed);
    w.Key("digests").BeginArray();
    for (const auto& d : c.digests) w.String(d);
    w.EndArray();
    w.Key("gates").BeginObject().Key("pass").Bool(c.gates_pass).Key("issues");
    WriteIssues(w, c.gates);
    w.EndObject();
    w.Key("evidence").BeginObject().Key("pass").Bool(c.evidence_pass).Key("required").BeginArray();
    for (const auto& s : c.evidence) {
      w.BeginObject().Key("kind").String(s.kind).Key("state").String(s.state);
      if (s.latest) {
        w.Key("latest");
        WriteEvidence(w, *s.latest);
      }
      w.EndObject();
    }
    w.EndArray().EndObject();
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

}  // namespace

std::string RequestViewJson(const RequestView& v) {
  std::string out;
  json::JsonOut w(out);
  WriteView(w, v);
  return out;
}

std::string RequestListJson(const std::vector<RequestView>& v) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("requests").BeginArray();
  for (const auto& x : v) WriteView(w, x);
  w.EndArray().Key("metadata").BeginObject().Key("count").Int(v.size()).EndObject().EndObject();
  return out;
}

std::string RequestPageJson(const RequestPage& p) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("requests").BeginArray();
  for (const auto& x : p.items) WriteView(w, x);
  w.EndArray().Key("metadata").BeginObject().Key("count").Int(p.items.size());
  if (p.next_cursor) w.Key("nextCursor").String(*p.next_cursor);
  w.EndObject().EndObject();
  return out;
}

std::string EvidenceJson(const Evidence& e) {
  std::string out;
  json::JsonOut w(out);
  WriteEvidence(w, e);
  return out;
}

std::string EvidenceListJson(const std::vector<Evidence>& v) {
  std::string out;
  json::JsonOut w(out);
  w.BeginObject().Key("evidence").BeginArray();
  for (const auto& e : v) WriteEvidence(w, e);
  w.EndArray().EndObject();
  return out;
}

}  // namespace mcpreg::service
