// `linli ledger …` commands and the ledger forms of `linli import` / `linli export` (--ledger KEY).
// Extra declaration folders come from --ledgers DIRS (colon-separated) or $LINLI_LEDGERS.
#pragma once

#include "main/commands.h"

namespace linli::cli {

int CmdLedgerCheck(const Args& a);
int CmdLedgerList(const Args& a);
int CmdLedgerShow(const Args& a);
int CmdLedgerEntries(const Args& a);
int CmdLedgerStats(const Args& a);
int CmdLedgerImport(const Args& a);
int CmdLedgerExport(const Args& a);

}  // namespace linli::cli
