#include "production/record_pdf.h"

#include <utility>

#include "core/time.h"
#include "production/pdf_page.h"
#include "production/pdf_table.h"

namespace custodian::production {
namespace {

constexpr double kSignatureBlockHeight = 120;  // kept on one page

// "1,000,000".
std::string WithThousands(int64_t n) {
  std::string digits = std::to_string(n), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

using Font = PdfPage::Font;

}  // namespace

// What the record says, in order, on the page engine (pdf_page.h) and its tables
// (pdf_table.h): the cover letter, the certificate, a section per account.
class RecordPdfWriter::Impl {
 public:
  explicit Impl(PdfCover cover) : cover_(std::move(cover)) {}
  ~Impl() {
    table_.reset();  // its layouts before the page's context
    page_.reset();
  }

  Status Open(const std::string& path, Timestamp created_at, const PdfOptions& options);
  Status WriteCoverLetter();
  Status WriteCertificate();
  Status BeginAccount(const PdfAccount& account);
  Status AddEvent(const std::vector<std::string>& cells);
  Status Finish();
  int pages() const { return page_->pages(); }
  int64_t missing_glyphs() const { return page_->missing_glyphs(); }

 private:
  enum class Section { kFront, kAccount, kFinished };
  void EndAccount();

  PdfCover cover_;
  std::unique_ptr<PdfPage> page_;
  std::unique_ptr<PdfTable> table_;
  Section section_ = Section::kFront;
  std::string account_id_;
  bool account_has_log_ = false;
  int64_t account_events_ = 0;
};

Status RecordPdfWriter::Impl::Open(const std::string& path, Timestamp created_at,
                                   const PdfOptions& options) {
  PdfDocumentInfo info;
  info.title = "Business record, case " + cover_.case_id + ", production " + cover_.production_id;
  info.author = cover_.service_name;
  info.created_at = created_at;
  info.running_title = cover_.service_name + ": business record";
  info.ids = "Case " + cover_.case_id + "    Production " + cover_.production_id;
  auto page = PdfPage::Open(path, info, options);
  if (!page.ok()) return page.status();
  page_ = std::move(page).value();
  table_ = std::make_unique<PdfTable>(*page_);
  return page_->Health();
}

Status RecordPdfWriter::Impl::WriteCoverLetter() {
  PdfPage& p = *page_;
  p.Flow(cover_.service_name, Font::kTitle);
  p.Advance(2);
  p.Flow("Production of business records", Font::kHeading);
  p.Advance(16);
  p.LabelledLine("Date:", cover_.created_at);
  p.LabelledLine("To:", cover_.requester);
  p.LabelledLine("Re:", cover_.process_summary);
  p.LabelledLine("Case:", cover_.case_id);
  p.LabelledLine("Production:", cover_.production_id);
  p.Advance(12);
  p.Flow("This record is produced in response to the legal process above. It holds the "
         "custodian's certificate and, for each account within the scope below, the records "
         "that the scope calls for.",
         Font::kBody);
  p.Heading("Scope", Font::kSubheading, 14);
  p.Bullets(cover_.scope_lines);
  if (!cover_.notes.empty()) {
    p.Heading("Notes", Font::kSubheading, 14);
    p.Bullets(cover_.notes);
  }
  return p.Health();
}

Status RecordPdfWriter::Impl::WriteCertificate() {
  PdfPage& p = *page_;
  p.NewPage();
  p.Bookmark("Certificate");
  p.Flow("Certificate of the custodian of records", Font::kHeading);
  p.Advance(12);
  size_t start = 0;
  const std::string& text = cover_.certificate_text;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    if (end > start) {
      p.Flow(text.substr(start, end - start), Font::kBody);
      p.Advance(8);
    }
    start = end + 1;
  }
  p.Advance(28);
  p.EnsureRoom(kSignatureBlockHeight);
  p.LabelledLine("Signature:", "________________________________________");
  p.Advance(10);
  p.LabelledLine("Name:", cover_.custodian_name);
  p.LabelledLine("Title:", cover_.custodian_title);
  p.Advance(10);
  p.LabelledLine("Date:", "____________________");
  return p.Health();
}

void RecordPdfWriter::Impl::EndAccount() {
  if (section_ != Section::kAccount) return;
  if (account_has_log_) {
    table_->End();
    page_->Flow(account_events_ == 0
                    ? std::string("No events in the window.")
                    : "End of the access log of account " + account_id_ + ": " +
                          WithThousands(account_events_) +
                          (account_events_ == 1 ? " event." : " events."),
                Font::kBody);
  }
  section_ = Section::kFront;
}

Status RecordPdfWriter::Impl::BeginAccount(const PdfAccount& account) {
  if (section_ == Section::kFinished) return Status::FailedPrecondition("the PDF is finished");
  if (Status s = page_->Health(); !s.ok()) return s;
  // A section whose access log is too wide for a portrait page is printed in landscape.
  auto orientation = table_->OrientationFor(account.access_log_columns);
  if (!orientation.ok()) return orientation.status().WithContext("BeginAccount: ");
  EndAccount();
  PdfPage& p = *page_;
  p.NewPage(*orientation);
  account_id_ = account.account_id;
  account_has_log_ = !account.access_log_columns.empty();
  account_events_ = 0;
  const std::string title = "Account " + account.account_id;
  p.Bookmark(title);
  p.Flow(title, Font::kHeading);
  p.Advance(4);
  if (!account.matched_by.empty()) {
    p.Flow("Matched by", Font::kBodyBold);
    p.Bullets(account.matched_by);
  }
  if (account.subscriber) {
    p.Heading("Subscriber information", Font::kSubheading, 10);
    if (account.subscriber->empty()) {
      p.Flow("No subscriber record was in force during the window.", Font::kBody);
    }
    for (const PdfSubscriberVersion& version : *account.subscriber) {
      p.Heading(version.heading, Font::kBodyBold, 4);
      if (Status s = table_->Begin({{"Field", 1}, {"Value", 3}},
                                   "Account " + account.account_id + ": " + version.heading + " (continued)");
          !s.ok()) {
        return s;
      }
      for (const PdfField& field : version.fields) {
        if (Status s = table_->AddRow({field.label, field.value}); !s.ok()) return s;
      }
      table_->End();
    }
  }
  section_ = Section::kAccount;
  if (account_has_log_) {
    p.Heading("Access log", Font::kSubheading, 10);
    for (const std::string& note : account.access_log_notes) {
      p.Flow(note, Font::kBody);
      p.Advance(2);
    }
    p.Advance(4);
    if (Status s = table_->Begin(account.access_log_columns,
                                 "Account " + account.account_id + ": access log (continued)");
        !s.ok()) {
      return s;
    }
  }
  return p.Health();
}

Status RecordPdfWriter::Impl::AddEvent(const std::vector<std::string>& cells) {
  if (section_ == Section::kFinished) return Status::FailedPrecondition("the PDF is finished");
  if (Status s = page_->Health(); !s.ok()) return s;
  if (section_ != Section::kAccount) {
    return Status::FailedPrecondition("AddEvent: no account begun");
  }
  if (!account_has_log_) {
    return Status::FailedPrecondition("AddEvent: the account has no access-log columns");
  }
  if (Status s = table_->AddRow(cells); !s.ok()) return s.WithContext("AddEvent: ");
  ++account_events_;
  return page_->Health();
}

Status RecordPdfWriter::Impl::Finish() {
  if (section_ == Section::kFinished) return Status::FailedPrecondition("the PDF is finished");
  if (Status s = page_->Health(); !s.ok()) return s;
  EndAccount();
  section_ = Section::kFinished;
  page_->Advance(12);
  page_->Flow("End of the record.", Font::kBodyBold);
  return page_->Finish();
}

Result<std::unique_ptr<RecordPdfWriter>> RecordPdfWriter::Create(const std::string& path,
                                                                 const PdfCover& cover,
                                                                 PdfOptions options) {
  auto created_at = ParseDateTime(cover.created_at);
  if (!created_at.ok()) {
    return Status::InvalidArgument("created_at: not a date-time " + created_at.status().message());
  }
  if (options.max_cell_lines < 0 || options.max_cell_lines > 20) {
    return Status::InvalidArgument("max_cell_lines must be between 0 and 20");
  }
  if (options.font_families.empty()) {
    return Status::InvalidArgument("font_families must name at least one family");
  }
  auto impl = std::make_unique<Impl>(cover);
  if (Status s = impl->Open(path, *created_at, options); !s.ok()) return s;
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
