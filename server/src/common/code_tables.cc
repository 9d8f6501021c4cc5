// Parses the embedded code tables once and answers lookups.
#include "common/code_tables.h"
