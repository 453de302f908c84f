#include <gtest/gtest.h>

#include "api/rest/response_cache.h"

namespace mcpreg::rest {
namespace {

TEST(ResponseCacheTest, HitsOnlyAtTheSameGeneration) {
  ResponseCache c;
  c.Put("limit=1", 7, std::make_shared<const std::string>("body7"));
  auto hit = c.Get("limit=1", 7);
  ASSERT_TRUE(hit);
  EXPECT_EQ(*hit, "body7");
  EXPECT_FALSE(c.Get("limit=1", 8));  // a write happened since: never serve stale
  EXPECT_FALSE(c.Get("limit=2", 7));
}

TEST(ResponseCacheTest, OlderRenderDoesNotReplaceNewer) {
  ResponseCache c;
  c.Put("q", 9, std::make_shared<const std::string>("new"));
  c.Put("q", 8, std::make_shared<const std::string>("old"));
  EXPECT_EQ(*c.Get("q", 9), "new");
}

TEST(ResponseCacheTest, StaysWithinItsBounds) {
  ResponseCache c(/*max_entries=*/32, /*max_bytes=*/1 << 20);
  for (int i = 0; i < 1000; ++i)
    c.Put("k" + std::to_string(i), 1, std::make_shared<const std::string>(1000, 'x'));
  int present = 0;
  for (int i = 0; i < 1000; ++i) present += c.Get("k" + std::to_string(i), 1) != nullptr;
  EXPECT_LE(present, 32);
  EXPECT_GT(present, 0);
  c.Put("huge", 1, std::make_shared<const std::string>(1 << 20, 'x'));
  EXPECT_FALSE(c.Get("huge", 1));
}

}  // namespace
}  // namespace mcpreg::rest
