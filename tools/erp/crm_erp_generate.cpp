// crm-erp-generate: fills a database with the reference ERP's deterministic sample data in one
// of its two shapes, and reports what it wrote and how fast. When the shape's customer table
// already holds customers it leaves the database as it is and says so; --replace drops the
// shape's tables and generates them again.
//
//   crm-erp-generate --dialect sqlite --path erp.db --shape jinhe --customers 100000
//   crm-erp-generate --dialect postgresql --connection 'Server=...;Database=...;UID=...;PWD=...'
//                    --shape meridian --seed 7 --as-of 2026-11-30 --replace
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>

#include "dialect.hpp"
#include "erp.hpp"

namespace {

int usage(const char *message) {
  if (message) std::fprintf(stderr, "crm-erp-generate: %s\n", message);
  std::fprintf(stderr,
               "usage: crm-erp-generate --dialect sqlite|postgresql|mariadb (--path FILE | "
               "--connection ODBC-STRING)\n"
               "                        [--shape jinhe|meridian] [--seed N] [--customers N] "
               "[--as-of YYYY-MM-DD] [--replace]\n");
  return 2;
}

std::int64_t number(const std::string &option, const std::string &text) {
  std::size_t used = 0;
  long long value = 0;
  try {
    value = std::stoll(text, &used);
  } catch (const std::exception &) {
    used = 0;
  }
  if (used != text.size() || value < 0)
    throw std::invalid_argument(option + ": not a non-negative number: " + text);
  return value;
}

}  // namespace

int main(int argc, char **argv) {
  try {
    crm::db::ConnectionSettings settings;
    crm::erp::Options options;
    bool replace = false;
    for (int i = 1; i < argc; ++i) {
      const std::string option = argv[i];
      if (option == "--help" || option == "-h") return usage(nullptr), 0;
      if (option == "--replace") {
        replace = true;
        continue;
      }
      if (i + 1 >= argc) return usage(("missing value after " + option).c_str());
      const std::string value = argv[++i];
      if (option == "--dialect")
        settings.dialect = value;
      else if (option == "--path")
        settings.path = value;
      else if (option == "--connection")
        settings.connection_string = value;
      else if (option == "--shape")
        options.shape = crm::erp::parse_shape(value);
      else if (option == "--seed")
        options.seed = static_cast<std::uint64_t>(number(option, value));
      else if (option == "--customers")
        options.customers = number(option, value);
      else if (option == "--as-of")
        options.as_of = (crm::erp::parse_date_days(value), value);
      else
        return usage(("unknown option " + option).c_str());
    }
    if (settings.dialect.empty()) return usage("--dialect is required");
    auto dialect = crm::db::make_dialect(settings.dialect);
    if (!dialect) return usage(("no dialect " + settings.dialect).c_str());
    crm::db::Environment environment;
    crm::db::Connection connection(environment, *dialect, dialect->connection_string(settings));
    if (!replace) {
      const auto existing = crm::erp::customer_count(connection, options.shape);
      if (existing && *existing > 0) {
        std::printf(
            "the %s tables already hold %lld customers: left as they are (--replace "
            "generates them again)\n",
            std::string(crm::erp::shape_name(options.shape)).c_str(),
            static_cast<long long>(*existing));
        return 0;
      }
    }

    const auto started = std::chrono::steady_clock::now();
    const auto summary = crm::erp::generate(connection, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    std::printf("shape %s, dialect %s, seed %llu, as of %s\n",
                std::string(crm::erp::shape_name(options.shape)).c_str(), settings.dialect.c_str(),
                static_cast<unsigned long long>(options.seed), options.as_of.c_str());
    std::printf(
        "customers %lld, users %lld, contacts %lld, orders %lld, order_lines %lld, "
        "invoices %lld, receivables %lld, payments %lld\n",
        static_cast<long long>(summary.customers), static_cast<long long>(summary.users),
        static_cast<long long>(summary.contacts), static_cast<long long>(summary.orders),
        static_cast<long long>(summary.order_lines), static_cast<long long>(summary.invoices),
        static_cast<long long>(summary.receivables), static_cast<long long>(summary.payments));
    std::printf("logical rows %lld in %.2f s: %.0f rows/s\n",
                static_cast<long long>(summary.rows()), seconds,
                seconds > 0 ? static_cast<double>(summary.rows()) / seconds : 0.0);
    return 0;
  } catch (const std::exception &error) {
    std::fprintf(stderr, "crm-erp-generate: %s\n", error.what());
    return 1;
  }
}
