#include "production/record_pdf.h"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "core/time.h"
#include "core/unicode.h"
#include "production/pdf_glyphs.h"

namespace custodian::production {
namespace {

// Geometry, in PDF points (1/72 in).
constexpr double kMargin = 54;          // left and right: 0.75 in
constexpr double kHeaderTextTop = 28;   // the running header's text
constexpr double kHeaderRule = 44;
constexpr double kContentTop = 58;
constexpr double kFooterRuleFromBottom = 44;
constexpr double kFooterTextFromBottom = 40;
constexpr double kContentBottomGap = 54;  // from the bottom of the page
constexpr double kCellPadX = 3;
constexpr double kCellPadY = 2;
constexpr double kMinColumnWidth = 36;    // half an inch: room for a few characters
constexpr double kBulletIndent = 12;
constexpr double kSignatureBlockHeight = 120;  // kept on one page
constexpr double kHeadingKeepWithNext = 60;    // a heading is not left alone at a page's foot

// Type sizes, in points.
constexpr double kTitleSize = 16;
constexpr double kHeadingSize = 13;
constexpr double kSubheadingSize = 11;
constexpr double kBodySize = 10;
constexpr double kSmallSize = 8;  // tables, header and footer

// A cell longer than this is cut before it is shaped: its first lines are all that print,
// and this keeps the work per row bounded whatever the input.
constexpr size_t kMaxCellCodePoints = 4096;
// Cairo hands the PDF over in small pieces; they go to the file this many bytes at a time.
constexpr size_t kWriteBufferBytes = size_t{1} << 16;

constexpr char32_t kReplacement = 0xFFFD;

struct FontDescriptionFree {
  void operator()(PangoFontDescription* p) const { pango_font_description_free(p); }
};
using FontPtr = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;

int ToPango(double points) { return static_cast<int>(std::lround(points * PANGO_SCALE)); }

// `text` as Pango is to print it. Pango wants well-formed UTF-8 and stops at a NUL, so an
// ill-formed byte and every control character become U+FFFD (nothing is hidden), a tab a
// space, and every kind of line break "\n". At most `max_code_points` are kept, and "…"
// marks a cut.
std::string Printable(std::string_view text, size_t max_code_points = SIZE_MAX) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0, kept = 0;
  while (pos < text.size()) {
    if (kept == max_code_points) {
      AppendUtf8(out, U'…');
      break;
    }
    const char32_t cp = DecodeUtf8(text, pos);
    ++kept;
    if (cp == U'\r' && pos < text.size() && text[pos] == '\n') ++pos;  // CRLF: one break
    if (cp == U'\t') {
      out += ' ';
    } else if (cp == U'\n' || cp == U'\r' || cp == U'\v' || cp == U'\f' || cp == 0x85 ||
               cp == 0x2028 || cp == 0x2029) {
      out += '\n';
    } else if (cp < 0x20 || (cp >= 0x7F && cp <= 0x9F)) {
      AppendUtf8(out, kReplacement);
    } else {
      AppendUtf8(out, cp);
    }
  }
  return out;
}

// "1,000,000".
std::string WithThousands(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// cairo wants "YYYY-MM-DDThh:mm:ssZ": no fraction.
std::string PdfDate(Timestamp ts) {
  return FormatDateTime(Timestamp{ts.micros - ((ts.micros % kMicrosPerSecond) + kMicrosPerSecond) %
                                                  kMicrosPerSecond});
}

// Pango (1.44 on) draws a hyphen where it breaks a line inside a word: in a user agent or a
// device id, a reader could not tell it from one of the value's own. No layout gets one.
PangoAttrList* NoHyphens() {
  PangoAttrList* attributes = pango_attr_list_new();
  pango_attr_list_insert(attributes, pango_attr_insert_hyphens_new(FALSE));
  return attributes;
}

}  // namespace

// The writer's state: the cairo surface writing into the file, the Pango objects laying out
// text, and where on the page the next thing goes.
class RecordPdfWriter::Impl {
 public:
  Impl(PdfCover cover, PdfOptions options)
      : cover_(std::move(cover)),
        options_(std::move(options)),
        cache_(options_.shaped_cell_cache) {}

  ~Impl() {
    // An unfinished surface would write its trailer on destruction: refuse the bytes, so
    // that a file not Finish()ed never looks complete.
    abandoned_ = true;
    layouts_.clear();
    header_cells_.clear();
    row_cells_.clear();
    fonts_.clear();
    context_.reset();
    font_map_.reset();
    if (cr_) cairo_destroy(cr_);
    if (surface_) cairo_surface_destroy(surface_);
  }

  // Checks the fonts, creates the file and starts the first page.
  Status Open(const std::string& path, Timestamp created_at);
  Status WriteCoverLetter();
  Status WriteCertificate();
  Status BeginAccount(const PdfAccount& account);
  Status AddEvent(const std::vector<std::string>& cells);
  Status Finish();
  int pages() const { return page_; }
  int64_t missing_glyphs() const { return missing_glyphs_; }

 private:
  enum class Section { kFront, kAccount, kFinished };

  // A table cell's layout, reused row after row.
  struct Cell {
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

  struct Table {
    bool active = false;        // rows are being added: a new page repeats the header row
    std::string caption;        // printed above the repeated header row
    std::vector<double> x, width;
    size_t columns = 0;
    double header_height = 0;
  };

  static cairo_status_t WriteToFile(void* closure, const unsigned char* data, unsigned int length);
  Status Flush();
  // The first failure, from the file or from cairo; once there is one, every call returns it.
  Status Health();

  FontPtr MakeFont(double size, bool bold) const;
  PangoLayout* NewLayout();

  // An entry in the viewer's outline, pointing at this page. The entries are handed to cairo
  // by Finish, when every page they point at is written: cairo 1.16 trips an assertion
  // finishing a surface (as destroying an unfinished one does) whose outline points at a
  // page it did not write. They are few: one per account.
  void Bookmark(const std::string& title);
  // A horizontal line at `y` from `left` to `right`, in a gray (0 black, 1 white).
  void Rule(double y, double left, double right, double gray, double line_width);
  void StartPage();
  void EndPage(bool last);
  void NewPage();
  double bottom() const { return page_height_ - kContentBottomGap; }
  // Moves to a new page unless `height` more fits on this one (or this one is still empty).
  void EnsureRoom(double height);

  // Flowing text, line by line, across pages: wrapped to the content width less `indent`,
  // lines after the first indented by `hanging` more. The first `bold_bytes` bytes are bold.
  void Flow(const std::string& text, const PangoFontDescription* font, double indent = 0,
            double hanging = 0, size_t bold_bytes = 0);
  void Heading(const std::string& text, const PangoFontDescription* font, double space_before);
  void Bullets(const std::vector<std::string>& items);
  void LabelledLine(const std::string& label, const std::string& value);

  // The columns' widths and left edges on the page, or InvalidArgument.
  Status PlaceColumns(const std::vector<PdfColumn>& columns, std::vector<double>& x,
                      std::vector<double>& width) const;
  void BeginTable(const std::vector<PdfColumn>& columns, std::string caption);
  // Sets a layout's text, counting the characters no font has.
  void SetText(PangoLayout* layout, const std::string& printable);
  // Sets a cell's text, cut after max_cell_lines lines with "…", and measures it.
  void SetCellText(Cell& cell, std::string_view text);
  void EndTable();
  double SetRow(const std::vector<std::string>& cells);  // lays the row out; returns its height
  void DrawRow(std::vector<Cell>& cells, double height, bool header);
  void DrawTableHeader();
  void EndAccount();
  // The index of `font` in fonts_, which keeps it alive as long as glyphs may refer to it.
  size_t FontIndex(PangoFont* font);
  // The glyphs of a laid-out cell, or false when Pango must draw it (a run right to left,
  // a glyph no font has).
  bool ToShaped(PangoLayout* layout, ShapedText& out);
  // Draws the page's batched glyphs and row rules: a cairo call per run, one stroke.
  void DrawBatched();
  void AddToPage(const ShapedText& shaped, double x, double y);
  // A line of the running header or footer, or a table's caption, at the left margin and
  // `y`; returns its height. `again`: the same text comes on other pages, keep its glyphs.
  double Chrome(const std::string& printable, PangoAlignment alignment, double width, double y,
                bool again);

  PdfCover cover_;
  PdfOptions options_;
  std::unique_ptr<WritableFile> file_;
  std::string buffer_;   // bytes from cairo not yet appended to the file
  Status write_status_;  // the file's first failure
  bool abandoned_ = false;
  Status failure_;

  cairo_surface_t* surface_ = nullptr;
  cairo_t* cr_ = nullptr;
  GPtr<PangoFontMap> font_map_;
  GPtr<PangoContext> context_;
  FontPtr title_, heading_, subheading_, body_, body_bold_, small_, small_bold_;
  // Reused for every piece of text, never created per cell: a layout for flowing text, one
  // for the running header and footer, and one per column for the header row and for rows.
  std::vector<GPtr<PangoLayout>> layouts_;
  PangoLayout* text_ = nullptr;    // flowing text
  PangoLayout* chrome_ = nullptr;  // running header, footer, table captions
  std::vector<Cell> header_cells_, row_cells_;
  // Cells' glyphs and rules are drawn once per page, in one call per change of font: cairo
  // records, analyses and replays each call, and a call per cell cost more than its glyphs.
  std::vector<GPtr<PangoFont>> fonts_;
  ShapedCellCache cache_;
  AsciiShaper ascii_;
  bool ascii_ready_ = false;
  size_t ascii_font_ = 0;
  // The page's glyphs in the order they were laid down, one run per change of font (so that
  // a reader extracts a cell in several scripts in its order); the first `page_runs_` are in
  // use, the rest kept for their memory.
  std::vector<GlyphRun> page_glyphs_;
  size_t page_runs_ = 0;
  struct RuleLine {
    double y, left, right;
  };
  std::vector<RuleLine> page_rules_;  // under each row: 0.75 gray, 0.3 pt
  std::string ids_;  // "Case C-…    Production P-…", printable, on every page
  std::string title_line_;  // "<service>: business record", printable, on every page
  std::map<std::string, std::shared_ptr<const ShapedText>> chrome_shaped_;
  std::vector<std::pair<std::string, std::string>> bookmarks_;  // title, link to its page

  double page_width_ = 0, page_height_ = 0;
  int page_ = 0;           // the page being drawn, from 1; 0 before the first
  double y_ = 0;           // where the next line's top goes
  Section section_ = Section::kFront;
  Table table_;
  std::string account_id_;
  bool account_has_log_ = false;
  int64_t account_events_ = 0;
  int64_t missing_glyphs_ = 0;
};

cairo_status_t RecordPdfWriter::Impl::WriteToFile(void* closure, const unsigned char* data,
                                                  unsigned int length) {
  auto* self = static_cast<Impl*>(closure);
  if (self->abandoned_ || !self->write_status_.ok()) return CAIRO_STATUS_WRITE_ERROR;
  self->buffer_.append(reinterpret_cast<const char*>(data), length);
  if (self->buffer_.size() >= kWriteBufferBytes && !self->Flush().ok()) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

Status RecordPdfWriter::Impl::Flush() {
  if (!write_status_.ok() || buffer_.empty()) return write_status_;
  write_status_ = file_->Append(buffer_).WithContext("writing the PDF: ");
  buffer_.clear();
  return write_status_;
}

Status RecordPdfWriter::Impl::Health() {
  if (!failure_.ok()) return failure_;
  if (!write_status_.ok()) {
    failure_ = write_status_;
  } else if (cairo_status(cr_) != CAIRO_STATUS_SUCCESS) {
    failure_ = Status::Internal(std::string("drawing the PDF: ") +
                                cairo_status_to_string(cairo_status(cr_)));
  } else if (cairo_surface_status(surface_) != CAIRO_STATUS_SUCCESS) {
    failure_ = Status::Internal(std::string("drawing the PDF: ") +
                                cairo_status_to_string(cairo_surface_status(surface_)));
  }
  return failure_;
}

FontPtr RecordPdfWriter::Impl::MakeFont(double size, bool bold) const {
  std::string families;
  for (const std::string& family : options_.font_families) {
    if (!families.empty()) families += ',';
    families += family;
  }
  FontPtr font(pango_font_description_new());
  pango_font_description_set_family(font.get(), families.c_str());
  pango_font_description_set_size(font.get(), ToPango(size));
  pango_font_description_set_weight(font.get(), bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  return font;
}

PangoLayout* RecordPdfWriter::Impl::NewLayout() {
  PangoLayout* layout = pango_layout_new(context_.get());
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  PangoAttrList* attributes = NoHyphens();
  pango_layout_set_attributes(layout, attributes);
  pango_attr_list_unref(attributes);
  return layout;
}

Status RecordPdfWriter::Impl::Open(const std::string& path, Timestamp created_at) {
  const bool a4 = options_.paper == PaperSize::kA4;
  page_width_ = a4 ? 595.276 : 612;  // 210 mm, 8.5 in
  page_height_ = a4 ? 841.89 : 792;  // 297 mm, 11 in

  font_map_.reset(pango_cairo_font_map_new());
  {
    // fontconfig answers any family name with its nearest match, so a missing family would
    // show only as boxes in the output: ask for the installed families by name.
    PangoFontFamily** families = nullptr;
    int count = 0;
    pango_font_map_list_families(font_map_.get(), &families, &count);
    std::set<std::string> installed;
    for (int i = 0; i < count; ++i) {
      installed.insert(AsciiLower(pango_font_family_get_name(families[i])));
    }
    g_free(families);
    for (const std::string& family : options_.font_families) {
      if (!installed.count(AsciiLower(family))) {
        return Status::FailedPrecondition("font family '" + family +
                                          "' is not installed (fc-list lists those that are)");
      }
    }
  }

  auto file = options_.fs->OpenAppend(path, /*truncate=*/true);
  if (!file.ok()) return file.status().WithContext("cannot create the PDF: ");
  file_ = std::move(*file);
  surface_ = cairo_pdf_surface_create_for_stream(&WriteToFile, this, page_width_, page_height_);
  cr_ = cairo_create(surface_);
  const std::string title = Printable(
      "Business record, case " + cover_.case_id + ", production " + cover_.production_id, 400);
  const std::string author = Printable(cover_.service_name, 200);
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_AUTHOR, author.c_str());
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "custodian");
  // The record's own time, not the clock's: the same production gives the same bytes.
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATE_DATE,
                                 PdfDate(created_at).c_str());

  context_.reset(pango_font_map_create_context(font_map_.get()));
  pango_cairo_update_context(cr_, context_.get());
  pango_cairo_context_set_resolution(context_.get(), 72);  // a point is a unit of the page
  cairo_font_options_t* font_options = cairo_font_options_create();
  // Outlines scale: hinting would snap glyphs to a grid that a PDF does not have.
  cairo_font_options_set_hint_metrics(font_options, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(font_options, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(context_.get(), font_options);
  cairo_font_options_destroy(font_options);
  pango_context_set_round_glyph_positions(context_.get(), FALSE);

  title_ = MakeFont(kTitleSize, true);
  heading_ = MakeFont(kHeadingSize, true);
  subheading_ = MakeFont(kSubheadingSize, true);
  body_ = MakeFont(kBodySize, false);
  body_bold_ = MakeFont(kBodySize, true);
  small_ = MakeFont(kSmallSize, false);
  small_bold_ = MakeFont(kSmallSize, true);
  if (options_.shaped_cell_cache > 0) {
    PangoFont* primary = nullptr;
    ascii_ready_ = ascii_.Build(context_.get(), small_.get(), primary);
    if (ascii_ready_) ascii_font_ = FontIndex(primary);
  }
  layouts_.emplace_back(NewLayout());
  text_ = layouts_.back().get();
  layouts_.emplace_back(NewLayout());
  chrome_ = layouts_.back().get();
  pango_layout_set_font_description(chrome_, small_.get());
  pango_layout_set_width(chrome_, ToPango(page_width_ - 2 * kMargin));
  pango_layout_set_ellipsize(chrome_, PANGO_ELLIPSIZE_END);  // one line, whatever the name
  pango_layout_set_auto_dir(chrome_, FALSE);                 // left stays left

  ids_ = Printable("Case " + cover_.case_id + "    Production " + cover_.production_id, 400);
  title_line_ = Printable(cover_.service_name + ": business record", 200);
  Bookmark("Cover letter");
  StartPage();
  return Health();
}

void RecordPdfWriter::Impl::Bookmark(const std::string& title) {
  bookmarks_.emplace_back(Printable(title, 400), "page=" + std::to_string(page_));
}

void RecordPdfWriter::Impl::Rule(double y, double left, double right, double gray,
                                 double line_width) {
  cairo_set_source_rgb(cr_, gray, gray, gray);
  cairo_set_line_width(cr_, line_width);
  cairo_move_to(cr_, left, y);
  cairo_line_to(cr_, right, y);
  cairo_stroke(cr_);
  cairo_set_source_rgb(cr_, 0, 0, 0);
}

void RecordPdfWriter::Impl::StartPage() {
  ++page_;
  y_ = kContentTop;
  cairo_set_source_rgb(cr_, 0, 0, 0);
  const double width = page_width_ - 2 * kMargin;
  Chrome(ids_, PANGO_ALIGN_RIGHT, width, kHeaderTextTop, true);
  // The service's name takes the left half at most, so that the ids are never covered.
  Chrome(title_line_, PANGO_ALIGN_LEFT, width / 2, kHeaderTextTop, true);
  Rule(kHeaderRule, kMargin, page_width_ - kMargin, 0.5, 0.5);
}

double RecordPdfWriter::Impl::Chrome(const std::string& printable, PangoAlignment alignment,
                                     double width, double y, bool again) {
  const bool batched = options_.shaped_cell_cache > 0;
  std::string key;
  if (batched && again) {
    key = std::to_string(alignment) + ' ' + std::to_string(ToPango(width)) + ' ' + printable;
    auto it = chrome_shaped_.find(key);
    if (it != chrome_shaped_.end()) {
      AddToPage(*it->second, kMargin, y);
      return it->second->height;
    }
  }
  pango_layout_set_alignment(chrome_, alignment);
  pango_layout_set_width(chrome_, ToPango(width));
  SetText(chrome_, printable);
  PangoRectangle logical;
  pango_layout_get_extents(chrome_, nullptr, &logical);
  auto shaped = std::make_shared<ShapedText>();
  if (batched && ToShaped(chrome_, *shaped)) {
    shaped->height = FromPango(logical.height);
    AddToPage(*shaped, kMargin, y);
    if (!key.empty()) {
      if (chrome_shaped_.size() >= 64) chrome_shaped_.clear();  // a caption per account
      chrome_shaped_.emplace(std::move(key), std::move(shaped));
    }
  } else {
    cairo_move_to(cr_, kMargin, y);
    pango_cairo_show_layout(cr_, chrome_);
  }
  return FromPango(logical.height);
}

void RecordPdfWriter::Impl::AddToPage(const ShapedText& shaped, double x, double y) {
  for (const GlyphRun& run : shaped.runs) {
    if (page_runs_ == 0 || page_glyphs_[page_runs_ - 1].font != run.font) {
      if (page_runs_ == page_glyphs_.size()) page_glyphs_.emplace_back();
      page_glyphs_[page_runs_].Clear();
      page_glyphs_[page_runs_].font = run.font;
      ++page_runs_;
    }
    page_glyphs_[page_runs_ - 1].Append(run, x, y);
  }
}

// The footer is drawn when a page is done, so that the last page can say it is the last: the
// total is unknown while streaming (a "Page N of M" would need the whole record laid out
// twice, or held), and "Page N (last page)" at the end tells a reader the same: that nothing
// is missing.
void RecordPdfWriter::Impl::EndPage(bool last) {
  Rule(page_height_ - kFooterRuleFromBottom, kMargin, page_width_ - kMargin, 0.5, 0.5);
  const double width = page_width_ - 2 * kMargin;
  Chrome(ids_, PANGO_ALIGN_LEFT, width, page_height_ - kFooterTextFromBottom, true);
  const std::string number = "Page " + std::to_string(page_) + (last ? " (last page)" : "");
  Chrome(number, PANGO_ALIGN_RIGHT, width, page_height_ - kFooterTextFromBottom, false);
  DrawBatched();
  cairo_show_page(cr_);
}

void RecordPdfWriter::Impl::NewPage() {
  EndPage(false);
  StartPage();
  if (table_.active) {
    y_ += Chrome(table_.caption, PANGO_ALIGN_LEFT, page_width_ - 2 * kMargin, y_, true) + 2;
    DrawTableHeader();
  }
}

void RecordPdfWriter::Impl::EnsureRoom(double height) {
  if (y_ + height > bottom() && y_ > kContentTop) NewPage();
}

void RecordPdfWriter::Impl::Flow(const std::string& text, const PangoFontDescription* font,
                                 double indent, double hanging, size_t bold_bytes) {
  const std::string printable = Printable(text);
  pango_layout_set_font_description(text_, font);
  pango_layout_set_width(text_, ToPango(page_width_ - 2 * kMargin - indent));
  pango_layout_set_indent(text_, ToPango(-hanging));
  PangoAttrList* attributes = NoHyphens();
  if (bold_bytes > 0) {
    // Byte offsets into `printable`: the label is plain ASCII, so they are the same as in `text`.
    PangoAttribute* bold = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
    bold->start_index = 0;
    bold->end_index = static_cast<guint>(bold_bytes);
    pango_attr_list_insert(attributes, bold);
  }
  pango_layout_set_attributes(text_, attributes);
  pango_attr_list_unref(attributes);
  SetText(text_, printable);

  PangoLayoutIter* it = pango_layout_get_iter(text_);
  do {
    PangoRectangle logical;
    pango_layout_iter_get_line_extents(it, nullptr, &logical);
    const double height = FromPango(logical.height);
    EnsureRoom(height);
    const double baseline = FromPango(pango_layout_iter_get_baseline(it) - logical.y);
    cairo_move_to(cr_, kMargin + indent + FromPango(logical.x), y_ + baseline);
    pango_cairo_show_layout_line(cr_, pango_layout_iter_get_line_readonly(it));
    y_ += height;
  } while (pango_layout_iter_next_line(it));
  pango_layout_iter_free(it);
}

void RecordPdfWriter::Impl::Heading(const std::string& text, const PangoFontDescription* font,
                                    double space_before) {
  y_ += space_before;
  EnsureRoom(kHeadingKeepWithNext);
  Flow(text, font);
  y_ += 4;
}

void RecordPdfWriter::Impl::Bullets(const std::vector<std::string>& items) {
  for (const std::string& item : items) {
    Flow("•  " + item, body_.get(), kBulletIndent, kBulletIndent);
    y_ += 2;
  }
}

void RecordPdfWriter::Impl::LabelledLine(const std::string& label, const std::string& value) {
  Flow(label + "  " + value, body_.get(), 0, 0, label.size());
  y_ += 2;
}

Status RecordPdfWriter::Impl::WriteCoverLetter() {
  Flow(cover_.service_name, title_.get());
  y_ += 2;
  Flow("Production of business records", heading_.get());
  y_ += 16;
  LabelledLine("Date:", cover_.created_at);
  LabelledLine("To:", cover_.requester);
  LabelledLine("Re:", cover_.process_summary);
  LabelledLine("Case:", cover_.case_id);
  LabelledLine("Production:", cover_.production_id);
  y_ += 12;
  Flow("This record is produced in response to the legal process above. It holds the "
       "custodian's certificate and, for each account within the scope below, the records "
       "that the scope calls for.",
       body_.get());
  Heading("Scope", subheading_.get(), 14);
  Bullets(cover_.scope_lines);
  if (!cover_.notes.empty()) {
    Heading("Notes", subheading_.get(), 14);
    Bullets(cover_.notes);
  }
  return Health();
}

Status RecordPdfWriter::Impl::WriteCertificate() {
  NewPage();
  Bookmark("Certificate");
  Flow("Certificate of the custodian of records", heading_.get());
  y_ += 12;
  size_t start = 0;
  const std::string& text = cover_.certificate_text;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      Flow(text.substr(start, end - start), body_.get());
      y_ += 8;
    }
    start = end + 1;
  }
  y_ += 28;
  EnsureRoom(kSignatureBlockHeight);
  LabelledLine("Signature:", "________________________________________");
  y_ += 10;
  LabelledLine("Name:", cover_.custodian_name);
  LabelledLine("Title:", cover_.custodian_title);
  y_ += 10;
  LabelledLine("Date:", "____________________");
  return Health();
}

Status RecordPdfWriter::Impl::PlaceColumns(const std::vector<PdfColumn>& columns,
                                           std::vector<double>& x,
                                           std::vector<double>& width) const {
  double total = 0;
  for (const PdfColumn& column : columns) {
    if (!(column.width > 0) || !std::isfinite(column.width)) {
      return Status::InvalidArgument("BeginAccount: column '" + column.header +
                                     "' needs a positive width");
    }
    total += column.width;
  }
  const double content = page_width_ - 2 * kMargin;
  x.clear();
  width.clear();
  double left = kMargin;
  for (const PdfColumn& column : columns) {
    const double w = content * column.width / total;
    if (w < kMinColumnWidth) {
      char points[32];
      std::snprintf(points, sizeof points, "%.1f", w);
      return Status::InvalidArgument("BeginAccount: column '" + column.header + "' would be " +
                                     points + " pt wide, under 36: widen it or drop a column");
    }
    x.push_back(left);
    width.push_back(w);
    left += w;
  }
  return Status::Ok();
}

void RecordPdfWriter::Impl::SetText(PangoLayout* layout, const std::string& printable) {
  pango_layout_set_text(layout, printable.data(), static_cast<int>(printable.size()));
  missing_glyphs_ += pango_layout_get_unknown_glyphs_count(layout);
}

// Pango could ellipsize the cell itself, but the ellipsis it draws carries the text it
// replaces: a PDF reader would extract the whole value, though only its first lines print.
// So the cut is made here, and what prints is all there is: lay out the whole text; when it
// takes more than max_cell_lines lines, keep what comes before the first line too many, and
// step back a character at a time (at cursor positions, never inside a cluster) until that
// and "…" fit.
void RecordPdfWriter::Impl::SetCellText(Cell& cell, std::string_view text) {
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
  const bool batched = options_.shaped_cell_cache > 0;
  const PangoFontDescription* font = pango_layout_get_font_description(layout);
  if (batched) {
    // The fast path knows the rows' font only, not the header row's bold.
    if (ascii_ready_ && font == small_.get() && ascii_.Shape(text, width, ascii_font_, cell.own)) {
      cell.shaped = &cell.own;
      cell.height = cell.own.height;
      return;
    }
    if ((cell.cached = cache_.Find(font, width, text))) {
      cell.shaped = cell.cached.get();
      cell.height = cell.cached->height;
      return;
    }
  }
  std::string printable = Printable(text, kMaxCellCodePoints);
  pango_layout_set_text(layout, printable.data(), static_cast<int>(printable.size()));
  const int max_lines = options_.max_cell_lines;
  if (pango_layout_get_line_count(layout) > max_lines) {
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
      if (chars == 0 || pango_layout_get_line_count(layout) <= max_lines) break;
      do {
        --chars;
      } while (chars > 0 && !cursor[chars].is_cursor_position);
    }
  }
  missing_glyphs_ += pango_layout_get_unknown_glyphs_count(layout);
  PangoRectangle logical;
  pango_layout_get_extents(layout, nullptr, &logical);
  cell.height = FromPango(logical.height);
  // Pango wraps within the width it was given, anywhere in a word too long for it; only a
  // single cluster wider than the column (U+FDFD is four ems) can reach past it.
  cell.overflows = logical.x < 0 || logical.x + logical.width > width;
  if (batched && !cell.overflows && pango_layout_get_unknown_glyphs_count(layout) == 0) {
    auto shaped = std::make_shared<ShapedText>();
    if (ToShaped(layout, *shaped)) {
      shaped->height = cell.height;
      cell.shaped = shaped.get();
      cell.cached = shaped;
      cache_.Insert(font, width, text, std::move(shaped));
    }
  }
}

size_t RecordPdfWriter::Impl::FontIndex(PangoFont* font) {
  for (size_t i = 0; i < fonts_.size(); ++i) {
    if (fonts_[i].get() == font) return i;
  }
  fonts_.emplace_back(PANGO_FONT(g_object_ref(font)));
  return fonts_.size() - 1;
}

// What pango_cairo_show_layout hands cairo, run by run (pangocairo-render.c): each glyph at
// its run's x plus the advances before it and its own offset, on its line's baseline, and
// the clusters that tie glyphs to the text (pango_renderer_draw_layout_line,
// pango_cairo_renderer_draw_glyph_item). An empty glyph (the space where a line wraps)
// takes its room but is not drawn, nor counted in its cluster.
bool RecordPdfWriter::Impl::ToShaped(PangoLayout* layout, ShapedText& out) {
  const char* text = pango_layout_get_text(layout);
  PangoLayoutIter* it = pango_layout_get_iter(layout);
  bool ok = true;
  do {
    PangoLayoutRun* run = pango_layout_iter_get_run_readonly(it);
    if (!run) continue;  // the end of a line
    // Right to left, Pango orders the clusters backwards; letter spacing moves runs.
    if (run->item->analysis.level % 2 != 0 || run->start_x_offset != 0 || run->end_x_offset != 0) {
      ok = false;
      break;
    }
    PangoRectangle logical;
    pango_layout_iter_get_run_extents(it, nullptr, &logical);
    // A run in a fallback font sits on a baseline shifted by its y_offset.
    const int baseline = pango_layout_iter_get_baseline(it) - run->y_offset;
    GlyphRun& glyphs = out.runs.emplace_back();
    glyphs.font = FontIndex(run->item->analysis.font);
    int x = logical.x;
    for (int i = 0; ok && i < run->glyphs->num_glyphs; ++i) {
      const PangoGlyphInfo& g = run->glyphs->glyphs[i];
      if (g.glyph != PANGO_GLYPH_EMPTY) {
        ok = !(g.glyph & PANGO_GLYPH_UNKNOWN_FLAG);  // Pango draws a box for it
        glyphs.glyphs.push_back({g.glyph, FromPango(x + g.geometry.x_offset),
                                 FromPango(baseline + g.geometry.y_offset)});
      }
      x += g.geometry.width;
    }
    if (!ok) break;
    glyphs.text.assign(text + run->item->offset, static_cast<size_t>(run->item->length));
    PangoGlyphItemIter cluster;
    for (gboolean more = pango_glyph_item_iter_init_start(&cluster, run, text); more;
         more = pango_glyph_item_iter_next_cluster(&cluster)) {
      int drawn = 0;
      for (int i = cluster.start_glyph; i < cluster.end_glyph; ++i) {
        drawn += run->glyphs->glyphs[i].glyph != PANGO_GLYPH_EMPTY;
      }
      glyphs.clusters.push_back({cluster.end_index - cluster.start_index, drawn});
    }
  } while (pango_layout_iter_next_run(it));
  pango_layout_iter_free(it);
  return ok;
}

void RecordPdfWriter::Impl::DrawBatched() {
  cairo_set_source_rgb(cr_, 0, 0, 0);
  for (size_t i = 0; i < page_runs_; ++i) {
    GlyphRun& run = page_glyphs_[i];
    cairo_set_scaled_font(cr_,
                          pango_cairo_font_get_scaled_font(PANGO_CAIRO_FONT(fonts_[run.font].get())));
    cairo_show_text_glyphs(cr_, run.text.data(), static_cast<int>(run.text.size()),
                           run.glyphs.data(), static_cast<int>(run.glyphs.size()),
                           run.clusters.data(), static_cast<int>(run.clusters.size()),
                           static_cast<cairo_text_cluster_flags_t>(0));
    run.Clear();
  }
  page_runs_ = 0;
  if (page_rules_.empty()) return;
  cairo_set_source_rgb(cr_, 0.75, 0.75, 0.75);
  cairo_set_line_width(cr_, 0.3);
  for (const RuleLine& rule : page_rules_) {
    cairo_move_to(cr_, rule.left, rule.y);
    cairo_line_to(cr_, rule.right, rule.y);
  }
  cairo_stroke(cr_);
  cairo_set_source_rgb(cr_, 0, 0, 0);
  page_rules_.clear();
}

void RecordPdfWriter::Impl::BeginTable(const std::vector<PdfColumn>& columns,
                                       std::string caption) {
  // The columns were checked by BeginAccount.
  PlaceColumns(columns, table_.x, table_.width).IgnoreError();
  table_.columns = columns.size();
  table_.caption = Printable(caption, 400);
  while (header_cells_.size() < columns.size()) {
    header_cells_.emplace_back().layout.reset(NewLayout());
    row_cells_.emplace_back().layout.reset(NewLayout());
  }
  double header_height = 0;
  for (size_t i = 0; i < columns.size(); ++i) {
    for (auto* cells : {&header_cells_, &row_cells_}) {
      Cell& cell = (*cells)[i];
      pango_layout_set_font_description(cell.layout.get(), cells == &header_cells_
                                                               ? small_bold_.get()
                                                               : small_.get());
      pango_layout_set_width(cell.layout.get(), ToPango(table_.width[i] - 2 * kCellPadX));
      cell.laid_out = false;
    }
    SetCellText(header_cells_[i], columns[i].header);
    header_height = std::max(header_height, header_cells_[i].height);
  }
  table_.header_height = header_height + 2 * kCellPadY;
  // The header row and a few rows stay together.
  EnsureRoom(table_.header_height + 3 * (kSmallSize * 1.4 + 2 * kCellPadY));
  DrawTableHeader();
  table_.active = true;
}

void RecordPdfWriter::Impl::EndTable() {
  table_.active = false;
  y_ += 6;
}

double RecordPdfWriter::Impl::SetRow(const std::vector<std::string>& cells) {
  double height = 0;
  for (size_t i = 0; i < table_.columns; ++i) {
    SetCellText(row_cells_[i], cells[i]);
    height = std::max(height, row_cells_[i].height);
  }
  return height + 2 * kCellPadY;
}

void RecordPdfWriter::Impl::DrawRow(std::vector<Cell>& cells, double height, bool header) {
  const double left = table_.x.front();
  const double right = table_.x.back() + table_.width.back();
  if (header) {
    cairo_set_source_rgb(cr_, 0.9, 0.9, 0.9);
    cairo_rectangle(cr_, left, y_, right - left, height);
    cairo_fill(cr_);
    cairo_set_source_rgb(cr_, 0, 0, 0);
  }
  for (size_t i = 0; i < table_.columns; ++i) {
    if (const ShapedText* shaped = cells[i].shaped) {
      AddToPage(*shaped, table_.x[i] + kCellPadX, y_ + kCellPadY);
      continue;
    }
    // A clip costs a path and a graphics state in the PDF for every cell: only a cell that
    // would reach past its column gets one.
    if (cells[i].overflows) {
      cairo_save(cr_);
      cairo_rectangle(cr_, table_.x[i], y_, table_.width[i], height);
      cairo_clip(cr_);
    }
    cairo_move_to(cr_, table_.x[i] + kCellPadX, y_ + kCellPadY);
    pango_cairo_show_layout(cr_, cells[i].layout.get());
    if (cells[i].overflows) cairo_restore(cr_);
  }
  y_ += height;
  if (options_.shaped_cell_cache > 0) {
    page_rules_.push_back({y_, left, right});
  } else {
    Rule(y_, left, right, 0.75, 0.3);
  }
}

void RecordPdfWriter::Impl::DrawTableHeader() {
  DrawRow(header_cells_, table_.header_height, true);
}

void RecordPdfWriter::Impl::EndAccount() {
  if (section_ != Section::kAccount) return;
  if (account_has_log_) {
    EndTable();
    Flow(account_events_ == 0
             ? std::string("No events in the window.")
             : "End of the access log of account " + account_id_ + ": " +
                   WithThousands(account_events_) + (account_events_ == 1 ? " event." : " events."),
         body_.get());
  }
  section_ = Section::kFront;
}

Status RecordPdfWriter::Impl::BeginAccount(const PdfAccount& account) {
  if (section_ == Section::kFinished) return Status::FailedPrecondition("the PDF is finished");
  if (Status s = Health(); !s.ok()) return s;
  std::vector<double> x, width;
  if (Status s = PlaceColumns(account.access_log_columns, x, width); !s.ok()) return s;
  EndAccount();
  NewPage();
  account_id_ = account.account_id;
  account_has_log_ = !account.access_log_columns.empty();
  account_events_ = 0;
  const std::string title = "Account " + account.account_id;
  Bookmark(title);
  Flow(title, heading_.get());
  y_ += 4;
  if (!account.matched_by.empty()) {
    Flow("Matched by", body_bold_.get());
    Bullets(account.matched_by);
  }
  if (account.subscriber) {
    Heading("Subscriber information", subheading_.get(), 10);
    if (account.subscriber->empty()) {
      Flow("No subscriber record was in force during the window.", body_.get());
    }
    std::vector<std::string> row(2);
    for (const PdfSubscriberVersion& version : *account.subscriber) {
      Heading(version.heading, body_bold_.get(), 4);
      BeginTable({{"Field", 1}, {"Value", 3}},
                 "Account " + account.account_id + ": " + version.heading + " (continued)");
      for (const PdfField& field : version.fields) {
        row[0] = field.label;
        row[1] = field.value;
        const double height = SetRow(row);
        EnsureRoom(height);
        DrawRow(row_cells_, height, false);
      }
      EndTable();
    }
  }
  section_ = Section::kAccount;
  if (account_has_log_) {
    Heading("Access log", subheading_.get(), 10);
    for (const std::string& note : account.access_log_notes) {
      Flow(note, body_.get());
      y_ += 2;
    }
    y_ += 4;
    BeginTable(account.access_log_columns,
               "Account " + account.account_id + ": access log (continued)");
  }
  return Health();
}

Status RecordPdfWriter::Impl::AddEvent(const std::vector<std::string>& cells) {
  if (section_ == Section::kFinished) return Status::FailedPrecondition("the PDF is finished");
  if (Status s = Health(); !s.ok()) return s;
  if (section_ != Section::kAccount) {
    return Status::FailedPrecondition("AddEvent: no account begun");
  }
  if (!account_has_log_) {
    return Status::FailedPrecondition("AddEvent: the account has no access-log columns");
  }
  if (cells.size() != table_.columns) {
    return Status::InvalidArgument("AddEvent: " + std::to_string(cells.size()) +
                                   " cells for " + std::to_string(table_.columns) + " columns");
  }
  const double height = SetRow(cells);
  // A table header on a new page comes from its own layouts, so the row laid out survives it.
  if (y_ + height > bottom()) NewPage();
  DrawRow(row_cells_, height, false);
  ++account_events_;
  return Health();
}

Status RecordPdfWriter::Impl::Finish() {
  if (section_ == Section::kFinished) return Status::FailedPrecondition("the PDF is finished");
  if (Status s = Health(); !s.ok()) return s;
  EndAccount();
  section_ = Section::kFinished;
  y_ += 12;
  Flow("End of the record.", body_bold_.get());
  EndPage(true);
  for (const auto& [title, link] : bookmarks_) {
    cairo_pdf_surface_add_outline(surface_, CAIRO_PDF_OUTLINE_ROOT, title.c_str(), link.c_str(),
                                  static_cast<cairo_pdf_outline_flags_t>(0));
  }
  cairo_surface_finish(surface_);
  if (Status s = Health(); !s.ok()) return s;
  if (Status s = Flush(); !s.ok()) return s;
  if (Status s = file_->Sync(); !s.ok()) return s.WithContext("writing the PDF: ");
  return file_->Close().WithContext("writing the PDF: ");
}

Result<std::unique_ptr<RecordPdfWriter>> RecordPdfWriter::Create(const std::string& path,
                                                                 const PdfCover& cover,
                                                                 PdfOptions options) {
  auto created_at = ParseDateTime(cover.created_at);
  if (!created_at.ok()) {
    return Status::InvalidArgument("created_at: not a date-time " + created_at.status().message());
  }
  if (options.max_cell_lines < 1 || options.max_cell_lines > 20) {
    return Status::InvalidArgument("max_cell_lines must be between 1 and 20");
  }
  if (options.font_families.empty()) {
    return Status::InvalidArgument("font_families must name at least one family");
  }
  auto impl = std::make_unique<Impl>(cover, std::move(options));
  if (Status s = impl->Open(path, *created_at); !s.ok()) return s;
  if (Status s = impl->WriteCoverLetter(); !s.ok()) return s;
  if (Status s = impl->WriteCertificate(); !s.ok()) return s;
  return std::unique_ptr<RecordPdfWriter>(new RecordPdfWriter(std::move(impl)));
}

RecordPdfWriter::RecordPdfWriter(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
RecordPdfWriter::~RecordPdfWriter() = default;

Status RecordPdfWriter::BeginAccount(const PdfAccount& account) {
  return impl_->BeginAccount(account);
}
Status RecordPdfWriter::AddEvent(const std::vector<std::string>& cells) {
  return impl_->AddEvent(cells);
}
Status RecordPdfWriter::Finish() { return impl_->Finish(); }
int RecordPdfWriter::pages() const { return impl_->pages(); }
int64_t RecordPdfWriter::missing_glyphs() const { return impl_->missing_glyphs(); }

}  // namespace custodian::production
