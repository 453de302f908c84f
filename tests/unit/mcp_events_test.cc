// Resource change notifications (mcp/events.h): the hub, legacy sessions' resources/subscribe,
// and 2026-07-28 subscriptions/listen held open, bounded and ended.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <mutex>

#include "mcp/events.h"
#include "mcp/modern.h"
#include "mcp/server.h"
#include "mcp/session.h"
#include "support/mcp_outbox.h"

namespace mcpreg::mcp {
namespace {
namespace bj = boost::json;

using Capture = testing::CaptureOutbox;

constexpr char kUri[] = "test://doc/1";

McpServer MakeServer(bool events, size_t max_listeners = 1024) {
  ServerOptions o;
  o.max_listeners = max_listeners;
  McpServer s(o);
  s.AddResource({{kUri, "doc", "", "a document", "text/plain"},
                 [](std::string_view uri) -> Result<bj::array> {
                   return bj::array{bj::object{{"uri", uri}, {"text", "x"}}};
                 }});
  if (events) s.events().Enable();
  return s;
}

std::string Listen(std::string_view id, std::string_view notifications) {
  return std::string(R"({"jsonrpc":"2.0","id":)") + std::string(id) +
         R"(,"method":"subscriptions/listen","params":{"notifications":)" + std::string(notifications) +
         R"(,"_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}}})";
}

TEST(ResourceEventsTest, DeliversWhatEachSubscriberWantsAndBoundsListeners) {
  ResourceEvents hub(/*max_listeners=*/1);
  std::vector<std::string> got;
  auto sub = [&](std::string who, bool list, std::string uri) {
    ResourceEvents::Subscriber s;
    s.wants = [uri](std::string_view u) { return u == uri; };
    s.list_changed = list;
    s.deliver = [&got, who](std::string_view method, bj::object p) {
      got.push_back(who + " " + std::string(method) + " " + bj::serialize(p));
    };
    return s;
  };
  uint64_t a = hub.Add(sub("a", true, "u1"), /*listener=*/true);
  uint64_t b = hub.Add(sub("b", false, "u2"), /*listener=*/false);  // sessions are not counted
  EXPECT_NE(a, 0u);
  EXPECT_NE(b, 0u);
  EXPECT_EQ(hub.Add(sub("c", true, "u1"), true), 0u);  // over max_listeners
  hub.ResourceUpdated("u1");
  hub.ResourceUpdated("u3");
  hub.ResourcesListChanged();
  EXPECT_EQ(got, (std::vector<std::string>{R"(a notifications/resources/updated {"uri":"u1"})",
                                           "a notifications/resources/list_changed {}"}));
  hub.Remove(a);
  EXPECT_EQ(hub.listeners(), 0u);
  EXPECT_NE(hub.Add(sub("c", true, "u1"), true), 0u);  // room again
  got.clear();
  hub.ResourceUpdated("u2");
  EXPECT_EQ(got, (std::vector<std::string>{R"(b notifications/resources/updated {"uri":"u2"})"}));
}

TEST(ResourceEventsTest, WithoutEventsNothingIsDeclaredAndListenHonorsNothing) {
  McpServer server = MakeServer(false);
  EXPECT_TRUE(server.Capabilities(false).at("resources").as_object().empty());
  EXPECT_TRUE(server.Capabilities(true).at("resources").as_object().empty());
  auto c = std::make_shared<Capture>();
  Session::Create(server)->HandleText(Listen("1", R"({"resourcesListChanged":true,"resourceSubscriptions":["test://doc/1"]})"), c);
  ASSERT_EQ(c->Sent().size(), 1u);
  EXPECT_TRUE(bj::parse(c->Sent()[0]).at("params").at("notifications").as_object().empty());
  EXPECT_EQ(c->finished, 1);
  EXPECT_EQ(server.events().listeners(), 0u);
}

TEST(ResourceEventsTest, LegacySessionGetsUpdatesOfItsSubscriptionsAndListChanges) {
  McpServer server = MakeServer(true);
  EXPECT_EQ(server.Capabilities(false).at("resources"), bj::parse(R"({"subscribe":true,"listChanged":true})"));
  auto s = Session::Create(server);
  std::vector<std::string> notes;
  std::mutex mu;
  s->SetNotifier([&](std::string m) {
    std::lock_guard l(mu);
    notes.push_back(std::move(m));
  });
  auto call = [&](std::string_view text) {
    auto c = std::make_shared<Capture>();
    s->HandleText(text, c);
    return c->response;
  };
  call(R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{}}})");
  server.events().ResourceUpdated(kUri);  // not subscribed yet
  call(R"({"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"test://doc/1"}})");
  server.events().ResourceUpdated(kUri);
  server.events().ResourceUpdated("test://doc/2");
  server.events().ResourcesListChanged();
  {
    std::lock_guard l(mu);
    ASSERT_EQ(notes.size(), 2u);
    EXPECT_EQ(bj::parse(notes[0]), bj::parse(R"({"jsonrpc":"2.0","method":"notifications/resources/updated","params":{"uri":"test://doc/1"}})"));
    EXPECT_EQ(bj::parse(notes[1]).at("method"), "notifications/resources/list_changed");
  }
  call(R"({"jsonrpc":"2.0","id":3,"method":"resources/unsubscribe","params":{"uri":"test://doc/1"}})");
  s->Close();
  server.events().ResourceUpdated(kUri);
  server.events().ResourcesListChanged();
  std::lock_guard l(mu);
  EXPECT_EQ(notes.size(), 2u);  // closed: nothing more
}

TEST(ResourceEventsTest, ListenStaysOpenDeliversTaggedNotificationsAndEndsWhenTheClientGoes) {
  McpServer server = MakeServer(true);
  EXPECT_EQ(server.Capabilities(true).at("resources"), bj::parse(R"({"subscribe":true,"listChanged":true})"));
  auto c = std::make_shared<Capture>();
  Session::Create(server)->HandleText(
      Listen("\"L\"", R"({"toolsListChanged":true,"resourcesListChanged":true,"resourceSubscriptions":["test://doc/1","test://doc/1"]})"), c);
  auto sent = c->Sent();
  ASSERT_EQ(sent.size(), 1u);
  auto ack = bj::parse(sent[0]).as_object();
  EXPECT_EQ(ack.at("method"), "notifications/subscriptions/acknowledged");
  // Tool lists never change: not honored. Duplicates are kept once.
  EXPECT_EQ(ack.at("params").at("notifications"),
            bj::parse(R"({"resourcesListChanged":true,"resourceSubscriptions":["test://doc/1"]})"));
  EXPECT_EQ(c->finished, 0);  // open
  EXPECT_EQ(server.events().listeners(), 1u);

  server.events().ResourceUpdated(kUri);
  server.events().ResourceUpdated("test://doc/2");
  server.events().ResourcesListChanged();
  sent = c->Sent();
  ASSERT_EQ(sent.size(), 3u);
  auto update = bj::parse(sent[1]).as_object();
  EXPECT_EQ(update.at("method"), "notifications/resources/updated");
  EXPECT_EQ(update.at("params").at("uri"), kUri);
  EXPECT_EQ(update.at("params").at("_meta").at(kMetaSubscriptionId), "L");
  EXPECT_EQ(bj::parse(sent[2]).at("params").at("_meta").at(kMetaSubscriptionId), "L");

  ASSERT_TRUE(c->gone);
  c->gone();  // HTTP: the client closed the stream
  EXPECT_EQ(c->finished, 1);
  EXPECT_TRUE(c->response.empty());
  EXPECT_EQ(server.events().listeners(), 0u);
  server.events().ResourcesListChanged();
  EXPECT_EQ(c->Sent().size(), 3u);
}

TEST(ResourceEventsTest, ListenOnStdioEndsOnCancelAndAllEndAtShutdown) {
  McpServer server = MakeServer(true, /*max_listeners=*/2);
  auto process = Session::Create(server);  // one stdio process
  auto a = std::make_shared<Capture>(), b = std::make_shared<Capture>(), c = std::make_shared<Capture>();
  process->HandleText(Listen("1", R"({"resourcesListChanged":true})"), a);
  process->HandleText(Listen("2", R"({"resourcesListChanged":true})"), b);
  process->HandleText(Listen("3", R"({"resourcesListChanged":true})"), c);
  EXPECT_EQ(bj::parse(c->response).at("error").at("code"), -32000);  // over max_listeners
  process->HandleText(R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":1}})", nullptr);
  EXPECT_EQ(a->finished, 1);
  EXPECT_TRUE(a->response.empty());
  EXPECT_EQ(server.events().listeners(), 1u);
  server.events().CloseAll();  // shutdown: the open listen ends with its result
  EXPECT_EQ(b->finished, 1);
  auto result = bj::parse(b->response).at("result").as_object();
  EXPECT_EQ(result.at("resultType"), "complete");
  EXPECT_EQ(result.at("_meta").at(kMetaSubscriptionId), 2);
}

TEST(ResourceEventsTest, ListenFiltersAreBounded) {
  McpServer server = MakeServer(true);
  std::string many = "[";
  for (int i = 0; i < 257; ++i) many += std::string(i ? "," : "") + "\"test://d/" + std::to_string(i) + "\"";
  many += "]";
  for (std::string filter : {std::string(R"({"resourceSubscriptions":"test://doc/1"})"),
                             std::string(R"({"resourceSubscriptions":[17]})"),
                             R"({"resourceSubscriptions":[")" + std::string(2049, 'u') + R"("]})",
                             R"({"resourceSubscriptions":)" + many + "}"}) {
    auto c = std::make_shared<Capture>();
    Session::Create(server)->HandleText(Listen("1", filter), c);
    ASSERT_FALSE(c->response.empty()) << filter.substr(0, 60);
    EXPECT_EQ(bj::parse(c->response).at("error").at("code"), kInvalidParams) << filter.substr(0, 60);
  }
  EXPECT_EQ(server.events().listeners(), 0u);
}

}  // namespace
}  // namespace mcpreg::mcp
