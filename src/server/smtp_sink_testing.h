// For the alert tests: a real SMTP server on loopback (src/server/smtp_sink.py, Debian's
// python3-aiosmtpd) in a temp directory of its own, started with the test and stopped with it,
// and the messages it accepted. Not thread-safe: one test's.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace custodian::testing {

class SmtpSink {
 public:
  // `options`: smtp_sink.py's (--tls CERT KEY, --login USER PASSWORD).
  explicit SmtpSink(const std::vector<std::string>& options = {}) {
    static int n = 0;
    dir_ = std::filesystem::temp_directory_path() /
           ("custodian_smtp_sink_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    std::vector<std::string> args = {CUSTODIAN_PYTHON3, std::string(CUSTODIAN_SOURCE_DIR) + "/src/server/smtp_sink.py",
                                     dir_.string()};
    args.insert(args.end(), options.begin(), options.end());
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    // It writes its port once it listens; a sink that never does fails the test (after a
    // minute: a bound on the wait, not a measure of speed).
    for (int i = 0; i < 6000 && !std::filesystem::exists(dir_ / "port"); ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    std::ifstream in(dir_ / "port");
    in >> port_;
    EXPECT_GT(port_, 0) << "the SMTP sink did not start (python3-aiosmtpd: scripts/setup.sh --tests)";
  }
  ~SmtpSink() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    std::filesystem::remove_all(dir_);
  }

  int port() const { return port_; }
  std::string Server() const { return "127.0.0.1:" + std::to_string(port_); }
  const std::filesystem::path& dir() const { return dir_; }
  // While refusing, every message is answered 451 (try again later).
  void Refuse(bool refuse) {
    if (refuse) {
      std::ofstream(dir_ / "refuse").put('\n');
    } else {
      std::filesystem::remove(dir_ / "refuse");
    }
  }
  // What it accepted, in order: {"from", "to", "data", "tls", "login"}.
  std::vector<nlohmann::json> Messages() const {
    std::vector<nlohmann::json> out;
    for (int i = 1;; ++i) {
      std::ifstream in(dir_ / ("message-" + std::to_string(i) + ".json"));
      if (!in) return out;
      std::stringstream text;
      text << in.rdbuf();
      out.push_back(nlohmann::json::parse(text.str()));
    }
  }
  // A message's header (the first of that name), without its name.
  static std::string Header(const nlohmann::json& message, const std::string& name) {
    const std::string data = message["data"];
    const std::string wanted = name + ": ";
    for (size_t pos = 0; pos < data.size();) {
      size_t end = data.find("\r\n", pos);
      if (end == std::string::npos || end == pos) break;  // the blank line ends the headers
      if (data.compare(pos, wanted.size(), wanted) == 0) return data.substr(pos + wanted.size(), end - pos - wanted.size());
      pos = end + 2;
    }
    return "";
  }
  // A message's body (after the blank line).
  static std::string Body(const nlohmann::json& message) {
    const std::string data = message["data"];
    const size_t blank = data.find("\r\n\r\n");
    return blank == std::string::npos ? "" : data.substr(blank + 4);
  }

 private:
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace custodian::testing
