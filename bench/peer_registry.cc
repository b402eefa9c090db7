#include "bench/peer_registry.h"

#include <array>

#include "bench/peers/peers.h"

namespace custodian::bench {

#ifndef CUSTODIAN_BENCH_HAVE_VAULT
// Until bench/peers/custodian_peer.cc exists, custodian is a peer that says why it is missing.
Result<std::unique_ptr<Peer>> MakeCustodianPeer() {
  return Status::NotFound(
      "not built: bench/peers/custodian_peer.cc comes with the vault (src/vault/)");
}
Result<std::unique_ptr<Peer>> MakeCustodianStreamPeer() { return MakeCustodianPeer(); }
#endif

namespace {

struct Entry {
  const char* name;
  Result<std::unique_ptr<Peer>> (*make)();
  bool by_default = true;
};

constexpr std::array kPeers = {
    Entry{"custodian", &MakeCustodianPeer},
    Entry{"custodian-stream", &MakeCustodianStreamPeer},
    Entry{"clickhouse", &MakeClickHousePeer},
    Entry{"clickhouse-merged", &MakeClickHouseMergedPeer, false},
    Entry{"postgres", &MakePostgresPeer},
    Entry{"sqlite", &MakeSqlitePeer},
    Entry{"rocksdb", &MakeRocksDbPeer},
};

}  // namespace

std::vector<std::string> AllPeerNames() {
  std::vector<std::string> names;
  for (const Entry& e : kPeers) names.emplace_back(e.name);
  return names;
}

std::vector<std::string> DefaultPeerNames() {
  std::vector<std::string> names;
  for (const Entry& e : kPeers) {
    if (e.by_default) names.emplace_back(e.name);
  }
  return names;
}

Result<std::unique_ptr<Peer>> MakePeer(const std::string& name) {
  for (const Entry& e : kPeers) {
    if (name == e.name) return e.make();
  }
  return Status::InvalidArgument("no peer called '" + name + "'");
}

}  // namespace custodian::bench
