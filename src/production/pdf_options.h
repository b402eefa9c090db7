// How record.pdf is set: paper, fonts, how far a table cell may run, and the file system it is
// written through. Plain values, shared by the page engine (pdf_page.h), the table engine
// (pdf_table.h) and the record's writer (record_pdf.h).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/file_system.h"

namespace custodian::production {

enum class PaperSize {
  kUsLetter,  // 8.5 x 11 in
  kA4,        // 210 x 297 mm
};

struct PdfOptions {
  // US Letter is what US courts and agencies file; A4 for requesters elsewhere.
  PaperSize paper = PaperSize::kUsLetter;
  // Font families in order of preference: each character is set in the first that has it
  // (then in whatever fontconfig finds). The list picks the Simplified Chinese forms of Han
  // characters and Noto's Arabic over DejaVu's; add a family for a script it lacks (e.g.
  // "Noto Sans Thai"). Every family must be installed, or Create fails: a record whose
  // names print as empty boxes is worse than none.
  std::vector<std::string> font_families = {"Noto Sans", "Noto Sans CJK SC", "Noto Sans Arabic",
                                            "Noto Sans Hebrew", "Noto Sans Devanagari"};
  // A table cell longer than this many lines ends in an ellipsis; 0 to 20. 0 never cuts a
  // cell (a production: every value whole), however tall its row grows.
  int max_cell_lines = 4;
  // How many distinct table-cell values are kept laid out (addresses, kinds, places and user
  // agents repeat row after row: each is shaped once). Cells are then drawn a page at a time;
  // times, ports and addresses take a fast path that needs no shaping. 0 lays out and draws
  // every cell through Pango on its own: the same page, several times slower.
  size_t shaped_cell_cache = 4096;
  FileSystem* fs = &PosixFileSystem();
};

}  // namespace custodian::production
