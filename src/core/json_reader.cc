#include "core/json_reader.h"

#include <charconv>
#include <cstdio>
#include <system_error>

#include "core/unicode.h"

namespace custodian {
namespace {

using nlohmann::json;

class Reader {
 public:
  Reader(std::string_view text, const JsonLimits& limits, JsonDocument& doc)
      : text_(text), limits_(limits), doc_(doc) {}

  bool Run(JsonSyntaxError& error) {
    if (text_.starts_with("\xEF\xBB\xBF")) pos_ = col_pos_ = line_start_ = 3;
    std::string pointer;
    SkipSpace();
    if (!failed_) ReadValue(pointer, doc_.root, 0);
    if (!failed_) {
      SkipSpace();
      if (pos_ != text_.size()) Fail(pointer, "unexpected data after the document");
    }
    if (failed_) error = std::move(error_);
    return !failed_;
  }

 private:
  TextPosition Here() {
    // Columns are counted in code points, incrementally: positions only move forward.
    if (col_pos_ < line_start_ || col_pos_ > pos_) col_pos_ = line_start_, col_ = 1;
    while (col_pos_ < pos_ && col_pos_ < text_.size()) {
      DecodeUtf8(text_, col_pos_);
      ++col_;
    }
    return {line_, col_};
  }

  void Fail(const std::string& pointer, std::string what) {
    if (failed_) return;
    failed_ = true;
    error_ = {pointer, Here(), std::move(what)};
  }

  std::string TooDeep() const {
    return "nested deeper than " + std::to_string(limits_.max_depth) + " levels";
  }

  void SkipSpace() {
    while (pos_ < text_.size()) {
      const char c = text_[pos_];
      if (c == '\n') {
        ++line_;
        line_start_ = ++pos_;
        col_pos_ = line_start_;
        col_ = 1;
      } else if (c == ' ' || c == '\t' || c == '\r') {
        ++pos_;
      } else {
        return;
      }
    }
  }

  bool Expect(const std::string& pointer, std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) {
      Fail(pointer, "unexpected character");
      return false;
    }
    pos_ += word.size();
    return true;
  }

  void ReadValue(const std::string& pointer, json& out, size_t depth) {
    if (limits_.record_positions) doc_.positions[pointer] = Here();
    if (pos_ >= text_.size()) return Fail(pointer, "unexpected end of the document");
    switch (text_[pos_]) {
      case '{': return ReadObject(pointer, out, depth + 1);
      case '[': return ReadArray(pointer, out, depth + 1);
      case '"': {
        std::string s;
        if (ReadString(pointer, s)) out = std::move(s);
        return;
      }
      case 't':
        if (Expect(pointer, "true")) out = true;
        return;
      case 'f':
        if (Expect(pointer, "false")) out = false;
        return;
      case 'n':
        if (Expect(pointer, "null")) out = nullptr;
        return;
      default: return ReadNumber(pointer, out);
    }
  }

  void ReadObject(const std::string& pointer, json& out, size_t depth) {
    if (depth > limits_.max_depth) return Fail(pointer, TooDeep());
    out = json::object();
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == '}') {
      ++pos_;
      return;
    }
    while (!failed_) {
      if (pos_ >= text_.size() || text_[pos_] != '"') {
        return Fail(pointer, "expected a property name in double quotes");
      }
      std::string key;
      if (!ReadString(pointer, key)) return;
      std::string child = pointer;
      AppendPointerToken(child, key);
      if (out.contains(key)) return Fail(child, "duplicate property");
      SkipSpace();
      if (pos_ >= text_.size() || text_[pos_] != ':') return Fail(child, "expected ':'");
      ++pos_;
      SkipSpace();
      json& slot = out[key];
      ReadValue(child, slot, depth);
      if (failed_) return;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
      } else if (pos_ < text_.size() && text_[pos_] == '}') {
        ++pos_;
        return;
      } else {
        return Fail(pointer, "expected ',' or '}'");
      }
    }
  }

  void ReadArray(const std::string& pointer, json& out, size_t depth) {
    if (depth > limits_.max_depth) return Fail(pointer, TooDeep());
    out = json::array();
    ++pos_;
    SkipSpace();
    if (pos_ < text_.size() && text_[pos_] == ']') {
      ++pos_;
      return;
    }
    for (size_t index = 0; !failed_; ++index) {
      std::string child = pointer;
      AppendPointerIndex(child, index);
      out.push_back(nullptr);
      ReadValue(child, out.back(), depth);
      if (failed_) return;
      SkipSpace();
      if (pos_ < text_.size() && text_[pos_] == ',') {
        ++pos_;
        SkipSpace();
      } else if (pos_ < text_.size() && text_[pos_] == ']') {
        ++pos_;
        return;
      } else {
        return Fail(pointer, "expected ',' or ']'");
      }
    }
  }

  // Reads four hex digits at pos_.
  bool ReadHex4(uint32_t& out) {
    if (pos_ + 4 > text_.size()) return false;
    out = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = text_[pos_ + i];
      int v = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (v < 0) return false;
      out = out << 4 | static_cast<uint32_t>(v);
    }
    pos_ += 4;
    return true;
  }

  bool ReadString(const std::string& pointer, std::string& out) {
    ++pos_;  // the opening quote
    while (true) {
      const size_t run = pos_;
      while (pos_ < text_.size() && text_[pos_] != '"' && text_[pos_] != '\\' &&
             static_cast<unsigned char>(text_[pos_]) >= 0x20) {
        ++pos_;
      }
      const std::string_view chunk = text_.substr(run, pos_ - run);
      if (!IsValidUtf8(chunk)) {
        pos_ = run;
        Fail(pointer, "ill-formed UTF-8 in a string");
        return false;
      }
      out.append(chunk);
      if (pos_ >= text_.size()) {
        Fail(pointer, "unterminated string");
        return false;
      }
      const char c = text_[pos_];
      if (c == '"') {
        ++pos_;
        return true;
      }
      if (c != '\\') {
        Fail(pointer, "control character in a string (escape it)");
        return false;
      }
      ++pos_;
      if (pos_ >= text_.size()) {
        Fail(pointer, "unterminated string");
        return false;
      }
      const char e = text_[pos_++];
      switch (e) {
        case '"': out += '"'; break;
        case '\\': out += '\\'; break;
        case '/': out += '/'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'n': out += '\n'; break;
        case 'r': out += '\r'; break;
        case 't': out += '\t'; break;
        case 'u': {
          uint32_t cp;
          if (!ReadHex4(cp)) {
            Fail(pointer, "bad \\u escape");
            return false;
          }
          if (cp >= 0xDC00 && cp <= 0xDFFF) {
            Fail(pointer, "unpaired surrogate in a \\u escape");
            return false;
          }
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (text_.substr(pos_, 2) != "\\u" || (pos_ += 2, !ReadHex4(low)) || low < 0xDC00 ||
                low > 0xDFFF) {
              Fail(pointer, "unpaired surrogate in a \\u escape");
              return false;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(out, cp);
          break;
        }
        default:
          --pos_;
          Fail(pointer, "bad escape in a string");
          return false;
      }
    }
  }

  void ReadNumber(const std::string& pointer, json& out) {
    const size_t start = pos_;
    const auto digits = [&] {
      const size_t from = pos_;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') ++pos_;
      return pos_ - from;
    };
    if (pos_ < text_.size() && text_[pos_] == '-') ++pos_;
    const size_t int_start = pos_;
    const size_t int_digits = digits();
    if (int_digits == 0) return Fail(pointer, "unexpected character");
    if (int_digits > 1 && text_[int_start] == '0') {
      pos_ = int_start;
      return Fail(pointer, "a number may not start with 0");
    }
    bool integral = true;
    if (pos_ < text_.size() && text_[pos_] == '.') {
      integral = false;
      ++pos_;
      if (digits() == 0) return Fail(pointer, "expected a digit after '.'");
    }
    if (pos_ < text_.size() && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      integral = false;
      ++pos_;
      if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      if (digits() == 0) return Fail(pointer, "expected a digit in the exponent");
    }
    const char* first = text_.data() + start;
    const char* last = text_.data() + pos_;
    if (integral) {
      if (*first != '-') {
        uint64_t u;
        if (auto r = std::from_chars(first, last, u); r.ec == std::errc() && r.ptr == last) {
          out = u;
          return;
        }
      } else {
        int64_t i;
        if (auto r = std::from_chars(first, last, i); r.ec == std::errc() && r.ptr == last) {
          out = i;
          return;
        }
      }
    }
    double d;
    auto r = std::from_chars(first, last, d);
    if (r.ec != std::errc() || r.ptr != last) {
      pos_ = start;
      return Fail(pointer, "number out of range");
    }
    out = d;
  }

  std::string_view text_;
  const JsonLimits& limits_;
  JsonDocument& doc_;
  size_t pos_ = 0;
  size_t line_ = 1;
  size_t line_start_ = 0;
  size_t col_pos_ = 0;  // Here()'s cache: the byte offset col_ was counted to
  size_t col_ = 1;
  bool failed_ = false;
  JsonSyntaxError error_;
};

}  // namespace

TextPosition JsonDocument::PositionOf(const std::string& pointer) const {
  auto it = positions.find(pointer);
  return it == positions.end() ? TextPosition{} : it->second;
}

bool ParseJson(std::string_view text, JsonDocument& doc, JsonSyntaxError& error,
               const JsonLimits& limits) {
  doc = JsonDocument{};
  return Reader(text, limits, doc).Run(error);
}

Result<nlohmann::json> ParseJsonValue(std::string_view text) {
  JsonDocument doc;
  JsonSyntaxError syntax;
  if (!ParseJson(text, doc, syntax)) {
    return Status::InvalidArgument(DisplayPointer(syntax.pointer) + ": not valid JSON at " +
                                   std::to_string(syntax.position.line) + ":" +
                                   std::to_string(syntax.position.column) + ": " + syntax.what);
  }
  return std::move(doc.root);
}

void AppendPointerToken(std::string& pointer, std::string_view key) {
  static constexpr size_t kMaxShown = 64;
  pointer += '/';
  size_t shown = 0;
  for (size_t pos = 0; pos < key.size();) {
    if (shown++ == kMaxShown) {
      pointer += "…";
      return;
    }
    const size_t at = pos;
    const char32_t cp = DecodeUtf8(key, pos);
    if (cp == '~') {
      pointer += "~0";
    } else if (cp == '/') {
      pointer += "~1";
    } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp == 0x2028 ||
               cp == 0x2029) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(cp));
      pointer += buf;
    } else {
      pointer.append(key.substr(at, pos - at));
    }
  }
}

void AppendPointerIndex(std::string& pointer, size_t index) {
  pointer += '/';
  pointer += std::to_string(index);
}

std::string_view JsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case json::value_t::null: return "null";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::string: return "a string";
    case json::value_t::array: return "an array";
    case json::value_t::object: return "an object";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "a value";
  }
}

}  // namespace custodian
