// Editing a household over HTTP: its address (every member moves with a date and a reason), its
// head, and its members with their relation to the head. Each change and its audit record commit
// in one transaction (audit::AuditLog::Transact); a household outside the caller's scope answers
// like a missing one, and the denial is audited.
#include <algorithm>

#include "common/code_tables.h"
#include "common/text.h"
#include "common/time_util.h"
#include "http/registry_write.h"
#include "http/shape.h"
#include "registry/moves.h"
#include "registry/person.h"

namespace linli::http {
namespace {

using audit::AuditAction;
using nlohmann::json;

constexpr const char* kHeadRelation = "02";  // 户主 (GB/T 4761)

struct Household {
  int64_t id = 0, community_id = 0, room_id = 0, head_person_id = 0;
  std::string number, address;
  std::vector<registry::Person> members;  // active members
};

Result<Household> LoadHousehold(storage::Db& db, int64_t id) {
  ASSIGN_OR_RETURN(auto rows,
                   db.Query("SELECT h.id, h.community_id, h.number, h.room_id, h.head_person_id, "
                            "(SELECT address FROM places WHERE id = h.room_id) FROM households h "
                            "WHERE h.id = ? AND h.ended_on IS NULL",
                            {id}));
  if (rows.empty()) return NotFound("户", std::to_string(id));
  const auto& r = rows[0];
  Household h{r.Int(0), r.Int(1), r.Int(3), r.Int(4), r.Text(2), r.Text(5), {}};
  ASSIGN_OR_RETURN(
      auto ids,
      db.Query("SELECT id FROM persons WHERE household_id = ? AND status = 'active' ORDER BY id",
               {id}));
  ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(db));
  for (const auto& row : ids) {
    ASSIGN_OR_RETURN(registry::Person p, store->Get(row.Int(0)));
    h.members.push_back(std::move(p));
  }
  return h;
}

// The household of the path's {id} when the caller may change it: it exists, is not ended, and
// every active member is in the caller's scope (a grid worker does not change a household that
// reaches into another grid); an empty household by its room's grid.
Result<Household> HouseholdInScope(RequestState& st, Context& ctx) {
  std::string raw = ctx.request.path_params["id"];
  auto id = PathId(ctx);
  auto h = id ? LoadHousehold(st.db(), *id) : Result<Household>(NotFound("户", raw));
  if (!h.ok() && h.status().code() != ErrorCode::kNotFound) return h.status();
  if (!h.ok()) return st.Denied("户", "household", raw, "not_found");
  bool in_scope = true;
  if (h->members.empty()) {
    ASSIGN_OR_RETURN(int64_t grid,
                     st.db().QueryInt("SELECT grid_id FROM places WHERE id = ?", {h->room_id}));
    in_scope = st.scope->Contains(h->community_id, grid);
  }
  for (const auto& m : h->members)
    in_scope = in_scope && st.scope->Contains(m.community_id, m.grid_id);
  if (!in_scope) return st.Denied("户", "household", raw, "out_of_scope");
  return std::move(*h);
}

std::string Text(const json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
}

// A reason of at least two characters, as for moves and ends.
bool ReasonGiven(const std::string& reason, std::vector<FieldError>* fields) {
  if (Utf8Chars(NormalizeText(reason)).size() >= 2) return true;
  fields->push_back({"reason", Error(ErrorCode::kFieldRequired, {{"field", "原因"}})});
  return false;
}

// A relation given as its code or its label (配偶, 妻, 儿子 …); "" when unknown.
std::string RelationCode(const std::string& text) {
  const CodeItem* item = CodeTables::Get().Find("relation")->Find(NormalizeText(text));
  return item ? item->code : "";
}

std::string RelationLabelOf(const std::string& code) {
  return code.empty() ? "" : CodeTables::Get().Find("relation")->LabelOf(code);
}

Status InvalidField(std::vector<FieldError>* fields, const std::string& field,
                    const std::string& detail) {
  fields->push_back({field, Error(ErrorCode::kInvalidArgument, {{"detail", detail}})});
  return Error(ErrorCode::kHttpInvalidBody);
}

const registry::Person* Member(const Household& h, int64_t person_id) {
  for (const auto& m : h.members)
    if (m.id == person_id) return &m;
  return nullptr;
}

json HouseholdJson(const Household& h) {
  return {{"id", h.id},           {"community_id", h.community_id},     {"number", h.number},
          {"room_id", h.room_id}, {"head_person_id", h.head_person_id}, {"address", h.address}};
}

// Sets a person's household and relation, recording both in their history.
Status SetMembership(storage::Db& db, const registry::Person& before, int64_t household_id,
                     const std::string& relation, const std::string& reason) {
  ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(db));
  registry::Person after = before;
  after.household_id = household_id;
  after.fields["relation"] = relation;
  return store->Update(before, after, reason, 0).status();
}

// PATCH /api/v1/households/{id}: {address?, head_person_id?, former_head_relation?, date?, reason}.
Response EditHousehold(Context& ctx) {
  static const Shape kShape{{{"address", FieldKind::kString, false, 200},
                             {"head_person_id", FieldKind::kInteger, false, 0},
                             {"former_head_relation", FieldKind::kString, false, 40},
                             {"date", FieldKind::kString, false, 20},
                             {"reason", FieldKind::kString, true, 200}}};
  std::vector<FieldError> fields;
  auto body = ParseBody(ctx.request.body, kShape, &fields);
  if (!body.ok()) return ErrorResponse(body.status(), fields);
  std::string reason = Text(*body, "reason"), address = NormalizeText(Text(*body, "address"));
  if (!ReasonGiven(reason, &fields))
    return ErrorResponse(Error(ErrorCode::kHttpInvalidBody), fields);
  std::string date = Today().ToString();
  if (!Text(*body, "date").empty()) {
    auto parsed = ParseDateText(Text(*body, "date"));
    if (!parsed || parsed->partial) {
      fields.push_back({"date", Error(ErrorCode::kBadDate, {{"value", Text(*body, "date")}})});
      return ErrorResponse(Error(ErrorCode::kHttpInvalidBody), fields);
    }
    date = parsed->date.ToString();
  }
  RequestState& st = State(ctx);
  auto h = HouseholdInScope(st, ctx);
  if (!h.ok()) return ErrorResponse(h.status());
  int64_t new_head =
      body->contains("head_person_id") ? (*body)["head_person_id"].get<int64_t>() : 0;
  std::string former_relation;
  if (new_head && new_head != h->head_person_id) {
    if (!Member(*h, new_head))
      return ErrorResponse(InvalidField(&fields, "head_person_id", "新户主必须是本户在册成员"),
                           fields);
    std::string text = Text(*body, "former_head_relation");
    former_relation = text.empty() ? "" : RelationCode(text);
    if ((!text.empty() && former_relation.empty()) || former_relation == kHeadRelation)
      return ErrorResponse(
          InvalidField(&fields, "former_head_relation", "原户主与新户主的关系无法识别：" + text),
          fields);
  } else {
    new_head = 0;
  }
  if (address.empty() && !new_head)
    return ErrorResponse(InvalidField(&fields, "address", "请填写新地址或选择新户主"), fields);
  if (!address.empty() && h->members.empty())
    return ErrorResponse(InvalidField(&fields, "address", "本户没有在册成员，无法搬迁"), fields);
  Household out = *h;
  auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
    json old_values = json::object(), new_values = json::object();
    if (!address.empty()) {
      // The household moves: every active member moves on the date, the household follows the room.
      registry::MoveResult moved;
      for (const auto& m : h->members) {
        auto r = registry::MovePerson(st.db(), m.id, address, date, reason);
        if (!r.ok() && r.status().code() == ErrorCode::kImportAddress) {
          fields.push_back({"address", r.status()});
          return Error(ErrorCode::kHttpInvalidBody);
        }
        if (!r.ok()) return r.status();
        moved = *r;
        if (!st.scope->Contains(m.community_id, moved.grid_id))
          return InvalidField(&fields, "address", "新地址不在您负责的网格内，请由社区工作者办理");
      }
      RETURN_IF_ERROR(
          st.db().Exec("UPDATE households SET room_id = ? WHERE id = ?", {moved.room_id, h->id}));
      old_values["address"] = h->address;
      new_values["address"] = moved.new_address;
      out.room_id = moved.room_id;
      out.address = moved.new_address;
    }
    if (new_head) {
      // The new head's relation becomes 户主; the former head's is the one given (or left empty).
      ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(st.db()));
      for (int64_t pid : {h->head_person_id, new_head}) {
        if (!pid) continue;
        auto current = store->Get(pid);
        if (!current.ok() && current.status().code() == ErrorCode::kNotFound) continue;
        if (!current.ok()) return current.status();
        if (current->household_id != h->id || current->status != "active") continue;
        std::string relation = pid == new_head ? kHeadRelation : former_relation;
        RETURN_IF_ERROR(SetMembership(st.db(), *current, h->id, relation, reason));
      }
      RETURN_IF_ERROR(
          st.db().Exec("UPDATE households SET head_person_id = ? WHERE id = ?", {new_head, h->id}));
      old_values["head_person_id"] = h->head_person_id;
      new_values["head_person_id"] = new_head;
      out.head_person_id = new_head;
    }
    audit::AuditEvent e =
        st.Event(AuditAction::kUpdate, "household", std::to_string(h->id), h->community_id);
    e.reason = reason;
    e.details = {{"old", old_values}, {"new", new_values}, {"date", date}};
    return e;
  });
  if (!record.ok()) return ErrorResponse(record.status(), fields);
  return Data(HouseholdJson(out));
}

// POST /api/v1/households/{id}/members: {person_id, relation, reason} adds a resident of the
// caller's scope to the household, or changes a member's relation.
Response AddMember(Context& ctx) {
  static const Shape kShape{{{"person_id", FieldKind::kInteger, true, 0},
                             {"relation", FieldKind::kString, true, 40},
                             {"reason", FieldKind::kString, true, 200}}};
  std::vector<FieldError> fields;
  auto body = ParseBody(ctx.request.body, kShape, &fields);
  if (!body.ok()) return ErrorResponse(body.status(), fields);
  std::string reason = Text(*body, "reason");
  if (!ReasonGiven(reason, &fields))
    return ErrorResponse(Error(ErrorCode::kHttpInvalidBody), fields);
  RequestState& st = State(ctx);
  auto h = HouseholdInScope(st, ctx);
  if (!h.ok()) return ErrorResponse(h.status());
  ctx.request.path_params["id"] = std::to_string((*body)["person_id"].get<int64_t>());
  auto p = PersonInScope(st, ctx);
  if (!p.ok()) return ErrorResponse(p.status());
  std::string relation = RelationCode(Text(*body, "relation"));
  if (relation.empty())
    return ErrorResponse(
        InvalidField(&fields, "relation", "与户主关系无法识别：" + Text(*body, "relation")),
        fields);
  if (p->status != "active")
    return ErrorResponse(
        Error(ErrorCode::kPersonEnded, {{"name", p->fields["name"]},
                                        {"status", p->status == "deceased" ? "死亡" : "迁出"},
                                        {"action", "入户"}}));
  if (relation == kHeadRelation && p->id != h->head_person_id)
    return ErrorResponse(InvalidField(&fields, "relation", "本户已有户主；更换户主请用“更换户主”"),
                         fields);
  if (p->id == h->head_person_id && relation != kHeadRelation)
    return ErrorResponse(InvalidField(&fields, "relation", "户主的关系是“户主”；请先更换户主"),
                         fields);
  if (p->community_id != h->community_id)
    return ErrorResponse(InvalidField(&fields, "person_id", "此人不在本户所在社区登记"), fields);
  if (p->household_id && p->household_id != h->id) {
    auto heads = st.db().QueryInt(
        "SELECT count(*) FROM households h WHERE h.id = ? AND h.head_person_id = ? AND "
        "EXISTS (SELECT 1 FROM persons m WHERE m.household_id = h.id AND m.id <> ? AND "
        "m.status = 'active')",
        {p->household_id, p->id, p->id});
    if (!heads.ok()) return ErrorResponse(heads.status());
    if (*heads)
      return ErrorResponse(
          InvalidField(&fields, "person_id", "此人是另一户的户主，请先在原户更换户主"), fields);
  }
  std::string old_relation = p->fields["relation"];
  int64_t old_household = p->household_id;
  auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
    RETURN_IF_ERROR(SetMembership(st.db(), *p, h->id, relation, reason));
    if (old_household && old_household != h->id)
      RETURN_IF_ERROR(st.db().Exec(
          "UPDATE households SET head_person_id = NULL WHERE id = ? AND head_person_id = ?",
          {old_household, p->id}));
    audit::AuditEvent e =
        st.Event(AuditAction::kUpdate, "household", std::to_string(h->id), h->community_id);
    e.reason = reason;
    e.details = {
        {"person_id", p->id},
        {"old", {{"household_id", old_household}, {"relation", RelationLabelOf(old_relation)}}},
        {"new", {{"household_id", h->id}, {"relation", RelationLabelOf(relation)}}}};
    return e;
  });
  if (!record.ok()) return ErrorResponse(record.status(), fields);
  return Data({{"household_id", h->id},
               {"person_id", p->id},
               {"relation", relation},
               {"relation_label", RelationLabelOf(relation)}});
}

// DELETE /api/v1/households/{id}/members/{person_id}: {reason}. The person stays registered,
// without a household; the head leaves only as the last member (else change the head first).
Response RemoveMember(Context& ctx) {
  static const Shape kShape{{{"reason", FieldKind::kString, true, 200}}};
  std::vector<FieldError> fields;
  auto body = ParseBody(ctx.request.body, kShape, &fields);
  if (!body.ok()) return ErrorResponse(body.status(), fields);
  std::string reason = Text(*body, "reason");
  if (!ReasonGiven(reason, &fields))
    return ErrorResponse(Error(ErrorCode::kHttpInvalidBody), fields);
  RequestState& st = State(ctx);
  auto h = HouseholdInScope(st, ctx);
  if (!h.ok()) return ErrorResponse(h.status());
  std::string raw = ctx.request.path_params["person_id"];
  auto pid = PathId(ctx, "person_id");
  const registry::Person* m = pid ? Member(*h, *pid) : nullptr;
  if (!m) return ErrorResponse(st.Denied("本户成员", "person", raw, "not_a_member"));
  if (m->id == h->head_person_id && h->members.size() > 1)
    return ErrorResponse(InvalidField(&fields, "person_id", "户主不能移出；请先更换户主"), fields);
  auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
    RETURN_IF_ERROR(SetMembership(st.db(), *m, 0, "", reason));
    if (m->id == h->head_person_id)
      RETURN_IF_ERROR(
          st.db().Exec("UPDATE households SET head_person_id = NULL WHERE id = ?", {h->id}));
    audit::AuditEvent e =
        st.Event(AuditAction::kUpdate, "household", std::to_string(h->id), h->community_id);
    e.reason = reason;
    e.details = {
        {"person_id", m->id},
        {"old", {{"household_id", h->id}, {"relation", RelationLabelOf(m->fields["relation"])}}},
        {"new", {{"household_id", 0}}}};
    return e;
  });
  if (!record.ok()) return ErrorResponse(record.status(), fields);
  return Data({{"household_id", h->id}, {"person_id", m->id}, {"removed", true}});
}

}  // namespace

void AddHouseholdWriteRoutes(App& app, Router& router) {
  app.Add(router, "PATCH", "/api/v1/households/{id}", EditHousehold);
  app.Add(router, "POST", "/api/v1/households/{id}/members", AddMember);
  app.Add(router, "DELETE", "/api/v1/households/{id}/members/{person_id}", RemoveMember);
}

}  // namespace linli::http
