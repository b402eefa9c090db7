#include "production/pdf_glyphs.h"

namespace custodian::production {

bool AsciiShaper::Build(PangoContext* context, const PangoFontDescription* font, PangoFont*& primary) {
  GPtr<PangoLayout> layout(pango_layout_new(context));
  pango_layout_set_font_description(layout.get(), font);
  primary = nullptr;
  for (char c : kAlphabet) {
    pango_layout_set_text(layout.get(), &c, 1);
    PangoLayoutLine* line = pango_layout_get_line_readonly(layout.get(), 0);
    if (!line || !line->runs || line->runs->next) return false;
    const auto* run = static_cast<const PangoGlyphItem*>(line->runs->data);
    const PangoGlyphInfo& g = run->glyphs->glyphs[0];
    if (run->glyphs->num_glyphs != 1 || (g.glyph & PANGO_GLYPH_UNKNOWN_FLAG) ||
        g.geometry.x_offset != 0 || g.geometry.y_offset != 0 ||
        (primary && run->item->analysis.font != primary)) {
      return false;
    }
    primary = run->item->analysis.font;
    glyph_[static_cast<unsigned char>(c)] = {g.glyph, g.geometry.width, true};
  }
  PangoRectangle logical;
  pango_layout_set_text(layout.get(), "0", 1);
  pango_layout_get_extents(layout.get(), nullptr, &logical);
  height_ = FromPango(logical.height);
  baseline_ = FromPango(pango_layout_get_baseline(layout.get()));
  return FindInteractingPairs(pango_font_get_hb_font(primary),
                              pango_context_get_language(context));
}

bool AsciiShaper::Shape(std::string_view text, int width, size_t font, ShapedText& out) const {
  if (text.empty()) return false;
  out.runs.resize(1);  // reused row after row: no allocation once it has grown
  GlyphRun& run = out.runs[0];
  run.Clear();
  run.font = font;
  int64_t x = 0;
  unsigned char previous = 0;
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (!glyph_[c].known || interacts_[previous][c]) return false;
    run.glyphs.push_back({glyph_[c].index, FromPango(static_cast<int>(x)), baseline_});
    x += glyph_[c].advance;
    previous = c;
  }
  if (x > width) return false;
  run.text.assign(text);
  run.clusters.assign(text.size(), cairo_text_cluster_t{1, 1});  // a glyph a character
  out.height = height_;
  return true;
}

AsciiShaper::HbShaped AsciiShaper::HbShape(hb_font_t* font, hb_language_t language,
                                           hb_script_t script, std::string_view text) {
  hb_buffer_t* buffer = hb_buffer_create();
  hb_buffer_add_utf8(buffer, text.data(), static_cast<int>(text.size()), 0,
                     static_cast<int>(text.size()));
  hb_buffer_set_direction(buffer, HB_DIRECTION_LTR);
  hb_buffer_set_script(buffer, script);
  hb_buffer_set_language(buffer, language);
  hb_shape(font, buffer, nullptr, 0);
  unsigned int n = 0;
  const hb_glyph_info_t* info = hb_buffer_get_glyph_infos(buffer, &n);
  const hb_glyph_position_t* pos = hb_buffer_get_glyph_positions(buffer, &n);
  HbShaped out;
  for (unsigned int i = 0; i < n; ++i) {
    out.glyphs.push_back(info[i].codepoint);
    out.positions.push_back(pos[i]);
  }
  hb_buffer_destroy(buffer);
  return out;
}

bool AsciiShaper::Same(const hb_glyph_position_t& a, const hb_glyph_position_t& b) {
  return a.x_advance == b.x_advance && a.y_advance == b.y_advance &&
         a.x_offset == b.x_offset && a.y_offset == b.y_offset;
}

bool AsciiShaper::FindInteractingPairs(hb_font_t* font, PangoLanguage* pango_language) {
  if (!font) return false;
  const hb_language_t language =
      hb_language_from_string(pango_language_to_string(pango_language), -1);
  for (hb_script_t script : {HB_SCRIPT_LATIN, HB_SCRIPT_COMMON}) {
    std::array<HbShaped, 256> single;
    for (char c : kAlphabet) {
      HbShaped& s = single[static_cast<unsigned char>(c)];
      s = HbShape(font, language, script, std::string_view(&c, 1));
      if (s.glyphs.size() != 1 ||
          s.glyphs[0] != glyph_[static_cast<unsigned char>(c)].index) {
        return false;
      }
    }
    for (char a : kAlphabet) {
      for (char b : kAlphabet) {
        const char pair[2] = {a, b};
        const HbShaped both = HbShape(font, language, script, std::string_view(pair, 2));
        const HbShaped& sa = single[static_cast<unsigned char>(a)];
        const HbShaped& sb = single[static_cast<unsigned char>(b)];
        if (both.glyphs.size() != 2 || both.glyphs[0] != sa.glyphs[0] ||
            both.glyphs[1] != sb.glyphs[0] || !Same(both.positions[0], sa.positions[0]) ||
            !Same(both.positions[1], sb.positions[0])) {
          interacts_[static_cast<unsigned char>(a)][static_cast<unsigned char>(b)] = true;
        }
      }
    }
  }
  return true;
}

}  // namespace custodian::production
