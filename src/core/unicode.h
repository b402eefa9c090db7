// UTF-8 helpers for lengths and white space as the specs define them: lengths are in
// Unicode code points, "blank" means nothing left after trimming Unicode White_Space.
// Pure functions: safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace custodian {

// True when `text` is well-formed UTF-8 (no overlong forms, surrogates or values past
// U+10FFFF).
bool IsValidUtf8(std::string_view text);

// Decodes the code point at text[pos] and advances pos. Ill-formed bytes decode as
// U+FFFD one byte at a time, so every input makes progress.
char32_t DecodeUtf8(std::string_view text, size_t& pos);

void AppendUtf8(std::string& out, char32_t cp);

// The Unicode White_Space property (PropList.txt).
bool IsUnicodeWhiteSpace(char32_t cp);

// ECMAScript's \s (WhiteSpace and LineTerminator), which JSON Schema patterns use.
bool IsEcmaWhiteSpace(char32_t cp);

size_t CodePointCount(std::string_view text);

// `text` without leading and trailing Unicode White_Space.
std::string_view TrimWhiteSpace(std::string_view text);

// Code points left after trimming: the specs' "text length".
inline size_t TrimmedLength(std::string_view text) {
  return CodePointCount(TrimWhiteSpace(text));
}

// ASCII lower-casing (domains, e-mail addresses); other bytes are left as they are.
std::string AsciiLower(std::string_view text);

}  // namespace custodian
