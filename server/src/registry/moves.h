// Moving a registered person to another room of their community, shared by the CLI and the API.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"
#include "storage/db.h"

namespace linli::registry {

struct MoveResult {
  std::string old_address, new_address;
  int64_t room_id = 0, grid_id = 0;
};

// Moves person `person_id` to `address_text` (parsed like imports: 幸福里小区3栋2单元401室) on
// `date` (YYYY-MM-DD): the room is created when new, the grid follows the room, and the history
// records a 'moved' event with the reason. Joins the caller's transaction when one is open.
// Errors: kImportAddress (unparseable address), kPersonEnded, kNotFound, storage errors.
Result<MoveResult> MovePerson(storage::Db& db, int64_t person_id, const std::string& address_text,
                              const std::string& date, const std::string& reason);

}  // namespace linli::registry
