#include "authd/logon/totp.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <string>
#include <type_traits>

using namespace authd;

namespace {

SecretBytes seed(const std::string& ascii) {
  return SecretBytes(reinterpret_cast<const unsigned char*>(ascii.data()), ascii.size());
}

const std::string kSha1Seed = "12345678901234567890";
const std::string kSha256Seed = "12345678901234567890123456789012";
const std::string kSha512Seed = "1234567890123456789012345678901234567890123456789012345678901234";

}  // namespace

TEST_CASE("RFC 6238 Appendix B vectors") {
  struct Vector {
    std::int64_t time;
    const char* sha1;
    const char* sha256;
    const char* sha512;
  };
  const Vector vectors[] = {
      {59, "94287082", "46119246", "90693936"},
      {1111111109, "07081804", "68084774", "25091201"},
      {1111111111, "14050471", "67062674", "99943326"},
      {1234567890, "89005924", "91819424", "93441116"},
      {2000000000, "69279037", "90698825", "38618901"},
      {20000000000, "65353130", "77737706", "47863826"},
  };
  for (const auto& v : vectors) {
    CAPTURE(v.time);
    const std::int64_t step = totpStepAt(v.time);
    CHECK(totpCode(seed(kSha1Seed), {TotpAlgorithm::sha1, 8}, step) == v.sha1);
    CHECK(totpCode(seed(kSha256Seed), {TotpAlgorithm::sha256, 8}, step) == v.sha256);
    CHECK(totpCode(seed(kSha512Seed), {TotpAlgorithm::sha512, 8}, step) == v.sha512);
  }
}

TEST_CASE("RFC 4226 Appendix D vectors (HOTP = TOTP with counter as step)") {
  const char* expected[] = {"755224", "287082", "359152", "969429", "338314",
                            "254676", "287922", "162583", "399871", "520489"};
  for (int counter = 0; counter < 10; ++counter) {
    CAPTURE(counter);
    CHECK(totpCode(seed(kSha1Seed), {TotpAlgorithm::sha1, 6}, counter) == expected[counter]);
  }
}

TEST_CASE("matchTotp accepts exactly the window edges") {
  const auto secret = seed(kSha1Seed);
  const TotpSpec spec{TotpAlgorithm::sha1, 6};
  const std::int64_t now = 1111111111;
  const std::int64_t center = totpStepAt(now);
  for (std::int64_t offset = -3; offset <= 3; ++offset) {
    CAPTURE(offset);
    std::string code = totpCode(secret, spec, center + offset);
    auto matches = matchTotp(secret, spec, code, now, 1);
    bool inWindow = offset >= -1 && offset <= 1;
    CHECK((std::find(matches.begin(), matches.end(), center + offset) != matches.end()) ==
          inWindow);
  }
  // Window 0 accepts only the current step.
  CHECK(matchTotp(secret, spec, totpCode(secret, spec, center - 1), now, 0).empty());
  CHECK(matchTotp(secret, spec, totpCode(secret, spec, center), now, 0) ==
        std::vector<std::int64_t>{center});
}

TEST_CASE("matchTotp rejects wrong, short and long codes") {
  const auto secret = seed(kSha1Seed);
  const TotpSpec spec{TotpAlgorithm::sha1, 6};
  const std::int64_t now = 1234567890;
  std::string good = totpCode(secret, spec, totpStepAt(now));
  std::string wrong = good;
  wrong[5] = wrong[5] == '0' ? '1' : '0';
  CHECK(matchTotp(secret, spec, wrong, now, 1).empty());
  CHECK(matchTotp(secret, spec, good.substr(0, 5), now, 1).empty());
  CHECK(matchTotp(secret, spec, good + "0", now, 1).empty());
  CHECK(matchTotp(secret, spec, "", now, 1).empty());
}

TEST_CASE("an 8-digit credential needs all 8 digits") {
  const auto secret = seed(kSha1Seed);
  const TotpSpec spec{TotpAlgorithm::sha1, 8};
  std::string code = totpCode(secret, spec, totpStepAt(59));
  CHECK(matchTotp(secret, spec, code, 59, 1).size() == 1);
  CHECK(matchTotp(secret, spec, code.substr(2), 59, 1).empty());
}

static_assert(std::is_same_v<TotpAlgorithm, authd::OtpAlgorithm>, "one TOTP algorithm enum");

TEST_CASE("normalizeCode") {
  CHECK(normalizeCode(" 123456 ") == "123456");
  CHECK(normalizeCode("12345678") == "12345678");
  CHECK_FALSE(normalizeCode("1234567").has_value());
  CHECK_FALSE(normalizeCode("12345a").has_value());
  CHECK(normalizeCode("123 456") == "123456");  // one rule with authctl (common/otp_code)
  CHECK_FALSE(normalizeCode("   ").has_value());
  CHECK_FALSE(normalizeCode("").has_value());
}

TEST_CASE("algorithm names and secret sizes") {
  CHECK(totpAlgorithmFrom("sha256") == TotpAlgorithm::sha256);
  CHECK_FALSE(totpAlgorithmFrom("md5").has_value());
  CHECK(std::string(toString(TotpAlgorithm::sha512)) == "sha512");
  CHECK(totpSecretBytes(TotpAlgorithm::sha1) * 8 >= 160);
  CHECK(totpSecretBytes(TotpAlgorithm::sha512) == 64);
}
