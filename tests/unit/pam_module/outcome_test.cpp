#include "outcome.h"

#include <doctest/doctest.h>

#include <tuple>

#include "authd/protocol.h"

using authd::CallError;
using authd::CallResult;
using authd::Decision;
using authd::FactorsAnswer;
using authd::VerifyAnswer;
using namespace authd::pam;

namespace {

CallResult<FactorsAnswer> factors(std::vector<std::string> list, bool locked = false,
                                  std::optional<std::int64_t> retryAfter = std::nullopt,
                                  bool mfaRequired = true) {
  return CallResult<FactorsAnswer>{FactorsAnswer{std::move(list), locked, retryAfter, mfaRequired},
                                   {}};
}

// The answer for an account the group policy exempts from the second factor.
CallResult<FactorsAnswer> exempt(std::vector<std::string> list) {
  return factors(std::move(list), false, std::nullopt, false);
}

CallResult<VerifyAnswer> verify(Decision d, std::string message,
                                std::optional<std::int64_t> retryAfter = std::nullopt) {
  return CallResult<VerifyAnswer>{VerifyAnswer{d, std::move(message), retryAfter, 1}, {}};
}

const CallError::Kind kOutageKinds[] = {CallError::Kind::connect, CallError::Kind::timeout,
                                        CallError::Kind::io, CallError::Kind::protocol,
                                        CallError::Kind::server};

}  // namespace

TEST_CASE("factors: totp enrolled means ask for a code") {
  CHECK_FALSE(outcomeOfFactors(factors({"totp"}), false, FactorChoice::any).has_value());
  CHECK_FALSE(outcomeOfFactors(factors({"fido2", "totp"}), true, FactorChoice::any).has_value());
}

TEST_CASE("factors: empty list without nouserok denies with a message") {
  auto o = outcomeOfFactors(factors({}), false, FactorChoice::any);
  REQUIRE(o.has_value());
  CHECK(o->pamCode == PAM_AUTH_ERR);
  CHECK(o->userMessage == kMsgNotEnrolled);
  CHECK(o->reason == "no_factor");
}

TEST_CASE("factors: empty list with nouserok is ignored") {
  auto o = outcomeOfFactors(factors({}), true, FactorChoice::any);
  REQUIRE(o.has_value());
  CHECK(o->pamCode == PAM_IGNORE);
  CHECK(o->userMessage.empty());
}

TEST_CASE("factors: empty list with mfa false is ignored: the stack's other modules decide") {
  for (bool nouserok : {false, true}) {
    CAPTURE(nouserok);
    auto o = outcomeOfFactors(exempt({}), nouserok, FactorChoice::any);
    REQUIRE(o.has_value());
    CHECK(o->pamCode == PAM_IGNORE);
    CHECK(o->userMessage.empty());
    CHECK(o->reason == "mfa_not_required");
  }
}

TEST_CASE("factors: mfa false with enrolled factors still asks for them") {
  CHECK_FALSE(outcomeOfFactors(exempt({"totp"}), false, FactorChoice::any).has_value());
  CHECK_FALSE(outcomeOfFactors(exempt({"fido2"}), false, FactorChoice::fido2).has_value());
  // ... and an enrolled factor the service may not use is still a denial, never an ignore.
  auto o = outcomeOfFactors(exempt({"fido2"}), true, FactorChoice::totp);
  REQUIRE(o.has_value());
  CHECK(o->pamCode == PAM_AUTH_ERR);
  CHECK(o->reason == "unsupported_factor");
}

TEST_CASE("factors: mfa true with an empty list is unchanged") {
  auto denied = outcomeOfFactors(factors({}, false, std::nullopt, true), false, FactorChoice::any);
  REQUIRE(denied.has_value());
  CHECK(denied->pamCode == PAM_AUTH_ERR);
  CHECK(denied->reason == "no_factor");
  auto ignored = outcomeOfFactors(factors({}, false, std::nullopt, true), true, FactorChoice::any);
  REQUIRE(ignored.has_value());
  CHECK(ignored->pamCode == PAM_IGNORE);
  CHECK(ignored->reason == "nouserok");
}

TEST_CASE("factors: errors are never ignored, also with nouserok (CVE-2020-24612)") {
  for (auto kind : kOutageKinds) {
    for (bool nouserok : {false, true}) {
      CAPTURE(static_cast<int>(kind));
      auto o = outcomeOfFactors(CallResult<FactorsAnswer>::failure(CallError{kind, "x", "why", {}}),
                                nouserok, FactorChoice::any);
      REQUIRE(o.has_value());
      CHECK(o->pamCode == PAM_AUTHINFO_UNAVAIL);
      CHECK(o->userMessage == kMsgUnavailable);
      CHECK(o->reason.rfind("unavailable:", 0) == 0);
      CHECK(o->detail == "why");
    }
  }
}

TEST_CASE("factors: server error code is in the reason") {
  auto o = outcomeOfFactors(CallResult<FactorsAnswer>::failure(
                                CallError{CallError::Kind::server, "unavailable", "db", {}}),
                            false, FactorChoice::any);
  REQUIRE(o.has_value());
  CHECK(o->reason == "unavailable:server:unavailable");
}

TEST_CASE("unavailable: the agent's message for the user is shown, anything else is not") {
  auto plain = outcomeOfFactors(CallResult<FactorsAnswer>::failure(
                                    CallError{CallError::Kind::server, "unavailable", "db", {}}),
                                false, FactorChoice::any);
  REQUIRE(plain.has_value());
  CHECK(plain->userMessage == kMsgUnavailable);
  auto offline = outcomeOfFactors(CallResult<FactorsAnswer>::failure(
                                      CallError{CallError::Kind::server, "unavailable", "no entry",
                                                "Codes of an app cannot be checked offline."}),
                                  false, FactorChoice::any);
  REQUIRE(offline.has_value());
  CHECK(offline->pamCode == PAM_AUTHINFO_UNAVAIL);
  CHECK(offline->userMessage == "Codes of an app cannot be checked offline.");
}

TEST_CASE("factors: an unsendable user name is a plain denial") {
  auto o = outcomeOfFactors(
      CallResult<FactorsAnswer>::failure(CallError{CallError::Kind::argument, "", "bad user", {}}),
      true, FactorChoice::any);
  REQUIRE(o.has_value());
  CHECK(o->pamCode == PAM_AUTH_ERR);
  CHECK(o->reason == "invalid_input");
}

TEST_CASE("factors: locked") {
  auto o = outcomeOfFactors(factors({"totp"}, true, 300), true, FactorChoice::any);
  REQUIRE(o.has_value());
  CHECK(o->pamCode == PAM_MAXTRIES);
  CHECK(o->userMessage ==
        "Too many failed attempts. Your second factor is locked; try again in 5 minutes or ask "
        "IT support.");
}

TEST_CASE("factors: no usable factor denies") {
  const std::pair<std::vector<std::string>, FactorChoice> cases[] = {
      {{"sms"}, FactorChoice::any},
      {{"fido2"}, FactorChoice::totp},
      {{"totp"}, FactorChoice::fido2},
  };
  for (const auto& [list, choice] : cases) {
    auto o = outcomeOfFactors(factors(list), true, choice);
    REQUIRE(o.has_value());
    CHECK(o->pamCode == PAM_AUTH_ERR);
    CHECK(o->userMessage == kMsgUnsupported);
    CHECK(o->reason == "unsupported_factor");
  }
}

TEST_CASE("factors: a usable factor goes on, with the plan the option allows") {
  CHECK_FALSE(outcomeOfFactors(factors({"fido2"}), false, FactorChoice::any).has_value());
  CHECK_FALSE(outcomeOfFactors(factors({"fido2"}), false, FactorChoice::fido2).has_value());
  CHECK_FALSE(outcomeOfFactors(factors({"totp", "fido2"}), false, FactorChoice::totp).has_value());
  auto plan = [](std::vector<std::string> list, FactorChoice choice) {
    FactorPlan p = planFactors(*factors(std::move(list)).answer, choice);
    return std::make_pair(p.fido2, p.totp);
  };
  CHECK(plan({"totp", "fido2"}, FactorChoice::any) == std::make_pair(true, true));
  CHECK(plan({"totp", "fido2"}, FactorChoice::fido2) == std::make_pair(true, false));
  CHECK(plan({"totp", "fido2"}, FactorChoice::totp) == std::make_pair(false, true));
  CHECK(plan({"fido2"}, FactorChoice::any) == std::make_pair(true, false));
  CHECK(plan({"totp"}, FactorChoice::any) == std::make_pair(false, true));
  CHECK(plan({}, FactorChoice::any) == std::make_pair(false, false));
}

TEST_CASE("key failures: only a missing key may fall back to the code") {
  for (auto failure : {authd::Fido2Failure::noDevice, authd::Fido2Failure::noMatchingKey}) {
    CHECK_FALSE(outcomeOfKeyFailure(failure, "d", true).has_value());
    auto o = outcomeOfKeyFailure(failure, "d", false);
    REQUIRE(o.has_value());
    CHECK(o->pamCode == PAM_AUTH_ERR);
    CHECK(o->userMessage == kMsgNoKey);
    CHECK(o->reason == "no_key");
    CHECK(o->detail == "d");
  }
  const std::tuple<authd::Fido2Failure, int, std::string_view, const char*> cases[] = {
      {authd::Fido2Failure::pinRequired, PAM_AUTH_ERR, kMsgPinMissing, "pin_missing"},
      {authd::Fido2Failure::pinInvalid, PAM_AUTH_ERR, kMsgPinInvalid, "pin_invalid"},
      {authd::Fido2Failure::pinBlocked, PAM_MAXTRIES, kMsgPinBlocked, "pin_blocked"},
      {authd::Fido2Failure::noPinSet, PAM_AUTH_ERR, kMsgNoPinSet, "no_pin_set"},
      {authd::Fido2Failure::timeout, PAM_AUTH_ERR, kMsgKeyTimeout, "key_timeout"},
      {authd::Fido2Failure::device, PAM_AUTH_ERR, kMsgKeyFailed, "key_error"},
      {authd::Fido2Failure::excluded, PAM_AUTH_ERR, kMsgKeyFailed, "key_error"},
      {authd::Fido2Failure::none, PAM_AUTH_ERR, kMsgKeyFailed, "key_error"},
  };
  for (const auto& [failure, code, message, reason] : cases) {
    for (bool fallback : {true, false}) {
      CAPTURE(reason);
      auto o = outcomeOfKeyFailure(failure, "detail", fallback);
      REQUIRE(o.has_value());
      CHECK(o->pamCode == code);
      CHECK(o->userMessage == message);
      CHECK(o->reason == reason);
    }
  }
}

TEST_CASE("lockedMessage rounds up to whole minutes") {
  CHECK(lockedMessage(0).find("in 1 minute or") != std::string::npos);
  CHECK(lockedMessage(std::nullopt).find("in 1 minute or") != std::string::npos);
  CHECK(lockedMessage(1).find("in 1 minute or") != std::string::npos);
  CHECK(lockedMessage(60).find("in 1 minute or") != std::string::npos);
  CHECK(lockedMessage(61).find("in 2 minutes or") != std::string::npos);
  CHECK(lockedMessage(3600).find("in 60 minutes or") != std::string::npos);
  CHECK(lockedMessage(-5).find("in 1 minute or") != std::string::npos);
}

TEST_CASE("verify: only accept succeeds") {
  auto ok = outcomeOfVerify(verify(Decision::accept, "Verification code accepted."));
  CHECK(ok.pamCode == PAM_SUCCESS);
  CHECK(ok.userMessage.empty());

  auto reject = outcomeOfVerify(verify(Decision::reject, "Verification failed."));
  CHECK(reject.pamCode == PAM_AUTH_ERR);
  CHECK(reject.userMessage == "Verification failed.");
  CHECK(reject.reason == "reject");

  auto locked = outcomeOfVerify(verify(Decision::locked, "Locked for now.", 60));
  CHECK(locked.pamCode == PAM_MAXTRIES);
  CHECK(locked.userMessage == "Locked for now.");
}

TEST_CASE("verify: every call failure denies") {
  for (auto kind : kOutageKinds) {
    CAPTURE(static_cast<int>(kind));
    auto o = outcomeOfVerify(CallResult<VerifyAnswer>::failure(CallError{kind, "", "x", {}}));
    CHECK(o.pamCode == PAM_AUTHINFO_UNAVAIL);
  }
  auto arg = outcomeOfVerify(
      CallResult<VerifyAnswer>::failure(CallError{CallError::Kind::argument, "", "code", {}}));
  CHECK(arg.pamCode == PAM_AUTH_ERR);
  CHECK(arg.userMessage == kMsgFailed);
}

TEST_CASE("directory password: empty or unsendable denies, anything the protocol carries goes on") {
  auto empty = outcomeOfPassword("");
  REQUIRE(empty.has_value());
  CHECK(empty->pamCode == PAM_AUTH_ERR);
  CHECK(empty->reason == "no_password");
  CHECK(empty->userMessage == kMsgFailed);
  for (std::string bad : {std::string(authd::protocol::kMaxPasswordBytes + 1, 'p'),
                          std::string("pa\tss"), std::string("\xff\xfe")}) {
    auto o = outcomeOfPassword(bad);
    REQUIRE(o.has_value());
    CHECK(o->pamCode == PAM_AUTH_ERR);
    CHECK(o->reason == "invalid_input");
    CHECK(o->detail.find(bad) == std::string::npos);  // never logged
  }
  CHECK_FALSE(outcomeOfPassword("x").has_value());
  CHECK_FALSE(outcomeOfPassword("c0rrect h\xc3\xb6rse").has_value());
  CHECK_FALSE(outcomeOfPassword(std::string(authd::protocol::kMaxPasswordBytes, 'p')).has_value());
}

TEST_CASE("conversation failure and empty code deny") {
  CHECK(outcomeOfConversationFailure("Conversation error").pamCode == PAM_AUTH_ERR);
  CHECK(outcomeOfEmptyCode().pamCode == PAM_AUTH_ERR);
  CHECK(outcomeOfEmptyCode().reason == "empty_code");
}
