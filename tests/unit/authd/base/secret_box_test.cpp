#include "authd/base/secret_box.h"

#include <doctest/doctest.h>

#include <cstring>
#include <memory>
#include <string>

using namespace authd;

namespace {

// Deterministic "randomness" so tests can see nonces; production uses RAND_bytes.
Random counterRandom() {
  auto counter = std::make_shared<unsigned char>(0);
  return [counter](unsigned char* out, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) out[i] = (*counter)++;
  };
}

SecretBox makeBox(unsigned char fill = 7) {
  SecretBytes key(SecretBox::kKeyBytes);
  std::memset(key.data(), fill, key.size());
  return SecretBox(std::move(key), counterRandom());
}

SecretBytes text(const char* s) {
  return SecretBytes(reinterpret_cast<const unsigned char*>(s), std::strlen(s));
}

}  // namespace

TEST_CASE("seal and open round trip") {
  auto box = makeBox();
  auto blob = box.seal(text("12345678901234567890"), "authd-totp-v1:alice");
  CHECK(blob.size() == 1 + 12 + 20 + 16);
  CHECK(blob[0] == SecretBox::kVersion);
  auto opened = box.open(blob, "authd-totp-v1:alice");
  REQUIRE(opened.has_value());
  CHECK(std::memcmp(opened->data(), "12345678901234567890", 20) == 0);
}

TEST_CASE("the ciphertext does not contain the plaintext and nonces differ") {
  auto box = makeBox();
  auto a = box.seal(text("secretsecretsecret"), "x");
  auto b = box.seal(text("secretsecretsecret"), "x");
  CHECK(a != b);
  std::string blob(a.begin(), a.end());
  CHECK(blob.find("secret") == std::string::npos);
}

TEST_CASE("tampering with any byte is detected") {
  auto box = makeBox();
  auto blob = box.seal(text("12345678901234567890"), "ctx");
  for (std::size_t i = 0; i < blob.size(); ++i) {
    CAPTURE(i);
    auto bad = blob;
    bad[i] ^= 0x01;
    CHECK_FALSE(box.open(bad, "ctx").has_value());
  }
}

TEST_CASE("wrong associated data, wrong key, truncation are rejected") {
  auto box = makeBox();
  auto blob = box.seal(text("12345678901234567890"), "authd-totp-v1:alice");
  CHECK_FALSE(box.open(blob, "authd-totp-v1:mallory").has_value());
  CHECK_FALSE(makeBox(8).open(blob, "authd-totp-v1:alice").has_value());
  auto truncated = blob;
  truncated.resize(blob.size() - 1);
  CHECK_FALSE(box.open(truncated, "authd-totp-v1:alice").has_value());
  CHECK_FALSE(box.open({}, "authd-totp-v1:alice").has_value());
  CHECK_FALSE(box.open(std::vector<unsigned char>(29, 1), "x").has_value());
}

TEST_CASE("a key of the wrong size is refused") {
  CHECK_THROWS(SecretBox(SecretBytes(16), counterRandom()));
}
