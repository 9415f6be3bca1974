#pragma once
// Client- and server-side libfido2 helpers for the soft authenticator tests: what authctl and
// pam_authd will do (make_cred, get_assert) and what authd will do (verify from its own state).

#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>

#include <memory>
#include <string>

#include "fido2/bytes.h"

namespace authd::testing {

inline constexpr const char* kRp = "mfa.example.org";

struct CredFree {
  void operator()(fido_cred_t* c) const { fido_cred_free(&c); }
};
struct AssertFree {
  void operator()(fido_assert_t* a) const { fido_assert_free(&a); }
};
struct CborInfoFree {
  void operator()(fido_cbor_info_t* i) const { fido_cbor_info_free(&i); }
};
using CredPtr = std::unique_ptr<fido_cred_t, CredFree>;
using AssertPtr = std::unique_ptr<fido_assert_t, AssertFree>;
using CborInfoPtr = std::unique_ptr<fido_cbor_info_t, CborInfoFree>;

inline Bytes clientDataHash(uint8_t fill) { return Bytes(32, fill); }

inline Bytes view(const unsigned char* p, size_t n) {
  return p == nullptr ? Bytes{} : Bytes(p, p + n);
}

// A makeCredential request as authctl would build it.
inline CredPtr credRequest(const Bytes& cdh, bool resident = false) {
  CredPtr cred(fido_cred_new());
  static const unsigned char kUser[] = {'u', 's', 'e', 'r', '-', '0', '0', '1'};
  fido_cred_set_type(cred.get(), COSE_ES256);
  fido_cred_set_clientdata_hash(cred.get(), cdh.data(), cdh.size());
  fido_cred_set_rp(cred.get(), kRp, "Example");
  fido_cred_set_user(cred.get(), kUser, sizeof kUser, "alice", "Alice", nullptr);
  if (resident) fido_cred_set_rk(cred.get(), FIDO_OPT_TRUE);
  return cred;
}

// authd's side: a fresh credential from the server's own cdh and rp plus the key's artefacts.
inline int verifyCredential(const fido_cred_t* made, const Bytes& cdh, bool requireUv = false) {
  CredPtr v(fido_cred_new());
  fido_cred_set_type(v.get(), COSE_ES256);
  fido_cred_set_clientdata_hash(v.get(), cdh.data(), cdh.size());
  fido_cred_set_rp(v.get(), kRp, nullptr);
  int rc =
      fido_cred_set_authdata(v.get(), fido_cred_authdata_ptr(made), fido_cred_authdata_len(made));
  if (rc != FIDO_OK) return rc;
  if (requireUv) fido_cred_set_uv(v.get(), FIDO_OPT_TRUE);
  fido_cred_set_fmt(v.get(), fido_cred_fmt(made));
  fido_cred_set_sig(v.get(), fido_cred_sig_ptr(made), fido_cred_sig_len(made));
  return fido_cred_verify_self(v.get());
}

inline AssertPtr assertRequest(const Bytes& cdh, const fido_cred_t* cred) {
  AssertPtr a(fido_assert_new());
  fido_assert_set_clientdata_hash(a.get(), cdh.data(), cdh.size());
  fido_assert_set_rp(a.get(), kRp);
  if (cred != nullptr) {
    fido_assert_allow_cred(a.get(), fido_cred_id_ptr(cred), fido_cred_id_len(cred));
  }
  return a;
}

// authd's side: verify with the stored public key, requiring UP (libfido2 does not by default).
inline int verifyAssertion(const fido_assert_t* got, const Bytes& cdh, const fido_cred_t* cred,
                           bool requireUv = false) {
  AssertPtr v(fido_assert_new());
  fido_assert_set_count(v.get(), 1);
  fido_assert_set_clientdata_hash(v.get(), cdh.data(), cdh.size());
  fido_assert_set_rp(v.get(), kRp);
  int rc = fido_assert_set_authdata(v.get(), 0, fido_assert_authdata_ptr(got, 0),
                                    fido_assert_authdata_len(got, 0));
  if (rc != FIDO_OK) return rc;
  fido_assert_set_sig(v.get(), 0, fido_assert_sig_ptr(got, 0), fido_assert_sig_len(got, 0));
  fido_assert_set_up(v.get(), FIDO_OPT_TRUE);
  if (requireUv) fido_assert_set_uv(v.get(), FIDO_OPT_TRUE);
  es256_pk_t* pk = es256_pk_new();
  rc = es256_pk_from_ptr(pk, fido_cred_pubkey_ptr(cred), fido_cred_pubkey_len(cred));
  if (rc == FIDO_OK) rc = fido_assert_verify(v.get(), 0, COSE_ES256, pk);
  es256_pk_free(&pk);
  return rc;
}

// A makeCredential request for a COSE algorithm (COSE_ES256, COSE_EDDSA, COSE_RS256).
inline CredPtr credRequestFor(int type, const Bytes& cdh, const char* rp = kRp) {
  CredPtr cred(fido_cred_new());
  static const unsigned char kUser[] = {'u', 's', 'e', 'r', '-', '0', '0', '2'};
  fido_cred_set_type(cred.get(), type);  // libfido2 takes the type only once
  fido_cred_set_clientdata_hash(cred.get(), cdh.data(), cdh.size());
  fido_cred_set_rp(cred.get(), rp, "Example");
  fido_cred_set_user(cred.get(), kUser, sizeof kUser, "alice", "Alice", nullptr);
  return cred;
}

// authd's side for any algorithm and format: fido_cred_verify when the statement carries x5c,
// fido_cred_verify_self otherwise.
inline int verifyCredentialAs(const fido_cred_t* made, const Bytes& cdh, const char* rp = kRp) {
  CredPtr v(fido_cred_new());
  fido_cred_set_type(v.get(), fido_cred_type(made));
  fido_cred_set_clientdata_hash(v.get(), cdh.data(), cdh.size());
  fido_cred_set_rp(v.get(), rp, nullptr);
  int rc =
      fido_cred_set_authdata(v.get(), fido_cred_authdata_ptr(made), fido_cred_authdata_len(made));
  if (rc != FIDO_OK) return rc;
  fido_cred_set_fmt(v.get(), fido_cred_fmt(made));
  rc = fido_cred_set_attstmt(v.get(), fido_cred_attstmt_ptr(made), fido_cred_attstmt_len(made));
  if (rc != FIDO_OK) return rc;
  return fido_cred_x5c_ptr(v.get()) != nullptr ? fido_cred_verify(v.get())
                                               : fido_cred_verify_self(v.get());
}

// fido_assert_verify with the credential's public key, whatever its algorithm; requires UP.
inline int verifyAssertionAs(const fido_assert_t* got, const Bytes& cdh, const fido_cred_t* cred,
                             const char* rp = kRp) {
  AssertPtr v(fido_assert_new());
  fido_assert_set_count(v.get(), 1);
  fido_assert_set_clientdata_hash(v.get(), cdh.data(), cdh.size());
  fido_assert_set_rp(v.get(), rp);
  int rc = fido_assert_set_authdata(v.get(), 0, fido_assert_authdata_ptr(got, 0),
                                    fido_assert_authdata_len(got, 0));
  if (rc != FIDO_OK) return rc;
  fido_assert_set_sig(v.get(), 0, fido_assert_sig_ptr(got, 0), fido_assert_sig_len(got, 0));
  fido_assert_set_up(v.get(), FIDO_OPT_TRUE);
  const unsigned char* pkPtr = fido_cred_pubkey_ptr(cred);
  const size_t pkLen = fido_cred_pubkey_len(cred);
  const int type = fido_cred_type(cred);
  if (type == COSE_ES256) {
    es256_pk_t* pk = es256_pk_new();
    rc = es256_pk_from_ptr(pk, pkPtr, pkLen);
    if (rc == FIDO_OK) rc = fido_assert_verify(v.get(), 0, type, pk);
    es256_pk_free(&pk);
  } else if (type == COSE_EDDSA) {
    eddsa_pk_t* pk = eddsa_pk_new();
    rc = eddsa_pk_from_ptr(pk, pkPtr, pkLen);
    if (rc == FIDO_OK) rc = fido_assert_verify(v.get(), 0, type, pk);
    eddsa_pk_free(&pk);
  } else {
    rs256_pk_t* pk = rs256_pk_new();
    rc = rs256_pk_from_ptr(pk, pkPtr, pkLen);
    if (rc == FIDO_OK) rc = fido_assert_verify(v.get(), 0, type, pk);
    rs256_pk_free(&pk);
  }
  return rc;
}

}  // namespace authd::testing
