// Person search by ID number (full or last 4–8 digits), phone (full or tail), name (exact results
// for 1- and 2-character fragments through the gram index), full pinyin and initials, and address
// fragments; Traditional input is converted to Simplified first. Results are ranked: exact matches
// of the whole query first, then prefixes, then fragments; ties by name and id.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/db.h"

namespace linli::registry {

struct SearchQuery {
  std::string text;
  std::vector<int64_t> community_ids;  // scope; empty = every community
  std::vector<int64_t> grid_ids;       // further limits to these grids when not empty
  int limit = 20;
  bool include_ended = false;  // moved out, deceased
  // As you type (the web UI's search box): on SQLite each kind of match is read in the order of
  // its index and stops at `limit`, and those are sorted by name; when more than `limit` persons
  // match, which of them are returned differs from the exact first `limit` by name (the default,
  // which the benchmarks check). One character is searched in names only.
  bool index_order = false;
};

struct SearchHit {
  int64_t person_id = 0;
  std::string name, id_number, gender, birth_date, phone, address, status;
  int64_t community_id = 0;
  std::string matched_by;  // id, id_tail, phone, phone_tail, name, pinyin, initials, address
};

Result<std::vector<SearchHit>> SearchPersons(storage::Db& db, const SearchQuery& query);

// True when Han text is read as an address only, not also as a name: it has digits, a word that
// never occurs in names (小区, 单元, 号楼, 花园 …), or — in five or more characters — a
// single-character mark (栋, 路, 里, 苑, 院 …). Names such as 张国栋 or 路遥 stay names. Shared with
// bench/linli_bench.cc, which must read queries the same way.
bool LooksLikeAddress(std::string_view text);

// How a query is read (exposed for tests): the kinds of match it will try, in order.
std::vector<std::string> SearchPlan(const std::string& text);

}  // namespace linli::registry
