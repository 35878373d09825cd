#include "storage/rocksdb_perf.hpp"

#include <rocksdb/perf_level.h>

namespace herald::storage {

void skip_rocksdb_perf_counts_on_this_thread() { rocksdb::SetPerfLevel(rocksdb::PerfLevel::kDisable); }

bool rocksdb_perf_counts_on_this_thread() { return rocksdb::GetPerfLevel() != rocksdb::PerfLevel::kDisable; }

}  // namespace herald::storage
