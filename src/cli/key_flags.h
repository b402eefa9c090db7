// The public keys a verifying command takes (`verify --public-key/--ledger-key`, `report verify
// --ledger-key`): the key's base64 text itself (as `keys export-public` prints it and the
// keys document's `public_key` holds it), a file holding it, or the keys document
// GET /api/v1/keys serves (every key of `purpose`, retired ones included: the check picks the
// one a signature names), as a file or as the text.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "ledger/public_keys.h"

namespace custodian {

// InvalidArgument naming `flag`: "--ledger-key: /0/purpose: not a ledger key …".
Result<std::vector<ledger::TrustedKey>> KeysFrom(const std::string& arg, const char* flag,
                                                 std::string_view purpose);

}  // namespace custodian
