#include "production/pdf_table.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <utility>

namespace custodian::production {
namespace {

constexpr double kCellPadX = 3;
constexpr double kCellPadY = 2;
// A value measured as fitting may still wrap by a rounding: a column keeps this much more.
constexpr double kFitSlack = 1;
constexpr double kRowLineHeight = 8 * 1.4;  // a line of the table's 8 pt type, about

// A cell longer than this is cut before it is shaped: its first lines are all that print,
// and this keeps the work per row bounded whatever the input.
constexpr size_t kMaxCellCodePoints = 4096;

std::string Points(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f", value);
  return text;
}

// Where each word of `text` (a run between spaces or line ends) starts and ends, in bytes.
std::vector<std::pair<int, int>> Words(std::string_view text) {
  std::vector<std::pair<int, int>> words;
  int start = -1;
  for (int i = 0; i <= static_cast<int>(text.size()); ++i) {
    const bool space = i == static_cast<int>(text.size()) || text[i] == ' ' || text[i] == '\n' || text[i] == '\t';
    if (space && start >= 0) {
      words.emplace_back(start, i);
      start = -1;
    } else if (!space && start < 0) {
      start = i;
    }
  }
  return words;
}

}  // namespace

// Pango breaks a line wherever Unicode allows one, inside a word too ("Chrome/" and
// "120.0" on two lines); someone searching the text pdftotext extracts wants each word
// whole. So no break is allowed inside a word (BreakWideWords has made each fit).
void PdfTable::KeepWordsWhole(PangoLayout* layout, std::string_view text) {
  PangoAttrList* attrs = pango_attr_list_new();
  for (const auto& [start, end] : Words(text)) {
    PangoAttribute* keep = pango_attr_allow_breaks_new(FALSE);
    keep->start_index = static_cast<guint>(start);
    keep->end_index = static_cast<guint>(end);
    pango_attr_list_insert(attrs, keep);
  }
  pango_layout_set_attributes(layout, attrs);
  pango_attr_list_unref(attrs);
}

// Pango would break a word wider than the column at its hyphens or slashes first, leaving
// lines part empty, and pdftotext joins a line that ends in "-" to the next without the
// hyphen. So such a word is broken here between characters, each line as full as it goes,
// never right after a hyphen.
std::string PdfTable::BreakWideWords(std::string_view text, const PangoFontDescription* font, int width) {
  PangoLayout* measure = measure_.get();
  pango_layout_set_font_description(measure, font);
  std::string out;
  int done = 0;
  for (const auto& [start, end] : Words(text)) {
    const std::string_view word = text.substr(start, end - start);
    pango_layout_set_width(measure, -1);
    pango_layout_set_text(measure, word.data(), static_cast<int>(word.size()));
    PangoRectangle logical;
    pango_layout_get_extents(measure, nullptr, &logical);
    if (logical.width <= width) continue;
    out.append(text.substr(done, start - done));
    pango_layout_set_width(measure, width);
    pango_layout_set_wrap(measure, PANGO_WRAP_CHAR);
    std::vector<int> breaks;  // where each line of the word after the first starts
    for (int line = 1; line < pango_layout_get_line_count(measure); ++line) {
      breaks.push_back(pango_layout_get_line_readonly(measure, line)->start_index);
    }
    int from = 0;
    for (int at : breaks) {
      // A line ending in a hyphen gives it to the next (a hyphen is one byte).
      if (at - 1 > from && word[at - 1] == '-') --at;
      out.append(word.substr(from, at - from)).append("\n");
      from = at;
    }
    out.append(word.substr(from));
    done = end;
  }
  if (done == 0) return std::string(text);
  out.append(text.substr(done));
  return out;
}

// A table cell's layout, reused row after row.
struct PdfTable::Cell {
  GPtr<PangoLayout> layout;
  bool laid_out = false;  // holds `text`, for the current table's column
  std::string text;       // as given, before Printable
  double height = 0;      // of its lines, in points
  bool overflows = false;  // some glyph reaches past the column: clip it
  // Its glyphs, to be drawn with the page's (`own` or `cached`); null: draw `layout`.
  const ShapedText* shaped = nullptr;
  std::shared_ptr<const ShapedText> cached;
  ShapedText own;
};

PdfTable::PdfTable(PdfPage& page) : page_(page), measure_(page.NewLayout()) {}
PdfTable::~PdfTable() {
  if (active_) page_.SetContinuation(nullptr);
}

double PdfTable::MeasureWidth(std::string_view text, PdfPage::Font font) {
  const std::string printable = Printable(text, kMaxCellCodePoints);
  pango_layout_set_font_description(measure_.get(), page_.font(font));
  pango_layout_set_width(measure_.get(), -1);
  pango_layout_set_text(measure_.get(), printable.data(), static_cast<int>(printable.size()));
  PangoRectangle logical;
  pango_layout_get_extents(measure_.get(), nullptr, &logical);
  return FromPango(logical.width);
}

Result<std::vector<PdfColumnPlace>> PdfTable::Place(const std::vector<PdfColumn>& columns,
                                                    double content_width) {
  std::vector<PdfColumnPlace> places(columns.size());
  std::vector<double> least(columns.size(), kMinColumnWidth);
  for (size_t i = 0; i < columns.size(); ++i) {
    const PdfColumn& column = columns[i];
    if (!(column.width > 0) || !std::isfinite(column.width)) {
      return Status::InvalidArgument("column '" + column.header + "' needs a positive width");
    }
    if (column.widest.empty()) continue;
    double widest = MeasureWidth(column.header, PdfPage::Font::kSmallBold);
    for (const std::string& value : column.widest) {
      widest = std::max(widest, MeasureWidth(value, PdfPage::Font::kSmall));
    }
    least[i] = std::max(least[i], widest + 2 * kCellPadX + kFitSlack);
  }
  for (const bool second : {false, true}) {
    std::vector<size_t> line;
    double needed = 0;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (columns[i].second_line != second) continue;
      line.push_back(i);
      needed += least[i];
    }
    if (line.empty()) continue;
    if (needed > content_width + 1e-6) {
      return Status::InvalidArgument("the columns of a line need " + Points(needed) + " pt, the page has " +
                                     Points(content_width) + ": move one to the second line or drop one");
    }
    // Each column takes its share by weight; one whose share is under its least is held at
    // it, and the others share what is left, until every share holds.
    std::vector<bool> held(columns.size(), false);
    for (bool changed = true; changed;) {
      changed = false;
      double room = content_width, weight = 0;
      for (size_t i : line) {
        if (held[i]) room -= least[i];
        else weight += columns[i].width;
      }
      for (size_t i : line) {
        if (held[i]) {
          places[i].width = least[i];
          continue;
        }
        places[i].width = room * columns[i].width / weight;
        if (places[i].width < least[i]) {
          held[i] = true;
          changed = true;
        }
      }
    }
    double x = page_.left();
    for (size_t i : line) {
      places[i].x = x;
      x += places[i].width;
    }
  }
  return places;
}

Result<Orientation> PdfTable::OrientationFor(const std::vector<PdfColumn>& columns) {
  auto portrait = Place(columns, page_.content_width(Orientation::kPortrait));
  if (portrait.ok()) return Orientation::kPortrait;
  auto landscape = Place(columns, page_.content_width(Orientation::kLandscape));
  if (landscape.ok()) return Orientation::kLandscape;
  return landscape.status();
}

Status PdfTable::Begin(const std::vector<PdfColumn>& columns, const std::string& caption) {
  auto places = Place(columns, page_.content_width());
  if (!places.ok()) return places.status();
  columns_ = columns;
  places_ = std::move(places).value();
  caption_ = Printable(caption, 400);
  while (header_cells_.size() < columns.size()) {
    header_cells_.emplace_back().layout = page_.NewLayout();
    row_cells_.emplace_back().layout = page_.NewLayout();
  }
  for (size_t i = 0; i < columns.size(); ++i) {
    for (auto* cells : {&header_cells_, &row_cells_}) {
      Cell& cell = (*cells)[i];
      pango_layout_set_font_description(
          cell.layout.get(),
          page_.font(cells == &header_cells_ ? PdfPage::Font::kSmallBold : PdfPage::Font::kSmall));
      pango_layout_set_width(cell.layout.get(), ToPango(places_[i].width - 2 * kCellPadX));
      cell.laid_out = false;
    }
  }
  std::vector<std::string> headers;
  for (const PdfColumn& column : columns) headers.push_back(column.header);
  header_height_ = SetRow(header_cells_, headers, header_first_line_);
  // The header row and a few rows stay together.
  page_.EnsureRoom(header_height_ + 3 * (kRowLineHeight + 2 * kCellPadY));
  DrawHeader();
  page_.SetContinuation([this] {
    page_.Advance(page_.Caption(caption_, page_.y()) + 2);
    DrawHeader();
  });
  active_ = true;
  return Status::Ok();
}

void PdfTable::End() {
  if (!active_) return;
  page_.SetContinuation(nullptr);
  active_ = false;
  page_.Advance(6);
}

Status PdfTable::AddRow(const std::vector<std::string>& cells) {
  if (cells.size() != columns_.size()) {
    return Status::InvalidArgument(std::to_string(cells.size()) + " cells for " +
                                   std::to_string(columns_.size()) + " columns");
  }
  double first_line = 0;
  const double height = SetRow(row_cells_, cells, first_line);
  // A table header on a new page comes from its own layouts, so the row laid out survives it.
  if (page_.y() + height > page_.bottom()) {
    page_.NewPage();
    if (page_.y() + height > page_.bottom()) {
      return Status::Internal("a table row " + Points(height) + " pt tall does not fit on a page");
    }
  }
  DrawRow(row_cells_, height, first_line, false);
  return Status::Ok();
}

double PdfTable::SetRow(std::vector<Cell>& cells, const std::vector<std::string>& texts,
                        double& first_line) {
  double first = 0, second = 0;
  bool second_has_text = false;
  for (size_t i = 0; i < columns_.size(); ++i) {
    SetCellText(cells[i], texts[i]);
    if (columns_[i].second_line) {
      second = std::max(second, cells[i].height);
      second_has_text = second_has_text || !texts[i].empty();
    } else {
      first = std::max(first, cells[i].height);
    }
  }
  first_line = first + 2 * kCellPadY;
  // A second line with nothing on it takes no room.
  return first_line + (second_has_text ? second + 2 * kCellPadY : 0);
}

void PdfTable::DrawRow(std::vector<Cell>& cells, double height, double first_line, bool header) {
  const double left = page_.left();
  const double right = left + page_.content_width();
  const double top = page_.y();
  if (header) page_.FillRect(left, top, right - left, height, 0.9);
  for (size_t i = 0; i < columns_.size(); ++i) {
    const bool second = columns_[i].second_line;
    if (second && height <= first_line) continue;
    const double y = top + (second ? first_line : 0);
    const double cell_height = second ? height - first_line : first_line;
    if (const ShapedText* shaped = cells[i].shaped) {
      page_.AddToPage(*shaped, places_[i].x + kCellPadX, y + kCellPadY);
      continue;
    }
    // Only a cell that would reach past its column is clipped to it.
    page_.DrawLayout(cells[i].layout.get(), places_[i].x + kCellPadX, y + kCellPadY,
                     cells[i].overflows ? places_[i].width : 0, cell_height);
  }
  page_.Advance(height);
  page_.AddRowRule(page_.y(), left, right);
}

void PdfTable::DrawHeader() { DrawRow(header_cells_, header_height_, header_first_line_, true); }

// Pango could ellipsize the cell itself, but the ellipsis it draws carries the text it
// replaces: a PDF reader would extract the whole value, though only its first lines print.
// So the cut is made here, and what prints is all there is: lay out the whole text; when it
// takes more than max_cell_lines lines, keep what comes before the first line too many, and
// step back a character at a time (at cursor positions, never inside a cluster) until that
// and "…" fit.
void PdfTable::SetCellText(Cell& cell, std::string_view text) {
  // Events in a row often share a value (the kind, the device, the place): shaping is most
  // of the work, and a repeat needs none.
  if (cell.laid_out && cell.text == text) return;
  cell.text = text;
  cell.laid_out = true;
  cell.shaped = nullptr;
  cell.cached.reset();
  cell.overflows = false;
  PangoLayout* layout = cell.layout.get();
  const int width = pango_layout_get_width(layout);
  const PangoFontDescription* font = pango_layout_get_font_description(layout);
  ShapedCellCache& cache = page_.cache();
  if (text.empty()) {
    // Nothing to print: no line either (a second line left empty takes no room).
    pango_layout_set_text(layout, "", 0);
    pango_layout_set_attributes(layout, nullptr);
    cell.height = 0;
    return;
  }
  if (page_.batched()) {
    // The fast path knows the rows' font only, not the header row's bold.
    const AsciiShaper* ascii = page_.ascii();
    if (ascii && font == page_.font(PdfPage::Font::kSmall) &&
        ascii->Shape(text, width, page_.ascii_font(), cell.own)) {
      cell.shaped = &cell.own;
      cell.height = cell.own.height;
      return;
    }
    if ((cell.cached = cache.Find(font, width, text))) {
      cell.shaped = cell.cached.get();
      cell.height = cell.cached->height;
      return;
    }
  }
  std::string printable = Printable(text, kMaxCellCodePoints);
  pango_layout_set_text(layout, printable.data(), static_cast<int>(printable.size()));
  KeepWordsWhole(layout, printable);
  PangoRectangle wide;
  pango_layout_get_extents(layout, nullptr, &wide);
  if (wide.width > width) {  // a word is wider than the column
    printable = BreakWideWords(printable, font, width);
    pango_layout_set_text(layout, printable.data(), static_cast<int>(printable.size()));
    KeepWordsWhole(layout, printable);
  }
  const int max_lines = page_.options().max_cell_lines;
  if (max_lines > 0 && pango_layout_get_line_count(layout) > max_lines) {
    int attr_count = 0;
    const PangoLogAttr* attrs = pango_layout_get_log_attrs_readonly(layout, &attr_count);
    const std::vector<PangoLogAttr> cursor(attrs, attrs + attr_count);  // set_text frees them
    const int first_cut = pango_layout_get_line_readonly(layout, max_lines)->start_index;
    long chars = g_utf8_pointer_to_offset(printable.data(), printable.data() + first_cut);
    std::string cut;
    for (;;) {
      cut.assign(printable, 0,
                 static_cast<size_t>(g_utf8_offset_to_pointer(printable.data(), chars) -
                                     printable.data()));
      while (!cut.empty() && (cut.back() == ' ' || cut.back() == '\n')) cut.pop_back();
      cut += "…";
      pango_layout_set_text(layout, cut.data(), static_cast<int>(cut.size()));
      KeepWordsWhole(layout, cut);
      PangoRectangle fits;
      pango_layout_get_extents(layout, nullptr, &fits);
      if (chars == 0 || (pango_layout_get_line_count(layout) <= max_lines && fits.width <= width)) break;
      do {
        --chars;
      } while (chars > 0 && !cursor[chars].is_cursor_position);
    }
  }
  page_.CountMissingGlyphs(layout);
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  cell.height = FromPango(logical.height);
  // Pango wraps within the width it was given, anywhere in a word too long for it; only a
  // single cluster wider than the column (U+FDFD is four ems) can reach past it.
  cell.overflows = logical.x < 0 || logical.x + logical.width > width;
  if (page_.batched() && !cell.overflows && pango_layout_get_unknown_glyphs_count(layout) == 0) {
    auto shaped = std::make_shared<ShapedText>();
    if (page_.ToShaped(layout, *shaped)) {
      shaped->height = cell.height;
      cell.shaped = shaped.get();
      cell.cached = shaped;
      cache.Insert(font, width, text, std::move(shaped));
    }
  }
}

}  // namespace custodian::production
