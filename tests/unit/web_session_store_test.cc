// SessionStore: idle and absolute expiry, the LRU bound, pending sign-ins taken once and
// expiring, and the cookie helpers.
#include <gtest/gtest.h>

#include "api/web/session_store.h"

namespace mcpreg::web {
namespace {

constexpr Micros kSecond = 1000000;

class WebSessionStoreTest : public ::testing::Test {
 protected:
  WebSessionStoreTest() {
    options_.session_ttl_seconds = 1000;
    options_.session_idle_seconds = 100;
    options_.max_sessions = 3;
    options_.max_pending_logins = 2;
  }
  static auth::Principal Who(std::string sub) {
    auth::Principal p;
    p.issuer = "https://idp.example";
    p.subject = std::move(sub);
    return p;
  }
  LoginOptions options_;
  ManualClock clock_{1'700'000'000 * kSecond};
};

TEST_F(WebSessionStoreTest, CreateGivesDistinctIdAndCsrfTokens) {
  SessionStore store(options_, clock_);
  WebSession a = store.Create(Who("alice")), b = store.Create(Who("bob"));
  EXPECT_EQ(a.id.size(), 43u);
  EXPECT_EQ(a.csrf.size(), 43u);
  EXPECT_NE(a.id, b.id);
  EXPECT_NE(a.id, a.csrf);
  auto found = store.Find(a.id);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->who.subject, "alice");
  EXPECT_EQ(found->csrf, a.csrf);
  EXPECT_FALSE(store.Find(""));
  EXPECT_FALSE(store.Find("unknown"));
}

TEST_F(WebSessionStoreTest, IdleSessionExpiresButUseKeepsItAlive) {
  SessionStore store(options_, clock_);
  WebSession s = store.Create(Who("alice"));
  for (int i = 0; i < 5; ++i) {
    clock_.Advance(99 * kSecond);
    EXPECT_TRUE(store.Find(s.id)) << i;
  }
  clock_.Advance(100 * kSecond);
  EXPECT_FALSE(store.Find(s.id));
  EXPECT_EQ(store.size(), 0u);
}

TEST_F(WebSessionStoreTest, SessionEndsAtItsAbsoluteLifetimeWhateverTheUse) {
  SessionStore store(options_, clock_);
  WebSession s = store.Create(Who("alice"));
  for (int i = 0; i < 10; ++i) {
    clock_.Advance(99 * kSecond);
    ASSERT_TRUE(store.Find(s.id)) << i;
  }
  clock_.Advance(10 * kSecond);  // 1000 s after sign-in
  EXPECT_FALSE(store.Find(s.id));
}

TEST_F(WebSessionStoreTest, BeyondMaxSessionsTheLeastRecentlyUsedIsDropped) {
  SessionStore store(options_, clock_);
  WebSession a = store.Create(Who("a")), b = store.Create(Who("b")), c = store.Create(Who("c"));
  EXPECT_TRUE(store.Find(a.id));  // a is now the most recently used; b the least
  WebSession d = store.Create(Who("d"));
  EXPECT_EQ(store.size(), 3u);
  EXPECT_FALSE(store.Find(b.id));
  EXPECT_TRUE(store.Find(a.id));
  EXPECT_TRUE(store.Find(c.id));
  EXPECT_TRUE(store.Find(d.id));
}

TEST_F(WebSessionStoreTest, RemoveEndsTheSession) {
  SessionStore store(options_, clock_);
  WebSession s = store.Create(Who("alice"));
  store.Remove(s.id);
  store.Remove(s.id);  // no-op
  EXPECT_FALSE(store.Find(s.id));
}

TEST_F(WebSessionStoreTest, PendingSignInIsTakenOnce) {
  SessionStore store(options_, clock_);
  store.PutPending({"state-1", "verifier", "nonce", "/next", 0});
  auto p = store.TakePending("state-1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->code_verifier, "verifier");
  EXPECT_EQ(p->nonce, "nonce");
  EXPECT_EQ(p->next, "/next");
  EXPECT_FALSE(store.TakePending("state-1"));
  EXPECT_FALSE(store.TakePending("other"));
}

TEST_F(WebSessionStoreTest, PendingSignInExpires) {
  SessionStore store(options_, clock_);
  store.PutPending({"s1", "v", "n", "/", 0});
  store.PutPending({"s2", "v", "n", "/", 0});
  clock_.Advance((kPendingLoginSeconds - 1) * kSecond);
  EXPECT_TRUE(store.TakePending("s1"));
  clock_.Advance(1 * kSecond);
  EXPECT_FALSE(store.TakePending("s2"));
}

TEST_F(WebSessionStoreTest, PendingSignInsAreBoundedOldestFirst) {
  SessionStore store(options_, clock_);
  store.PutPending({"s1", "v", "n", "/", 0});
  store.PutPending({"s2", "v", "n", "/", 0});
  store.PutPending({"s3", "v", "n", "/", 0});
  EXPECT_FALSE(store.TakePending("s1"));
  EXPECT_TRUE(store.TakePending("s2"));
  EXPECT_TRUE(store.TakePending("s3"));
}

TEST(WebSessionCookieTest, CookieAttributes) {
  EXPECT_EQ(SessionCookie(false, "abc", 60),
            "mcpreg_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=60");
  EXPECT_EQ(SessionCookie(true, "abc", 0),
            "__Host-mcpreg_session=abc; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure");
}

TEST(WebSessionCookieTest, SessionIdFromFindsOnlyWellFormedIdsOfTheRightName) {
  const std::string id = RandomToken();
  http::HttpRequest req;
  req.headers = {{"Cookie", "a=b; mcpreg_session=" + id + "; c=d"}};
  EXPECT_EQ(SessionIdFrom(req, false), id);
  EXPECT_EQ(SessionIdFrom(req, true), "");  // over https only the __Host- cookie counts
  req.headers = {{"cookie", "__Host-mcpreg_session=" + id}};
  EXPECT_EQ(SessionIdFrom(req, true), id);
  req.headers = {{"Cookie", "mcpreg_session=short"}, {"Cookie", "mcpreg_session=" + id}};
  EXPECT_EQ(SessionIdFrom(req, false), id);
  req.headers = {{"Cookie", "mcpreg_session=" + std::string(42, 'a') + "!"}};
  EXPECT_EQ(SessionIdFrom(req, false), "");
}

TEST(WebSessionCookieTest, TokensEqual) {
  EXPECT_TRUE(TokensEqual("abc", "abc"));
  EXPECT_FALSE(TokensEqual("abc", "abd"));
  EXPECT_FALSE(TokensEqual("abc", "ab"));
  EXPECT_FALSE(TokensEqual("", ""));  // an absent token never matches
}

}  // namespace
}  // namespace mcpreg::web
