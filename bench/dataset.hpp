// Deterministic CRM test data: customers and interactions with mixed Chinese and English text.
//
// Every record is a pure function of (seed, index), so the libcrm side and the native side get
// byte-identical rows without the host keeping a million rows in memory (which would swamp the
// peak RSS figure the benchmark reports).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time.hpp"

namespace bench {

// splitmix64: tiny, fast, and identical on every standard library (std::*_distribution is not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next();
  // Uniform in [0, bound).
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
  // Uniform in [low, high].
  std::int64_t between(std::int64_t low, std::int64_t high) {
    return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low + 1)));
  }
  template <class T, std::size_t N>
  const T &pick(const T (&items)[N]) {
    return items[below(N)];
  }

 private:
  std::uint64_t state_;
};

// A customer as the host would hand it to customer.create.
struct Customer {
  std::int64_t id = 0;  // the id both sides end up with (ids are handed out from 1 upwards)
  std::string name, kind, phone, email, address, region, industry, source;
  std::string attributes;  // JSON object text, keys sorted, no spaces (as libcrm stores it)
  std::string owner;       // empty: the user who creates it owns it
};

struct Interaction {
  std::int64_t customer_id = 0;
  std::string channel, direction;
  std::int64_t occurred_at = 0;  // microseconds since the epoch, UTC
  std::string subject, body;
};

class Dataset {
 public:
  // owners > 0: customer i is owned by owner_key((i - 1) % owners), round robin, so each of
  // them owns customers / owners; 0: by the user who creates it (every customer the same).
  Dataset(std::uint64_t seed, std::int64_t customers, std::int64_t owners = 0)
      : seed_(seed), customers_(customers), owners_(owners) {}

  std::int64_t customers() const { return customers_; }
  std::int64_t owners() const { return owners_; }
  // "bench.sales.007": the user key of owner `index` (0-based).
  static std::string owner_key(std::int64_t index);
  Customer customer(std::int64_t id) const;
  Interaction interaction(std::int64_t index) const;
  std::vector<Interaction> interactions(std::int64_t first_index, std::size_t count) const;
  // An independent stream for choosing which ids to look up.
  Rng stream(std::uint64_t purpose) const;

 private:
  std::uint64_t seed_;
  std::int64_t customers_, owners_;
};

// A UTC instant broken down: libcrm's own calendar (plugin/core/time.hpp).
using CivilTime = crm::time::Civil;
CivilTime civil_time(std::int64_t micros);

// "YYYY-MM-DD HH:MM:SS.ffffff" in UTC: libcrm's storage format for timestamps.
std::string db_time(std::int64_t micros);
// "YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM" in the given zone: what a host in China sends.
std::string iso_time(std::int64_t micros, int offset_minutes);
std::int64_t now_micros();

}  // namespace bench
