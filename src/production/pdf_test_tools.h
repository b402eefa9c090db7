// For the PDF tests: a PDF read back with poppler-utils (pdftotext, pdfinfo).
#pragma once

#include <regex>
#include <string>
#include <vector>

#include "core/testing/run_tool.h"

namespace custodian::production {

// The text of the whole PDF, or of one page, as pdftotext extracts it.
inline std::string PdfText(const std::string& path, int page = 0, bool layout = false) {
  std::string command = "pdftotext -enc UTF-8";
  if (layout) command += " -layout";
  if (page > 0) command += " -f " + std::to_string(page) + " -l " + std::to_string(page);
  return testing::RunTool(command + " '" + path + "' -");
}

inline int PdfPages(const std::string& path) {
  std::smatch m;
  const std::string info = testing::RunTool("pdfinfo '" + path + "'");
  if (!std::regex_search(info, m, std::regex("Pages: +([0-9]+)"))) return -1;
  return std::stoi(m[1]);
}

// Each page's size as pdfinfo names it: "612 x 792" (portrait letter), "792 x 612".
inline std::vector<std::string> PdfPageSizes(const std::string& path) {
  const std::string info = testing::RunTool("pdfinfo -f 1 -l 100000 '" + path + "'");
  const std::regex size("Page +[0-9]+ size: +([0-9.]+ x [0-9.]+) pts");
  std::vector<std::string> out;
  for (std::sregex_iterator it(info.begin(), info.end(), size), end; it != end; ++it) out.push_back((*it)[1]);
  return out;
}

// A word as pdftotext -bbox places it on its page, in points from the top left.
struct PdfWord {
  double x_min, y_min, x_max, y_max;
  std::string text;
};

inline std::vector<PdfWord> PdfWords(const std::string& path, int page) {
  const std::string boxes = testing::RunTool("pdftotext -bbox -f " + std::to_string(page) + " -l " +
                                             std::to_string(page) + " '" + path + "' -");
  const std::regex word(
      "<word xMin=\"([0-9.]+)\" yMin=\"([0-9.]+)\" xMax=\"([0-9.]+)\" yMax=\"([0-9.]+)\">([^<]*)<");
  std::vector<PdfWord> out;
  for (std::sregex_iterator it(boxes.begin(), boxes.end(), word), end; it != end; ++it) {
    out.push_back({std::stod((*it)[1]), std::stod((*it)[2]), std::stod((*it)[3]), std::stod((*it)[4]), (*it)[5]});
  }
  return out;
}

// `text` without its white space, nor the direction marks pdftotext puts around a
// right-to-left run (U+202A to U+202E): a value wrapped over lines reads back whole in it.
inline std::string WithoutSpace(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ' ' || c == '\n' || c == '\r' || c == '\t' || c == '\f') continue;
    if (text.compare(i, 2, "\xE2\x80") == 0 && i + 2 < text.size() &&
        static_cast<unsigned char>(text[i + 2]) >= 0xAA && static_cast<unsigned char>(text[i + 2]) <= 0xAE) {
      i += 2;
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace custodian::production
