// The protocol as a client sees it: request lines in, response lines out, with a real SQLite
// store in a temporary directory, an injected clock and an in-memory account list.
#include "authd/api/dispatcher.h"

#include <doctest/doctest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <cstring>
#include <filesystem>
#include <thread>

#include "authd/logon/totp.h"
#include "authd/protocol.h"
#include "authd/store/store_sqlite.h"
#include "unit/authd/api/dispatcher_harness.h"

using namespace authd;
using nlohmann::json;
namespace asio = boost::asio;

namespace {

using authd::testing::Harness;

std::string codeAt(const SecretBytes& secret, std::int64_t time, int stepOffset = 0) {
  return totpCode(secret, TotpSpec{}, totpStepAt(time) + stepOffset);
}

}  // namespace

TEST_CASE("malformed, truncated and oversized lines get bad_request with a null id") {
  Harness h;
  for (const char* line : {"not json", "{\"v\":1,\"id\":3,\"op\":\"pi", "", "[1]",
                           "{\"v\":1,\"id\":3,\"op\":\"ping\"} trailing"}) {
    CAPTURE(line);
    json r = h.raw(std::string(line));
    CHECK(r["ok"] == false);
    CHECK(r["error"] == "bad_request");
    CHECK(r["id"].is_null());
  }
  json big = h.raw(std::string(protocol::kMaxLineBytes + 10, ' ') + "{}");
  CHECK(big["error"] == "bad_request");
  CHECK(big["message"].get<std::string>().find("larger than") != std::string::npos);
}

TEST_CASE("envelope errors echo the id") {
  Harness h;
  json r = h.raw(R"({"v":2,"id":"abc","op":"ping"})");
  CHECK(r["error"] == "unsupported_version");
  CHECK(r["id"] == "abc");
  r = h.raw(R"({"v":1,"id":9,"op":"launch"})");
  CHECK(r["error"] == "unknown_op");
  CHECK(r["id"] == 9);
  r = h.raw(R"({"v":1,"id":9,"op":"ping","extra":true})");
  CHECK(r["error"] == "bad_request");
  CHECK(r["message"] == "unknown field \"extra\"");
  r = h.raw(R"({"v":1,"id":9,"op":"verify","user":"alice","factor":"totp"})");
  CHECK(r["message"] == "missing field \"code\"");
  r = h.raw(R"({"v":1,"id":9,"op":"verify","user":"alice","factor":"totp","code":123456})");
  CHECK(r["message"] == "field \"code\" must be a string");
  r = h.raw(R"({"v":1,"id":-1,"op":"ping"})");
  CHECK(r["ok"] == true);
  CHECK(r["id"].is_null());
}

TEST_CASE("a repeated key is refused, not resolved by the last value") {
  Harness h;
  // Last-wins parsing would run ping here and answer ok.
  json r = h.raw(R"({"v":1,"id":4,"op":"verify","op":"ping"})");
  CHECK(r["ok"] == false);
  CHECK(r["error"] == "bad_request");
  CHECK(r["message"] == "request repeats the key \"op\"");
  r = h.raw(R"({"v":1,"id":4,"op":"factors","user":"alice","user":"bob"})");
  CHECK(r["error"] == "bad_request");
}

TEST_CASE("a carriage return anywhere in the line is refused") {
  Harness h;
  json r = h.raw("{\"v\":1,\"id\":4,\"op\":\"ping\"}\r");
  CHECK(r["error"] == "bad_request");
  CHECK(r["message"] == "request contains a carriage return");
  r = h.raw("{\"v\":1,\r\"id\":4,\"op\":\"ping\"}");
  CHECK(r["error"] == "bad_request");
}

TEST_CASE("C1 controls and bidi formatting characters are refused in names and free text") {
  Harness h;
  const std::string rlo = "\xe2\x80\xae";  // U+202E RIGHT-TO-LEFT OVERRIDE
  const std::string csi = "\xc2\x9b";      // U+009B CONTROL SEQUENCE INTRODUCER
  for (json request :
       {json{{"op", "factors"}, {"user", "ali" + rlo + "ce"}},
        json{{"op", "factors"}, {"user", "alice"}, {"service", "ssh" + csi + "d"}},
        json{{"op", "verify"},
             {"user", "alice"},
             {"factor", "totp"},
             {"code", "123456"},
             {"rhost", "host\xe2\x81\xa6"}},
        json{{"op", "verify"},
             {"user", "alice"},
             {"factor", "totp"},
             {"code", "123456"},
             {"tty", "pts/0\xe2\x80\x8f"}},
        json{{"op", "enroll_totp"}, {"user", "alice"}, {"label", "ph" + rlo + "one"}},
        json{{"op", "fido2_register_begin"}, {"user", "alice"}, {"label", "\xd8\x9c"}}}) {
    CAPTURE(request.dump());
    json r = h.call(request);
    CHECK(r["ok"] == false);
    CHECK(r["error"] == "bad_request");
  }
  // Nothing of these requests reached the audit.
  json audit = h.call({{"op", "audit"}});
  for (const auto& e : audit["events"]) CHECK(e["op"] == "audit");
  // A request id with such characters is not echoed.
  json r = h.raw(R"({"v":1,"id":"a\u202eb","op":"ping"})");
  CHECK(r["ok"] == true);
  CHECK(r["id"].is_null());
}

TEST_CASE("ping answers with the protocol version") {
  Harness h;
  json r = h.raw(R"({"v":1,"id":1,"op":"ping"})");
  CHECK(r["ok"] == true);
  CHECK(r["server"] == "authd");
  CHECK(r["protocol"] == 1);
}

TEST_CASE("a current code is accepted once; replays and earlier steps are rejected") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  json r = h.verify("alice", codeAt(secret, h.now));
  CHECK(r["result"] == "accept");
  CHECK(r["credential_id"].is_number_integer());
  CHECK(h.verify("alice", codeAt(secret, h.now))["result"] == "reject");
  CHECK(h.verify("alice", codeAt(secret, h.now, -1))["result"] == "reject");
  CHECK(h.verify("alice", codeAt(secret, h.now, 1))["result"] == "accept");
  json audit = h.call({{"op", "audit"}, {"user", "alice"}});
  std::vector<std::string> reasons;
  for (const auto& e : audit["events"]) {
    if (e["op"] == "verify")
      reasons.push_back(e["reason"].get<std::string>() + " x" + e["count"].dump());
  }
  // The two replays in a row are one audit row with a count.
  CHECK(reasons == std::vector<std::string>{"ok x1", "replayed x2", "ok x1"});
}

TEST_CASE("window edges: ±1 step accepted, ±2 rejected") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  CHECK(h.verify("alice", codeAt(secret, h.now, -2))["result"] == "reject");
  CHECK(h.verify("alice", codeAt(secret, h.now, -1))["result"] == "accept");
  CHECK(h.verify("alice", codeAt(secret, h.now, 2))["result"] == "reject");
  CHECK(h.verify("alice", codeAt(secret, h.now, 1))["result"] == "accept");
}

TEST_CASE("unknown accounts answer like a wrong code and look enrolled") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  json unknown = h.verify("mallory", "123456");
  json wrong = h.verify("alice", codeAt(secret, h.now, 5));
  CHECK(unknown["result"] == "reject");
  unknown.erase("id");
  wrong.erase("id");
  CHECK(unknown == wrong);
  json factors = h.call({{"op", "factors"}, {"user", "mallory"}});
  CHECK(factors["factors"] == json::array({"totp"}));
  CHECK(h.call({{"op", "factors"}, {"user", "bob"}})["factors"] == json::array());
}

TEST_CASE("lockout escalates and unlock clears it") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  CHECK(h.verify("alice", "000000")["result"] != "accept");
  CHECK(h.verify("alice", "abc")["result"] == "reject");
  json third = h.verify("alice", codeAt(secret, h.now, 4));
  CHECK(third["result"] == "locked");
  CHECK(third["retry_after"] == 60);
  // Locked: even the right code is refused without being looked at.
  CHECK(h.verify("alice", codeAt(secret, h.now))["result"] == "locked");
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["locked"] == true);
  h.now += 61;
  json fourth = h.verify("alice", codeAt(secret, h.now, 4));
  CHECK(fourth["result"] == "locked");
  CHECK(fourth["retry_after"] == 120);
  json unlocked = h.call({{"op", "unlock"}, {"user", "alice"}});
  CHECK(unlocked["cleared_failures"] == 4);
  CHECK(h.verify("alice", codeAt(secret, h.now))["result"] == "accept");
}

TEST_CASE("a pending credential counts only after confirmation") {
  Harness h;
  json e = h.call({{"op", "enroll_totp"}, {"user", "alice"}, {"digits", 8}});
  CHECK(e["state"] == "pending");
  CHECK(e["uri"].get<std::string>().find("digits=8") != std::string::npos);
  SecretBytes secret = Harness::decodeBase32(e["secret"]);
  const TotpSpec spec{TotpAlgorithm::sha1, 8};
  std::string code = totpCode(secret, spec, totpStepAt(h.now));
  CHECK(h.call({{"op", "factors"}, {"user", "alice"}})["factors"] == json::array());
  CHECK(h.verify("alice", code)["result"] == "reject");
  json bad = h.call({{"op", "confirm_totp"},
                     {"user", "alice"},
                     {"credential_id", e["credential_id"]},
                     {"code", "12345678"}});
  CHECK(bad["result"] == "reject");
  json ok = h.call({{"op", "confirm_totp"},
                    {"user", "alice"},
                    {"credential_id", e["credential_id"]},
                    {"code", code}});
  CHECK(ok["result"] == "accept");
  CHECK(h.verify("alice", code)["result"] == "reject");  // the confirming step is used
  CHECK(h.verify("alice", totpCode(secret, spec, totpStepAt(h.now) + 1))["result"] == "accept");
  json again = h.call({{"op", "confirm_totp"},
                       {"user", "alice"},
                       {"credential_id", e["credential_id"]},
                       {"code", code}});
  CHECK(again["error"] == "conflict");
}

TEST_CASE("admin events name no service; logon events keep service, rhost and tty") {
  Harness h;
  h.call({{"op", "enroll_totp"}, {"user", "alice"}});
  h.call({{"op", "verify"},
          {"user", "alice"},
          {"factor", "totp"},
          {"code", "000000"},
          {"service", "sshd"},
          {"rhost", "10.0.0.7"},
          {"tty", "pts/3"}});
  json audit = h.call({{"op", "audit"}, {"user", "alice"}});
  bool sawEnroll = false;
  bool sawVerify = false;
  for (const auto& e : audit["events"]) {
    CAPTURE(e.dump());
    if (e["op"] == "enroll") {
      sawEnroll = true;
      CHECK(e["service"] == "");  // not "authctl": any client may send admin requests
    }
    if (e["op"] == "verify") {
      sawVerify = true;
      CHECK(e["service"] == "sshd");
      CHECK(e["rhost"] == "10.0.0.7");
      CHECK(e["tty"] == "pts/3");
    }
  }
  CHECK(sawEnroll);
  CHECK(sawVerify);
}

TEST_CASE("a confirming code may be typed with blanks, as apps show it") {
  Harness h;
  json e = h.call({{"op", "enroll_totp"}, {"user", "alice"}});
  SecretBytes secret = Harness::decodeBase32(e["secret"]);
  std::string code = totpCode(secret, TotpSpec{}, totpStepAt(h.now));
  json ok = h.call({{"op", "confirm_totp"},
                    {"user", "alice"},
                    {"credential_id", e["credential_id"]},
                    {"code", code.substr(0, 3) + " " + code.substr(3)}});
  CHECK(ok["result"] == "accept");
}

TEST_CASE("admin operations need root or the admin group, and refusals are audited") {
  Harness h;
  PeerCredentials alice{1000, 1000, 77};
  PeerCredentials admin{1001, 1001, 78};
  json r = h.call({{"op", "list"}}, alice);
  CHECK(r["error"] == "forbidden");
  CHECK(h.call({{"op", "enroll_totp"}, {"user", "alice"}}, alice)["error"] == "forbidden");
  CHECK(h.call({{"op", "list"}}, admin)["ok"] == true);
  CHECK(h.call({{"op", "verify"}, {"user", "alice"}, {"factor", "totp"}, {"code", "1"}},
               alice)["ok"] == true);
  json audit = h.call({{"op", "audit"}});
  int denied = 0;
  for (const auto& e : audit["events"]) {
    if (e["result"] == "denied") {
      ++denied;
      CHECK(e["uid"] == 1000);
      CHECK(e["pid"] == 77);
    }
  }
  CHECK(denied == 2);
}

TEST_CASE("revoke and list") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  json listed = h.call({{"op", "list"}, {"user", "alice"}});
  REQUIRE(listed["credentials"].size() == 1);
  auto id = listed["credentials"][0]["id"];
  CHECK(listed["credentials"][0]["last_used"].is_null());
  CHECK_FALSE(listed.dump().find("secret") != std::string::npos);
  CHECK(h.call({{"op", "revoke"}, {"user", "bob"}, {"credential_id", id}})["error"] == "not_found");
  CHECK(h.call({{"op", "revoke"}, {"user", "alice"}, {"credential_id", id}})["revoked"] == id);
  CHECK(h.verify("alice", codeAt(secret, h.now))["result"] == "reject");
  CHECK(h.call({{"op", "list"}, {"user", "alice"}})["credentials"].empty());
}

TEST_CASE("concurrent requests with the same code: exactly one is accepted") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  const std::string line =
      json{{"v", 1},          {"id", 1},          {"op", "verify"},
           {"user", "alice"}, {"factor", "totp"}, {"code", codeAt(secret, h.now)}}
          .dump();
  std::vector<std::future<std::string>> futures;
  for (int i = 0; i < 32; ++i) {
    futures.push_back(
        asio::co_spawn(h.io, h.dispatcher->handle(line, {0, 0, 1}), asio::use_future));
  }
  int accepted = 0;
  for (auto& f : futures) accepted += json::parse(f.get())["result"] == "accept";
  CHECK(accepted == 1);
}

TEST_CASE("a failed commit answers unavailable, never accept, and keeps the code usable") {
  Harness h;
  SecretBytes secret = h.enroll("alice");
  h.store->failCommitsForTest(1);
  json r = h.verify("alice", codeAt(secret, h.now));
  CHECK(r["ok"] == false);
  CHECK(r["error"] == "unavailable");
  CHECK(h.verify("alice", codeAt(secret, h.now))["result"] == "accept");
}
