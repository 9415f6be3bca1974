#include "authd/client_io.h"

#include <doctest/doctest.h>

#include <algorithm>

#include "authd/protocol.h"

using authd::ClientError;
using nlohmann::json;
namespace io = authd::client_io;

TEST_CASE("client_io: the request line carries v and id, and the request's secrets are wiped") {
  json request = {{"op", "verify"}, {"user", "alice"}, {"code", "123456"}};
  std::string line = io::requestLine(request, 7);
  REQUIRE(line.back() == '\n');
  json sent = json::parse(line);
  CHECK(sent["v"] == authd::protocol::kVersion);
  CHECK(sent["id"] == 7);
  CHECK(sent["code"] == "123456");
  CHECK(request["code"] != "123456");
  CHECK(request["user"] == "alice");
}

TEST_CASE("client_io: lines are taken one at a time, and only whole ones") {
  std::string pending = "{\"a\":1}\n{\"b\":";
  CHECK(io::takeLine(pending) == "{\"a\":1}");
  CHECK(pending == "{\"b\":");
  CHECK_FALSE(io::takeLine(pending));
  pending += "2}\n";
  CHECK(io::takeLine(pending) == "{\"b\":2}");
  CHECK(pending.empty());
}

TEST_CASE("client_io: a response line is too long at the protocol's limit for responses") {
  CHECK_FALSE(io::lineTooLong(std::string(authd::protocol::kMaxResponseLineBytes - 1, 'x')));
  CHECK(io::lineTooLong(std::string(authd::protocol::kMaxResponseLineBytes, 'x')));
}

// An admin answer listing many rows (audit, sessions) is longer than any request may be.
TEST_CASE("client_io: a response longer than a request line is received and read") {
  json rows = json::array();
  for (int i = 0; i < 2000; ++i) rows.push_back({{"user", "user" + std::to_string(i)}});
  std::string wire = json{{"v", 1}, {"id", 5}, {"ok", true}, {"sessions", rows}}.dump() + "\n";
  REQUIRE(wire.size() > authd::protocol::kMaxLineBytes);
  std::size_t sent = 0;
  io::ReadSome readSome = [&](char* buffer, std::size_t size) {
    const std::size_t n = std::min(size, wire.size() - sent);
    std::copy_n(wire.data() + sent, n, buffer);
    sent += n;
    return n;
  };
  std::string pending;
  ClientError error;
  auto line = io::receiveLine(pending, readSome, &error);
  REQUIRE(line);
  auto response = io::readResponse(*line, 5, &error);
  REQUIRE(response);
  CHECK((*response)["sessions"].size() == 2000);
}

TEST_CASE("client_io: a response with a valid envelope is returned, the line wiped") {
  std::string line = R"({"v":1,"id":3,"ok":true,"secret":"JBSWY3DP"})";
  ClientError error;
  auto response = io::readResponse(line, 3, &error);
  REQUIRE(response);
  CHECK((*response)["secret"] == "JBSWY3DP");
  CHECK(line.empty());
  std::string refused = R"({"v":1,"id":4,"ok":false,"error":"forbidden"})";
  CHECK(io::readResponse(refused, 4, &error));
}

TEST_CASE("client_io: a broken envelope is a protocol error") {
  for (const char* bad :
       {R"({"v":2,"id":3,"ok":true})", R"({"id":3,"ok":true})", R"({"v":1,"id":4,"ok":true})",
        R"({"v":1,"ok":true})", R"({"v":1,"id":"3","ok":true})", R"({"v":1,"id":3})",
        R"({"v":1,"id":3,"ok":"yes"})", R"([1,2])", "not json", ""}) {
    CAPTURE(bad);
    std::string line = bad;
    ClientError error;
    CHECK_FALSE(io::readResponse(line, 3, &error));
    CHECK(error.kind == ClientError::Kind::protocol);
    CHECK_FALSE(error.message.empty());
  }
}
