// The `mcp:` config section: session limits reach McpHttpOptions.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/mcp/http_config.h"

namespace mcpreg::mcpapi {
namespace {
namespace bj = boost::json;

TEST(McpHttpConfigTest, SessionLimitKeysHaveDefaultsAndParse) {
  auto d = ParseMcpConfig(bj::object{});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->http.session_idle_ttl, std::chrono::seconds(600));
  EXPECT_EQ(d->http.max_sessions, 10000u);
  EXPECT_EQ(d->http.max_sessions_per_client, 64u);
  EXPECT_EQ(d->http.session_limits.max_client_capabilities_bytes, 16384u);
  EXPECT_EQ(d->http.session_limits.max_subscriptions, 256u);
  EXPECT_EQ(d->http.session_limits.max_subscription_uri_bytes, 2048u);

  auto c = ParseMcpConfig(bj::parse(R"({"session_idle_ttl_seconds":60,"max_sessions":50,
      "max_sessions_per_client":5,"max_client_capabilities_bytes":1000,
      "max_subscriptions_per_session":10,"max_subscription_uri_bytes":100})")
                              .as_object());
  ASSERT_TRUE(c.ok()) << c.status().message();
  EXPECT_EQ(c->http.session_idle_ttl, std::chrono::seconds(60));
  EXPECT_EQ(c->http.max_sessions, 50u);
  EXPECT_EQ(c->http.max_sessions_per_client, 5u);
  EXPECT_EQ(c->http.session_limits.max_client_capabilities_bytes, 1000u);
  EXPECT_EQ(c->http.session_limits.max_subscriptions, 10u);
  EXPECT_EQ(c->http.session_limits.max_subscription_uri_bytes, 100u);

  auto bad = ParseMcpConfig(bj::parse(R"({"max_sessions_per_client":0})").as_object());
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("mcp.max_sessions_per_client"), std::string::npos);
}

}  // namespace
}  // namespace mcpreg::mcpapi
