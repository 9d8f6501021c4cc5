// Demo ledger entries generated from the declarations' demo sections, through the engine.
#include "ledger/demo.h"

#include <random>

#include "common/time_util.h"
#include "crypto/field_cipher.h"
#include "ledger/engine.h"

namespace linli::ledger {
namespace {

using nlohmann::json;

struct Candidate {
  int64_t person_id = 0, household_id = 0, community_id = 0;
  std::string birth_date, gender, address;
};

std::string DaysAgo(int days) { return Date::FromDays(Today().DaysSinceEpoch() - days).ToString(); }

int AgeOn(const std::string& birth, const Date& today) {
  auto d = ParseDateText(birth);
  if (!d) return -1;
  int age = today.year - d->date.year;
  if (today.month < d->date.month || (today.month == d->date.month && today.day < d->date.day))
    --age;
  return age;
}

class Generator {
 public:
  Generator(storage::Db& db, const Ledger& l, uint64_t seed)
      : db_(db), l_(l), rng_(seed ^ std::hash<std::string>()(l.key)) {}

  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  double Chance() { return std::uniform_real_distribution<double>(0, 1)(rng_); }

  std::string Pick(const DemoValue& v) {
    if (v.weights.empty()) return v.choices[Uniform(0, static_cast<int>(v.choices.size()) - 1)];
    std::discrete_distribution<size_t> d(v.weights.begin(), v.weights.end());
    return v.choices[d(rng_)];
  }

  json Declared(const DemoValue& v, const Field& f, const std::string& enrolled_on) {
    if (!v.choices.empty()) return Pick(v);
    int lo = static_cast<int>(*v.min), hi = static_cast<int>(*v.max);
    int n = Uniform(std::min(lo, hi), std::max(lo, hi));
    // Dates are given as days before the enrolment.
    if (f.type == ValueType::kDate) {
      auto d = ParseDateText(enrolled_on);
      return Date::FromDays(d->date.DaysSinceEpoch() - n).ToString();
    }
    return n;
  }

  // A plausible value for a field the demo section does not describe.
  json Fallback(const Field& f, const std::string& enrolled_on, const Candidate& c) {
    switch (f.type) {
      case ValueType::kCode:
      case ValueType::kCodes: {
        const auto& items = l_.FindTable(f.table)->items();
        return items[Uniform(0, static_cast<int>(items.size()) - 1)].code;
      }
      case ValueType::kInteger:
        return f.min ? static_cast<int>(*f.min) : 1;
      case ValueType::kDecimal:
      case ValueType::kMoney: {
        int lo = f.min ? static_cast<int>(*f.min) : 0,
            hi = f.max ? static_cast<int>(std::min(*f.max, 1000.0)) : 1000;
        return Uniform(lo, std::max(lo, hi));
      }
      case ValueType::kDate:
        return enrolled_on;
      case ValueType::kBoolean:
        return Chance() < 0.5;
      case ValueType::kPhone:
        return "139" + std::to_string(Uniform(10000000, 99999999));
      case ValueType::kText:
        if (!f.pattern.empty()) return nullptr;
        if (f.key.find("address") != std::string::npos) return c.address;
        return "待补充";
      default:
        return nullptr;
    }
  }

  Result<int64_t> Enrol(Engine& engine, const Candidate& c, int64_t responsible,
                        const std::string& id_number) {
    std::string on = DaysAgo(Uniform(20, 540));
    json values = json::object();
    for (const DemoValue& v : l_.demo.values)
      values[v.field] = Declared(v, *l_.FindField(v.field), on);
    for (const Field& f : l_.fields)
      if (f.required && !values.contains(f.key)) {
        json fb = Fallback(f, on, c);
        if (!fb.is_null()) values[f.key] = fb;
      }
    int64_t subject = l_.household ? c.household_id : c.person_id;
    for (int attempt = 0; attempt < 5; ++attempt) {
      for (const Rule& r : l_.rules)
        if (r.kind == RuleKind::kDisabilityCard && values.contains(r.fields[1]) &&
            values.contains(r.fields[2]))
          values[r.fields[0]] = id_number + values[r.fields[1]].get<std::string>() +
                                values[r.fields[2]].get<std::string>();
      std::vector<FieldProblem> problems;
      auto out = engine.Enrol(l_, subject, values, on, responsible, Actor{}, &problems);
      if (out.ok()) return out->entry_id;
      if (problems.empty()) return int64_t{0};  // e.g. already enrolled: skip this subject
      // Repair what the checks found, as a worker would, and try again.
      for (const FieldProblem& p : problems) {
        const Field* f = l_.FindField(p.field);
        if (!f) continue;
        std::string rule = p.status.Param("rule");
        const Rule* r = nullptr;
        for (const Rule& candidate : l_.rules)
          if (candidate.code == rule) r = &candidate;
        if (r && r->kind == RuleKind::kForbiddenIf) {
          values.erase(p.field);
        } else if (r && r->kind == RuleKind::kDateOrder && values.contains(r->fields[0])) {
          values[p.field] = values[r->fields[0]];
        } else {
          json fb = Fallback(*f, on, c);
          if (fb.is_null() || (values.contains(p.field) && values[p.field] == fb))
            values.erase(p.field);
          else
            values[p.field] = fb;
        }
      }
    }
    return int64_t{0};
  }

 private:
  storage::Db& db_;
  const Ledger& l_;
  std::mt19937_64 rng_;
};

}  // namespace

Result<DemoCounts> GenerateDemoEntries(storage::Db& db, const Catalog& catalog, uint64_t seed,
                                       int64_t responsible) {
  DemoCounts counts;
  ASSIGN_OR_RETURN(const crypto::FieldCipher* cipher, db.Cipher());
  ASSIGN_OR_RETURN(Engine engine, Engine::Create(db, catalog));
  ASSIGN_OR_RETURN(int64_t first_community,
                   db.QueryInt("SELECT min(id) FROM org_units WHERE level = 'community'"));
  ASSIGN_OR_RETURN(
      auto rows,
      db.Query("SELECT id, household_id, community_id, birth_date, gender, address, relation, "
               "id_number FROM persons WHERE status = 'active' ORDER BY id"));
  std::vector<Candidate> persons, heads;
  std::map<int64_t, std::string> ids;
  for (const auto& r : rows) {
    Candidate c{r.Int(0), r.Int(1), r.Int(2), r.Text(3), r.Text(4), r.Text(5)};
    persons.push_back(c);
    if (c.household_id && (r.Text(6) == "02" || r.Text(6) == "01")) heads.push_back(c);
    ASSIGN_OR_RETURN(ids[c.person_id], cipher->Decrypt("id_number", r.Text(7)));
  }
  Date today = Today();
  for (const Ledger& l : catalog.ledgers()) {
    if (l.demo.rate <= 0) continue;
    Generator gen(db, l, seed);
    int64_t n = 0;
    RETURN_IF_ERROR(storage::InTransaction(db, [&]() -> Status {
      for (const Candidate& c : l.household ? heads : persons) {
        int age = AgeOn(c.birth_date, today);
        if (age < l.demo.min_age || age > l.demo.max_age) continue;
        if (!l.demo.sex.empty() && c.gender != l.demo.sex) continue;
        if (gen.Chance() >= l.demo.rate) continue;
        ASSIGN_OR_RETURN(int64_t entry_id,
                         gen.Enrol(engine, c, c.community_id == first_community ? responsible : 0,
                                   ids[c.person_id]));
        if (!entry_id) continue;
        ++n;
        // Follow-ups: mostly on time, one in ten left overdue.
        if (l.schedule.enabled()) {
          for (int guard = 0; guard < 40; ++guard) {
            ASSIGN_OR_RETURN(Entry e, engine.Get(l, entry_id));
            if (e.next_due_on.empty() || e.next_due_on > today.ToString() || gen.Chance() < 0.1)
              break;
            auto due = ParseDateText(e.next_due_on);
            std::string on =
                Date::FromDays(due->date.DaysSinceEpoch() - gen.Uniform(0, 10)).ToString();
            if (on < e.enrolled_on) on = e.enrolled_on;
            if (!e.last_followup_on.empty() && on <= e.last_followup_on) on = e.next_due_on;
            if (on > today.ToString()) on = today.ToString();
            static const char* kMethods[] = {"入户走访", "电话回访", "约见面谈"};
            RETURN_IF_ERROR(
                engine
                    .RecordVisit(l, entry_id, on, kMethods[gen.Uniform(0, 2)], "情况稳定", Actor{})
                    .status());
            ++counts.visits;
          }
        }
        // A week of daily reports, a few missing.
        if (l.daily_report) {
          ASSIGN_OR_RETURN(Entry e, engine.Get(l, entry_id));
          for (int d = 6; d >= 0; --d) {
            std::string on = DaysAgo(d);
            if (on < e.enrolled_on || gen.Chance() < 0.12) continue;
            bool zero = gen.Chance() < 0.85;
            RETURN_IF_ERROR(engine
                                .FileReport(l, entry_id, on, zero,
                                            zero ? "" : "走访了解近况，情绪稳定", Actor{})
                                .status());
            ++counts.reports;
          }
        }
      }
      return Status::Ok();
    }));
    counts.entries[l.key] = n;
  }
  return counts;
}

}  // namespace linli::ledger
