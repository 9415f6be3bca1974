#pragma once
// The FIDO2 part of the configuration turned into what the relying-party checks need: the
// attestation policy with its CA bundle read from fido2.ca_file, and the AAGUID allow-list.

#include <optional>
#include <string>

#include "authd/base/config.h"
#include "authd/fido2/relying_party.h"

namespace authd {

// nullopt with *error set when the CA file cannot be read or holds no certificate.
std::optional<fido2::AttestationTrust> loadAttestationTrust(const Config& config,
                                                            std::string* error);

// The origins WebAuthn clients may use: fido2.origins, or https://<rp_id> when unset.
std::vector<std::string> allowedOrigins(const Config& config);

}  // namespace authd
