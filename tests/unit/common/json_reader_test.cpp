#include "authd/json_reader.h"

#include <doctest/doctest.h>

#include "authd/protocol.h"

using authd::JsonReader;
using authd::parseProtocolLine;

TEST_CASE("parseProtocolLine accepts one object") {
  std::string error;
  auto v = parseProtocolLine(R"({"v":1,"id":2,"op":"ping"})", &error);
  REQUIRE(v.has_value());
  CHECK((*v)["op"] == "ping");
}

TEST_CASE("parseProtocolLine rejects trailing garbage") {
  std::string error;
  CHECK_FALSE(parseProtocolLine(R"({"v":1} x)", &error).has_value());
  CHECK_FALSE(parseProtocolLine(R"({"v":1}{"v":1})", &error).has_value());
}

TEST_CASE("parseProtocolLine rejects truncated input") {
  std::string error;
  CHECK_FALSE(parseProtocolLine(R"({"v":1,"op":"pi)", &error).has_value());
  CHECK_FALSE(parseProtocolLine("", &error).has_value());
}

TEST_CASE("parseProtocolLine rejects non-objects") {
  std::string error;
  CHECK_FALSE(parseProtocolLine("[1,2]", &error).has_value());
  CHECK(error == "request is not a JSON object");
  CHECK_FALSE(parseProtocolLine("42", &error).has_value());
}

TEST_CASE("parseProtocolLine rejects deep nesting") {
  std::string error;
  CHECK_FALSE(parseProtocolLine(R"({"a":{"b":{"c":{"d":1}}}})", &error).has_value());
  CHECK(error.find("nested deeper") != std::string::npos);
  CHECK(parseProtocolLine(R"({"a":{"b":[1]}})", &error).has_value());
}

TEST_CASE("parseProtocolLine rejects oversized lines") {
  std::string error;
  std::string big = R"({"user":")" + std::string(authd::protocol::kMaxLineBytes, 'a') + R"("})";
  CHECK_FALSE(parseProtocolLine(big, &error).has_value());
  CHECK(error.find("larger than") != std::string::npos);
  // Responses may be longer (clients read them with the response limit).
  CHECK(parseProtocolLine(big, &error, authd::protocol::kMaxResponseLineBytes).has_value());
}

TEST_CASE("JsonReader reads typed fields and rejects unknown ones") {
  auto v = nlohmann::json::parse(R"({"user":"alice","n":5,"flag":true,"extra":1})");
  JsonReader r(v);
  CHECK(r.requireString("user", 16) == "alice");
  CHECK(r.requireInt("n", 0, 10) == 5);
  CHECK(r.optionalBool("flag") == true);
  CHECK_FALSE(r.finish());
  CHECK(r.error() == "unknown field \"extra\"");
}

TEST_CASE("JsonReader enforces types, lengths and ranges") {
  auto v = nlohmann::json::parse(R"({"s":"abcdef","n":11,"t":"x","c":"a\nb","neg":-1})");
  {
    JsonReader r(v);
    CHECK_FALSE(r.requireString("s", 5).has_value());
    CHECK(r.failed());
  }
  {
    JsonReader r(v);
    CHECK_FALSE(r.requireInt("n", 0, 10).has_value());
  }
  {
    JsonReader r(v);
    CHECK_FALSE(r.requireInt("t", 0, 10).has_value());
    CHECK(r.error() == "field \"t\" must be an integer");
  }
  {
    JsonReader r(v);
    CHECK_FALSE(r.requireString("c", 10).has_value());
    CHECK(r.error() == "field \"c\" contains control or bidi formatting characters");
  }
  {
    JsonReader r(v);
    CHECK_FALSE(r.requireString("missing", 10).has_value());
    CHECK(r.error() == "missing field \"missing\"");
  }
  {
    JsonReader r(v);
    CHECK(r.optionalInt("neg", -5, 5) == -1);
    CHECK_FALSE(r.optionalString("absent", 5).has_value());
    CHECK_FALSE(r.failed());
  }
}

TEST_CASE("parseProtocolLine refuses a key given twice, at any depth") {
  std::string error;
  CHECK_FALSE(parseProtocolLine(R"({"v":1,"op":"verify","op":"ping"})", &error).has_value());
  CHECK(error == "request repeats the key \"op\"");
  CHECK_FALSE(parseProtocolLine(R"({"a":{"b":1,"b":1}})", &error).has_value());
  CHECK(error == "request repeats the key \"b\"");
  CHECK_FALSE(parseProtocolLine(R"({"":1,"":2})", &error).has_value());
  // The same key in sibling objects, or in an object and its parent, is not a repetition.
  CHECK(parseProtocolLine(R"({"b":1,"a":{"b":1},"c":[{"b":1},{"b":2}]})", &error).has_value());
}

TEST_CASE("parseProtocolLine refuses a carriage return anywhere in the line") {
  std::string error;
  CHECK_FALSE(parseProtocolLine("{\"v\":1,\"op\":\"ping\"}\r", &error).has_value());
  CHECK(error == "request contains a carriage return");
  CHECK_FALSE(parseProtocolLine("{\"v\":1,\r\"op\":\"ping\"}", &error).has_value());
  CHECK(error == "request contains a carriage return");
}

TEST_CASE("JsonReader refuses C1 controls and bidi formatting characters in strings") {
  for (const char* bad : {"a\u0085b", "\u009b31m", "abc\u202e", "\u202a", "\u2066x", "x\u2069",
                          "\u200e", "\u200f", "\u061c", "a\rb", "a\x7f"}) {
    nlohmann::json v = {{"user", bad}};
    JsonReader r(v);
    CHECK_FALSE(r.requireString("user", 64).has_value());
    CHECK(r.error() == "field \"user\" contains control or bidi formatting characters");
  }
  nlohmann::json ok = {{"user", "Jos\u00e9 \u05d0\u05d1 \u4e2d"}};
  JsonReader r(ok);
  CHECK(r.requireString("user", 64).has_value());
}
