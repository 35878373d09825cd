#include "domain/config.hpp"

#include <algorithm>
#include <initializer_list>
#include <set>

#include <boost/json.hpp>

namespace json = boost::json;

namespace herald::domain {
namespace {

status bad(const std::string& path, std::string message) {
  return status{errc::invalid_argument, std::move(message), path};
}

std::string join(const std::string& path, std::string_view key) {
  return path.empty() ? std::string(key) : path + "." + std::string(key);
}

status only_keys(const json::object& obj, const std::string& path,
                 std::initializer_list<std::string_view> allowed) {
  for (const auto& kv : obj) {
    if (std::find(allowed.begin(), allowed.end(), kv.key()) == allowed.end()) {
      std::string list;
      for (auto a : allowed) {
        list += (list.empty() ? "" : ", ") + std::string(a);
      }
      return bad(join(path, kv.key()),
                 "unknown key '" + std::string(kv.key()) + "' (expected one of: " + list + ")");
    }
  }
  return status::ok();
}

status get_string(const json::value& v, const std::string& path, std::string& out) {
  if (!v.is_string()) {
    return bad(path, "must be a string");
  }
  out = std::string(v.get_string());
  return status::ok();
}

template <class Int>
status get_uint(const json::value& v, const std::string& path, Int& out, std::uint64_t min,
                std::uint64_t max) {
  std::uint64_t n = 0;
  if (v.is_uint64()) {
    n = v.get_uint64();
  } else if (v.is_int64() && v.get_int64() >= 0) {
    n = static_cast<std::uint64_t>(v.get_int64());
  } else {
    return bad(path, "must be a non-negative integer");
  }
  if (n < min || n > max) {
    return bad(path, "must be between " + std::to_string(min) + " and " + std::to_string(max));
  }
  out = static_cast<Int>(n);
  return status::ok();
}

status get_object(const json::value& v, const std::string& path, const json::object*& out) {
  if (!v.is_object()) {
    return bad(path, "must be an object");
  }
  out = &v.get_object();
  return status::ok();
}

status get_string_array(const json::value& v, const std::string& path,
                        std::vector<std::string>& out) {
  if (!v.is_array()) {
    return bad(path, "must be an array of strings");
  }
  out.clear();
  for (std::size_t i = 0; i < v.get_array().size(); ++i) {
    const auto& item = v.get_array()[i];
    if (!item.is_string()) {
      return bad(path + "[" + std::to_string(i) + "]", "must be a string");
    }
    out.emplace_back(item.get_string());
  }
  return status::ok();
}

bool is_hh_mm(std::string_view s) {
  return s.size() == 5 && std::isdigit(static_cast<unsigned char>(s[0])) &&
         std::isdigit(static_cast<unsigned char>(s[1])) && s[2] == ':' &&
         std::isdigit(static_cast<unsigned char>(s[3])) &&
         std::isdigit(static_cast<unsigned char>(s[4])) && (s[0] - '0') * 10 + (s[1] - '0') < 24 &&
         (s[3] - '0') * 10 + (s[4] - '0') < 60;
}

bool is_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  int m = (s[5] - '0') * 10 + (s[6] - '0');
  int d = (s[8] - '0') * 10 + (s[9] - '0');
  return m >= 1 && m <= 12 && d >= 1 && d <= 31;
}

status parse_organisation(const json::value& v, organisation_config& org) {
  const std::string path = "organisation";
  const json::object* obj;
  if (auto st = get_object(v, path, obj); !st) return st;
  if (auto st = only_keys(*obj, path, {"time_zone", "sending_time", "business_days", "holidays"});
      !st)
    return st;
  for (const auto& kv : *obj) {
    const std::string p = join(path, kv.key());
    if (kv.key() == "time_zone") {
      if (auto st = get_string(kv.value(), p, org.time_zone); !st) return st;
      if (org.time_zone.empty()) return bad(p, "must name an IANA time zone");
    } else if (kv.key() == "sending_time") {
      if (auto st = get_string(kv.value(), p, org.sending_time); !st) return st;
      if (!is_hh_mm(org.sending_time)) return bad(p, "must be a time of day HH:MM");
    } else if (kv.key() == "business_days") {
      if (auto st = get_string_array(kv.value(), p, org.business_days); !st) return st;
      static const std::set<std::string> days = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
      for (std::size_t i = 0; i < org.business_days.size(); ++i) {
        if (!days.count(org.business_days[i])) {
          return bad(p + "[" + std::to_string(i) + "]", "must be one of Mon Tue Wed Thu Fri Sat Sun");
        }
      }
    } else if (kv.key() == "holidays") {
      if (auto st = get_string_array(kv.value(), p, org.holidays); !st) return st;
      for (std::size_t i = 0; i < org.holidays.size(); ++i) {
        if (!is_date(org.holidays[i])) {
          return bad(p + "[" + std::to_string(i) + "]", "must be a date YYYY-MM-DD");
        }
      }
    }
  }
  return status::ok();
}

// How a provider actor calls out (actors/http_provider_actor.hpp).
bool is_call_setting(std::string_view key) {
  return key == "max_in_flight" || key == "timeout_ms" || key == "retry_base_ms" || key == "retry_max_ms" ||
         key == "breaker_failures" || key == "breaker_open_ms" || key == "rate_per_s";
}

// Each provider's allowed keys; all are strings unless listed in the checks below.
status parse_providers(const json::value& v, json::object& out) {
  const std::string path = "providers";
  const json::object* obj;
  if (auto st = get_object(v, path, obj); !st) return st;
  if (auto st = only_keys(*obj, path, {"sendgrid", "smtp", "twilio", "post", "peppol", "sandbox"});
      !st)
    return st;
  for (const auto& kv : *obj) {
    const std::string p = join(path, kv.key());
    const json::object* prov;
    if (auto st = get_object(kv.value(), p, prov); !st) return st;
    status st;
    if (kv.key() == "sendgrid") {
      st = only_keys(*prov, p, {"base_url", "api_key", "webhook_public_key", "from", "max_in_flight", "timeout_ms",
                                "retry_base_ms", "retry_max_ms", "breaker_failures", "breaker_open_ms", "rate_per_s"});
    } else if (kv.key() == "smtp") {
      st = only_keys(*prov, p, {"url", "from", "username", "password", "max_in_flight", "timeout_ms", "retry_base_ms",
                                "retry_max_ms", "breaker_failures", "breaker_open_ms", "rate_per_s"});
    } else if (kv.key() == "twilio") {
      st = only_keys(*prov, p,
                     {"base_url", "account_sid", "auth_token", "from", "status_callback_url", "max_in_flight",
                      "timeout_ms", "retry_base_ms", "retry_max_ms", "breaker_failures", "breaker_open_ms", "rate_per_s"});
    } else if (kv.key() == "post") {
      st = only_keys(*prov, p, {"base_url", "api_key", "max_in_flight", "timeout_ms", "retry_base_ms", "retry_max_ms",
                                "breaker_failures", "breaker_open_ms", "rate_per_s"});
    } else if (kv.key() == "peppol") {
      st = only_keys(*prov, p, {"base_url", "sender_id", "api_key", "supplier_name", "country", "max_in_flight",
                                "timeout_ms", "retry_base_ms", "retry_max_ms", "breaker_failures", "breaker_open_ms", "rate_per_s"});
    } else {
      st = only_keys(*prov, p, {"failure_ratio"});
    }
    if (!st) return st;
    for (const auto& member : *prov) {
      const std::string mp = join(p, member.key());
      if (is_call_setting(member.key())) {
        if (!member.value().is_int64() || member.value().get_int64() <= 0) {
          return bad(mp, "must be a positive whole number");
        }
      } else if (member.key() == "failure_ratio") {
        if (!member.value().is_number()) return bad(mp, "must be a number from 0 to 1");
        double r = member.value().to_number<double>();
        if (r < 0.0 || r > 1.0) return bad(mp, "must be a number from 0 to 1");
      } else if (kv.key() == "sendgrid" && member.key() == "from") {
        const json::object* from;
        if (auto s2 = get_object(member.value(), mp, from); !s2) return s2;
        if (auto s2 = only_keys(*from, mp, {"email", "name"}); !s2) return s2;
        for (const auto& f : *from) {
          std::string ignored;
          if (auto s3 = get_string(f.value(), join(mp, f.key()), ignored); !s3) return s3;
        }
      } else {
        std::string s;
        if (auto s2 = get_string(member.value(), mp, s); !s2) return s2;
        if (member.key() == "base_url" && s.rfind("http://", 0) != 0 &&
            s.rfind("https://", 0) != 0) {
          return bad(mp, "must be an http:// or https:// URL");
        }
      }
    }
  }
  out = *obj;
  return status::ok();
}

}  // namespace

result<sync_policy> parse_sync_policy(std::string_view text) {
  if (text == "every_commit") return sync_policy::every_commit;
  if (text == "interval_ms" || text == "interval") return sync_policy::interval;
  if (text == "none") return sync_policy::none;
  return bad("sync", "must be every_commit, interval_ms or none, got '" + std::string(text) + "'");
}

result<std::pair<std::string, std::uint16_t>> parse_listen(std::string_view listen) {
  auto colon = listen.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == listen.size()) {
    return bad("listen", "must be host:port, got '" + std::string(listen) + "'");
  }
  std::string host(listen.substr(0, colon));
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  unsigned long port = 0;
  for (char c : listen.substr(colon + 1)) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      return bad("listen", "port must be a number, got '" + std::string(listen) + "'");
    }
    port = port * 10 + static_cast<unsigned long>(c - '0');
    if (port > 65535) {
      return bad("listen", "port must be at most 65535");
    }
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

bool is_loopback_host(std::string_view host) {
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

status check_startup(const herald_config& config) {
  auto listen = parse_listen(config.listen);
  if (!listen) {
    return listen.error();
  }
  if (!is_loopback_host(listen->first) && config.api_keys.empty()) {
    return bad("api_keys", "listening on the non-loopback address '" + config.listen +
                               "' requires at least one API key in api_keys");
  }
  return status::ok();
}

result<herald_config> parse_config(std::string_view json_text) {
  json::error_code ec;
  json::value root = json::parse(json_text, ec);
  if (ec) {
    return status{errc::parse_error, "config is not valid JSON: " + ec.message()};
  }
  if (!root.is_object()) {
    return bad("", "config must be a JSON object");
  }
  herald_config cfg;
  const json::object& obj = root.get_object();
  if (auto st = only_keys(obj, "",
                          {"listen", "data_dir", "sync", "sync_interval_ms", "api_keys",
                           "organisation", "roles", "modules", "channels", "providers", "retention",
                           "http", "passivate_after_ms"});
      !st) {
    return st;
  }
  for (const auto& kv : obj) {
    const std::string key(kv.key());
    const json::value& v = kv.value();
    status st;
    if (key == "listen") {
      st = get_string(v, key, cfg.listen);
      if (st) {
        auto l = parse_listen(cfg.listen);
        st = l ? status::ok() : l.error();
      }
    } else if (key == "data_dir") {
      st = get_string(v, key, cfg.data_dir);
      if (st && cfg.data_dir.empty()) st = bad(key, "must not be empty");
    } else if (key == "sync") {
      std::string s;
      st = get_string(v, key, s);
      if (st) {
        auto p = parse_sync_policy(s);
        st = p ? status::ok() : p.error();
        if (p) cfg.sync = *p;
      }
    } else if (key == "sync_interval_ms") {
      st = get_uint(v, key, cfg.sync_interval_ms, 1, 60000);
    } else if (key == "passivate_after_ms") {
      st = get_uint(v, key, cfg.passivate_after_ms, 10, 86400000);
    } else if (key == "api_keys") {
      if (!v.is_array()) {
        st = bad(key, "must be an array of {\"key\", \"role\"}");
      }
      for (std::size_t i = 0; st && i < v.get_array().size(); ++i) {
        const std::string p = key + "[" + std::to_string(i) + "]";
        const json::object* k;
        if (!(st = get_object(v.get_array()[i], p, k))) break;
        if (!(st = only_keys(*k, p, {"key", "role", "name"}))) break;
        api_key_config akc;
        akc.name = "key-" + std::to_string(i + 1);
        for (const auto& m : *k) {
          std::string* target = m.key() == "key" ? &akc.key : m.key() == "role" ? &akc.role : &akc.name;
          if (!(st = get_string(m.value(), join(p, m.key()), *target))) break;
        }
        if (!st) break;
        if (akc.key.size() < 16) {
          st = bad(join(p, "key"), "must be at least 16 characters");
        } else if (akc.role != "admin" && akc.role != "operator" && akc.role != "viewer" &&
                   akc.role != "ingest") {
          st = bad(join(p, "role"), "must be admin, operator, viewer or ingest");
        } else {
          cfg.api_keys.push_back(std::move(akc));
        }
      }
    } else if (key == "organisation") {
      st = parse_organisation(v, cfg.organisation);
    } else if (key == "roles") {
      const json::object* roles;
      st = get_object(v, key, roles);
      for (auto it = st ? roles->begin() : nullptr; st && it != roles->end(); ++it) {
        std::vector<std::string> members;
        st = get_string_array(it->value(), join(key, it->key()), members);
        cfg.roles[std::string(it->key())] = std::move(members);
      }
    } else if (key == "modules") {
      auto modules = parse_module_schemas(v, key);
      if (modules) {
        cfg.modules = std::move(*modules);
      } else {
        st = modules.error();
      }
    } else if (key == "channels") {
      const json::object* ch;
      st = get_object(v, key, ch);
      if (st) st = only_keys(*ch, key, {"email", "sms", "post", "einvoice"});
      for (auto it = st ? ch->begin() : nullptr; st && it != ch->end(); ++it) {
        std::string provider;
        st = get_string(it->value(), join(key, it->key()), provider);
        cfg.channels[std::string(it->key())] = provider;
      }
    } else if (key == "providers") {
      st = parse_providers(v, cfg.providers);
    } else if (key == "retention") {
      const json::object* r;
      st = get_object(v, key, r);
      if (st) st = only_keys(*r, key, {"attachments_days", "provider_events_days"});
      for (auto it = st ? r->begin() : nullptr; st && it != r->end(); ++it) {
        st = get_uint(it->value(), join(key, it->key()),
                      it->key() == "attachments_days" ? cfg.retention.attachments_days
                                                      : cfg.retention.provider_events_days,
                      1, 36500);
      }
    } else if (key == "http") {
      const json::object* h;
      st = get_object(v, key, h);
      if (st) st = only_keys(*h, key, {"max_body_bytes", "max_in_flight", "threads", "max_backlog", "cors_origins"});
      for (auto it = st ? h->begin() : nullptr; st && it != h->end(); ++it) {
        const std::string p = join(key, it->key());
        if (it->key() == "max_body_bytes") {
          st = get_uint(it->value(), p, cfg.http.max_body_bytes, 1024, 1ull << 30);
        } else if (it->key() == "max_in_flight") {
          st = get_uint(it->value(), p, cfg.http.max_in_flight, 1, 100000);
        } else if (it->key() == "max_backlog") {
          st = get_uint(it->value(), p, cfg.http.max_backlog, 1, 1ull << 40);
        } else if (it->key() == "cors_origins") {
          st = get_string_array(it->value(), p, cfg.http.cors_origins);
          for (std::size_t i = 0; st && i < cfg.http.cors_origins.size(); ++i) {
            const std::string& o = cfg.http.cors_origins[i];
            const bool scheme = o.rfind("https://", 0) == 0 || o.rfind("http://", 0) == 0;
            if (!scheme || o.back() == '/' || o.find('*') != std::string::npos) {
              st = bad(p + "[" + std::to_string(i) + "]", "must be an origin such as https://ops.example.com (no path, no wildcard)");
            }
          }
        } else {
          st = get_uint(it->value(), p, cfg.http.threads, 1, 64);
        }
      }
    }
    if (!st) {
      return st;
    }
  }
  return cfg;
}

}  // namespace herald::domain
