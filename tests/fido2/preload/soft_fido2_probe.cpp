// A tiny libfido2 client, linked like authctl and pamtester's PAM module (libfido2.so only, no
// soft_fido2), to prove the LD_PRELOAD shim from outside: it finds keys with
// fido_dev_info_manifest and opens them with fido_dev_new_with_info + fido_dev_open_with_info.
//   soft_fido2_probe list                      prints one device path a line
//   soft_fido2_probe register FILE [es256|eddsa|rs256]   makes a credential on the only key,
//                                              verifies it, writes type/id/public key to FILE
//   soft_fido2_probe assert FILE               finds the key holding FILE's credential (up=false
//                                              probe), gets and verifies an assertion, prints
//                                              "device=<path> count=<signCount>"
// The PIN, if any, comes from PROBE_PIN. Exit 0 on success, 2 on usage errors, else the
// FIDO_ERR_* code of the failing step (so the test can tell NO_CREDENTIALS from PIN_REQUIRED).
#include <fido.h>
#include <fido/eddsa.h>
#include <fido/es256.h>
#include <fido/rs256.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

namespace {

constexpr const char* kRp = "probe.example.org";
constexpr size_t kMaxDevices = 8;
using Bytes = std::vector<unsigned char>;

std::string hex(const unsigned char* p, size_t n) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

Bytes unhex(const std::string& text) {
  Bytes out;
  for (size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<unsigned char>(std::stoi(text.substr(i, 2), nullptr, 16)));
  }
  return out;
}

const char* pin() { return std::getenv("PROBE_PIN"); }

int fail(const char* step, int rc) {
  std::fprintf(stderr, "probe: %s: %s\n", step, fido_strerr(rc));
  return rc == 0 ? 1 : (rc & 0xff);
}

struct Devices {
  fido_dev_info_t* list = fido_dev_info_new(kMaxDevices);
  size_t count = 0;
  int rc = fido_dev_info_manifest(list, kMaxDevices, &count);
  ~Devices() { fido_dev_info_free(&list, kMaxDevices); }
  const char* path(size_t i) const { return fido_dev_info_path(fido_dev_info_ptr(list, i)); }
};

fido_dev_t* openDevice(const Devices& devices, size_t index, int* rc) {
  fido_dev_t* dev = fido_dev_new_with_info(fido_dev_info_ptr(devices.list, index));
  *rc = dev == nullptr ? FIDO_ERR_INTERNAL : fido_dev_open_with_info(dev);
  if (*rc != FIDO_OK) fido_dev_free(&dev);
  return dev;
}

void closeDevice(fido_dev_t* dev) {
  fido_dev_close(dev);
  fido_dev_free(&dev);
}

int typeFromName(const char* name) {
  if (std::strcmp(name, "eddsa") == 0) return COSE_EDDSA;
  if (std::strcmp(name, "rs256") == 0) return COSE_RS256;
  return COSE_ES256;
}

int listDevices() {
  Devices devices;
  if (devices.rc != FIDO_OK) return fail("fido_dev_info_manifest", devices.rc);
  for (size_t i = 0; i < devices.count; ++i) std::cout << devices.path(i) << '\n';
  return 0;
}

int registerCredential(const char* file, int type) {
  Devices devices;
  if (devices.rc != FIDO_OK) return fail("fido_dev_info_manifest", devices.rc);
  if (devices.count != 1) return fail("exactly one key must be plugged", FIDO_ERR_INVALID_ARGUMENT);
  int rc = FIDO_OK;
  fido_dev_t* dev = openDevice(devices, 0, &rc);
  if (dev == nullptr) return fail("fido_dev_open_with_info", rc);
  const unsigned char cdh[32] = {1, 2, 3, 4};
  const unsigned char user[] = {'p', 'r', 'o', 'b', 'e'};
  fido_cred_t* cred = fido_cred_new();
  fido_cred_set_type(cred, type);
  fido_cred_set_clientdata_hash(cred, cdh, sizeof cdh);
  fido_cred_set_rp(cred, kRp, "Probe");
  fido_cred_set_user(cred, user, sizeof user, "probe", "Probe", nullptr);
  rc = fido_dev_make_cred(dev, cred, pin());
  closeDevice(dev);
  if (rc == FIDO_OK) {
    rc = fido_cred_x5c_ptr(cred) != nullptr ? fido_cred_verify(cred) : fido_cred_verify_self(cred);
    if (rc != FIDO_OK) std::fprintf(stderr, "probe: credential verification failed\n");
  }
  if (rc == FIDO_OK) {
    std::ofstream out(file);
    out << type << '\n'
        << hex(fido_cred_id_ptr(cred), fido_cred_id_len(cred)) << '\n'
        << hex(fido_cred_pubkey_ptr(cred), fido_cred_pubkey_len(cred)) << '\n';
    std::cout << "fmt=" << fido_cred_fmt(cred) << " count=" << fido_cred_sigcount(cred) << '\n';
  }
  fido_cred_free(&cred);
  return rc == FIDO_OK ? 0 : fail("fido_dev_make_cred", rc);
}

struct Stored {
  int type = 0;
  Bytes id;
  Bytes publicKey;
};

fido_assert_t* assertionRequest(const Stored& stored, bool up) {
  const unsigned char cdh[32] = {5, 6, 7, 8};
  fido_assert_t* a = fido_assert_new();
  fido_assert_set_clientdata_hash(a, cdh, sizeof cdh);
  fido_assert_set_rp(a, kRp);
  fido_assert_allow_cred(a, stored.id.data(), stored.id.size());
  if (!up) fido_assert_set_up(a, FIDO_OPT_FALSE);
  return a;
}

// The relying party's check, with the stored public key; UP required.
int verifyAssertion(const fido_assert_t* got, const Stored& stored) {
  fido_assert_t* v = assertionRequest(stored, true);
  fido_assert_set_count(v, 1);
  fido_assert_set_authdata(v, 0, fido_assert_authdata_ptr(got, 0),
                           fido_assert_authdata_len(got, 0));
  fido_assert_set_sig(v, 0, fido_assert_sig_ptr(got, 0), fido_assert_sig_len(got, 0));
  fido_assert_set_up(v, FIDO_OPT_TRUE);
  int rc = FIDO_ERR_INVALID_ARGUMENT;
  const unsigned char* pk = stored.publicKey.data();
  const size_t len = stored.publicKey.size();
  if (stored.type == COSE_ES256) {
    es256_pk_t* key = es256_pk_new();
    if ((rc = es256_pk_from_ptr(key, pk, len)) == FIDO_OK)
      rc = fido_assert_verify(v, 0, stored.type, key);
    es256_pk_free(&key);
  } else if (stored.type == COSE_EDDSA) {
    eddsa_pk_t* key = eddsa_pk_new();
    if ((rc = eddsa_pk_from_ptr(key, pk, len)) == FIDO_OK)
      rc = fido_assert_verify(v, 0, stored.type, key);
    eddsa_pk_free(&key);
  } else {
    rs256_pk_t* key = rs256_pk_new();
    if ((rc = rs256_pk_from_ptr(key, pk, len)) == FIDO_OK)
      rc = fido_assert_verify(v, 0, stored.type, key);
    rs256_pk_free(&key);
  }
  fido_assert_free(&v);
  return rc;
}

int assertCredential(const char* file) {
  std::ifstream in(file);
  Stored stored;
  std::string id, publicKey;
  if (!(in >> stored.type >> id >> publicKey)) return fail("reading the credential file", 0);
  stored.id = unhex(id);
  stored.publicKey = unhex(publicKey);
  Devices devices;
  if (devices.rc != FIDO_OK) return fail("fido_dev_info_manifest", devices.rc);
  int rc = FIDO_ERR_NO_CREDENTIALS;
  for (size_t i = 0; i < devices.count; ++i) {
    fido_dev_t* dev = openDevice(devices, i, &rc);
    if (dev == nullptr) return fail("fido_dev_open_with_info", rc);
    fido_assert_t* probe = assertionRequest(stored, false);
    rc = fido_dev_get_assert(dev, probe, nullptr);
    fido_assert_free(&probe);
    if (rc == FIDO_ERR_NO_CREDENTIALS) {
      closeDevice(dev);
      continue;
    }
    fido_assert_t* got = assertionRequest(stored, true);
    if (rc == FIDO_OK) rc = fido_dev_get_assert(dev, got, pin());
    closeDevice(dev);
    if (rc == FIDO_OK) rc = verifyAssertion(got, stored);
    if (rc == FIDO_OK) {
      std::cout << "device=" << devices.path(i) << " count=" << fido_assert_sigcount(got, 0)
                << '\n';
    }
    fido_assert_free(&got);
    return rc == FIDO_OK ? 0 : fail("assertion", rc);
  }
  return fail("no key holds the credential", rc);
}

}  // namespace

int main(int argc, char** argv) {
  fido_init(0);
  const std::string command = argc > 1 ? argv[1] : "";
  if (command == "list" && argc == 2) return listDevices();
  if (command == "register" && (argc == 3 || argc == 4)) {
    return registerCredential(argv[2], typeFromName(argc == 4 ? argv[3] : "es256"));
  }
  if (command == "assert" && argc == 3) return assertCredential(argv[2]);
  std::fprintf(stderr, "usage: soft_fido2_probe list | register FILE [alg] | assert FILE\n");
  return 2;
}
