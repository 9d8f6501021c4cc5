// Person storage with history, ending, duplicate detection and merging.
#include "registry/person.h"

#include <algorithm>
#include <functional>
#include <map>

#include "common/id_number.h"
#include "common/text.h"
#include "common/time_util.h"
#include "crypto/field_cipher.h"
#include "storage/migrations.h"

namespace linli::registry {
namespace {

// Person columns in declaration order, and the SELECT list derived from them.
const std::vector<size_t>& PersonColumnIndexes() {
  static const std::vector<size_t> kIdx = [] {
    std::vector<size_t> out;
    const auto& cols = RegistryColumns();
    for (size_t i = 0; i < cols.size(); ++i)
      if (IsPersonColumn(cols[i])) out.push_back(i);
    return out;
  }();
  return kIdx;
}

std::string SelectList() {
  std::string s = "id, community_id, grid_id, room_id, household_id, status, status_date, status_reason, merged_into";
  for (size_t i : PersonColumnIndexes()) s += ", " + RegistryColumns()[i].key;
  return s;
}

storage::Value IdOrNull(int64_t id) { return id ? storage::Value{id} : storage::Null(); }

}  // namespace

Result<Person> PersonStore::ReadPerson(const storage::Row& r) const {
  Person p;
  p.id = r.Int(0);
  p.community_id = r.Int(1);
  p.grid_id = r.Int(2);
  p.room_id = r.Int(3);
  p.household_id = r.Int(4);
  p.status = r.Text(5);
  p.status_date = r.Text(6);
  p.status_reason = r.Text(7);
  p.merged_into = r.Int(8);
  size_t c = 9;
  const auto& cols = RegistryColumns();
  for (size_t i : PersonColumnIndexes()) {
    if (IsSensitive(cols[i])) {
      ASSIGN_OR_RETURN(p.fields.values[i], cipher_.Decrypt(cols[i].key, r.Text(c++)));
    } else {
      p.fields.values[i] = r.Text(c++);
    }
  }
  return p;
}

bool IsPersonColumn(const ColumnDecl& c) {
  return c.key != "grid" && c.key != "household_number" && c.key != "occupancy";
}

std::vector<std::string> NameGrams(std::string_view name) {
  std::vector<std::string> out;
  for (std::string_view g : Utf8Grams(name)) out.emplace_back(g);
  return out;
}

Result<std::unique_ptr<PersonStore>> PersonStore::Create(storage::Db& db) {
  ASSIGN_OR_RETURN(const crypto::FieldCipher* cipher, db.Cipher());
  std::unique_ptr<PersonStore> s(new PersonStore(db, *cipher));
  ASSIGN_OR_RETURN(s->find_by_id_, db.Prepare("SELECT id FROM persons WHERE id_number_digest = ?"));
  std::string cols = "community_id, grid_id, room_id, household_id, status, name_pinyin, name_initials, created_at, "
                     "updated_at";
  std::string marks = "?, ?, ?, ?, 'active', ?, ?, ?, ?";
  for (size_t i : PersonColumnIndexes()) {
    const ColumnDecl& c = RegistryColumns()[i];
    cols += ", " + c.key;
    marks += ", ?";
    if (IsSensitive(c)) {
      cols += ", " + c.key + "_digest, " + c.key + "_tail";
      marks += ", ?, ?";
    }
  }
  ASSIGN_OR_RETURN(s->insert_, db.Prepare("INSERT INTO persons (" + cols + ") VALUES (" + marks + ") RETURNING id"));
  ASSIGN_OR_RETURN(s->insert_gram_,
                   db.Prepare("INSERT INTO person_grams (community_id, gram, person_id) VALUES (?, ?, ?)"));
  ASSIGN_OR_RETURN(s->delete_grams_,
                   db.Prepare("DELETE FROM person_grams WHERE community_id = ? AND gram = ? AND person_id = ?"));
  ASSIGN_OR_RETURN(s->insert_event_,
                   db.Prepare("INSERT INTO person_events (person_id, event, on_date, field, old_value, new_value, "
                              "reason, import_id, recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  return s;
}

Result<Person> PersonStore::Get(int64_t id) {
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT " + SelectList() + " FROM persons WHERE id = ?", {id}));
  if (rows.empty()) return Error(ErrorCode::kNotFound, {{"what", "居民"}, {"key", std::to_string(id)}});
  return ReadPerson(rows[0]);
}

Result<int64_t> PersonStore::FindByIdNumber(const std::string& id_number) {
  if (id_number.empty()) return 0;
  ASSIGN_OR_RETURN(auto rows, find_by_id_->Query({cipher_.BlindIndex("id_number", id_number)}));
  return rows.empty() ? 0 : rows[0].Int(0);
}

Result<int64_t> PersonStore::FindWithoutId(int64_t community_id, const std::string& name, const std::string& birth_date) {
  return db_.QueryInt(
      "SELECT id FROM persons WHERE community_id = ? AND name = ? AND birth_date = ? AND id_number IS NULL "
      "AND status <> 'merged' ORDER BY id",
      {community_id, name, birth_date});
}

Status PersonStore::WriteGrams(int64_t community_id, int64_t person_id, const std::string& name) {
  for (const auto& g : NameGrams(name)) RETURN_IF_ERROR(insert_gram_->Exec({community_id, g, person_id}));
  return Status::Ok();
}

Result<std::unordered_map<std::string, int64_t>> PersonStore::FindByIdNumbers(const std::vector<std::string>& id_numbers) {
  constexpr size_t kChunk = 500;
  std::unordered_map<std::string, std::string> clear_of;  // digest -> ID number
  std::vector<std::string> digests;
  for (const auto& id : id_numbers) {
    if (id.empty()) continue;
    std::string d = cipher_.BlindIndex("id_number", id);
    if (clear_of.emplace(d, id).second) digests.push_back(std::move(d));
  }
  std::unordered_map<std::string, int64_t> out;
  for (size_t start = 0; start < digests.size(); start += kChunk) {
    size_t end = std::min(digests.size(), start + kChunk);
    std::string marks;
    storage::Params params;
    for (size_t i = start; i < end; ++i) {
      marks += marks.empty() ? "?" : ", ?";
      params.push_back(digests[i]);
    }
    RETURN_IF_ERROR(db_.QueryEach("SELECT id_number_digest, id FROM persons WHERE id_number_digest IN (" + marks + ")",
                                  params, [&](const storage::Row& r) {
                                    out[clear_of[r.Text(0)]] = r.Int(1);
                                    return true;
                                  }));
  }
  return out;
}

Status PersonStore::BeginBulk() {
  ASSIGN_OR_RETURN(bulk_first_id_, db_.QueryInt("SELECT max(id) FROM persons"));
  if (db_.dialect() == storage::Dialect::kSqlite) RETURN_IF_ERROR(db_.Exec("DROP TRIGGER persons_fts_ai"));
  bulk_ = true;
  return Status::Ok();
}

Status PersonStore::FinishBulk() {
  if (!bulk_) return Status::Ok();
  bulk_ = false;
  std::sort(deferred_grams_.begin(), deferred_grams_.end());
  RETURN_IF_ERROR(
      storage::InsertRows(db_, "INSERT INTO person_grams (community_id, gram, person_id)", 3,
                          deferred_grams_.size(), 200, [&](size_t i, storage::Params& p) {
                            p.push_back(deferred_grams_[i].community_id);
                            p.push_back(std::move(deferred_grams_[i].gram));
                            p.push_back(deferred_grams_[i].person_id);
                          }));
  std::string today = Today().ToString(), now = NowIso();
  RETURN_IF_ERROR(storage::InsertRows(
      db_, "INSERT INTO person_events (person_id, event, on_date, reason, import_id, recorded_at)",
      6, deferred_events_.size(), 100, [&](size_t i, storage::Params& p) {
        const DeferredEvent& e = deferred_events_[i];
        p.push_back(e.person_id);
        p.push_back(std::string("registered"));
        p.push_back(today);
        p.push_back(storage::TextOrNull(e.reason));
        p.push_back(IdOrNull(e.import_id));
        p.push_back(now);
      }));
  deferred_grams_.clear();
  deferred_events_.clear();
  if (db_.dialect() == storage::Dialect::kSqlite) {
    RETURN_IF_ERROR(db_.Exec("INSERT INTO person_fts(rowid, name, address) SELECT id, name, address FROM persons "
                             "WHERE id > ? ORDER BY id",
                             {bulk_first_id_}));
    RETURN_IF_ERROR(db_.ExecScript(storage::kSqlitePersonFtsInsertTrigger));
  }
  return Status::Ok();
}

PersonStore::Derived PersonStore::Derive(const PersonFields& f) const {
  Derived d;
  NamePinyin py = NamePinyinOf(f["name"]);
  d.pinyin = std::move(py.full);
  d.initials = std::move(py.initials);
  d.grams = NameGrams(f["name"]);
  const auto& cols = RegistryColumns();
  for (size_t i : PersonColumnIndexes()) {
    if (!IsSensitive(cols[i])) continue;
    const std::string& v = f.values[i];
    d.sensitive.push_back(cipher_.Encrypt(cols[i].key, v));
    d.sensitive.push_back(cipher_.BlindIndex(cols[i].key, v));
    d.sensitive.push_back(cipher_.TailIndex(cols[i].key, v));
  }
  return d;
}

Result<int64_t> PersonStore::Insert(const Person& p, const std::string& reason, int64_t import_id, Derived* derived) {
  const auto& f = p.fields;
  Derived own;
  if (!derived) {
    own = Derive(f);
    derived = &own;
  }
  std::string now = NowIso();
  storage::Params params;
  params.reserve(8 + PersonColumnIndexes().size() + derived->sensitive.size());
  params = {p.community_id, IdOrNull(p.grid_id), IdOrNull(p.room_id), IdOrNull(p.household_id),
            std::move(derived->pinyin), std::move(derived->initials), now, now};
  const auto& cols = RegistryColumns();
  size_t s = 0;
  for (size_t i : PersonColumnIndexes()) {
    if (IsSensitive(cols[i])) {
      for (int k = 0; k < 3; ++k, ++s) {
        std::string& v = derived->sensitive[s];
        params.push_back(v.empty() ? storage::Value{} : storage::Value{std::move(v)});
      }
    } else {
      params.push_back(storage::TextOrNull(f.values[i]));
    }
  }
  ASSIGN_OR_RETURN(int64_t id, insert_->InsertId(params));
  if (bulk_) {
    for (auto& g : derived->grams) deferred_grams_.push_back({p.community_id, std::move(g), id});
    deferred_events_.push_back({id, reason, import_id});
    return id;
  }
  for (const auto& g : derived->grams) RETURN_IF_ERROR(insert_gram_->Exec({p.community_id, g, id}));
  RETURN_IF_ERROR(RecordEvent(id, "registered", Today().ToString(), "", "", "", reason, import_id));
  return id;
}

Result<std::vector<std::string>> PersonStore::Update(const Person& before, const Person& after,
                                                     const std::string& reason, int64_t import_id) {
  std::vector<std::string> changed;
  std::string sets;
  storage::Params params;
  std::string today = Today().ToString();
  auto set = [&](const std::string& column, storage::Value v) {
    sets += (sets.empty() ? "" : ", ") + column + " = ?";
    params.push_back(std::move(v));
  };
  const auto& cols = RegistryColumns();
  for (size_t i : PersonColumnIndexes()) {
    const std::string& old_v = before.fields.values[i];
    const std::string& new_v = after.fields.values[i];
    if (old_v == new_v) continue;
    const std::string& key = cols[i].key;
    if (IsSensitive(cols[i])) {
      storage::Params enc;
      AppendSensitive(key, new_v, enc);
      set(key, enc[0]);
      set(key + "_digest", enc[1]);
      set(key + "_tail", enc[2]);
    } else {
      set(key, storage::TextOrNull(new_v));
    }
    if (key == "name") {
      NamePinyin py = NamePinyinOf(new_v);
      set("name_pinyin", py.full);
      set("name_initials", py.initials);
      for (const auto& g : NameGrams(old_v)) RETURN_IF_ERROR(delete_grams_->Exec({before.community_id, g, before.id}));
      RETURN_IF_ERROR(WriteGrams(before.community_id, before.id, new_v));
    }
    changed.push_back(key);
    RETURN_IF_ERROR(RecordEvent(before.id, "updated", today, key, old_v, new_v, reason, import_id));
  }
  auto link = [&](const char* column, int64_t old_id, int64_t new_id) -> Status {
    if (old_id == new_id) return Status::Ok();
    set(column, IdOrNull(new_id));
    changed.push_back(column);
    return RecordEvent(before.id, "updated", today, column, old_id ? std::to_string(old_id) : "",
                       new_id ? std::to_string(new_id) : "", reason, import_id);
  };
  RETURN_IF_ERROR(link("grid_id", before.grid_id, after.grid_id));
  RETURN_IF_ERROR(link("room_id", before.room_id, after.room_id));
  RETURN_IF_ERROR(link("household_id", before.household_id, after.household_id));
  if (changed.empty()) return changed;
  set("updated_at", NowIso());
  params.push_back(before.id);
  RETURN_IF_ERROR(db_.Exec("UPDATE persons SET " + sets + " WHERE id = ?", params));
  return changed;
}

Status PersonStore::RecordEvent(int64_t person_id, const std::string& event, const std::string& on_date,
                                const std::string& field, const std::string& old_value, const std::string& new_value,
                                const std::string& reason, int64_t import_id) {
  bool sensitive = IsSensitiveKey(field);
  return insert_event_->Exec({person_id, event, storage::TextOrNull(on_date), storage::TextOrNull(field),
                              storage::TextOrNull(sensitive ? cipher_.Encrypt(field, old_value) : old_value),
                              storage::TextOrNull(sensitive ? cipher_.Encrypt(field, new_value) : new_value),
                              storage::TextOrNull(reason), IdOrNull(import_id), NowIso()});
}

void PersonStore::AppendSensitive(const std::string& key, const std::string& value, storage::Params& params) const {
  params.push_back(storage::TextOrNull(cipher_.Encrypt(key, value)));
  params.push_back(storage::TextOrNull(cipher_.BlindIndex(key, value)));
  params.push_back(storage::TextOrNull(cipher_.TailIndex(key, value)));
}

Result<std::vector<PersonEvent>> PersonStore::History(int64_t person_id) {
  ASSIGN_OR_RETURN(auto rows, db_.Query("SELECT id, event, on_date, field, old_value, new_value, reason, recorded_at "
                                        "FROM person_events WHERE person_id = ? ORDER BY id",
                                        {person_id}));
  std::vector<PersonEvent> out;
  for (const auto& r : rows) {
    PersonEvent e{r.Int(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Text(5), r.Text(6), r.Text(7)};
    if (IsSensitiveKey(e.field)) {
      ASSIGN_OR_RETURN(e.old_value, cipher_.Decrypt(e.field, e.old_value));
      ASSIGN_OR_RETURN(e.new_value, cipher_.Decrypt(e.field, e.new_value));
    }
    out.push_back(std::move(e));
  }
  return out;
}

Status EndPerson(storage::Db& db, int64_t person_id, const std::string& status, const std::string& date,
                 const std::string& reason) {
  return storage::InTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(auto store, PersonStore::Create(db));
    ASSIGN_OR_RETURN(Person p, store->Get(person_id));
    if (p.status != "active") {
      static const std::map<std::string, std::string> kLabel = {
          {"moved_out", "迁出"}, {"deceased", "死亡"}, {"merged", "合并到其他记录"}};
      return Error(ErrorCode::kPersonEnded, {{"name", p.fields["name"]},
                                             {"status", kLabel.count(p.status) ? kLabel.at(p.status) : p.status},
                                             {"action", status == "deceased" ? "登记死亡" : "迁出"}});
    }
    RETURN_IF_ERROR(db.Exec("UPDATE persons SET status = ?, status_date = ?, status_reason = ?, updated_at = ? "
                            "WHERE id = ?",
                            {status, date, reason, NowIso(), person_id}));
    RETURN_IF_ERROR(store->RecordEvent(person_id, status == "deceased" ? "died" : "moved_out", date, "status",
                                       p.status, status, reason, 0));
    // A head who leaves ends the household when nobody active remains in it.
    if (p.household_id) {
      ASSIGN_OR_RETURN(int64_t left, db.QueryInt("SELECT count(*) FROM persons WHERE household_id = ? AND status = 'active'",
                                                 {p.household_id}));
      if (left == 0)
        RETURN_IF_ERROR(db.Exec("UPDATE households SET ended_on = ?, end_reason = ? WHERE id = ?",
                                {date, reason, p.household_id}));
    }
    return Status::Ok();
  });
}

Result<std::vector<DuplicateGroup>> FindDuplicates(storage::Db& db, const std::vector<int64_t>& community_ids) {
  if (community_ids.empty()) return std::vector<DuplicateGroup>{};
  storage::Params params;
  std::string in = storage::InList(community_ids, params);
  // Candidates: same name and birth date, at least two records, not all with distinct valid IDs
  // counted as the same — every such pair is shown for a person to judge.
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT p.name, p.birth_date, p.id FROM persons p JOIN ("
                                       "  SELECT name, birth_date FROM persons WHERE status = 'active' AND community_id IN (" + in + ")"
                                       "  AND birth_date IS NOT NULL GROUP BY name, birth_date HAVING count(*) > 1) d "
                                       "ON p.name = d.name AND p.birth_date = d.birth_date "
                                       "WHERE p.status = 'active' AND p.community_id IN (" + in + ") "
                                       "ORDER BY p.name, p.birth_date, p.id",
                                       [&] { storage::Params twice = params; storage::InList(community_ids, twice); return twice; }()));
  std::vector<DuplicateGroup> out;
  for (const auto& r : rows) {
    if (out.empty() || out.back().name != r.Text(0) || out.back().birth_date != r.Text(1))
      out.push_back({r.Text(0), r.Text(1), {}});
    out.back().person_ids.push_back(r.Int(2));
  }
  return out;
}

Status MergePersons(storage::Db& db, int64_t kept_id, int64_t merged_id, const std::string& reason) {
  if (kept_id == merged_id) return Error(ErrorCode::kMergeSame);
  return storage::InTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(auto store, PersonStore::Create(db));
    ASSIGN_OR_RETURN(Person kept, store->Get(kept_id));
    ASSIGN_OR_RETURN(Person merged, store->Get(merged_id));
    for (const Person* p : {&kept, &merged})
      if (p->status != "active")
        return Error(ErrorCode::kPersonEnded, {{"name", p->fields["name"]}, {"status", "不在册"}, {"action", "合并"}});
    const std::string& a = kept.fields["id_number"];
    const std::string& b = merged.fields["id_number"];
    if (!a.empty() && !b.empty() && a != b)
      return Error(ErrorCode::kMergeIdConflict, {{"a", MaskIdNumber(a)}, {"b", MaskIdNumber(b)}});
    Person after = kept;
    for (size_t i = 0; i < after.fields.values.size(); ++i)
      if (after.fields.values[i].empty()) after.fields.values[i] = merged.fields.values[i];
    if (!after.grid_id) after.grid_id = merged.grid_id;
    if (!after.room_id) after.room_id = merged.room_id;
    if (!after.household_id) after.household_id = merged.household_id;
    std::string today = Today().ToString();
    // The merged record gives up its ID number first (it is unique).
    RETURN_IF_ERROR(db.Exec("UPDATE persons SET status = 'merged', status_date = ?, status_reason = ?, merged_into = ?, "
                            "id_number = NULL, id_number_digest = NULL, id_number_tail = NULL, updated_at = ? WHERE id = ?",
                            {today, reason, kept_id, NowIso(), merged_id}));
    RETURN_IF_ERROR(store->RecordEvent(merged_id, "merged", today, "merged_into", "", std::to_string(kept_id), reason, 0));
    if (!b.empty()) RETURN_IF_ERROR(store->RecordEvent(merged_id, "updated", today, "id_number", b, "", reason, 0));
    ASSIGN_OR_RETURN(auto changed, store->Update(kept, after, "合并记录 #" + std::to_string(merged_id) + "：" + reason, 0));
    (void)changed;
    return store->RecordEvent(kept_id, "merged", today, "merged_from", "", std::to_string(merged_id), reason, 0);
  });
}

}  // namespace linli::registry
