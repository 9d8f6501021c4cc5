// JSON views with server-side masking.
#include "http/json_views.h"

#include "common/code_tables.h"

namespace linli::http {

nlohmann::json OrgJson(const org::OrgUnit& unit) {
  return {{"id", unit.id},
          {"code", unit.code},
          {"name", unit.name},
          {"level", org::LevelKey(unit.level)},
          {"level_label", org::LevelLabel(unit.level)},
          {"parent_id", unit.parent_id}};
}

nlohmann::json UserJson(storage::Db& db, const auth::User& user) {
  const auth::Role* role = user.role_info();
  nlohmann::json org = nullptr;
  if (auto unit = org::GetOrg(db, user.org_id); unit.ok()) org = OrgJson(*unit);
  return {{"id", user.id},
          {"username", user.username},
          {"display_name", user.display_name},
          {"role", user.role},
          {"role_label", role ? std::string(role->label) : user.role},
          {"org", org},
          {"totp_enabled", user.totp_enabled},
          {"disabled", user.disabled},
          {"must_change_password", user.must_change_password},
          {"locked_until", user.locked_until},
          {"last_login_at", user.last_login_at}};
}

std::string MaskedFor(const std::string& role, const std::string& field, const std::string& value) {
  const access::Policy& policy = access::Policy::Get();
  const access::SensitiveField* f = policy.FindSensitive(field);
  if (!f || policy.SeesClear(role, field)) return value;
  return access::Mask(f->mask, value);
}

nlohmann::json PersonJson(const registry::Person& p, const std::string& role) {
  nlohmann::json fields = nlohmann::json::object();
  nlohmann::json masked = nlohmann::json::array();
  const auto& cols = registry::RegistryColumns();
  for (size_t i = 0; i < cols.size(); ++i) {
    if (!registry::IsPersonColumn(cols[i])) continue;
    const std::string& v = p.fields.values[i];
    if (cols[i].type == registry::ColumnType::kCode) {
      const CodeTable* t = CodeTables::Get().Find(cols[i].code_table);
      fields[cols[i].key] = v.empty() ? nlohmann::json(nullptr)
                                      : nlohmann::json{{"code", v}, {"label", t ? t->LabelOf(v) : v}};
      continue;
    }
    std::string shown = MaskedFor(role, cols[i].key, v);
    if (shown != v) masked.push_back(cols[i].key);
    fields[cols[i].key] = shown;
  }
  return {{"id", p.id},
          {"community_id", p.community_id},
          {"grid_id", p.grid_id},
          {"room_id", p.room_id},
          {"household_id", p.household_id},
          {"status", p.status},
          {"status_date", p.status_date},
          {"status_reason", p.status_reason},
          {"merged_into", p.merged_into},
          {"fields", fields},
          {"masked_fields", masked}};
}

nlohmann::json HitJson(const registry::SearchHit& h, const std::string& role) {
  return {{"id", h.person_id},
          {"name", h.name},
          {"id_number", MaskedFor(role, "id_number", h.id_number)},
          {"gender", h.gender},
          {"birth_date", h.birth_date},
          {"phone", MaskedFor(role, "phone", h.phone)},
          {"address", h.address},
          {"status", h.status},
          {"community_id", h.community_id},
          {"matched_by", h.matched_by}};
}

}  // namespace linli::http
