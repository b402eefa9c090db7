#include "cases/store_blobs.h"

#include <sodium.h>
#include <soci/soci.h>

#include <algorithm>
#include <vector>

#include "core/base64.h"
#include "core/sha256.h"

namespace custodian::cases {
namespace {

constexpr size_t kChunk = StoreBlobs::kChunkBytes;

std::string NewUploadId() {
  uint8_t bytes[16];
  randombytes_buf(bytes, sizeof bytes);
  return HexEncode(bytes, sizeof bytes);
}

// Deletes an upload's chunks and its row in blob_uploads, inside the caller's transaction.
void DropUpload(soci::session& sql, const std::string& upload) {
  sql << "DELETE FROM blob_chunks WHERE upload = :u", soci::use(upload);
  sql << "DELETE FROM blob_uploads WHERE upload = :u", soci::use(upload);
}

// Deletes the blob `key` names, if any, and its chunks, inside the caller's transaction.
void DropBlob(soci::session& sql, const std::string& key) {
  std::string upload;
  soci::indicator ind = soci::i_null;
  sql << "SELECT upload FROM blobs WHERE name = :n", soci::use(key), soci::into(upload, ind);
  if (!sql.got_data() || ind != soci::i_ok) return;
  sql << "DELETE FROM blob_chunks WHERE upload = :u", soci::use(upload);
  sql << "DELETE FROM blobs WHERE name = :n", soci::use(key);
}

class StoreBlobWriter : public BlobWriter {
 public:
  StoreBlobWriter(Database& db, std::string key, std::string upload, Clock& clock)
      : db_(db), key_(std::move(key)), upload_(std::move(upload)), clock_(clock) {}
  ~StoreBlobWriter() override {
    if (!committed_) {
      db_.Transaction([&](soci::session& sql) {
        DropUpload(sql, upload_);
        return Status::Ok();
      }).IgnoreError();
    }
  }

  Status Append(std::string_view data) override {
    if (committed_) return Status::FailedPrecondition(key_ + ": already committed");
    while (!data.empty()) {
      const size_t take = std::min(data.size(), kChunk - buffer_.size());
      buffer_.append(data.substr(0, take));
      data.remove_prefix(take);
      if (buffer_.size() == kChunk) {
        if (Status s = Flush(); !s.ok()) return s;
      }
    }
    return Status::Ok();
  }

  Status Commit() override {
    if (committed_) return Status::FailedPrecondition(key_ + ": already committed");
    if (!buffer_.empty()) {
      if (Status s = Flush(); !s.ok()) return s;
    }
    Status s = db_.Transaction([&](soci::session& sql) {
      if (Status live = Live(sql); !live.ok()) return live;
      DropBlob(sql, key_);  // the one this replaces
      const long long at = clock_.Now().micros;
      sql << "INSERT INTO blobs (name, upload, bytes, committed_at) VALUES (:n, :u, :b, :t)",
          soci::use(key_), soci::use(upload_), soci::use(bytes_), soci::use(at);
      sql << "DELETE FROM blob_uploads WHERE upload = :u", soci::use(upload_);
      return Status::Ok();
    });
    committed_ = s.ok();
    return s;
  }

 private:
  // FailedPrecondition when DropAbandonedUploads took the upload (it outlived the wait).
  Status Live(soci::session& sql) {
    long long n = 0;
    sql << "SELECT COUNT(*) FROM blob_uploads WHERE upload = :u", soci::use(upload_), soci::into(n);
    if (n == 1) return Status::Ok();
    return Status::FailedPrecondition(key_ + ": the upload was dropped as abandoned");
  }
  // Writes the buffer as the next chunk, in a transaction of its own.
  Status Flush() {
    const std::string data = Base64Encode(buffer_);
    Status s = db_.Transaction([&](soci::session& sql) {
      if (Status live = Live(sql); !live.ok()) return live;
      sql << "INSERT INTO blob_chunks (upload, seq, data) VALUES (:u, :s, :d)", soci::use(upload_),
          soci::use(seq_), soci::use(data);
      return Status::Ok();
    });
    if (!s.ok()) return s;
    bytes_ += static_cast<long long>(buffer_.size());
    ++seq_;
    buffer_.clear();
    return Status::Ok();
  }

  Database& db_;
  const std::string key_;
  const std::string upload_;
  Clock& clock_;
  std::string buffer_;
  int seq_ = 0;
  long long bytes_ = 0;
  bool committed_ = false;
};

class StoreBlobFile : public RandomAccessFile {
 public:
  StoreBlobFile(Database& db, std::string what, std::string upload, uint64_t size)
      : db_(db), what_(std::move(what)), upload_(std::move(upload)), size_(size) {}

  Status Read(uint64_t offset, size_t n, std::string& out) const override {
    out.clear();
    if (offset > size_ || n > size_ - offset) {
      return Status::InvalidArgument(what_ + ": a read past its end");
    }
    while (n > 0) {
      const int seq = static_cast<int>(offset / kChunk);
      if (Status s = Load(seq); !s.ok()) return s;
      const size_t within = static_cast<size_t>(offset % kChunk);
      const size_t take = std::min(n, chunk_.size() - within);
      out.append(chunk_, within, take);
      offset += take;
      n -= take;
    }
    return Status::Ok();
  }
  uint64_t Size() const override { return size_; }

 private:
  // Makes chunk `seq` the one held: every chunk is kChunk bytes but the last, the rest.
  Status Load(int seq) const {
    if (seq == loaded_) return Status::Ok();
    std::string text;
    bool found = false;
    Status s = db_.Transaction([&](soci::session& sql) {
      soci::indicator ind = soci::i_null;
      sql << "SELECT data FROM blob_chunks WHERE upload = :u AND seq = :s", soci::use(upload_),
          soci::use(seq), soci::into(text, ind);
      found = sql.got_data() && ind == soci::i_ok;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    loaded_ = -1;
    if (!found) {
      return Status::Corruption(what_ + ": chunk " + std::to_string(seq) +
                                " is missing (replaced or removed while being read?)");
    }
    auto bytes = Base64Decode(text);
    const uint64_t expected = std::min<uint64_t>(kChunk, size_ - static_cast<uint64_t>(seq) * kChunk);
    if (!bytes.ok() || bytes->size() != expected) {
      return Status::Corruption(what_ + ": chunk " + std::to_string(seq) + " is not the size its blob says");
    }
    chunk_ = std::move(bytes).value();
    loaded_ = seq;
    return Status::Ok();
  }

  Database& db_;
  const std::string what_;
  const std::string upload_;
  const uint64_t size_;
  mutable std::string chunk_;
  mutable int loaded_ = -1;
};

}  // namespace

std::string StoreBlobs::Describe(const std::string& name) const {
  return "case store: blob " + Key(name);
}

Result<std::unique_ptr<BlobWriter>> StoreBlobs::Create(const std::string& name) {
  const std::string upload = NewUploadId();
  Status s = db_.Transaction([&](soci::session& sql) {
    const long long at = clock_.Now().micros;
    sql << "INSERT INTO blob_uploads (upload, started_at) VALUES (:u, :t)", soci::use(upload), soci::use(at);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return std::unique_ptr<BlobWriter>(std::make_unique<StoreBlobWriter>(db_, Key(name), upload, clock_));
}

Result<std::unique_ptr<RandomAccessFile>> StoreBlobs::Open(const std::string& name) {
  const std::string key = Key(name);
  std::string upload;
  long long bytes = 0;
  bool found = false;
  Status s = db_.Transaction([&](soci::session& sql) {
    soci::indicator ind = soci::i_null;
    sql << "SELECT upload, bytes FROM blobs WHERE name = :n", soci::use(key), soci::into(upload, ind),
        soci::into(bytes);
    found = sql.got_data() && ind == soci::i_ok;
    return Status::Ok();
  });
  if (!s.ok()) return s;
  if (!found) return Status::NotFound(Describe(name) + ": no such blob");
  return std::unique_ptr<RandomAccessFile>(
      std::make_unique<StoreBlobFile>(db_, Describe(name), upload, static_cast<uint64_t>(bytes)));
}

bool StoreBlobs::Exists(const std::string& name) {
  const std::string key = Key(name);
  long long n = 0;
  Status s = db_.Transaction([&](soci::session& sql) {
    sql << "SELECT COUNT(*) FROM blobs WHERE name = :n", soci::use(key), soci::into(n);
    return Status::Ok();
  });
  return s.ok() && n > 0;
}

Status StoreBlobs::Remove(const std::string& name) {
  const std::string key = Key(name);
  return db_.Transaction([&](soci::session& sql) {
    DropBlob(sql, key);
    return Status::Ok();
  });
}

Result<int> DropAbandonedUploads(Database& db, Timestamp before) {
  int dropped = 0;
  Status s = db.Transaction([&](soci::session& sql) {
    const long long at = before.micros;
    std::vector<std::string> uploads;
    soci::rowset<std::string> rows =
        (sql.prepare << "SELECT upload FROM blob_uploads WHERE started_at < :t", soci::use(at));
    for (const std::string& upload : rows) uploads.push_back(upload);
    for (const std::string& upload : uploads) DropUpload(sql, upload);
    dropped = static_cast<int>(uploads.size());
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return dropped;
}

}  // namespace custodian::cases
