// The publishing client's token file: location, permissions, expiry and registry matching.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>

#include "client/token_file.h"

namespace mcpreg::client {
namespace {

constexpr int64_t kNow = 1760000000;

EnvLookup MapEnv(std::map<std::string, std::string> m) {
  return [m](const std::string& name) -> std::optional<std::string> {
    auto it = m.find(name);
    if (it == m.end()) return std::nullopt;
    return it->second;
  };
}

class TokenFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("mcpreg-client-token-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  static unsigned Mode(const std::filesystem::path& p) {
    struct stat sb {};
    EXPECT_EQ(::stat(p.c_str(), &sb), 0) << p;
    return sb.st_mode & 07777;
  }
  std::string Path() const { return (dir_ / "cfg" / "mcpreg" / "token.json").string(); }
  StoredToken Token(int64_t expires_at = kNow + 300) const {
    return {"http://reg.test:8080", "eyJ.secret.token", expires_at};
  }

  std::filesystem::path dir_;
};

TEST_F(TokenFileTest, WriteThenReadRoundTrips) {
  ASSERT_TRUE(WriteTokenFile(Path(), Token()).ok());
  auto t = ReadTokenFile(Path(), kNow);
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  EXPECT_EQ(t->registry, "http://reg.test:8080");
  EXPECT_EQ(t->registry_token, "eyJ.secret.token");
  EXPECT_EQ(t->expires_at, kNow + 300);
  std::ifstream in(Path());
  std::string text((std::istreambuf_iterator<char>(in)), {});
  EXPECT_EQ(
      text,
      R"({"registry":"http://reg.test:8080","registry_token":"eyJ.secret.token","expires_at":1760000300})"
      "\n");
}

TEST_F(TokenFileTest, WriteCreatesFile0600AndMissingDirectories0700EvenWithOpenUmask) {
  mode_t old = ::umask(0);
  Status st = WriteTokenFile(Path(), Token());
  ::umask(old);
  ASSERT_TRUE(st.ok()) << st.ToString();
  EXPECT_EQ(Mode(Path()), 0600u);
  EXPECT_EQ(Mode(dir_ / "cfg" / "mcpreg"), 0700u);
  EXPECT_EQ(Mode(dir_ / "cfg"), 0700u);
  // No temp files left behind.
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_ / "cfg" / "mcpreg"), {}), 1);
}

TEST_F(TokenFileTest, WriteReplacesWorldReadableFileWithPrivateOne) {
  std::filesystem::create_directories(dir_ / "cfg" / "mcpreg");
  std::ofstream(Path()) << "old";
  ::chmod(Path().c_str(), 0644);
  ASSERT_TRUE(WriteTokenFile(Path(), Token()).ok());
  EXPECT_EQ(Mode(Path()), 0600u);
  EXPECT_TRUE(ReadTokenFile(Path(), kNow).ok());
}

TEST_F(TokenFileTest, WriteUnderARegularFileIsUnavailable) {
  std::ofstream(dir_ / "plain") << "x";
  Status st = WriteTokenFile((dir_ / "plain" / "mcpreg" / "token.json").string(), Token());
  EXPECT_EQ(st.code(), Code::kUnavailable);
  EXPECT_NE(st.message().find("cannot create directory"), std::string::npos) << st.message();
  EXPECT_NE(st.message().find("plain/mcpreg"), std::string::npos) << st.message();
  EXPECT_EQ(ExitCodeFor(st.code()), 3);
}

TEST_F(TokenFileTest, ReadMissingFileTellsToLogIn) {
  auto t = ReadTokenFile(Path(), kNow);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsUnauthenticated());
  EXPECT_NE(t.status().message().find("run `mcpreg login oidc` first"), std::string::npos);
  EXPECT_NE(t.status().message().find(Path()), std::string::npos);
  EXPECT_EQ(ExitCodeFor(t.status().code()), 1);
}

TEST_F(TokenFileTest, ReadExpiredTokenIsUnauthenticatedAndNamesTheTime) {
  ASSERT_TRUE(WriteTokenFile(Path(), Token(kNow - 1)).ok());
  auto t = ReadTokenFile(Path(), kNow);
  ASSERT_FALSE(t.ok());
  EXPECT_TRUE(t.status().IsUnauthenticated());
  EXPECT_NE(t.status().message().find("expired at 2025-10-09T08:53:19Z"), std::string::npos)
      << t.status().message();
  EXPECT_NE(t.status().message().find("run `mcpreg login oidc` first"), std::string::npos);
  EXPECT_EQ(t.status().message().find("eyJ.secret.token"), std::string::npos);
}

TEST_F(TokenFileTest, ReadTokenExpiringWithinSlackCountsAsExpired) {
  ASSERT_TRUE(WriteTokenFile(Path(), Token(kNow + kExpirySlackSeconds)).ok());
  EXPECT_FALSE(ReadTokenFile(Path(), kNow).ok());
  ASSERT_TRUE(WriteTokenFile(Path(), Token(kNow + kExpirySlackSeconds + 1)).ok());
  EXPECT_TRUE(ReadTokenFile(Path(), kNow).ok());
}

TEST_F(TokenFileTest, ReadGroupOrWorldAccessibleFileIsRefused) {
  ASSERT_TRUE(WriteTokenFile(Path(), Token()).ok());
  for (mode_t m : {0640, 0604, 0660}) {
    ::chmod(Path().c_str(), m);
    auto t = ReadTokenFile(Path(), kNow);
    ASSERT_FALSE(t.ok()) << std::oct << m;
    EXPECT_EQ(t.status().code(), Code::kFailedPrecondition);
    EXPECT_NE(t.status().message().find("chmod 600"), std::string::npos) << t.status().message();
  }
  ::chmod(Path().c_str(), 0400);
  EXPECT_TRUE(ReadTokenFile(Path(), kNow).ok());
}

TEST_F(TokenFileTest, ReadMalformedFilesAreFailedPrecondition) {
  std::filesystem::create_directories(dir_ / "cfg" / "mcpreg");
  for (const char* text : {"not json", "[]", R"({"registry":"http://x","expires_at":1})",
                           R"({"registry":"http://x","registry_token":"t"})",
                           R"({"registry":"http://x","registry_token":"t","expires_at":"soon"})",
                           R"({"registry_token":"t","expires_at":9999999999})"}) {
    { std::ofstream(Path()) << text; }
    ::chmod(Path().c_str(), 0600);
    auto t = ReadTokenFile(Path(), kNow);
    ASSERT_FALSE(t.ok()) << text;
    EXPECT_EQ(t.status().code(), Code::kFailedPrecondition) << text;
    EXPECT_NE(t.status().message().find("mcpreg login oidc"), std::string::npos) << text;
  }
}

TEST(TokenFilePathTest, EnvironmentPrecedence) {
  EXPECT_EQ(*TokenFilePath(MapEnv(
                {{"MCPREG_TOKEN_FILE", "/a/t.json"}, {"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})),
            "/a/t.json");
  EXPECT_EQ(*TokenFilePath(MapEnv({{"XDG_CONFIG_HOME", "/x"}, {"HOME", "/h"}})),
            "/x/mcpreg/token.json");
  EXPECT_EQ(*TokenFilePath(MapEnv({{"HOME", "/h"}})), "/h/.config/mcpreg/token.json");
  auto none = TokenFilePath(MapEnv({}));
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.status().message().find("MCPREG_TOKEN_FILE"), std::string::npos);
}

TEST(LoginRegistryTest, FlagThenEnvironmentThenDefault) {
  EXPECT_EQ(LoginRegistry("https://r.example/", MapEnv({{"MCPREG_REGISTRY", "http://e"}})),
            "https://r.example");
  EXPECT_EQ(LoginRegistry("", MapEnv({{"MCPREG_REGISTRY", "http://e//"}})), "http://e");
  EXPECT_EQ(LoginRegistry("", MapEnv({})), "http://127.0.0.1:8080");
}

TEST_F(TokenFileTest, LoadLoginUsesTheTokensRegistryUnlessAnotherIsAskedFor) {
  ASSERT_TRUE(WriteTokenFile(Path(), Token()).ok());
  auto env = MapEnv({{"MCPREG_TOKEN_FILE", Path()}});
  auto same = LoadLogin("", env, kNow);
  ASSERT_TRUE(same.ok()) << same.status().ToString();
  EXPECT_EQ(same->registry, "http://reg.test:8080");
  EXPECT_TRUE(LoadLogin("http://reg.test:8080/", env, kNow).ok());

  auto other = LoadLogin("https://elsewhere.example", env, kNow);
  ASSERT_FALSE(other.ok());
  EXPECT_TRUE(other.status().IsUnauthenticated());
  EXPECT_NE(other.status().message().find(
                "run `mcpreg login oidc --registry https://elsewhere.example` first"),
            std::string::npos)
      << other.status().message();

  auto env_other = MapEnv({{"MCPREG_TOKEN_FILE", Path()}, {"MCPREG_REGISTRY", "http://e"}});
  EXPECT_FALSE(LoadLogin("", env_other, kNow).ok());
  EXPECT_TRUE(LoadLogin("http://reg.test:8080", env_other, kNow).ok());  // the flag wins
}

}  // namespace
}  // namespace mcpreg::client
