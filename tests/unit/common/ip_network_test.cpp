#include "authd/ip_network.h"

#include <doctest/doctest.h>

using authd::IpAddress;
using authd::IpNetwork;
using authd::parseIpAddress;
using authd::parseIpNetwork;

namespace {

IpAddress address(const char* text) {
  std::optional<IpAddress> parsed = parseIpAddress(text);
  REQUIRE_MESSAGE(parsed, text);
  return *parsed;
}

IpNetwork network(const char* text) {
  std::optional<IpNetwork> parsed = parseIpNetwork(text);
  REQUIRE_MESSAGE(parsed, text);
  return *parsed;
}

}  // namespace

TEST_SUITE("ip_network") {
  TEST_CASE("IPv4 and IPv6 addresses, the IPv4 one in the first four bytes") {
    const IpAddress v4 = address("192.0.2.7");
    CHECK(v4.v4);
    CHECK(v4.bytes[0] == 192);
    CHECK(v4.bytes[3] == 7);
    CHECK(v4.bytes[4] == 0);
    const IpAddress v6 = address("2001:db8::1");
    CHECK_FALSE(v6.v4);
    CHECK(v6.bytes[0] == 0x20);
    CHECK(v6.bytes[15] == 1);
  }

  TEST_CASE("an IPv4-mapped IPv6 address is the IPv4 address") {
    CHECK(address("::ffff:192.0.2.7") == address("192.0.2.7"));
    CHECK(address("::FFFF:c000:0207") == address("192.0.2.7"));
    CHECK_FALSE(address("::192.0.2.7").v4);  // IPv4-compatible (deprecated) stays IPv6
    CHECK_FALSE(address("64:ff9b::192.0.2.7").v4);
  }

  TEST_CASE("addresses with zones, brackets, spaces, names or leading zeros are refused") {
    for (const char* bad :
         {"", "fe80::1%eth0", "[2001:db8::1]", " 192.0.2.7", "192.0.2.7 ", "192.0.2.7\n", "192.0.2",
          "192.0.2.256", "192.0.2.07", "0x7f.0.0.1", "localhost", "1.2.3.4.5", "2001:db8::1::2",
          "192.0.2.7/24", "::ffff:192.0.2.7x"}) {
      CAPTURE(bad);
      CHECK_FALSE(parseIpAddress(bad));
    }
    CHECK_FALSE(parseIpAddress(std::string_view("192.0.2.7\0junk", 14)));
  }

  TEST_CASE("a network: the prefix, or a single address as /32 or /128") {
    CHECK(network("192.0.2.0/24").prefix == 24);
    CHECK(network("192.0.2.7").prefix == 32);
    CHECK(network("2001:db8::/32").prefix == 32);
    CHECK(network("2001:db8::7").prefix == 128);
    CHECK(network("0.0.0.0/0").prefix == 0);
    CHECK(network("::/0").prefix == 0);
    CHECK(network("192.0.2.7/32") == network("192.0.2.7"));
  }

  TEST_CASE("a mapped network is the IPv4 network, its prefix counted over the IPv6 address") {
    CHECK(network("::ffff:192.0.2.7") == network("192.0.2.7/32"));
    CHECK(network("::ffff:192.0.2.0/120") == network("192.0.2.0/24"));
    CHECK(network("::ffff:0.0.0.0/96") == network("0.0.0.0/0"));
    CHECK_FALSE(parseIpNetwork("::ffff:0.0.0.0/95"));
  }

  TEST_CASE("host bits beyond the prefix must be zero") {
    CHECK_FALSE(parseIpNetwork("192.0.2.1/24"));
    CHECK_FALSE(parseIpNetwork("192.0.2.128/24"));
    CHECK(parseIpNetwork("192.0.2.128/25"));
    CHECK_FALSE(parseIpNetwork("10.0.0.0/0"));
    CHECK_FALSE(parseIpNetwork("2001:db8::1/64"));
    CHECK(parseIpNetwork("2001:db8:0:1::/64"));
    CHECK_FALSE(parseIpNetwork("::ffff:192.0.2.1/120"));
  }

  TEST_CASE("bad prefixes are refused") {
    for (const char* bad :
         {"192.0.2.0/33", "2001:db8::/129", "192.0.2.0/", "/24", "192.0.2.0/024", "192.0.2.0/00",
          "192.0.2.0/+24", "192.0.2.0/-1", "192.0.2.0/ 24", "192.0.2.0/24 ", "192.0.2.0/24/24",
          "192.0.2.0/0x18", "::ffff:192.0.2.0/129", "192.0.2.0/1000", "fe80::%eth0/64",
          "[2001:db8::]/32"}) {
      CAPTURE(bad);
      CHECK_FALSE(parseIpNetwork(bad));
    }
  }

  TEST_CASE("contains: the prefix bits decide, and families never mix") {
    const IpNetwork lan = network("192.0.2.0/24");
    CHECK(lan.contains(address("192.0.2.0")));
    CHECK(lan.contains(address("192.0.2.255")));
    CHECK(lan.contains(address("::ffff:192.0.2.9")));
    CHECK_FALSE(lan.contains(address("192.0.3.0")));
    CHECK_FALSE(lan.contains(address("::c000:209")));  // same bytes in IPv6 is another address
    const IpNetwork odd = network("10.64.0.0/10");
    CHECK(odd.contains(address("10.127.255.255")));
    CHECK_FALSE(odd.contains(address("10.128.0.0")));
    CHECK(network("0.0.0.0/0").contains(address("203.0.113.1")));
    CHECK_FALSE(network("0.0.0.0/0").contains(address("2001:db8::1")));
    CHECK_FALSE(network("::/0").contains(address("203.0.113.1")));
    const IpNetwork v6 = network("2001:db8:8000::/33");
    CHECK(v6.contains(address("2001:db8:ffff::1")));
    CHECK_FALSE(v6.contains(address("2001:db8:7fff::1")));
    CHECK(network("2001:db8::1").contains(address("2001:db8::1")));
    CHECK_FALSE(network("2001:db8::1").contains(address("2001:db8::2")));
  }
}
