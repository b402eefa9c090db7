// Running a peer's server as a child process on loopback. When the benchmark runs as root,
// children run as the package's system user ("postgres", "clickhouse"): initdb refuses
// root, and so do newer ClickHouse releases. A child never outlives the benchmark: it gets
// SIGKILL when the benchmark dies, however it dies.
// Not thread-safe: the thread that starts a child must be the one that stops it (and must
// live as long as the child; Linux ties the parent-death signal to that thread).
#pragma once

#include <sys/types.h>

#include <csignal>

#include <chrono>
#include <string>
#include <vector>

#include "core/status.h"

namespace custodian::bench {

// Returns a TCP port on 127.0.0.1 that was free a moment ago.
Result<int> FreeLoopbackPort();

// Runs `command` through the shell to its end: its standard output when it exits 0, else
// IoError naming the command and what it printed.
Result<std::string> RunCapturing(const std::string& command);

// A fresh directory `base`/`name`-XXXXXX (base: $TMPDIR, else /tmp, when empty), searchable by
// all: the servers, which run as their own system users when we are root, must reach their
// directories below it.
Result<std::string> FreshWorkDir(const std::string& base, const std::string& name);

// Whom a child runs as.
struct ServiceUser {
  bool switch_user = false;  // false: run as ourselves
  uid_t uid = 0;
  gid_t gid = 0;
};

// `name` when this process is root (NotFound when there is no such user), else ourselves.
Result<ServiceUser> ServiceUserFor(const std::string& name);

// Hands `path` and everything below it to `user` (a no-op when not switching).
Status GiveTo(const ServiceUser& user, const std::string& path);

// The last `bytes` of the file at `path` (empty when unreadable), for error messages.
std::string LogTail(const std::string& path, size_t bytes = 1500);

// One child process: argv[0] is an absolute path; it runs in `cwd`, with stdin from
// /dev/null and stdout and stderr appended to `log_path`.
class ChildProcess {
 public:
  ChildProcess() = default;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { Stop(SIGKILL, std::chrono::seconds(0)); }

  Status Start(const std::vector<std::string>& argv, const ServiceUser& user,
               const std::string& cwd, const std::string& log_path);
  // True while the child has not exited.
  bool Running();
  // Waits up to `timeout` for the child to exit; returns its exit status (128 when a
  // signal ended it), or -1 on timeout (then the child still runs) or without a child.
  int Wait(std::chrono::milliseconds timeout);
  // Sends `signal`, waits up to `grace`, then kills. No-op without a child.
  void Stop(int signal, std::chrono::milliseconds grace);

 private:
  pid_t pid_ = -1;
};

// Runs argv to completion (see ChildProcess); fails unless it exits 0 within `timeout`,
// with the end of its log in the message.
Status RunToCompletion(const std::vector<std::string>& argv, const ServiceUser& user,
                       const std::string& cwd, const std::string& log_path,
                       std::chrono::seconds timeout);

}  // namespace custodian::bench
