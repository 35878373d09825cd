#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <rocksdb/db.h>

#include "storage/wal_checksum.hpp"
#include "tests/support/temp_dir.hpp"

// RocksDB's own function, which the link wraps (storage/wal_checksum.hpp):
// its header is not installed.
namespace rocksdb::crc32c {
std::uint32_t Extend(std::uint32_t init_crc, const char* data, std::size_t n);
}

namespace {

// CRC32C one bit at a time, as RFC 3720 defines it.
std::uint32_t crc32c_by_bits(std::uint32_t crc, const std::string& data) {
  std::uint32_t c = ~crc;
  for (unsigned char byte : data) {
    c ^= byte;
    for (int bit = 0; bit < 8; ++bit) c = (c & 1u) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
  }
  return ~c;
}

std::string random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::string bytes(n, '\0');
  for (char& b : bytes) b = static_cast<char>(rng());
  return bytes;
}

}  // namespace

TEST_CASE("crc32c_extend gives RFC 3720's check values") {
  using herald::storage::crc32c_extend;
  CHECK(crc32c_extend(0, "123456789", 9) == 0xE3069283u);
  const std::string zeros(32, '\0');
  CHECK(crc32c_extend(0, zeros.data(), zeros.size()) == 0x8A9136AAu);
  const std::string ones(32, '\xff');
  CHECK(crc32c_extend(0, ones.data(), ones.size()) == 0x62A8AB43u);
  std::string ascending;
  for (int i = 0; i < 32; ++i) ascending.push_back(static_cast<char>(i));
  CHECK(crc32c_extend(0, ascending.data(), ascending.size()) == 0x46DD794Eu);
  CHECK(crc32c_extend(0, "", 0) == 0u);
}

TEST_CASE("crc32c_extend and RocksDB's crc32c::Extend agree with the bitwise CRC at every length and alignment") {
  std::mt19937_64 rng(17);
  const std::string bytes = random_bytes(rng, 4200);
  int mismatches = 0;
  for (std::size_t offset = 0; offset < 9; ++offset) {
    for (std::size_t length = 0; length + offset <= 300; ++length) {
      const std::string piece = bytes.substr(offset, length);
      const std::uint32_t expected = crc32c_by_bits(0, piece);
      mismatches += herald::storage::crc32c_extend(0, bytes.data() + offset, length) != expected;
      mismatches += rocksdb::crc32c::Extend(0, bytes.data() + offset, length) != expected;
    }
  }
  CHECK(mismatches == 0);
  // Continued from a previous value, as RocksDB chains a record's type and its bytes.
  const std::uint32_t head = rocksdb::crc32c::Extend(0, bytes.data(), 13);
  CHECK(rocksdb::crc32c::Extend(head, bytes.data() + 13, bytes.size() - 13) == crc32c_by_bits(0, bytes));
  CHECK(herald::storage::crc32c_extend(head, bytes.data() + 13, bytes.size() - 13) ==
        crc32c_by_bits(0, bytes));
}

TEST_CASE("RocksDB's CRC32C is the CPU's instruction wherever the static link wraps it") {
  const std::string implementation = herald::storage::crc32c_implementation();
#if defined(HERALD_TEST_ROCKSDB_STATIC) && defined(__x86_64__)
  __builtin_cpu_init();
  if (__builtin_cpu_supports("sse4.2")) {
    CHECK(implementation == "sse4.2");
  } else {
    CHECK(implementation == "rocksdb");
  }
#else
  CHECK(implementation == "rocksdb");
#endif
}

TEST_CASE("a write-ahead log checksummed by the wrapped CRC32C recovers completely") {
  // Written without a flush, so reopening replays the log; absolute
  // consistency makes any record whose checksum does not match an error.
  herald::test::temp_dir dir;
  std::mt19937_64 rng(3);
  std::vector<std::string> values;
  for (int i = 0; i < 500; ++i) values.push_back(random_bytes(rng, 1 + rng() % 3000));
  rocksdb::Options options;
  options.create_if_missing = true;
  options.avoid_flush_during_shutdown = true;
  options.avoid_flush_during_recovery = true;
  options.wal_recovery_mode = rocksdb::WALRecoveryMode::kAbsoluteConsistency;
  options.paranoid_checks = true;
  {
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(options, dir.str(), &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    for (std::size_t i = 0; i < values.size(); ++i)
      REQUIRE(db->Put(rocksdb::WriteOptions(), "k" + std::to_string(i), values[i]).ok());
    REQUIRE(db->Close().ok());
  }
  rocksdb::DB* raw = nullptr;
  const rocksdb::Status reopened = rocksdb::DB::Open(options, dir.str(), &raw);
  REQUIRE(reopened.ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  int wrong = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    std::string value;
    wrong += !db->Get(rocksdb::ReadOptions(), "k" + std::to_string(i), &value).ok() || value != values[i];
  }
  CHECK(wrong == 0);
  // Nothing was flushed to a table: what was read came from the log.
  std::string l0_files;
  REQUIRE(db->GetProperty("rocksdb.num-files-at-level0", &l0_files));
  CHECK(l0_files == "0");
}
