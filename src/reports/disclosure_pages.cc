#include "reports/disclosure_pages.h"

#include <algorithm>

#include "core/json_reader.h"
#include "ledger/proof_json.h"

namespace custodian::reports {
namespace {

using json = nlohmann::json;

// Where one page's text lies in the file.
struct Piece {
  std::string_view text;
  size_t line = 1;
  size_t column = 1;
};

// Cuts the file into top-level objects by counting brackets outside strings; the strict reader
// then reads each (and finds what is wrong with one that does not close).
Result<std::vector<Piece>> Pieces(std::string_view text) {
  std::vector<Piece> out;
  size_t line = 1, line_start = 0, i = 0;
  if (text.starts_with("\xEF\xBB\xBF")) i = line_start = 3;
  while (i < text.size()) {
    const char c = text[i];
    if (c == '\n') {
      ++line;
      line_start = ++i;
      continue;
    }
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c != '{') {
      return Status::InvalidArgument("line " + std::to_string(line) + ": not a page (a JSON object)");
    }
    Piece piece{{}, line, i - line_start + 1};
    const size_t start = i;
    int depth = 0;
    bool in_string = false, escaped = false;
    for (; i < text.size(); ++i) {
      const char d = text[i];
      if (d == '\n') {
        ++line;
        line_start = i + 1;
      }
      if (in_string) {
        if (escaped) {
          escaped = false;
        } else if (d == '\\') {
          escaped = true;
        } else if (d == '"') {
          in_string = false;
        }
      } else if (d == '"') {
        in_string = true;
      } else if (d == '{' || d == '[') {
        ++depth;
      } else if ((d == '}' || d == ']') && --depth == 0) {
        ++i;
        break;
      }
    }
    piece.text = text.substr(start, i - start);
    out.push_back(piece);
  }
  if (out.empty()) return Status::InvalidArgument("line 1: no page (the file is empty)");
  return out;
}

Status Fail(const std::string& at, const std::string& what) {
  return Status::InvalidArgument(DisplayPointer(at) + ": " + what);
}

Status CheckFields(const json& value, const std::string& at, std::initializer_list<const char*> fields) {
  if (!value.is_object()) return Fail(at, "not an object but " + std::string(JsonTypeName(value)));
  for (const auto& item : value.items()) {
    const std::string& key = item.key();
    if (std::none_of(fields.begin(), fields.end(), [&](const char* f) { return key == f; })) {
      std::string pointer = at;
      AppendPointerToken(pointer, key);
      return Fail(pointer, "not a field of a page of disclosure entries");
    }
  }
  for (const char* f : fields) {
    if (!value.contains(f)) return Fail(at + "/" + f, "required");
  }
  return Status::Ok();
}

Result<DisclosurePage> ReadPage(const json& root) {
  if (Status s = CheckFields(root, "", {"tree_head", "entries"}); !s.ok()) return s;
  DisclosurePage page;
  auto head = ledger::TreeHeadFromJson(root["tree_head"]);
  if (!head.ok()) {
    const std::string& m = head.status().message();
    return Status::InvalidArgument("/tree_head" + (m.starts_with("/:") ? m.substr(1) : m));
  }
  if (head->log != "disclosures") return Fail("/tree_head/log", "not the disclosure log");
  page.head = *head;
  const json& entries = root["entries"];
  if (!entries.is_array()) return Fail("/entries", "not an array but " + std::string(JsonTypeName(entries)));
  for (size_t i = 0; i < entries.size(); ++i) {
    std::string at = "/entries";
    AppendPointerIndex(at, i);
    const json& e = entries[i];
    if (Status s = CheckFields(e, at, {"index", "leaf", "proof"}); !s.ok()) return s;
    ProvenLeaf leaf;
    if (!e["index"].is_number_unsigned()) return Fail(at + "/index", "not a leaf index (an unsigned integer)");
    leaf.index = e["index"].get<uint64_t>();
    if (!e["leaf"].is_string()) {
      return Fail(at + "/leaf", "not the leaf's bytes as a string but " + std::string(JsonTypeName(e["leaf"])));
    }
    leaf.leaf = e["leaf"].get<std::string>();
    auto proof = ledger::ProofFromJson(e["proof"], at + "/proof");
    if (!proof.ok()) return proof.status();
    leaf.proof = std::move(proof).value();
    page.entries.push_back(std::move(leaf));
  }
  return page;
}

}  // namespace

std::string PageName(const DisclosurePage& page) {
  return "page " + std::to_string(page.number) + " (line " + std::to_string(page.line) + ")";
}

Result<std::vector<DisclosurePage>> ParseDisclosurePages(std::string_view text) {
  auto pieces = Pieces(text);
  if (!pieces.ok()) return pieces.status();
  std::vector<DisclosurePage> pages;
  for (size_t n = 0; n < pieces->size(); ++n) {
    const Piece& piece = (*pieces)[n];
    const std::string name = "page " + std::to_string(n + 1) + " (line " + std::to_string(piece.line) + "): ";
    JsonDocument doc;
    JsonSyntaxError syntax;
    if (!ParseJson(piece.text, doc, syntax)) {
      // Where in the file: the page's own position moved by where the page begins.
      const size_t line = piece.line + syntax.position.line - 1;
      const size_t column = syntax.position.line == 1 ? piece.column + syntax.position.column - 1
                                                      : syntax.position.column;
      return Status::InvalidArgument(name + DisplayPointer(syntax.pointer) + ": not valid JSON at " +
                                     std::to_string(line) + ":" + std::to_string(column) + ": " +
                                     syntax.what);
    }
    auto page = ReadPage(doc.root);
    if (!page.ok()) return page.status().WithContext(name);
    page->number = n + 1;
    page->line = piece.line;
    pages.push_back(std::move(page).value());
  }
  return pages;
}

}  // namespace custodian::reports
