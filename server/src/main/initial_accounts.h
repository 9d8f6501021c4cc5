// The first accounts of a store: `linli init` creates the three separated administrators (等保
// 三员), `linli demo` one account of every role for the demo community. There are no default
// passwords: each is generated (auth::GeneratePassword), printed once, and never stored in clear;
// roles that need a second factor get a TOTP secret, printed once too.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "common/status.h"
#include "storage/db.h"

namespace linli::cli {

struct AccountSpec {
  std::string username, role, org_code;
};

struct InitialAccount {
  AccountSpec spec;
  std::string password;                     // empty when the account already existed
  std::optional<auth::TotpEnrollment> totp;  // for roles that require TOTP
};

// Creates every account of `specs` that does not exist yet; existing ones are left alone (and
// reported without a password).
Result<std::vector<InitialAccount>> CreateInitialAccounts(storage::Db& db, const std::vector<AccountSpec>& specs,
                                                          bool must_change_password);

// Prints the accounts (created ones with their password and TOTP secret) for the terminal, and
// writes the same text to `logins_file` (mode 0600) when it is not empty.
Status PrintInitialAccounts(const std::vector<InitialAccount>& accounts, const std::string& logins_file);
nlohmann::json InitialAccountsJson(const std::vector<InitialAccount>& accounts);

}  // namespace linli::cli
