// The page engine of record.pdf: a cairo PDF surface streamed into a file through the
// FileSystem seam, Pango set up with an explicit list of fonts, and pages with a running
// header and footer (the ids on every page, "Page N", "(last page)" on the last), text that
// flows across pages, an outline, and glyphs batched a page at a time (pdf_glyphs.h). It
// knows nothing of what a record says: record_pdf.cc writes the record through it, and
// pdf_table.h lays tables out on it. A page is portrait or landscape, chosen page by page.
// Not thread-safe: one thread at a time uses a page engine.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/time.h"
#include "production/pdf_glyphs.h"
#include "production/pdf_options.h"

namespace custodian::production {

enum class Orientation { kPortrait, kLandscape };

// `text` as Pango is to print it. Pango wants well-formed UTF-8 and stops at a NUL, so an
// ill-formed byte and every control character become U+FFFD (nothing is hidden), a tab a
// space, and every kind of line break "\n". At most `max_code_points` are kept, and "…"
// marks a cut.
std::string Printable(std::string_view text, size_t max_code_points = SIZE_MAX);
int ToPango(double points);

// What every page and the file's metadata say.
struct PdfDocumentInfo {
  std::string title;          // the PDF's title
  std::string author;         // the PDF's author
  Timestamp created_at;       // its creation date: the same record gives the same bytes
  std::string running_title;  // the header's left side
  std::string ids;            // the header's right side and the footer's left
};

class PdfPage {
 public:
  enum class Font { kTitle, kHeading, kSubheading, kBody, kBodyBold, kSmall, kSmallBold };

  // Checks the fonts, creates (or truncates) the file and starts the first page, portrait.
  // IoError when the file cannot be created ("cannot create the PDF: PATH: …");
  // FailedPrecondition when a font family is not installed.
  static Result<std::unique_ptr<PdfPage>> Open(const std::string& path, const PdfDocumentInfo& info,
                                               const PdfOptions& options);
  // Without Finish, the file is left without its trailer: no reader takes it for a PDF.
  ~PdfPage();
  PdfPage(const PdfPage&) = delete;
  PdfPage& operator=(const PdfPage&) = delete;

  const PdfOptions& options() const { return options_; }
  const PangoFontDescription* font(Font f) const { return fonts_by_role_[static_cast<size_t>(f)].get(); }
  // A layout that wraps between words (anywhere in a word too long for its width), draws
  // no hyphen where it breaks one, and counts no glyph until it is set; the caller owns it.
  GPtr<PangoLayout> NewLayout();

  // Geometry, in points. `y` is where the next thing's top goes.
  double left() const;
  double content_width() const { return content_width(orientation_); }
  double content_width(Orientation o) const;
  double top() const;
  double bottom() const;
  double y() const { return y_; }
  void Advance(double dy) { y_ += dy; }
  Orientation orientation() const { return orientation_; }

  // Ends this page and starts the next, in `orientation` (this page's when unset).
  void NewPage();
  void NewPage(Orientation orientation);
  // Moves to a new page unless `height` more fits on this one (or this one is still empty).
  void EnsureRoom(double height);
  // Runs at the top of every new page until cleared: a table's caption and header row.
  void SetContinuation(std::function<void()> continuation) { continuation_ = std::move(continuation); }

  // Flowing text, line by line, across pages: wrapped to the content width less `indent`,
  // lines after the first indented by `hanging` more. The first `bold_bytes` bytes are bold.
  void Flow(const std::string& text, Font font, double indent = 0, double hanging = 0,
            size_t bold_bytes = 0);
  // A heading kept with what follows it.
  void Heading(const std::string& text, Font font, double space_before);
  void Bullets(const std::vector<std::string>& items);
  void LabelledLine(const std::string& label, const std::string& value);
  // One line of small text (printable already) at the left margin and `y`, across the
  // content width; its height. Kept laid out: it comes back on other pages.
  double Caption(const std::string& printable, double y);

  // The page's glyphs, batched (pdf_glyphs.h): true unless PdfOptions::shaped_cell_cache is 0.
  bool batched() const { return options_.shaped_cell_cache > 0; }
  ShapedCellCache& cache() { return cache_; }
  // The fast path for times, ports and addresses in the small font, or null.
  const AsciiShaper* ascii() const { return ascii_ready_ ? &ascii_ : nullptr; }
  size_t ascii_font() const { return ascii_font_; }
  // The glyphs of a laid-out text, or false when Pango must draw it (a run right to left,
  // a glyph no font has).
  bool ToShaped(PangoLayout* layout, ShapedText& out);
  void AddToPage(const ShapedText& shaped, double x, double y);
  // A thin gray rule under a table row, drawn with the page's others in one stroke.
  void AddRowRule(double y, double left, double right);
  // Draws a layout at (x, y) now; clipped to the rectangle when `clip_width` > 0.
  void DrawLayout(PangoLayout* layout, double x, double y, double clip_width = 0,
                  double clip_height = 0);
  void FillRect(double x, double y, double width, double height, double gray);
  // Sets a layout's text, counting the characters no font has.
  void SetText(PangoLayout* layout, const std::string& printable);
  void CountMissingGlyphs(PangoLayout* layout);

  // An entry in the viewer's outline, pointing at this page.
  void Bookmark(const std::string& title);
  // The first failure, from the file or from cairo; once there is one, every call returns it.
  Status Health();
  // Ends the last page ("(last page)"), writes the outline, the font subsets and the
  // trailer, syncs and closes the file.
  Status Finish();

  int pages() const { return page_; }
  int64_t missing_glyphs() const { return missing_glyphs_; }

 private:
  struct FontDescriptionFree {
    void operator()(PangoFontDescription* p) const { pango_font_description_free(p); }
  };
  using FontPtr = std::unique_ptr<PangoFontDescription, FontDescriptionFree>;
  struct RuleLine {
    double y, left, right;
  };

  explicit PdfPage(const PdfOptions& options);
  Status Start(const std::string& path, const PdfDocumentInfo& info);
  static cairo_status_t WriteToFile(void* closure, const unsigned char* data, unsigned int length);
  Status Flush();
  FontPtr MakeFont(double size, bool bold) const;
  size_t FontIndex(PangoFont* font);
  void Rule(double y, double left, double right, double gray, double line_width);
  void StartPage();
  void EndPage(bool last);
  void DrawBatched();
  double page_width() const;
  double page_height() const;
  // A line of the running header or footer, or a caption, at the left margin and `y`;
  // returns its height. `again`: the same text comes on other pages, keep its glyphs.
  double Chrome(const std::string& printable, PangoAlignment alignment, double width, double y,
                bool again);

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
  std::vector<FontPtr> fonts_by_role_;
  GPtr<PangoLayout> text_;    // flowing text
  GPtr<PangoLayout> chrome_;  // running header, footer, table captions
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
  std::vector<RuleLine> page_rules_;  // under each row: 0.75 gray, 0.3 pt
  std::string ids_;          // printable, on every page
  std::string title_line_;   // printable, on every page
  std::map<std::string, std::shared_ptr<const ShapedText>> chrome_shaped_;
  // The outline's entries (title, link to its page), handed to cairo by Finish, when every
  // page they point at is written: cairo 1.16 trips an assertion finishing a surface whose
  // outline points at a page it did not write. They are few: one per account.
  std::vector<std::pair<std::string, std::string>> bookmarks_;
  std::function<void()> continuation_;

  Orientation paper_orientation_ = Orientation::kPortrait;  // the surface's current size
  Orientation orientation_ = Orientation::kPortrait;        // the page being drawn
  int page_ = 0;   // the page being drawn, from 1; 0 before the first
  double y_ = 0;
  int64_t missing_glyphs_ = 0;
};

}  // namespace custodian::production
