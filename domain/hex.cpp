#include "domain/hex.hpp"

namespace herald::domain {

std::string to_hex(std::string_view bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out(bytes.size() * 2, '\0');
  char* to = out.data();
  for (const unsigned char c : bytes) {
    *to++ = digits[c >> 4];
    *to++ = digits[c & 15];
  }
  return out;
}

}  // namespace herald::domain
