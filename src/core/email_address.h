// Whether a text is an e-mail address custodian sends to: a staff user's, the `from` of the
// instance's mail. Deliberately narrower than RFC 5321 allows (no quoted local parts, no
// address literals, ASCII only): what is accepted goes into an SMTP envelope and a message's
// headers as it is, so nothing that could end a line or a header may pass.
// Pure functions: safe from any thread.
#pragma once

#include <string_view>

#include "core/status.h"

namespace custodian {

// Ok for local@domain: a local part of 1 to 64 of letters, digits and !#$%&'*+-/=?^_`{|}~
// in dot-separated words; a domain of at least two dot-separated labels, each 1 to 63 of
// letters, digits and hyphens, neither beginning nor ending with a hyphen; 254 bytes at most.
// Otherwise InvalidArgument "FIELD: …" saying what is wrong (never repeating the address).
Status CheckEmailAddress(std::string_view address, std::string_view field);

}  // namespace custodian
