#include "authd/wipe.h"

#include <doctest/doctest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

TEST_CASE("wipeString zeroes the whole buffer, including bytes beyond the current size") {
  std::string secret(64, 'S');
  secret.resize(10);  // keeps the capacity: bytes 10..63 still hold 'S'
  const char* buffer = secret.data();
  const std::size_t capacity = secret.capacity();
  authd::wipeString(secret);
  CHECK(secret.empty());
  REQUIRE(secret.data() == buffer);
  std::size_t nonZero = 0;
  for (std::size_t i = 0; i < capacity; ++i) nonZero += buffer[i] != 0 ? 1 : 0;
  CHECK(nonZero == 0);
}

TEST_CASE("ScopedWipe wipes on scope exit") {
  std::string secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
  const char* buffer = secret.data();
  {
    authd::ScopedWipe wipe(secret);
    CHECK(secret.size() == 32);
  }
  CHECK(secret.empty());
  CHECK(buffer[0] == 0);
}

TEST_CASE("takeLine appends the newline in a fresh buffer and wipes the text") {
  std::string reply = R"({"ok":true,"secret":"JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"})";
  reply.shrink_to_fit();  // full: a push_back here would reallocate
  const char* buffer = reply.data();
  const std::size_t capacity = reply.capacity();
  const std::string expected = reply + "\n";
  const std::string line = authd::takeLine(reply);
  CHECK(line == expected);
  CHECK(line.capacity() == line.size());  // nothing to reallocate, nothing left behind
  CHECK(reply.empty());
  REQUIRE(reply.data() == buffer);
  std::size_t nonZero = 0;
  for (std::size_t i = 0; i < capacity; ++i) nonZero += buffer[i] != 0 ? 1 : 0;
  CHECK(nonZero == 0);
}

TEST_CASE("wipeSecretFields wipes request secrets and enrolment answers in place") {
  nlohmann::json object = {{"code", "123456789012345"},
                           {"password", std::string(40, 'p')},
                           {"pin", "1234"},
                           {"secret", std::string(32, 'S')},
                           {"uri", "otpauth://totp/x:alice?secret=" + std::string(32, 'S')},
                           {"user", "alice"}};
  std::vector<std::pair<const char*, std::size_t>> buffers;
  for (const char* key : {"code", "password", "pin", "secret", "uri"}) {
    auto& s = object[key].get_ref<std::string&>();
    buffers.emplace_back(s.data(), s.capacity());
  }
  authd::wipeSecretFields(object);
  for (const auto& [buffer, capacity] : buffers) {
    std::size_t nonZero = 0;
    for (std::size_t i = 0; i < capacity; ++i) nonZero += buffer[i] != 0 ? 1 : 0;
    CHECK(nonZero == 0);
  }
  CHECK(object["uri"] == "");
  CHECK(object["user"] == "alice");
  nlohmann::json notObject = nlohmann::json::array({"code"});
  authd::wipeSecretFields(notObject);
  CHECK(notObject.size() == 1);
}
