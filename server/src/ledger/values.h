// Field values of ledger entries: parsing what a worker typed (or an Excel cell held) into the
// stored form of the field's value type, the per-field checks (required, range, pattern, code)
// and the declared cross-field rules. The same codes and Chinese messages reach forms, the API and
// import reports. Pure functions over a Ledger; thread-safe.
//
// Stored forms (storage::Value): text, date (YYYY-MM-DD), code, codes ("01|03"), phone and
// id_number (clear here; the store encrypts them) as text; integer, boolean (0/1), person (id) as
// integers; decimal and money as integers scaled by 10^scale (money: 分); attachment as text
// "<upload id>:<file name>" (ParseInput gives the bare id; the engine checks and names it).
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/time_util.h"
#include "ledger/declaration.h"
#include "storage/db.h"

namespace linli::ledger {

// One field's problem, shown at the field in forms and as a column in import reports.
struct FieldProblem {
  std::string field;  // field key
  Status status;
};

using Record = std::map<std::string, storage::Value>;  // field key → stored value (absent = empty)

// Parses one input (a JSON string, number, boolean, array of codes, or null). Empty input gives
// NULL (the required check is separate). Errors: kLedgerFieldType, kLedgerFieldRange,
// kLedgerFieldPattern, kLedgerFieldTooLong, kLedgerFieldCode and the ID-number errors.
Result<storage::Value> ParseInput(const Ledger& ledger, const Field& field,
                                  const nlohmann::json& input, Date today);

// Values of `record` rendered for JSON: numbers as numbers (元 for money), codes as codes.
nlohmann::json ValueJson(const Field& field, const storage::Value& value);
// Display text for Excel and messages: code labels, 是/否, 1234.50.
std::string ValueText(const Ledger& ledger, const Field& field, const storage::Value& value);
bool IsEmpty(const storage::Value& value);
// The kind of an uploaded file (one of AttachmentKinds()) from its first bytes; nullopt when it
// is none of them (whatever its name says).
std::optional<std::string> AttachmentKind(std::string_view bytes);

// What the rules need to know beyond the record.
struct RuleContext {
  std::string subject_id_number;  // the person's (household: the head's) ID number, clear
  int household_members = -1;     // -1 = unknown
  Date today;
};

// The required checks over `fields` and the rules whose fields are all among `fields`.
void CheckRecord(const Ledger& ledger, const Record& record, const std::vector<std::string>& fields,
                 const RuleContext& context, std::vector<FieldProblem>* problems);

// The message templates the engine uses (code number → template), for clients that validate
// before sending (the web form) with the server's own wording.
nlohmann::json MessageTemplates();

}  // namespace linli::ledger
