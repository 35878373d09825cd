#pragma once
// A fresh folder under the system temp dir, removed with everything in it
// when the object dies.

#include <filesystem>
#include <string>

namespace herald::test {

class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::string str() const { return path_.string(); }
  std::string sub(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

// Returns the shared fixtures folder (../shared/fixtures beside the
// project) or an empty path when it is absent; tests then skip.
std::filesystem::path fixtures_dir();

// Prints the marker CTest recognises as "skipped" (SKIP_REGULAR_EXPRESSION).
void report_skipped(const std::string& why);

// Returns the whole file as a string (empty if unreadable).
std::string read_file(const std::filesystem::path& p);
void write_file(const std::filesystem::path& p, const std::string& content);

}  // namespace herald::test
