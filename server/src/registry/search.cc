// Query classification and the SQL behind each kind of person search.
#include "registry/search.h"

#include <algorithm>
#include <cctype>
#include <functional>
#include <set>

#include "common/id_number.h"
#include "common/text.h"
#include "common/time_util.h"
#include "crypto/field_cipher.h"
#include "registry/person.h"

namespace linli::registry {
namespace {

constexpr const char* kHitColumns =
    "p.id, p.name, p.id_number, p.gender, p.birth_date, p.phone, p.address, p.status, p.community_id";

bool AllDigitsOrX(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (!std::isdigit(static_cast<unsigned char>(c)) && !((c == 'X' || c == 'x') && i + 1 == s.size())) return false;
  }
  return !s.empty();
}

bool AllLetters(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return std::isalpha(static_cast<unsigned char>(c)); });
}

// An upper bound for byte-wise prefix ranges: prefix + U+10FFFF's bytes.
std::string PrefixEnd(const std::string& prefix) { return prefix + "\xF4\x8F\xBF\xBF"; }

std::string LikeEscape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

class Searcher {
 public:
  Searcher(storage::Db& db, const crypto::FieldCipher& cipher, const SearchQuery& q)
      : db_(db), cipher_(cipher), q_(q) {
    if (!q.community_ids.empty())
      scope_sql_ = " AND +p.community_id IN (" + storage::InList(q.community_ids, scope_params_) + ")";
    if (!q.grid_ids.empty())
      scope_sql_ += " AND +p.grid_id IN (" + storage::InList(q.grid_ids, scope_params_) + ")";
    // SQLite: "+p.status" keeps persons_community (community_id, status) from competing with the
    // search indexes, which start with community_id too.
    std::string status =
        db.dialect() == storage::Dialect::kSqlite ? " AND +p.status" : " AND p.status";
    if (!q.include_ended)
      scope_sql_ += status + " = 'active'";
    else
      scope_sql_ += status + " <> 'merged'";
  }

  // Runs `where` (over persons p) and appends new hits tagged with `how`. With `verify`, every
  // candidate is decrypted and kept only when verify accepts it (tail buckets of the blind index).
  Status Add(const std::string& how, const std::string& from_where, storage::Params params,
             const std::function<bool(const SearchHit&)>& verify = nullptr) {
    if (static_cast<int>(hits_.size()) >= q_.limit) return Status::Ok();
    params.insert(params.end(), scope_params_.begin(), scope_params_.end());
    const bool sqlite = db_.dialect() == storage::Dialect::kSqlite;
    // SQLite: "+p.name" keeps the planner from walking the whole name index in order (to skip the
    // sort) while it probes each person against a selective condition — seconds at 1M persons
    // when few match. The matching rows are found through their own index and then sorted.
    std::string order = std::string(" ORDER BY ") + (sqlite ? "+p.name" : "p.name") + ", p.id";
    // As-you-type (SearchQuery::index_order): one or two keys match tens of thousands of persons
    // at 1M (王, w, zh); ranking them all by name took 0.1-5 s, mostly reading rows that are then
    // thrown away. Instead the first `limit` matches are read in the order of the index that finds
    // them — the scan stops there — and sorted by name among themselves. When fewer match, that is
    // every match and the answer is the same; when more match, which of them are shown differs.
    const bool index_order = sqlite && !verify && q_.index_order;
    std::string sql = std::string("SELECT ") + kHitColumns + " FROM " + from_where + scope_sql_ +
                      (index_order ? "" : order);
    if (!verify) sql += " LIMIT " + std::to_string(q_.limit);
    const size_t first_new = hits_.size();
    Status decrypt_status;
    RETURN_IF_ERROR(db_.QueryEach(sql, params, [&](const storage::Row& r) {
      int64_t id = r.Int(0);
      if (seen_.count(id)) return true;
      SearchHit hit{id, r.Text(1), "", r.Text(3), r.Text(4), "", r.Text(6), r.Text(7), r.Int(8), how};
      auto id_number = cipher_.Decrypt("id_number", r.Text(2));
      auto phone = cipher_.Decrypt("phone", r.Text(5));
      if (!id_number.ok() || !phone.ok()) {
        decrypt_status = id_number.ok() ? phone.status() : id_number.status();
        return false;
      }
      hit.id_number = std::move(*id_number);
      hit.phone = std::move(*phone);
      if (verify && !verify(hit)) return true;
      seen_.insert(id);
      hits_.push_back(std::move(hit));
      return static_cast<int>(hits_.size()) < q_.limit;
    }));
    if (index_order)
      std::sort(hits_.begin() + first_new, hits_.end(), [](const SearchHit& a, const SearchHit& b) {
        return a.name != b.name ? a.name < b.name : a.person_id < b.person_id;
      });
    return decrypt_status;
  }

  // Persons whose `field` ends with `tail` (4–8 digits): the bucket of its last four digits in the
  // blind tail index, longer tails checked on the decrypted value.
  Status AddTail(const std::string& how, const std::string& field, const std::string& tail) {
    std::function<bool(const SearchHit&)> verify;
    if (tail.size() > 4)
      verify = [field, tail](const SearchHit& h) {
        std::string chars = crypto::FieldCipher::TailChars(field == "phone" ? h.phone : h.id_number);
        return chars.size() >= tail.size() && chars.compare(chars.size() - tail.size(), tail.size(), tail) == 0;
      };
    storage::Params params{cipher_.TailIndex(field, tail)};
    std::string where =
        "persons p WHERE p." + field + "_tail = ?" + InCommunities("p.community_id", params);
    return Add(how, where, std::move(params), verify);
  }

  // id_number_digest is one store-wide unique index; the phone digest index starts with
  // community_id.
  Status AddExact(const std::string& how, const std::string& field, const std::string& value) {
    storage::Params params{cipher_.BlindIndex(field, value)};
    std::string where = "persons p WHERE p." + field + "_digest = ?";
    if (field != "id_number") where += InCommunities("p.community_id", params);
    return Add(how, where, std::move(params));
  }

  // `from_where` served by an index that starts with community_id (community_column names that
  // column in from_where), limited to the communities searched.
  Status AddIndexed(const std::string& how, const std::string& from_where, storage::Params params,
                    const std::string& community_column = "p.community_id") {
    std::string where = from_where + InCommunities(community_column, params);
    return Add(how, where, std::move(params));
  }

  Status NameSearch(const std::string& name) {
    RETURN_IF_ERROR(AddIndexed("name", "persons p WHERE p.name = ?", {name}));
    size_t chars = Utf8Chars(name).size();
    if (chars <= 2) {
      // Exact substring results for short fragments: the gram index holds every 1- and 2-gram.
      return AddIndexed("name",
                        "person_grams g JOIN persons p ON p.id = g.person_id WHERE g.gram = ?",
                        {name}, "g.community_id");
    }
    // Longer fragments: candidates by their first bigram, verified on the name itself.
    std::vector<std::string> cs = Utf8Chars(name);
    return AddIndexed("name",
                      "person_grams g JOIN persons p ON p.id = g.person_id WHERE g.gram = ? AND "
                      "p.name LIKE ? ESCAPE '\\'",
                      {cs[0] + cs[1], "%" + LikeEscape(name) + "%"}, "g.community_id");
  }

  // " AND <column> IN (…)": the communities searched — the scope, or every community — for the
  // indexes that start with community_id (storage/migrations.cc). Appends the scope's ids to
  // params.
  std::string InCommunities(const std::string& column, storage::Params& params) const {
    if (q_.community_ids.empty())
      return " AND " + column + " IN (SELECT id FROM org_units WHERE level = 'community')";
    return " AND " + column + " IN (" + storage::InList(q_.community_ids, params) + ")";
  }

  Status AddressSearch(const std::string& text) {
    const size_t chars = Utf8Chars(text).size();
    // As you type, one character is searched in names only: as an address fragment it matches
    // nearly every address.
    if (q_.index_order && chars < 2) return Status::Ok();
    if (chars <= 2) {
      // 1–2 characters (no trigram on either engine): the address grams of places
      // (storage/migrations.cc, v6). A person's address is their room's; a room holds the grams
      // its parent's address lacks, so the rooms with the fragment are those holding it and the
      // children of places holding it. Verified on the person's address all the same.
      storage::Params params{text};
      std::string rooms = "(SELECT g.place_id AS room_id FROM place_grams g WHERE g.gram = ?" +
                          InCommunities("g.community_id", params) + " UNION ALL ";
      params.push_back(text);
      rooms += "SELECT r.id FROM place_grams g JOIN places r ON r.parent_id = g.place_id " +
               std::string("WHERE g.gram = ?") + InCommunities("g.community_id", params) + ") m";
      params.push_back("%" + LikeEscape(text) + "%");
      return Add(
          "address",
          rooms + " JOIN persons p ON p.room_id = m.room_id WHERE p.address LIKE ? ESCAPE '\\'",
          std::move(params));
    }
    if (db_.dialect() == storage::Dialect::kSqlite) {
      std::string phrase = "\"" + text + "\"";
      for (size_t pos = 1; (pos = phrase.find('"', pos)) != std::string::npos && pos + 1 < phrase.size(); pos += 2)
        phrase.insert(pos, "\"");
      return Add("address", "person_fts f JOIN persons p ON p.id = f.rowid WHERE person_fts MATCH ?",
                 {"address : " + phrase});
    }
    // PostgreSQL: the pg_trgm index serves LIKE.
    return Add("address", "persons p WHERE p.address LIKE ? ESCAPE '\\'", {"%" + LikeEscape(text) + "%"});
  }

  Result<std::vector<SearchHit>> Run() {
    std::string text = NormalizeText(q_.text);
    if (text.empty()) return hits_;
    if (AllDigitsOrX(text)) {
      std::string upper = text;
      if (upper.back() == 'x') upper.back() = 'X';
      if (upper.size() == 18 || upper.size() == 15) {
        auto id = ParseIdNumber(upper, Today());
        RETURN_IF_ERROR(AddExact("id", "id_number", id.ok() ? id->number : upper));
      }
      if (upper.size() == 11 && upper[0] == '1') RETURN_IF_ERROR(AddExact("phone", "phone", upper));
      if (upper.size() >= 4 && upper.size() <= 8) {
        RETURN_IF_ERROR(AddTail("id_tail", "id_number", upper));
        RETURN_IF_ERROR(AddTail("phone_tail", "phone", upper));
      }
      if (upper.size() >= 7 && upper.size() <= 12) {
        RETURN_IF_ERROR(AddExact("phone", "phone", upper));
        // A fixed line typed without its dash: 01012345678 is stored as 010-12345678.
        auto phone = NormalizePhone(upper);
        if (phone.ok() && *phone != upper) RETURN_IF_ERROR(AddExact("phone", "phone", *phone));
      }
      return hits_;
    }
    if (AllLetters(text)) {
      std::string lower = text;
      std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
      RETURN_IF_ERROR(AddIndexed("initials", "persons p WHERE p.name_initials = ?", {lower}));
      RETURN_IF_ERROR(AddIndexed("pinyin", "persons p WHERE p.name_pinyin = ?", {lower}));
      RETURN_IF_ERROR(AddIndexed("pinyin",
                                 "persons p WHERE p.name_pinyin >= ? AND p.name_pinyin < ?",
                                 {lower, PrefixEnd(lower)}));
      RETURN_IF_ERROR(AddIndexed("initials",
                                 "persons p WHERE p.name_initials >= ? AND p.name_initials < ?",
                                 {lower, PrefixEnd(lower)}));
      return hits_;
    }
    std::string simplified = HasHan(text) ? ToSimplified(text) : text;
    if (!LooksLikeAddress(simplified)) {
      RETURN_IF_ERROR(NameSearch(simplified));
      if (simplified != text) RETURN_IF_ERROR(NameSearch(text));
    }
    RETURN_IF_ERROR(AddressSearch(simplified));
    return hits_;
  }

 private:
  storage::Db& db_;
  const crypto::FieldCipher& cipher_;
  const SearchQuery& q_;
  std::string scope_sql_;
  storage::Params scope_params_;
  std::vector<SearchHit> hits_;
  std::set<int64_t> seen_;
};

}  // namespace

bool LooksLikeAddress(std::string_view text) {
  if (std::any_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); }))
    return true;
  // Words that do not occur in personal names.
  for (const char* mark : {"小区", "单元", "号楼", "花园", "家园", "社区", "公寓", "大厦"})
    if (text.find(mark) != std::string_view::npos) return true;
  // Single characters that are also common in names (张国栋, 路遥, 李苑, 万里): an address mark only in
  // text longer than a name.
  std::vector<std::string> chars = Utf8Chars(text);
  if (chars.size() < 5 || text.find("·") != std::string_view::npos) return false;
  for (const char* mark : {"栋", "幢", "室", "路", "街", "巷", "苑", "里", "院", "号"})
    if (text.find(mark) != std::string_view::npos) return true;
  return false;
}

Result<std::vector<SearchHit>> SearchPersons(storage::Db& db, const SearchQuery& query) {
  ASSIGN_OR_RETURN(const crypto::FieldCipher* cipher, db.Cipher());
  Searcher s(db, *cipher, query);
  return s.Run();
}

std::vector<std::string> SearchPlan(const std::string& raw) {
  std::string text = NormalizeText(raw);
  if (text.empty()) return {};
  if (AllDigitsOrX(text)) return {"id", "id_tail", "phone", "phone_tail"};
  if (AllLetters(text)) return {"initials", "pinyin"};
  return LooksLikeAddress(ToSimplified(text)) ? std::vector<std::string>{"address"}
                                              : std::vector<std::string>{"name", "address"};
}

}  // namespace linli::registry
