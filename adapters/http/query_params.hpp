#pragma once
// Query-string parameters shared by the list endpoints: validated once,
// with errors naming the parameter (SPEC §6: 400 with the error shape of §3).

#include <cstdint>
#include <optional>
#include <string>

#include "adapters/http/http_message.hpp"
#include "domain/status.hpp"

namespace herald::adapters {

// Returns a number parameter in [min, max]; absent gives `fallback`.
result<std::uint64_t> uint_param(const http_request& req, const char* name, std::uint64_t fallback,
                                 std::uint64_t min, std::uint64_t max);

// Returns an RFC 3339 time parameter as ms, nullopt when absent.
result<std::optional<std::int64_t>> time_param(const http_request& req, const char* name);

// Returns the parameter's value, empty when absent.
std::string text_param(const http_request& req, const char* name);

}  // namespace herald::adapters
