// The schema of the linli store, as an ordered list of migrations, and the runner that applies them.
#include "storage/migrations.h"

#include <chrono>
#include <string>

#include "common/time_util.h"

namespace linli::storage {
namespace {

// Schema v1: org hierarchy, places, persons, households, history, search grams, imports, and the
// field-key check. Dates are 'YYYY-MM-DD' text and timestamps ISO 8601 UTC text on both engines.
// The sensitive person columns (type id_number or phone in data/registry/columns.csv) hold
// ciphertext (crypto/field_cipher.h), never clear text; each has two keyed blind indexes:
// <key>_digest (the whole value; unique for id_number: the same ID is the same person) and
// <key>_tail (its last four digits; longer tails are verified on the decrypted candidates).
// person_events.old_value/new_value are ciphertext when field is a sensitive column.
// field_key holds the key-check value of the key file (never the key).
constexpr const char* kV1Common = R"SQL(
CREATE TABLE org_units (
  id {{pk}},
  code TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  level TEXT NOT NULL CHECK (level IN ('province','city','district','street','community','grid')),
  parent_id {{int}} REFERENCES org_units(id),
  stat_code TEXT,
  valid_from TEXT,
  valid_to TEXT
);
CREATE INDEX org_units_parent ON org_units(parent_id);

CREATE TABLE places (
  id {{pk}},
  community_id {{int}} NOT NULL REFERENCES org_units(id),
  parent_id {{int}} REFERENCES places(id),
  kind TEXT NOT NULL CHECK (kind IN ('estate','building','unit','room')),
  name TEXT NOT NULL,
  address TEXT NOT NULL,
  grid_id {{int}} REFERENCES org_units(id),
  occupancy TEXT CHECK (occupancy IN ('owner','rented','vacant')),
  landlord_person_id {{int}},
  UNIQUE (community_id, address)
);
CREATE INDEX places_parent ON places(parent_id);
CREATE INDEX places_grid ON places(grid_id);

CREATE TABLE households (
  id {{pk}},
  community_id {{int}} NOT NULL REFERENCES org_units(id),
  number TEXT,
  room_id {{int}} REFERENCES places(id),
  head_person_id {{int}},
  created_on TEXT NOT NULL,
  ended_on TEXT,
  end_reason TEXT
);
CREATE INDEX households_community_number ON households(community_id, number);
CREATE INDEX households_room ON households(room_id);

CREATE TABLE persons (
  id {{pk}},
  community_id {{int}} NOT NULL REFERENCES org_units(id),
  grid_id {{int}} REFERENCES org_units(id),
  id_number TEXT,
  id_number_digest TEXT UNIQUE,
  id_number_tail TEXT,
  name TEXT NOT NULL,
  name_pinyin TEXT NOT NULL,
  name_initials TEXT NOT NULL,
  gender TEXT,
  birth_date TEXT,
  ethnicity TEXT,
  political_status TEXT,
  education TEXT,
  marital_status TEXT,
  occupation TEXT,
  phone TEXT,
  phone_digest TEXT,
  phone_tail TEXT,
  hukou_address TEXT,
  room_id {{int}} REFERENCES places(id),
  address TEXT,
  residence_status TEXT,
  household_id {{int}} REFERENCES households(id),
  relation TEXT,
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','moved_out','deceased','merged')),
  status_date TEXT,
  status_reason TEXT,
  merged_into {{int}} REFERENCES persons(id),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX persons_community ON persons(community_id, status);
CREATE INDEX persons_grid ON persons(grid_id);
CREATE INDEX persons_name_birth ON persons(community_id, name, birth_date);
CREATE INDEX persons_household ON persons(household_id);
CREATE INDEX persons_room ON persons(room_id);
CREATE INDEX persons_id_number_tail ON persons(community_id, id_number_tail);
CREATE INDEX persons_phone_digest ON persons(community_id, phone_digest);
CREATE INDEX persons_phone_tail ON persons(community_id, phone_tail);

CREATE TABLE person_events (
  id {{pk}},
  person_id {{int}} NOT NULL REFERENCES persons(id),
  event TEXT NOT NULL,
  on_date TEXT,
  field TEXT,
  old_value TEXT,
  new_value TEXT,
  reason TEXT,
  import_id {{int}},
  recorded_at TEXT NOT NULL
);
CREATE INDEX person_events_person ON person_events(person_id, id);

CREATE TABLE imports (
  id {{pk}},
  community_id {{int}} NOT NULL REFERENCES org_units(id),
  file_name TEXT NOT NULL,
  file_sha256 TEXT NOT NULL,
  imported {{int}} NOT NULL,
  updated {{int}} NOT NULL,
  unchanged {{int}} NOT NULL,
  rejected {{int}} NOT NULL,
  finished_at TEXT NOT NULL
);

CREATE TABLE field_key (
  id {{int}} PRIMARY KEY CHECK (id = 1),
  key_check TEXT NOT NULL,
  created_at TEXT NOT NULL
);
)SQL";

}  // namespace

const char* const kSqlitePersonFtsInsertTrigger =
    "CREATE TRIGGER persons_fts_ai AFTER INSERT ON persons BEGIN\n"
    "  INSERT INTO person_fts(rowid, name, address) VALUES (new.id, new.name, new.address);\n"
    "END";

std::string PlaceGramsFillSql(Dialect d, const std::string& filter) {
  // n: character positions 1 … the longest address; x: every 1- and 2-character substring of each
  // place's address; a room keeps those its parent's address does not contain.
  std::string sql = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ";
  sql += "(SELECT max(length(pl.address)) FROM places pl WHERE " + filter + ")), ";
  sql += "x AS (SELECT pl.community_id, pl.id, pl.kind, pl.parent_id, ";
  sql += "substr(pl.address, n.i, k.k) AS gram FROM places pl JOIN n ON n.i <= length(pl.address) ";
  sql += "JOIN (SELECT 1 AS k UNION ALL SELECT 2) k ON n.i + k.k - 1 <= length(pl.address) ";
  sql += "WHERE " + filter + ") ";
  sql += "INSERT INTO place_grams (community_id, gram, place_id) ";
  sql += "SELECT DISTINCT x.community_id, x.gram, x.id FROM x ";
  sql += "LEFT JOIN places par ON par.id = x.parent_id ";
  sql += "WHERE x.kind <> 'room' OR par.id IS NULL OR par.kind = 'room' OR ";
  sql +=
      d == Dialect::kSqlite ? "instr(par.address, x.gram) = 0" : "strpos(par.address, x.gram) = 0";
  return sql + " ORDER BY 1, 2, 3";
}

namespace {

// Prefix searches use byte-wise ranges, so the search columns use binary collation on both engines.
// The search indexes (and the gram table's key) start with community_id: an import writes one
// community, so its index entries land in one contiguous range of each index instead of at random
// places all over it — at 1M persons, keys in random order made every import rewrite most pages of
// every such index (PERFORMANCE.md, B1). Searches name the communities they cover (registry/search.cc:
// the scope, or every community). Only id_number_digest stays global: it is unique store-wide.
// SQLite has no separate index on name: persons_name_birth (community_id, name, birth_date) serves
// equality on name.
constexpr const char* kV1Sqlite = R"SQL(
CREATE INDEX persons_pinyin ON persons(community_id, name_pinyin);
CREATE INDEX persons_initials ON persons(community_id, name_initials);
CREATE TABLE person_grams (community_id INTEGER NOT NULL, gram TEXT NOT NULL, person_id INTEGER NOT NULL,
  PRIMARY KEY (community_id, gram, person_id)) WITHOUT ROWID;
CREATE VIRTUAL TABLE person_fts USING fts5(name, address, content='persons', content_rowid='id', tokenize='trigram');
{{fts_ai}};
CREATE TRIGGER persons_fts_au AFTER UPDATE OF name, address ON persons BEGIN
  INSERT INTO person_fts(person_fts, rowid, name, address) VALUES ('delete', old.id, old.name, old.address);
  INSERT INTO person_fts(rowid, name, address) VALUES (new.id, new.name, new.address);
END;
)SQL";

constexpr const char* kV1Postgres = R"SQL(
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE INDEX persons_name ON persons(name COLLATE "C");
CREATE INDEX persons_pinyin ON persons(community_id, name_pinyin COLLATE "C");
CREATE INDEX persons_initials ON persons(community_id, name_initials COLLATE "C");
CREATE TABLE person_grams (community_id BIGINT NOT NULL, gram TEXT NOT NULL, person_id BIGINT NOT NULL,
  PRIMARY KEY (community_id, gram, person_id));
CREATE INDEX persons_trgm ON persons USING gin (name gin_trgm_ops, address gin_trgm_ops);
)SQL";

// Schema v2: accounts and sessions (auth/accounts.h). Times are integer Unix seconds from the
// injectable auth::Clock (timeouts are arithmetic on them). users.role holds a key of the role
// table in auth/roles.cc and users.org_id the root of the user's scope. totp_secret is Base32 in
// plain text until the field-encryption module wraps it; totp_last_step is the last accepted TOTP
// step (replay guard). sessions.id is the SHA-256 hex of the session token, never the token.
constexpr const char* kV2AccountsCommon = R"SQL(
CREATE TABLE users (
  id {{pk}},
  username TEXT NOT NULL UNIQUE,
  display_name TEXT NOT NULL,
  role TEXT NOT NULL,
  org_id {{int}} NOT NULL REFERENCES org_units(id),
  password_hash TEXT NOT NULL,
  password_changed_at {{int}} NOT NULL,
  must_change_password {{int}} NOT NULL DEFAULT 0,
  failed_count {{int}} NOT NULL DEFAULT 0,
  first_failed_at {{int}},
  locked_until {{int}},
  totp_secret TEXT,
  totp_enabled {{int}} NOT NULL DEFAULT 0,
  totp_last_step {{int}},
  disabled {{int}} NOT NULL DEFAULT 0,
  last_login_at {{int}},
  created_at {{int}} NOT NULL,
  updated_at {{int}} NOT NULL
);
CREATE INDEX users_org ON users(org_id);

CREATE TABLE sessions (
  id TEXT PRIMARY KEY,
  user_id {{int}} NOT NULL REFERENCES users(id),
  csrf_token TEXT NOT NULL,
  created_at {{int}} NOT NULL,
  last_seen_at {{int}} NOT NULL,
  expires_at {{int}} NOT NULL,
  ip TEXT,
  user_agent TEXT,
  revoked_at {{int}},
  revoke_reason TEXT
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);
)SQL";

// Schema v3: the hash-chained audit log (audit/audit_log.h) and its in-database anchor row.
// details is TEXT on both engines (not jsonb): the chain hashes the exact stored bytes. No foreign
// keys: records outlive the users and org units they name.
constexpr const char* kV3AuditCommon = R"SQL(
CREATE TABLE audit_log (
  seq {{int}} PRIMARY KEY,
  at TEXT NOT NULL,
  user_id {{int}},
  actor TEXT NOT NULL,
  role TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  org_id {{int}},
  outcome TEXT NOT NULL,
  reason TEXT NOT NULL,
  details TEXT NOT NULL,
  client_ip TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_log_actor ON audit_log(actor, seq);
CREATE INDEX audit_log_user ON audit_log(user_id, seq);
CREATE INDEX audit_log_action ON audit_log(action, seq);
CREATE INDEX audit_log_target ON audit_log(target_type, target_id, seq);
CREATE INDEX audit_log_org ON audit_log(org_id, seq);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE TABLE audit_anchor (
  id {{int}} PRIMARY KEY CHECK (id = 1),
  seq {{int}} NOT NULL,
  hash TEXT NOT NULL,
  key_check TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
INSERT INTO audit_anchor (id, seq, hash, key_check, updated_at)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000', '', '');
)SQL";

// Append-only for every role: UPDATE and DELETE of records, and deleting the anchor row or
// changing its key check once set, abort.
constexpr const char* kV3AuditSqlite = R"SQL(
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
CREATE TRIGGER audit_anchor_no_delete BEFORE DELETE ON audit_anchor BEGIN
  SELECT RAISE(ABORT, 'audit_anchor cannot be deleted');
END;
CREATE TRIGGER audit_anchor_key_check BEFORE UPDATE OF key_check ON audit_anchor
WHEN old.key_check <> '' AND new.key_check <> old.key_check BEGIN
  SELECT RAISE(ABORT, 'audit key check cannot change');
END;
)SQL";

constexpr const char* kV3AuditPostgres = R"SQL(
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP;
END $$;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE FUNCTION audit_anchor_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND (OLD.key_check = '' OR NEW.key_check = OLD.key_check) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'audit_anchor: % refused', TG_OP;
END $$;
CREATE TRIGGER audit_anchor_guard BEFORE UPDATE OR DELETE ON audit_anchor
  FOR EACH ROW EXECUTE FUNCTION audit_anchor_guard();
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON audit_anchor
  FOR EACH STATEMENT EXECUTE FUNCTION audit_anchor_guard();
)SQL";

// Schema v4: the ledger engine's shared tables (ledger/engine.h). Each declared ledger adds its own
// table ledger_<key> (entry_id + one column f_<field> per declared field), created and extended by
// ledger::SyncSchema from the declarations; ledger_columns records what each such table holds.
// ledger_entries.person_id is the person enrolled (household ledgers: the head at enrolment) and
// gives the entry its org scope; at most one open entry per ledger and subject.
constexpr const char* kV4LedgersCommon = R"SQL(
CREATE TABLE ledger_entries (
  id {{pk}},
  ledger TEXT NOT NULL,
  subject_id {{int}} NOT NULL,
  person_id {{int}} NOT NULL REFERENCES persons(id),
  household_id {{int}} REFERENCES households(id),
  stage TEXT NOT NULL,
  enrolled_on TEXT NOT NULL,
  exited_on TEXT,
  exit_reason TEXT,
  last_followup_on TEXT,
  next_due_on TEXT,
  responsible_user_id {{int}},
  version {{int}} NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE UNIQUE INDEX ledger_entries_open ON ledger_entries(ledger, subject_id) WHERE exited_on IS NULL;
CREATE INDEX ledger_entries_person ON ledger_entries(person_id);
CREATE INDEX ledger_entries_due ON ledger_entries(ledger, next_due_on);
CREATE INDEX ledger_entries_ledger ON ledger_entries(ledger, id);

CREATE TABLE ledger_events (
  id {{pk}},
  entry_id {{int}} NOT NULL REFERENCES ledger_entries(id),
  event TEXT NOT NULL,
  label TEXT NOT NULL,
  on_date TEXT NOT NULL,
  stage_from TEXT,
  stage_to TEXT,
  reason TEXT,
  changes TEXT,
  requested_by {{int}},
  approved_by {{int}},
  recorded_at TEXT NOT NULL
);
CREATE INDEX ledger_events_entry ON ledger_events(entry_id, id);

CREATE TABLE ledger_visits (
  id {{pk}},
  entry_id {{int}} NOT NULL REFERENCES ledger_entries(id),
  visited_on TEXT NOT NULL,
  visitor_id {{int}},
  method TEXT,
  notes TEXT,
  recorded_at TEXT NOT NULL
);
CREATE INDEX ledger_visits_entry ON ledger_visits(entry_id, visited_on);

CREATE TABLE ledger_reports (
  id {{pk}},
  entry_id {{int}} NOT NULL REFERENCES ledger_entries(id),
  ledger TEXT NOT NULL,
  report_date TEXT NOT NULL,
  worker_id {{int}},
  zero {{int}} NOT NULL,
  details TEXT,
  recorded_at TEXT NOT NULL,
  UNIQUE (entry_id, report_date)
);
CREATE INDEX ledger_reports_date ON ledger_reports(ledger, report_date);

CREATE TABLE ledger_approvals (
  id {{pk}},
  ledger TEXT NOT NULL,
  entry_id {{int}},
  action TEXT NOT NULL,
  label TEXT NOT NULL,
  payload TEXT NOT NULL,
  community_id {{int}} NOT NULL REFERENCES org_units(id),
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending','approved','rejected')),
  requested_by {{int}} NOT NULL,
  requested_at TEXT NOT NULL,
  decided_by {{int}},
  decided_at TEXT,
  note TEXT
);
CREATE INDEX ledger_approvals_status ON ledger_approvals(status, community_id);
CREATE INDEX ledger_approvals_entry ON ledger_approvals(entry_id);

CREATE TABLE ledger_intervals (
  ledger TEXT NOT NULL,
  district_id {{int}} NOT NULL REFERENCES org_units(id),
  code TEXT NOT NULL,
  days {{int}} NOT NULL,
  PRIMARY KEY (ledger, district_id, code)
);

CREATE TABLE ledger_columns (
  ledger TEXT NOT NULL,
  field TEXT NOT NULL,
  type TEXT NOT NULL,
  added_at TEXT NOT NULL,
  retired_at TEXT,
  PRIMARY KEY (ledger, field)
);
)SQL";

// v5: what ledger statistics for a past date and attachment fields need. ledger_field_history
// keeps each field value an entry held before a change and the date the change took effect, so
// that a statistic "as of" a past date counts the class or amount the entry had then.
// ledger_attachments holds uploaded files of attachment fields, encrypted with the field key
// (scans of certificates and approval forms are personal information); entry_id is NULL until
// an entry takes the upload.
constexpr const char* kV5LedgerHistoryCommon = R"SQL(
CREATE TABLE ledger_field_history (
  id {{pk}},
  entry_id {{int}} NOT NULL REFERENCES ledger_entries(id),
  field TEXT NOT NULL,
  changed_on TEXT NOT NULL,
  old_int {{int}},
  old_text TEXT
);
CREATE INDEX ledger_field_history_entry ON ledger_field_history(entry_id, field, changed_on);

CREATE TABLE ledger_attachments (
  id {{pk}},
  ledger TEXT NOT NULL,
  field TEXT NOT NULL,
  entry_id {{int}} REFERENCES ledger_entries(id),
  file_name TEXT NOT NULL,
  kind TEXT NOT NULL,
  size_bytes {{int}} NOT NULL,
  sha256 TEXT NOT NULL,
  content TEXT NOT NULL,
  uploaded_by {{int}} NOT NULL,
  uploaded_at TEXT NOT NULL
);
CREATE INDEX ledger_attachments_entry ON ledger_attachments(entry_id);
)SQL";

// Schema v6: the address grams (registry/search.cc), so that a 1- or 2-character address fragment
// (no trigram below 3 characters) is found through an index instead of a scan of every resident.
// Keyed like person_grams, community first. Kept per place, not per person: a person's address is
// their room's canonical address (org::PlaceCache), and there are fewer places than persons
// (about 0.44 per person in the demo). A place other than a room holds every 1- and 2-gram of its
// address; a room only those its parent's address lacks (its own segment, "401室", and the
// character before it), about 7 rows instead of 25. A fragment's persons are then those in rooms
// holding it and those in rooms whose parent holds it. Filled for existing places here;
// org::PlaceCache writes the same grams for the places it creates.
constexpr const char* kV6PlaceGramsSqlite = R"SQL(
CREATE TABLE place_grams (community_id INTEGER NOT NULL, gram TEXT NOT NULL, place_id INTEGER NOT NULL,
  PRIMARY KEY (community_id, gram, place_id)) WITHOUT ROWID;
)SQL";

constexpr const char* kV6PlaceGramsPostgres = R"SQL(
CREATE TABLE place_grams (community_id BIGINT NOT NULL, gram TEXT NOT NULL, place_id BIGINT NOT NULL,
  PRIMARY KEY (community_id, gram, place_id));
)SQL";

std::string V6Sql(Dialect d) {
  return std::string(d == Dialect::kSqlite ? kV6PlaceGramsSqlite : kV6PlaceGramsPostgres) +
         PlaceGramsFillSql(d, "1 = 1") + ";\n";
}

std::string Expand(std::string sql, Dialect d) {
  for (size_t pos; (pos = sql.find("{{fts_ai}}")) != std::string::npos;)
    sql.replace(pos, 10, kSqlitePersonFtsInsertTrigger);
  auto replace_all = [&](const std::string& from, const std::string& to) {
    for (size_t pos = 0; (pos = sql.find(from, pos)) != std::string::npos; pos += to.size())
      sql.replace(pos, from.size(), to);
  };
  replace_all("{{pk}}", d == Dialect::kSqlite ? "INTEGER PRIMARY KEY" : "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY");
  replace_all("{{int}}", d == Dialect::kSqlite ? "INTEGER" : "BIGINT");
  return sql;
}

}  // namespace

const std::vector<Migration>& AllMigrations() {
  static const std::string kV6Sqlite = V6Sql(Dialect::kSqlite),
                           kV6Postgres = V6Sql(Dialect::kPostgres);
  static const std::vector<Migration> kAll = {
      {1, "registry", kV1Common, kV1Sqlite, kV1Postgres},
      {2, "accounts", kV2AccountsCommon, "", ""},
      {3, "audit", kV3AuditCommon, kV3AuditSqlite, kV3AuditPostgres},
      {4, "ledgers", kV4LedgersCommon, "", ""},
      {5, "ledger_history", kV5LedgerHistoryCommon, "", ""},
      {6, "place_grams", "", kV6Sqlite.c_str(), kV6Postgres.c_str()},
  };
  return kAll;
}

int LatestSchemaVersion() { return AllMigrations().back().version; }

Result<int> SchemaVersion(Db& db) {
  std::string sql = db.dialect() == Dialect::kSqlite
                        ? "SELECT count(*) FROM sqlite_master WHERE name='schema_migrations'"
                        : "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() "
                          "AND table_name='schema_migrations'";
  ASSIGN_OR_RETURN(int64_t exists, db.QueryInt(sql));
  if (!exists) return 0;
  ASSIGN_OR_RETURN(int64_t v, db.QueryInt("SELECT max(version) FROM schema_migrations"));
  return static_cast<int>(v);
}

Status Migrate(Db& db) {
  ASSIGN_OR_RETURN(int current, SchemaVersion(db));
  if (current > LatestSchemaVersion())
    return Error(ErrorCode::kStorageSchemaTooNew,
                 {{"found", std::to_string(current)}, {"supported", std::to_string(LatestSchemaVersion())}});
  if (current == LatestSchemaVersion()) return Status::Ok();
  return InTransaction(db, [&]() -> Status {
    // Re-read under the write lock: another process may have migrated meanwhile.
    if (db.dialect() == Dialect::kPostgres)
      RETURN_IF_ERROR(db.ExecScript("SELECT pg_advisory_xact_lock(7426001)"));
    ASSIGN_OR_RETURN(int now_version, SchemaVersion(db));
    if (now_version == 0)
      RETURN_IF_ERROR(db.ExecScript(
          "CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"));
    for (const Migration& m : AllMigrations()) {
      if (m.version <= now_version) continue;
      if (*m.common_sql) RETURN_IF_ERROR(db.ExecScript(Expand(m.common_sql, db.dialect())));
      const char* extra = db.dialect() == Dialect::kSqlite ? m.sqlite_sql : m.postgres_sql;
      if (extra && *extra) RETURN_IF_ERROR(db.ExecScript(Expand(extra, db.dialect())));
      RETURN_IF_ERROR(db.Exec("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                              {int64_t{m.version}, std::string(m.name), NowIso()}));
    }
    return Status::Ok();
  });
}

}  // namespace linli::storage
