// The per-operation request readers, without a dispatcher: what each one takes, and that every
// violation is an OpError(bad_request).
#include "authd/api/requests.h"

#include <doctest/doctest.h>

#include "authd/base/op_error.h"
#include "authd/protocol.h"

using namespace authd;
using nlohmann::json;

namespace {

template <typename Read>
std::string refusal(const json& request, Read read) {
  JsonReader r(request);
  try {
    read(r);
  } catch (const OpError& e) {
    CHECK(e.code() == protocol::error::kBadRequest);
    return e.what();
  }
  return "";
}

std::string b64(std::size_t n) { return base64urlEncode(Bytes(n, 0x41)); }

}  // namespace

TEST_CASE("readVerify takes a TOTP code, the audit context and an optional password") {
  json request = {{"user", "alice"},      {"factor", "totp"},    {"code", "123456"},
                  {"service", "sshd"},    {"rhost", "10.0.0.1"}, {"tty", "pts/1"},
                  {"password", "hunter2"}};
  JsonReader r(request);
  VerifyRequest req = readVerify(r);
  CHECK(req.user == "alice");
  CHECK(req.factor == VerifyFactor::totp);
  CHECK(req.code == "123456");
  CHECK(req.service == "sshd");
  CHECK(req.rhost == "10.0.0.1");
  CHECK(req.tty == "pts/1");
  CHECK(req.password == "hunter2");
}

TEST_CASE("readVerify takes a FIDO2 assertion") {
  json request = {{"user", "alice"},
                  {"factor", "fido2"},
                  {"challenge", b64(32)},
                  {"credential", b64(64)},
                  {"auth_data", b64(37)},
                  {"signature", b64(70)},
                  {"client_data_hash", b64(32)}};
  JsonReader r(request);
  VerifyRequest req = readVerify(r);
  CHECK(req.factor == VerifyFactor::fido2);
  CHECK(req.fido2.credentialId.size() == 64);
  CHECK(req.fido2.clientData.hash.has_value());
  CHECK_FALSE(req.password.has_value());
}

TEST_CASE("readVerify refuses what the protocol does not allow") {
  const json totp = {{"user", "alice"}, {"factor", "totp"}, {"code", "123456"}};
  auto read = [](JsonReader& r) { (void)readVerify(r); };
  json bad = totp;
  bad["factor"] = "sms";
  CHECK(refusal(bad, read) == "factor must be \"totp\" or \"fido2\"");
  bad = totp;
  bad["password"] = "";
  CHECK(refusal(bad, read) == "field \"password\" must be 1 to 256 bytes");
  bad = totp;
  bad["challenge"] = b64(32);
  CHECK(refusal(bad, read) == "unknown field \"challenge\"");
  bad = {{"user", "alice"},       {"factor", "fido2"},    {"challenge", b64(32)},
         {"credential", b64(64)}, {"auth_data", b64(37)}, {"signature", b64(70)}};
  CHECK(refusal(bad, read) ==
        "exactly one of \"client_data_hash\" and \"client_data_json\" is required");
  bad["client_data_hash"] = b64(protocol::kMaxFido2ChallengeBytes + 1);
  CHECK_FALSE(refusal(bad, read).empty());
  bad["client_data_hash"] = b64(32);
  bad["credential"] = b64(protocol::kMaxFido2CredentialIdBytes + 1);
  CHECK_FALSE(refusal(bad, read).empty());
}

TEST_CASE("readers of the admin operations") {
  {
    json request = {{"user", "alice"}, {"credential_id", 7}, {"code", "123 456"}};
    JsonReader r(request);
    ConfirmTotpRequest req = readConfirmTotp(r);
    CHECK(req.credentialId == 7);
    CHECK(req.code == "123 456");
  }
  {
    json request = json::object();
    JsonReader r(request);
    AuditQuery q = readAudit(r);
    CHECK_FALSE(q.user.has_value());
    CHECK(q.limit == 100);
  }
  {
    json request = {{"user", "alice"}, {"digits", 8}, {"confirm", false}};
    JsonReader r(request);
    EnrollTotpRequest req = readEnrollTotp(r);
    CHECK(req.digits == 8);
    CHECK(req.label == "authenticator");
    CHECK_FALSE(req.confirm);
  }
  CHECK(refusal({{"user", "alice"}, {"credential_id", 0}}, [](JsonReader& r) {
          (void)readRevoke(r);
        }) == "field \"credential_id\" must be between 1 and 9007199254740991");
  CHECK(refusal({{"user", "alice"}, {"limit", 1001}}, [](JsonReader& r) { (void)readAudit(r); }) ==
        "field \"limit\" must be between 1 and 1000");
  CHECK(refusal({{"user", "alice"}, {"extra", 1}}, [](JsonReader& r) { (void)readUnlock(r); }) ==
        "unknown field \"extra\"");
  CHECK(refusal(json::object(), [](JsonReader& r) { (void)readShow(r); }) ==
        "missing field \"user\"");
}

TEST_CASE("readSessions: open sessions of everybody by default, all and limit within bounds") {
  auto read = [](json request) {
    JsonReader r(request);
    return readSessions(r);
  };
  SessionQuery q = read(json::object());
  CHECK_FALSE(q.user.has_value());
  CHECK(q.openOnly);
  CHECK(q.limit == 1000);
  q = read({{"user", "alice"}, {"all", true}, {"limit", kMaxSessionsLimit}});
  CHECK(q.user == "alice");
  CHECK_FALSE(q.openOnly);
  CHECK(q.limit == 10000);
  CHECK(read({{"all", false}, {"limit", 1}}).openOnly);
  auto refuse = [](json request) {
    return refusal(request, [](JsonReader& r) { (void)readSessions(r); });
  };
  CHECK(refuse({{"limit", 0}}) == "field \"limit\" must be between 1 and 10000");
  CHECK(refuse({{"limit", 10001}}) == "field \"limit\" must be between 1 and 10000");
  CHECK_FALSE(refuse({{"all", 1}}).empty());
  CHECK_FALSE(refuse({{"user", ""}}).empty());
  CHECK_FALSE(refuse({{"user", std::string(protocol::kMaxUserBytes + 1, 'a')}}).empty());
  CHECK(refuse({{"open", true}}) == "unknown field \"open\"");
}

TEST_CASE("readId echoes integers and safe strings only") {
  auto id = [](json value) {
    json request = {{"id", value}};
    JsonReader r(request);
    return readId(r);
  };
  CHECK(id(7) == 7);
  CHECK(id("abc") == "abc");
  CHECK(id(-1).is_null());
  CHECK(id(kMaxJsonSafeInt + 1).is_null());
  CHECK(id(std::string(65, 'a')).is_null());
  CHECK(id("a\xe2\x80\xae"
           "b")
            .is_null());
  CHECK(id("a\x1b").is_null());
}
