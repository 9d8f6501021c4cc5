// Moves within a community.
#include "registry/moves.h"

#include "org/org.h"
#include "registry/person.h"

namespace linli::registry {

Result<MoveResult> MovePerson(storage::Db& db, int64_t person_id, const std::string& address_text,
                              const std::string& date, const std::string& reason) {
  auto address = org::ParseAddress(address_text);
  if (!address) return Error(ErrorCode::kImportAddress, {{"value", address_text}});
  MoveResult out;
  Status st = storage::InTransaction(db, [&]() -> Status {
    ASSIGN_OR_RETURN(auto store, PersonStore::Create(db));
    ASSIGN_OR_RETURN(Person before, store->Get(person_id));
    if (before.status != "active")
      return Error(ErrorCode::kPersonEnded, {{"name", before.fields["name"]}, {"status", "不在册"}, {"action", "搬迁"}});
    org::PlaceCache places(db, before.community_id);
    Person after = before;
    ASSIGN_OR_RETURN(after.room_id, places.EnsureRoom(*address, 0));
    ASSIGN_OR_RETURN(int64_t grid, db.QueryInt("SELECT grid_id FROM places WHERE id = ?", {after.room_id}));
    if (grid) after.grid_id = grid;
    after.fields["address"] = address->Canonical();
    ASSIGN_OR_RETURN(auto changed, store->Update(before, after, reason, 0));
    (void)changed;
    out = {before.fields["address"], after.fields["address"], after.room_id, after.grid_id};
    return store->RecordEvent(person_id, "moved", date, "address", out.old_address, out.new_address, reason, 0);
  });
  if (!st.ok()) return st;
  return out;
}

}  // namespace linli::registry
