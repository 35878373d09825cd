#include "storage/storage_faults.hpp"

#include <string>

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

namespace herald::storage {

void storage_faults::sync_hold::set(bool held) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = held;
  }
  released_.notify_all();
}

void storage_faults::sync_hold::wait() const {
  if (!held_.load()) return;
  std::unique_lock<std::mutex> lock(mu_);
  ++waiting_;
  released_.wait(lock, [this] { return !held_.load(); });
  --waiting_;
}

namespace {

rocksdb::IOStatus injected(storage_fault f) {
  if (f == storage_fault::no_space) {
    return rocksdb::IOStatus::NoSpace("injected fault: no space left on device");
  }
  return rocksdb::IOStatus::IOError("injected fault: " + std::string(storage_fault_name(f)));
}

class faulty_file : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  faulty_file(std::unique_ptr<rocksdb::FSWritableFile> file, std::shared_ptr<const storage_faults> faults,
              bool table_file)
      : FSWritableFileOwnerWrapper(std::move(file)), faults_(std::move(faults)), table_file_(table_file) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
    if (auto f = write_fault(); f != storage_fault::none) return injected(f);
    return FSWritableFileOwnerWrapper::Append(data, o, dbg);
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& o,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* dbg) override {
    if (auto f = write_fault(); f != storage_fault::none) return injected(f);
    return FSWritableFileOwnerWrapper::Append(data, o, info, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset, const rocksdb::IOOptions& o,
                                     rocksdb::IODebugContext* dbg) override {
    if (auto f = write_fault(); f != storage_fault::none) return injected(f);
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, dbg);
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset, const rocksdb::IOOptions& o,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    if (auto f = write_fault(); f != storage_fault::none) return injected(f);
    return FSWritableFileOwnerWrapper::PositionedAppend(data, offset, o, info, dbg);
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    faults_->wait_while_held(table_file_);
    if (faults_->get() != storage_fault::none) return injected(faults_->get());
    return FSWritableFileOwnerWrapper::Sync(o, dbg);
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o, rocksdb::IODebugContext* dbg) override {
    faults_->wait_while_held(table_file_);
    if (faults_->get() != storage_fault::none) return injected(faults_->get());
    return FSWritableFileOwnerWrapper::Fsync(o, dbg);
  }
  rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t nbytes, const rocksdb::IOOptions& o,
                              rocksdb::IODebugContext* dbg) override {
    if (faults_->get() != storage_fault::none) return injected(faults_->get());
    return FSWritableFileOwnerWrapper::RangeSync(offset, nbytes, o, dbg);
  }

 private:
  storage_fault write_fault() const {
    auto f = faults_->get();
    return f == storage_fault::sync_error ? storage_fault::none : f;
  }
  std::shared_ptr<const storage_faults> faults_;
  const bool table_file_;
};

class faulty_file_system : public rocksdb::FileSystemWrapper {
 public:
  explicit faulty_file_system(std::shared_ptr<const storage_faults> faults)
      : FileSystemWrapper(rocksdb::FileSystem::Default()), faults_(std::move(faults)) {}

  const char* Name() const override { return "HeraldFaultyFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& o,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override {
    return wrap(name, target()->NewWritableFile(name, o, result, dbg), result);
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& o,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override {
    return wrap(name, target()->ReopenWritableFile(name, o, result, dbg), result);
  }
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& o,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override {
    return wrap(name, target()->ReuseWritableFile(name, old_name, o, result, dbg), result);
  }

 private:
  rocksdb::IOStatus wrap(const std::string& name, rocksdb::IOStatus st,
                         std::unique_ptr<rocksdb::FSWritableFile>* result) const {
    if (st.ok()) {
      const bool table_file = name.size() >= 4 && name.compare(name.size() - 4, 4, ".sst") == 0;
      *result = std::make_unique<faulty_file>(std::move(*result), faults_, table_file);
    }
    return st;
  }
  std::shared_ptr<const storage_faults> faults_;
};

}  // namespace

result<storage_fault> parse_storage_fault(std::string_view name) {
  for (auto f : {storage_fault::none, storage_fault::write_error, storage_fault::sync_error,
                 storage_fault::no_space}) {
    if (name == storage_fault_name(f)) return f;
  }
  return status{errc::invalid_argument,
                "unknown storage fault '" + std::string(name) +
                    "' (none, write_error, sync_error, no_space)",
                "storage"};
}

const char* storage_fault_name(storage_fault f) {
  switch (f) {
    case storage_fault::none: return "none";
    case storage_fault::write_error: return "write_error";
    case storage_fault::sync_error: return "sync_error";
    case storage_fault::no_space: return "no_space";
  }
  return "none";
}

std::unique_ptr<rocksdb::Env> make_faulty_env(std::shared_ptr<const storage_faults> faults) {
  return rocksdb::NewCompositeEnv(std::make_shared<faulty_file_system>(std::move(faults)));
}

}  // namespace herald::storage
