#include "authd/base/config.h"

#include <doctest/doctest.h>

using namespace authd;

namespace {

std::optional<Config> parse(const char* text, std::string* error) {
  return parseConfig(text, "authd.toml", error);
}

}  // namespace

TEST_CASE("an empty file gives the built-in defaults") {
  std::string error;
  auto c = parse("", &error);
  REQUIRE(c.has_value());
  CHECK(c->server.socket == "/run/authd/authd.sock");
  CHECK(c->totp.window == 1);
  CHECK(c->lockout.maxFailures == 10);
  CHECK(c->directory.backend == "nss");
}

TEST_CASE("options override defaults") {
  std::string error;
  auto c = parse(R"(
[server]
socket = "/tmp/x.sock"
socket_mode = "0660"
admin_group = ""
[totp]
window = 2
digits = 8
algorithm = "sha256"
issuer = "Stadt Musterstadt"
[lockout]
max_failures = 5
)",
                 &error);
  REQUIRE_MESSAGE(c.has_value(), error);
  CHECK(c->server.socket == "/tmp/x.sock");
  CHECK(c->server.socketMode == 0660);
  CHECK(c->server.adminGroup.empty());
  CHECK(c->totp.window == 2);
  CHECK(c->totp.digits == 8);
  CHECK(c->totp.algorithm == "sha256");
  CHECK(c->totp.issuer == "Stadt Musterstadt");
  CHECK(c->lockout.maxFailures == 5);
}

TEST_CASE("errors name the file, line and key") {
  std::string error;
  CHECK_FALSE(parse("[totp]\n\nwindow = 99\n", &error).has_value());
  CHECK(error == "authd.toml:3: key totp.window: must be an integer from 0 to 10");

  CHECK_FALSE(parse("[totp]\nwindwo = 1\n", &error).has_value());
  CHECK(error == "authd.toml:2: key totp.windwo: unknown option");

  CHECK_FALSE(parse("[srever]\nsocket = \"/x\"\n", &error).has_value());
  CHECK(error.find("authd.toml:1: key srever: unknown section") == 0);

  CHECK_FALSE(parse("[totp]\nalgorithm = \"md5\"\n", &error).has_value());
  CHECK(error == "authd.toml:2: key totp.algorithm: must be one of: sha1, sha256, sha512");

  CHECK_FALSE(parse("[totp]\nwindow = \"1\"\n", &error).has_value());
  CHECK(error.find("key totp.window") != std::string::npos);

  CHECK_FALSE(parse("[server]\nsocket_mode = \"666\"\n", &error).has_value());
  CHECK(error.find("key server.socket_mode") != std::string::npos);
}

TEST_CASE("syntax errors carry the line") {
  std::string error;
  CHECK_FALSE(parse("[server]\nsocket = \n", &error).has_value());
  CHECK(error.rfind("authd.toml:2:", 0) == 0);
  CHECK_FALSE(parse("[server]\nsocket = \"a\"\nsocket = \"b\"\n", &error).has_value());
  CHECK(error.rfind("authd.toml:3:", 0) == 0);
}

TEST_CASE("7 digits and inconsistent delays are refused") {
  std::string error;
  CHECK_FALSE(parse("[totp]\ndigits = 7\n", &error).has_value());
  CHECK(error.find("must be 6 or 8") != std::string::npos);
  CHECK_FALSE(parse("[lockout]\nbase_delay = 100\nmax_delay = 50\n", &error).has_value());
  CHECK(error.find("lockout.max_delay") != std::string::npos);
}

TEST_CASE("a missing file is a clear error") {
  std::string error;
  CHECK_FALSE(loadConfigFile("/nonexistent/authd.toml", &error).has_value());
  CHECK(error.find("/nonexistent/authd.toml: cannot open") == 0);
}

TEST_CASE("an issuer that cannot go into an otpauth label is refused") {
  std::string error;
  CHECK_FALSE(parse("[totp]\nissuer = \"IT:Security\"\n", &error).has_value());
  CHECK(error.find("key totp.issuer") != std::string::npos);
}

TEST_CASE("an LDAP directory with group policy") {
  std::string error;
  auto c = parse(R"(
[directory]
backend = "ldap"
cache_ttl = 30
negative_cache_ttl = 5
[ldap]
uris = ["ldaps://dc1.stadt.example", "ldap://dc2.stadt.example"]
ca_file = "/etc/authd/ldap-ca.pem"
bind_dn = "cn=authd,ou=services,dc=stadt,dc=example"
bind_password_file = "/etc/authd/ldap.password"
user_base = "ou=people,dc=stadt,dc=example"
login_attribute = "sAMAccountName"
id_attribute = "objectGUID"
group_mode = "search"
group_member_attribute = "uniqueMember"
nested_depth = 2
disabled_flag_attribute = "userAccountControl"
disabled_flag_mask = 2
timeout_ms = 1500
[policy]
mfa_groups = ["telearbeit", "gesundheitsamt"]
default_factors = ["totp", "fido2"]
[policy.groups.gesundheitsamt]
factors = ["fido2"]
user_verification = "required"
offline = true
offline_max_age_days = 7
[policy.groups."Mobile Arbeit"]
factors = ["fido2", "totp"]
)",
                 &error);
  REQUIRE_MESSAGE(c.has_value(), error);
  CHECK(c->directory.backend == "ldap");
  CHECK(c->directory.negativeCacheTtl == 5);
  CHECK(c->ldap.uris.size() == 2);
  CHECK(c->ldap.loginAttribute == "sAMAccountName");
  CHECK(c->ldap.groupMemberAttribute == "uniqueMember");
  CHECK(c->ldap.nestedDepth == 2);
  CHECK(c->ldap.disabledFlagMask == 2);
  CHECK(c->ldap.timeoutMs == 1500);
  CHECK_FALSE(c->ldap.allowPlain);
  CHECK(c->policy.mfaGroups.size() == 2);
  REQUIRE(c->policy.groups.size() == 2);
  auto rule = [&](const std::string& group) {
    for (const auto& r : c->policy.groups) {
      if (r.group == group) return r;
    }
    FAIL("no rule for " << group);
    return Config::Policy::GroupRule{};
  };
  CHECK(rule("gesundheitsamt").factors == std::vector<std::string>{"fido2"});
  CHECK(rule("gesundheitsamt").uvRequired);
  CHECK(rule("Mobile Arbeit").factors == std::vector<std::string>{"fido2", "totp"});
  CHECK_FALSE(rule("Mobile Arbeit").uvRequired);
  CHECK(rule("gesundheitsamt").offline == true);
  CHECK(rule("gesundheitsamt").offlineMaxAgeDays == 7);
  CHECK_FALSE(rule("Mobile Arbeit").offline.has_value());
}

TEST_CASE("LDAP and policy mistakes are refused with the key named") {
  const char* cases[][2] = {
      {"[directory]\nbackend = \"ldap\"\n", "ldap.uris"},
      {"[directory]\nbackend = \"ldap\"\n[ldap]\nuris = [\"http://x\"]\nuser_base = \"dc=x\"\n",
       "ldap.uris"},
      {"[directory]\nbackend = \"ldap\"\n[ldap]\nuris = [\"ldaps://x\"]\n", "ldap.user_base"},
      {"[directory]\nbackend = \"ldap\"\n[ldap]\nuris = [\"ldaps://x\"]\nuser_base = \"dc=x\"\n"
       "bind_dn = \"cn=a\"\n",
       "ldap.bind_password_file"},
      {"[directory]\nbackend = \"ldap\"\n[ldap]\nuris = [\"ldaps://x\"]\nuser_base = \"dc=x\"\n"
       "disabled_flag_attribute = \"userAccountControl\"\n",
       "ldap.disabled_flag_mask"},
      {"[ldap]\ngroup_member_attribute = \"owner\"\n", "ldap.group_member_attribute"},
      {"[ldap]\nallow_plain = \"yes\"\n", "ldap.allow_plain"},
      {"[policy]\ndefault_factors = [\"sms\"]\n", "policy.default_factors"},
      {"[policy.groups.x]\nfactors = [\"password\"]\n", "policy.groups"},
      {"[policy.groups.x]\nuser_verification = \"maybe\"\n", "policy.groups"},
      {"[policy.groups.x]\ncolour = \"red\"\n", "policy.groups"},
      {"[policy.groups.x]\noffline = \"yes\"\n", "policy.groups"},
      {"[policy.groups.x]\noffline_max_age_days = 0\n", "policy.groups"},
      {"[policy]\ngroups = 3\n", "policy.groups"},
  };
  for (const auto& [text, key] : cases) {
    CAPTURE(text);
    std::string error;
    CHECK_FALSE(parse(text, &error).has_value());
    CHECK(error.find(key) != std::string::npos);
  }
}

TEST_CASE("[audit] and the per-caller limits of [server] are read and checked") {
  std::string error;
  auto c = authd::parseConfig(
      "[audit]\nretention_days = 30\nadmin_retention_days = 400\naggregate_seconds = 0\n"
      "[server]\nservice_group = \"web-frontends\"\nmax_connections_per_uid = 4\n"
      "requests_per_second = 5\nrequest_burst = 9\n",
      "t", &error);
  REQUIRE_MESSAGE(c, error);
  CHECK(c->audit.retentionDays == 30);
  CHECK(c->audit.adminRetentionDays == 400);
  CHECK(c->audit.aggregateSeconds == 0);
  CHECK(c->server.serviceGroup == "web-frontends");
  CHECK(c->server.maxConnectionsPerUid == 4);
  CHECK(c->server.requestsPerSecond == 5);
  CHECK(c->server.requestBurst == 9);
  CHECK_FALSE(authd::parseConfig("[audit]\nretention_days = 400\nadmin_retention_days = 30\n", "t",
                                 &error));
  CHECK(error.find("admin_retention_days") != std::string::npos);
  CHECK_FALSE(authd::parseConfig("[server]\nrequests_per_second = 0\n", "t", &error));
}

TEST_CASE("[tls]: off by default; listening needs addresses, certificate, key and CA") {
  std::string error;
  auto defaults = parse("", &error);
  REQUIRE(defaults);
  CHECK(defaults->tls.listen.empty());
  auto c = parse(
      "[tls]\nlisten = [\"0.0.0.0:8443\", \"[::]:8443\"]\ncert_file = \"/etc/authd/tls/s.pem\"\n"
      "key_file = \"/etc/authd/tls/s.key\"\nca_file = \"/etc/authd/tls/ca.pem\"\n"
      "admins = [\"admin-frank\"]\nmax_connections_per_device = 8\n",
      &error);
  REQUIRE_MESSAGE(c, error);
  CHECK(c->tls.listen.size() == 2);
  CHECK(c->tls.admins == std::vector<std::string>{"admin-frank"});
  CHECK(c->tls.maxConnectionsPerDevice == 8);
  CHECK(c->tls.crlFile.empty());
  const char* bad[] = {
      "[tls]\nlisten = [\"127.0.0.1:8443\"]\n",
      "[tls]\nlisten = [\"127.0.0.1:8443\"]\ncert_file = \"c\"\nkey_file = \"k\"\n",
      "[tls]\nlisten = [\"authd.stadt.example:8443\"]\ncert_file = \"c\"\nkey_file = \"k\"\n"
      "ca_file = \"a\"\n",
      "[tls]\nlisten = [\"127.0.0.1\"]\ncert_file = \"c\"\nkey_file = \"k\"\nca_file = \"a\"\n",
      "[tls]\nmax_connections_per_device = 0\n",
      "[tls]\nport = 8443\n",
  };
  for (const char* text : bad) {
    CAPTURE(text);
    CHECK_FALSE(parse(text, &error).has_value());
    CHECK(error.find("tls.") != std::string::npos);
  }
}
