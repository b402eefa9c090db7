#include "core/json_depth.h"

#include <cstring>
#include <string>

namespace custodian {

Status CheckJsonDepth(std::string_view text, std::string_view pointer, size_t max_depth) {
  // Text with no more opening brackets than the limit cannot nest deeper, whatever its
  // strings hold: counted with memchr, where every ingested line would otherwise be walked
  // byte by byte.
  if (text.empty()) return Status::Ok();
  size_t opening = 0;
  for (const char bracket : {'{', '['}) {
    for (const char* p = text.data(); opening <= max_depth;) {
      const size_t left = static_cast<size_t>(text.data() + text.size() - p);
      p = static_cast<const char*>(std::memchr(p, bracket, left));
      if (p == nullptr) break;
      ++opening;
      ++p;
    }
  }
  if (opening <= max_depth) return Status::Ok();
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
