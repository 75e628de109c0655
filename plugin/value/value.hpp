// The value pyramid (客户价值金字塔): value.run scores every customer of the population from five
// components read from the host ERP's money and the CRM's own data (sales contribution, sales
// expectation, credit, profit contribution, reference value), ranks them, and cuts the ranking
// into tiers ("key", "major", "growth", "basic" by default). Each run is a snapshot per period,
// so that tier migration between periods can be shown (value.migration). The whole run is one
// set-based INSERT ... SELECT in the database: no customer row passes through the plugin.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/registry.hpp"

namespace crm::value {

// The components, in the order of every array below.
inline constexpr std::array<const char *, 5> kComponents = {"sales", "expectation", "credit",
                                                            "profit", "reference"};

struct Tier {
  std::string name;
  std::int64_t percent = 0;
};

// The "value" configuration section.
struct Settings {
  std::array<std::int64_t, 5> weights = {35, 15, 15, 25, 10};
  std::vector<Tier> tiers = {{"key", 1}, {"major", 4}, {"growth", 15}, {"basic", 80}};
  std::int64_t window_days = 365;
  std::vector<std::string> population_stages = {"customer", "repeat"};
};

void register_methods(Registry &registry);

}  // namespace crm::value
