// How deeply a JSON text nests, measured before anything is built from it. A JSON library's
// dump, copy and comparison recurse once per level, so a document of 50,000 nested arrays
// (100 KB) overflows the stack of whatever touches it; every document from outside (an HTTP
// body, a CLI file, an ingest line) passes this guard first. It is a plain scan of the bytes
// that counts brackets outside strings: it neither recurses nor allocates, so any input is
// safe to give it, and it checks nothing else (a reader checks the JSON after).
// Pure function: safe from any thread.
#pragma once

#include <cstddef>
#include <string_view>

#include "core/status.h"

namespace custodian {

// The deepest nesting any document we read needs, and more: the outermost array or object
// is level 1.
inline constexpr size_t kMaxJsonDepth = 64;

// OK when no array or object of `text` lies deeper than `max_depth` levels; otherwise
// InvalidArgument naming the limit and where it was passed (line and column, in code points),
// after `pointer`, the JSON pointer of the text in its request ("" for a whole document):
// "/: nested deeper than 64 levels at 1:65", "/scope: nested deeper than 64 levels at 1:65".
Status CheckJsonDepth(std::string_view text, std::string_view pointer = "",
                      size_t max_depth = kMaxJsonDepth);

}  // namespace custodian
