#include "core/json_depth.h"

#include <string>

namespace custodian {

Status CheckJsonDepth(std::string_view text, std::string_view pointer, size_t max_depth) {
  size_t depth = 0, line = 1, column = 0;
  bool in_string = false, escaped = false;
  for (const char c : text) {
    // Columns count code points: a UTF-8 continuation byte continues the previous one.
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++column;
    if (c == '\n') {
      ++line;
      column = 0;
    }
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) {
        return Status::InvalidArgument((pointer.empty() ? "/" : std::string(pointer)) +
                                       ": nested deeper than " + std::to_string(max_depth) +
                                       " levels at " + std::to_string(line) + ":" +
                                       std::to_string(column));
      }
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

}  // namespace custodian
