#include "authd/logon/totp.h"

#include <liboath/oath.h>
#include <openssl/crypto.h>

#include <mutex>
#include <stdexcept>

namespace authd {

namespace {

void initOathOnce() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (oath_init() != OATH_OK) throw std::runtime_error("oath_init failed");
  });
}

int oathFlags(TotpAlgorithm algorithm) {
  switch (algorithm) {
    case TotpAlgorithm::sha256:
      return OATH_TOTP_HMAC_SHA256;
    case TotpAlgorithm::sha512:
      return OATH_TOTP_HMAC_SHA512;
    case TotpAlgorithm::sha1:
      break;
  }
  return 0;
}

}  // namespace

std::optional<TotpAlgorithm> totpAlgorithmFrom(std::string_view name) {
  if (name == "sha1") return TotpAlgorithm::sha1;
  if (name == "sha256") return TotpAlgorithm::sha256;
  if (name == "sha512") return TotpAlgorithm::sha512;
  return std::nullopt;
}

const char* toString(TotpAlgorithm algorithm) {
  switch (algorithm) {
    case TotpAlgorithm::sha256:
      return "sha256";
    case TotpAlgorithm::sha512:
      return "sha512";
    case TotpAlgorithm::sha1:
      break;
  }
  return "sha1";
}

std::size_t totpSecretBytes(TotpAlgorithm algorithm) {
  switch (algorithm) {
    case TotpAlgorithm::sha256:
      return 32;
    case TotpAlgorithm::sha512:
      return 64;
    case TotpAlgorithm::sha1:
      break;
  }
  return 20;
}

std::int64_t totpStepAt(std::int64_t unixTime) {
  return unixTime >= 0 ? unixTime / kTotpStepSeconds : -1;
}

std::string totpCode(const SecretBytes& secret, const TotpSpec& spec, std::int64_t step) {
  initOathOnce();
  char out[16] = {};
  int rc = oath_totp_generate2(reinterpret_cast<const char*>(secret.data()), secret.size(),
                               static_cast<time_t>(step * kTotpStepSeconds), kTotpStepSeconds,
                               OATH_TOTP_DEFAULT_START_TIME, static_cast<unsigned>(spec.digits),
                               oathFlags(spec.algorithm), out);
  if (rc != OATH_OK)
    throw std::runtime_error(std::string("oath_totp_generate2: ") + oath_strerror(rc));
  std::string code(out);
  OPENSSL_cleanse(out, sizeof(out));
  return code;
}

std::vector<std::int64_t> matchTotp(const SecretBytes& secret, const TotpSpec& spec,
                                    std::string_view code, std::int64_t now, int window) {
  std::vector<std::int64_t> matches;
  const std::int64_t center = totpStepAt(now);
  const bool rightLength = code.size() == static_cast<std::size_t>(spec.digits);
  for (std::int64_t step = center - window; step <= center + window; ++step) {
    if (step < 0) continue;
    std::string candidate = totpCode(secret, spec, step);
    // Compare the full length even when lengths differ, so timing does not depend on the input.
    std::string typed(candidate.size(), '\0');
    typed.replace(0, std::min(code.size(), typed.size()), code.substr(0, typed.size()));
    bool equal = CRYPTO_memcmp(candidate.data(), typed.data(), candidate.size()) == 0;
    OPENSSL_cleanse(candidate.data(), candidate.size());
    OPENSSL_cleanse(typed.data(), typed.size());
    if (equal && rightLength) matches.push_back(step);
  }
  return matches;
}

}  // namespace authd
