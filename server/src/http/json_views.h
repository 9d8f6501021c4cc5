// JSON views of registry and account records for the API. Sensitive fields (data/policy/
// fields.csv) are masked here, on the server, for every role not listed as seeing them in clear;
// the clear value leaves the server only through the audited reveal route.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "auth/accounts.h"
#include "http/app.h"
#include "org/org.h"
#include "registry/person.h"
#include "registry/search.h"

namespace linli::http {

nlohmann::json OrgJson(const org::OrgUnit& unit);
// The user with their role label and org unit.
nlohmann::json UserJson(storage::Db& db, const auth::User& user);
// `value` of registry column `field` as `role` may see it.
std::string MaskedFor(const std::string& role, const std::string& field, const std::string& value);
// A person's fields (codes with labels), status and links, sensitive fields masked for `role`.
nlohmann::json PersonJson(const registry::Person& person, const std::string& role);
// A search hit, masked for `role`.
nlohmann::json HitJson(const registry::SearchHit& hit, const std::string& role);

}  // namespace linli::http
