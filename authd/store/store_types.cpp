// Text forms of the store's enumerations, as kept in the database and shown to admins, and the
// accounting statuses from their RADIUS numbers.

#include "authd/store/store.h"

namespace authd {

const char* toString(CredentialState state) {
  switch (state) {
    case CredentialState::pending:
      return "pending";
    case CredentialState::active:
      return "active";
    case CredentialState::revoked:
      break;
  }
  return "revoked";
}

std::optional<CredentialState> credentialStateFrom(std::string_view text) {
  for (CredentialState state :
       {CredentialState::pending, CredentialState::active, CredentialState::revoked}) {
    if (text == toString(state)) return state;
  }
  return std::nullopt;
}

std::optional<AccountingStatus> accountingStatusFrom(std::uint32_t value) {
  for (AccountingStatus status :
       {AccountingStatus::start, AccountingStatus::stop, AccountingStatus::interim,
        AccountingStatus::accountingOn, AccountingStatus::accountingOff}) {
    if (value == static_cast<std::uint32_t>(status)) return status;
  }
  return std::nullopt;
}

}  // namespace authd
