#include "authd/radius/radius_clients.h"

#include <algorithm>
#include <stdexcept>

#include "authd/base/secret_file.h"

namespace authd::radius {

namespace {

std::runtime_error clientError(const Config::Radius::Client& client, const std::string& why) {
  return std::runtime_error("radius.clients " + client.name + ": " + why);
}

ClientMode modeOf(const Config::Radius::Client& client) {
  if (client.mode == "append") return ClientMode::kAppend;
  if (client.mode == "challenge") return ClientMode::kChallenge;
  if (client.mode == "otp_only") return ClientMode::kOtpOnly;
  throw clientError(client, "mode \"" + client.mode + "\" is not append, challenge or otp_only");
}

std::unique_ptr<RadiusClient> loadClient(const Config::Radius::Client& client) {
  auto out = std::make_unique<RadiusClient>();
  out->name = client.name;
  const std::optional<IpNetwork> network = parseIpNetwork(client.address);
  if (!network) throw clientError(client, "\"" + client.address + "\" is not an IP network");
  out->network = *network;
  out->mode = modeOf(client);
  out->requireMessageAuthenticator = client.requireMessageAuthenticator;
  out->limitProxyState = client.limitProxyState;
  out->secret =
      readSecretFirstLine(client.secretFile, "radius.clients " + client.name + ": secret_file");
  if (out->secret.size() < kMinSecretLength) {
    throw clientError(client, "shared secret in " + client.secretFile + " is shorter than " +
                                  std::to_string(kMinSecretLength) + " characters");
  }
  return out;
}

}  // namespace

const char* toString(ClientMode mode) {
  switch (mode) {
    case ClientMode::kAppend:
      return "append";
    case ClientMode::kChallenge:
      return "challenge";
    case ClientMode::kOtpOnly:
      return "otp_only";
  }
  return "unknown";
}

RadiusClients RadiusClients::load(const std::vector<Config::Radius::Client>& clients) {
  RadiusClients out;
  for (const Config::Radius::Client& client : clients) out.clients_.push_back(loadClient(client));
  // Longest prefix first: the narrowest network covering an address wins. Equal prefixes
  // overlap only when duplicated (config refuses that); stable keeps file order then.
  std::stable_sort(out.clients_.begin(), out.clients_.end(), [](const auto& a, const auto& b) {
    return a->network.prefix > b->network.prefix;
  });
  return out;
}

const RadiusClient* RadiusClients::find(const std::string& address) const {
  const std::optional<IpAddress> parsed = parseIpAddress(address);
  if (!parsed) return nullptr;
  for (const auto& client : clients_) {
    if (client->network.contains(*parsed)) return client.get();
  }
  return nullptr;
}

}  // namespace authd::radius
