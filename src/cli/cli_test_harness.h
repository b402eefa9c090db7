// Runs the built `custodian` binary in a temp directory for the CLI's end-to-end tests: an
// instance's data directory and key file there, standard input from a string, and the exit
// status, standard output and standard error back.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace custodian {

namespace fs = std::filesystem;

struct Outcome {
  int exit_code = -1;
  std::string out, err;
};

inline std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Now plus `seconds`, as RFC 3339 UTC to the second (or as `format` says): the vault keeps
// 90 days, so the CLI's tests date their events from the system clock.
inline std::string At(int64_t seconds, const char* format = "%Y-%m-%dT%H:%M:%SZ") {
  const std::time_t t = std::time(nullptr) + seconds;
  std::tm utc{};
  ::gmtime_r(&t, &utc);
  char text[32];
  std::strftime(text, sizeof text, format, &utc);
  return text;
}
inline constexpr int64_t kDay = 86400;

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/custodian_cli_XXXXXX";
    root_ = ::mkdtemp(tmpl);
    data_ = root_ + "/data";
    key_ = root_ + "/keys/master.key";
  }
  void TearDown() override { fs::remove_all(root_); }

  Outcome Run(const std::string& args, const std::string& input = "") {
    const std::string in = root_ + "/stdin", out = root_ + "/stdout", err = root_ + "/stderr";
    std::ofstream(in, std::ios::binary) << input;
    const std::string command = std::string(CUSTODIAN_BINARY) + " " + args + " < " + in + " > " +
                                out + " 2> " + err;
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, ReadFile(out), ReadFile(err)};
  }
  std::string Data() const { return " --data " + data_ + " --key-file " + key_; }

  // `custodian serve` of the instance on a port the system picks, its standard error in
  // `log`, waited for (two minutes at most: a bound, not a measure of speed) until it says
  // where it serves. Returns its pid, and the port in `port`.
  pid_t StartServe(const std::string& log, int* port = nullptr) {
    const pid_t child = ::fork();
    if (child == 0) {
      const std::string command = std::string(CUSTODIAN_BINARY) + " serve --listen 127.0.0.1:0" + Data() + " 2> " + log;
      ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
      ::_exit(127);
    }
    const std::string serving = "custodian: serving http://127.0.0.1:";
    for (int i = 0; i < 1200 && ReadFile(log).find(serving) == std::string::npos; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const std::string said = ReadFile(log);
    if (port && said.find(serving) != std::string::npos) *port = std::atoi(said.c_str() + said.find(serving) + serving.size());
    return child;
  }
  // Stops it as an operator does (SIGTERM); it must exit cleanly.
  void StopServe(pid_t child, const std::string& log) {
    ::kill(child, SIGTERM);
    int status = 0;
    ::waitpid(child, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ReadFile(log);
  }

  // The staff users the tests act as: case steps take --actor as a user holding a role the
  // step allows. Made as an operator makes them, with `user add`.
  void AddStaff() {
    for (const auto& [name, role] : {std::pair{"intake-1", "intake"}, {"reviewer-1", "reviewer"},
                                     {"reviewer-2", "reviewer"}, {"approver-1", "approver"},
                                     {"auditor-1", "auditor"}, {"producer-1", "approver"},
                                     {"producer-2", "approver"}}) {
      const Outcome added = Run(std::string("user add ") + name + " --role " + role +
                                    " --actor operator" + Data(),
                                "a staff password, long enough\n");
      ASSERT_EQ(added.exit_code, 0) << name << ": " << added.err;
    }
  }

  std::string root_, data_, key_;
};

// The path of a file of the repository, e.g. "spec/agencies.example.json".
inline std::string ProjectPath(const std::string& path) {
  return std::string(CUSTODIAN_SOURCE_DIR) + "/" + path;
}

// An instance with one account's login in its vault and the example agency registry, for the
// case, ledger and production commands.
class InstanceCliTest : public CliTest {
 protected:
  void SetUp() override {
    CliTest::SetUp();
    ASSERT_EQ(Run("init" + Data()).exit_code, 0);
    ASSERT_EQ(Run("ingest" + Data(),
                  "{\"account_id\": 1000042, \"ts\": \"" + At(-9 * kDay, "%Y-%m-%dT08:00:00Z") +
                      "\", \"kind\": \"login\", \"ip\": \"203.0.113.5\"}\n").exit_code, 0);
    Outcome imported = Run("agencies import" + Data() + " --actor admin " +
                           ProjectPath("spec/agencies.example.json"));
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    AddStaff();
  }
  // Runs a command on the instance that must succeed, and returns its JSON output.
  nlohmann::json Ok(const std::string& args) {
    Outcome o = Run(args + Data());
    EXPECT_EQ(o.exit_code, 0) << args << "\n" << o.err << o.out;
    return o.exit_code == 0 ? nlohmann::json::parse(o.out) : nlohmann::json();
  }
};

}  // namespace custodian
