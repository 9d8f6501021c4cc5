// The `linli user …` subcommands: create and list accounts, reset passwords and TOTP, unlock.
// Registered in the command table of commands.cc; each takes the parsed arguments and returns the
// process exit code (0 success, 1 error). Secrets (generated passwords, TOTP keys) are printed
// once, to stdout, and never stored in clear.
#pragma once

#include "main/commands.h"

namespace linli::cli {

// user add --username U --role R --org CODE [--name N] [--password P | --generate]; without
// either, the password is read from stdin (twice, without echo, on a terminal).
int CmdUserAdd(const Args& a);
// user list [--json]
int CmdUserList(const Args& a);
// user reset-password --username U [--password P | --generate | stdin]
int CmdUserResetPassword(const Args& a);
// user reset-totp --username U: a new TOTP secret, printed once as an otpauth:// URI.
int CmdUserResetTotp(const Args& a);
// user unlock --username U: clears failed logins and a lockout.
int CmdUserUnlock(const Args& a);

}  // namespace linli::cli
