// Person search by ID number (full or last 4–6 digits), phone (full or tail), name (exact results
// for 1- and 2-character fragments through the gram index), full pinyin and initials, and address
// fragments; Traditional input is converted to Simplified first. Results are ranked: exact matches
// of the whole query first, then prefixes, then fragments; ties by name and id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/db.h"

namespace linli::registry {

struct SearchQuery {
  std::string text;
  std::vector<int64_t> community_ids;  // scope; empty = every community
  int limit = 20;
  bool include_ended = false;  // moved out, deceased
};

struct SearchHit {
  int64_t person_id = 0;
  std::string name, id_number, gender, birth_date, phone, address, status;
  int64_t community_id = 0;
  std::string matched_by;  // id, id_tail, phone, phone_tail, name, pinyin, initials, address
};

Result<std::vector<SearchHit>> SearchPersons(storage::Db& db, const SearchQuery& query);

// How a query is read (exposed for tests): the kinds of match it will try, in order.
std::vector<std::string> SearchPlan(const std::string& text);

}  // namespace linli::registry
