// The table engine of record.pdf: columns placed across a page (pdf_page.h), a header row
// repeated with a caption on every page a table spans, and rows of cells that wrap within
// their column. A column may give the widest value it holds (a time, an address, a port):
// it is then never narrower than that value, so that such values never wrap; a column may go
// on a second line of each row, under the others and across the table (free text such as a
// user agent), so that a wide table keeps every value whole. Not thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "production/pdf_column.h"
#include "production/pdf_page.h"

namespace custodian::production {

// Where each column goes: its left edge and width, in points.
struct PdfColumnPlace {
  double x = 0;
  double width = 0;
};

class PdfTable {
 public:
  // Columns narrower than this are refused: room for a few characters.
  static constexpr double kMinColumnWidth = 36;

  explicit PdfTable(PdfPage& page);
  ~PdfTable();

  // The columns' places across `content_width` from the page's left margin: each line's
  // columns share its width by their weights, none under its widest value nor 36 pt.
  // InvalidArgument naming the column that has no positive width or cannot fit.
  Result<std::vector<PdfColumnPlace>> Place(const std::vector<PdfColumn>& columns,
                                            double content_width);
  // The orientation in which the columns fit, portrait first; InvalidArgument when they fit
  // in neither.
  Result<Orientation> OrientationFor(const std::vector<PdfColumn>& columns);

  // Starts a table on the page (checked columns; Place must accept them at the page's
  // width): its header row, kept with a few rows. `caption` starts every later page.
  Status Begin(const std::vector<PdfColumn>& columns, const std::string& caption);
  // One row, a cell a column (in the order of the columns, second-line ones included). A cell
  // wraps within its column, between words (inside a word only when it is wider than the
  // column, between its characters), and, with PdfOptions::max_cell_lines, is cut after that many
  // lines with "…" (and after 4096 code points). InvalidArgument when the number of cells is
  // not the number of columns; Internal when the row is taller than a page.
  Status AddRow(const std::vector<std::string>& cells);
  void End();
  bool active() const { return active_; }
  size_t columns() const { return columns_.size(); }

 private:
  struct Cell;
  double MeasureWidth(std::string_view text, PdfPage::Font font);
  // Lets `layout` (holding `text`) break lines between words only.
  static void KeepWordsWhole(PangoLayout* layout, std::string_view text);
  // `text` with each word wider than `width` (Pango units) in `font` broken into lines
  // that fit, between characters.
  std::string BreakWideWords(std::string_view text, const PangoFontDescription* font, int width);
  // Sets a cell's text, cut after max_cell_lines lines with "…", and measures it.
  void SetCellText(Cell& cell, std::string_view text);
  // Lays a row out; returns its height (both lines and their padding) and, in `first_line`,
  // its first line's.
  double SetRow(std::vector<Cell>& cells, const std::vector<std::string>& texts, double& first_line);
  void DrawRow(std::vector<Cell>& cells, double height, double first_line, bool header);
  void DrawHeader();

  PdfPage& page_;
  GPtr<PangoLayout> measure_;
  bool active_ = false;
  std::string caption_;  // printable
  std::vector<PdfColumn> columns_;
  std::vector<PdfColumnPlace> places_;
  std::vector<Cell> header_cells_, row_cells_;
  double header_height_ = 0;
  double header_first_line_ = 0;  // where the header row's second line starts
};

}  // namespace custodian::production
