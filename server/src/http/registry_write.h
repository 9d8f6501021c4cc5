// The registry's write routes (create, edit, move, end, merge). Creating and editing run the
// one-row form through the import's rules (registry/import.h), so a form gets exactly the
// validation, normalisation and Chinese messages of an Excel import, shown at the field.
#pragma once

#include "http/app.h"

namespace linli::http {

void AddRegistryWriteRoutes(App& app, Router& router);

}  // namespace linli::http
