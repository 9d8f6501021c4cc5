// The registry's write routes (create, edit, move, end, merge). Creating and editing run the
// one-row form through the import's rules (registry/import.h), so a form gets exactly the
// validation, normalisation and Chinese messages of an Excel import, shown at the field.
#pragma once

#include "http/app.h"
#include "registry/person.h"

namespace linli::http {

void AddRegistryWriteRoutes(App& app, Router& router);
// Household changes (household_routes.cc): address, head, members and their relation.
void AddHouseholdWriteRoutes(App& app, Router& router);

// The person of the path's {id} when it is in the caller's scope; otherwise the denial is audited
// and the answer is the 404 a missing person gets (same message, same work).
Result<registry::Person> PersonInScope(RequestState& st, Context& ctx);

}  // namespace linli::http
