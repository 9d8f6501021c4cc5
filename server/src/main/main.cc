// The `linli` command: dispatches subcommands (see cli.h).
#include "main/cli.h"

int main(int argc, char** argv) { return linli::cli::Main(argc, argv); }
