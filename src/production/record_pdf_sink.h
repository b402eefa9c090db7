// record.pdf as a RecordSink: the production's cover letter and certificate from the case, then
// each account's section and access-log rows as the record streams in (record_pdf.h draws).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cases/workflow.h"
#include "production/record_pdf.h"
#include "production/record_sink.h"

namespace custodian::production {

// What the service says about its records, in every production's certificate.
struct CertificateText {
  std::string service_name = "the service";
  std::string custodian_name = "Custodian of Records";
  std::string custodian_title = "Legal Process Team";
  // The declaration; "{service}" is replaced with service_name.
  std::string declaration =
      "I am a custodian of records of {service}, or otherwise qualified by my position to make "
      "this certification. The records produced with this certificate were made at or near the "
      "time of the occurrence of the matters set forth by, or from information transmitted by, a "
      "person with knowledge of those matters; they were kept in the course of the regularly "
      "conducted activity of {service}; and making them was a regular practice of that activity. "
      "They are true copies of the records as kept, limited to the scope stated in the cover "
      "letter. I declare under penalty of perjury that the foregoing is true and correct.";
};

// The sink over `path`, written through `fs`; `notes` go on the cover (geolocation's source
// and that it is approximate). Every value is printed whole (no cell is cut); a failure to
// lay the record out is Internal, a failed write IoError.
Result<std::unique_ptr<RecordSink>> MakeRecordPdfSink(const std::string& path,
                                                      const cases::ProductionStart& start,
                                                      const CertificateText& certificate,
                                                      const std::string& created_at,
                                                      RecordColumns columns,
                                                      std::vector<std::string> notes,
                                                      FileSystem& fs = PosixFileSystem());

}  // namespace custodian::production
