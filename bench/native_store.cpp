#include "native_store.hpp"

#include <cctype>
#include <cstdlib>
#include <stdexcept>

namespace bench {

const char *const kCustomerDigestColumns =
    "name, kind, phone, email, address, region, industry, stage, owner, source, host_key, "
    "attributes, created_by, updated_by, version";
const char *const kInteractionDigestColumns =
    "contact_id, opportunity_id, channel, direction, occurred_at, subject, body, logged_by";

namespace {

std::string lower(std::string text) {
  for (char &c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

std::string owner_condition(std::size_t owners, bool dollar) {
  auto mark = [&](std::size_t i) {
    return dollar ? "$" + std::to_string(i + 1) : std::string("?");
  };
  if (owners == 1) return "owner = " + mark(0);
  std::string condition = "owner IN (";
  for (std::size_t i = 0; i < owners; ++i) condition += (i ? ", " : "") + mark(i);
  return condition + ")";
}

std::string owner_condition_literal(const std::vector<std::string> &owners) {
  // The keys are the bench's own ("bench.sales.007"): no quotes to escape.
  if (owners.size() == 1) return "owner = '" + owners[0] + "'";
  std::string condition = "owner IN (";
  for (std::size_t i = 0; i < owners.size(); ++i) condition += (i ? ", '" : "'") + owners[i] + "'";
  return condition + ")";
}

ServerAddress parse_odbc_connection(const std::string &connection_string, unsigned default_port) {
  ServerAddress address;
  address.port = default_port;
  std::size_t i = 0;
  const std::size_t size = connection_string.size();
  while (i < size) {
    const std::size_t equals = connection_string.find('=', i);
    if (equals == std::string::npos) break;
    std::string key = connection_string.substr(i, equals - i);
    const auto first = key.find_first_not_of(" \t"), last = key.find_last_not_of(" \t");
    key = first == std::string::npos ? "" : lower(key.substr(first, last - first + 1));
    std::string value;
    i = equals + 1;
    if (i < size && connection_string[i] == '{') {
      // Braced value: "}}" stands for "}", a single "}" ends it.
      for (++i; i < size; ++i) {
        if (connection_string[i] == '}') {
          if (i + 1 < size && connection_string[i + 1] == '}') {
            value += '}';
            ++i;
            continue;
          }
          ++i;
          break;
        }
        value += connection_string[i];
      }
      i = connection_string.find(';', i);
      i = i == std::string::npos ? size : i + 1;
    } else {
      const std::size_t end = connection_string.find(';', i);
      value = connection_string.substr(i, end == std::string::npos ? std::string::npos : end - i);
      i = end == std::string::npos ? size : end + 1;
    }
    if (key == "server" || key == "servername" || key == "host")
      address.host = value;
    else if (key == "port") {
      char *end = nullptr;
      const unsigned long port = std::strtoul(value.c_str(), &end, 10);
      if (value.empty() || *end || port == 0 || port > 65535)
        throw std::invalid_argument("connection string: bad port \"" + value + "\"");
      address.port = static_cast<unsigned>(port);
    } else if (key == "database" || key == "db")
      address.database = value;
    else if (key == "uid" || key == "user" || key == "username")
      address.user = value;
    else if (key == "pwd" || key == "password")
      address.password = value;
  }
  if (address.database.empty())
    throw std::invalid_argument("connection string: no Database= (" + connection_string + ")");
  return address;
}

std::string digest_query(const std::string &table, const IdSpace &space) {
  const std::string base = std::to_string(space.base);
  const std::string range = " FROM " + table + " WHERE id > " + base +
                            " AND id <= " + std::to_string(space.base + kIdSpaceSize) +
                            " ORDER BY id";
  if (table == "crm_customer") return "SELECT id - " + base + ", " + kCustomerDigestColumns + range;
  if (table == "crm_interaction")
    return "SELECT id - " + base + ", customer_id - " + base + ", " + kInteractionDigestColumns +
           range;
  throw std::invalid_argument("no digest defined for " + table);
}

std::unique_ptr<NativeStore> open_store(const Target &target, const IdSpace &space, BulkPath bulk) {
  if (target.dialect == "sqlite") return open_sqlite_store(target.path, space);
  if (target.dialect == "postgresql")
    return open_postgresql_store(target.connection_string, space, bulk);
  if (target.dialect == "mariadb") return open_mariadb_store(target.connection_string, space, bulk);
  throw std::invalid_argument("unknown dialect " + target.dialect);
}

}  // namespace bench
