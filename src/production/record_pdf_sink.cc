#include "production/record_pdf_sink.h"

#include <algorithm>

#include "core/category.h"
#include "core/time.h"
#include "vault/access_event.h"

namespace custodian::production {
namespace {

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
  return text;
}

std::string TargetText(const Target& t) { return t.type + " " + t.value; }

// One value of `pattern` for each character of `alphabet` in place of its 'x's: the widest
// of them is at least as wide as any value of that form.
std::vector<std::string> EachFilled(std::string_view pattern, std::string_view alphabet) {
  std::vector<std::string> out;
  for (char c : alphabet) {
    std::string value(pattern);
    for (char& p : value) p = p == 'x' ? c : p;
    out.push_back(std::move(value));
  }
  return out;
}

// The access log's columns. Times, kinds, addresses and ports are never wider than their
// column, so none wraps; the device's free text goes on a second line of each event, across
// the page, so that a user agent of the vault's longest is printed whole.
std::vector<PdfColumn> AccessLogColumns(RecordColumns columns) {
  std::vector<std::string> kinds(vault::kEventKindNames.begin(), vault::kEventKindNames.end());
  std::vector<std::string> addresses = EachFilled("xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx:xxxx", "0123456789abcdef");
  for (std::string& v4 : EachFilled("xxx.xxx.xxx.xxx", "0123456789")) addresses.push_back(std::move(v4));
  std::vector<PdfColumn> out = {{"Time (UTC)", 2.2, EachFilled("xxxx-xx-xxTxx:xx:xx.xxxxxxZ", "0123456789")},
                                {"Kind", 1.2, kinds},
                                {"IP address", 2, addresses},
                                {"Port", 0.8, EachFilled("xxxxx", "0123456789")}};
  if (columns.location) out.push_back({"Approximate location", 2.2});
  if (columns.device) {
    out.push_back({"User agent", 2.6, {}, /*second_line=*/true});
    out.push_back({"Device", 1.4, {}, /*second_line=*/true});
  }
  return out;
}

// The record's layout is custodian's own doing, never the caller's input: a failure to lay
// it out is internal (exit 1), whatever the writer calls it; a failed write stays one.
Status LayoutFailure(Status s) {
  if (s.ok() || s.code() == Status::Code::kIoError || s.code() == Status::Code::kInternal) return s;
  return Status::Internal("record.pdf: " + s.message());
}

class RecordPdfSink : public RecordSink {
 public:
  RecordPdfSink(std::unique_ptr<RecordPdfWriter> writer, RecordColumns columns)
      : writer_(std::move(writer)), columns_(columns) {}

  Status BeginAccount(const AccountSection& a) override {
    PdfAccount account;
    account.account_id = std::to_string(a.account_id);
    for (const Target& t : a.matched_by) account.matched_by.push_back(TargetText(t));
    if (a.subscriber) {
      account.subscriber.emplace();
      for (const vault::SubscriberVersion& v : *a.subscriber) {
        PdfSubscriberVersion version{"In force from " + FormatDateTimeMicros(v.effective_from), {}};
        const auto add = [&](const char* label, const std::string& value) {
          version.fields.push_back({label, value});
        };
        if (v.username) add("Username", *v.username);
        if (v.name) add("Name", *v.name);
        for (const std::string& e : v.emails) add("E-mail", e);
        for (const std::string& p : v.phones) add("Phone", p);
        if (v.created_at) add("Created", FormatDateTimeMicros(*v.created_at));
        if (v.status) add("Status", *v.status);
        account.subscriber->push_back(std::move(version));
      }
    }
    if (a.access_log) {
      account.access_log_columns = AccessLogColumns(columns_);
      bool only_addresses = !a.matched_by.empty();
      for (const Target& t : a.matched_by) only_addresses = only_addresses && t.type == "ip";
      if (only_addresses) {
        account.access_log_notes.push_back(
            "Only the events from the address(es) in the request: the account was found through them.");
      }
    }
    return LayoutFailure(writer_->BeginAccount(account));
  }

  Status AddEvent(const RecordEvent& e) override {
    const vault::AccessRecord& r = e.record;
    std::vector<std::string> cells = {FormatDateTimeMicros(r.ts),
                                      std::string(vault::kEventKindNames[static_cast<size_t>(r.kind)]),
                                      r.ip.ToString(), r.port ? std::to_string(*r.port) : ""};
    if (columns_.location) cells.push_back(LocationText(e.location));
    if (columns_.device) {
      cells.push_back(r.user_agent ? std::string(*r.user_agent) : "");
      cells.push_back(r.device_id.value_or(""));
    }
    return LayoutFailure(writer_->AddEvent(cells));
  }

  Status EndAccount() override { return Status::Ok(); }
  Status Finish(const std::vector<Target>&) override { return LayoutFailure(writer_->Finish()); }

 private:
  static std::string LocationText(const std::optional<nlohmann::ordered_json>& where) {
    if (!where || !where->is_object()) return "unknown";
    std::string text;
    for (const char* key : {"city", "region", "country"}) {
      if (where->contains(key) && (*where)[key].is_string()) {
        text += (text.empty() ? "" : ", ") + (*where)[key].get<std::string>();
      }
    }
    if (where->contains("accuracy_km")) text += " (±" + (*where)["accuracy_km"].dump() + " km)";
    return text.empty() ? "unknown" : text;
  }

  std::unique_ptr<RecordPdfWriter> writer_;
  const RecordColumns columns_;
};

}  // namespace

Result<std::unique_ptr<RecordSink>> MakeRecordPdfSink(const std::string& path,
                                                      const cases::ProductionStart& start,
                                                      const CertificateText& certificate,
                                                      const std::string& created_at,
                                                      RecordColumns columns,
                                                      std::vector<std::string> notes,
                                                      FileSystem& fs) {
  const Request& r = start.request;
  PdfCover cover;
  cover.service_name = certificate.service_name;
  cover.case_id = start.record.id;
  cover.production_id = start.production_id;
  cover.created_at = created_at;
  cover.process_summary = start.record.process_type;
  if (r.process.reference) cover.process_summary += " (reference " + *r.process.reference + ")";
  if (r.process.issued_by) cover.process_summary += ", issued by " + *r.process.issued_by;
  if (r.process.issued_on) cover.process_summary += " on " + FormatDate(*r.process.issued_on);
  cover.requester = r.requester.agency + (r.requester.officer ? ", " + *r.requester.officer : "");
  for (const Target& t : start.scope.targets) cover.scope_lines.push_back("Target: " + TargetText(t));
  std::string categories;
  start.scope.categories.ForEach([&](Category c) {
    categories += (categories.empty() ? "" : ", ") + std::string(CategoryName(c));
  });
  cover.scope_lines.push_back("Categories: " + categories);
  if (start.scope.times.empty()) {
    cover.scope_lines.push_back("Window: " + FormatDateTime(start.window.start) + " to " +
                                FormatDateTime(start.window.end) + " (UTC, end excluded)");
  } else {
    // A scope of instants is stated as what was read: each interval, not the span.
    for (Timestamp t : start.scope.times) {
      cover.scope_lines.push_back("Time named: " + FormatDateTime(t) + ", ± " +
                                  std::to_string(start.scope.minutes) + " minutes");
    }
    for (const Window& w : start.intervals) {
      cover.scope_lines.push_back("Interval: " + FormatDateTime(w.start) + " to " +
                                  FormatDateTime(w.end) + " (UTC, end excluded)");
    }
  }
  cover.certificate_text = Replaced(certificate.declaration, "{service}", certificate.service_name);
  cover.custodian_name = certificate.custodian_name;
  cover.custodian_title = certificate.custodian_title;
  // Databases of one build (DB-IP's IPv4 and IPv6 files) give the same note: say it once.
  for (std::string& note : notes) {
    if (std::find(cover.notes.begin(), cover.notes.end(), note) == cover.notes.end()) {
      cover.notes.push_back(std::move(note));
    }
  }
  PdfOptions options;
  options.max_cell_lines = 0;  // every value whole, however many lines it takes
  options.fs = &fs;
  auto writer = RecordPdfWriter::Create(path, cover, options);
  if (!writer.ok()) return LayoutFailure(writer.status());
  return std::unique_ptr<RecordSink>(new RecordPdfSink(std::move(writer).value(), columns));
}

}  // namespace custodian::production
