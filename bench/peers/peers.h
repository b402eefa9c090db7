// The peers' factories, one per file of bench/peers/. Each returns NotFound, with the
// reason, when its peer cannot run on this machine (e.g. the server package is missing).
// Safe from any thread.
#pragma once

#include <memory>

#include "bench/peer.h"

namespace custodian::bench {

Result<std::unique_ptr<Peer>> MakeClickHousePeer();
// ClickHouse whose ingest row also counts merging each day's parts into one.
Result<std::unique_ptr<Peer>> MakeClickHouseMergedPeer();
Result<std::unique_ptr<Peer>> MakePostgresPeer();
Result<std::unique_ptr<Peer>> MakeSqlitePeer();
Result<std::unique_ptr<Peer>> MakeRocksDbPeer();
// In peers/custodian_peer.cc, written with the vault; built when that file exists.
Result<std::unique_ptr<Peer>> MakeCustodianPeer();        // a file imported whole
Result<std::unique_ptr<Peer>> MakeCustodianStreamPeer();  // a stream, durable per batch

}  // namespace custodian::bench
