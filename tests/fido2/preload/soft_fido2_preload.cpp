// LD_PRELOAD shim that plugs virtual FIDO2 keys into processes we cannot hand a VirtualKeyRing:
// authctl (enrolment) and pamtester with pam_authd.so (logon). It overrides libfido2's
// fido_dev_info_manifest; callers then open the listed entries with fido_dev_new_with_info +
// fido_dev_open_with_info, which use the soft io/transport hooks the entries carry. Keys come
// from AUTHD_SOFT_FIDO2_KEYS (syntax in fido2/key_spec.h) and keep their state in their state
// files, so one process enrols and the next logs on; AUTHD_SOFT_FIDO2_PLUGGED picks the keys
// plugged in this process (the two-keys case: list two, plug both). The attestation PKI of x5c
// keys is created when the library loads (DIR/ca.pem for authd). Without
// AUTHD_SOFT_FIDO2_KEYS the real libfido2 manifest answers (RTLD_NEXT).
//
//   AUTHD_SOFT_FIDO2_KEYS=key1:/tmp/t/key1.state:pin=4711:fmt=x5c
//   LD_PRELOAD=build/tests/fido2/libsoft_fido2_preload.so authctl ...   (same environment)
//
// Works because the programs (and pam_authd.so) link libfido2.so dynamically, so the preloaded
// definition wins symbol lookup. Only fido_dev_info_manifest is exported; soft_fido2 is linked in
// statically with hidden symbols.
//
// Sanitizer builds (AUTHD_SANITIZE=ON): this library is instrumented, the host program
// (pamtester) is not, so the ASan and UBSan runtimes must be preloaded before it:
//   LD_PRELOAD="$(gcc -print-file-name=libasan.so) $(gcc -print-file-name=libubsan.so)
//               .../libsoft_fido2_preload.so"          (one line)
// as tests/integration/lib.sh does for pam_authd.so (SANITIZER_PRELOAD), plus
// ASAN_OPTIONS=detect_leaks=0 for leaks of the host program.
#include <dlfcn.h>
#include <fido.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <memory>
#include <string>

#include "fido2/key_spec.h"
#include "fido2/virtual_key_ring.h"

namespace {

using authd::testing::VirtualKeyRing;

struct PreloadedKeys {
  VirtualKeyRing ring;
  std::string error;  // set when the keys could not be set up: every manifest call fails
};

void plugKeys(PreloadedKeys& keys, const char* list) {
  std::string error;
  auto specs = authd::testing::parseSoftKeySpecs(list, &error);
  if (!specs) {
    keys.error = authd::testing::kSoftKeysEnv + std::string(": ") + error;
    return;
  }
  const char* plugged = std::getenv(authd::testing::kSoftKeysPluggedEnv);
  for (const authd::testing::SoftKeySpec& spec : *specs) {
    if (!authd::testing::isPlugged(plugged, spec.name)) continue;
    const bool fresh = !std::filesystem::exists(spec.statePath);
    authd::testing::SoftAuthenticator& key = keys.ring.plug(authd::testing::configFromSpec(spec));
    key.faults() = spec.faults;
    if (fresh && !spec.initialPin.empty()) key.setPin(spec.initialPin);
  }
}

// Built on the first manifest call, kept until exit (state is saved after every command).
PreloadedKeys& preloadedKeys(const char* list) {
  static PreloadedKeys* keys = [list] {
    auto* created = new PreloadedKeys();
    try {
      plugKeys(*created, list);
    } catch (const std::exception& e) {
      created->error = e.what();
    }
    return created;
  }();
  return *keys;
}

using ManifestFunction = int (*)(fido_dev_info_t*, size_t, size_t*);

// At load time, before the program runs: the attestation PKI (DIR/ca.pem) of every x5c and
// fido-u2f key of the list, plugged or not, so a test can configure authd's CA bundle before any
// key is used (keys themselves appear at the first manifest call).
__attribute__((constructor)) void prepareAttestationPki() {
  const char* list = std::getenv(authd::testing::kSoftKeysEnv);
  if (list == nullptr) return;
  std::string error;
  const auto specs = authd::testing::parseSoftKeySpecs(list, &error);
  if (!specs) return;  // reported by the first manifest call
  for (const authd::testing::SoftKeySpec& spec : *specs) {
    if (spec.format != authd::testing::AttestationFormat::packedX5c &&
        spec.format != authd::testing::AttestationFormat::fidoU2f) {
      continue;
    }
    try {
      authd::testing::configFromSpec(spec);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "soft-fido2 preload: %s\n", e.what());
    }
  }
}

}  // namespace

extern "C" __attribute__((visibility("default"))) int fido_dev_info_manifest(fido_dev_info_t* list,
                                                                             size_t ilen,
                                                                             size_t* olen) {
  const char* spec = std::getenv(authd::testing::kSoftKeysEnv);
  if (spec == nullptr) {
    auto real = reinterpret_cast<ManifestFunction>(dlsym(RTLD_NEXT, "fido_dev_info_manifest"));
    return real != nullptr ? real(list, ilen, olen) : FIDO_ERR_INTERNAL;
  }
  PreloadedKeys& keys = preloadedKeys(spec);
  if (!keys.error.empty()) {
    std::fprintf(stderr, "soft-fido2 preload: %s\n", keys.error.c_str());
    if (olen != nullptr) *olen = 0;
    return FIDO_ERR_INTERNAL;
  }
  return keys.ring.manifest(list, ilen, olen);
}
