// Create, edit, move, end and merge persons over HTTP, each change and its audit record in one
// transaction (audit::AuditLog::Transact).
#include "http/registry_write.h"

#include "common/code_tables.h"
#include "common/text.h"
#include "common/time_util.h"
#include "http/json_views.h"
#include "http/shape.h"
#include "registry/import.h"
#include "registry/moves.h"
#include "registry/person.h"

namespace linli::http {
namespace {

using nlohmann::json;
using audit::AuditAction;

// The registry columns a form may send: every declared column, as text.
const Shape& PersonShape(bool with_org) {
  static const Shape kCreate = [] {
    Shape s;
    for (const auto& c : registry::RegistryColumns()) s.fields.push_back({c.key, FieldKind::kString, false, 200});
    s.fields.push_back({"org_id", FieldKind::kInteger, true, 0});
    s.fields.push_back({"reason", FieldKind::kString, false, 200});
    return s;
  }();
  static const Shape kEdit = [] {
    Shape s;
    for (const auto& c : registry::RegistryColumns()) s.fields.push_back({c.key, FieldKind::kString, false, 200});
    s.fields.push_back({"reason", FieldKind::kString, true, 200});
    return s;
  }();
  return with_org ? kCreate : kEdit;
}

// The form values as a one-row sheet under the declared labels, through the import's rules.
// Row issues become field errors keyed by column; `reason` is the history reason.
struct FormResult {
  registry::ImportReport report;
  std::vector<FieldError> fields;
};

Result<FormResult> RunForm(storage::Db& db, const org::OrgUnit& community, const std::map<std::string, std::string>& values,
                           const std::string& reason) {
  const auto& cols = registry::RegistryColumns();
  io::Sheet sheet;
  sheet.rows.resize(2);
  for (const auto& c : cols) {
    auto it = values.find(c.key);
    if (it == values.end()) continue;
    sheet.rows[0].push_back({io::CellType::kText, c.label});
    sheet.rows[1].push_back({it->second.empty() ? io::CellType::kEmpty : io::CellType::kText, it->second});
  }
  registry::ImportOptions options;
  options.org_code = community.code;
  options.file_name = reason.empty() ? "网页登记" : reason;
  FormResult out;
  ASSIGN_OR_RETURN(out.report, registry::ImportRegistrySheet(db, sheet, options));
  for (const auto& issue : out.report.errors) {
    std::string key;
    for (const auto& c : cols)
      if (c.label == issue.column) key = c.key;
    out.fields.push_back({key.empty() ? "name" : key, issue.status});
  }
  return out;
}

std::string Text(const json& body, const char* key) {
  return body.contains(key) && body[key].is_string() ? body[key].get<std::string>() : std::string();
}

Status ChangeFailed(std::vector<FieldError>* fields, const std::vector<FieldError>& form_fields) {
  *fields = form_fields;
  return Error(ErrorCode::kHttpInvalidBody);
}

// The stored person as form values (codes as labels), for an edit to overlay.
std::map<std::string, std::string> FormValues(storage::Db& db, const registry::Person& p) {
  std::map<std::string, std::string> v;
  for (const auto& c : registry::RegistryColumns()) {
    if (!registry::IsPersonColumn(c)) continue;
    std::string value = p.fields[c.key];
    if (c.type == registry::ColumnType::kCode && !value.empty()) value = CodeTables::Get().Find(c.code_table)->LabelOf(value);
    v[c.key] = value;
  }
  if (p.household_id) {
    auto n = db.Query("SELECT number FROM households WHERE id = ?", {p.household_id});
    if (n.ok() && !n->empty()) v["household_number"] = n->at(0).Text(0);
  }
  return v;
}

Response CreatePerson(Context& ctx) {
  std::vector<FieldError> fields;
  auto body = ParseBody(ctx.request.body, PersonShape(true), &fields);
  if (!body.ok()) return ErrorResponse(body.status(), fields);
  RequestState& st = State(ctx);
  int64_t org_id = (*body)["org_id"].get<int64_t>();
  auto unit = st.UnitInScope(std::to_string(org_id));
  if (!unit.ok()) return ErrorResponse(unit.status());
  std::map<std::string, std::string> values;
  for (const auto& c : registry::RegistryColumns())
    if (body->contains(c.key)) values[c.key] = (*body)[c.key].get<std::string>();
  org::OrgUnit community = *unit;
  if (unit->level == org::Level::kGrid) {
    auto parent = org::GetOrg(st.db(), unit->parent_id);
    if (!parent.ok()) return ErrorResponse(parent.status());
    community = *parent;
    values["grid"] = unit->name;
  } else if (unit->level != org::Level::kCommunity) {
    Status e = Error(ErrorCode::kOrgNotCommunity, {{"code", unit->code}, {"name", unit->name}});
    return ErrorResponse(e, {{"org_id", e}});
  } else if (st.scope->grid_limited()) {
    return ErrorResponse(st.Denied("组织单位", "org_unit", std::to_string(org_id), "grid_scope"));
  }
  int64_t person_id = 0;
  auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
    ASSIGN_OR_RETURN(FormResult form, RunForm(st.db(), community, values, Text(*body, "reason")));
    if (!form.fields.empty()) return ChangeFailed(&fields, form.fields);
    if (form.report.imported != 1 || form.report.persons.size() != 1)
      return Error(ErrorCode::kConflict, {{"detail", "此人已经登记（同一公民身份号码，或同名同出生日期），请在原记录上修改"}});
    person_id = form.report.persons[0].second;
    ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(st.db()));
    ASSIGN_OR_RETURN(registry::Person p, store->Get(person_id));
    if (!st.scope->Contains(p.community_id, p.grid_id))  // e.g. a grid worker naming another grid
      return ChangeFailed(&fields, {{"grid", NotFound("网格", values["grid"])}});
    audit::AuditEvent e = st.Event(AuditAction::kCreate, "person", std::to_string(person_id), p.community_id);
    e.details = {{"new", PersonJson(p, "")["fields"]}};
    return e;
  });
  if (!record.ok()) return ErrorResponse(record.status(), fields);
  ctx.request.path_params["id"] = std::to_string(person_id);
  auto store = registry::PersonStore::Create(st.db());
  if (!store.ok()) return ErrorResponse(store.status());
  auto p = (*store)->Get(person_id);
  if (!p.ok()) return ErrorResponse(p.status());
  return Data(PersonJson(*p, st.role()), 201);
}

Response EditPerson(Context& ctx) {
  std::vector<FieldError> fields;
  auto body = ParseBody(ctx.request.body, PersonShape(false), &fields);
  if (!body.ok()) return ErrorResponse(body.status(), fields);
  RequestState& st = State(ctx);
  auto before = PersonInScope(st, ctx);
  if (!before.ok()) return ErrorResponse(before.status());
  if (before->status != "active")
    return ErrorResponse(Error(ErrorCode::kPersonEnded, {{"name", before->fields["name"]},
                                                         {"status", before->status == "deceased" ? "死亡" : "迁出"},
                                                         {"action", "修改"}}));
  std::map<std::string, std::string> values = FormValues(st.db(), *before);
  // The identity a row is matched by cannot change through a form (that is a merge or a
  // correction by an administrator); the address changes through a move, with its date.
  std::vector<std::string> fixed = {"address"};
  if (!before->fields["id_number"].empty()) fixed.push_back("id_number");
  else fixed.insert(fixed.end(), {"name", "birth_date", "id_number"});
  for (const auto& c : registry::RegistryColumns()) {
    if (!body->contains(c.key)) continue;
    std::string v = (*body)[c.key].get<std::string>();
    if (std::find(fixed.begin(), fixed.end(), c.key) != fixed.end() && v != values[c.key]) {
      Status e = Error(ErrorCode::kInvalidArgument,
                       {{"detail", c.label + (c.key == "address" ? "请通过“搬迁”登记（需要日期和原因）"
                                                                 : "不能在这里修改；如有错误请合并重复人员或联系社区书记更正")}});
      return ErrorResponse(Error(ErrorCode::kHttpInvalidBody), {{c.key, e}});
    }
    values[c.key] = v;
  }
  std::string reason = Text(*body, "reason");
  json old_fields = PersonJson(*before, "")["fields"];
  auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
    ASSIGN_OR_RETURN(org::OrgUnit community, org::GetOrg(st.db(), before->community_id));
    ASSIGN_OR_RETURN(FormResult form, RunForm(st.db(), community, values, reason));
    if (!form.fields.empty()) return ChangeFailed(&fields, form.fields);
    if (form.report.persons.size() != 1 || form.report.persons[0].second != before->id)
      return Error(ErrorCode::kConflict, {{"detail", "修改后的信息与另一位已登记居民重复"}});
    ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(st.db()));
    ASSIGN_OR_RETURN(registry::Person after, store->Get(before->id));
    if (!st.scope->Contains(after.community_id, after.grid_id))
      return ChangeFailed(&fields, {{"grid", NotFound("网格", values["grid"])}});
    json new_fields = PersonJson(after, "")["fields"];
    json old_changed = json::object(), new_changed = json::object();
    for (auto it = new_fields.begin(); it != new_fields.end(); ++it)
      if (old_fields[it.key()] != it.value()) {
        old_changed[it.key()] = MaskedFor("", it.key(), old_fields[it.key()].is_string() ? old_fields[it.key()].get<std::string>() : old_fields[it.key()].dump());
        new_changed[it.key()] = MaskedFor("", it.key(), it.value().is_string() ? it.value().get<std::string>() : it.value().dump());
      }
    audit::AuditEvent e = st.Event(AuditAction::kUpdate, "person", std::to_string(before->id), before->community_id);
    e.reason = reason;
    e.details = {{"old", old_changed}, {"new", new_changed}};
    return e;
  });
  if (!record.ok()) return ErrorResponse(record.status(), fields);
  auto store = registry::PersonStore::Create(st.db());
  if (!store.ok()) return ErrorResponse(store.status());
  auto p = (*store)->Get(before->id);
  if (!p.ok()) return ErrorResponse(p.status());
  return Data(PersonJson(*p, st.role()));
}

// A move or an end: its own field, an optional date (today when absent) and a reason.
struct DatedChange {
  json body;
  std::string date, reason;
};

Result<DatedChange> ParseDatedChange(Context& ctx, const FieldSpec& own, std::vector<FieldError>* fields) {
  const Shape shape{{own, {"date", FieldKind::kString, false, 20}, {"reason", FieldKind::kString, true, 200}}};
  DatedChange c;
  ASSIGN_OR_RETURN(c.body, ParseBody(ctx.request.body, shape, fields));
  std::string d = Text(c.body, "date");
  if (d.empty()) {
    c.date = Today().ToString();
  } else {
    auto parsed = ParseDateText(d);
    if (!parsed || parsed->partial) {
      fields->push_back({"date", Error(ErrorCode::kBadDate, {{"value", d}})});
      return Error(ErrorCode::kHttpInvalidBody);
    }
    c.date = parsed->date.ToString();
  }
  c.reason = Text(c.body, "reason");
  if (Utf8Chars(NormalizeText(c.reason)).size() < 2) {
    fields->push_back({"reason", Error(ErrorCode::kFieldRequired, {{"field", "原因"}})});
    return Error(ErrorCode::kHttpInvalidBody);
  }
  return c;
}

}  // namespace

Result<registry::Person> PersonInScope(RequestState& st, Context& ctx) {
  std::string raw = ctx.request.path_params["id"];
  auto id = PathId(ctx);
  ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(st.db()));
  auto p = id ? store->Get(*id) : Result<registry::Person>(NotFound("居民", raw));
  if (p.ok() && st.scope->Contains(p->community_id, p->grid_id)) return std::move(*p);
  if (!p.ok() && p.status().code() != ErrorCode::kNotFound) return p.status();
  return st.Denied("居民", "person", raw, p.ok() ? "out_of_scope" : "not_found");
}

void AddRegistryWriteRoutes(App& app, Router& router) {
  app.Add(router, "POST", "/api/v1/persons", CreatePerson);
  app.Add(router, "PATCH", "/api/v1/persons/{id}", EditPerson);
  AddHouseholdWriteRoutes(app, router);

  app.Add(router, "POST", "/api/v1/persons/{id}/moves", [](Context& ctx) {
    std::vector<FieldError> fields;
    auto change = ParseDatedChange(ctx, {"address", FieldKind::kString, true, 200}, &fields);
    if (!change.ok()) return ErrorResponse(change.status(), fields);
    const auto& [body, date, reason] = *change;
    RequestState& st = State(ctx);
    auto p = PersonInScope(st, ctx);
    if (!p.ok()) return ErrorResponse(p.status());
    registry::MoveResult moved;
    auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
      auto r = registry::MovePerson(st.db(), p->id, Text(body, "address"), date, reason);
      if (!r.ok() && r.status().code() == ErrorCode::kImportAddress) {
        fields.push_back({"address", r.status()});
        return Error(ErrorCode::kHttpInvalidBody);
      }
      if (!r.ok()) return r.status();
      moved = *r;
      if (!st.scope->Contains(p->community_id, moved.grid_id))
        return Error(ErrorCode::kInvalidArgument, {{"detail", "新地址不在您负责的网格内，请由社区工作者办理"}});
      audit::AuditEvent e = st.Event(AuditAction::kUpdate, "person", std::to_string(p->id), p->community_id);
      e.reason = reason;
      e.details = {{"event", "moved"}, {"date", date}, {"old", {{"address", moved.old_address}}},
                   {"new", {{"address", moved.new_address}}}};
      return e;
    });
    if (!record.ok()) return ErrorResponse(record.status(), fields);
    return Data({{"id", p->id}, {"address", moved.new_address}, {"room_id", moved.room_id}, {"grid_id", moved.grid_id},
                 {"date", date}});
  });

  app.Add(router, "POST", "/api/v1/persons/{id}/end", [](Context& ctx) {
    std::vector<FieldError> fields;
    auto change = ParseDatedChange(ctx, {"status", FieldKind::kString, true, 20}, &fields);
    if (!change.ok()) return ErrorResponse(change.status(), fields);
    const auto& [body, date, reason] = *change;
    std::string status = Text(body, "status");
    if (status != "moved_out" && status != "deceased") {
      Status e = Error(ErrorCode::kInvalidArgument, {{"detail", "status 只能是 moved_out（迁出）或 deceased（死亡）"}});
      return ErrorResponse(Error(ErrorCode::kHttpInvalidBody), {{"status", e}});
    }
    RequestState& st = State(ctx);
    auto p = PersonInScope(st, ctx);
    if (!p.ok()) return ErrorResponse(p.status());
    auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
      RETURN_IF_ERROR(registry::EndPerson(st.db(), p->id, status, date, reason));
      audit::AuditEvent e = st.Event(AuditAction::kEnd, "person", std::to_string(p->id), p->community_id);
      e.reason = reason;
      e.details = {{"status", status}, {"date", date}};
      return e;
    });
    if (!record.ok()) return ErrorResponse(record.status());
    return Data({{"id", p->id}, {"status", status}, {"date", date}});
  });

  app.Add(router, "POST", "/api/v1/duplicates/merge", [](Context& ctx) {
    static const Shape kShape{{{"kept_id", FieldKind::kInteger, true, 0},
                               {"merged_id", FieldKind::kInteger, true, 0},
                               {"reason", FieldKind::kString, true, 200}}};
    std::vector<FieldError> fields;
    auto body = ParseBody(ctx.request.body, kShape, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    RequestState& st = State(ctx);
    int64_t ids[2] = {(*body)["kept_id"].get<int64_t>(), (*body)["merged_id"].get<int64_t>()};
    std::vector<registry::Person> persons;
    for (int64_t id : ids) {
      ctx.request.path_params["id"] = std::to_string(id);
      auto p = PersonInScope(st, ctx);
      if (!p.ok()) return ErrorResponse(p.status());
      persons.push_back(std::move(*p));
    }
    std::string reason = Text(*body, "reason");
    auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
      RETURN_IF_ERROR(registry::MergePersons(st.db(), ids[0], ids[1], reason));
      audit::AuditEvent e = st.Event(AuditAction::kMerge, "person", std::to_string(ids[0]), persons[0].community_id);
      e.reason = reason;
      e.details = {{"kept_id", ids[0]}, {"merged_id", ids[1]}};
      return e;
    });
    if (!record.ok()) return ErrorResponse(record.status());
    return Data({{"kept_id", ids[0]}, {"merged_id", ids[1]}});
  });
}

}  // namespace linli::http
