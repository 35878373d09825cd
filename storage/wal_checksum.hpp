#pragma once
// RocksDB's CRC32C (every write-ahead-log fragment, and the reads that
// verify it), computed with the CPU's crc32 instruction.
//
// Debian builds librocksdb portable (without -msse4.2), and RocksDB 7.8 then
// computes CRC32C with its table-driven Slow_CRC32 even on a CPU that has
// the instruction: ≈ 3.7 instructions a byte, about a quarter of the
// committer thread's work (bench/HISTORY.md, session 17), and the committer
// is the thread every durable append waits for. The link (CMakeLists.txt,
// HERALD_ROCKSDB_STATIC) wraps RocksDB's `crc32c::Extend` with --wrap, so
// the calls RocksDB makes to it from its other files land here; the
// checksum is the same (tested against RocksDB's own), only computed faster.
// On a CPU without SSE 4.2, or linked with RocksDB's shared library, RocksDB
// computes it as before.

#include <cstddef>
#include <cstdint>

namespace herald::storage {

// What computes RocksDB's CRC32C in this program: "sse4.2" or "rocksdb".
const char* crc32c_implementation();

// CRC32C of `data` continued from `crc` (RocksDB's `crc32c::Extend`:
// Extend(Extend(0, a), b) == Extend(0, ab)), with the CPU's instruction when
// it has it.
std::uint32_t crc32c_extend(std::uint32_t crc, const char* data, std::size_t n);

}  // namespace herald::storage
