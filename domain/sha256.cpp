#include "domain/sha256.hpp"

#include <memory>

#include <openssl/evp.h>
#include <openssl/sha.h>

namespace herald::domain {
namespace {

// OpenSSL 3's one-shot SHA256() and EVP_Digest() look the algorithm up and
// allocate a digest context for every call (four allocations and a locked
// table search, more than the hashing itself for an id-sized input, twice
// per communication). The algorithm is fetched once, and each thread keeps
// one context that every call initialises again.
const EVP_MD* sha256_algorithm() {
  static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  return md;
}

struct context_deleter {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};

EVP_MD_CTX* thread_context() {
  thread_local const std::unique_ptr<EVP_MD_CTX, context_deleter> ctx(EVP_MD_CTX_new());
  return ctx.get();
}

}  // namespace

sha256_digest sha256(std::string_view bytes) {
  static_assert(sizeof(sha256_digest) == SHA256_DIGEST_LENGTH);
  sha256_digest digest{};
  const EVP_MD* md = sha256_algorithm();
  EVP_MD_CTX* ctx = thread_context();
  unsigned int length = 0;
  if (md != nullptr && ctx != nullptr && EVP_DigestInit_ex2(ctx, md, nullptr) == 1 &&
      EVP_DigestUpdate(ctx, bytes.data(), bytes.size()) == 1 && EVP_DigestFinal_ex(ctx, digest.data(), &length) == 1 &&
      length == digest.size()) {
    return digest;
  }
  // No provider or no memory for a context: the one-shot call still works.
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest.data());
  return digest;
}

}  // namespace herald::domain
