// Ledger declarations: a 台账 is one folder ledgers/<key>/ of data — ledger.json (name, subject,
// fields, rules, life cycle, schedule, daily report, sensitivity, statistics, Excel layout, demo
// data) and codes/<table>.csv (its own code tables, same format as data/code_tables/). Everything
// else — storage, routes, validation, forms, exports — is derived from a Ledger by the engine.
//
// Loading validates a declaration against the schema below and reports the first problem as
// kLedgerDeclaration naming the file, the JSON path in it and what is wrong. The built-in ledgers
// are embedded at build time (and checked then by `linli ledger check`); a deployment may add
// folders of its own with --ledgers DIR. A Catalog is immutable once loaded: safe to share.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/code_tables.h"
#include "common/status.h"

namespace linli::ledger {

// The closed set of value types. A new type is an engine change with its own tests.
enum class ValueType {
  kText,        // free text; max_length, pattern
  kInteger,     // min/max
  kDecimal,     // `scale` digits after the point, stored as an integer scaled by 10^scale
  kMoney,       // 元 with 2 decimals, stored as 分
  kDate,        // YYYY-MM-DD; min/max as dates or "today"
  kBoolean,     // 是/否
  kCode,        // one code of `table`
  kCodes,       // several codes of `table` (多选), stored "01|03"
  kPerson,      // a person of the registry (id), in the entry's scope
  kPhone,       // stored encrypted; masked in responses
  kIdNumber,    // 公民身份号码, validated (GB 11643), stored encrypted; masked in responses
  kAttachment,  // an uploaded file (scan, photo, form): `accept` kinds, `max_kb`; the file is
                // stored encrypted in ledger_attachments, the field holds "<id>:<file name>"
};
std::string_view ValueTypeName(ValueType type);   // "text", "integer", …
std::string_view ValueTypeLabel(ValueType type);  // "文本", "整数", …
std::optional<ValueType> ParseValueType(std::string_view name);
bool IsSensitiveType(ValueType type);  // phone, id_number

struct Field {
  std::string key;    // [a-z][a-z0-9_]*, the column is f_<key>
  std::string label;  // Chinese
  ValueType type = ValueType::kText;
  bool required = false;
  std::optional<double> min, max;       // integer/decimal/money (in 元)
  std::string min_date, max_date;       // date: YYYY-MM-DD or "today"
  int max_length = 0;                   // text; 0 = 200
  std::string pattern;                  // text: ECMAScript regex, whole value
  std::string pattern_message;          // shown when the pattern fails
  int scale = 2;                        // decimal
  std::string table;                    // code/codes: ledger-local or national table key
  bool filter = false;                  // offered as a list filter (and indexed)
  std::vector<std::string> visible_to;  // empty = everyone who sees the ledger
  std::string help;                     // hint under the form field
  std::string was;                      // former key, renamed without loss
  std::vector<std::string> accept;      // attachment: file kinds (AttachmentKinds()); default
                                        // pdf, jpg, png
  int max_kb = 0;                       // attachment: largest file in KiB; 0 = 5120
};

// The closed set of attachment kinds, recognised by a file's bytes, not its name: pdf, jpg, png,
// docx, xlsx.
const std::vector<std::string>& AttachmentKinds();

// Cross-field rules: a closed set of kinds, each with its own declared code and Chinese message.
enum class RuleKind {
  kDateOrder,       // fields[0] ≤ fields[1] when both given
  kRequiredIf,      // field required when `when_field` has one of `when_values`
  kForbiddenIf,     // field must be empty when `when_field` has one of `when_values`
  kDisabilityCard,  // field = subject's ID number + category digit + grade digit (+ B / B2)
  kNotAfterToday,   // date field not in the future
  kMaxMembers,      // integer field ≤ the number of members of the subject's household
};
struct Rule {
  std::string code;  // declared error code, e.g. "disabled.card_mismatch"
  RuleKind kind = RuleKind::kDateOrder;
  std::vector<std::string> fields;  // the fields the rule reads; the error is shown at fields[0]
                                    // (kDateOrder: at fields[1])
  std::string when_field;
  std::vector<std::string> when_values;
  std::string message;  // Chinese; may use {label} of the erring field and rule parameters
};

struct Stage {
  std::string key;
  std::string label;
  bool final = false;  // exited: no schedule, no reports, no further transitions
};

struct Transition {
  std::string key;                   // "enrol" is the one from nothing
  std::string label;                 // 纳入, 复核, 调整类别, 退出 …
  std::vector<std::string> from;     // stages; empty for enrol
  std::string to;                    // stage
  std::vector<std::string> fields;   // fields this transition may set (enrol: all)
  std::vector<std::string> reasons;  // offered reasons; empty = free text
  bool reason_required = false;
  std::vector<std::string> roles;  // who may make it; empty = whoever holds ledger.write
  std::vector<std::string>
      approvers;                    // non-empty: waits for a second person with one of these roles
  bool satisfies_schedule = false;  // a review: counts as the due follow-up
};

struct Schedule {
  std::string label = "走访";                // what is due: 走访, 复核 …
  std::string by_field;                      // code field choosing the interval, "" = one interval
  int every_days = 0;                        // default interval
  std::map<std::string, int> every_days_by;  // code → interval
  int first_due_days = 0;                    // first due this many days after enrolment
  int grace_days = 0;                        // overdue after due + grace
  bool enabled() const { return every_days > 0 || !every_days_by.empty(); }
};

struct Statistic {
  std::string key;
  std::string label;
  std::string sum_field;  // "" = count entries
  std::string by_field;   // code field to break down by, "" = one figure
};

struct ExportColumn {
  std::string source;  // "person.name", "person.id_number", "household.number", "enrolled_on",
                       // "stage", "next_due_on", or a field key
  std::string header;  // column header; also accepted on import
  std::vector<std::string> aliases;  // other headers accepted on import
};

struct DemoValue {
  std::string field;
  std::vector<std::string> choices;  // picked with `weights` (default equal)
  std::vector<int> weights;
  std::optional<double> min, max;  // numbers
};
struct Demo {
  double rate = 0;  // share of eligible subjects enrolled
  int min_age = 0, max_age = 200;
  std::string sex;  // "1" / "2" / ""
  std::vector<DemoValue> values;
};

struct Ledger {
  std::string key;    // [a-z][a-z0-9_]*
  std::string name;   // 低保
  std::string title;  // 最低生活保障家庭台账
  std::string purpose;
  bool household = false;               // enrols households (subject = household) or persons
  std::vector<std::string> visible_to;  // roles that see the ledger at all; empty = all ledger.read
  std::vector<Field> fields;
  std::vector<Rule> rules;
  std::vector<Stage> stages;
  std::vector<Transition> transitions;
  Schedule schedule;
  bool daily_report = false;                  // 每日报告 / 零报告 for each active entry
  std::vector<std::string> export_approvers;  // bulk export waits for one of these roles
  std::vector<Statistic> statistics;
  std::string export_title;  // "{org}{name}台账（{date}）"
  std::vector<ExportColumn> columns;
  Demo demo;
  std::vector<CodeTable> code_tables;  // ledger-local tables (codes/*.csv)
  std::string folder;                  // where it was loaded from (for messages)

  const Field* FindField(std::string_view key) const;
  const Stage* FindStage(std::string_view key) const;
  const Transition* FindTransition(std::string_view key) const;
  // Local table first, then the national ones; nullptr when neither has it.
  const CodeTable* FindTable(std::string_view key) const;
  const Transition& Enrol() const;  // REQUIRES: validated (there is exactly one)
  bool VisibleTo(std::string_view role) const;
  bool FieldVisibleTo(const Field& field, std::string_view role) const;
};

// The files of one declaration folder, by path relative to the folder ("ledger.json",
// "codes/class.csv").
using FolderFiles = std::map<std::string, std::string>;

// Parses and validates one declaration. `folder` names it in errors ("ledgers/dibao").
Result<Ledger> ParseLedger(const std::string& folder, const FolderFiles& files);

class Catalog {
 public:
  // The built-in ledgers (embedded) plus every folder under each of `extra_dirs` (a folder with a
  // ledger.json). A key declared twice is an error.
  static Result<std::shared_ptr<const Catalog>> Load(
      const std::vector<std::string>& extra_dirs = {});
  // The built-in catalog, loaded once; aborts with the declaration error if it is broken (caught
  // at build time by `linli ledger check`).
  static std::shared_ptr<const Catalog> BuiltIn();

  const std::vector<Ledger>& ledgers() const { return ledgers_; }
  const Ledger* Find(std::string_view key) const;

 private:
  std::vector<Ledger> ledgers_;
};

// Reads a folder from disk into FolderFiles (ledger.json and codes/*.csv).
Result<FolderFiles> ReadFolder(const std::string& dir);

}  // namespace linli::ledger
