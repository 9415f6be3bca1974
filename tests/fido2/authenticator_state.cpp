#include "fido2/authenticator_state.h"

#include <algorithm>
#include <stdexcept>

#include "fido2/credential_key.h"

namespace authd::testing {
namespace {

bool needsIdentity(AttestationFormat format) {
  return format == AttestationFormat::packedX5c || format == AttestationFormat::fidoU2f;
}

EvpPkeyPtr loadAttestationKey(const SoftAuthenticatorConfig& config) {
  if (!needsIdentity(config.attestation)) return nullptr;
  const std::optional<AttestationIdentity>& identity = config.attestationIdentity;
  if (!identity || identity->x5c.empty() || identity->x5c.front().empty()) {
    throw std::invalid_argument("x5c attestation needs an attestation certificate");
  }
  EvpPkeyPtr key = pkeyFromPkcs8(identity->privateKeyPkcs8);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC) {
    throw std::invalid_argument("attestation key is not a P-256 PKCS#8 key");
  }
  return key;
}

}  // namespace

AuthenticatorState::AuthenticatorState(SoftAuthenticatorConfig cfg)
    : config(std::move(cfg)), attestationKey(loadAttestationKey(config)), rng(config.seed) {
  rng.fill(aaguid);
  if (config.aaguid) aaguid = *config.aaguid;
  pin.retries = config.maxPinRetries;
  pin.keyAgreement = Es256Key::generate(rng);
}

bool AuthenticatorState::acceptsAlgorithm(int64_t alg) const {
  if (!CredentialKey::supported(alg)) return false;
  if (config.attestation == AttestationFormat::fidoU2f && alg != kCoseEs256) return false;
  return std::find(config.algorithms.begin(), config.algorithms.end(), alg) !=
         config.algorithms.end();
}

}  // namespace authd::testing
