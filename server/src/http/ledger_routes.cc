// Ledgers over HTTP: every declared ledger gets the same routes under /api/v1/ledgers/{key}/…,
// derived from its declaration (ledger/engine.h). A ledger the caller's role may not see answers
// 404 exactly like a ledger that does not exist (and the denial is audited); entries outside the
// caller's scope likewise. Every response carrying entries is audited before it is sent; every
// change commits in one transaction with its audit record.
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <variant>

#include "common/time_util.h"
#include "http/app.h"
#include "ledger/engine.h"
#include "ledger/transfer.h"
#include "ledger/views.h"

namespace linli::http {
namespace {

using audit::AuditAction;
using nlohmann::json;

std::string Target(const ledger::Ledger& l) { return "ledger:" + l.key; }

// The ledger of the path's {key} when the caller's role may see it; else the audited 404.
Result<const ledger::Ledger*> LedgerFor(RequestState& st, Context& ctx) {
  const std::string& key = ctx.request.path_params.at("key");
  const ledger::Ledger* l = st.app.ledgers().Find(key);
  if (!l) return st.Denied("台账", "ledger", key, "not_found");
  if (!l->VisibleTo(st.role())) return st.Denied("台账", "ledger", key, "ledger_hidden");
  return l;
}

// The communities (and, for a grid scope or a grid filter, grids) a request covers: the whole
// scope, or the unit of the `org_id` query parameter inside it.
struct Cover {
  org::OrgUnit unit;
  std::vector<int64_t> communities, grids;
};
Result<Cover> CoverOf(RequestState& st, const Request& req) {
  Cover c;
  c.unit = st.scope->root();
  auto it = req.query.find("org_id");
  if (it != req.query.end() && !it->second.empty()) {
    ASSIGN_OR_RETURN(c.unit, st.UnitInScope(it->second));
  }
  c.communities = st.scope->CommunitiesUnder(c.unit.id);
  if (c.unit.level == org::Level::kGrid)
    c.grids = {c.unit.id};
  else
    c.grids.assign(st.scope->grid_ids().begin(), st.scope->grid_ids().end());
  return c;
}

// The entry of the path's {id} in ledger `l` when it lies in the caller's scope.
Result<ledger::Entry> EntryInScope(RequestState& st, Context& ctx, ledger::Engine& engine,
                                   const ledger::Ledger& l) {
  auto id = PathId(ctx);
  const std::string& raw = ctx.request.path_params.at("id");
  if (!id) return st.Denied(l.name + "记录", Target(l), raw, "not_found");
  auto e = engine.Get(l, *id);
  if (!e.ok() && e.status().code() != ErrorCode::kNotFound) return e.status();
  if (!e.ok()) return st.Denied(l.name + "记录", Target(l), raw, "not_found");
  if (!st.scope->Contains(e->community_id, e->grid_id))
    return st.Denied(l.name + "记录", Target(l), raw, "out_of_scope");
  return e;
}

// A JSON object body with only the `allowed` keys (others are reported at their field).
Result<json> Body(const Request& req, const std::set<std::string>& allowed,
                  std::vector<FieldError>* fields) {
  json body = json::parse(req.body.empty() ? std::string("{}") : req.body, nullptr, false);
  if (body.is_discarded() || !body.is_object())
    return Error(ErrorCode::kHttpBadJson, {{"detail", "请求内容应为JSON对象"}});
  for (const auto& [k, v] : body.items())
    if (!allowed.count(k)) fields->push_back({k, Error(ErrorCode::kFieldUnknown, {{"field", k}})});
  if (body.contains("values") && !body["values"].is_object())
    fields->push_back(
        {"values", Error(ErrorCode::kFieldType, {{"field", "values"}, {"type", "对象"}})});
  for (const char* k : {"on", "reason", "method", "notes", "details", "transition", "note", "code"})
    if (body.contains(k) && !body[k].is_string())
      fields->push_back({k, Error(ErrorCode::kFieldType, {{"field", k}, {"type", "文本"}})});
  if (!fields->empty()) return Error(ErrorCode::kHttpInvalidBody);
  return body;
}

Response Invalid(const Status& status, const std::vector<ledger::FieldProblem>& problems) {
  std::vector<FieldError> fields;
  for (const auto& p : problems) fields.push_back({p.field, p.status});
  return ErrorResponse(status, fields);
}

ledger::Actor ActorOf(RequestState& st) { return {st.user().id, st.role()}; }

Result<ledger::Engine> EngineOf(RequestState& st) {
  return ledger::Engine::Create(st.db(), st.app.ledgers());
}

// An audited read of entries; the response is sent only when the record is written.
Response AuditedEntries(RequestState& st, const ledger::Ledger& l, const std::string& target_id,
                        int64_t org_id, const std::vector<int64_t>& entry_ids, json details,
                        Response response) {
  audit::AuditEvent e = st.Event(AuditAction::kRead, Target(l), target_id, org_id);
  details["entry_ids"] = entry_ids;
  details["count"] = entry_ids.size();
  e.details = std::move(details);
  Status s = st.Audit(e);
  if (!s.ok()) return ErrorResponse(s);
  return response;
}

// Runs a change and its audit record in one transaction; `change` fills `problems` when the
// input is invalid and returns the audit event otherwise.
// A refusal by the declaration (a role that may not make a transition or approve) is audited as
// a denial like the guard's.
Response Change(RequestState& st, std::vector<ledger::FieldProblem>* problems,
                const std::function<Result<audit::AuditEvent>()>& change,
                const std::function<Response()>& ok) {
  auto record = st.store->audit->Transact(change);
  if (record.ok()) return ok();
  if (LookupError(record.status().code()).http_status == 403) {
    audit::AuditEvent e = st.Event(AuditAction::kDenied, "ledger", "");
    e.outcome = audit::AuditOutcome::kDenied;
    e.details = {{"reason", record.status().ToString()}};
    Status s = st.Audit(e);
    if (!s.ok()) return ErrorResponse(s);
  }
  return Invalid(record.status(), *problems);
}

// What a read or transfer over an org unit needs: the ledger (visible to the caller), the
// communities and grids covered (CoverOf) and the engine.
struct UnitRequest {
  const ledger::Ledger* l = nullptr;
  Cover cover;
  std::optional<ledger::Engine> engine;
};

// The common preamble of the unit routes; a Response is the refusal to send.
std::variant<UnitRequest, Response> ForUnit(Context& ctx) {
  RequestState& st = State(ctx);
  UnitRequest u;
  auto l = LedgerFor(st, ctx);
  if (!l.ok()) return ErrorResponse(l.status());
  u.l = *l;
  auto cover = CoverOf(st, ctx.request);
  if (!cover.ok()) return ErrorResponse(cover.status());
  u.cover = std::move(*cover);
  auto engine = EngineOf(st);
  if (!engine.ok()) return ErrorResponse(engine.status());
  u.engine.emplace(std::move(*engine));
  return u;
}

// Adds "<key>_name" (the user's display name) beside each user id under `keys` in each of
// `items`, so that a history or an approval says who, not which number: one query for all.
Status NameUsers(RequestState& st, json& items, std::initializer_list<const char*> keys) {
  std::set<int64_t> ids;
  for (const auto& it : items)
    for (const char* k : keys)
      if (it.contains(k) && it[k].is_number_integer()) ids.insert(it[k].get<int64_t>());
  if (ids.empty()) return Status::Ok();
  storage::Params params;
  std::string in = storage::InList(std::vector<int64_t>(ids.begin(), ids.end()), params);
  ASSIGN_OR_RETURN(
      auto rows,
      st.db().Query("SELECT id, display_name FROM users WHERE id IN (" + in + ")", params));
  std::map<int64_t, std::string> names;
  for (const auto& r : rows) names[r.Int(0)] = r.Text(1);
  for (auto& it : items)
    for (const char* k : keys)
      if (it.contains(k) && it[k].is_number_integer())
        it[std::string(k) + "_name"] = names[it[k].get<int64_t>()];
  return Status::Ok();
}

// What a request about one entry needs: its ledger (visible to the caller), the checked body (for
// changes), the engine and the entry (in the caller's scope).
struct EntryRequest {
  const ledger::Ledger* l = nullptr;
  json body;
  std::optional<ledger::Engine> engine;
  ledger::Entry e;
  json values() const { return body.value("values", json::object()); }
};

// The common preamble of the entry routes; `body_keys` (changes only) are the body's allowed
// keys. A Response is the refusal to send.
std::variant<EntryRequest, Response> ForEntry(Context& ctx,
                                              const std::set<std::string>* body_keys = nullptr) {
  RequestState& st = State(ctx);
  EntryRequest c;
  auto l = LedgerFor(st, ctx);
  if (!l.ok()) return ErrorResponse(l.status());
  c.l = *l;
  if (body_keys) {
    std::vector<FieldError> fields;
    auto body = Body(ctx.request, *body_keys, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    c.body = std::move(*body);
  }
  auto engine = EngineOf(st);
  if (!engine.ok()) return ErrorResponse(engine.status());
  c.engine.emplace(std::move(*engine));
  auto e = EntryInScope(st, ctx, *c.engine, *c.l);
  if (!e.ok()) return ErrorResponse(e.status());
  c.e = std::move(*e);
  return c;
}
// Route handlers run after the unit or entry preamble; a refusal is sent as it is.
using UnitHandler = std::function<Response(Context&, RequestState&, const ledger::Ledger*, Cover&,
                                           ledger::Engine*)>;
using EntryHandler = std::function<Response(Context&, RequestState&, EntryRequest&)>;

Handler WithUnit(UnitHandler handler) {
  return [handler = std::move(handler)](Context& ctx) {
    auto prep = ForUnit(ctx);
    if (auto* refused = std::get_if<Response>(&prep)) return *refused;
    UnitRequest& u = std::get<UnitRequest>(prep);
    return handler(ctx, State(ctx), u.l, u.cover, &*u.engine);
  };
}

// `body_keys`: a change's allowed body keys; nullopt for reads (no body).
Handler WithEntryBody(std::optional<std::set<std::string>> body_keys, EntryHandler handler) {
  return [handler = std::move(handler), body_keys = std::move(body_keys)](Context& ctx) {
    auto prep = ForEntry(ctx, body_keys ? &*body_keys : nullptr);
    if (auto* refused = std::get_if<Response>(&prep)) return *refused;
    return handler(ctx, State(ctx), std::get<EntryRequest>(prep));
  };
}
Handler WithEntry(EntryHandler handler) { return WithEntryBody(std::nullopt, std::move(handler)); }
Handler WithEntryChange(std::set<std::string> body_keys, EntryHandler handler) {
  return WithEntryBody(std::move(body_keys), std::move(handler));
}

void AddReadRoutes(App& app, Router& router) {
  app.Add(router, "GET", "/api/v1/ledgers", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto cover = CoverOf(st, ctx.request);
    if (!cover.ok()) return ErrorResponse(cover.status());
    auto engine = EngineOf(st);
    if (!engine.ok()) return ErrorResponse(engine.status());
    json items = json::array();
    for (const auto& l : st.app.ledgers().ledgers()) {
      if (!l.VisibleTo(st.role())) continue;
      json j = ledger::SummaryJson(l);
      // Counts for the workbench: open entries, and what is due or overdue in the scope.
      for (auto [name, window] : {std::pair{"active", ledger::DueWindow::kAny},
                                  std::pair{"due_today", ledger::DueWindow::kToday},
                                  std::pair{"due_week", ledger::DueWindow::kWeek},
                                  std::pair{"overdue", ledger::DueWindow::kOverdue}}) {
        if (window != ledger::DueWindow::kAny && !l.schedule.enabled()) continue;
        ledger::ListQuery q;
        q.community_ids = cover->communities;
        q.grid_ids = cover->grids;
        q.due = window;
        auto n = engine->Count(l, q);
        if (!n.ok()) return ErrorResponse(n.status());
        j[name] = *n;
      }
      items.push_back(j);
    }
    return Data(items);
  });

  app.Add(router, "GET", "/api/v1/ledgers/{key}", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto l = LedgerFor(st, ctx);
    if (!l.ok()) return ErrorResponse(l.status());
    return Data(ledger::DeclarationJson(**l, st.role()));
  });

  app.Add(router, "GET", "/api/v1/ledgers/{key}/entries",
          WithUnit([](Context& ctx, RequestState& st, const ledger::Ledger* l, Cover& cover,
                      ledger::Engine* engine) {
            const auto& q = ctx.request.query;
            auto get = [&](const char* k) { return q.count(k) ? q.at(k) : std::string(); };
            ledger::ListQuery lq;
            lq.community_ids = cover.communities;
            lq.grid_ids = cover.grids;
            lq.stage = get("stage");
            auto due = ledger::ParseDueWindow(get("due"));
            if (!due)
              return ErrorResponse(Error(ErrorCode::kInvalidArgument,
                                         {{"detail", "due 只能是 today、week 或 overdue"}}));
            lq.due = *due;
            lq.name_prefix = get("name");
            if (get("responsible") == "me") lq.responsible_user_id = st.user().id;
            if (!get("sort").empty()) lq.sort = get("sort");
            lq.descending = get("order") == "desc";
            lq.after = get("after");
            lq.limit = q.count("limit") ? std::atoi(get("limit").c_str()) : 20;
            for (const auto& [k, v] : q)
              if (k.starts_with("f.")) lq.filters[k.substr(2)] = v;
            auto r = engine->List(*l, lq);
            if (!r.ok()) return ErrorResponse(r.status());
            json items = json::array();
            std::vector<int64_t> ids;
            for (const auto& e : r->entries) {
              items.push_back(ledger::EntryJson(*l, e, st.role()));
              ids.push_back(e.id);
            }
            json body = {{"data", items},
                         {"page", {{"limit", lq.limit}, {"total", r->total}, {"next", r->next}}}};
            Response resp;
            resp.body = body.dump();
            return AuditedEntries(st, *l, "", cover.unit.id, ids,
                                  {{"query", get("due") + get("stage")}}, resp);
          }));

  app.Add(
      router, "GET", "/api/v1/ledgers/{key}/entries/{id}",
      WithEntry([](Context& ctx, RequestState& st, EntryRequest& c) {
        const ledger::Ledger& l = *c.l;
        ledger::Engine& engine = *c.engine;
        const ledger::Entry& e = c.e;
        auto history = engine.History(e.id);
        auto visits = engine.Visits(e.id);
        if (!history.ok()) return ErrorResponse(history.status());
        if (!visits.ok()) return ErrorResponse(visits.status());
        json j = ledger::EntryJson(l, e, st.role());
        // The residents that person fields name: their names when they are in the caller's scope.
        json people = json::object();
        for (const auto& f : l.fields) {
          if (f.type != ledger::ValueType::kPerson || !j["values"].contains(f.key) ||
              !j["values"][f.key].is_number_integer())
            continue;
          int64_t pid = j["values"][f.key].get<int64_t>();
          auto who =
              st.db().Query("SELECT name, community_id, grid_id FROM persons WHERE id = ?", {pid});
          if (!who.ok()) return ErrorResponse(who.status());
          bool visible = !who->empty() && st.scope->Contains((*who)[0].Int(1), (*who)[0].Int(2));
          people[std::to_string(pid)] = {
              {"name", visible ? json((*who)[0].Text(0)) : json(nullptr)}, {"in_scope", visible}};
        }
        j["people"] = people;
        json events = json::array(), vs = json::array();
        for (const auto& ev : *history) {
          json ej = ledger::EventJson(ev);
          // Changes of fields hidden from this role are left out of the history too.
          for (const auto& f : l.fields)
            if (!l.FieldVisibleTo(f, st.role())) ej["changes"].erase(f.key);
          events.push_back(ej);
        }
        for (const auto& v : *visits)
          vs.push_back({{"id", v.id},
                        {"date", v.visited_on},
                        {"method", v.method},
                        {"notes", v.notes},
                        {"visitor_id", v.visitor_id}});
        for (auto* list : {&events, &vs}) {
          Status named = NameUsers(st, *list, {"requested_by", "approved_by", "visitor_id"});
          if (!named.ok()) return ErrorResponse(named);
        }
        j["history"] = events;
        j["visits"] = vs;
        auto pending = engine.Approvals({e.community_id}, "pending", l.key);
        if (!pending.ok()) return ErrorResponse(pending.status());
        json waiting = json::array();
        for (const auto& a : *pending)
          if (a.entry_id == e.id)
            waiting.push_back({{"id", a.id}, {"action", a.action}, {"label", a.label}});
        j["pending_approvals"] = waiting;
        return AuditedEntries(st, l, std::to_string(e.id), e.community_id, {e.id}, {}, Data(j));
      }));

  // A file of an attachment field of one entry: the entry in scope, the field visible to the
  // role, the read audited (with the file's SHA-256) before the bytes leave.
  app.Add(router, "GET", "/api/v1/ledgers/{key}/entries/{id}/attachments/{file}",
          WithEntry([](Context& ctx, RequestState& st, EntryRequest& c) {
            const ledger::Ledger& l = *c.l;
            ledger::Engine& engine = *c.engine;
            const ledger::Entry& e = c.e;
            auto file_id = PathId(ctx, "file");
            const std::string& raw = ctx.request.path_params.at("file");
            auto a = file_id ? engine.ReadAttachment(l, e.id, *file_id)
                             : Result<ledger::Attachment>(NotFound("附件", raw));
            if (!a.ok() && a.status().code() != ErrorCode::kNotFound)
              return ErrorResponse(a.status());
            if (!a.ok()) return ErrorResponse(st.Denied("附件", Target(l), raw, "not_found"));
            const ledger::Field* f = l.FindField(a->field);
            if (!l.FieldVisibleTo(*f, st.role()))
              return ErrorResponse(st.Denied("附件", Target(l), raw, "field_hidden"));
            json details = {{"attachment_id", a->id},
                            {"field", a->field},
                            {"name", a->name},
                            {"sha256", a->sha256}};
            return AuditedEntries(
                st, l, std::to_string(e.id), e.community_id, {e.id}, details,
                FileDownload(std::move(a->bytes), a->content_type,
                             "attachment-" + std::to_string(a->id) + "." + a->kind, a->name));
          }));

  app.Add(router, "GET", "/api/v1/ledgers/{key}/statistics",
          WithUnit([](Context& ctx, RequestState& st, const ledger::Ledger* l, Cover& cover,
                      ledger::Engine* engine) {
            // The unit itself, then each unit directly below it (a street's communities, …).
            std::vector<std::pair<int64_t, std::vector<int64_t>>> units = {
                {cover.unit.id, cover.communities}};
            for (const auto& u : st.scope->units())
              if (u.parent_id == cover.unit.id && u.level != org::Level::kGrid)
                units.emplace_back(u.id, st.scope->CommunitiesUnder(u.id));
            const auto& q = ctx.request.query;
            auto r = engine->Statistics(*l, units, q.count("from") ? q.at("from") : "",
                                        q.count("as_of") ? q.at("as_of") : "");
            if (!r.ok()) return ErrorResponse(r.status());
            for (auto& u : (*r)["units"]) {
              const org::OrgUnit* unit = st.scope->Unit(u["org_id"].get<int64_t>());
              u["name"] = unit ? unit->name : "";
            }
            return Data(*r);
          }));

  app.Add(
      router, "GET", "/api/v1/ledgers/{key}/reports/completeness",
      WithUnit([](Context& ctx, RequestState& st, const ledger::Ledger* l, Cover& cover,
                  ledger::Engine* engine) {
        const auto& q = ctx.request.query;
        auto c =
            engine->ReportCompleteness(*l, cover.communities, q.count("date") ? q.at("date") : "");
        if (!c.ok()) return ErrorResponse(c.status());
        auto counts = [](const ledger::CompletenessRow& r) {
          return json{
              {"expected", r.expected},
              {"filed", r.filed},
              {"zero", r.zero},
              {"rate",
               r.expected ? static_cast<double>(r.filed) / static_cast<double>(r.expected) : 1.0}};
        };
        auto rows = [&](const std::vector<ledger::CompletenessRow>& in, bool grids) {
          json out = json::array();
          for (const auto& r : in) {
            if (grids && !cover.grids.empty() &&
                std::find(cover.grids.begin(), cover.grids.end(), r.id) == cover.grids.end())
              continue;
            const org::OrgUnit* unit = st.scope->Unit(r.id);
            json row = counts(r);
            row["org_id"] = r.id;
            row["name"] = unit ? unit->name : "未分网格";
            out.push_back(row);
          }
          return out;
        };
        // Per responsible worker: whose reports are missing.
        json workers = json::array();
        for (const auto& r : c->by_worker) {
          json row = counts(r);
          row["user_id"] = r.id ? json(r.id) : json(nullptr);
          workers.push_back(row);
        }
        Status named = NameUsers(st, workers, {"user_id"});
        if (!named.ok()) return ErrorResponse(named);
        json j = {
            {"date", c->date},
            {"expected", c->expected},
            {"filed", c->filed},
            {"zero", c->zero},
            {"rate",
             c->expected ? static_cast<double>(c->filed) / static_cast<double>(c->expected) : 1.0},
            {"by_grid", rows(c->by_grid, true)},
            {"by_community", rows(c->by_community, false)},
            {"by_worker", workers}};
        // The missing entries, with names, so that the worker can chase them.
        json missing = json::array();
        std::vector<int64_t> ids;
        for (int64_t id : c->missing_entries) {
          auto e = engine->Get(*l, id);
          if (!e.ok() || !st.scope->Contains(e->community_id, e->grid_id)) continue;
          missing.push_back(
              {{"id", e->id}, {"person_name", e->person_name}, {"grid_id", e->grid_id}});
          ids.push_back(e->id);
        }
        j["missing"] = missing;
        return AuditedEntries(st, *l, "completeness", cover.unit.id, ids, {{"date", c->date}},
                              Data(j));
      }));
}

void AddWriteRoutes(App& app, Router& router) {
  // An upload for an attachment field (the raw file as the body): checked by content and size,
  // stored encrypted, audited; an entry takes it when its id is sent as the field's value.
  app.Add(router, "POST", "/api/v1/ledgers/{key}/attachments", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto l = LedgerFor(st, ctx);
    if (!l.ok()) return ErrorResponse(l.status());
    const auto& q = ctx.request.query;
    std::string field = q.count("field") ? q.at("field") : "";
    const ledger::Field* f = (*l)->FindField(field);
    if (f && !(*l)->FieldVisibleTo(*f, st.role()))
      return ErrorResponse(st.Denied("附件字段", Target(**l), field, "field_hidden"));
    std::string name = UploadFileName(ctx.request, "");
    auto engine = EngineOf(st);
    if (!engine.ok()) return ErrorResponse(engine.status());
    std::vector<ledger::FieldProblem> problems;
    ledger::Attachment a;
    return Change(
        st, &problems,
        [&]() -> Result<audit::AuditEvent> {
          auto up = engine->Upload(**l, field, name, ctx.request.body, ActorOf(st));
          if (!up.ok()) {
            problems.push_back({field.empty() ? "field" : field, up.status()});
            return up.status();
          }
          a = std::move(*up);
          audit::AuditEvent ev =
              st.Event(AuditAction::kCreate, Target(**l), "attachment:" + std::to_string(a.id));
          ev.details = {{"field", a.field},
                        {"name", a.name},
                        {"kind", a.kind},
                        {"size", a.size},
                        {"sha256", a.sha256}};
          return ev;
        },
        [&] {
          return Data({{"id", a.id},
                       {"name", a.name},
                       {"size", a.size},
                       {"kind", a.kind},
                       {"sha256", a.sha256}},
                      201);
        });
  });

  app.Add(router, "POST", "/api/v1/ledgers/{key}/entries", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto l = LedgerFor(st, ctx);
    if (!l.ok()) return ErrorResponse(l.status());
    std::vector<FieldError> fields;
    auto body = Body(ctx.request, {"subject_id", "values", "on", "responsible_user_id"}, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    if (!(*body)["subject_id"].is_number_integer())
      return ErrorResponse(
          Error(ErrorCode::kHttpInvalidBody),
          {{"subject_id", Error(ErrorCode::kFieldRequired, {{"field", "subject_id"}})}});
    int64_t subject = (*body)["subject_id"].get<int64_t>();
    // The subject must be in the caller's scope: a person, or a household (through its members).
    auto where = st.db().Query(
        (*l)->household
            ? "SELECT p.community_id, p.grid_id FROM persons p WHERE p.household_id = ? AND "
              "p.status = 'active' ORDER BY p.id LIMIT 1"
            : "SELECT community_id, grid_id FROM persons WHERE id = ?",
        {subject});
    if (!where.ok()) return ErrorResponse(where.status());
    std::string what = (*l)->household ? "户" : "居民";
    if (where->empty())
      return ErrorResponse(st.Denied(what, (*l)->household ? "household" : "person",
                                     std::to_string(subject), "not_found"));
    if (!st.scope->Contains((*where)[0].Int(0), (*where)[0].Int(1)))
      return ErrorResponse(st.Denied(what, (*l)->household ? "household" : "person",
                                     std::to_string(subject), "out_of_scope"));
    auto engine = EngineOf(st);
    if (!engine.ok()) return ErrorResponse(engine.status());
    std::vector<ledger::FieldProblem> problems;
    ledger::Outcome out;
    return Change(
        st, &problems,
        [&]() -> Result<audit::AuditEvent> {
          ASSIGN_OR_RETURN(out, engine->Enrol(**l, subject, body->value("values", json::object()),
                                              body->value("on", ""),
                                              body->value("responsible_user_id", int64_t{0}),
                                              ActorOf(st), &problems));
          audit::AuditEvent e = st.Event(AuditAction::kCreate, Target(**l),
                                         std::to_string(out.entry_id), (*where)[0].Int(0));
          e.details = {{"subject_id", subject}, {"approval_id", out.approval_id}};
          return e;
        },
        [&] {
          return Data({{"id", out.entry_id ? json(out.entry_id) : json(nullptr)},
                       {"approval_id", out.approval_id ? json(out.approval_id) : json(nullptr)}},
                      out.approval_id ? 202 : 201);
        });
  });

  app.Add(
      router, "PATCH", "/api/v1/ledgers/{key}/entries/{id}",
      WithEntryChange({"values"}, [](Context& ctx, RequestState& st, EntryRequest& c) {
        // A role may not change what it cannot see.
        const json values = c.values();
        for (const auto& [k, v] : values.items())
          if (const ledger::Field* f = c.l->FindField(k); f && !c.l->FieldVisibleTo(*f, st.role()))
            return ErrorResponse(Error(ErrorCode::kHttpInvalidBody),
                                 {{k, Error(ErrorCode::kFieldUnknown, {{"field", k}})}});
        std::vector<ledger::FieldProblem> problems;
        return Change(
            st, &problems,
            [&]() -> Result<audit::AuditEvent> {
              RETURN_IF_ERROR(c.engine->Edit(*c.l, c.e.id, c.body.value("values", json::object()),
                                             ActorOf(st), &problems));
              audit::AuditEvent ev = st.Event(AuditAction::kUpdate, Target(*c.l),
                                              std::to_string(c.e.id), c.e.community_id);
              json keys = json::array();
              for (const auto& [k, v] : values.items()) keys.push_back(k);
              ev.details = {{"fields", keys}};
              return ev;
            },
            [&] {
              return Data({{"id", c.e.id}});
            });
      }));

  app.Add(
      router, "POST", "/api/v1/ledgers/{key}/entries/{id}/transitions",
      WithEntryChange({"transition", "values", "on", "reason"}, [](Context& ctx, RequestState& st,
                                                                   EntryRequest& c) {
        std::string key = c.body.value("transition", "");
        const ledger::Stage* to = nullptr;
        if (const auto* t = c.l->FindTransition(key)) to = c.l->FindStage(t->to);
        std::vector<ledger::FieldProblem> problems;
        ledger::Outcome out;
        return Change(
            st, &problems,
            [&]() -> Result<audit::AuditEvent> {
              ASSIGN_OR_RETURN(out, c.engine->Transition(
                                        *c.l, c.e.id, key, c.body.value("values", json::object()),
                                        c.body.value("on", ""), c.body.value("reason", ""),
                                        ActorOf(st), &problems));
              bool ends = to && to->final && !out.approval_id;
              audit::AuditEvent ev =
                  st.Event(ends ? AuditAction::kEnd : AuditAction::kUpdate, Target(*c.l),
                           std::to_string(c.e.id), c.e.community_id);
              ev.reason = c.body.value("reason", "");
              ev.details = {{"transition", key}, {"approval_id", out.approval_id}};
              return ev;
            },
            [&] {
              return Data(
                  {{"id", c.e.id},
                   {"approval_id", out.approval_id ? json(out.approval_id) : json(nullptr)}},
                  out.approval_id ? 202 : 200);
            });
      }));

  app.Add(router, "POST", "/api/v1/ledgers/{key}/entries/{id}/visits",
          WithEntryChange(
              {"on", "method", "notes"}, [](Context& ctx, RequestState& st, EntryRequest& c) {
                int64_t visit_id = 0;
                std::vector<ledger::FieldProblem> problems;
                return Change(
                    st, &problems,
                    [&]() -> Result<audit::AuditEvent> {
                      ASSIGN_OR_RETURN(
                          visit_id, c.engine->RecordVisit(*c.l, c.e.id, c.body.value("on", ""),
                                                          c.body.value("method", ""),
                                                          c.body.value("notes", ""), ActorOf(st)));
                      audit::AuditEvent ev = st.Event(AuditAction::kCreate, Target(*c.l) + ":visit",
                                                      std::to_string(visit_id), c.e.community_id);
                      ev.details = {{"entry_id", c.e.id}};
                      return ev;
                    },
                    [&] {
                      auto after = c.engine->Get(*c.l, c.e.id);
                      return Data(
                          {{"id", visit_id}, {"next_due_on", after.ok() ? after->next_due_on : ""}},
                          201);
                    });
              }));

  app.Add(router, "POST", "/api/v1/ledgers/{key}/entries/{id}/reports",
          WithEntryChange({"on", "zero", "details"}, [](Context& ctx, RequestState& st,
                                                        EntryRequest& c) {
            if (!c.body["zero"].is_boolean())
              return ErrorResponse(
                  Error(ErrorCode::kHttpInvalidBody),
                  {{"zero",
                    Error(ErrorCode::kFieldType, {{"field", "zero"}, {"type", "true 或 false"}})}});
            int64_t report_id = 0;
            std::vector<ledger::FieldProblem> problems;
            return Change(
                st, &problems,
                [&]() -> Result<audit::AuditEvent> {
                  ASSIGN_OR_RETURN(report_id,
                                   c.engine->FileReport(*c.l, c.e.id, c.body.value("on", ""),
                                                        c.body["zero"].get<bool>(),
                                                        c.body.value("details", ""), ActorOf(st)));
                  audit::AuditEvent ev = st.Event(AuditAction::kCreate, Target(*c.l) + ":report",
                                                  std::to_string(report_id), c.e.community_id);
                  ev.details = {{"entry_id", c.e.id}, {"zero", c.body["zero"]}};
                  return ev;
                },
                [&] {
                  return Data({{"id", report_id}}, 201);
                });
          }));

  app.Add(router, "PUT", "/api/v1/ledgers/{key}/intervals", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto l = LedgerFor(st, ctx);
    if (!l.ok()) return ErrorResponse(l.status());
    std::vector<FieldError> fields;
    auto body = Body(ctx.request, {"org_id", "code", "days"}, &fields);
    if (!body.ok()) return ErrorResponse(body.status(), fields);
    // The district: the given org unit (in scope) or the caller's own.
    org::OrgUnit unit = st.scope->root();
    if ((*body)["org_id"].is_number_integer()) {
      auto u = st.UnitInScope(std::to_string((*body)["org_id"].get<int64_t>()));
      if (!u.ok()) return ErrorResponse(u.status());
      unit = *u;
    }
    if (!(*l)->schedule.enabled() || (*l)->schedule.by_field.empty())
      return ErrorResponse(Error(ErrorCode::kLedgerNoSchedule, {{"ledger", (*l)->name}}));
    if (!(*body)["days"].is_number_integer() || (*body)["days"].get<int>() < 1 ||
        (*body)["days"].get<int>() > 3660)
      return ErrorResponse(
          Error(ErrorCode::kHttpInvalidBody),
          {{"days", Error(ErrorCode::kFieldType, {{"field", "days"}, {"type", "1到3660的天数"}})}});
    const ledger::Field* by = (*l)->FindField((*l)->schedule.by_field);
    const CodeTable* table = (*l)->FindTable(by->table);
    const CodeItem* item = table->Find(body->value("code", ""));
    if (!item)
      return ErrorResponse(
          Error(ErrorCode::kHttpInvalidBody),
          {{"code",
            Error(ErrorCode::kLedgerFieldCode,
                  {{"label", by->label}, {"value", body->value("code", "")}, {"choices", ""}})}});
    if (unit.level != org::Level::kDistrict)
      return ErrorResponse(
          Error(ErrorCode::kInvalidArgument, {{"detail", "复核周期按区/县设置，请选择区/县"}}));
    auto engine = EngineOf(st);
    if (!engine.ok()) return ErrorResponse(engine.status());
    std::vector<ledger::FieldProblem> problems;
    return Change(
        st, &problems,
        [&]() -> Result<audit::AuditEvent> {
          RETURN_IF_ERROR(
              engine->SetInterval(**l, unit.id, item->code, (*body)["days"].get<int>()));
          audit::AuditEvent ev =
              st.Event(AuditAction::kUpdate, Target(**l) + ":interval", item->code, unit.id);
          ev.details = {{"days", (*body)["days"]}};
          return ev;
        },
        [&] {
          return Data({{"org_id", unit.id}, {"code", item->code}, {"days", (*body)["days"]}});
        });
  });
}

// The grid and community of an approval's subject (the entry's person, or the person or
// household an enrolment is asked for): approvals are in a scope like the records they change.
Result<std::pair<int64_t, int64_t>> ApprovalPlace(RequestState& st, ledger::Engine& engine,
                                                  const ledger::Approval& a) {
  const ledger::Ledger* l = st.app.ledgers().Find(a.ledger);
  if (a.action == "export")
    return std::pair{int64_t{0}, int64_t{0}};  // an org unit's export: see InScope
  if (l && a.entry_id) {
    ASSIGN_OR_RETURN(ledger::Entry e, engine.Get(*l, a.entry_id));
    return std::pair{e.community_id, e.grid_id};
  }
  int64_t subject = a.payload.value("subject_id", int64_t{0});
  ASSIGN_OR_RETURN(
      auto rows,
      st.db().Query(l && l->household ? "SELECT community_id, grid_id FROM persons WHERE "
                                        "household_id = ? ORDER BY id LIMIT 1"
                                      : "SELECT community_id, grid_id FROM persons WHERE id = ?",
                    {subject}));
  if (rows.empty()) return std::pair{a.community_id, int64_t{0}};
  return std::pair{rows[0].Int(0), rows[0].Int(1)};
}

// An approval the caller's scope covers: the record it changes, or (exports) the unit exported.
Result<bool> ApprovalInScope(RequestState& st, ledger::Engine& engine, const ledger::Approval& a) {
  if (a.action == "export") return st.scope->ContainsUnit(a.payload.value("org_id", int64_t{0}));
  ASSIGN_OR_RETURN(auto place, ApprovalPlace(st, engine, a));
  return st.scope->Contains(place.first, place.second);
}

json ApprovalJson(const ledger::Approval& a, const ledger::Catalog& catalog) {
  const ledger::Ledger* l = catalog.Find(a.ledger);
  return {{"id", a.id},
          {"ledger", a.ledger},
          {"ledger_name", l ? l->name : a.ledger},
          {"entry_id", a.entry_id ? json(a.entry_id) : json(nullptr)},
          {"action", a.action},
          {"label", a.label},
          {"status", a.status},
          {"community_id", a.community_id},
          {"requested_by", a.requested_by},
          {"requested_at", a.requested_at},
          {"decided_by", a.decided_by ? json(a.decided_by) : json(nullptr)},
          {"decided_at", a.decided_at},
          {"note", a.note},
          {"on", a.payload.value("on_date", "")},
          {"reason", a.payload.value("reason", "")},
          {"subject_id", a.payload.value("subject_id", int64_t{0})}};
}

void AddApprovalRoutes(App& app, Router& router) {
  app.Add(router, "GET", "/api/v1/approvals", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto engine = EngineOf(st);
    if (!engine.ok()) return ErrorResponse(engine.status());
    const auto& q = ctx.request.query;
    auto list =
        engine->Approvals(st.scope->community_ids(), q.count("status") ? q.at("status") : "pending",
                          q.count("ledger") ? q.at("ledger") : "");
    if (!list.ok()) return ErrorResponse(list.status());
    json items = json::array();
    for (const auto& a : *list) {
      const ledger::Ledger* l = st.app.ledgers().Find(a.ledger);
      if (!l || !l->VisibleTo(st.role())) continue;
      auto in = ApprovalInScope(st, *engine, a);
      if (!in.ok()) return ErrorResponse(in.status());
      if (!*in) continue;
      auto place = ApprovalPlace(st, *engine, a);
      if (!place.ok()) return ErrorResponse(place.status());
      json j = ApprovalJson(a, st.app.ledgers());
      j["grid_id"] = place->second ? json(place->second) : json(nullptr);
      if (a.action == "export") j["org_id"] = a.payload.value("org_id", int64_t{0});
      items.push_back(j);
    }
    Status named = NameUsers(st, items, {"requested_by", "decided_by"});
    if (!named.ok()) return ErrorResponse(named);
    return Data(items);
  });

  for (const char* verb : {"approve", "reject"}) {
    bool approve = std::string(verb) == "approve";
    app.Add(router, "POST", std::string("/api/v1/approvals/{id}/") + verb, [approve](Context& ctx) {
      RequestState& st = State(ctx);
      std::vector<FieldError> fields;
      auto body = Body(ctx.request, {"note"}, &fields);
      if (!body.ok()) return ErrorResponse(body.status(), fields);
      auto engine = EngineOf(st);
      if (!engine.ok()) return ErrorResponse(engine.status());
      auto id = PathId(ctx);
      const std::string& raw = ctx.request.path_params.at("id");
      auto a = id ? engine->GetApproval(*id) : Result<ledger::Approval>(NotFound("审批申请", raw));
      const ledger::Ledger* l = a.ok() ? st.app.ledgers().Find(a->ledger) : nullptr;
      auto in = l ? ApprovalInScope(st, *engine, *a) : Result<bool>(NotFound("审批申请", raw));
      if (!a.ok() || !l || !l->VisibleTo(st.role()) || !in.ok() || !*in)
        return ErrorResponse(
            st.Denied("审批申请", "approval", raw, a.ok() ? "out_of_scope" : "not_found"));
      std::vector<ledger::FieldProblem> problems;
      ledger::Outcome out;
      return Change(
          st, &problems,
          [&]() -> Result<audit::AuditEvent> {
            if (approve) {
              ASSIGN_OR_RETURN(out, engine->Approve(a->id, ActorOf(st), body->value("note", "")));
            } else {
              RETURN_IF_ERROR(engine->Reject(a->id, ActorOf(st), body->value("note", "")));
            }
            audit::AuditEvent ev = st.Event(approve ? AuditAction::kApprove : AuditAction::kReject,
                                            "approval", std::to_string(a->id), a->community_id);
            ev.reason = body->value("note", "");
            ev.details = {{"ledger", a->ledger},
                          {"action", a->action},
                          {"requested_by", a->requested_by},
                          {"entry_id", out.entry_id ? out.entry_id : a->entry_id}};
            return ev;
          },
          [&] {
            return Data({{"id", a->id},
                         {"status", approve ? "approved" : "rejected"},
                         {"entry_id", out.entry_id ? json(out.entry_id) : json(nullptr)}});
          });
    });
  }
}

void AddLedgerTransferRoutes(App& app, Router& router) {
  // Export: the ledger in its declared Excel layout, masked for the caller. Ledgers declared with
  // export approvers need the caller's own export request for the same unit, approved today.
  app.Add(
      router, "GET", "/api/v1/ledgers/{key}/export",
      WithUnit([&app](Context& ctx, RequestState& st, const ledger::Ledger* l, Cover& cover,
                      ledger::Engine* engine) {
        const auto& q = ctx.request.query;
        int64_t approval_id = 0;
        if (!l->export_approvers.empty()) {
          auto a = q.count("approval") ? engine->GetApproval(std::atoll(q.at("approval").c_str()))
                                       : Result<ledger::Approval>(NotFound("导出审批", ""));
          bool valid = a.ok() && a->ledger == l->key && a->action == "export" &&
                       a->status == "approved" && a->requested_by == st.user().id &&
                       a->payload.value("org_id", int64_t{0}) == cover.unit.id &&
                       a->decided_at >= NowIso().substr(0, 10) + "T00:00:00Z" /* approved today */;
          if (!valid)
            return ErrorResponse(Error(
                ErrorCode::kInvalidArgument,
                {{"detail",
                  "批量导出" + l->name + "台账须经审批：请先提交导出申请，待批准后当天内导出"}}));
          approval_id = a->id;
        }
        ledger::ExportOptions options;
        options.communities = cover.communities;
        options.grids = cover.grids;
        options.org_name = cover.unit.name;
        options.role = st.role();
        options.include_exited = q.count("all") && q.at("all") == "1";
        options.out_path = NewExportPath(app);
        auto result = ledger::ExportLedger(st.db(), *engine, *l, options);
        if (!result.ok()) {
          std::filesystem::remove(options.out_path);
          return ErrorResponse(result.status());
        }
        std::ifstream in(options.out_path, std::ios::binary);
        std::stringstream buf;
        buf << in.rdbuf();
        std::filesystem::remove(options.out_path);
        audit::AuditEvent e =
            st.Event(AuditAction::kExport, Target(*l), cover.unit.code, cover.unit.id);
        e.details = {
            {"rows", result->rows}, {"sha256", result->sha256}, {"approval_id", approval_id}};
        Status s = st.Audit(e);
        if (!s.ok()) return ErrorResponse(s);
        return FileDownload(buf.str(),
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                            l->key + ".xlsx", cover.unit.name + l->title + ".xlsx");
      }),
      /*long_running=*/true);

  app.Add(router, "POST", "/api/v1/ledgers/{key}/export_requests", [](Context& ctx) {
    RequestState& st = State(ctx);
    auto l = LedgerFor(st, ctx);
    if (!l.ok()) return ErrorResponse(l.status());
    auto cover = CoverOf(st, ctx.request);
    if (!cover.ok()) return ErrorResponse(cover.status());
    if ((*l)->export_approvers.empty())
      return ErrorResponse(Error(ErrorCode::kInvalidArgument,
                                 {{"detail", (*l)->name + "台账导出无需审批，可直接导出"}}));
    auto engine = EngineOf(st);
    if (!engine.ok()) return ErrorResponse(engine.status());
    int64_t community = cover->communities.empty() ? 0 : cover->communities[0];
    int64_t id = 0;
    std::vector<ledger::FieldProblem> problems;
    return Change(
        st, &problems,
        [&]() -> Result<audit::AuditEvent> {
          ASSIGN_OR_RETURN(id, engine->RequestExport(**l, cover->unit.id, community, ActorOf(st)));
          return st.Event(AuditAction::kCreate, "approval", std::to_string(id), cover->unit.id);
        },
        [&] {
          return Data({{"approval_id", id}}, 202);
        });
  });

  // Import: a ledger file of a community (last year's Excel ledger). All or nothing; dry_run=1
  // checks and reports without writing.
  app.Add(router, "POST", "/api/v1/ledgers/{key}/imports",
          WithUnit([](Context& ctx, RequestState& st, const ledger::Ledger* l, Cover& cover,
                      ledger::Engine* engine) {
            const auto& q = ctx.request.query;
            ledger::ImportOptions options;
            options.communities = cover.communities;
            options.grids = cover.grids;
            options.org_name = cover.unit.name;
            options.file_name = UploadFileName(ctx.request, "upload.xlsx");
            options.dry_run = q.count("dry_run") && q.at("dry_run") == "1";
            options.actor = ActorOf(st);
            ledger::ImportReport report;
            auto record = st.store->audit->Transact([&]() -> Result<audit::AuditEvent> {
              ASSIGN_OR_RETURN(report, ledger::ImportLedgerBytes(st.db(), *engine, *l,
                                                                 ctx.request.body, options));
              // A dry run or a rejected file changes nothing: the transaction is rolled back.
              if (options.dry_run || report.rejected > 0)
                return Error(ErrorCode::kConflict, {{"detail", "no-write"}});
              audit::AuditEvent e =
                  st.Event(AuditAction::kImport, Target(*l), options.file_name, cover.unit.id);
              e.details = {{"imported", report.imported},
                           {"updated", report.updated},
                           {"pending", report.pending}};
              return e;
            });
            if (!record.ok() && !(record.status().code() == ErrorCode::kConflict &&
                                  record.status().Param("detail") == "no-write"))
              return ErrorResponse(record.status());
            json j = ledger::ImportReportJson(report);
            j["written"] = record.ok();
            return Data(j);
          }),
          /*long_running=*/true);
}

}  // namespace

void AddLedgerRoutes(App& app, Router& router) {
  AddReadRoutes(app, router);
  AddWriteRoutes(app, router);
  AddApprovalRoutes(app, router);
  AddLedgerTransferRoutes(app, router);
}

}  // namespace linli::http
