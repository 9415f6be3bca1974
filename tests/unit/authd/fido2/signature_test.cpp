#include "authd/fido2/signature.h"

#include <doctest/doctest.h>

#include "rp_test_support.h"

using namespace authd::fido2;
using namespace authd::fido2::test;

TEST_CASE("each algorithm accepts only its key type") {
  EvpPkeyPtr ec = generateKey("EC");
  EvpPkeyPtr p384(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-384"));
  EvpPkeyPtr ed = generateKey("ED25519");
  EvpPkeyPtr rsa = generateKey("RSA");
  EvpPkeyPtr rsa1024 = generateKey("RSA", 1024);
  CHECK(keySuitsAlgorithm(ec.get(), kEs256));
  CHECK_FALSE(keySuitsAlgorithm(p384.get(), kEs256));
  CHECK_FALSE(keySuitsAlgorithm(ed.get(), kEs256));
  CHECK(keySuitsAlgorithm(ed.get(), kEdDsa));
  CHECK_FALSE(keySuitsAlgorithm(ec.get(), kEdDsa));
  CHECK(keySuitsAlgorithm(rsa.get(), kRs256));
  CHECK_FALSE(keySuitsAlgorithm(rsa1024.get(), kRs256));
  CHECK_FALSE(keySuitsAlgorithm(ec.get(), kRs256));
  CHECK_FALSE(keySuitsAlgorithm(ec.get(), -35));
  CHECK_FALSE(keySuitsAlgorithm(nullptr, kEs256));
}

TEST_CASE("the message is the concatenation of both parts") {
  const Bytes first = {1, 2, 3};
  const Bytes second = {4, 5};
  for (const auto& [type, algorithm] :
       {std::pair{"EC", kEs256}, std::pair{"ED25519", kEdDsa}, std::pair{"RSA", kRs256}}) {
    CAPTURE(algorithm);
    EvpPkeyPtr key = generateKey(type);
    const Bytes signature = sign(key.get(), algorithm, concat(first, second));
    CHECK(verifySignature(key.get(), algorithm, first, second, signature));
    CHECK(verifySignature(key.get(), algorithm, concat(first, second), {}, signature));
    CHECK_FALSE(verifySignature(key.get(), algorithm, second, first, signature));
    CHECK_FALSE(verifySignature(key.get(), algorithm, first, second, {}));
  }
}
