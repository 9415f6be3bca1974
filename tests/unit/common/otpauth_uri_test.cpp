#include "authd/otpauth_uri.h"

#include <doctest/doctest.h>

#include <string>

using authd::buildOtpauthUri;
using authd::OtpAlgorithm;
using authd::OtpauthUri;
using authd::OtpType;
using authd::parseOtpauthUri;

namespace {

constexpr const char* kSecret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

// The shape authd's enroll_totp answer uses (docs/protocol.md).
std::string serverUri(const std::string& query) {
  return "otpauth://totp/authd:alice?secret=" + std::string(kSecret) + query;
}

std::string rejectReason(const std::string& text) {
  std::string error;
  auto parsed = parseOtpauthUri(text, &error);
  CHECK_FALSE(parsed.has_value());
  CHECK_FALSE(error.empty());
  return error;
}

OtpauthUri sample() {
  OtpauthUri uri;
  uri.issuer = "ACME Co";
  uri.account = "john.doe@example.com";
  uri.secret = kSecret;
  return uri;
}

}  // namespace

TEST_CASE("parses the URI authd sends") {
  std::string error;
  auto uri =
      parseOtpauthUri(serverUri("&issuer=authd&algorithm=SHA256&digits=8&period=30"), &error);
  REQUIRE_MESSAGE(uri.has_value(), error);
  CHECK(uri->type == OtpType::totp);
  CHECK(uri->issuer == "authd");
  CHECK(uri->account == "alice");
  CHECK(uri->secret == kSecret);
  CHECK(uri->algorithm == OtpAlgorithm::sha256);
  CHECK(uri->digits == 8);
  CHECK(uri->period == 30);
  CHECK_FALSE(uri->counter.has_value());
}

TEST_CASE("defaults apply when optional parameters are absent") {
  std::string error;
  auto uri = parseOtpauthUri("otpauth://totp/alice?secret=" + std::string(kSecret), &error);
  REQUIRE_MESSAGE(uri.has_value(), error);
  CHECK(uri->issuer.empty());
  CHECK(uri->account == "alice");
  CHECK(uri->algorithm == OtpAlgorithm::sha1);
  CHECK(uri->digits == 6);
  CHECK(uri->period == 30);
}

TEST_CASE("label separator may be encoded and followed by spaces") {
  std::string error;
  auto uri = parseOtpauthUri("otpauth://totp/ACME%20Co%3A%20%20john.doe%40example.com?secret=" +
                                 std::string(kSecret) + "&issuer=ACME%20Co",
                             &error);
  REQUIRE_MESSAGE(uri.has_value(), error);
  CHECK(uri->issuer == "ACME Co");
  CHECK(uri->account == "john.doe@example.com");
}

TEST_CASE("issuer parameter alone sets the issuer; lower-case secret is normalised") {
  std::string error;
  auto uri = parseOtpauthUri("otpauth://totp/bob?secret=jbswy3dpehpk3pxp&issuer=Corp", &error);
  REQUIRE_MESSAGE(uri.has_value(), error);
  CHECK(uri->issuer == "Corp");
  CHECK(uri->secret == "JBSWY3DPEHPK3PXP");
}

TEST_CASE("build percent-encodes issuer and account") {
  std::string error;
  auto text = buildOtpauthUri(sample(), &error);
  REQUIRE_MESSAGE(text.has_value(), error);
  CHECK(*text == "otpauth://totp/ACME%20Co:john.doe%40example.com?secret=" + std::string(kSecret) +
                     "&issuer=ACME%20Co&algorithm=SHA1&digits=6&period=30");
}

TEST_CASE("build and parse round-trip") {
  OtpauthUri plain = sample();
  OtpauthUri fancy = sample();
  fancy.issuer = "Société Générale / IT & Ops (100%)";
  fancy.account = "zoë+test=1?x";
  fancy.algorithm = OtpAlgorithm::sha512;
  fancy.digits = 8;
  fancy.period = 60;
  OtpauthUri noIssuer = sample();
  noIssuer.issuer.clear();
  OtpauthUri hotp = sample();
  hotp.type = OtpType::hotp;
  hotp.counter = 18446744073709551615ULL;
  for (const OtpauthUri& original : {plain, fancy, noIssuer, hotp}) {
    std::string error;
    auto text = buildOtpauthUri(original, &error);
    REQUIRE_MESSAGE(text.has_value(), error);
    auto parsed = parseOtpauthUri(*text, &error);
    INFO(*text);
    REQUIRE_MESSAGE(parsed.has_value(), error);
    CHECK(*parsed == original);
  }
}

TEST_CASE("build refuses values the parser would reject") {
  std::string error;
  OtpauthUri uri = sample();
  uri.account = "a:b";
  CHECK_FALSE(buildOtpauthUri(uri, &error).has_value());
  CHECK(error.find("':'") != std::string::npos);
  uri = sample();
  uri.digits = 7;
  CHECK_FALSE(buildOtpauthUri(uri, &error).has_value());
  uri = sample();
  uri.secret = "JBSWY3DPEHPK3PX1";
  CHECK_FALSE(buildOtpauthUri(uri, &error).has_value());
  uri = sample();
  uri.type = OtpType::hotp;  // without counter
  CHECK_FALSE(buildOtpauthUri(uri, &error).has_value());
}

TEST_CASE("rejects a bad scheme or type") {
  CHECK(rejectReason("http://totp/alice?secret=" + std::string(kSecret)).find("scheme") !=
        std::string::npos);
  rejectReason("OTPAUTH://totp/alice?secret=" + std::string(kSecret));
  rejectReason("otpauth:/totp/alice?secret=" + std::string(kSecret));
  rejectReason("otpauth://xotp/alice?secret=" + std::string(kSecret));
  rejectReason("otpauth://TOTP/alice?secret=" + std::string(kSecret));
  rejectReason("otpauth://totp?secret=" + std::string(kSecret));
  rejectReason("");
}

TEST_CASE("rejects a missing or malformed secret") {
  CHECK(rejectReason("otpauth://totp/alice") == "missing secret");
  CHECK(rejectReason("otpauth://totp/alice?issuer=x") == "missing secret");
  rejectReason("otpauth://totp/alice?secret=");
  rejectReason("otpauth://totp/alice?secret=JBSWY3DPEHPK3PX1");      // '1' is not base32
  rejectReason("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXP====");  // padding
  rejectReason("otpauth://totp/alice?secret=JBSWY3DP");              // too short
  rejectReason("otpauth://totp/alice?secret=JBSWY3DPEHPK3PXPA");     // 17 chars: no whole bytes
}

TEST_CASE("rejects bad digits") {
  for (const char* digits : {"7", "06", "6a", "", "+6", "-6", "66", "8 "}) {
    CAPTURE(digits);
    rejectReason(serverUri(std::string("&digits=") + digits));
  }
}

TEST_CASE("rejects bad period, algorithm, counter and unknown parameters") {
  rejectReason(serverUri("&period=0"));
  rejectReason(serverUri("&period=3601"));
  rejectReason(serverUri("&algorithm=sha1"));
  rejectReason(serverUri("&algorithm=MD5"));
  rejectReason(serverUri("&counter=5"));                                // counter on totp
  rejectReason("otpauth://hotp/alice?secret=" + std::string(kSecret));  // hotp without counter
  rejectReason("otpauth://hotp/alice?secret=" + std::string(kSecret) +
               "&counter=18446744073709551616");
  CHECK(rejectReason(serverUri("&image=x")) == "unknown parameter \"image\"");
}

TEST_CASE("rejects trailing garbage and repeated parameters") {
  rejectReason(serverUri("&"));
  rejectReason(serverUri("&&digits=6"));
  rejectReason(serverUri("#fragment"));
  rejectReason(serverUri(" "));
  rejectReason(serverUri("&digits=6 x"));
  rejectReason(serverUri("&digits"));
  rejectReason(serverUri("&=6"));
  CHECK(rejectReason(serverUri("&digits=6&digits=6")) == "repeated parameter \"digits\"");
  rejectReason(serverUri("&secret=" + std::string(kSecret)));
  rejectReason(serverUri("&issuer=authd\n"));
}

TEST_CASE("rejects bad percent-encoding") {
  for (const char* label : {"al%", "al%4", "al%zz", "al%4g", "%%41"}) {
    CAPTURE(label);
    CHECK(rejectReason(std::string("otpauth://totp/") + label + "?secret=" + kSecret)
              .find("percent-encoding") != std::string::npos);
  }
  rejectReason(serverUri("&issuer=a%2"));
}

TEST_CASE("rejects names that are not clean UTF-8 text") {
  rejectReason("otpauth://totp/al%00ice?secret=" + std::string(kSecret));  // NUL
  rejectReason("otpauth://totp/al%1Bice?secret=" + std::string(kSecret));  // ESC
  rejectReason("otpauth://totp/al%C3%28?secret=" + std::string(kSecret));  // bad UTF-8
  rejectReason("otpauth://totp/al%C0%AF?secret=" + std::string(kSecret));  // overlong
  rejectReason("otpauth://totp/a:b:c?secret=" + std::string(kSecret));     // two colons
  rejectReason("otpauth://totp/:alice?secret=" + std::string(kSecret));    // empty issuer
  rejectReason("otpauth://totp/authd:?secret=" + std::string(kSecret));    // empty account
  rejectReason("otpauth://totp/a/b?secret=" + std::string(kSecret));       // raw slash
  rejectReason("otpauth://totp/a+b?secret=" + std::string(kSecret));       // ambiguous plus
  rejectReason("otpauth://totp/authd:alice?secret=" + std::string(kSecret) + "&issuer=other");
  rejectReason("otpauth://totp/" + std::string(300, 'a') + "?secret=" + kSecret);
  rejectReason(serverUri("&issuer=" + std::string(5000, 'a')));
}
