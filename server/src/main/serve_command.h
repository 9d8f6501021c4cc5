// `linli serve`: the HTTP server over a store.
#pragma once

#include "main/commands.h"

namespace linli::cli {

int CmdServe(const Args& args);

}  // namespace linli::cli
