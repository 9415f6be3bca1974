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

TEST_CASE("[radius]: off by default, with the documented defaults") {
  std::string error;
  auto c = parse("", &error);
  REQUIRE(c);
  CHECK(c->radius.listen.empty());
  CHECK(c->radius.accountingListen.empty());
  CHECK(c->radius.stateTtl == 60);
  CHECK(c->radius.maxStates == 10000);
  CHECK(c->radius.duplicateWindow == 30);
  CHECK(c->radius.licenceLimit == 0);
  CHECK(c->radius.licenceWarningPercent == 90);
  CHECK(c->radius.clients.empty());
  CHECK(c->radius.groups.empty());
}

TEST_CASE("[radius]: listeners, limits, clients and group replies in file order") {
  std::string error;
  auto c = parse(R"(
[radius]
listen = ["0.0.0.0:1812", "[::]:1812"]
accounting_listen = ["0.0.0.0:1813"]
state_ttl = 120
max_states = 500
duplicate_window = 10
licence_limit = 250
licence_warning_percent = 80

[[radius.clients]]
name = "vpn-rathaus"
address = "192.0.2.10"
secret_file = "/etc/authd/radius/vpn-rathaus.secret"

[[radius.clients]]
name = "vpn_2.dmz"
address = "2001:db8:5::/48"
secret_file = "/etc/authd/radius/vpn-2.secret"
mode = "otp_only"
require_message_authenticator = false
limit_proxy_state = false

[radius.groups.zeta-admins]
filter_id = "admins"

[radius.groups."Amt 53"]
class = "amt53"
framed_pool = "pool-amt53"
)",
                 &error);
  REQUIRE_MESSAGE(c, error);
  const Config::Radius& r = c->radius;
  CHECK(r.listen == std::vector<std::string>{"0.0.0.0:1812", "[::]:1812"});
  CHECK(r.accountingListen == std::vector<std::string>{"0.0.0.0:1813"});
  CHECK(r.stateTtl == 120);
  CHECK(r.maxStates == 500);
  CHECK(r.duplicateWindow == 10);
  CHECK(r.licenceLimit == 250);
  CHECK(r.licenceWarningPercent == 80);
  REQUIRE(r.clients.size() == 2);
  CHECK(r.clients[0].name == "vpn-rathaus");
  CHECK(r.clients[0].address == "192.0.2.10");
  CHECK(r.clients[0].secretFile == "/etc/authd/radius/vpn-rathaus.secret");
  CHECK(r.clients[0].mode == "append");
  CHECK(r.clients[0].requireMessageAuthenticator);
  CHECK(r.clients[0].limitProxyState);
  CHECK(r.clients[1].name == "vpn_2.dmz");
  CHECK(r.clients[1].mode == "otp_only");
  CHECK_FALSE(r.clients[1].requireMessageAuthenticator);
  CHECK_FALSE(r.clients[1].limitProxyState);
  REQUIRE(r.groups.size() == 2);
  CHECK(r.groups[0].group == "zeta-admins");  // file order, not sorted
  CHECK(r.groups[0].filterId == "admins");
  CHECK(r.groups[0].replyClass.empty());
  CHECK(r.groups[1].group == "Amt 53");
  CHECK(r.groups[1].replyClass == "amt53");
  CHECK(r.groups[1].framedPool == "pool-amt53");
}

TEST_CASE("[radius]: clients and groups without listeners are allowed (RADIUS off)") {
  std::string error;
  auto c = parse(
      "[[radius.clients]]\nname = \"a\"\naddress = \"192.0.2.1\"\nsecret_file = \"/s\"\n"
      "[radius.groups.g]\nclass = \"c\"\n",
      &error);
  REQUIRE_MESSAGE(c, error);
  CHECK(c->radius.clients.size() == 1);
}

TEST_CASE("[radius]: a client's mistake names its index, key and line") {
  const std::string client0 =
      "[[radius.clients]]\nname = \"vpn-1\"\naddress = \"192.0.2.0/24\"\n"
      "secret_file = \"/etc/authd/vpn-1.secret\"\n";
  const std::pair<std::string, const char*> cases[] = {
      {client0 + "[[radius.clients]]\nname = \"vpn-2\"\naddress = \"192.0.2.9\"\n"
                 "secret_file = \"/s\"\n\nmode = \"pap\"\n",
       "authd.toml:10: key radius.clients[1].mode: must be one of: append, challenge, otp_only"},
      {"[[radius.clients]]\naddress = \"192.0.2.9\"\nsecret_file = \"/s\"\n",
       "authd.toml:1: key radius.clients[0].name: must be set"},
      {"[[radius.clients]]\nname = \"a\"\nsecret_file = \"/s\"\n",
       "authd.toml:1: key radius.clients[0].address: must be set"},
      {"[[radius.clients]]\nname = \"a\"\naddress = \"192.0.2.9\"\n",
       "authd.toml:1: key radius.clients[0].secret_file: must be set"},
      {"[[radius.clients]]\nname = \"vpn 1\"\n",
       "authd.toml:2: key radius.clients[0].name: \"vpn 1\" must be 1 to 64 characters of A-Z, "
       "a-z, 0-9, '.', '_' and '-'"},
      {"[[radius.clients]]\nname = \"a\"\naddress = \"192.0.2.1/24\"\n",
       "authd.toml:3: key radius.clients[0].address: \"192.0.2.1/24\" is not an IP address or "
       "network (ADDRESS/PREFIX, host bits zero)"},
      {"[[radius.clients]]\nname = \"a\"\nsecret = \"plain text\"\n",
       "authd.toml:3: key radius.clients[0].secret: unknown option"},
      {"[[radius.clients]]\nname = \"a\"\nlimit_proxy_state = \"no\"\n",
       "authd.toml:3: key radius.clients[0].limit_proxy_state: must be true or false"},
      {"[[radius.clients]]\nname = \"a\"\nsecret_file = \"\"\n",
       "authd.toml:3: key radius.clients[0].secret_file: must be a non-empty string"},
      {client0 + "[[radius.clients]]\nname = \"vpn-1\"\naddress = \"192.0.2.9\"\n"
                 "secret_file = \"/s\"\n",
       "authd.toml:6: key radius.clients[1].name: \"vpn-1\" is already the name of "
       "radius.clients[0]"},
      {client0 + "[[radius.clients]]\nname = \"vpn-2\"\naddress = \"::ffff:192.0.2.0/120\"\n"
                 "secret_file = \"/s\"\n",
       "authd.toml:7: key radius.clients[1].address: \"::ffff:192.0.2.0/120\" is already the "
       "network of radius.clients[0] (vpn-1)"},
      {"[radius]\nclients = 3\n",
       "authd.toml:2: key radius.clients: must be [[radius.clients]] "
       "tables"},
      {"[radius]\nclients = [\"vpn-1\"]\n",
       "authd.toml:2: key radius.clients[0]: must be a [[radius.clients]] table"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    std::string error;
    CHECK_FALSE(parse(text.c_str(), &error).has_value());
    CHECK(error == expected);
  }
}

TEST_CASE("[radius]: a 65-character name, and a 1001st client, are refused") {
  std::string error;
  const std::string longName = "[[radius.clients]]\nname = \"" + std::string(65, 'a') + "\"\n";
  CHECK_FALSE(parse(longName.c_str(), &error));
  CHECK(error.find("radius.clients[0].name") != std::string::npos);
  const std::string maxName = "[[radius.clients]]\nname = \"" + std::string(64, 'a') +
                              "\"\naddress = \"192.0.2.1\"\nsecret_file = \"/s\"\n";
  CHECK(parse(maxName.c_str(), &error));
  std::string many;
  for (int i = 0; i < 1001; ++i) {
    many += "[[radius.clients]]\nname = \"c" + std::to_string(i) + "\"\naddress = \"10.0." +
            std::to_string(i / 256) + "." + std::to_string(i % 256) + "\"\nsecret_file = \"/s\"\n";
  }
  CHECK_FALSE(parse(many.c_str(), &error));
  CHECK(error == "authd.toml:1: key radius.clients: at most 1000 clients");
}

TEST_CASE("[radius]: group replies are strings of 1 to 253 bytes, at least one per group") {
  const std::pair<std::string, const char*> cases[] = {
      {"[radius.groups.vpn]\n",
       "authd.toml:1: key radius.groups.vpn: must set class, filter_id "
       "or framed_pool"},
      {"[radius.groups.vpn]\nclass = \"\"\n",
       "authd.toml:2: key radius.groups.vpn.class: must be a string of 1 to 253 bytes"},
      {"[radius.groups.vpn]\nfilter_id = \"" + std::string(254, 'f') + "\"\n",
       "authd.toml:2: key radius.groups.vpn.filter_id: must be a string of 1 to 253 bytes"},
      {"[radius.groups.vpn]\nframed_pool = 7\n",
       "authd.toml:2: key radius.groups.vpn.framed_pool: must be a string of 1 to 253 bytes"},
      {"[radius.groups.vpn]\nclass = \"c\"\nsession_timeout = 3600\n",
       "authd.toml:3: key radius.groups.vpn.session_timeout: unknown option"},
      {"[radius]\ngroups = 1\n",
       "authd.toml:2: key radius.groups: must be [radius.groups.NAME] "
       "tables"},
      {"[radius.groups]\nvpn = \"c\"\n",
       "authd.toml:2: key radius.groups.vpn: must be a [radius.groups.NAME] table"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    std::string error;
    CHECK_FALSE(parse(text.c_str(), &error).has_value());
    CHECK(error == expected);
  }
  std::string error;
  auto c =
      parse(("[radius.groups.vpn]\nclass = \"" + std::string(253, 'c') + "\"\n").c_str(), &error);
  REQUIRE_MESSAGE(c, error);
  CHECK(c->radius.groups[0].replyClass.size() == 253);
}

TEST_CASE("[radius]: listening needs ADDRESS:PORT and a client; the limits have ranges") {
  const std::string client =
      "[[radius.clients]]\nname = \"a\"\naddress = \"192.0.2.1\"\nsecret_file = \"/s\"\n";
  const std::pair<std::string, const char*> cases[] = {
      {"[radius]\nlisten = [\"0.0.0.0:1812\"]\n",
       "authd.toml: key radius.clients: at least one [[radius.clients]] is required when "
       "radius.listen or radius.accounting_listen is set"},
      {"[radius]\naccounting_listen = [\"0.0.0.0:1813\"]\n",
       "authd.toml: key radius.clients: at least one [[radius.clients]] is required when "
       "radius.listen or radius.accounting_listen is set"},
      {"[radius]\nlisten = [\"radius.stadt.example:1812\"]\n" + client,
       "authd.toml: key radius.listen: \"radius.stadt.example:1812\" is not ADDRESS:PORT (an IP "
       "address, [v6]:PORT for IPv6)"},
      {"[radius]\naccounting_listen = [\"0.0.0.0\"]\n" + client,
       "authd.toml: key radius.accounting_listen: \"0.0.0.0\" is not ADDRESS:PORT (an IP "
       "address, [v6]:PORT for IPv6)"},
      {"[radius]\nstate_ttl = 4\n",
       "authd.toml:2: key radius.state_ttl: must be an integer from "
       "5 to 600"},
      {"[radius]\nstate_ttl = 601\n",
       "authd.toml:2: key radius.state_ttl: must be an integer "
       "from 5 to 600"},
      {"[radius]\nmax_states = 0\n",
       "authd.toml:2: key radius.max_states: must be an integer "
       "from 1 to 1000000"},
      {"[radius]\nduplicate_window = 601\n",
       "authd.toml:2: key radius.duplicate_window: must be "
       "an integer from 1 to 600"},
      {"[radius]\nlicence_limit = -1\n",
       "authd.toml:2: key radius.licence_limit: must be an "
       "integer from 0 to 10000000"},
      {"[radius]\nlicence_warning_percent = 0\n",
       "authd.toml:2: key radius.licence_warning_percent: must be an integer from 1 to 100"},
      {"[radius]\nport = 1812\n", "authd.toml:2: key radius.port: unknown option"},
  };
  for (const auto& [text, expected] : cases) {
    CAPTURE(text);
    std::string error;
    CHECK_FALSE(parse(text.c_str(), &error).has_value());
    CHECK(error == expected);
  }
  std::string error;
  CHECK(parse(("[radius]\nlisten = [\"127.0.0.1:0\"]\n" + client).c_str(), &error));
}
