#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "domain/sha256.hpp"

namespace {

std::string hex(const herald::domain::sha256_digest& d) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (const auto b : d) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
const char* const two_blocks_digest = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
const char* const abc_digest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

}  // namespace

TEST_CASE("sha256 gives FIPS 180-2's digests", "[domain][ids]") {
  CHECK(hex(herald::domain::sha256("abc")) == abc_digest);
  CHECK(hex(herald::domain::sha256(two_blocks)) == two_blocks_digest);
  CHECK(hex(herald::domain::sha256("")) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("sha256 starts afresh on every call, on every thread", "[domain][ids]") {
  // Each thread reuses one digest context: what one call fed it must not
  // leak into the next, whatever their lengths.
  for (int i = 0; i < 3; ++i) {
    CHECK(hex(herald::domain::sha256(two_blocks)) == two_blocks_digest);
    CHECK(hex(herald::domain::sha256("abc")) == abc_digest);
  }
  std::string other_thread;
  std::thread([&] {
    (void)herald::domain::sha256(two_blocks);
    other_thread = hex(herald::domain::sha256("abc"));
  }).join();
  CHECK(other_thread == abc_digest);
  CHECK(hex(herald::domain::sha256("abc")) == abc_digest);
}
