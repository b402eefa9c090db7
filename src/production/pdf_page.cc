#include "production/pdf_page.h"

#include <cairo-pdf.h>

#include <cmath>
#include <set>
#include <utility>

#include "core/unicode.h"

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
constexpr double kBulletIndent = 12;
constexpr double kHeadingKeepWithNext = 60;  // a heading is not left alone at a page's foot

// Type sizes, in points.
constexpr double kTitleSize = 16;
constexpr double kHeadingSize = 13;
constexpr double kSubheadingSize = 11;
constexpr double kBodySize = 10;
constexpr double kSmallSize = 8;  // tables, header and footer

// Cairo hands the PDF over in small pieces; they go to the file this many bytes at a time.
constexpr size_t kWriteBufferBytes = size_t{1} << 16;

constexpr char32_t kReplacement = 0xFFFD;

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

int ToPango(double points) { return static_cast<int>(std::lround(points * PANGO_SCALE)); }

std::string Printable(std::string_view text, size_t max_code_points) {
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

PdfPage::PdfPage(const PdfOptions& options) : options_(options), cache_(options.shaped_cell_cache) {}

PdfPage::~PdfPage() {
  // An unfinished surface would write its trailer on destruction: refuse the bytes, so that
  // a file not Finish()ed never looks complete.
  abandoned_ = true;
  text_.reset();
  chrome_.reset();
  fonts_.clear();
  context_.reset();
  font_map_.reset();
  if (cr_) cairo_destroy(cr_);
  if (surface_) cairo_surface_destroy(surface_);
}

Result<std::unique_ptr<PdfPage>> PdfPage::Open(const std::string& path, const PdfDocumentInfo& info,
                                               const PdfOptions& options) {
  std::unique_ptr<PdfPage> page(new PdfPage(options));
  if (Status s = page->Start(path, info); !s.ok()) return s;
  return page;
}

double PdfPage::page_width() const {
  const bool a4 = options_.paper == PaperSize::kA4;
  const double narrow = a4 ? 595.276 : 612;  // 210 mm, 8.5 in
  const double tall = a4 ? 841.89 : 792;     // 297 mm, 11 in
  return orientation_ == Orientation::kPortrait ? narrow : tall;
}

double PdfPage::page_height() const {
  const bool a4 = options_.paper == PaperSize::kA4;
  const double narrow = a4 ? 595.276 : 612;
  const double tall = a4 ? 841.89 : 792;
  return orientation_ == Orientation::kPortrait ? tall : narrow;
}

double PdfPage::left() const { return kMargin; }
double PdfPage::top() const { return kContentTop; }
double PdfPage::bottom() const { return page_height() - kContentBottomGap; }

double PdfPage::content_width(Orientation o) const {
  const bool a4 = options_.paper == PaperSize::kA4;
  const double width = o == Orientation::kPortrait ? (a4 ? 595.276 : 612) : (a4 ? 841.89 : 792);
  return width - 2 * kMargin;
}

cairo_status_t PdfPage::WriteToFile(void* closure, const unsigned char* data, unsigned int length) {
  auto* self = static_cast<PdfPage*>(closure);
  if (self->abandoned_ || !self->write_status_.ok()) return CAIRO_STATUS_WRITE_ERROR;
  self->buffer_.append(reinterpret_cast<const char*>(data), length);
  if (self->buffer_.size() >= kWriteBufferBytes && !self->Flush().ok()) {
    return CAIRO_STATUS_WRITE_ERROR;
  }
  return CAIRO_STATUS_SUCCESS;
}

Status PdfPage::Flush() {
  if (!write_status_.ok() || buffer_.empty()) return write_status_;
  write_status_ = file_->Append(buffer_).WithContext("writing the PDF: ");
  buffer_.clear();
  return write_status_;
}

Status PdfPage::Health() {
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

PdfPage::FontPtr PdfPage::MakeFont(double size, bool bold) const {
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

GPtr<PangoLayout> PdfPage::NewLayout() {
  GPtr<PangoLayout> layout(pango_layout_new(context_.get()));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  PangoAttrList* attributes = NoHyphens();
  pango_layout_set_attributes(layout.get(), attributes);
  pango_attr_list_unref(attributes);
  return layout;
}

Status PdfPage::Start(const std::string& path, const PdfDocumentInfo& info) {
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
  surface_ = cairo_pdf_surface_create_for_stream(&WriteToFile, this, page_width(), page_height());
  cr_ = cairo_create(surface_);
  const std::string title = Printable(info.title, 400);
  const std::string author = Printable(info.author, 200);
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_TITLE, title.c_str());
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_AUTHOR, author.c_str());
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATOR, "custodian");
  // The record's own time, not the clock's: the same production gives the same bytes.
  cairo_pdf_surface_set_metadata(surface_, CAIRO_PDF_METADATA_CREATE_DATE,
                                 PdfDate(info.created_at).c_str());

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

  // In the order of Font.
  fonts_by_role_.push_back(MakeFont(kTitleSize, true));
  fonts_by_role_.push_back(MakeFont(kHeadingSize, true));
  fonts_by_role_.push_back(MakeFont(kSubheadingSize, true));
  fonts_by_role_.push_back(MakeFont(kBodySize, false));
  fonts_by_role_.push_back(MakeFont(kBodySize, true));
  fonts_by_role_.push_back(MakeFont(kSmallSize, false));
  fonts_by_role_.push_back(MakeFont(kSmallSize, true));
  if (batched()) {
    PangoFont* primary = nullptr;
    ascii_ready_ = ascii_.Build(context_.get(), font(Font::kSmall), primary);
    if (ascii_ready_) ascii_font_ = FontIndex(primary);
  }
  text_ = NewLayout();
  chrome_ = NewLayout();
  pango_layout_set_font_description(chrome_.get(), font(Font::kSmall));
  pango_layout_set_ellipsize(chrome_.get(), PANGO_ELLIPSIZE_END);  // one line, whatever the name
  pango_layout_set_auto_dir(chrome_.get(), FALSE);                 // left stays left

  ids_ = Printable(info.ids, 400);
  title_line_ = Printable(info.running_title, 200);
  Bookmark("Cover letter");
  StartPage();
  return Health();
}

void PdfPage::Bookmark(const std::string& title) {
  bookmarks_.emplace_back(Printable(title, 400), "page=" + std::to_string(page_));
}

void PdfPage::Rule(double y, double left, double right, double gray, double line_width) {
  cairo_set_source_rgb(cr_, gray, gray, gray);
  cairo_set_line_width(cr_, line_width);
  cairo_move_to(cr_, left, y);
  cairo_line_to(cr_, right, y);
  cairo_stroke(cr_);
  cairo_set_source_rgb(cr_, 0, 0, 0);
}

void PdfPage::StartPage() {
  ++page_;
  y_ = kContentTop;
  cairo_set_source_rgb(cr_, 0, 0, 0);
  const double width = page_width() - 2 * kMargin;
  Chrome(ids_, PANGO_ALIGN_RIGHT, width, kHeaderTextTop, true);
  // The service's name takes the left half at most, so that the ids are never covered.
  Chrome(title_line_, PANGO_ALIGN_LEFT, width / 2, kHeaderTextTop, true);
  Rule(kHeaderRule, kMargin, page_width() - kMargin, 0.5, 0.5);
}

double PdfPage::Chrome(const std::string& printable, PangoAlignment alignment, double width,
                       double y, bool again) {
  std::string key;
  if (batched() && again) {
    key = std::to_string(alignment) + ' ' + std::to_string(ToPango(width)) + ' ' + printable;
    auto it = chrome_shaped_.find(key);
    if (it != chrome_shaped_.end()) {
      AddToPage(*it->second, kMargin, y);
      return it->second->height;
    }
  }
  pango_layout_set_alignment(chrome_.get(), alignment);
  pango_layout_set_width(chrome_.get(), ToPango(width));
  SetText(chrome_.get(), printable);
  PangoRectangle logical;
  pango_layout_get_extents(chrome_.get(), nullptr, &logical);
  auto shaped = std::make_shared<ShapedText>();
  if (batched() && ToShaped(chrome_.get(), *shaped)) {
    shaped->height = FromPango(logical.height);
    AddToPage(*shaped, kMargin, y);
    if (!key.empty()) {
      if (chrome_shaped_.size() >= 64) chrome_shaped_.clear();  // a caption per account
      chrome_shaped_.emplace(std::move(key), std::move(shaped));
    }
  } else {
    cairo_move_to(cr_, kMargin, y);
    pango_cairo_show_layout(cr_, chrome_.get());
  }
  return FromPango(logical.height);
}

double PdfPage::Caption(const std::string& printable, double y) {
  return Chrome(printable, PANGO_ALIGN_LEFT, content_width(), y, true);
}

void PdfPage::AddToPage(const ShapedText& shaped, double x, double y) {
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

void PdfPage::AddRowRule(double y, double left, double right) {
  if (batched()) {
    page_rules_.push_back({y, left, right});
  } else {
    Rule(y, left, right, 0.75, 0.3);
  }
}

void PdfPage::DrawLayout(PangoLayout* layout, double x, double y, double clip_width,
                         double clip_height) {
  // A clip costs a path and a graphics state in the PDF: only what would reach past its
  // place gets one.
  if (clip_width > 0) {
    cairo_save(cr_);
    cairo_rectangle(cr_, x, y, clip_width, clip_height);
    cairo_clip(cr_);
  }
  cairo_move_to(cr_, x, y);
  pango_cairo_show_layout(cr_, layout);
  if (clip_width > 0) cairo_restore(cr_);
}

void PdfPage::FillRect(double x, double y, double width, double height, double gray) {
  cairo_set_source_rgb(cr_, gray, gray, gray);
  cairo_rectangle(cr_, x, y, width, height);
  cairo_fill(cr_);
  cairo_set_source_rgb(cr_, 0, 0, 0);
}

// The footer is drawn when a page is done, so that the last page can say it is the last: the
// total is unknown while streaming (a "Page N of M" would need the whole record laid out
// twice, or held), and "Page N (last page)" at the end tells a reader the same: that nothing
// is missing.
void PdfPage::EndPage(bool last) {
  Rule(page_height() - kFooterRuleFromBottom, kMargin, page_width() - kMargin, 0.5, 0.5);
  const double width = page_width() - 2 * kMargin;
  Chrome(ids_, PANGO_ALIGN_LEFT, width, page_height() - kFooterTextFromBottom, true);
  const std::string number = "Page " + std::to_string(page_) + (last ? " (last page)" : "");
  Chrome(number, PANGO_ALIGN_RIGHT, width, page_height() - kFooterTextFromBottom, false);
  DrawBatched();
  cairo_show_page(cr_);
}

void PdfPage::NewPage() { NewPage(orientation_); }

void PdfPage::NewPage(Orientation orientation) {
  EndPage(false);
  orientation_ = orientation;
  if (orientation_ != paper_orientation_) {
    // Takes effect from the page after the one just shown.
    cairo_pdf_surface_set_size(surface_, page_width(), page_height());
    paper_orientation_ = orientation_;
  }
  StartPage();
  if (continuation_) continuation_();
}

void PdfPage::EnsureRoom(double height) {
  if (y_ + height > bottom() && y_ > kContentTop) NewPage();
}

void PdfPage::Flow(const std::string& text, Font font_role, double indent, double hanging,
                   size_t bold_bytes) {
  PangoLayout* layout = text_.get();
  const std::string printable = Printable(text);
  pango_layout_set_font_description(layout, font(font_role));
  pango_layout_set_width(layout, ToPango(content_width() - indent));
  pango_layout_set_indent(layout, ToPango(-hanging));
  PangoAttrList* attributes = NoHyphens();
  if (bold_bytes > 0) {
    // Byte offsets into `printable`: the label is plain ASCII, so they are the same as in `text`.
    PangoAttribute* bold = pango_attr_weight_new(PANGO_WEIGHT_BOLD);
    bold->start_index = 0;
    bold->end_index = static_cast<guint>(bold_bytes);
    pango_attr_list_insert(attributes, bold);
  }
  pango_layout_set_attributes(layout, attributes);
  pango_attr_list_unref(attributes);
  SetText(layout, printable);

  PangoLayoutIter* it = pango_layout_get_iter(layout);
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

void PdfPage::Heading(const std::string& text, Font font_role, double space_before) {
  y_ += space_before;
  EnsureRoom(kHeadingKeepWithNext);
  Flow(text, font_role);
  y_ += 4;
}

void PdfPage::Bullets(const std::vector<std::string>& items) {
  for (const std::string& item : items) {
    Flow("•  " + item, Font::kBody, kBulletIndent, kBulletIndent);
    y_ += 2;
  }
}

void PdfPage::LabelledLine(const std::string& label, const std::string& value) {
  Flow(label + "  " + value, Font::kBody, 0, 0, label.size());
  y_ += 2;
}

void PdfPage::SetText(PangoLayout* layout, const std::string& printable) {
  pango_layout_set_text(layout, printable.data(), static_cast<int>(printable.size()));
  CountMissingGlyphs(layout);
}

void PdfPage::CountMissingGlyphs(PangoLayout* layout) {
  missing_glyphs_ += pango_layout_get_unknown_glyphs_count(layout);
}

size_t PdfPage::FontIndex(PangoFont* font) {
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
bool PdfPage::ToShaped(PangoLayout* layout, ShapedText& out) {
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

void PdfPage::DrawBatched() {
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

Status PdfPage::Finish() {
  if (Status s = Health(); !s.ok()) return s;
  continuation_ = nullptr;
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

}  // namespace custodian::production
