#include "bench/child_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace custodian::bench {
namespace {

Status Errno(const std::string& what) {
  return Status::IoError(what + ": " + std::strerror(errno));
}

}  // namespace

Result<std::string> RunCapturing(const std::string& command) {
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) return Status::IoError("cannot run " + command);
  std::string out;
  char buf[4096];
  for (size_t n; (n = std::fread(buf, 1, sizeof buf, pipe)) > 0;) out.append(buf, n);
  if (::pclose(pipe) != 0) return Status::IoError(command + " failed: " + out);
  return out;
}

Result<std::string> FreshWorkDir(const std::string& base, const std::string& name) {
  const char* tmp = std::getenv("TMPDIR");
  const std::string under = !base.empty() ? base : std::string(tmp && *tmp ? tmp : "/tmp");
  std::string pattern = under + "/" + name + "-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    return Status::IoError("cannot create a work directory under " + under + ": " + std::strerror(errno));
  }
  ::chmod(pattern.c_str(), 0755);  // mkdtemp makes it 0700
  return pattern;
}

Result<int> FreeLoopbackPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return Errno("socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  const bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
                  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0;
  const Status error = ok ? Status::Ok() : Errno("binding a port on 127.0.0.1");
  ::close(fd);
  if (!ok) return error;
  return static_cast<int>(ntohs(addr.sin_port));
}

Result<ServiceUser> ServiceUserFor(const std::string& name) {
  if (::geteuid() != 0) return ServiceUser{};
  const passwd* pw = ::getpwnam(name.c_str());
  if (pw == nullptr) {
    return Status::NotFound("no system user '" + name + "' to run the server as (root may not)");
  }
  return ServiceUser{true, pw->pw_uid, pw->pw_gid};
}

Status GiveTo(const ServiceUser& user, const std::string& path) {
  if (!user.switch_user) return Status::Ok();
  std::error_code ec;
  auto chown = [&](const std::filesystem::path& p) {
    return ::lchown(p.c_str(), user.uid, user.gid) == 0 ? Status::Ok()
                                                        : Errno("chown " + p.string());
  };
  if (Status s = chown(path); !s.ok()) return s;
  for (auto it = std::filesystem::recursive_directory_iterator(path, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (Status s = chown(it->path()); !s.ok()) return s;
  }
  return ec ? Status::IoError("listing " + path + ": " + ec.message()) : Status::Ok();
}

std::string LogTail(const std::string& path, size_t bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return "";
  in.seekg(0, std::ios::end);
  const std::streamoff size = in.tellg();
  const std::streamoff from = size > static_cast<std::streamoff>(bytes) ? size - bytes : 0;
  in.seekg(from);
  std::string tail(static_cast<size_t>(size - from), '\0');
  in.read(tail.data(), static_cast<std::streamsize>(tail.size()));
  return tail;
}

Status ChildProcess::Start(const std::vector<std::string>& argv, const ServiceUser& user,
                           const std::string& cwd, const std::string& log_path) {
  if (pid_ > 0) return Status::Internal("child process started twice");
  const int log_fd = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return Errno("opening " + log_path);
  if (user.switch_user && ::fchown(log_fd, user.uid, user.gid) != 0) {
    ::close(log_fd);
    return Errno("chown " + log_path);
  }
  // Everything the child needs is prepared here: after fork only async-signal-safe calls.
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  const pid_t parent = ::getpid();

  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(log_fd);
    return Errno("fork");
  }
  if (pid == 0) {
    // A failure here is reported in the log, which the parent quotes.
    const auto fail = [](const char* why) {
      [[maybe_unused]] const ssize_t written = ::write(2, why, std::strlen(why));
      ::_exit(126);
    };
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd < 0 || ::dup2(null_fd, 0) < 0 || ::dup2(log_fd, 1) < 0 || ::dup2(log_fd, 2) < 0) {
      ::_exit(126);
    }
    ::setpgid(0, 0);  // a Ctrl-C in the terminal reaches the benchmark, which stops us
    if (user.switch_user &&
        (::setgroups(1, &user.gid) != 0 || ::setgid(user.gid) != 0 || ::setuid(user.uid) != 0)) {
      fail("child: cannot switch to the service user\n");
    }
    // After the user switch, which clears it; and the parent may already be gone.
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(126);
    if (::chdir(cwd.c_str()) != 0) {
      fail("child: cannot enter the work directory (can the service user search every "
           "directory above it?)\n");
    }
    ::execv(args[0], args.data());
    fail("child: cannot execute the program\n");
  }
  ::close(log_fd);
  pid_ = pid;
  return Status::Ok();
}

bool ChildProcess::Running() {
  if (pid_ <= 0) return false;
  int status;
  if (::waitpid(pid_, &status, WNOHANG) == pid_) {
    pid_ = -1;
    return false;
  }
  return true;
}

int ChildProcess::Wait(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (pid_ > 0) {
    int status;
    const pid_t r = ::waitpid(pid_, &status, WNOHANG);
    if (r == pid_ || (r < 0 && errno != EINTR)) {
      const bool exited = r == pid_ && WIFEXITED(status);
      pid_ = -1;
      return exited ? WEXITSTATUS(status) : 128;  // 128: killed by a signal, or lost
    }
    if (std::chrono::steady_clock::now() >= deadline) return -1;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

void ChildProcess::Stop(int signal, std::chrono::milliseconds grace) {
  if (pid_ <= 0) return;
  ::kill(pid_, signal);
  if (Wait(grace) >= 0 || pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

Status RunToCompletion(const std::vector<std::string>& argv, const ServiceUser& user,
                       const std::string& cwd, const std::string& log_path,
                       std::chrono::seconds timeout) {
  ChildProcess child;
  if (Status s = child.Start(argv, user, cwd, log_path); !s.ok()) return s;
  const int code = child.Wait(timeout);
  if (code == 0) return Status::Ok();
  child.Stop(SIGKILL, std::chrono::milliseconds(0));
  const std::string what = code < 0 ? " did not finish in " + std::to_string(timeout.count()) + " s"
                                    : " failed (exit status " + std::to_string(code) + ")";
  return Status::IoError(argv[0] + what + ":\n" + LogTail(log_path));
}

}  // namespace custodian::bench
