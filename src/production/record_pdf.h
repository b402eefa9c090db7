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

#include "core/status.h"
#include "production/pdf_column.h"
#include "production/pdf_options.h"

namespace custodian::production {

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

// One account's section.
struct PdfAccount {
  std::string account_id;               // "1000042"
  std::vector<std::string> matched_by;  // how it was found: "email ana@example.net"
  // nullopt when subscriber information is not produced (the heading is left out); empty when
  // it is and no version was in force (a line says so).
  std::optional<std::vector<PdfSubscriberVersion>> subscriber;
  // The access log's columns, its header row on every page it spans. Empty when the access
  // log is not produced: the heading is left out and AddEvent is refused. A section whose
  // columns do not fit across a portrait page is printed on landscape pages.
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
  // InvalidArgument when a column is not given a positive width or the columns of a line do
  // not fit across a landscape page (each at least its widest value and 36 pt).
  Status BeginAccount(const PdfAccount& account);

  // Adds one row to the current account's access log, one cell a column. A cell wraps within
  // its column and is cut with an ellipsis after max_cell_lines lines (unless 0; and after
  // 4096 code points). FailedPrecondition without a current account or when it has no
  // access-log columns; InvalidArgument when the number of cells is not the number of
  // columns; Internal when the row is taller than a page.
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
