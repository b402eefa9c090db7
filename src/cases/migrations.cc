#include "cases/migrations.h"

#include <soci/soci.h>

#include <array>

#include "cases/case_index.h"
#include "cases/ledgers/audit_log.h"
#include "cases/seal_personal_values.h"
#include "cases/store/database.h"
#include "cases/store/sealed_columns.h"
#include "cases/store/store_keys.h"
#include "core/clock.h"
#include "core/sha256.h"
#include "vault/crypto.h"

namespace custodian::cases {
namespace {

// Migration 10: the store's identity, 128 random bits, which the instance records (and moving
// the store to another database changes).
Status CreateStoreIdentity(soci::session& sql) {
  std::array<uint8_t, 16> bytes;
  vault::RandomBytes(bytes.data(), bytes.size());
  const std::string id = HexEncode(bytes.data(), bytes.size());
  const long long now = SystemClock().Now().micros;
  sql << "INSERT INTO store_identity (id, store_id, created_at) VALUES (1, :s, :t)", soci::use(id),
      soci::use(now);
  return Status::Ok();
}

// Migration 11: the store's own keys, random, wrapped by the master key the store is opened
// with.
Status CreateStoreKeys(soci::session& sql) { return StoreKeys::Random().Save(sql, MasterOf(sql)); }

}  // namespace

const Schema& Migrations() {
  static const Schema kMigrations = {
      {1,
       "cases, requests, decisions, verifications, holds, the agency registry, audit",
       {
           "CREATE TABLE counters (name TEXT PRIMARY KEY, value BIGINT NOT NULL)",
           "INSERT INTO counters (name, value) VALUES ('case', 0)",
           "INSERT INTO counters (name, value) VALUES ('audit', 0)",
           // The agency registry as last imported: its bytes (for its hash) and its rows.
           "CREATE TABLE registry (id INTEGER PRIMARY KEY, document TEXT NOT NULL, "
           "sha256 TEXT NOT NULL, imported_at BIGINT NOT NULL, imported_by TEXT NOT NULL)",
           "CREATE TABLE cases (id TEXT PRIMARY KEY, state TEXT NOT NULL, "
           "version INTEGER NOT NULL, process_type TEXT NOT NULL, agency_id TEXT, "
           "emergency INTEGER NOT NULL, preservation INTEGER NOT NULL, "
           "entered_by TEXT NOT NULL, entry TEXT NOT NULL, received_at BIGINT NOT NULL, "
           "due_at BIGINT, requester_verified INTEGER NOT NULL, fingerprint TEXT NOT NULL, "
           "duplicate_of TEXT, reviewer TEXT, review_note TEXT, review_scope TEXT, "
           "investigation_confirmed INTEGER NOT NULL, approver TEXT, notice_wait_until BIGINT, "
           "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
           "CREATE INDEX cases_by_state ON cases (state)",
           "CREATE INDEX cases_by_fingerprint ON cases (fingerprint)",
           // Every version of the request document, as entered.
           "CREATE TABLE requests (case_id TEXT NOT NULL, version INTEGER NOT NULL, "
           "document TEXT NOT NULL, sha256 TEXT NOT NULL, entered_at BIGINT NOT NULL, "
           "entered_by TEXT NOT NULL, PRIMARY KEY (case_id, version))",
           // Every decision taken, with the standards and registry it was taken under.
           "CREATE TABLE decisions (case_id TEXT NOT NULL, seq INTEGER NOT NULL, "
           "version INTEGER NOT NULL, reason TEXT NOT NULL, action TEXT NOT NULL, "
           "document TEXT NOT NULL, standards_sha256 TEXT NOT NULL, registry_sha256 TEXT, "
           "taken_at BIGINT NOT NULL, PRIMARY KEY (case_id, seq))",
           "CREATE TABLE verifications (case_id TEXT NOT NULL, seq INTEGER NOT NULL, "
           "method TEXT NOT NULL, actor TEXT NOT NULL, verified_at BIGINT NOT NULL, "
           "phone TEXT, note TEXT, PRIMARY KEY (case_id, seq))",
           "CREATE TABLE holds (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
           "account BIGINT NOT NULL, placed_by TEXT NOT NULL, placed_at BIGINT NOT NULL, "
           "expires_at BIGINT NOT NULL, extensions INTEGER NOT NULL, state TEXT NOT NULL, "
           "ended_at BIGINT, ended_by TEXT)",
           "CREATE INDEX holds_by_case ON holds (case_id)",
           // Append-only: actor, time, case, action, detail (the ledger makes it tamper-evident).
           "CREATE TABLE audit (seq BIGINT PRIMARY KEY, at BIGINT NOT NULL, "
           "actor TEXT NOT NULL, case_id TEXT, action TEXT NOT NULL, detail TEXT NOT NULL)",
           "CREATE INDEX audit_by_case ON audit (case_id)",
       }},
      {2,
       "staff users, sessions, API tokens",
       {
           // roles: comma-separated; password_hash: Argon2id; totp_secret: sealed (hex).
           "CREATE TABLE users (name TEXT PRIMARY KEY, roles TEXT NOT NULL, "
           "password_hash TEXT NOT NULL, totp_secret TEXT, totp_last_step BIGINT, "
           "disabled INTEGER NOT NULL, failed_logins INTEGER NOT NULL, locked_until BIGINT, "
           "created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
           // Only hashes of session ids and token secrets are stored.
           "CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, "
           "csrf TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, "
           "revoked_at BIGINT)",
           "CREATE TABLE api_tokens (id TEXT PRIMARY KEY, secret_hash TEXT NOT NULL, "
           "kind TEXT NOT NULL, name TEXT NOT NULL, agency_id TEXT, email TEXT, "
           "created_at BIGINT NOT NULL, created_by TEXT NOT NULL, revoked_at BIGINT)",
       }},
      {3,
       "the notice outbox, nondisclosure orders",
       {
           // state: pending (to send when due), held (waits for an order's end), sent.
           "CREATE TABLE notices (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
           "account TEXT NOT NULL, payload TEXT NOT NULL, timing TEXT NOT NULL, "
           "state TEXT NOT NULL, not_before BIGINT NOT NULL, attempts INTEGER NOT NULL, "
           "next_attempt_at BIGINT NOT NULL, last_error TEXT, sent_at BIGINT, "
           "created_at BIGINT NOT NULL)",
           "CREATE INDEX notices_by_case ON notices (case_id)",
           "CREATE INDEX notices_due ON notices (state, next_attempt_at)",
           // Every order recorded for a case, the latest in force; until: YYYY-MM-DD or null.
           "CREATE TABLE nondisclosure (case_id TEXT NOT NULL, seq INTEGER NOT NULL, "
           "until_date TEXT, recorded_by TEXT NOT NULL, recorded_at BIGINT NOT NULL, "
           "PRIMARY KEY (case_id, seq))",
       }},
      {4,
       "signed process documents",
       {
           "CREATE TABLE attachments (case_id TEXT NOT NULL, sha256 TEXT NOT NULL, "
           "name TEXT NOT NULL, media_type TEXT NOT NULL, bytes BIGINT NOT NULL, "
           "uploaded_by TEXT NOT NULL, uploaded_at BIGINT NOT NULL, "
           "PRIMARY KEY (case_id, sha256))",
       }},
      {5,
       "tamper-evident ledgers: the audit and disclosure logs, tree heads, signing keys",
       {
           // The audit table becomes the audit log's leaves; the detail (which may hold
           // personal data) moves beside it, where an account's deletion can erase it.
           "CREATE TABLE audit_details (seq BIGINT PRIMARY KEY, detail TEXT NOT NULL, "
           "account TEXT)",
           "CREATE INDEX audit_details_by_account ON audit_details (account)",
           "INSERT INTO audit_details (seq, detail) SELECT seq, detail FROM audit",
           "ALTER TABLE audit DROP COLUMN detail",
           "ALTER TABLE audit ADD COLUMN process_type TEXT",
           "ALTER TABLE audit ADD COLUMN targets BIGINT",
           "ALTER TABLE audit ADD COLUMN detail_sha256 TEXT",
           // The log's size is the audit sequence from now on.
           "DELETE FROM counters WHERE name = 'audit'",
           // Leaves of the disclosure log: JSON without personal data (spec/report.md).
           "CREATE TABLE disclosures (seq BIGINT PRIMARY KEY, leaf TEXT NOT NULL)",
           // Each log's size and compact range (hex), and every node of its tree.
           "CREATE TABLE ledger_state (log TEXT PRIMARY KEY, size BIGINT NOT NULL, "
           "frontier TEXT NOT NULL)",
           "INSERT INTO ledger_state (log, size, frontier) VALUES ('audit', 0, '')",
           "INSERT INTO ledger_state (log, size, frontier) VALUES ('disclosures', 0, '')",
           "CREATE TABLE ledger_nodes (log TEXT NOT NULL, level INTEGER NOT NULL, "
           "idx BIGINT NOT NULL, hash TEXT NOT NULL, PRIMARY KEY (log, level, idx))",
           "CREATE TABLE tree_heads (log TEXT NOT NULL, size BIGINT NOT NULL, "
           "root TEXT NOT NULL, timestamp TEXT NOT NULL, key_id TEXT NOT NULL, "
           "signature TEXT NOT NULL, PRIMARY KEY (log, size))",
           // Ed25519 keys: the secret sealed under a key derived from the master key.
           "CREATE TABLE signing_keys (key_id TEXT PRIMARY KEY, purpose TEXT NOT NULL, "
           "public_key TEXT NOT NULL, sealed_secret TEXT NOT NULL, created_at BIGINT NOT NULL, "
           "retired_at BIGINT)",
       },
       BackfillAuditLog},
      {6,
       "productions",
       {
           // state: producing, produced, withheld (a reverse lookup over the cap).
           "CREATE TABLE productions (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
           "state TEXT NOT NULL, at BIGINT NOT NULL, by_actor TEXT NOT NULL, "
           "manifest_sha256 TEXT, accounts_with_data BIGINT, leaf_index BIGINT)",
           "CREATE INDEX productions_by_case ON productions (case_id)",
       }},
      {7,
       "delivery: stored packages and download grants",
       {
           // The sealed copy kept for delivery (package_store.h): its zip's SHA-256 and size.
           "ALTER TABLE productions ADD COLUMN package_sha256 TEXT",
           "ALTER TABLE productions ADD COLUMN package_bytes BIGINT",
           // A one-time, expiring download of a production for the case's agency.
           // state: open, used, revoked (an open grant past expires_at has expired).
           // seq: the order grants were issued in (times may tie).
           "CREATE TABLE download_grants (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, production_id TEXT NOT NULL, "
           "case_id TEXT NOT NULL, agency_id TEXT NOT NULL, issued_at BIGINT NOT NULL, "
           "issued_by TEXT NOT NULL, expires_at BIGINT NOT NULL, state TEXT NOT NULL, "
           "ended_at BIGINT, ended_by TEXT)",
           "CREATE INDEX download_grants_by_case ON download_grants (case_id)",
       }},
      {8,
       "the instance's standards",
       {
           // Every standards file installed, once, by the SHA-256 of its bytes.
           "CREATE TABLE standards (sha256 TEXT PRIMARY KEY, name TEXT NOT NULL, "
           "version TEXT NOT NULL, document TEXT NOT NULL)",
           // Each installation in order: the last is the instance's current standards.
           "CREATE TABLE standards_installs (seq BIGINT PRIMARY KEY, sha256 TEXT NOT NULL, "
           "installed_at BIGINT NOT NULL, installed_by TEXT NOT NULL)",
       }},
      {9,
       "aborted productions",
       {
           // A production staff ended before its package was made (state aborted): why.
           "ALTER TABLE productions ADD COLUMN reason TEXT",
       }},
      {10,
       "the store's identity",
       {
           // One row: the id the instance records in DATA/instance.json, and refuses any
           // other store by (a deleted SQLite file, another database).
           "CREATE TABLE store_identity (id INTEGER PRIMARY KEY, store_id TEXT NOT NULL, "
           "created_at BIGINT NOT NULL)",
       },
       CreateStoreIdentity},
      {11,
       "the store's keys",
       {
           // The key that seals personal values and the key of keyed tags (store_keys.h),
           // each wrapped by the master key (base64 of nonce, sealed key and tag).
           "CREATE TABLE store_keys (purpose TEXT PRIMARY KEY, wrapped TEXT NOT NULL, "
           "master_key_id TEXT NOT NULL, created_at BIGINT NOT NULL)",
       },
       CreateStoreKeys},
      {12,
       "personal values sealed, lookups by keyed tags",
       {
           // A held account, sealed (text): it replaces the account column.
           "ALTER TABLE holds ADD COLUMN sealed_account TEXT",
       },
       SealPersonalValues,
       {"requests", "decisions", "cases", "verifications", "holds", "notices", "attachments",
        "audit_details"}},
      {13,
       "staff e-mail addresses, the alert outbox",
       {
           // Where a staff user's alerts are mailed (null: the console only).
           "ALTER TABLE users ADD COLUMN email TEXT",
           // An alert (alert_store.h): raised once per kind, subject (a case, or a hold) and
           // instant (the deadline, or when the hold or order ends).
           "CREATE TABLE alerts (id TEXT PRIMARY KEY, seq BIGINT NOT NULL, kind TEXT NOT NULL, "
           "case_id TEXT NOT NULL, subject TEXT NOT NULL, due_at BIGINT NOT NULL, "
           "raised_at BIGINT NOT NULL)",
           "CREATE UNIQUE INDEX alerts_once ON alerts (kind, subject, due_at)",
           "CREATE INDEX alerts_by_case ON alerts (case_id)",
           // Alert numbers, drawn under the counter's row lock (servers never share one).
           "INSERT INTO counters (name, value) VALUES ('alert', 0)",
           // The staff users it went to (whose role acts next on the case).
           "CREATE TABLE alert_recipients (alert_id TEXT NOT NULL, user_name TEXT NOT NULL, "
           "PRIMARY KEY (alert_id, user_name))",
           "CREATE INDEX alert_recipients_by_user ON alert_recipients (user_name)",
           // Its delivery on each channel configured when it was raised (mail, webhook).
           // state: pending (retried with backoff), sent, unaddressed (no recipient had an
           // address when it was due).
           "CREATE TABLE alert_deliveries (alert_id TEXT NOT NULL, channel TEXT NOT NULL, "
           "state TEXT NOT NULL, attempts INTEGER NOT NULL, next_attempt_at BIGINT NOT NULL, "
           "last_error TEXT, sent_at BIGINT, PRIMARY KEY (alert_id, channel))",
           "CREATE INDEX alert_deliveries_due ON alert_deliveries (state, next_attempt_at)",
       }},
      {14,
       "case assignees, internal comments, the keyed index of what a case is searched by",
       {
           // The staff user a case is assigned to (null: no one).
           "ALTER TABLE cases ADD COLUMN assignee TEXT",
           // Staff's internal comments on a case: the text sealed for its case and seq.
           "CREATE TABLE comments (case_id TEXT NOT NULL, seq INTEGER NOT NULL, "
           "author TEXT NOT NULL, at BIGINT NOT NULL, text TEXT NOT NULL, "
           "PRIMARY KEY (case_id, seq))",
           // Keyed tags of a case's targets, agency reference and requester (case_index.h):
           // field names what was tagged (target:TYPE, reference, requester).
           "CREATE TABLE case_index (case_id TEXT NOT NULL, field TEXT NOT NULL, "
           "tag TEXT NOT NULL, PRIMARY KEY (case_id, field, tag))",
           "CREATE INDEX case_index_by_tag ON case_index (tag)",
       },
       IndexAllCases},
      {15,
       "TOTP enrolment at first sign-in",
       {
           // A ticket a right password got where a second factor is required and the user
           // has none (only its hash), and the secret being enrolled by it (sealed as
           // users.totp_secret is), until a code from it is confirmed (used_at).
           "CREATE TABLE totp_enrolments (ticket_hash TEXT PRIMARY KEY, user_name TEXT NOT NULL, "
           "pending_secret TEXT, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, "
           "used_at BIGINT)",
       }},
      {16,
       "the reviewer's letter to the requester on a pushback",
       {
           // The latest pushback's letter (sealed, as cases.review_note is) and when it was
           // written: what the portal shows the requester to correct.
           "ALTER TABLE cases ADD COLUMN pushback_letter TEXT",
           "ALTER TABLE cases ADD COLUMN pushback_letter_at BIGINT",
       }},
      {17,
       "withdrawal by the requester, and the requester's mail outbox",
       {
           // Why the requester withdrew the request (sealed, as the pushback letter is; null:
           // no reason given), and when.
           "ALTER TABLE cases ADD COLUMN withdrawal_reason TEXT",
           "ALTER TABLE cases ADD COLUMN withdrawn_at BIGINT",
           // A message to a case's requester (requester_mail.h): what happened (`event`: the
           // state the case moved to, or package_ready), the address sealed for its row, and
           // its delivery, retried as alerts' are.
           "CREATE TABLE requester_mails (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, "
           "address TEXT NOT NULL, event TEXT NOT NULL, state TEXT NOT NULL, "
           "attempts INTEGER NOT NULL, next_attempt_at BIGINT NOT NULL, last_error TEXT, "
           "sent_at BIGINT, created_at BIGINT NOT NULL)",
           "CREATE INDEX requester_mails_due ON requester_mails (state, next_attempt_at)",
       }},
      {18,
       "requester accounts",
       {
           // A requester who registered on the portal (server/requester_store.h): the address
           // as typed and its lower-cased key (one account per address), the agency its domain
           // is registered to, credentials as a staff user's (password_hash Argon2id,
           // totp_secret sealed). state: unconfirmed, active, suspended.
           "CREATE TABLE requesters (id TEXT PRIMARY KEY, email TEXT NOT NULL, email_key TEXT NOT NULL, "
           "name TEXT NOT NULL, agency_id TEXT NOT NULL, password_hash TEXT NOT NULL, totp_secret TEXT, "
           "totp_last_step BIGINT, state TEXT NOT NULL, failed_logins INTEGER NOT NULL, "
           "locked_until BIGINT, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)",
           "CREATE UNIQUE INDEX requesters_by_email ON requesters (email_key)",
           // The one-time link that confirms an address (only the token's hash).
           "CREATE TABLE requester_confirmations (token_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
           "created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)",
           // Requesters' sessions and second-factor enrolments, as staff's (sessions,
           // totp_enrolments).
           "CREATE TABLE requester_sessions (id_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
           "csrf TEXT NOT NULL, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, revoked_at BIGINT)",
           "CREATE TABLE requester_totp_enrolments (ticket_hash TEXT PRIMARY KEY, account_id TEXT NOT NULL, "
           "pending_secret TEXT, created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL, used_at BIGINT)",
           // A requester token acts for its account (null: a token made before accounts).
           "ALTER TABLE api_tokens ADD COLUMN account_id TEXT",
       }},
      {19,
       "who sent each request, the attestations made with it, colleagues it is shared with",
       {
           // The requester account that sent the case (null: staff entered it, or a token made
           // before accounts sent it): what the portal's visibility starts from.
           "ALTER TABLE cases ADD COLUMN submitted_by TEXT",
           // The attestation a requester made with a version of its request: the standards'
           // text at the time, in full, its SHA-256, the requester's address and account.
           "CREATE TABLE request_attestations (case_id TEXT NOT NULL, version INTEGER NOT NULL, "
           "text TEXT NOT NULL, sha256 TEXT NOT NULL, email TEXT NOT NULL, account_id TEXT, "
           "at BIGINT NOT NULL, PRIMARY KEY (case_id, version))",
           // The colleagues (requester accounts of the same agency) a case is shared with.
           "CREATE TABLE case_shares (case_id TEXT NOT NULL, account_id TEXT NOT NULL, "
           "shared_by TEXT NOT NULL, shared_at BIGINT NOT NULL, PRIMARY KEY (case_id, account_id))",
           "CREATE INDEX case_shares_by_account ON case_shares (account_id)",
       }},
      {20,
       "sign-in attempts by client address, which every server of the store counts",
       {
           // One row an address (a keyed tag), updated by each attempt: its lock serializes
           // the servers counting the same address.
           "CREATE TABLE sign_in_addresses (tag TEXT PRIMARY KEY, touched_at BIGINT NOT NULL)",
           "CREATE TABLE sign_in_attempts (tag TEXT NOT NULL, at BIGINT NOT NULL)",
           "CREATE INDEX sign_in_attempts_by_tag ON sign_in_attempts (tag, at)",
           "CREATE INDEX sign_in_attempts_by_time ON sign_in_attempts (at)",
       }},
      {21,
       "sealed files (packages, process documents) as rows, for instances whose servers share "
       "no disk",
       {
           // A blob's bytes are its upload's chunks in order (base64, at most 1 MiB each); a
           // name points to one upload, replaced in one transaction. An upload no name points
           // to is being written, or was abandoned (blob_uploads: since when).
           "CREATE TABLE blobs (name TEXT PRIMARY KEY, upload TEXT NOT NULL, bytes BIGINT NOT NULL, "
           "committed_at BIGINT NOT NULL)",
           "CREATE TABLE blob_uploads (upload TEXT PRIMARY KEY, started_at BIGINT NOT NULL)",
           "CREATE TABLE blob_chunks (upload TEXT NOT NULL, seq INTEGER NOT NULL, data TEXT NOT NULL, "
           "PRIMARY KEY (upload, seq))",
       }},
      {22,
       "the vault's account keys, for a vault engine whose servers share no disk",
       {
           // By the account's keyed tag (hex); the key wrapped with the account id (base64),
           // none once the account is deleted. The epoch moves with every deletion.
           "CREATE TABLE vault_account_keys (tag TEXT PRIMARY KEY, wrapped TEXT, "
           "created_at BIGINT NOT NULL, deleted_at BIGINT)",
           "INSERT INTO counters (name, value) VALUES ('vault_key_epoch', 0)",
       }},
  };
  return kMigrations;
}

}  // namespace custodian::cases
