#include "storage/rocksdb_status.hpp"

namespace herald::storage {

status from_rocksdb(const rocksdb::Status& st, const std::string& what) {
  const std::string detail = what + ": " + st.ToString();
  if (st.IsIOError() && st.ToString().find("lock") != std::string::npos) {
    return status{errc::busy, what + ": the data folder is in use by another Herald process (" +
                                  st.ToString() + ")"};
  }
  if (st.IsCorruption()) {
    return status{errc::corruption, detail};
  }
  if (st.IsNotFound()) {
    return status{errc::not_found, detail};
  }
  if (st.IsInvalidArgument() || st.IsNotSupported()) {
    return status{errc::invalid_argument, detail};
  }
  if (st.IsBusy() || st.IsTryAgain() || st.IsTimedOut()) {
    return status{errc::unavailable, detail};
  }
  return status{errc::io_error, detail};
}

}  // namespace herald::storage
