#include "authd/logon/totp_seal.h"

#include <future>
#include <memory>

#include "authd/base/log.h"

namespace authd {

namespace {

std::string legacyContext(const CredentialRecord& c) { return "authd-totp-v1:" + c.user; }

}  // namespace

std::string totpSealContext(const CredentialRecord& c, std::string_view owner) {
  // The owner's length keeps the two free-text fields apart ("a:b" + "c" vs "a" + "b:c").
  std::string context = "authd-totp-v2:" + std::to_string(c.id) + ":" + std::to_string(c.digits) +
                        ":" + c.algorithm + ":" + std::to_string(owner.size()) + ":";
  context += owner;
  context += ":";
  context += c.user;
  return context;
}

std::optional<SecretBytes> openTotpSecret(const SecretBox& box, const CredentialRecord& c) {
  return box.open(c.sealedSecret, totpSealContext(c));
}

ResealReport resealLegacyTotp(Store& store, const SecretBox& box) {
  ResealReport report;
  Store::TxnWork work = [&box, &report](StoreTxn& txn) {
    ResealReport counted;
    for (const CredentialRecord& c : txn.legacySealedCredentials()) {
      std::optional<SecretBytes> secret = box.open(c.sealedSecret, legacyContext(c));
      if (!secret) {
        log::error("credential " + std::to_string(c.id) + " of " + c.user +
                   " cannot be unsealed to re-seal it; wrong key file or tampered database");
        ++counted.unreadable;
        continue;
      }
      if (!txn.putSealedSecret(c.id, box.seal(*secret, totpSealContext(c)))) {
        throw StoreError("credential " + std::to_string(c.id) + " vanished while re-sealing");
      }
      ++counted.resealed;
    }
    report = counted;  // only what this run did, should the work ever run again
  };
  auto committed = std::make_shared<std::promise<bool>>();
  std::future<bool> done = committed->get_future();
  store.write(work, [committed](bool ok) { committed->set_value(ok); });
  if (!done.get())
    throw StoreError("TOTP secrets sealed by an older version could not be re-sealed");
  if (report.resealed != 0 || report.unreadable != 0) {
    log::info("re-sealed " + std::to_string(report.resealed) + " TOTP secret(s); " +
              std::to_string(report.unreadable) + " could not be opened");
  }
  return report;
}

}  // namespace authd
