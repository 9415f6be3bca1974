#include "authd/logon/fido2_policy.h"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace authd {

namespace {

constexpr std::size_t kMaxCaBundleBytes = 1 << 20;

std::optional<std::string> readSmallFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "fido2.ca_file " + path + ": cannot open: " + std::strerror(errno);
    return std::nullopt;
  }
  std::string text(kMaxCaBundleBytes + 1, '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<std::size_t>(in.gcount()));
  if (text.size() > kMaxCaBundleBytes) {
    *error = "fido2.ca_file " + path + ": larger than 1 MiB";
    return std::nullopt;
  }
  return text;
}

fido2::AttestationPolicy policyFrom(const std::string& name) {
  if (name == "none") return fido2::AttestationPolicy::none;
  if (name == "trusted") return fido2::AttestationPolicy::trusted;
  return fido2::AttestationPolicy::self;
}

}  // namespace

std::optional<fido2::AttestationTrust> loadAttestationTrust(const Config& config,
                                                            std::string* error) {
  fido2::AttestationTrust trust;
  trust.policy = policyFrom(config.fido2.attestation);
  for (const auto& text : config.fido2.aaguids) {
    auto aaguid = fido2::aaguidFromString(text);
    if (!aaguid) {
      *error = "fido2.aaguids: not an AAGUID: " + text;
      return std::nullopt;
    }
    trust.allowedAaguids.push_back(*aaguid);
  }
  if (!config.fido2.caFile.empty()) {
    auto pem = readSmallFile(config.fido2.caFile, error);
    if (!pem) return std::nullopt;
    if (pem->find("-----BEGIN CERTIFICATE-----") == std::string::npos) {
      *error = "fido2.ca_file " + config.fido2.caFile + ": holds no PEM certificate";
      return std::nullopt;
    }
    trust.caBundlePem = std::move(*pem);
  }
  return trust;
}

std::vector<std::string> allowedOrigins(const Config& config) {
  if (!config.fido2.origins.empty()) return config.fido2.origins;
  return {"https://" + config.fido2.rpId};
}

}  // namespace authd
