#pragma once
// CTAP2 command bytes and status codes (CTAP 2.1 §6, §8.2) the soft authenticator uses.

#include <cstdint>

namespace authd::testing::ctap {

inline constexpr uint8_t kMakeCredential = 0x01;
inline constexpr uint8_t kGetAssertion = 0x02;
inline constexpr uint8_t kGetInfo = 0x04;
inline constexpr uint8_t kClientPin = 0x06;
inline constexpr uint8_t kReset = 0x07;
inline constexpr uint8_t kGetNextAssertion = 0x08;

inline constexpr uint8_t kOk = 0x00;
inline constexpr uint8_t kInvalidCommand = 0x01;
inline constexpr uint8_t kInvalidParameter = 0x02;
inline constexpr uint8_t kInvalidLength = 0x03;
inline constexpr uint8_t kCborUnexpectedType = 0x11;
inline constexpr uint8_t kInvalidCbor = 0x12;
inline constexpr uint8_t kMissingParameter = 0x14;
inline constexpr uint8_t kCredentialExcluded = 0x19;
inline constexpr uint8_t kUnsupportedAlgorithm = 0x26;
inline constexpr uint8_t kInvalidOption = 0x2C;
inline constexpr uint8_t kNoCredentials = 0x2E;
inline constexpr uint8_t kNotAllowed = 0x30;
inline constexpr uint8_t kPinInvalid = 0x31;
inline constexpr uint8_t kPinBlocked = 0x32;
inline constexpr uint8_t kPinAuthInvalid = 0x33;
inline constexpr uint8_t kPinAuthBlocked = 0x34;
inline constexpr uint8_t kPinNotSet = 0x35;
inline constexpr uint8_t kPinRequired = 0x36;
inline constexpr uint8_t kPinPolicyViolation = 0x37;
inline constexpr uint8_t kInvalidSubcommand = 0x3E;
inline constexpr uint8_t kOther = 0x7F;

// pinUvAuthToken permissions (CTAP 2.1 §6.5.5.7).
inline constexpr uint8_t kPermissionMakeCredential = 0x01;
inline constexpr uint8_t kPermissionGetAssertion = 0x02;

}  // namespace authd::testing::ctap
