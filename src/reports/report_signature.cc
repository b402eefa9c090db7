#include "reports/report_signature.h"

#include <sodium.h>

#include <algorithm>

#include "core/base64.h"

namespace custodian::reports {

std::string ReportSignedBytes(const nlohmann::json& report) {
  // nlohmann::json keeps object keys in a std::map: its compact dump sorts them bytewise, which
  // for ASCII keys is RFC 8785's order, and escapes strings as RFC 8785 does (\b \t \n \f \r,
  // other control characters as \u00xx, everything else as is).
  nlohmann::json unsigned_report = report;
  if (unsigned_report.is_object()) unsigned_report.erase("signature");
  return std::string(kReportSignaturePrefix) + unsigned_report.dump();
}

ReportSignature SignReport(const nlohmann::json& report, const cases::Signer& signer) {
  return {signer.key().key_id, signer.Sign(ReportSignedBytes(report))};
}

Status VerifyReportSignature(const nlohmann::json& report, const ReportSignature& signature,
                             std::span<const ledger::TrustedKey> keys) {
  const auto key = std::find_if(keys.begin(), keys.end(), [&](const ledger::TrustedKey& k) {
    return k.key_id == signature.key_id;
  });
  if (key == keys.end()) {
    return Status::NotFound("the report is signed by key " + signature.key_id +
                            ", which is not among the ledger keys");
  }
  if (sodium_init() < 0) return Status::Internal("libsodium did not initialise");
  const std::string message = ReportSignedBytes(report);
  if (crypto_sign_verify_detached(signature.value.data(),
                                  reinterpret_cast<const unsigned char*>(message.data()),
                                  message.size(), key->public_key.data()) != 0) {
    return Status::InvalidArgument("does not verify with ledger key " + key->key_id);
  }
  return Status::Ok();
}

nlohmann::ordered_json ReportSignatureToJson(const ReportSignature& signature) {
  return {{"key_id", signature.key_id},
          {"value", Base64Encode(std::span<const uint8_t>(signature.value))}};
}

}  // namespace custodian::reports
