// The registry over HTTP: org units, places, persons (list, search, detail, create, edit, reveal,
// moves, ends), households and duplicates. Every handler works inside the caller's scope; records
// outside it answer like missing ones. Every response carrying personal data is audited first.
#include <algorithm>

#include "common/code_tables.h"
#include "common/text.h"
#include "common/time_util.h"
#include "http/json_views.h"
#include "http/registry_write.h"
#include "http/shape.h"
#include "registry/moves.h"
#include "registry/stats.h"

namespace linli::http {
namespace {

using nlohmann::json;
using audit::AuditAction;

// The persons the request may see, narrowed to the `org_id` query parameter when given.
struct Narrowed {
  std::vector<int64_t> communities;
  std::vector<int64_t> grids;  // empty: every grid of those communities
  int64_t org_id = 0;
  bool Contains(int64_t community_id, int64_t grid_id) const {
    return std::find(communities.begin(), communities.end(), community_id) != communities.end() &&
           (grids.empty() || std::find(grids.begin(), grids.end(), grid_id) != grids.end());
  }
};

Result<Narrowed> Narrow(RequestState& st, const Request& req) {
  const access::Scope& scope = *st.scope;
  org::OrgUnit unit = scope.root();
  auto it = req.query.find("org_id");
  if (it != req.query.end() && !it->second.empty()) {
    ASSIGN_OR_RETURN(unit, st.UnitInScope(it->second));
  }
  Narrowed n;
  n.org_id = unit.id;
  n.communities = scope.CommunitiesUnder(unit.id);
  if (unit.level == org::Level::kGrid) n.grids = {unit.id};
  else n.grids.assign(scope.grid_ids().begin(), scope.grid_ids().end());
  return n;
}

// "community_id IN (…) AND grid_id IN (…)" for `alias`.
std::string ScopeWhere(const Narrowed& n, storage::Params& params, const std::string& alias = "") {
  std::string w = alias + "community_id IN (" + storage::InList(n.communities, params) + ")";
  if (!n.grids.empty()) w += " AND " + alias + "grid_id IN (" + storage::InList(n.grids, params) + ")";
  return w;
}

Result<std::vector<registry::Person>> LoadPersons(storage::Db& db, const std::vector<int64_t>& ids) {
  ASSIGN_OR_RETURN(auto store, registry::PersonStore::Create(db));
  std::vector<registry::Person> out;
  out.reserve(ids.size());
  for (int64_t id : ids) {
    ASSIGN_OR_RETURN(registry::Person p, store->Get(id));
    out.push_back(std::move(p));
  }
  return out;
}

// Audits a read of the listed persons (masked), then returns `response`.
Response AuditedRead(RequestState& st, AuditAction action, const std::string& target_type,
                     const std::string& target_id, int64_t org_id, const std::vector<int64_t>& person_ids,
                     json details, Response response) {
  audit::AuditEvent e = st.Event(action, target_type, target_id, org_id);
  details["person_ids"] = person_ids;
  details["count"] = person_ids.size();
  e.details = std::move(details);
  Status s = st.Audit(e);
  if (!s.ok()) return ErrorResponse(s);
  return response;
}

// What the audit may keep of a search text: digits (ID or phone fragments) masked.
std::string AuditableQuery(const std::string& q) {
  std::string digits;
  for (char c : q)
    if (c >= '0' && c <= '9') digits += c;
  if (digits.size() >= 7) return "数字" + std::to_string(digits.size()) + "位：" + digits.substr(0, 2) + "…";
  return q;
}

json EventsJson(const std::vector<registry::PersonEvent>& events, const std::string& role) {
  json arr = json::array();
  for (const auto& e : events)
    arr.push_back({{"event", e.event},
                   {"date", e.on_date},
                   {"field", e.field},
                   {"old", MaskedFor(role, e.field, e.old_value)},
                   {"new", MaskedFor(role, e.field, e.new_value)},
                   {"reason", e.reason},
                   {"recorded_at", e.recorded_at}});
  return arr;
}

Result<std::vector<int64_t>> HouseholdMemberIds(storage::Db& db, int64_t household_id) {
  ASSIGN_OR_RETURN(auto rows, db.Query("SELECT id FROM persons WHERE household_id = ? AND status <> 'merged' ORDER BY id",
                                       {household_id}));
  std::vector<int64_t> ids;
  for (const auto& r : rows) ids.push_back(r.Int(0));
  return ids;
}

std::string RelationLabel(const registry::Person& m) {
  const std::string& code = m.fields["relation"];
  return code.empty() ? "" : CodeTables::Get().Find("relation")->LabelOf(code);
}

json MemberJson(const registry::Person& m) {
  return {{"id", m.id},
          {"name", m.fields["name"]},
          {"relation", RelationLabel(m)},
          {"gender", m.fields["gender"]},
          {"birth_date", m.fields["birth_date"]},
          {"status", m.status}};
}

Response PlaceList(Context& ctx) {
  RequestState& st = State(ctx);
  int64_t limit = 0, offset = 0;
  Status s = ParsePaging(ctx.request, 200, 1000, &limit, &offset);
  if (!s.ok()) return ErrorResponse(s);
  auto narrowed = Narrow(st, ctx.request);
  if (!narrowed.ok()) return ErrorResponse(narrowed.status());
  storage::Params params;
  std::string where = "p.community_id IN (" + storage::InList(narrowed->communities, params) + ")";
  auto parent = ctx.request.query.find("parent_id");
  if (parent != ctx.request.query.end() && !parent->second.empty()) {
    where += " AND p.parent_id = ?";
    params.push_back(static_cast<int64_t>(std::atoll(parent->second.c_str())));
  } else {
    where += " AND p.kind = 'estate'";
  }
  if (!narrowed->grids.empty()) {
    // A grid scope sees the places of its grids and the estates that hold them.
    std::string grids = storage::InList(narrowed->grids, params);
    std::string grids2 = storage::InList(narrowed->grids, params);
    where += " AND (p.grid_id IN (" + grids + ") OR (p.kind = 'estate' AND EXISTS (SELECT 1 FROM places b WHERE "
             "b.parent_id = p.id AND b.grid_id IN (" + grids2 + "))))";
  }
  auto total = st.db().QueryInt("SELECT count(*) FROM places p WHERE " + where, params);
  if (!total.ok()) return ErrorResponse(total.status());
  storage::Params page_params = params;
  page_params.push_back(limit);
  page_params.push_back(offset);
  auto rows = st.db().Query(
      "SELECT p.id, p.kind, p.name, p.address, p.grid_id, p.occupancy, p.parent_id, "
      "(SELECT count(*) FROM places c WHERE c.parent_id = p.id), "
      "(SELECT count(*) FROM persons o WHERE o.room_id = p.id AND o.status = 'active') "
      "FROM places p WHERE " + where + " ORDER BY length(p.name), p.name, p.id LIMIT ? OFFSET ?",
      page_params);
  if (!rows.ok()) return ErrorResponse(rows.status());
  json items = json::array();
  for (const auto& r : *rows)
    items.push_back({{"id", r.Int(0)},
                     {"kind", r.Text(1)},
                     {"name", r.Text(2)},
                     {"address", r.Text(3)},
                     {"grid_id", r.Int(4)},
                     {"occupancy", r.Text(5)},
                     {"parent_id", r.Int(6)},
                     {"children", r.Int(7)},
                     {"occupants", r.Int(8)}});
  return Page(items, limit, offset, *total);
}

Response PlaceDetail(Context& ctx) {
  RequestState& st = State(ctx);
  auto id = PathId(ctx);
  std::string raw = ctx.request.path_params["id"];
  auto rows = id ? st.db().Query("SELECT id, kind, name, address, grid_id, occupancy, parent_id, community_id FROM places "
                                 "WHERE id = ?", {*id})
                 : Result<std::vector<storage::Row>>(std::vector<storage::Row>{});
  if (!rows.ok()) return ErrorResponse(rows.status());
  if (rows->empty() || !st.scope->Contains(rows->at(0).Int(7), rows->at(0).Int(4))) {
    // An estate of a grid scope has no grid; it is visible when a building of it is.
    bool visible = false;
    if (!rows->empty() && st.scope->grid_limited() && rows->at(0).Text(1) == "estate") {
      for (int64_t g : st.scope->grid_ids()) {
        auto n = st.db().QueryInt("SELECT count(*) FROM places WHERE parent_id = ? AND grid_id = ?", {*id, g});
        if (n.ok() && *n > 0) visible = st.scope->Contains(rows->at(0).Int(7), g);
      }
    }
    if (!visible) return ErrorResponse(st.Denied("房屋", "place", raw, rows->empty() ? "not_found" : "out_of_scope"));
  }
  const auto& r = rows->at(0);
  json place = {{"id", r.Int(0)},      {"kind", r.Text(1)},      {"name", r.Text(2)},      {"address", r.Text(3)},
                {"grid_id", r.Int(4)}, {"occupancy", r.Text(5)}, {"parent_id", r.Int(6)}, {"community_id", r.Int(7)}};
  auto occ = st.db().Query("SELECT id FROM persons WHERE room_id = ? AND status = 'active' ORDER BY id", {*id});
  if (!occ.ok()) return ErrorResponse(occ.status());
  std::vector<int64_t> ids;
  for (const auto& o : *occ) ids.push_back(o.Int(0));
  auto persons = LoadPersons(st.db(), ids);
  if (!persons.ok()) return ErrorResponse(persons.status());
  json occupants = json::array();
  for (const auto& p : *persons) occupants.push_back(PersonJson(p, st.role()));
  place["occupants"] = occupants;
  if (ids.empty()) return Data(place);
  return AuditedRead(st, AuditAction::kRead, "place", std::to_string(*id), r.Int(7), ids, json::object(), Data(place));
}

}  // namespace

void AddRegistryRoutes(App& app, Router& router) {
  app.Add(router, "GET", "/api/v1/org_units", [](Context& ctx) {
    RequestState& st = State(ctx);
    json items = json::array();
    for (const auto& u : st.scope->units()) items.push_back(OrgJson(u));
    return Data(items);
  });

  app.Add(router, "GET", "/api/v1/org_units/{id}", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto unit = st.UnitInScope(ctx.request.path_params["id"]);
    if (!unit.ok()) return ErrorResponse(unit.status());
    json j = OrgJson(*unit);
    json children = json::array();
    for (const auto& u : st.scope->units())
      if (u.parent_id == unit->id) children.push_back(OrgJson(u));
    j["children"] = children;
    return Data(j);
  });

  app.Add(router, "GET", "/api/v1/org_units/{id}/stats", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto unit = st.UnitInScope(ctx.request.path_params["id"]);
    if (!unit.ok()) return ErrorResponse(unit.status());
    std::vector<int64_t> grids;
    if (unit->level == org::Level::kGrid) grids = {unit->id};
    auto stats = registry::ComputeStats(st.db(), st.scope->CommunitiesUnder(unit->id), Today(), grids);
    if (!stats.ok()) return ErrorResponse(stats.status());
    json j = registry::StatsToJson(*stats);
    j["org"] = OrgJson(*unit);
    return Data(j);
  });

  // The latest registry changes (registrations, edits, moves, ends, merges) of persons in the unit,
  // newest first: who, what and when — values are on the person's page.
  app.Add(router, "GET", "/api/v1/org_units/{id}/changes", [](Context& ctx) {
    RequestState& st = State(ctx);
    int64_t limit = 0, offset = 0;
    Status s = ParsePaging(ctx.request, 20, 100, &limit, &offset);
    if (!s.ok()) return ErrorResponse(s);
    ctx.request.query["org_id"] = ctx.request.path_params["id"];
    auto narrowed = Narrow(st, ctx.request);
    if (!narrowed.ok()) return ErrorResponse(narrowed.status());
    storage::Params params;
    std::string where = ScopeWhere(*narrowed, params, "p.");
    params.push_back(limit);
    params.push_back(offset);
    auto rows = st.db().Query(
        "SELECT e.id, e.person_id, p.name, e.event, e.on_date, e.field, e.reason, e.recorded_at, p.grid_id "
        "FROM person_events e JOIN persons p ON p.id = e.person_id WHERE " + where +
            " ORDER BY e.id DESC LIMIT ? OFFSET ?",
        params);
    if (!rows.ok()) return ErrorResponse(rows.status());
    json items = json::array();
    std::vector<int64_t> ids;
    for (const auto& r : *rows) {
      items.push_back({{"id", r.Int(0)},
                       {"person_id", r.Int(1)},
                       {"name", r.Text(2)},
                       {"event", r.Text(3)},
                       {"date", r.Text(4)},
                       {"field", r.Text(5)},
                       {"reason", r.Text(6)},
                       {"recorded_at", r.Text(7)},
                       {"grid_id", r.Int(8)}});
      if (std::find(ids.begin(), ids.end(), r.Int(1)) == ids.end()) ids.push_back(r.Int(1));
    }
    return AuditedRead(st, AuditAction::kRead, "changes", ctx.request.path_params["id"], narrowed->org_id, ids,
                       {{"limit", limit}, {"offset", offset}}, Data(items));
  });

  app.Add(router, "GET", "/api/v1/places", PlaceList);
  app.Add(router, "GET", "/api/v1/places/{id}", PlaceDetail);

  app.Add(router, "GET", "/api/v1/persons", [](Context& ctx) {
    RequestState& st = State(ctx);
    int64_t limit = 0, offset = 0;
    Status s = ParsePaging(ctx.request, 20, 200, &limit, &offset);
    if (!s.ok()) return ErrorResponse(s);
    auto narrowed = Narrow(st, ctx.request);
    if (!narrowed.ok()) return ErrorResponse(narrowed.status());
    storage::Params params;
    std::string where = ScopeWhere(*narrowed, params);
    std::string status = ctx.request.query.count("status") ? ctx.request.query.at("status") : "active";
    if (status != "all") {
      where += " AND status = ?";
      params.push_back(status);
    }
    auto total = st.db().QueryInt("SELECT count(*) FROM persons WHERE " + where, params);
    if (!total.ok()) return ErrorResponse(total.status());
    params.push_back(limit);
    params.push_back(offset);
    auto rows = st.db().Query("SELECT id FROM persons WHERE " + where + " ORDER BY name, id LIMIT ? OFFSET ?", params);
    if (!rows.ok()) return ErrorResponse(rows.status());
    std::vector<int64_t> ids;
    for (const auto& r : *rows) ids.push_back(r.Int(0));
    auto persons = LoadPersons(st.db(), ids);
    if (!persons.ok()) return ErrorResponse(persons.status());
    json items = json::array();
    for (const auto& p : *persons) items.push_back(PersonJson(p, st.role()));
    return AuditedRead(st, AuditAction::kRead, "person_list", "", narrowed->org_id, ids,
                       {{"limit", limit}, {"offset", offset}, {"status", status}}, Page(items, limit, offset, *total));
  });

  app.Add(router, "GET", "/api/v1/persons/search", [](Context& ctx) {
    RequestState& st = State(ctx);
    std::string q = ctx.request.query.count("q") ? ctx.request.query.at("q") : "";
    if (Utf8Chars(q).empty() || q.size() > 200)
      return ErrorResponse(Error(ErrorCode::kFieldRequired, {{"field", "q"}}), {{"q", Error(ErrorCode::kFieldRequired, {{"field", "q"}})}});
    int64_t limit = 0, offset = 0;
    Status s = ParsePaging(ctx.request, 20, 100, &limit, &offset);
    if (!s.ok()) return ErrorResponse(s);
    auto narrowed = Narrow(st, ctx.request);
    if (!narrowed.ok()) return ErrorResponse(narrowed.status());
    registry::SearchQuery query;
    query.text = q;
    query.community_ids = narrowed->communities;
    query.grid_ids = narrowed->grids;
    query.limit = static_cast<int>(limit);
    query.index_order = true;  // the web UI searches as the user types (search.h)
    query.include_ended = ctx.request.query.count("include_ended") && ctx.request.query.at("include_ended") == "true";
    auto hits = registry::SearchPersons(st.db(), query);
    if (!hits.ok()) return ErrorResponse(hits.status());
    json items = json::array();
    std::vector<int64_t> ids;
    for (const auto& h : *hits) {
      items.push_back(HitJson(h, st.role()));
      ids.push_back(h.person_id);
    }
    return AuditedRead(st, AuditAction::kSearch, "person", "", narrowed->org_id, ids,
                       {{"query", AuditableQuery(q)}}, Data(items));
  });

  app.Add(router, "GET", "/api/v1/persons/{id}", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto p = PersonInScope(st, ctx);
    if (!p.ok()) return ErrorResponse(p.status());
    json j = PersonJson(*p, st.role());
    auto store = registry::PersonStore::Create(st.db());
    if (!store.ok()) return ErrorResponse(store.status());
    auto history = (*store)->History(p->id);
    if (!history.ok()) return ErrorResponse(history.status());
    j["history"] = EventsJson(*history, st.role());
    std::vector<int64_t> read = {p->id};
    json members = json::array();
    if (p->household_id) {
      auto ids = HouseholdMemberIds(st.db(), p->household_id);
      if (!ids.ok()) return ErrorResponse(ids.status());
      auto persons = LoadPersons(st.db(), *ids);
      if (!persons.ok()) return ErrorResponse(persons.status());
      for (const auto& m : *persons) members.push_back(MemberJson(m));
    }
    j["household"] = {{"id", p->household_id}, {"members", members}};
    if (p->room_id) {
      auto room = st.db().Query("SELECT address, occupancy FROM places WHERE id = ?", {p->room_id});
      if (room.ok() && !room->empty()) j["room"] = {{"id", p->room_id}, {"address", room->at(0).Text(0)}, {"occupancy", room->at(0).Text(1)}};
    }
    return AuditedRead(st, AuditAction::kRead, "person", std::to_string(p->id), p->community_id, read,
                       {{"masked_fields", j["masked_fields"]}}, Data(j));
  });

  app.Add(router, "POST", "/api/v1/persons/{id}/reveal", [](Context& ctx) {
    static const Shape kShape{{{"field", FieldKind::kString, true, 40}, {"reason", FieldKind::kString, true, 200}}};
    std::vector<FieldError> fields;
    auto body = ParseBody(ctx.request.body, kShape, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    RequestState& st = State(ctx);
    std::string field = (*body)["field"].get<std::string>();
    std::string reason = (*body)["reason"].get<std::string>();
    const access::SensitiveField* sf = access::Policy::Get().FindSensitive(field);
    if (!sf) {
      std::string list;
      for (const auto& f : access::Policy::Get().sensitive_fields()) list += (list.empty() ? "" : "、") + f.field;
      Status e = Error(ErrorCode::kFieldNotRevealable, {{"field", field}, {"fields", list}});
      return ErrorResponse(e, {{"field", e}});
    }
    auto trimmed = Utf8Chars(NormalizeText(reason));
    if (trimmed.size() < 4) {
      Status e = Error(ErrorCode::kRevealReasonRequired, {{"field", sf->label}, {"min", "4"}});
      return ErrorResponse(e, {{"reason", e}});
    }
    auto p = PersonInScope(st, ctx);
    if (!p.ok()) return ErrorResponse(p.status());
    const std::string& value = p->fields[field];
    audit::AuditEvent e = st.Event(AuditAction::kReveal, "person", std::to_string(p->id), p->community_id);
    e.reason = reason;
    e.details = {{"field", field}, {"value_digest", st.store->audit->ValueDigest(value)}};
    Status s = st.Audit(e);
    if (!s.ok()) return ErrorResponse(s);
    return Data({{"field", field}, {"value", value}});
  });

  AddRegistryWriteRoutes(app, router);

  app.Add(router, "GET", "/api/v1/households/{id}", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto id = PathId(ctx);
    std::string raw = ctx.request.path_params["id"];
    auto rows = id ? st.db().Query("SELECT h.id, h.community_id, h.number, h.room_id, h.head_person_id, "
                                   "(SELECT address FROM places WHERE id = h.room_id) FROM households h WHERE h.id = ?",
                                   {*id})
                   : Result<std::vector<storage::Row>>(std::vector<storage::Row>{});
    if (!rows.ok()) return ErrorResponse(rows.status());
    std::vector<registry::Person> members;
    if (!rows->empty()) {
      auto ids = HouseholdMemberIds(st.db(), *id);
      if (!ids.ok()) return ErrorResponse(ids.status());
      auto persons = LoadPersons(st.db(), *ids);
      if (!persons.ok()) return ErrorResponse(persons.status());
      members = std::move(*persons);
    }
    bool visible = std::any_of(members.begin(), members.end(),
                               [&](const registry::Person& m) { return st.scope->Contains(m.community_id, m.grid_id); });
    if (!visible) return ErrorResponse(st.Denied("户", "household", raw, rows->empty() ? "not_found" : "out_of_scope"));
    const auto& r = rows->at(0);
    json list = json::array();
    std::vector<int64_t> ids;
    for (const auto& m : members) {
      json mj = PersonJson(m, st.role());
      mj["relation_label"] = RelationLabel(m);
      list.push_back(mj);
      ids.push_back(m.id);
    }
    json j = {{"id", r.Int(0)},          {"community_id", r.Int(1)}, {"number", r.Text(2)}, {"room_id", r.Int(3)},
              {"head_person_id", r.Int(4)}, {"address", r.Text(5)},  {"members", list}};
    return AuditedRead(st, AuditAction::kRead, "household", raw, r.Int(1), ids, json::object(), Data(j));
  });

  app.Add(router, "GET", "/api/v1/duplicates", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto narrowed = Narrow(st, ctx.request);
    if (!narrowed.ok()) return ErrorResponse(narrowed.status());
    auto groups = registry::FindDuplicates(st.db(), narrowed->communities);
    if (!groups.ok()) return ErrorResponse(groups.status());
    json items = json::array();
    std::vector<int64_t> read;
    for (const auto& g : *groups) {
      auto persons = LoadPersons(st.db(), g.person_ids);
      if (!persons.ok()) return ErrorResponse(persons.status());
      json members = json::array();
      for (const auto& p : *persons)
        if (narrowed->Contains(p.community_id, p.grid_id)) members.push_back(PersonJson(p, st.role()));
      if (members.size() < 2) continue;  // a group is shown only when the caller sees all of it
      if (members.size() != persons->size()) continue;
      for (const auto& p : *persons) read.push_back(p.id);
      items.push_back({{"name", g.name}, {"birth_date", g.birth_date}, {"persons", members}});
    }
    return AuditedRead(st, AuditAction::kRead, "duplicates", "", narrowed->org_id, read, json::object(), Data(items));
  });
}

}  // namespace linli::http
