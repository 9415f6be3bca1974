#include "authd/radius/radius_state.h"

#include <doctest/doctest.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>

using namespace authd;
using namespace authd::radius;

namespace {

// Every draw gives the next counter value in all 16 octets: 01 01 …, 02 02 …
Random countingRandom() {
  auto counter = std::make_shared<unsigned char>(0);
  return [counter](unsigned char* out, std::size_t size) { std::fill_n(out, size, ++*counter); };
}

SecretBytes password(const std::string& text) {
  return SecretBytes(reinterpret_cast<const unsigned char*>(text.data()), text.size());
}

std::string text(const SecretBytes& bytes) {
  return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
}

fido2::ByteSpan span(const StateId& id) { return fido2::ByteSpan(id.data(), id.size()); }

}  // namespace

TEST_CASE("radius state: 16 octets from the RNG, taken once by its user at its client") {
  ChallengeStates states(countingRandom(), 10, 10, 60);
  const std::optional<StateId> id = states.open("anna", "vpn-1", password("pw-anna"), 100);
  REQUIRE(id);
  StateId expected{};
  expected.fill(1);
  CHECK(*id == expected);
  const std::optional<SecretBytes> taken = states.take(span(*id), "anna", "vpn-1", 101);
  REQUIRE(taken);
  CHECK(text(*taken) == "pw-anna");
  CHECK(states.sizeForTest() == 0);
  CHECK_FALSE(states.take(span(*id), "anna", "vpn-1", 101));  // single use
}

TEST_CASE("radius state: another user or client gets nothing, and the State is spent") {
  ChallengeStates states(countingRandom(), 10, 10, 60);
  const std::optional<StateId> first = states.open("anna", "vpn-1", password("pw"), 100);
  const std::optional<StateId> second = states.open("anna", "vpn-1", password("pw"), 100);
  REQUIRE(first);
  REQUIRE(second);
  CHECK(*first != *second);
  CHECK_FALSE(states.take(span(*first), "bert", "vpn-1", 101));
  CHECK_FALSE(states.take(span(*first), "anna", "vpn-1", 101));
  CHECK_FALSE(states.take(span(*second), "anna", "vpn-2", 101));
  CHECK_FALSE(states.take(span(*second), "anna", "vpn-1", 101));
  CHECK(states.sizeForTest() == 0);
}

TEST_CASE("radius state: unknown States and wrong lengths find nothing and spend nothing") {
  ChallengeStates states(countingRandom(), 10, 10, 60);
  const std::optional<StateId> id = states.open("anna", "vpn-1", password("pw"), 100);
  REQUIRE(id);
  StateId other = *id;
  other[15] ^= 1;
  CHECK_FALSE(states.take(span(other), "anna", "vpn-1", 101));
  CHECK_FALSE(states.take(fido2::ByteSpan(id->data(), 15), "anna", "vpn-1", 101));
  CHECK_FALSE(states.take(fido2::ByteSpan(), "anna", "vpn-1", 101));
  CHECK(states.sizeForTest() == 1);
  CHECK(states.take(span(*id), "anna", "vpn-1", 101));
}

TEST_CASE("radius state: a State is valid for ttl seconds") {
  ChallengeStates states(countingRandom(), 10, 10, 60);
  const std::optional<StateId> late = states.open("anna", "vpn-1", password("pw"), 100);
  const std::optional<StateId> inTime = states.open("bert", "vpn-1", password("pw"), 100);
  REQUIRE(late);
  REQUIRE(inTime);
  CHECK(states.take(span(*inTime), "bert", "vpn-1", 159));
  CHECK_FALSE(states.take(span(*late), "anna", "vpn-1", 160));
  CHECK(states.sizeForTest() == 0);
}

TEST_CASE("radius state: at most max_states in all, expired ones dropped first") {
  ChallengeStates states(countingRandom(), 2, 10, 60);
  REQUIRE(states.open("a", "vpn-1", password("pw"), 100));
  REQUIRE(states.open("b", "vpn-2", password("pw"), 130));
  CHECK_FALSE(states.open("c", "vpn-3", password("pw"), 159));
  const std::optional<StateId> c = states.open("c", "vpn-3", password("pw"), 160);
  CHECK(c);  // the first expired at 160 and made room
  CHECK(states.sizeForTest() == 2);
}

TEST_CASE("radius state: one client cannot take the others' room") {
  ChallengeStates states(countingRandom(), 10, 2, 60);
  const std::optional<StateId> first = states.open("a", "vpn-1", password("pw"), 100);
  REQUIRE(first);
  REQUIRE(states.open("b", "vpn-1", password("pw"), 100));
  CHECK_FALSE(states.open("c", "vpn-1", password("pw"), 100));
  CHECK(states.open("c", "vpn-2", password("pw"), 100));
  REQUIRE(states.take(span(*first), "a", "vpn-1", 101));  // a taken State frees its place
  CHECK(states.open("c", "vpn-1", password("pw"), 101));
  CHECK_FALSE(states.open("d", "vpn-1", password("pw"), 101));
  CHECK(states.open("d", "vpn-1", password("pw"), 160));  // and so do expired ones
}

TEST_CASE("radius state: an RNG that repeats itself opens nothing over a live State") {
  const Random stuck = [](unsigned char* out, std::size_t size) { std::fill_n(out, size, 7); };
  ChallengeStates states(stuck, 10, 10, 60);
  const std::optional<StateId> id = states.open("anna", "vpn-1", password("first"), 100);
  REQUIRE(id);
  CHECK_FALSE(states.open("bert", "vpn-1", password("second"), 100));
  const std::optional<SecretBytes> taken = states.take(span(*id), "anna", "vpn-1", 101);
  REQUIRE(taken);
  CHECK(text(*taken) == "first");
}

TEST_CASE("radius state: a failing RNG throws and leaves nothing behind") {
  const Random broken = [](unsigned char*, std::size_t) { throw std::runtime_error("no RNG"); };
  ChallengeStates states(broken, 10, 10, 60);
  CHECK_THROWS_AS(states.open("anna", "vpn-1", password("pw"), 100), std::runtime_error);
  CHECK(states.sizeForTest() == 0);
}
