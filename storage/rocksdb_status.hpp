#pragma once
// Translates rocksdb::Status into Herald's status at the edge of storage/;
// no RocksDB type leaves this folder.

#include <string>

#include <rocksdb/status.h>

#include "domain/status.hpp"

namespace herald::storage {

// Returns a status describing `st` while doing `what`. A held LOCK file
// becomes errc::busy ("in use by another process").
status from_rocksdb(const rocksdb::Status& st, const std::string& what);

}  // namespace herald::storage
