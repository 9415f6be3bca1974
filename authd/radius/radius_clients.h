#pragma once
// The gateways (NAS) allowed to ask authd over RADIUS, from [[radius.clients]]: each with its
// source address or network, its shared secret (read from its file into wiped memory), its mode
// and its BlastRADIUS settings. A datagram from an address no client covers is dropped. When
// networks overlap, the longest prefix wins.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "authd/base/config.h"
#include "authd/base/secret_bytes.h"
#include "authd/ip_network.h"

namespace authd::radius {

enum class ClientMode { kAppend, kChallenge, kOtpOnly };
const char* toString(ClientMode mode);

// The shortest shared secret accepted (draft-ietf-radext-deprecating-radius: 128 bits).
inline constexpr std::size_t kMinSecretLength = 16;

struct RadiusClient {
  std::string name;
  IpNetwork network;
  SecretBytes secret;
  ClientMode mode = ClientMode::kAppend;
  bool requireMessageAuthenticator = true;
  bool limitProxyState = true;
};

class RadiusClients {
 public:
  // Reads every client's secret file (the secret-file rules of base/secret_file.h, first line,
  // at least kMinSecretLength characters) and parses its address. Throws std::runtime_error
  // "radius.clients NAME: why" on the first problem: authd refuses to start.
  static RadiusClients load(const std::vector<Config::Radius::Client>& clients);

  // The client covering `address` (a printable IPv4 or IPv6 address; IPv4-mapped IPv6 counts
  // as IPv4), longest prefix first; nullptr when none.
  const RadiusClient* find(const std::string& address) const;

  std::size_t size() const { return clients_.size(); }

 private:
  std::vector<std::unique_ptr<RadiusClient>> clients_;  // longest prefix first
};

}  // namespace authd::radius
