// A RecordPdfWriter writes record.pdf, the business record of a production for people to
// read (spec/production.md; docs/production.md, "The PDF"): the cover letter, the custodian's
// certificate with its signature block, then a section per account with its subscriber
// versions and its access log. Every page carries the case id, the production id and its
// page number. It streams: a page goes to the file as soon as it is full, and its memory
// stays bounded however many events an account has (its cache of laid-out cells is bounded
// too: PdfOptions::shaped_cell_cache).
//
// Every string it is given is plain text: it is laid out with pango_layout_set_text, never
// parsed as markup, so "<b>" prints as those three characters. Text is shaped by Pango with
// an explicit list of Noto fonts, so that names in Latin, Arabic, Hebrew, Han and Devanagari
// scripts print with real glyphs.
//
// Not thread-safe: one thread at a time uses a writer. Distinct writers may run on distinct
// threads (each has its own Pango font map).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/file_system.h"
#include "core/status.h"

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
  // A table cell (a user agent) longer than this many lines ends in an ellipsis; raise it to
  // print more of long values at the cost of taller rows. 1 to 20.
  int max_cell_lines = 4;
  // How many distinct table-cell values are kept laid out (addresses, kinds, places and user
  // agents repeat row after row: each is shaped once). Cells are then drawn a page at a time;
  // times, ports and addresses take a fast path that needs no shaping. 0 lays out and draws
  // every cell through Pango on its own: the same page, several times slower.
  size_t shaped_cell_cache = 4096;
  FileSystem* fs = &PosixFileSystem();
};

// The cover letter and the certificate. Everything is plain text, printed as given.
struct PdfCover {
  std::string service_name;   // the service whose records these are: "Example Mail"
  std::string case_id;        // "C-2026-000123"
  std::string production_id;  // "P-2026-000077"
  std::string created_at;     // RFC 3339; also the PDF's creation date
  std::string process_summary;  // "Subpoena (reference 2026-GJ-0417), issued by ..."
  std::string requester;        // the agency and the officer
  std::vector<std::string> scope_lines;  // targets, categories, window, as the caller words them
  // The custodian's declaration (FRE 902(11)-style), configurable per service; a newline
  // starts a new paragraph.
  std::string certificate_text;
  std::string custodian_name, custodian_title;  // under the signature line
  std::vector<std::string> notes;  // e.g. how geolocation was attributed and that it is approximate
};

// A label and its value in a subscriber version: {"Name", "Ana Pérez"}. A newline in the
// value starts a new line in its cell (e.g. one e-mail address a line).
struct PdfField {
  std::string label;
  std::string value;
};

// One version of the subscriber record.
struct PdfSubscriberVersion {
  std::string heading;           // "In force from 2025-11-02T09:00:00.000000Z"
  std::vector<PdfField> fields;  // printed as a two-column table, in this order
};

// A column of the access-log table.
struct PdfColumn {
  std::string header;  // "Time (UTC)"
  double width = 1;    // relative to the other columns: 2 is twice as wide as 1
};

// One account's section.
struct PdfAccount {
  std::string account_id;               // "1000042"
  std::vector<std::string> matched_by;  // how it was found: "email ana@example.net"
  // nullopt when subscriber information is not produced (the heading is left out); empty when
  // it is and no version was in force (a line says so).
  std::optional<std::vector<PdfSubscriberVersion>> subscriber;
  // The access log's columns, its header row on every page it spans. Empty when the access
  // log is not produced: the heading is left out and AddEvent is refused.
  std::vector<PdfColumn> access_log_columns;
  // Printed under the access log's heading: "Only events from 203.0.113.5 (the account was
  // found through that address)."
  std::vector<std::string> access_log_notes;
};

class RecordPdfWriter {
 public:
  // Creates (or truncates) the file at `path` and writes the cover letter and the
  // certificate. IoError when the file cannot be created ("cannot create the PDF: <path>:
  // No such file or directory"); InvalidArgument when created_at is not RFC 3339 or an
  // option is out of range; FailedPrecondition when a font family is not installed.
  static Result<std::unique_ptr<RecordPdfWriter>> Create(const std::string& path,
                                                         const PdfCover& cover,
                                                         PdfOptions options = {});
  // Without a successful Finish, the file is left truncated (it has no trailer and no reader
  // takes it for a PDF); the caller removes it.
  ~RecordPdfWriter();
  RecordPdfWriter(const RecordPdfWriter&) = delete;
  RecordPdfWriter& operator=(const RecordPdfWriter&) = delete;

  // Ends the previous account's section and starts this one on a new page: its heading, how
  // it matched, its subscriber versions, and the access log's heading and header row.
  // InvalidArgument when a column is not given a positive width or would be too narrow to
  // print (under 36 pt).
  Status BeginAccount(const PdfAccount& account);

  // Adds one row to the current account's access log, one cell a column. A cell wraps within
  // its column and is cut with an ellipsis after max_cell_lines lines (and after 4096 code
  // points). FailedPrecondition without a current account or when it has no access-log
  // columns; InvalidArgument when the number of cells is not the number of columns.
  Status AddEvent(const std::vector<std::string>& cells);

  // Ends the last section ("No events in the window." when an account with an access log
  // had none), writes the last page, the font subsets and the trailer, and syncs the file.
  // The file is complete only when this returns ok. Any method called after Finish returns
  // FailedPrecondition.
  Status Finish();

  // Pages begun so far; after Finish, the number of pages in the file.
  int pages() const;
  // Glyphs laid out so far that no installed font has, and that print as boxes: 0 when
  // every name rendered (Pango's unknown-glyph count, summed over every text set).
  int64_t missing_glyphs() const;

 private:
  class Impl;
  explicit RecordPdfWriter(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace custodian::production
