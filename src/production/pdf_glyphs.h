// The glyph-level pieces of record.pdf's tables (record_pdf.cc): text laid out once as
// cairo glyphs, a bounded cache of laid-out cell values, and a shaper for the characters
// of times, ports and addresses that needs no Pango. Not thread-safe; one writer each.
#pragma once

#include <cairo.h>
#include <pango/pangocairo.h>

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <hb.h>

namespace custodian::production {

// A GLib object's owner, and Pango's units in points.
struct GObjectUnref {
  void operator()(gpointer p) const { g_object_unref(p); }
};
template <typename T>
using GPtr = std::unique_ptr<T, GObjectUnref>;
inline double FromPango(int units) { return static_cast<double>(units) / PANGO_SCALE; }

// Glyphs in one font as cairo draws them, with the text they stand for (so that a reader
// extracts it): what pango_cairo_show_layout would hand cairo for one run, already placed.
struct GlyphRun {
  size_t font = 0;  // in the writer's table of fonts
  std::vector<cairo_glyph_t> glyphs;
  std::string text;
  std::vector<cairo_text_cluster_t> clusters;

  void Append(const GlyphRun& run, double dx, double dy) {
    for (cairo_glyph_t g : run.glyphs) glyphs.push_back({g.index, g.x + dx, g.y + dy});
    text += run.text;
    clusters.insert(clusters.end(), run.clusters.begin(), run.clusters.end());
  }
  void Clear() {
    glyphs.clear();
    text.clear();
    clusters.clear();
  }
};

// A cell's text laid out once, its glyphs placed relative to the cell's top-left corner.
struct ShapedText {
  std::vector<GlyphRun> runs;
  double height = 0;  // of its lines, in points

  size_t bytes() const {
    size_t n = sizeof *this;
    for (const GlyphRun& r : runs) {
      n += sizeof r + r.glyphs.size() * sizeof(cairo_glyph_t) + r.text.size() +
           r.clusters.size() * sizeof(cairo_text_cluster_t);
    }
    return n;
  }
};

// Distinct cell values laid out in a font at a column width, so that a value that comes back
// (an address, a place, a user agent) is shaped once. Bounded in entries and bytes: when either
// is reached it starts over, which costs a re-shape of what comes back, never memory.
class ShapedCellCache {
 public:
  explicit ShapedCellCache(size_t max_entries) : max_entries_(max_entries) {}

  // `font` names the font description the text is set in (the writer keeps it alive).
  std::shared_ptr<const ShapedText> Find(const void* font, int width, std::string_view text) {
    auto it = entries_.find(Key(font, width, text));
    return it == entries_.end() ? nullptr : it->second;
  }
  void Insert(const void* font, int width, std::string_view text,
              std::shared_ptr<const ShapedText> shaped) {
    if (text.size() > kMaxTextBytes || max_entries_ == 0) return;
    if (entries_.size() >= max_entries_ || bytes_ >= kMaxBytes) {
      entries_.clear();
      bytes_ = 0;
    }
    bytes_ += text.size() + shaped->bytes();
    entries_.emplace(Key(font, width, text), std::move(shaped));
  }

 private:
  // Longer values (a rare user agent of kilobytes) are shaped each time they come.
  static constexpr size_t kMaxTextBytes = 1024;
  static constexpr size_t kMaxBytes = size_t{8} << 20;

  static std::string Key(const void* font, int width, std::string_view text) {
    std::string key(reinterpret_cast<const char*>(&font), sizeof font);
    key.append(reinterpret_cast<const char*>(&width), sizeof width);
    key += text;
    return key;
  }

  const size_t max_entries_;
  size_t bytes_ = 0;
  std::unordered_map<std::string, std::shared_ptr<const ShapedText>> entries_;
};

// Lays out the values that make most of an access log's cells and are new in every row
// (times, ports, addresses: digits, hex digits and a little punctuation) without Pango: each
// character's glyph and advance are looked up, as Pango's own shaping of the character
// gives them, and placed side by side on one line. That is what shaping gives only when no
// two neighbours interact (kerning, ligatures): Build asks HarfBuzz about every pair, in
// both scripts Pango may give such text, and a value holding a pair that interacts, a
// character not in the table, or too wide for its column to fit on one line is left to Pango.
class AsciiShaper {
 public:
  static constexpr std::string_view kAlphabet = "0123456789abcdefABCDEFTZ.:-[]/%";

  // Learns the glyphs of the alphabet in `font` (a table cell's), and which pairs interact.
  // False when the alphabet is not all in one font: then every value goes to Pango.
  bool Build(PangoContext* context, const PangoFontDescription* font, PangoFont*& primary);

  // `text` on one line of at most `width` (Pango units), or false.
  bool Shape(std::string_view text, int width, size_t font, ShapedText& out) const;

 private:
  struct Glyph {
    unsigned long index = 0;
    int advance = 0;
    bool known = false;
  };

  struct HbShaped {
    std::vector<hb_codepoint_t> glyphs;
    std::vector<hb_glyph_position_t> positions;
  };

  static HbShaped HbShape(hb_font_t* font, hb_language_t language, hb_script_t script,
                          std::string_view text);

  static bool Same(const hb_glyph_position_t& a, const hb_glyph_position_t& b);

  bool FindInteractingPairs(hb_font_t* font, PangoLanguage* pango_language);

  std::array<Glyph, 256> glyph_{};
  std::array<std::array<bool, 256>, 256> interacts_{};
  double height_ = 0, baseline_ = 0;
};

}  // namespace custodian::production
