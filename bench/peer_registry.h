// The peers vault_bench can run, by the names --peers takes.
// Safe from any thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bench/peer.h"

namespace custodian::bench {

// Every peer in the order a run takes them: custodian first, the reference for ratios.
std::vector<std::string> AllPeerNames();
// Those a run takes when --peers does not say: all but clickhouse-merged, which runs
// ClickHouse a second time, for one figure.
std::vector<std::string> DefaultPeerNames();

// A new peer called `name`. NotFound, with the reason, when it cannot run here (its server
// package is missing, or it is not built); InvalidArgument for a name no build knows.
Result<std::unique_ptr<Peer>> MakePeer(const std::string& name);

}  // namespace custodian::bench
