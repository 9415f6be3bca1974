// The sessions operation as a client sees it: VPN sessions recorded by RADIUS accounting, listed
// for admins with the open count, the licence limit and stale sessions marked.
#include <doctest/doctest.h>

#include "unit/authd/api/dispatcher_harness.h"
#include "unit/authd/store/store_test_support.h"

using namespace authd;
using authd::testing::Harness;
using nlohmann::json;

namespace {

void record(Harness& h, AccountingStatus status, const std::string& user, const std::string& id,
            std::int64_t time) {
  AccountingRecord r;
  r.client = "vpn-gw-1";
  r.sessionId = id;
  r.user = user;
  r.nasIdentifier = "fw01";
  r.nasIp = "192.0.2.1";
  r.callingStation = "203.0.113.55";
  r.framedIp = "10.8.0.23";
  r.status = status;
  r.time = time;
  r.sessionTime = status == AccountingStatus::start ? 0 : 60;
  r.inputOctets = 1000;
  r.outputOctets = 2000;
  if (status == AccountingStatus::stop) r.terminateCause = 1;
  REQUIRE(test::writeAndWait(*h.store, [r](StoreTxn& txn) { txn.recordAccounting(r); }) == 1);
}

std::vector<std::string> idsOf(const json& answer) {
  std::vector<std::string> ids;
  for (const auto& s : answer["sessions"]) ids.push_back(s["session_id"]);
  return ids;
}

}  // namespace

TEST_CASE("sessions lists the open sessions with every field, the open count and the licence") {
  Harness h;
  h.config.radius.licenceLimit = 650;
  const std::int64_t now = h.now;
  record(h, AccountingStatus::start, "alice", "a1", now - 600);
  record(h, AccountingStatus::start, "bob", "b1", now - 300);
  record(h, AccountingStatus::stop, "bob", "b0", now - 100);
  json r = h.call({{"op", "sessions"}});
  REQUIRE(r["ok"] == true);
  CHECK(r["open"] == 2);
  CHECK(r["licence_limit"] == 650);
  CHECK(idsOf(r) == std::vector<std::string>{"b1", "a1"});
  const json& a = r["sessions"][1];
  CHECK(a == json{{"user", "alice"},
                  {"client", "vpn-gw-1"},
                  {"session_id", "a1"},
                  {"nas_identifier", "fw01"},
                  {"nas_ip", "192.0.2.1"},
                  {"calling_station", "203.0.113.55"},
                  {"framed_ip", "10.8.0.23"},
                  {"started", now - 600},
                  {"last_seen", now - 600},
                  {"session_time", 0},
                  {"input_octets", 1000},
                  {"output_octets", 2000},
                  {"stale", false}});
}

TEST_CASE("sessions: all adds closed ones with their stop, user filters, limit bounds") {
  Harness h;
  const std::int64_t now = h.now;
  record(h, AccountingStatus::start, "alice", "a1", now - 600);
  record(h, AccountingStatus::start, "bob", "b1", now - 300);
  record(h, AccountingStatus::stop, "bob", "b0", now - 100);
  json all = h.call({{"op", "sessions"}, {"all", true}});
  CHECK(all["licence_limit"] == 0);
  CHECK(idsOf(all) == std::vector<std::string>{"b0", "b1", "a1"});
  CHECK(all["sessions"][0]["stopped"] == now - 100);
  CHECK(all["sessions"][0]["stop_cause"] == 1);
  CHECK_FALSE(all["sessions"][1].contains("stopped"));
  json bob = h.call({{"op", "sessions"}, {"user", "bob"}, {"all", true}, {"limit", 1}});
  CHECK(idsOf(bob) == std::vector<std::string>{"b0"});
  CHECK(bob["open"] == 2);  // every open session, whatever was asked
  CHECK(idsOf(h.call({{"op", "sessions"}, {"user", "carol"}})).empty());
}

TEST_CASE("sessions: an open session unheard of for 7 days is stale, and still counted") {
  Harness h;
  const std::int64_t now = h.now;
  record(h, AccountingStatus::start, "alice", "old", now - kStaleSessionSeconds - 1);
  record(h, AccountingStatus::start, "alice", "edge", now - kStaleSessionSeconds);
  json r = h.call({{"op", "sessions"}});
  CHECK(r["open"] == 2);
  CHECK(r["sessions"][0]["session_id"] == "edge");
  CHECK(r["sessions"][0]["stale"] == false);
  CHECK(r["sessions"][1]["stale"] == true);
}

TEST_CASE("sessions is for admins, audited, and refuses what the protocol does not allow") {
  Harness h;
  PeerCredentials alice{1000, 1000, 77};
  CHECK(h.call({{"op", "sessions"}, {"user", "alice"}}, alice)["error"] == "forbidden");
  CHECK(h.call({{"op", "sessions"}, {"user", "alice"}})["ok"] == true);
  json audit = h.call({{"op", "audit"}, {"limit", 2}});
  REQUIRE(audit["events"].size() == 2);
  CHECK(audit["events"][0]["op"] == "sessions");
  CHECK(audit["events"][0]["user"] == "alice");
  CHECK(audit["events"][0]["result"] == "ok");
  CHECK(audit["events"][1]["result"] == "denied");
  CHECK(h.call({{"op", "sessions"}, {"limit", 0}})["error"] == "bad_request");
  CHECK(h.call({{"op", "sessions"}, {"limit", 10001}})["error"] == "bad_request");
  CHECK(h.call({{"op", "sessions"}, {"all", "yes"}})["error"] == "bad_request");
  CHECK(h.call({{"op", "sessions"}, {"open", true}})["error"] == "bad_request");
}
