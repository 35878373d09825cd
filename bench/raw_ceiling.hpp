#pragma once
// RocksDB's own durable write ceiling on this machine, for comparing a
// benchmark's bytes/s against: WriteBatch(1000) with sync=true of records
// of `record_bytes` (16-byte keys). Returns records per second.

#include <chrono>
#include <cstdio>
#include <string>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

namespace herald::bench {

inline double raw_ceiling_records_per_s(const std::string& dir, std::size_t records, std::size_t record_bytes) {
  rocksdb::Options options;
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  if (!rocksdb::DB::Open(options, dir, &db).ok()) {
    return 0;
  }
  const std::string value(record_bytes > 16 ? record_bytes - 16 : record_bytes, 'v');
  rocksdb::WriteOptions wo;
  wo.sync = true;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t i = 0; i < records; i += 1000) {
    rocksdb::WriteBatch batch;
    for (std::size_t j = i; j < i + 1000; ++j) {
      char key[24];
      std::snprintf(key, sizeof key, "%016zu", j);
      batch.Put(rocksdb::Slice(key, 16), value);
    }
    db->Write(wo, &batch);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  delete db;
  return records / secs;
}

}  // namespace herald::bench
