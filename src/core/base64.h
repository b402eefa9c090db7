// Standard base64 (RFC 4648 section 4: the `+/` alphabet, padded with `=`) over libsodium.
// Decoding is strict, so that one value has one spelling: no white space, no missing
// padding, no URL-safe alphabet, and no stray bits in the last character. Pure functions:
// safe from any thread.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/status.h"

namespace custodian {

std::string Base64Encode(std::span<const uint8_t> bytes);
std::string Base64Encode(std::string_view bytes);

// The bytes `text` encodes, or InvalidArgument "not padded standard base64".
Result<std::string> Base64Decode(std::string_view text);

}  // namespace custodian
