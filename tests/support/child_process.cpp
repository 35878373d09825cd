#include "tests/support/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>
#include <thread>

namespace herald::test {
namespace {

std::vector<char*> argv_of(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const auto& a : args) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  return argv;
}

std::string drain(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
    out.append(buf, static_cast<std::size_t>(n));
  }
  return out;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

}  // namespace

run_result run_program(const std::vector<std::string>& args, const std::string& stdin_text) {
  int in_pipe[2], out_pipe[2], err_pipe[2];
  if (pipe(in_pipe) || pipe(out_pipe) || pipe(err_pipe)) {
    throw std::runtime_error("pipe failed");
  }
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in_pipe[0], 0);
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    for (int fd : {in_pipe[0], in_pipe[1], out_pipe[0], out_pipe[1], err_pipe[0], err_pipe[1]}) {
      close(fd);
    }
    auto argv = argv_of(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(in_pipe[0]);
  close(out_pipe[1]);
  close(err_pipe[1]);
  std::thread writer([&] {
    std::size_t off = 0;
    while (off < stdin_text.size()) {
      ssize_t n = write(in_pipe[1], stdin_text.data() + off, stdin_text.size() - off);
      if (n <= 0) break;
      off += static_cast<std::size_t>(n);
    }
    close(in_pipe[1]);
  });
  run_result r;
  std::thread err_reader([&] { r.err = drain(err_pipe[0]); });
  r.out = drain(out_pipe[0]);
  err_reader.join();
  writer.join();
  close(out_pipe[0]);
  close(err_pipe[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = decode_status(status);
  return r;
}

child_process::child_process(const std::vector<std::string>& args) {
  int out_pipe[2];
  if (pipe(out_pipe)) {
    throw std::runtime_error("pipe failed");
  }
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out_pipe[1], 1);
    close(out_pipe[0]);
    close(out_pipe[1]);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    auto argv = argv_of(args);
    execv(argv[0], argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  out_fd_ = out_pipe[0];
}

child_process::~child_process() {
  if (!waited_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    wait();
  }
  if (out_fd_ >= 0) {
    close(out_fd_);
  }
}

std::string child_process::wait_for_line(const std::string& needle) {
  char buf[4096];
  for (;;) {
    std::size_t nl;
    while ((nl = buffer_.find('\n')) != std::string::npos) {
      std::string line = buffer_.substr(0, nl);
      buffer_.erase(0, nl + 1);
      if (line.find(needle) != std::string::npos) {
        return line;
      }
    }
    ssize_t n = read(out_fd_, buf, sizeof buf);
    if (n <= 0) {
      return {};
    }
    buffer_.append(buf, static_cast<std::size_t>(n));
  }
}

void child_process::kill_with(int signal) {
  if (!waited_) {
    ::kill(pid_, signal);
  }
}

int child_process::wait() {
  if (!waited_) {
    waitpid(pid_, &status_, 0);
    waited_ = true;
  }
  return decode_status(status_);
}

herald_server::herald_server(const std::string& data_dir, const std::vector<std::string>& extra)
    : process([&] {
        std::vector<std::string> args = {HERALD_BINARY, "serve", "--data", data_dir, "--listen",
                                         "127.0.0.1:0"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
      }()) {
  const std::string line = process.wait_for_line("listening on ");
  if (line.empty()) {
    throw std::runtime_error("herald serve did not start (exit " + std::to_string(process.wait()) + ")");
  }
  url = line.substr(line.find("http://"));
}

}  // namespace herald::test
