// Persons and households in the registry: reading, writing with history, moves, deaths, duplicate
// detection and merging. Nothing is deleted: every change writes person_events rows (field, old
// and new value, date, reason), and ending a person sets a status with a date and reason.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/status.h"
#include "registry/columns.h"
#include "storage/db.h"

namespace linli::crypto {
class FieldCipher;
}

namespace linli::registry {

// The stored fields of a person, keyed like RegistryColumns(); grid, household_number and
// occupancy are not person columns and stay empty here.
struct PersonFields {
  std::vector<std::string> values = std::vector<std::string>(RegistryColumns().size());
  std::string& operator[](std::string_view key) { return values[ColumnIndex(key)]; }
  const std::string& operator[](std::string_view key) const { return values[ColumnIndex(key)]; }
};

// True for columns stored on the persons row (everything but grid/household_number/occupancy).
bool IsPersonColumn(const ColumnDecl& column);

struct Person {
  int64_t id = 0;
  int64_t community_id = 0;
  int64_t grid_id = 0;
  int64_t room_id = 0;
  int64_t household_id = 0;
  std::string status;  // active, moved_out, deceased, merged
  std::string status_date, status_reason;
  int64_t merged_into = 0;
  PersonFields fields;
};

struct PersonEvent {
  int64_t id = 0;
  std::string event, on_date, field, old_value, new_value, reason, recorded_at;
};

// Bulk-capable writer: prepared statements reused across calls. One per transaction or command.
// Values in and out are clear: sensitive fields (IsSensitive) are encrypted on write — on the
// persons row and in person_events — with their blind indexes, and decrypted on read, with the
// store's cipher (storage::Db::Cipher()).
class PersonStore {
 public:
  // Errors: those of Db::Cipher() (kFieldKey, kFieldKeyMismatch).
  static Result<std::unique_ptr<PersonStore>> Create(storage::Db& db);

  // Errors: kNotFound; kFieldDecrypt when a stored ciphertext does not authenticate.
  Result<Person> Get(int64_t id);
  // Lookups for matching incoming rows to stored persons (any community).
  Result<int64_t> FindByIdNumber(const std::string& id_number);  // 0 when absent
  Result<int64_t> FindWithoutId(int64_t community_id, const std::string& name, const std::string& birth_date);

  // The persons registered under each of `id_numbers` (clear, normalised), in one query per 500.
  Result<std::unordered_map<std::string, int64_t>> FindByIdNumbers(const std::vector<std::string>& id_numbers);

  // What Insert() derives from a person's fields alone: pinyin, initials, name grams, and per
  // sensitive column its ciphertext, blind index and tail index. Thread-safe (const, no database),
  // so that an import computes it on another thread while this one writes.
  struct Derived {
    std::string pinyin, initials;
    std::vector<std::string> grams;
    std::vector<std::string> sensitive;  // 3 per sensitive person column, in column order
  };
  Derived Derive(const PersonFields& fields) const;

  // Inserts a person; writes a 'registered' event. Returns the new id. `derived`, when given, is
  // Derive(p.fields) computed beforehand (its values are moved from).
  Result<int64_t> Insert(const Person& p, const std::string& reason, int64_t import_id, Derived* derived = nullptr);

  // Bulk insertion (an import): until FinishBulk(), Insert() defers the person's name grams, its
  // 'registered' event and, on SQLite, its full-text row (the insert trigger is dropped); then
  // FinishBulk() writes the grams sorted in multi-row statements, the events likewise, and the
  // full-text rows in one INSERT … SELECT, and creates the trigger again. Updates are not
  // deferred. REQUIRES: both inside the same transaction (a rollback undoes all of it); no other
  // writer inserts persons meanwhile.
  Status BeginBulk();
  Status FinishBulk();
  // Applies `after` over the stored person: each differing stored field (and grid/room/household)
  // is updated and recorded as an 'updated' event. Returns the names of the changed fields.
  Result<std::vector<std::string>> Update(const Person& before, const Person& after, const std::string& reason,
                                          int64_t import_id);
  Status RecordEvent(int64_t person_id, const std::string& event, const std::string& on_date,
                     const std::string& field, const std::string& old_value, const std::string& new_value,
                     const std::string& reason, int64_t import_id);
  Result<std::vector<PersonEvent>> History(int64_t person_id);

 private:
  PersonStore(storage::Db& db, const crypto::FieldCipher& cipher) : db_(db), cipher_(cipher) {}
  Status WriteGrams(int64_t community_id, int64_t person_id, const std::string& name);
  Result<Person> ReadPerson(const storage::Row& r) const;
  // Appends the ciphertext, the blind index and the tail index of a sensitive value.
  void AppendSensitive(const std::string& key, const std::string& value, storage::Params& params) const;
  storage::Db& db_;
  const crypto::FieldCipher& cipher_;
  struct DeferredEvent {
    int64_t person_id;
    std::string reason;
    int64_t import_id;
  };
  bool bulk_ = false;
  int64_t bulk_first_id_ = 0;  // persons with a larger id were inserted by this bulk
  struct DeferredGram {
    int64_t community_id;
    std::string gram;
    int64_t person_id;
    bool operator<(const DeferredGram& o) const {
      if (community_id != o.community_id) return community_id < o.community_id;
      if (gram != o.gram) return gram < o.gram;
      return person_id < o.person_id;
    }
  };
  std::vector<DeferredGram> deferred_grams_;
  std::vector<DeferredEvent> deferred_events_;
  std::unique_ptr<storage::Statement> find_by_id_, insert_, insert_gram_, insert_event_, delete_grams_;
};

// Unigrams and bigrams of a name, the index for exact 1–2 character search.
std::vector<std::string> NameGrams(std::string_view name);

// Ends a person's active registration: moved out or died. kPersonEnded when not active.
Status EndPerson(storage::Db& db, int64_t person_id, const std::string& status, const std::string& date,
                 const std::string& reason);

// Groups of likely duplicates: same name and birth date, different or missing ID numbers.
struct DuplicateGroup {
  std::string name, birth_date;
  std::vector<int64_t> person_ids;
};
Result<std::vector<DuplicateGroup>> FindDuplicates(storage::Db& db, const std::vector<int64_t>& community_ids);

// Merges `merged` into `kept`: fields empty on kept are filled from merged, merged gets status
// 'merged' and merged_into; both histories record it. kMergeSame, kMergeIdConflict.
Status MergePersons(storage::Db& db, int64_t kept, int64_t merged, const std::string& reason);

}  // namespace linli::registry
