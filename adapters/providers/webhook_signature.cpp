#include "adapters/providers/webhook_signature.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/x509.h>

#include "domain/base64.hpp"

namespace herald::adapters::providers {

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool verify_sendgrid_signature(std::string_view public_key_b64, std::string_view timestamp,
                               std::string_view body, std::string_view signature_b64) {
  const auto der_key = domain::base64_decode(public_key_b64);
  const auto signature = domain::base64_decode(signature_b64);
  if (!der_key || !signature || signature->empty()) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(der_key->data());
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(d2i_PUBKEY(nullptr, &p, static_cast<long>(der_key->size())),
                                                          EVP_PKEY_free);
  if (!key || EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_EC) return false;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, EVP_sha256(), nullptr, key.get()) != 1) return false;
  std::string message;
  message.reserve(timestamp.size() + body.size());
  message.append(timestamp).append(body);
  return EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature->data()), signature->size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::string twilio_signature(std::string_view auth_token, std::string_view url, const form_params& params) {
  std::map<std::string, std::set<std::string>> sorted;
  for (const auto& [name, value] : params) sorted[name].insert(value);
  std::string message(url);
  for (const auto& [name, values] : sorted) {
    for (const auto& value : values) message.append(name).append(value);
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha1(), auth_token.data(), static_cast<int>(auth_token.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest, &length);
  return domain::base64_encode(std::string_view(reinterpret_cast<const char*>(digest), length));
}

namespace {

// The two forms of `url` Twilio's own validators accept: with a port (the
// scheme's default added when there is none) and without any port.
std::pair<std::string, std::string> port_variants(std::string_view url) {
  const bool https = url.rfind("https://", 0) == 0;
  const bool http = url.rfind("http://", 0) == 0;
  if (!https && !http) return {std::string(url), std::string(url)};
  const std::size_t host_start = https ? 8 : 7;
  const std::size_t host_end = std::min(url.find_first_of("/?#", host_start), url.size());
  const std::string_view authority = url.substr(host_start, host_end - host_start);
  const std::size_t colon = authority.rfind(':');
  const bool has_port = colon != std::string_view::npos && authority.find(']', colon) == std::string_view::npos;
  const std::string_view host = has_port ? authority.substr(0, colon) : authority;
  const std::string head(url.substr(0, host_start)), tail(url.substr(host_end));
  std::string with_port = has_port ? std::string(url) : head + std::string(host) + (https ? ":443" : ":80") + tail;
  return {std::move(with_port), head + std::string(host) + tail};
}

}  // namespace

bool verify_twilio_signature(std::string_view auth_token, std::string_view url, const form_params& params,
                             std::string_view signature) {
  const auto [with_port, without_port] = port_variants(url);
  // Both are computed, so the time taken does not tell which one matched.
  const bool a = constant_time_equal(twilio_signature(auth_token, with_port, params), signature);
  const bool b = constant_time_equal(twilio_signature(auth_token, without_port, params), signature);
  return a || b;
}

}  // namespace herald::adapters::providers
