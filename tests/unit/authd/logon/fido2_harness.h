#pragma once
// A dispatcher harness with two virtual security keys: authctl's part of an enrolment and
// pam_authd's part of a logon, made through the real libfido2. Shared by the FIDO2 logon tests.

#include <cbor.h>
#include <doctest/doctest.h>
#include <fido.h>

#include <memory>

#include "authd/base64url.h"
#include "fido2/virtual_key_ring.h"
#include "unit/authd/api/dispatcher_harness.h"

namespace authd::testing {

using nlohmann::json;

namespace fido2_harness_detail {
struct CredFree {
  void operator()(fido_cred_t* c) const { fido_cred_free(&c); }
};
struct AssertFree {
  void operator()(fido_assert_t* a) const { fido_assert_free(&a); }
};

inline Bytes bytesOf(const unsigned char* p, size_t n) { return p ? Bytes(p, p + n) : Bytes{}; }

inline Bytes decode(const json& text) { return base64urlDecode(text.get<std::string>()).value(); }

// fido_assert_authdata_ptr hands out the CBOR byte string; the protocol carries the raw bytes.
inline Bytes unwrapCborBytes(const unsigned char* p, size_t n) {
  cbor_load_result result;
  cbor_item_t* item = cbor_load(p, n, &result);
  REQUIRE(item != nullptr);
  REQUIRE(cbor_isa_bytestring(item));
  Bytes raw(cbor_bytestring_handle(item),
            cbor_bytestring_handle(item) + cbor_bytestring_length(item));
  cbor_decref(&item);
  return raw;
}

}  // namespace fido2_harness_detail

using fido2_harness_detail::bytesOf;
using fido2_harness_detail::decode;

struct Fido2Harness : Harness {
  Fido2Harness() {
    config.fido2.rpId = "mfa.example.org";
    SoftAuthenticatorConfig key;
    key.name = "dispatch-key0";
    key.seed = 11;
    ring.plug(key);
    key.name = "dispatch-key1";
    key.seed = 12;
    ring.plug(key);
  }

  // authctl's part of an enrolment, done with key `index`; returns the finish answer.
  json enrol(const std::string& user, size_t index, json begin = json::object()) {
    begin["op"] = "fido2_register_begin";
    begin["user"] = user;
    json b = call(begin);
    REQUIRE(b["ok"] == true);
    const Bytes challenge = decode(b["challenge"]);
    std::unique_ptr<fido_cred_t, fido2_harness_detail::CredFree> cred(fido_cred_new());
    const Bytes handle = decode(b["user_handle"]);
    fido_cred_set_type(cred.get(), COSE_ES256);
    fido_cred_set_clientdata_hash(cred.get(), challenge.data(), challenge.size());
    fido_cred_set_rp(cred.get(), b["rp_id"].get<std::string>().c_str(), "authd");
    fido_cred_set_user(cred.get(), handle.data(), handle.size(), user.c_str(), user.c_str(),
                       nullptr);
    for (const auto& id : b["exclude"]) {
      Bytes raw = decode(id);
      fido_cred_exclude(cred.get(), raw.data(), raw.size());
    }
    auto dev = ring.openVirtualDevice(index);
    REQUIRE(dev);
    const int rc = fido_dev_make_cred(dev.get(), cred.get(), nullptr);
    if (rc != FIDO_OK) return json{{"fido_error", rc}};
    return call({{"op", "fido2_register_finish"},
                 {"user", user},
                 {"challenge", b["challenge"]},
                 {"fmt", fido_cred_fmt(cred.get())},
                 {"auth_data", base64urlEncode(bytesOf(fido_cred_authdata_raw_ptr(cred.get()),
                                                       fido_cred_authdata_raw_len(cred.get())))},
                 {"att_stmt", base64urlEncode(bytesOf(fido_cred_attstmt_ptr(cred.get()),
                                                      fido_cred_attstmt_len(cred.get())))},
                 {"client_data_hash", b["challenge"]}});
  }

  json begin(const std::string& user, const std::string& service = "sshd") {
    return call({{"op", "fido2_begin"}, {"user", user}, {"service", service}});
  }

  // pam_authd's part of a logon with key `index`: the verify request it would send.
  json assertion(const json& challenge, const std::string& user, size_t index) {
    const Bytes cdh = decode(challenge["challenge"]);
    std::unique_ptr<fido_assert_t, fido2_harness_detail::AssertFree> a(fido_assert_new());
    fido_assert_set_clientdata_hash(a.get(), cdh.data(), cdh.size());
    fido_assert_set_rp(a.get(), challenge["rp_id"].get<std::string>().c_str());
    for (const auto& id : challenge["allow"]) {
      Bytes raw = decode(id);
      fido_assert_allow_cred(a.get(), raw.data(), raw.size());
    }
    auto dev = ring.openVirtualDevice(index);
    REQUIRE(dev);
    REQUIRE(fido_dev_get_assert(dev.get(), a.get(), nullptr) == FIDO_OK);
    return {{"op", "verify"},
            {"user", user},
            {"factor", "fido2"},
            {"service", "sshd"},
            {"challenge", challenge["challenge"]},
            {"credential", base64urlEncode(bytesOf(fido_assert_id_ptr(a.get(), 0),
                                                   fido_assert_id_len(a.get(), 0)))},
            {"auth_data",
             base64urlEncode(fido2_harness_detail::unwrapCborBytes(
                 fido_assert_authdata_ptr(a.get(), 0), fido_assert_authdata_len(a.get(), 0)))},
            {"signature", base64urlEncode(bytesOf(fido_assert_sig_ptr(a.get(), 0),
                                                  fido_assert_sig_len(a.get(), 0)))},
            {"client_data_hash", challenge["challenge"]}};
  }

  json logon(const std::string& user, size_t index) {
    json c = begin(user);
    REQUIRE(c["ok"] == true);
    return call(assertion(c, user, index));
  }

  VirtualKeyRing ring;
};

}  // namespace authd::testing
