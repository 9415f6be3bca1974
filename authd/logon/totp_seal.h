#pragma once
// The associated data that binds a sealed TOTP secret to its credential row, and the one-time
// re-sealing of rows that older versions sealed.
//
// Version 2 (schema 6) binds every column that says whose credential a row is and what codes
// it yields, and the row itself:
//
//   "authd-totp-v2:" id ":" digits ":" algorithm ":" len(owner) ":" owner ":" user
//
// `owner` decides ownership of a bound row; `user` decides it for a row not bound yet (owner "")
// or bound under another directory backend (AUTHD_OWNED_BY). Both stay as stored: a rename
// changes neither (the row keeps its enrolment name), so a renamed account still verifies. A
// blob copied into another row, or a row whose owner, user, digits or algorithm was edited, no
// longer opens. The one column authd itself changes is `owner`, when a logon binds an unbound
// row; that logon re-seals the secret for the new owner in the same statement (claimStep).
//
// Version 1 ("authd-totp-v1:" user) bound the enrolment name only, while ownership comes from
// `owner`. Start-up re-seals such rows once (resealLegacyTotp); nothing opens them at logon.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "authd/base/secret_box.h"
#include "authd/store/store.h"

namespace authd {

// The associated data of row `c` once it belongs to `owner` (its stored owner by default).
std::string totpSealContext(const CredentialRecord& c, std::string_view owner);
inline std::string totpSealContext(const CredentialRecord& c) {
  return totpSealContext(c, c.owner);
}

// The secret of row `c` as stored; nullopt when it does not open (wrong key, edited row, blob of
// another row, version-1 seal).
std::optional<SecretBytes> openTotpSecret(const SecretBox& box, const CredentialRecord& c);

struct ResealReport {
  std::int64_t resealed = 0;    // version-1 rows now sealed with version 2
  std::int64_t unreadable = 0;  // version-1 rows that did not open: left as they are, unusable
};

// Re-seals every live TOTP row still sealed with version 1, all in one write transaction, and
// waits for it to be durable. Run at start-up, before serving. Idempotent: only rows still
// marked version 1 are read, and an interrupted run keeps none of its changes. A row that does
// not open is logged (id and user, never a secret) and left as it is, so a start with the right
// key file re-seals it later. Throws StoreError when the transaction was not committed.
ResealReport resealLegacyTotp(Store& store, const SecretBox& box);

}  // namespace authd
