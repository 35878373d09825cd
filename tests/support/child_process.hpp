#pragma once
// Runs a program as a child process with its stdout on a pipe: used to start
// `herald serve` (reading its "listening on" line), to kill it, and to run
// CLI commands and collect their output and exit code.

#include <string>
#include <vector>

#include <sys/types.h>

namespace herald::test {

struct run_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `args` (args[0] is the program) to completion, feeding `stdin_text`.
run_result run_program(const std::vector<std::string>& args, const std::string& stdin_text = {});

class child_process {
 public:
  explicit child_process(const std::vector<std::string>& args);
  ~child_process();  // SIGKILLs the child if it still runs

  // Blocks until the child prints a line containing `needle` on stdout and
  // returns that line; returns "" if the child closed stdout first.
  std::string wait_for_line(const std::string& needle);
  void kill_with(int signal);
  // Waits for the child to exit; returns its exit code, or 128+signal.
  int wait();
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  bool waited_ = false;
  int status_ = 0;
};

// Starts `herald serve` on a free loopback port with the given data folder
// and extra flags; returns the base URL once it is listening.
struct herald_server {
  herald_server(const std::string& data_dir, const std::vector<std::string>& extra = {});
  child_process process;
  std::string url;
};

}  // namespace herald::test
