#include "authd/base/config.h"

#include "authd/fido2/relying_party.h"
#include "authd/host_port.h"
#include "authd/ip_network.h"

#include <toml++/toml.h>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <vector>

namespace authd {

namespace {

// What is wrong with a value; an empty `why` when nothing. A setter of an array or table of
// tables names the culprit: `key` is appended to the option's name ("[2].mode"), `at` is where.
struct Problem {
  Problem() = default;
  // Implicit: most setters just return their message.
  Problem(std::string text) : why(std::move(text)) {}
  Problem(const char* text) : why(text) {}
  Problem(std::string text, std::string subKey, const toml::node& node)
      : why(std::move(text)), key(std::move(subKey)), at(&node) {}

  std::string why;
  std::string key;
  const toml::node* at = nullptr;
};

// Sets one option from a TOML node.
using Setter = std::function<Problem(Config&, const toml::node&)>;

std::string mustBeOneOf(const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  return "must be one of: " + list;
}

struct Option {
  std::string_view section;
  std::string_view key;
  Setter set;
};

template <typename Section>
Setter intOption(Section Config::*section, int Section::*field, int min, int max) {
  return [=](Config& c, const toml::node& n) -> std::string {
    auto v = n.value_exact<int64_t>();
    if (!v || *v < min || *v > max) {
      return "must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
    }
    (c.*section).*field = static_cast<int>(*v);
    return {};
  };
}

template <typename Section>
Setter stringOption(Section Config::*section, std::string Section::*field,
                    std::vector<std::string> allowed = {}) {
  return [=](Config& c, const toml::node& n) -> std::string {
    auto v = n.value_exact<std::string>();
    if (!v || v->empty()) return "must be a non-empty string";
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), *v) == allowed.end()) {
      return mustBeOneOf(allowed);
    }
    (c.*section).*field = *v;
    return {};
  };
}

std::string setSocketMode(Config& c, const toml::node& n) {
  auto v = n.value_exact<std::string>();
  if (!v || v->size() != 4 || (*v)[0] != '0' ||
      v->find_first_not_of("01234567") != std::string::npos) {
    return "must be an octal string such as \"0666\"";
  }
  c.server.socketMode = std::stoi(*v, nullptr, 8);
  return {};
}

// A group name that may be empty: then only root has the role.
Setter groupOption(std::string Config::Server::*field) {
  return [=](Config& c, const toml::node& n) -> std::string {
    auto v = n.value_exact<std::string>();
    if (!v) return "must be a string (empty: only root)";
    c.server.*field = *v;
    return {};
  };
}

template <typename Section>
Setter stringListOption(Section Config::*section, std::vector<std::string> Section::*field,
                        std::size_t maxItems) {
  return [=](Config& c, const toml::node& n) -> std::string {
    const toml::array* list = n.as_array();
    if (list == nullptr || list->size() > maxItems) {
      return "must be an array of at most " + std::to_string(maxItems) + " strings";
    }
    std::vector<std::string> values;
    for (const toml::node& item : *list) {
      auto v = item.value_exact<std::string>();
      if (!v || v->empty()) return "must be an array of non-empty strings";
      values.push_back(*v);
    }
    (c.*section).*field = std::move(values);
    return {};
  };
}

template <typename Section>
Setter boolOption(Section Config::*section, bool Section::*field) {
  return [=](Config& c, const toml::node& n) -> std::string {
    auto v = n.value_exact<bool>();
    if (!v) return "must be true or false";
    (c.*section).*field = *v;
    return {};
  };
}

// A string that may be empty (an empty value switches the feature off).
template <typename Section>
Setter optionalStringOption(Section Config::*section, std::string Section::*field) {
  return [=](Config& c, const toml::node& n) -> std::string {
    auto v = n.value_exact<std::string>();
    if (!v) return "must be a string";
    (c.*section).*field = *v;
    return {};
  };
}

std::string checkFactorList(const std::vector<std::string>& factors) {
  for (const auto& f : factors) {
    if (f != "fido2" && f != "totp") return "\"" + f + "\" is not a factor (fido2, totp)";
  }
  return {};
}

// [policy.groups.NAME] factors = [...], user_verification = "required" | "preferred",
// offline = true | false, offline_max_age_days = 1..366
std::string parseGroupRule(const std::string& group, const toml::table& table,
                           Config::Policy::GroupRule* rule) {
  rule->group = group;
  for (const auto& [key, node] : table) {
    if (key.str() == "factors") {
      const toml::array* list = node.as_array();
      if (list == nullptr || list->size() > 2) return "factors: must be an array of factors";
      for (const toml::node& item : *list) {
        auto v = item.value_exact<std::string>();
        if (!v) return "factors: must be an array of strings";
        rule->factors.push_back(*v);
      }
      if (std::string why = checkFactorList(rule->factors); !why.empty()) return "factors: " + why;
    } else if (key.str() == "user_verification") {
      auto v = node.value_exact<std::string>();
      if (!v || (*v != "required" && *v != "preferred")) {
        return "user_verification: must be \"required\" or \"preferred\"";
      }
      rule->uvRequired = *v == "required";
    } else if (key.str() == "offline") {
      auto v = node.value_exact<bool>();
      if (!v) return "offline: must be true or false";
      rule->offline = *v;
    } else if (key.str() == "offline_max_age_days") {
      auto v = node.value_exact<std::int64_t>();
      if (!v || *v < 1 || *v > 366) return "offline_max_age_days: must be an integer 1-366";
      rule->offlineMaxAgeDays = static_cast<int>(*v);
    } else {
      return std::string(key.str()) + ": unknown option";
    }
  }
  return {};
}

std::string setPolicyGroups(Config& c, const toml::node& n) {
  const toml::table* groups = n.as_table();
  if (groups == nullptr) return "must be a table of [policy.groups.NAME] tables";
  if (groups->size() > 1000) return "at most 1000 group rules";
  c.policy.groups.clear();
  for (const auto& [name, node] : *groups) {
    const toml::table* table = node.as_table();
    if (table == nullptr || name.str().empty())
      return "must be a table of [policy.groups.NAME] tables";
    Config::Policy::GroupRule rule;
    if (std::string why = parseGroupRule(std::string(name.str()), *table, &rule); !why.empty()) {
      return "group \"" + std::string(name.str()) + "\": " + why;
    }
    c.policy.groups.push_back(std::move(rule));
  }
  return {};
}

Problem setDefaultFactors(Config& c, const toml::node& n) {
  Problem problem = stringListOption(&Config::policy, &Config::Policy::defaultFactors, 2)(c, n);
  if (!problem.why.empty()) return problem;
  return checkFactorList(c.policy.defaultFactors);
}

// [radius]: [[radius.clients]] and [radius.groups.NAME].
constexpr std::size_t kMaxRadiusClients = 1000;
constexpr std::size_t kMaxRadiusGroups = 1000;
constexpr std::size_t kMaxRadiusAttributeText = 253;  // what one RADIUS attribute holds

bool isClientName(std::string_view name) {
  constexpr std::string_view kAllowed =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-";
  return !name.empty() && name.size() <= 64 && name.find_first_not_of(kAllowed) == name.npos;
}

std::string setBool(const toml::node& n, bool* out) {
  auto v = n.value_exact<bool>();
  if (!v) return "must be true or false";
  *out = *v;
  return {};
}

// The rules of name, address and mode beyond being non-empty strings.
std::string checkClientString(std::string_view key, const std::string& value) {
  if (key == "name" && !isClientName(value)) {
    return "\"" + value + "\" must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_' and '-'";
  }
  if (key == "address" && !parseIpNetwork(value)) {
    return "\"" + value + "\" is not an IP address or network (ADDRESS/PREFIX, host bits zero)";
  }
  if (key == "mode" && value != "append" && value != "challenge" && value != "otp_only") {
    return mustBeOneOf({"append", "challenge", "otp_only"});
  }
  return {};
}

// One key of a [[radius.clients]] table; "" or what is wrong with its value.
std::string setClientKey(Config::Radius::Client& client, std::string_view key,
                         const toml::node& n) {
  if (key == "require_message_authenticator") {
    return setBool(n, &client.requireMessageAuthenticator);
  }
  if (key == "limit_proxy_state") return setBool(n, &client.limitProxyState);
  std::string* field = key == "name"          ? &client.name
                       : key == "address"     ? &client.address
                       : key == "secret_file" ? &client.secretFile
                       : key == "mode"        ? &client.mode
                                              : nullptr;
  if (field == nullptr) return "unknown option";
  auto v = n.value_exact<std::string>();
  if (!v || v->empty()) return "must be a non-empty string";
  if (std::string why = checkClientString(key, *v); !why.empty()) return why;
  *field = *v;
  return {};
}

Problem parseRadiusClient(const toml::table& table, const std::string& prefix,
                          Config::Radius::Client* client) {
  for (const auto& [key, node] : table) {
    if (std::string why = setClientKey(*client, key.str(), node); !why.empty()) {
      return {why, prefix + std::string(key.str()), node};
    }
  }
  for (const char* required : {"name", "address", "secret_file"}) {
    if (!table.contains(required)) return {"must be set", prefix + required, table};
  }
  return {};
}

// A client whose name or network an earlier one already has: which one would answer is unclear.
Problem duplicateClient(const std::vector<Config::Radius::Client>& earlier,
                        const Config::Radius::Client& client, const toml::table& table,
                        const std::string& prefix) {
  const IpNetwork network = *parseIpNetwork(client.address);
  for (std::size_t i = 0; i < earlier.size(); ++i) {
    const std::string other = "radius.clients[" + std::to_string(i) + "]";
    if (earlier[i].name == client.name) {
      return {"\"" + client.name + "\" is already the name of " + other, prefix + "name",
              *table.get("name")};
    }
    if (*parseIpNetwork(earlier[i].address) == network) {
      return {"\"" + client.address + "\" is already the network of " + other + " (" +
                  earlier[i].name + ")",
              prefix + "address", *table.get("address")};
    }
  }
  return {};
}

Problem setRadiusClients(Config& c, const toml::node& n) {
  const toml::array* list = n.as_array();
  if (list == nullptr) return "must be [[radius.clients]] tables";
  if (list->size() > kMaxRadiusClients) return "at most 1000 clients";
  std::vector<Config::Radius::Client> clients;
  for (std::size_t i = 0; i < list->size(); ++i) {
    const std::string index = "[" + std::to_string(i) + "]";
    const toml::table* table = list->get(i)->as_table();
    if (table == nullptr) return {"must be a [[radius.clients]] table", index, *list->get(i)};
    const std::string prefix = index + ".";
    Config::Radius::Client client;
    if (Problem p = parseRadiusClient(*table, prefix, &client); !p.why.empty()) return p;
    if (Problem p = duplicateClient(clients, client, *table, prefix); !p.why.empty()) return p;
    clients.push_back(std::move(client));
  }
  c.radius.clients = std::move(clients);
  return {};
}

std::string setReplyText(const toml::node& n, std::string* out) {
  auto v = n.value_exact<std::string>();
  if (!v || v->empty() || v->size() > kMaxRadiusAttributeText) {
    return "must be a string of 1 to 253 bytes";
  }
  *out = *v;
  return {};
}

// [radius.groups.NAME] class, filter_id, framed_pool: at least one.
Problem parseGroupReply(const toml::table& table, const std::string& prefix,
                        Config::Radius::GroupReply* reply) {
  for (const auto& [key, node] : table) {
    std::string* field = key == "class"         ? &reply->replyClass
                         : key == "filter_id"   ? &reply->filterId
                         : key == "framed_pool" ? &reply->framedPool
                                                : nullptr;
    const std::string why = field == nullptr ? "unknown option" : setReplyText(node, field);
    if (!why.empty()) return {why, prefix + "." + std::string(key.str()), node};
  }
  if (reply->replyClass.empty() && reply->filterId.empty() && reply->framedPool.empty()) {
    return {"must set class, filter_id or framed_pool", prefix, table};
  }
  return {};
}

// The first matching group wins, so their order matters: toml++ sorts a table's keys, the
// keys' positions give the file's order back.
std::vector<std::pair<const toml::key*, const toml::node*>> inFileOrder(const toml::table& t) {
  std::vector<std::pair<const toml::key*, const toml::node*>> out;
  for (const auto& [key, node] : t) out.emplace_back(&key, &node);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    const toml::source_position& pa = a.first->source().begin;
    const toml::source_position& pb = b.first->source().begin;
    return pa.line != pb.line ? pa.line < pb.line : pa.column < pb.column;
  });
  return out;
}

Problem setRadiusGroups(Config& c, const toml::node& n) {
  const toml::table* groups = n.as_table();
  if (groups == nullptr) return "must be [radius.groups.NAME] tables";
  if (groups->size() > kMaxRadiusGroups) return "at most 1000 groups";
  std::vector<Config::Radius::GroupReply> replies;
  for (const auto& [key, node] : inFileOrder(*groups)) {
    const std::string prefix = "." + std::string(key->str());
    const toml::table* table = node->as_table();
    if (table == nullptr || key->str().empty()) {
      return {"must be a [radius.groups.NAME] table", prefix, *node};
    }
    Config::Radius::GroupReply reply;
    reply.group = std::string(key->str());
    if (Problem p = parseGroupReply(*table, prefix, &reply); !p.why.empty()) return p;
    replies.push_back(std::move(reply));
  }
  c.radius.groups = std::move(replies);
  return {};
}

const std::vector<Option>& options() {
  using C = Config;
  static const std::vector<Option> table = {
      {"server", "socket", stringOption(&C::server, &C::Server::socket)},
      {"server", "socket_mode", setSocketMode},
      {"server", "admin_group", groupOption(&C::Server::adminGroup)},
      {"server", "service_group", groupOption(&C::Server::serviceGroup)},
      {"server", "threads", intOption(&C::server, &C::Server::threads, 0, 64)},
      {"server", "workers", intOption(&C::server, &C::Server::workers, 1, 256)},
      {"server", "idle_timeout", intOption(&C::server, &C::Server::idleTimeout, 1, 3600)},
      {"server", "max_connections", intOption(&C::server, &C::Server::maxConnections, 1, 65536)},
      {"server", "max_connections_per_uid",
       intOption(&C::server, &C::Server::maxConnectionsPerUid, 1, 65536)},
      {"server", "requests_per_second",
       intOption(&C::server, &C::Server::requestsPerSecond, 1, 100000)},
      {"server", "request_burst", intOption(&C::server, &C::Server::requestBurst, 1, 100000)},
      {"audit", "retention_days", intOption(&C::audit, &C::Audit::retentionDays, 1, 36500)},
      {"audit", "admin_retention_days",
       intOption(&C::audit, &C::Audit::adminRetentionDays, 1, 36500)},
      {"audit", "aggregate_seconds", intOption(&C::audit, &C::Audit::aggregateSeconds, 0, 86400)},
      {"log", "level",
       stringOption(&C::log, &C::Log::level, {"error", "warning", "info", "debug"})},
      {"store", "database", stringOption(&C::store, &C::Store::database)},
      {"store", "key_file", stringOption(&C::store, &C::Store::keyFile)},
      {"store", "max_batch", intOption(&C::store, &C::Store::maxBatch, 1, 65536)},
      {"directory", "backend",
       stringOption(&C::directory, &C::Directory::backend, {"nss", "ldap"})},
      {"directory", "cache_ttl", intOption(&C::directory, &C::Directory::cacheTtl, 0, 3600)},
      {"directory", "negative_cache_ttl",
       intOption(&C::directory, &C::Directory::negativeCacheTtl, 0, 3600)},
      {"ldap", "uris", stringListOption(&C::ldap, &C::Ldap::uris, 16)},
      {"ldap", "ca_file", stringOption(&C::ldap, &C::Ldap::caFile)},
      {"ldap", "allow_plain", boolOption(&C::ldap, &C::Ldap::allowPlain)},
      {"ldap", "bind_dn", optionalStringOption(&C::ldap, &C::Ldap::bindDn)},
      {"ldap", "bind_password_file", stringOption(&C::ldap, &C::Ldap::bindPasswordFile)},
      {"ldap", "user_base", stringOption(&C::ldap, &C::Ldap::userBase)},
      {"ldap", "user_filter", stringOption(&C::ldap, &C::Ldap::userFilter)},
      {"ldap", "login_attribute", stringOption(&C::ldap, &C::Ldap::loginAttribute)},
      {"ldap", "id_attribute", stringOption(&C::ldap, &C::Ldap::idAttribute)},
      {"ldap", "display_name_attribute", stringOption(&C::ldap, &C::Ldap::displayNameAttribute)},
      {"ldap", "mail_attribute", stringOption(&C::ldap, &C::Ldap::mailAttribute)},
      {"ldap", "group_mode", stringOption(&C::ldap, &C::Ldap::groupMode, {"member_of", "search"})},
      {"ldap", "member_of_attribute", stringOption(&C::ldap, &C::Ldap::memberOfAttribute)},
      {"ldap", "group_base", stringOption(&C::ldap, &C::Ldap::groupBase)},
      {"ldap", "group_filter", stringOption(&C::ldap, &C::Ldap::groupFilter)},
      {"ldap", "group_member_attribute",
       stringOption(&C::ldap, &C::Ldap::groupMemberAttribute,
                    {"member", "uniqueMember", "memberUid"})},
      {"ldap", "group_name_attribute", stringOption(&C::ldap, &C::Ldap::groupNameAttribute)},
      {"ldap", "nested_depth", intOption(&C::ldap, &C::Ldap::nestedDepth, 0, 10)},
      {"ldap", "disabled_attribute", optionalStringOption(&C::ldap, &C::Ldap::disabledAttribute)},
      {"ldap", "disabled_values", stringListOption(&C::ldap, &C::Ldap::disabledValues, 64)},
      {"ldap", "disabled_flag_attribute",
       optionalStringOption(&C::ldap, &C::Ldap::disabledFlagAttribute)},
      {"ldap", "disabled_flag_mask",
       intOption(&C::ldap, &C::Ldap::disabledFlagMask, 0, 0x7fffffff)},
      {"ldap", "connect_timeout_ms", intOption(&C::ldap, &C::Ldap::connectTimeoutMs, 100, 60000)},
      {"ldap", "timeout_ms", intOption(&C::ldap, &C::Ldap::timeoutMs, 100, 60000)},
      {"ldap", "retry_after", intOption(&C::ldap, &C::Ldap::retryAfter, 1, 3600)},
      {"ldap", "pool_size", intOption(&C::ldap, &C::Ldap::poolSize, 1, 64)},
      {"policy", "mfa_groups", stringListOption(&C::policy, &C::Policy::mfaGroups, 1000)},
      {"policy", "default_factors", setDefaultFactors},
      {"policy", "groups", setPolicyGroups},
      {"totp", "issuer", stringOption(&C::totp, &C::Totp::issuer)},
      {"totp", "window", intOption(&C::totp, &C::Totp::window, 0, 10)},
      {"totp", "digits", intOption(&C::totp, &C::Totp::digits, 6, 8)},
      {"totp", "algorithm",
       stringOption(&C::totp, &C::Totp::algorithm, {"sha1", "sha256", "sha512"})},
      {"lockout", "max_failures", intOption(&C::lockout, &C::Lockout::maxFailures, 1, 1000)},
      {"lockout", "base_delay", intOption(&C::lockout, &C::Lockout::baseDelay, 1, 86400)},
      {"lockout", "max_delay", intOption(&C::lockout, &C::Lockout::maxDelay, 1, 604800)},
      {"agent", "servers", stringListOption(&C::agent, &C::Agent::servers, 16)},
      {"agent", "cert_file", stringOption(&C::agent, &C::Agent::certFile)},
      {"agent", "key_file", stringOption(&C::agent, &C::Agent::keyFile)},
      {"agent", "ca_file", stringOption(&C::agent, &C::Agent::caFile)},
      {"agent", "connect_timeout_ms",
       intOption(&C::agent, &C::Agent::connectTimeoutMs, 100, 60000)},
      {"agent", "request_timeout_ms",
       intOption(&C::agent, &C::Agent::requestTimeoutMs, 100, 120000)},
      {"agent", "retry_after", intOption(&C::agent, &C::Agent::retryAfter, 1, 3600)},
      {"agent", "offline_public_key_file",
       optionalStringOption(&C::agent, &C::Agent::offlinePublicKeyFile)},
      {"agent", "offline_directory", stringOption(&C::agent, &C::Agent::offlineDirectory)},
      {"offline", "allowed", boolOption(&C::offline, &C::Offline::allowed)},
      {"offline", "max_age_days", intOption(&C::offline, &C::Offline::maxAgeDays, 1, 366)},
      {"offline", "uv_required", boolOption(&C::offline, &C::Offline::uvRequired)},
      {"offline", "signing_key_file", stringOption(&C::offline, &C::Offline::signingKeyFile)},
      {"tls", "listen", stringListOption(&C::tls, &C::Tls::listen, 16)},
      {"tls", "cert_file", stringOption(&C::tls, &C::Tls::certFile)},
      {"tls", "key_file", stringOption(&C::tls, &C::Tls::keyFile)},
      {"tls", "ca_file", stringOption(&C::tls, &C::Tls::caFile)},
      {"tls", "crl_file", optionalStringOption(&C::tls, &C::Tls::crlFile)},
      {"tls", "admins", stringListOption(&C::tls, &C::Tls::admins, 1000)},
      {"tls", "max_connections_per_device",
       intOption(&C::tls, &C::Tls::maxConnectionsPerDevice, 1, 65536)},
      {"tls", "handshake_timeout", intOption(&C::tls, &C::Tls::handshakeTimeout, 1, 300)},
      {"radius", "listen", stringListOption(&C::radius, &C::Radius::listen, 16)},
      {"radius", "accounting_listen",
       stringListOption(&C::radius, &C::Radius::accountingListen, 16)},
      {"radius", "state_ttl", intOption(&C::radius, &C::Radius::stateTtl, 5, 600)},
      {"radius", "max_states", intOption(&C::radius, &C::Radius::maxStates, 1, 1000000)},
      {"radius", "duplicate_window", intOption(&C::radius, &C::Radius::duplicateWindow, 1, 600)},
      {"radius", "licence_limit", intOption(&C::radius, &C::Radius::licenceLimit, 0, 10000000)},
      {"radius", "licence_warning_percent",
       intOption(&C::radius, &C::Radius::licenceWarningPercent, 1, 100)},
      {"radius", "clients", setRadiusClients},
      {"radius", "groups", setRadiusGroups},
      {"fido2", "rp_id", stringOption(&C::fido2, &C::Fido2::rpId)},
      {"fido2", "rp_name", stringOption(&C::fido2, &C::Fido2::rpName)},
      {"fido2", "attestation",
       stringOption(&C::fido2, &C::Fido2::attestation, {"none", "self", "trusted"})},
      {"fido2", "ca_file", stringOption(&C::fido2, &C::Fido2::caFile)},
      {"fido2", "aaguids", stringListOption(&C::fido2, &C::Fido2::aaguids, 256)},
      {"fido2", "origins", stringListOption(&C::fido2, &C::Fido2::origins, 64)},
      {"fido2", "user_verification",
       stringOption(&C::fido2, &C::Fido2::userVerification,
                    {"required", "preferred", "discouraged"})},
      {"fido2", "challenge_ttl", intOption(&C::fido2, &C::Fido2::challengeTtl, 5, 600)},
  };
  return table;
}

const Option* findOption(std::string_view section, std::string_view key) {
  for (const auto& o : options()) {
    if (o.section == section && o.key == key) return &o;
  }
  return nullptr;
}

bool knownSection(std::string_view section) {
  for (const auto& o : options()) {
    if (o.section == section) return true;
  }
  return false;
}

std::string where(const std::string& origin, const toml::node& n, std::string_view name) {
  return origin + ":" + std::to_string(n.source().begin.line) + ": key " + std::string(name) + ": ";
}

bool applyTable(Config& config, const toml::table& root, const std::string& origin,
                std::string* error) {
  for (const auto& [sectionKey, sectionNode] : root) {
    std::string_view section = sectionKey.str();
    const toml::table* table = sectionNode.as_table();
    if (!knownSection(section) || table == nullptr) {
      *error = where(origin, sectionNode, section) + "unknown section";
      return false;
    }
    for (const auto& [key, node] : *table) {
      std::string name = std::string(section) + "." + std::string(key.str());
      const Option* option = findOption(section, key.str());
      if (option == nullptr) {
        *error = where(origin, node, name) + "unknown option";
        return false;
      }
      if (Problem p = option->set(config, node); !p.why.empty()) {
        *error = where(origin, p.at != nullptr ? *p.at : node, name + p.key) + p.why;
        return false;
      }
    }
  }
  return true;
}

// What an ldap backend cannot work without; "" when fine, else "KEY: why".
std::string checkLdap(const Config::Ldap& l) {
  if (l.uris.empty())
    return "uris: must list at least one server when directory.backend is \"ldap\"";
  for (const auto& uri : l.uris) {
    bool tls = uri.rfind("ldaps://", 0) == 0;
    bool plain = uri.rfind("ldap://", 0) == 0;
    if (!tls && !plain) return "uris: \"" + uri + "\" must start with ldaps:// or ldap://";
  }
  if (l.userBase.empty()) return "user_base: must be set when directory.backend is \"ldap\"";
  if (!l.bindDn.empty() && l.bindPasswordFile.empty()) {
    return "bind_password_file: must be set when ldap.bind_dn is set";
  }
  if (l.disabledFlagAttribute.empty() != (l.disabledFlagMask == 0)) {
    return "disabled_flag_mask: set both disabled_flag_attribute and disabled_flag_mask, or "
           "neither";
  }
  return {};
}

// What an agent cannot work without; "" when fine (or not an agent's file), else "KEY: why".
std::string checkAgent(const Config::Agent& a) {
  if (a.servers.empty()) return {};
  for (const auto& server : a.servers) {
    if (!splitServerAddress(server)) {
      return "servers: \"" + server +
             "\" is not HOST:PORT (a host name or IP address, port 1-65535)";
    }
  }
  if (a.certFile.empty() || a.keyFile.empty() || a.caFile.empty()) {
    return "cert_file: cert_file, key_file and ca_file must be set when agent.servers is";
  }
  return {};
}

// What the network listener cannot work without; "" when fine (or off), else "KEY: why".
std::string checkTls(const Config::Tls& t) {
  if (t.listen.empty()) return {};
  for (const auto& address : t.listen) {
    if (!splitHostPort(address)) {
      return "listen: \"" + address + "\" is not ADDRESS:PORT (an IP address, [v6]:PORT for IPv6)";
    }
  }
  if (t.certFile.empty() || t.keyFile.empty() || t.caFile.empty()) {
    return "cert_file: cert_file, key_file and ca_file must be set when tls.listen is";
  }
  return {};
}

// What the RADIUS listeners cannot work without; "" when fine (or off), else "KEY: why".
std::string checkRadius(const Config::Radius& r) {
  for (const auto* list : {&r.listen, &r.accountingListen}) {
    for (const auto& address : *list) {
      if (!splitHostPort(address)) {
        return std::string(list == &r.listen ? "listen" : "accounting_listen") + ": \"" + address +
               "\" is not ADDRESS:PORT (an IP address, [v6]:PORT for IPv6)";
      }
    }
  }
  if ((!r.listen.empty() || !r.accountingListen.empty()) && r.clients.empty()) {
    return "clients: at least one [[radius.clients]] is required when radius.listen or "
           "radius.accounting_listen is set";
  }
  return {};
}

bool checkConsistency(const Config& c, const std::string& origin, std::string* error) {
  if (c.totp.digits == 7) {
    *error = origin + ": key totp.digits: must be 6 or 8";
    return false;
  }
  if (c.totp.issuer.find(':') != std::string::npos || c.totp.issuer.size() > 64) {
    *error = origin + ": key totp.issuer: must be at most 64 bytes without ':'";
    return false;
  }
  if (c.fido2.attestation == "trusted" && c.fido2.caFile.empty()) {
    *error = origin + ": key fido2.ca_file: must be set when fido2.attestation is \"trusted\"";
    return false;
  }
  if (c.fido2.rpId.size() > 253 || c.fido2.rpName.size() > 64) {
    *error = origin + ": key fido2.rp_id: at most 253 bytes (rp_name at most 64)";
    return false;
  }
  for (const auto& a : c.fido2.aaguids) {
    if (!fido2::aaguidFromString(a)) {
      *error = origin + ": key fido2.aaguids: \"" + a +
               "\" is not an AAGUID (8-4-4-4-12 lower-case hex digits)";
      return false;
    }
  }
  if (c.directory.backend == "ldap") {
    if (std::string why = checkLdap(c.ldap); !why.empty()) {
      *error = origin + ": key ldap." + why;
      return false;
    }
  }
  if (std::string why = checkAgent(c.agent); !why.empty()) {
    *error = origin + ": key agent." + why;
    return false;
  }
  if (std::string why = checkTls(c.tls); !why.empty()) {
    *error = origin + ": key tls." + why;
    return false;
  }
  if (std::string why = checkRadius(c.radius); !why.empty()) {
    *error = origin + ": key radius." + why;
    return false;
  }
  if (c.audit.adminRetentionDays < c.audit.retentionDays) {
    *error = origin +
             ": key audit.admin_retention_days: must not be smaller than "
             "audit.retention_days (admin actions are kept at least as long as logons)";
    return false;
  }
  if (c.lockout.maxDelay < c.lockout.baseDelay) {
    *error = origin + ": key lockout.max_delay: must not be smaller than lockout.base_delay";
    return false;
  }
  return true;
}

}  // namespace

std::optional<Config> parseConfig(std::string_view text, const std::string& origin,
                                  std::string* error) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    *error =
        origin + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description());
    return std::nullopt;
  }
  Config config;
  if (!applyTable(config, root, origin, error) || !checkConsistency(config, origin, error)) {
    return std::nullopt;
  }
  return config;
}

std::optional<Config> loadConfigFile(const std::string& path, std::string* error) {
  constexpr std::size_t kMaxConfigBytes = 1 << 20;
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = path + ": cannot open: " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text(kMaxConfigBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxConfigBytes) {
    *error = path + ": larger than 1 MiB";
    return std::nullopt;
  }
  return parseConfig(text, path, error);
}

}  // namespace authd
