// The `linli audit …` subcommands, registered in the command table of commands.cc:
//   audit verify   checks the hash chain and both anchors (exit 0 "ok", exit 1 on any break)
//   audit search   the auditor's search, itself recorded as an audit_search record
// Both take --audit-key PATH (default $LINLI_AUDIT_KEY or data/audit.key; see audit/chain.h).
#pragma once

#include "main/commands.h"

namespace linli::cli {

int CmdAuditVerify(const Args& a);
int CmdAuditSearch(const Args& a);

}  // namespace linli::cli
