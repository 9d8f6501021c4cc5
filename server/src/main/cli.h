// Command-line front end: `linli <command> [--db URL] [--json] …`. Each command is declared once in
// the command table (name, summary, handler) from which the help text is derived.
#pragma once

namespace linli::cli {

int Main(int argc, char** argv);

}  // namespace linli::cli
