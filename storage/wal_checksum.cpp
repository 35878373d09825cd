#include "storage/wal_checksum.hpp"

#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace herald::storage {
namespace {

std::uint32_t crc32c_bytewise(std::uint32_t crc, const char* data, std::size_t n) {
  // Castagnoli polynomial, reflected; only for CPUs without the instruction
  // when RocksDB is not linked in to do it (crc32c_extend's callers).
  std::uint32_t c = ~crc;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= static_cast<unsigned char>(data[i]);
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ (0x82F63B78u & (0u - (c & 1u)));
  }
  return ~c;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(std::uint32_t crc, const char* data,
                                                             std::size_t n) {
  std::uint64_t c = ~crc;
  for (; n > 0 && (reinterpret_cast<std::uintptr_t>(data) & 7) != 0; --n)
    c = _mm_crc32_u8(static_cast<std::uint32_t>(c), static_cast<unsigned char>(*data++));
  for (; n >= 8; n -= 8, data += 8) {
    std::uint64_t word;
    std::memcpy(&word, data, 8);
    c = _mm_crc32_u64(c, word);
  }
  for (; n > 0; --n) c = _mm_crc32_u8(static_cast<std::uint32_t>(c), static_cast<unsigned char>(*data++));
  return ~static_cast<std::uint32_t>(c);
}

// A function's static, not a namespace-scope one: RocksDB may checksum
// during another file's static initialisation.
bool cpu_has_sse42() {
  static const bool has = [] {
    __builtin_cpu_init();
    return __builtin_cpu_supports("sse4.2") != 0;
  }();
  return has;
}
#else
bool cpu_has_sse42() { return false; }
std::uint32_t crc32c_sse42(std::uint32_t crc, const char* data, std::size_t n) {
  return crc32c_bytewise(crc, data, n);
}
#endif

}  // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, const char* data, std::size_t n) {
  return cpu_has_sse42() ? crc32c_sse42(crc, data, n) : crc32c_bytewise(crc, data, n);
}

}  // namespace herald::storage

#if defined(HERALD_WRAP_ROCKSDB_CRC32C)
// The linker's names for RocksDB's `uint32_t rocksdb::crc32c::Extend(uint32_t,
// const char*, size_t)` under --wrap: calls to it from RocksDB's other files
// come to the first; the second is RocksDB's own.
extern "C" std::uint32_t __real__ZN7rocksdb6crc32c6ExtendEjPKcm(std::uint32_t crc, const char* data,
                                                                std::size_t n);
extern "C" std::uint32_t __wrap__ZN7rocksdb6crc32c6ExtendEjPKcm(std::uint32_t crc, const char* data,
                                                                std::size_t n) {
  if (herald::storage::cpu_has_sse42()) return herald::storage::crc32c_sse42(crc, data, n);
  return __real__ZN7rocksdb6crc32c6ExtendEjPKcm(crc, data, n);
}
#endif

namespace herald::storage {

const char* crc32c_implementation() {
#if defined(HERALD_WRAP_ROCKSDB_CRC32C)
  return cpu_has_sse42() ? "sse4.2" : "rocksdb";
#else
  return "rocksdb";
#endif
}

}  // namespace herald::storage
