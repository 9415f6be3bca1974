#include "authd/wipe.h"

#include <doctest/doctest.h>

#include <string>

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
