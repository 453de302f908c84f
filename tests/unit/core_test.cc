#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "core/json_out.h"
#include "mcpreg/clock.h"
#include "mcpreg/status.h"

namespace mcpreg {
namespace {

TEST(StatusTest, OkIsOkAndMapsTo200) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(HttpStatusFor(s.code()), 200);
}

TEST(StatusTest, CodesMapToHttpJsonRpcAndExit) {
  EXPECT_EQ(HttpStatusFor(Code::kNotFound), 404);
  EXPECT_EQ(HttpStatusFor(Code::kUnprocessable), 422);
  EXPECT_EQ(JsonRpcCodeFor(Code::kInvalidArgument), -32602);
  EXPECT_EQ(ExitCodeFor(Code::kInvalidArgument), 2);
  Result<int> r = Status::NotFound("x");
  EXPECT_FALSE(r.ok());
  EXPECT_TRUE(r.status().IsNotFound());
}

TEST(JsonOutTest, EscapesLikeGoWithoutHtmlEscaping) {
  std::string out;
  json::AppendString(out, "a<b>&\"\\\n\x01\xe2\x80\xa8z\xff");
  EXPECT_EQ(out, "\"a<b>&\\\"\\\\\\n\\u0001\\u2028z\xEF\xBF\xBD\"");
}

TEST(JsonOutTest, GoValueSortsKeysAndFormatsFloats) {
  auto v = boost::json::parse(R"({"b":1,"a":[1.5,1e21,0.0000001],"c":{"z":true,"y":null}})");
  std::string out;
  json::AppendGoValue(out, v);
  EXPECT_EQ(out, R"({"a":[1.5,1e+21,1e-07],"b":1,"c":{"y":null,"z":true}})");
}

TEST(ClockTest, FormatsLikeGoRfc3339Nano) {
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339(1760955072123450), "2025-10-20T10:11:12.12345Z");
}

TEST(ClockTest, ParsesOffsetsAndRejectsGarbage) {
  auto t = ParseRfc3339("2025-10-20T12:11:12.12345+02:00");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(*t, 1760955072123450);
  EXPECT_FALSE(ParseRfc3339("2025-10-20").ok());
  EXPECT_FALSE(ParseRfc3339("2025-02-30T00:00:00Z").ok());
  EXPECT_FALSE(ParseRfc3339("2025-10-20T10:11:12Zjunk").ok());
}

}  // namespace
}  // namespace mcpreg
