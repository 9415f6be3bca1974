#pragma once
// Parameter checks shared by makeCredential and getAssertion.

#include <cbor.h>

#include <cstdint>

namespace authd::testing {

struct CommandOptions {
  bool rk = false;
  bool up = true;
  bool uv = false;
};

// Reads an options map ({"rk","up","uv"} of booleans; unknown keys ignored). Returns kOk or the
// status to answer; an absent map (nullptr) keeps the defaults.
uint8_t parseOptions(const cbor_item_t* item, CommandOptions* out);

}  // namespace authd::testing
