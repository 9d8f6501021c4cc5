// JSON views of ledgers and their entries, for the API and the CLI. What a role may see is decided
// here, on the server: fields declared visible_to other roles are left out, phone and ID-number
// fields are masked (access::Mask) unless the role is trusted (the CLI's empty role).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ledger/declaration.h"
#include "ledger/engine.h"

namespace linli::ledger {

// The declaration as forms and tables need it: fields with their choices, rules, stages,
// transitions (with `allowed` for `role`), schedule, statistics, columns and the message templates.
nlohmann::json DeclarationJson(const Ledger& ledger, std::string_view role);
// One line per ledger for lists: key, name, title, subject, sensitivity, daily report, schedule.
nlohmann::json SummaryJson(const Ledger& ledger);

// "overdue" (past due + grace), "due" (due within the grace), "week" (due in the next 7 days), "".
std::string DueState(const Ledger& ledger, const Entry& entry, const std::string& today);

// An entry with its values (masked for `role`; "" = clear) and display labels.
nlohmann::json EntryJson(const Ledger& ledger, const Entry& entry, std::string_view role);
nlohmann::json EventJson(const Event& event);

// Loads the built-in ledgers plus the folders named by `dirs` (colon-separated), or by the
// environment variable LINLI_LEDGERS when `dirs` is empty.
Result<std::shared_ptr<const Catalog>> LoadCatalog(const std::string& dirs);

}  // namespace linli::ledger
