#include "bench/event_reader.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <vector>

#include <simdjson.h>

#include "core/time.h"

namespace custodian::bench {
namespace {

// The DOM parser picks its kernel for this CPU at run time; the On-Demand front end is
// compiled into the caller for the CPU the compiler targets (plain x86-64: the slow one).
namespace dom = simdjson::dom;

constexpr size_t kChunkBytes = 16 << 20;  // a line longer than this is refused

Status BadLine(uint64_t line, const std::string& why) {
  return Status::InvalidArgument("line " + std::to_string(line) + ": " + why);
}

// An optional string field: absent and null are both empty.
bool ReadOptionalString(dom::element value, std::string_view& out) {
  return value.is_null() || value.get_string().get(out) == simdjson::SUCCESS;
}

Status ParseEvent(dom::element doc, uint64_t line, Event& e) {
  dom::object object;
  if (doc.get_object().get(object) != simdjson::SUCCESS) return BadLine(line, "not an object");
  bool have_account = false, have_ts = false, have_kind = false, have_ip = false;
  for (const dom::key_value_pair field : object) {
    const std::string_view key = field.key;
    const dom::element value = field.value;
    if (key == "account_id") {
      if (value.is_string()) {  // "as a JSON number or a decimal string"
        const std::string_view text = value.get_string().value_unsafe();
        const char* last = text.data() + text.size();
        const auto [end, ec] = std::from_chars(text.data(), last, e.account_id);
        if (ec != std::errc() || end != last) {
          return BadLine(line, "account_id is not an unsigned 64-bit integer");
        }
      } else if (value.get_uint64().get(e.account_id) != simdjson::SUCCESS) {
        return BadLine(line, "account_id is not an unsigned 64-bit integer");
      }
      have_account = true;
    } else if (key == "ts") {
      if (value.get_string().get(e.ts_text) != simdjson::SUCCESS) {
        return BadLine(line, "ts is not a string");
      }
      const Result<Timestamp> ts = ParseDateTime(e.ts_text);
      if (!ts.ok()) return BadLine(line, "ts is not a date-time " + ts.status().message());
      e.ts_us = ts->micros;
      have_ts = true;
    } else if (key == "kind") {
      std::string_view name;
      std::optional<EventKind> kind;
      if (value.get_string().get(name) != simdjson::SUCCESS || !(kind = ParseKind(name))) {
        return BadLine(line, "kind is not one of the six kinds");
      }
      e.kind = *kind;
      have_kind = true;
    } else if (key == "ip") {
      if (value.get_string().get(e.ip) != simdjson::SUCCESS) {
        return BadLine(line, "ip is not a string");
      }
      have_ip = true;
    } else if (key == "port") {
      uint64_t port;
      if (value.is_null()) continue;
      if (value.get_uint64().get(port) != simdjson::SUCCESS || port > 65535) {
        return BadLine(line, "port is not a port number");
      }
      e.port = static_cast<uint16_t>(port);
    } else if (key == "user_agent") {
      if (!ReadOptionalString(value, e.user_agent)) {
        return BadLine(line, "user_agent is not a string");
      }
    } else if (key == "device_id") {
      if (!ReadOptionalString(value, e.device_id)) {
        return BadLine(line, "device_id is not a string");
      }
    }
  }
  if (!have_account || !have_ts || !have_kind || !have_ip) {
    return BadLine(line, "account_id, ts, kind and ip are required");
  }
  return Status::Ok();
}

}  // namespace

Result<uint64_t> ReadEvents(const std::string& path,
                            const std::function<Status(const Event&)>& sink) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::IoError("cannot open " + path + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};

  // simdjson reads up to SIMDJSON_PADDING bytes past a document: the buffer has them.
  std::vector<char> buffer(kChunkBytes + simdjson::SIMDJSON_PADDING);
  dom::parser parser;
  size_t have = 0;
  uint64_t line = 0;
  uint64_t events = 0;
  bool eof = false;
  while (!eof || have > 0) {
    while (!eof && have < kChunkBytes) {
      const ssize_t n = ::read(fd, buffer.data() + have, kChunkBytes - have);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::IoError("cannot read " + path + ": " + std::strerror(errno));
      if (n == 0) eof = true;
      have += static_cast<size_t>(n);
    }
    size_t start = 0;
    while (start < have) {
      const char* newline =
          static_cast<const char*>(std::memchr(buffer.data() + start, '\n', have - start));
      if (newline == nullptr && !eof) break;  // the rest of this line is still in the file
      const size_t end = newline ? static_cast<size_t>(newline - buffer.data()) : have;
      ++line;
      if (end > start) {
        dom::element doc;
        if (parser.parse(buffer.data() + start, end - start, false).get(doc) != simdjson::SUCCESS) {
          return BadLine(line, "not JSON");
        }
        Event event;
        if (Status s = ParseEvent(doc, line, event); !s.ok()) return s;
        if (Status s = sink(event); !s.ok()) return s;
        ++events;
      }
      start = end + 1;
    }
    if (start == 0 && have == kChunkBytes) return BadLine(line + 1, "longer than 16 MiB");
    start = std::min(start, have);
    std::memmove(buffer.data(), buffer.data() + start, have - start);
    have -= start;
  }
  return events;
}

}  // namespace custodian::bench
