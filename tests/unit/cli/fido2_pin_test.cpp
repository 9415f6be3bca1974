#include "cli/fido2_pin.h"

#include <doctest/doctest.h>

#include <sstream>

#include "fake_authd.h"

using namespace authd::cli;
using namespace authd::cli::test;

namespace {

struct Dialogue {
  explicit Dialogue(const std::string& input) : terminal(input) {}
  Terminal terminal;
  Context ctx{{}, nullptr, terminal.in, terminal.out, terminal.err, false, kTestNow, noKeys()};
};

}  // namespace

TEST_CASE("new PINs: 4 characters at least, 63 bytes at most") {
  CHECK(newPinProblem("1234").empty());
  CHECK(newPinProblem("123") == "a PIN needs at least 4 characters");
  CHECK(newPinProblem("") == "a PIN needs at least 4 characters");
  CHECK(newPinProblem("äöü").size() > 0);  // 3 characters, 6 bytes
  CHECK(newPinProblem("äöüß").empty());    // 4 characters
  CHECK(newPinProblem(std::string(63, 'x')).empty());
  CHECK(newPinProblem(std::string(64, 'x')) == "a PIN may have at most 63 bytes");
}

TEST_CASE("the key's PIN prompt names the key and the tries left") {
  Dialogue d("1234\n  \n");
  authd::PinPrompt prompt = keyPinPrompt(d.ctx);
  CHECK(prompt("Soft FIDO2 key0", 7) == std::optional<std::string>("1234"));
  CHECK(d.terminal.out.str() == "PIN of Soft FIDO2 key0 (7 tries left): \n");
  CHECK_FALSE(prompt("", -1).has_value());  // an empty answer cancels
  CHECK(d.terminal.out.str().find("PIN of the security key: ") != std::string::npos);
  CHECK_FALSE(prompt("k", 1).has_value());  // end of input cancels
  CHECK(d.terminal.out.str().find("(1 try left)") != std::string::npos);
}

TEST_CASE("a device name cannot drive the terminal") {
  Dialogue d("1234\n");
  keyPinPrompt(d.ctx)("evil\x1b[2J", 3);
  CHECK(d.terminal.out.str().find('\x1b') == std::string::npos);
}

TEST_CASE("the new-PIN offer: yes, then the PIN twice") {
  Dialogue d("yes\n4711\n4711\n");
  CHECK(newPinDialogue(d.ctx)() == std::optional<std::string>("4711"));
}

TEST_CASE("the new-PIN offer declined or cut short gives no PIN") {
  for (const char* input :
       {"\n", "no\n", "y\n", "y\n4711\n", "y\n1\n1\n2\n2\n3\n3\n4711\n4711\n"}) {
    CAPTURE(input);
    Dialogue d(input);
    CHECK_FALSE(newPinDialogue(d.ctx)().has_value());
  }
}
