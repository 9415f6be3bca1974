// The local trust boundary (docs/security-model.md): a caller other than root acts only for its
// own account; members of server.service_group act for any; refusals look the same for every
// account named, are audited and never touch the named account's lockout.
#include <doctest/doctest.h>

#include <chrono>

#include "authd/logon/totp.h"
#include "unit/authd/api/dispatcher_harness.h"

using namespace authd;
using authd::testing::Harness;
using nlohmann::json;

namespace {

const PeerCredentials kAlice{1000, 1000, 77};     // StaticDirectory: uid 1000 is alice
const PeerCredentials kStranger{4242, 4242, 79};  // a uid the directory does not know

json without(json answer, std::initializer_list<const char*> keys) {
  for (const char* k : keys) answer.erase(k);
  return answer;
}

json factorsFor(Harness& h, const std::string& user, PeerCredentials peer) {
  return h.call({{"op", "factors"}, {"user", user}}, peer);
}

json verifyFor(Harness& h, const std::string& user, const std::string& code, PeerCredentials peer) {
  return h.call({{"op", "verify"}, {"user", user}, {"factor", "totp"}, {"code", code}}, peer);
}

}  // namespace

TEST_CASE("a caller other than root may act for its own account only") {
  Harness h;
  h.enroll("alice");
  h.enroll("bob");
  CHECK(factorsFor(h, "alice", kAlice)["ok"] == true);
  CHECK(verifyFor(h, "alice", "000000", kAlice)["ok"] == true);
  for (const char* other : {"bob", "admin", "no-such-user", "Alice"}) {
    CAPTURE(other);
    for (const char* op : {"factors", "verify", "fido2_begin"}) {
      CAPTURE(op);
      json request = {{"op", op}, {"user", other}};
      if (std::string(op) == "verify") {
        request["factor"] = "totp";
        request["code"] = "123456";
      }
      json r = h.call(request, kAlice);
      CHECK(r["ok"] == false);
      CHECK(r["error"] == "forbidden");
    }
  }
  // A request that names no account is refused the same way.
  CHECK(h.call({{"op", "factors"}}, kAlice)["error"] == "forbidden");
  // A uid the local system does not know has no account to act for.
  CHECK(factorsFor(h, "alice", kStranger)["error"] == "forbidden");
  CHECK(h.call({{"op", "ping"}}, kStranger)["ok"] == true);
}

TEST_CASE("refusals read the same for real, unknown, factorless and locked accounts") {
  Harness h;
  h.enroll("bob");
  h.directory.add("carol", 2001, {"staff"});              // no factor
  for (int i = 0; i < 5; ++i) h.verify("bob", "000000");  // bob is now locked
  const json reference = without(factorsFor(h, "bob", kAlice), {"id"});
  for (const char* other : {"carol", "nobody-at-all", "admin"}) {
    for (const char* op : {"factors", "fido2_begin"}) {
      json r = h.call({{"op", op}, {"user", other}}, kAlice);
      CHECK(without(r, {"id"}) == reference);
    }
  }
}

TEST_CASE("another uid's wrong codes neither lock out nor reach the account") {
  Harness h;
  SecretBytes secret = h.enroll("bob");
  for (int i = 0; i < 30; ++i) {  // 10 times the lockout limit, within the rate burst
    CHECK(verifyFor(h, "bob", "000000", kAlice)["error"] == "forbidden");
  }
  json locks = h.call({{"op", "list"}, {"user", "bob"}});
  CHECK(locks["locks"].empty());
  const std::string code = totpCode(secret, TotpSpec{}, totpStepAt(h.now.load()));
  CHECK(h.verify("bob", code)["result"] == "accept");
}

TEST_CASE("refused calls are audited with the caller and the account named") {
  Harness h;
  CHECK(verifyFor(h, "bob", "123456", kAlice)["error"] == "forbidden");
  json audit = h.call({{"op", "audit"}, {"user", "bob"}});
  REQUIRE(audit["events"].size() == 1);
  const json& e = audit["events"][0];
  CHECK(e["op"] == "verify");
  CHECK(e["result"] == "denied");
  CHECK(e["uid"] == 1000);
  CHECK(e["pid"] == 77);
}

TEST_CASE("members of server.service_group may act for any account") {
  Harness h;
  h.directory.add("web", 1002, {"authd-service"});
  h.directory.uidNames[1002] = "web";
  SecretBytes secret = h.enroll("bob");
  const PeerCredentials web{1002, 1002, 80};
  CHECK(factorsFor(h, "bob", web)["factors"] == json::array({"totp"}));
  const std::string code = totpCode(secret, TotpSpec{}, totpStepAt(h.now.load()));
  CHECK(verifyFor(h, "bob", code, web)["result"] == "accept");
  // Acting for others does not make it an admin.
  CHECK(h.call({{"op", "list"}}, web)["error"] == "forbidden");
}

TEST_CASE("an empty server.service_group trusts nobody but root") {
  Harness h;
  h.config.server.serviceGroup = "";
  h.directory.add("web", 1002, {""});
  h.directory.uidNames[1002] = "web";
  CHECK(factorsFor(h, "bob", {1002, 1002, 80})["error"] == "forbidden");
}

namespace {

// Sends 200 pings as `peer` and checks that no more were answered than the bucket allows in the
// time they took, and (when that was under a second) that some were refused.
void checkRateLimited(Harness& h, const PeerCredentials& peer) {
  const auto start = std::chrono::steady_clock::now();
  int answered = 0;
  int busy = 0;
  for (int i = 0; i < 200; ++i) {
    json r = h.call({{"op", "ping"}}, peer);
    if (r["ok"] == true) ++answered;
    if (r["error"] == "busy") ++busy;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(answered + busy == 200);
  const auto& server = h.config.server;
  CHECK(answered <= server.requestBurst + static_cast<int>(server.requestsPerSecond * seconds) + 1);
  if (seconds < 1.0) CHECK(busy > 0);
}

}  // namespace

TEST_CASE("callers other than root are rate-limited; root is not") {
  Harness h;
  checkRateLimited(h, kAlice);
  for (int i = 0; i < 200; ++i) CHECK(h.call({{"op", "ping"}})["ok"] == true);
}

namespace {

PeerCredentials networkPeer(const std::string& name, bool admin, std::int64_t rateKey) {
  PeerCredentials peer;
  peer.certificateName = name;
  peer.certificateAdmin = admin;
  peer.rateKey = rateKey;
  return peer;
}

}  // namespace

TEST_CASE("network peers: a device acts for any account, an admin certificate for none") {
  Harness h;
  h.enroll("alice");
  const PeerCredentials device = networkPeer("nb-017.stadt.test", false, -2);
  const PeerCredentials admin = networkPeer("admin-frank", true, -3);
  CHECK(verifyFor(h, "alice", "000000", device)["ok"] == true);
  CHECK(factorsFor(h, "bob", device)["ok"] == true);
  CHECK(h.call({{"op", "list"}}, device)["error"] == "forbidden");
  CHECK(h.call({{"op", "list"}}, admin)["ok"] == true);
  CHECK(verifyFor(h, "alice", "000000", admin)["error"] == "forbidden");
  // A certificate name is no local account, even when it reads like one.
  CHECK(verifyFor(h, "alice", "000000", networkPeer("alice", false, -4))["ok"] == true);
  CHECK(h.call({{"op", "list"}}, networkPeer("root", false, -5))["error"] == "forbidden");
  // Every event names the peer's certificate.
  json events = h.call({{"op", "audit"}, {"user", "alice"}})["events"];
  REQUIRE(!events.empty());
  CHECK(events[0]["device"] == "alice");
}

TEST_CASE("network peers: each device has its own request rate, unlike a local service") {
  Harness h;
  checkRateLimited(h, networkPeer("nb-017.stadt.test", false, -2));
  // Another device is not held back by the first, nor is root on the local socket.
  CHECK(h.call({{"op", "ping"}}, networkPeer("nb-018.stadt.test", false, -3))["ok"] == true);
  CHECK(h.call({{"op", "ping"}})["ok"] == true);
}
