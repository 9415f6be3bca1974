#include "authd/host_port.h"

#include <doctest/doctest.h>

using authd::splitHostPort;

TEST_CASE("host_port: IPv4 and bracketed IPv6 literals with a decimal port") {
  auto v4 = splitHostPort("192.0.2.1:8443");
  REQUIRE(v4);
  CHECK(v4->address == "192.0.2.1");
  CHECK(v4->port == 8443);
  auto v6 = splitHostPort("[2001:db8::1]:443");
  REQUIRE(v6);
  CHECK(v6->address == "2001:db8::1");
  CHECK(v6->port == 443);
  CHECK(splitHostPort("127.0.0.1:0")->port == 0);
  CHECK(splitHostPort("0.0.0.0:65535")->port == 65535);
}

TEST_CASE("host_port: a server may also be a DNS name, never port 0") {
  auto named = authd::splitServerAddress("authd-1.stadt.example:8443");
  REQUIRE(named);
  CHECK(named->address == "authd-1.stadt.example");
  CHECK(named->port == 8443);
  CHECK(authd::splitServerAddress("192.0.2.1:8443")->address == "192.0.2.1");
  CHECK(authd::splitServerAddress("[2001:db8::1]:8443")->address == "2001:db8::1");
  for (const char* bad :
       {"authd:0", "192.0.2.1:0", "-authd:443", "authd-:443", "a..b:443", "au_thd:443", "authd",
        ":443", "authd.:443", "authd:443x", "[authd]:443"}) {
    CAPTURE(bad);
    CHECK_FALSE(authd::splitServerAddress(bad));
  }
}

TEST_CASE("host_port: names, missing or bad ports and stray characters are refused") {
  for (const char* bad :
       {"", "authd.example:443", "192.0.2.1", "192.0.2.1:", "192.0.2.1:65536", "192.0.2.1:+1",
        "192.0.2.1:44 ", "192.0.2.1:0x10", "2001:db8::1:443", "[2001:db8::1]", "[2001:db8::1]443",
        "[192.0.2.1]:443", "[::1]:", ":443", "192.0.2.256:443", "192.0.2.1:123456"}) {
    CAPTURE(bad);
    CHECK_FALSE(splitHostPort(bad));
  }
}

TEST_CASE("host_port: a server without a port gets the default one") {
  auto named = authd::splitServerAddress("authd-1.stadt.example", 8443);
  REQUIRE(named);
  CHECK(named->address == "authd-1.stadt.example");
  CHECK(named->port == 8443);
  CHECK(authd::splitServerAddress("192.0.2.1", 8443)->port == 8443);
  CHECK(authd::splitServerAddress("[2001:db8::1]", 8443)->address == "2001:db8::1");
  CHECK(authd::splitServerAddress("authd:4433", 8443)->port == 4433);
  CHECK(authd::splitServerAddress("[2001:db8::1]:4433", 8443)->port == 4433);
  // A bad port is refused, not replaced by the default.
  for (const char* bad : {"authd:0", "authd:", "authd:65536", "192.0.2.1:x", "2001:db8::1", "",
                          "[2001:db8::1]:", "authd:443:443", "-authd"}) {
    CAPTURE(bad);
    CHECK_FALSE(authd::splitServerAddress(bad, 8443));
  }
}
