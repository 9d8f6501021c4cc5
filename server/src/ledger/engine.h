// The ledger engine: everything a declared ledger does over the store. Storage is derived from the
// declaration (SyncSchema), entries move through the declared life cycle with history, follow-ups
// are scheduled and satisfied by visits and reviews, daily and zero reports are filed and their
// completeness counted, declared transitions wait for a second person's approval, and statistics
// are computed per org unit. No ledger has code of its own here.
//
// Every writing call runs in one transaction (joining the caller's when one is open) and leaves
// either all of its rows or none. Access decisions (who may see which ledger, scope) are the
// caller's (the HTTP guard or the CLI); the engine enforces what the declaration says: the roles
// of transitions and approvals, requester ≠ approver, the allowed transitions and fields.
//
// Dates are 'YYYY-MM-DD'. "Today" comes from linli::Today() (LINLI_TODAY in tests).
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "ledger/declaration.h"
#include "ledger/values.h"
#include "storage/db.h"

namespace linli::crypto {
class FieldCipher;
}

namespace linli::ledger {

// Creates and extends each ledger's table from its declaration: new fields become new columns,
// renamed fields (declared with "was") keep their data, removed fields are retired but kept, new
// filter fields get indexes. A field whose type changed incompatibly is refused
// (kLedgerSchemaConflict). Cheap when nothing changed (one read).
Status SyncSchema(storage::Db& db, const Catalog& catalog);

struct Actor {
  int64_t user_id = 0;
  std::string role;
};

struct Entry {
  int64_t id = 0;
  std::string ledger;
  int64_t subject_id = 0;    // person or household
  int64_t person_id = 0;     // the person (household ledgers: the head at enrolment)
  int64_t household_id = 0;  // 0 when none
  std::string stage;
  std::string enrolled_on, exited_on, exit_reason;
  std::string last_followup_on, next_due_on;
  int64_t responsible_user_id = 0;
  int64_t version = 0;
  Record values;  // clear (sensitive fields decrypted); the caller masks
  // From the registry, for lists and scope:
  std::string person_name;
  int64_t community_id = 0, grid_id = 0;
};

struct Event {
  int64_t id = 0;
  std::string event, label, on_date, stage_from, stage_to, reason;
  nlohmann::json changes;  // {"field": ["old text", "new text"]}; sensitive fields ["***","***"]
  int64_t requested_by = 0, approved_by = 0;
  std::string recorded_at;
};

struct Visit {
  int64_t id = 0;
  std::string visited_on, method, notes, recorded_at;
  int64_t visitor_id = 0;
};

// The result of a write that may wait for approval: approval_id != 0 means nothing changed yet.
struct Outcome {
  int64_t entry_id = 0;
  int64_t approval_id = 0;
};

struct Approval {
  int64_t id = 0;
  std::string ledger, action, label, status;
  int64_t entry_id = 0, community_id = 0;
  nlohmann::json payload;
  int64_t requested_by = 0, decided_by = 0;
  std::string requested_at, decided_at, note;
};

// A file of an attachment field. `bytes` is filled by ReadAttachment only.
struct Attachment {
  int64_t id = 0, entry_id = 0, size = 0;
  std::string field, name, kind, sha256, content_type;
  std::string bytes;
};

enum class DueWindow { kAny, kToday, kWeek, kOverdue };

struct ListQuery {
  std::vector<int64_t> community_ids;  // scope: entries of persons registered in these
  std::vector<int64_t> grid_ids;       // further restriction (grid scope or filter); empty = none
  std::string stage;                   // "" = every stage except final ones; "*" = all
  std::map<std::string, std::string> filters;  // filter field → code/value (as typed)
  DueWindow due = DueWindow::kAny;
  int64_t responsible_user_id = 0;  // 0 = anyone's
  std::string name_prefix;          // person name starts with
  std::string sort = "id";          // id, enrolled_on, next_due_on, name
  bool descending = false;
  std::string after;  // keyset cursor from the previous page ("" = first page)
  int limit = 20;
};

struct ListResult {
  std::vector<Entry> entries;
  int64_t total = 0;
  std::string next;  // cursor of the next page, "" at the end
};

struct CompletenessRow {
  int64_t id = 0;  // the org unit (by_grid, by_community) or the responsible user (by_worker; 0 =
                   // nobody named)
  int64_t expected = 0, filed = 0, zero = 0;
};
struct Completeness {
  std::string date;
  std::vector<CompletenessRow> by_grid, by_community, by_worker;
  int64_t expected = 0, filed = 0, zero = 0;
  std::vector<int64_t> missing_entries;  // entries without a report that day (first 500)
};

class Engine {
 public:
  // REQUIRES: the store's schema is synced with `catalog` (SyncSchema).
  static Result<Engine> Create(storage::Db& db, const Catalog& catalog);

  const Catalog& catalog() const { return *catalog_; }

  // Enrols a person (person ledgers) or household (household ledgers) with the enrol
  // transition's fields. Validation problems go to `problems` (the result is kLedgerInvalid).
  Result<Outcome> Enrol(const Ledger& ledger, int64_t subject_id, const nlohmann::json& values,
                        const std::string& on_date, int64_t responsible_user_id, const Actor& actor,
                        std::vector<FieldProblem>* problems);
  // Makes a declared transition (review, class change, exit …) with the fields it may set.
  Result<Outcome> Transition(const Ledger& ledger, int64_t entry_id, const std::string& transition,
                             const nlohmann::json& values, const std::string& on_date,
                             const std::string& reason, const Actor& actor,
                             std::vector<FieldProblem>* problems);
  // Changes fields that no transition owns (corrections), with history.
  Status Edit(const Ledger& ledger, int64_t entry_id, const nlohmann::json& values,
              const Actor& actor, std::vector<FieldProblem>* problems);
  // A visit satisfies the schedule: the next due date counts from it.
  Result<int64_t> RecordVisit(const Ledger& ledger, int64_t entry_id, const std::string& on_date,
                              const std::string& method, const std::string& notes,
                              const Actor& actor);
  // A daily report (zero = nothing happened) for an active entry of a daily-report ledger.
  Result<int64_t> FileReport(const Ledger& ledger, int64_t entry_id, const std::string& on_date,
                             bool zero, const std::string& details, const Actor& actor);
  // Bulk export of a ledger whose declaration names export approvers: a request to approve.
  Result<int64_t> RequestExport(const Ledger& ledger, int64_t org_id, int64_t community_id,
                                const Actor& actor);

  Result<Outcome> Approve(int64_t approval_id, const Actor& actor, const std::string& note);
  Status Reject(int64_t approval_id, const Actor& actor, const std::string& note);
  Result<Approval> GetApproval(int64_t approval_id);
  Result<std::vector<Approval>> Approvals(const std::vector<int64_t>& community_ids,
                                          const std::string& status, const std::string& ledger_key);

  Result<Entry> Get(const Ledger& ledger, int64_t entry_id);
  Result<std::vector<Event>> History(int64_t entry_id);
  Result<std::vector<Visit>> Visits(int64_t entry_id);
  // The open entries of a person in every ledger (for the person's page): (ledger key, entry id).
  Result<std::vector<std::pair<std::string, int64_t>>> EntriesOfPerson(int64_t person_id);

  Result<ListResult> List(const Ledger& ledger, const ListQuery& query);
  // List's total alone (one count statement), for overview counts.
  Result<int64_t> Count(const Ledger& ledger, const ListQuery& query);
  Result<Completeness> ReportCompleteness(const Ledger& ledger,
                                          const std::vector<int64_t>& community_ids,
                                          const std::string& date);
  // Each declared statistic for the active entries on `as_of` in each of `units` (org unit →
  // the communities it covers), plus enrolments and exits in [from, as_of]. Counts and sums use
  // the values the entries held on `as_of` (a class changed since counts in its old class).
  Result<nlohmann::json> Statistics(
      const Ledger& ledger, const std::vector<std::pair<int64_t, std::vector<int64_t>>>& units,
      const std::string& from, const std::string& as_of);

  // Stores an upload for attachment field `field` (kLedgerNotAttachmentField otherwise), after
  // checking its kind by content and its size; encrypted; not yet any entry's. Uploads no entry
  // took within 30 days are removed.
  Result<Attachment> Upload(const Ledger& ledger, const std::string& field,
                            const std::string& file_name, std::string_view bytes,
                            const Actor& actor);
  // An attachment of entry `entry_id` (kNotFound when it is another entry's or another
  // ledger's), decrypted and checked against its SHA-256.
  Result<Attachment> ReadAttachment(const Ledger& ledger, int64_t entry_id, int64_t attachment_id);

  // Interval overrides per district (低保 review intervals are a district's choice).
  Status SetInterval(const Ledger& ledger, int64_t district_id, const std::string& code, int days);
  // The interval in days for an entry of `community_id` whose schedule field holds `code`.
  Result<int> IntervalDays(const Ledger& ledger, int64_t community_id, const std::string& code);

 private:
  Engine(storage::Db& db, const Catalog& catalog, const crypto::FieldCipher& cipher)
      : db_(&db), catalog_(&catalog), cipher_(&cipher) {}

  // Whose uploads attachment fields may take: those already the entry's, and unused ones of
  // the uploader (the requester, when an approval applies a request).
  struct Owner {
    int64_t uploader = 0;
    int64_t entry_id = 0;  // 0 for an enrolment
  };
  Result<Record> ParseValues(const Ledger& ledger, const nlohmann::json& values,
                             const std::vector<std::string>& allowed,
                             const std::string& transition_label, const Owner& owner,
                             std::vector<FieldProblem>* problems);
  Result<RuleContext> ContextFor(const Ledger& ledger, int64_t person_id, int64_t household_id);
  Status WriteValues(const Ledger& ledger, int64_t entry_id, const Record& values, bool insert);
  // Records what each changed (non-sensitive) field held before `on_date`, for Statistics as of
  // a past date.
  Status KeepHistory(const Ledger& ledger, int64_t entry_id, const Record& before,
                     const Record& changes, const std::string& on_date);
  Result<int64_t> AddEvent(int64_t entry_id, const std::string& event, const std::string& label,
                           const std::string& on_date, const std::string& from,
                           const std::string& to, const std::string& reason,
                           const nlohmann::json& changes, int64_t requested_by,
                           int64_t approved_by);
  Status Reschedule(const Ledger& ledger, const Entry& entry, const std::string& from_date);
  Result<int64_t> RequestApproval(const Ledger& ledger, int64_t entry_id, int64_t community_id,
                                  const std::string& action, const std::string& label,
                                  const nlohmann::json& payload, const Actor& actor);
  Result<Outcome> ApplyEnrol(const Ledger& ledger, int64_t subject_id, const Record& values,
                             const std::string& on_date, int64_t responsible_user_id,
                             int64_t requested_by, int64_t approved_by);
  Result<Outcome> ApplyTransition(const Ledger& ledger, const Entry& entry,
                                  const struct Transition& t, const Record& values,
                                  const std::string& on_date, const std::string& reason,
                                  int64_t requested_by, int64_t approved_by);
  Result<Entry> ReadEntry(const Ledger& ledger, const storage::Row& row) const;
  std::string Encrypt(const Ledger& ledger, const Field& field, const std::string& plain) const;
  Result<std::string> Decrypt(const Ledger& ledger, const Field& field,
                              const std::string& stored) const;

  storage::Db* db_;
  const Catalog* catalog_;
  const crypto::FieldCipher* cipher_;
};

std::string_view DueWindowName(DueWindow window);
std::optional<DueWindow> ParseDueWindow(std::string_view name);

}  // namespace linli::ledger
