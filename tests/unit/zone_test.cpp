// Zone against glibc. glibc is a fair oracle: it reads the same compiled zone files and POSIX
// TZ strings with its own, long-used implementation (time/tzfile.c, time/tzset.c), so where the
// two agree the parsing and rule evaluation are right; the data itself is tzdata's business.
#include "calendar/zone.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace crm::calendar {
namespace {

using time::Micros;

constexpr Micros kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kHour = 3'600;
constexpr std::int64_t kDay = 86'400;
constexpr const char *kZoneDir = "/usr/share/zoneinfo";

const std::vector<std::string> &oracle_zones() {
  static const std::vector<std::string> zones = {"America/New_York",
                                                 "Europe/London",
                                                 "Europe/Dublin",
                                                 "Australia/Lord_Howe",
                                                 "Asia/Shanghai",
                                                 "Asia/Kolkata",
                                                 "America/Sao_Paulo",
                                                 "Pacific/Chatham",
                                                 "Africa/Casablanca",
                                                 "America/St_Johns",
                                                 "Pacific/Kiritimati",
                                                 "Etc/GMT+5",
                                                 "UTC"};
  return zones;
}

Micros at(const char *iso) {
  const std::optional<Micros> instant = time::parse_iso8601(iso);
  if (!instant) throw std::invalid_argument(iso);
  return *instant;
}

Micros micros(std::int64_t seconds) {
  return seconds * kMicrosPerSecond;
}

Zone must_load(const std::string &name) {
  std::string why;
  std::optional<Zone> zone = Zone::load(name, &why);
  if (!zone) throw std::runtime_error(name + ": " + why);
  return *zone;
}

// Sets an environment variable for a scope and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(const char *name, const std::string &value) : name_(name) {
    if (const char *old = std::getenv(name)) old_ = old;
    setenv(name, value.c_str(), 1);
    tzset();
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
    tzset();
  }
  ScopedEnv(const ScopedEnv &) = delete;
  ScopedEnv &operator=(const ScopedEnv &) = delete;

 private:
  const char *name_;
  std::optional<std::string> old_;
};

// glibc's view of TZ, which the caller has set.
long glibc_offset(std::int64_t utc_seconds) {
  const std::time_t t = static_cast<std::time_t>(utc_seconds);
  std::tm broken{};
  if (localtime_r(&t, &broken) == nullptr) throw std::runtime_error("localtime_r failed");
  return broken.tm_gmtoff;
}

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "zone_test.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir &) = delete;
  TempDir &operator=(const TempDir &) = delete;

  const std::filesystem::path &path() const { return path_; }
  void write(const std::string &relative, const std::string &bytes) const {
    const std::filesystem::path file = path_ / relative;
    std::filesystem::create_directories(file.parent_path());
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
  }

 private:
  std::filesystem::path path_;
};

std::string read_bytes(const std::filesystem::path &path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Loads `bytes` as zone "Test/Zone" from a scratch TZDIR.
std::optional<Zone> load_bytes(const std::string &bytes, std::string *why = nullptr) {
  TempDir dir;
  dir.write("Test/Zone", bytes);
  ScopedEnv tzdir("TZDIR", dir.path().string());
  return Zone::load("Test/Zone", why);
}

// ---- Building TZif files by hand ----

void put_be(std::string &out, std::uint64_t value, int width) {
  for (int shift = 8 * (width - 1); shift >= 0; shift -= 8)
    out += static_cast<char>((value >> shift) & 0xff);
}

struct LocalType {
  std::int32_t offset;
  bool daylight;
};

struct Tzif {
  char version = '2';
  std::vector<std::int64_t> transitions;
  std::vector<std::uint8_t> type_indices;
  std::vector<LocalType> types = {{0, false}};
  std::vector<std::pair<std::int64_t, std::int32_t>> leap_seconds;
  std::string footer;

  std::string block(int time_size) const {
    const std::string designations("ZZZ\0", 4);
    std::string out = "TZif";
    out += version;
    out += std::string(15, '\0');
    for (std::size_t count : {types.size(), types.size(), leap_seconds.size(), transitions.size(),
                              types.size(), designations.size()})
      put_be(out, count, 4);
    for (std::int64_t t : transitions) put_be(out, static_cast<std::uint64_t>(t), time_size);
    for (std::uint8_t index : type_indices) out += static_cast<char>(index);
    for (const LocalType &type : types) {
      put_be(out, static_cast<std::uint32_t>(type.offset), 4);
      out += static_cast<char>(type.daylight ? 1 : 0);
      out += '\0';
    }
    out += designations;
    for (const auto &[when, correction] : leap_seconds) {
      put_be(out, static_cast<std::uint64_t>(when), time_size);
      put_be(out, static_cast<std::uint32_t>(correction), 4);
    }
    out += std::string(types.size() * 2, '\0');  // standard/wall, then UT/local indicators
    return out;
  }

  std::string bytes() const {
    if (version == '\0') return block(4);
    // Like slim zic output: the version 1 block is a stub with one type and no transitions.
    Tzif stub;
    stub.version = version;
    return stub.block(4) + block(8) + "\n" + footer + "\n";
  }
};

// Offsets of the fields of a Tzif::bytes() file with a version 1 stub.
constexpr std::size_t kStubSize = 44 + 6 + 4 + 2;  // header, a type, "ZZZ\0", two indicators
constexpr std::size_t kSecondHeader = kStubSize;
constexpr std::size_t kSecondData = kSecondHeader + 44;

void set_u32(std::string &bytes, std::size_t pos, std::uint32_t value) {
  std::string encoded;
  put_be(encoded, value, 4);
  bytes.replace(pos, 4, encoded);
}

Tzif new_york_like() {
  Tzif tzif;
  tzif.transitions = {at("2026-03-08T07:00:00Z") / kMicrosPerSecond,
                      at("2026-11-01T06:00:00Z") / kMicrosPerSecond};
  tzif.type_indices = {1, 0};
  tzif.types = {{-5 * 3'600, false}, {-4 * 3'600, true}};
  tzif.footer = "EST5EDT,M3.2.0,M11.1.0";
  return tzif;
}

// ---- Fixed offsets and names ----

TEST(Zone, FixedOffsets) {
  EXPECT_EQ(Zone::fixed(8 * 3'600).name(), "+08:00");
  EXPECT_EQ(Zone::fixed(-(5 * 3'600 + 30 * 60)).name(), "-05:30");
  EXPECT_EQ(Zone::fixed(-(5 * 3'600 + 30 * 60 + 15)).name(), "-05:30:15");
  EXPECT_EQ(Zone::fixed(0).name(), "UTC");
  EXPECT_EQ(Zone::fixed(14 * 3'600).offset_at(0), 14 * 3'600);
  EXPECT_THROW(Zone::fixed(14 * 3'600 + 1), std::invalid_argument);
  EXPECT_THROW(Zone::fixed(-14 * 3'600 - 1), std::invalid_argument);

  const Zone shanghai_time = must_load("+08:00");
  EXPECT_EQ(shanghai_time.name(), "+08:00");
  EXPECT_EQ(shanghai_time.offset_at(at("2026-07-01T00:00:00Z")), 8 * 3'600);
  EXPECT_EQ(shanghai_time.to_utc(at("2026-07-01T08:00:00.25Z")), at("2026-07-01T00:00:00.25Z"));

  const Zone newfoundland_standard = must_load("-05:30");
  EXPECT_EQ(newfoundland_standard.offset_at(time::kEarliest), -(5 * 3'600 + 30 * 60));
  EXPECT_EQ(newfoundland_standard.to_utc(at("2026-01-01T00:00:00Z")), at("2026-01-01T05:30:00Z"));

  for (const char *utc : {"Z", "UTC", "+00:00", "-00:00"}) {
    const Zone zone = must_load(utc);
    EXPECT_EQ(zone.name(), "UTC") << utc;
    EXPECT_EQ(zone.offset_at(at("2026-07-01T00:00:00Z")), 0) << utc;
    EXPECT_EQ(zone.to_utc(at("2026-07-01T00:00:00Z")), at("2026-07-01T00:00:00Z")) << utc;
  }
}

TEST(Zone, RejectsMalformedOffsets) {
  for (const char *bad :
       {"+8:00", "+08:60", "+14:01", "+15:00", "-08", "+0800", "+08:00 ", "-", "+", "+08:0a"}) {
    std::string why;
    EXPECT_FALSE(Zone::load(bad, &why)) << bad;
    EXPECT_NE(why.find("UTC offset"), std::string::npos) << bad << ": " << why;
  }
}

TEST(Zone, RejectsNamesThatAreNotZoneNames) {
  const std::vector<std::string> bad = {"",
                                        "../etc/passwd",
                                        "/etc/passwd",
                                        "America/../../etc/passwd",
                                        "America/..",
                                        "..",
                                        "America/New York",
                                        "Asia/Shanghai\n",
                                        std::string("UTC\0/x", 6),
                                        "zone.tab",
                                        "Europe\\London",
                                        "%2e%2e/etc/passwd",
                                        "America/Nöw_York",
                                        std::string(256, 'a')};
  for (const std::string &name : bad) {
    std::string why;
    EXPECT_FALSE(Zone::load(name, &why)) << name;
    EXPECT_NE(why.find("time zone name"), std::string::npos) << name << ": " << why;
  }
  // 255 characters is allowed as a name; there is just no such zone.
  std::string why;
  EXPECT_FALSE(Zone::load(std::string(255, 'a'), &why));
  EXPECT_NE(why.find("no time zone"), std::string::npos) << why;
}

TEST(Zone, RejectsMissingZonesAndDirectories) {
  std::string why;
  EXPECT_FALSE(Zone::load("Mars/Olympus_Mons", &why));
  EXPECT_NE(why.find("no time zone \"Mars/Olympus_Mons\""), std::string::npos) << why;
  EXPECT_FALSE(Zone::load("America", &why));
  EXPECT_NE(why.find("not a zone file"), std::string::npos) << why;
  EXPECT_FALSE(Zone::load("Mars/Olympus_Mons"));  // why is optional
}

TEST(Zone, RejectsFilesThatAreNotTzif) {
  for (const std::string &bytes :
       {std::string(), std::string("hello, world\n"), std::string("TZi"), std::string(100, 'x'),
        std::string("TZif7") + std::string(100, '\0')}) {
    std::string why;
    EXPECT_FALSE(load_bytes(bytes, &why)) << bytes;
    EXPECT_FALSE(why.empty());
  }
  std::string why;
  EXPECT_FALSE(load_bytes("hello, world, this is a longer text file than a header\n", &why));
  EXPECT_NE(why.find("is not a TZif file"), std::string::npos) << why;
}

TEST(Zone, RejectsEveryTruncationOfARealZoneFile) {
  const std::string bytes = read_bytes(std::filesystem::path(kZoneDir) / "America/New_York");
  TempDir dir;
  ScopedEnv tzdir("TZDIR", dir.path().string());
  for (std::size_t length = 0; length < bytes.size(); ++length) {
    dir.write("America/New_York", bytes.substr(0, length));
    std::string why;
    EXPECT_FALSE(Zone::load("America/New_York", &why)) << length;
    EXPECT_FALSE(why.empty()) << length;
  }
  dir.write("America/New_York", bytes);
  const std::optional<Zone> whole = Zone::load("America/New_York");
  ASSERT_TRUE(whole);
  EXPECT_EQ(whole->offset_at(at("2026-07-01T00:00:00Z")), -4 * 3'600);
}

TEST(Zone, RejectsCorruptFiles) {
  const std::string good = new_york_like().bytes();
  ASSERT_TRUE(load_bytes(good));

  std::vector<std::pair<std::string, std::string>> corrupt;  // what, bytes
  auto patched = [&](const std::string &what, std::size_t pos, std::uint32_t value) {
    std::string bytes = good;
    set_u32(bytes, pos, value);
    corrupt.emplace_back(what, bytes);
  };
  patched("transition count beyond the file", kSecondHeader + 32, 0xffff'ffff);
  patched("type count beyond the file", kSecondHeader + 36, 0x1000'0000);
  patched("type count zero", kSecondHeader + 36, 0);
  patched("designation count zero", kSecondHeader + 40, 0);
  patched("leap count beyond the file", kSecondHeader + 28, 0x7fff'ffff);
  patched("indicator count not the type count", kSecondHeader + 20, 1);
  patched("version 1 counts beyond the file", 32, 0xffff'ffff);
  {
    std::string bytes = good;
    bytes[kSecondData + 16] = 2;  // the first transition's type
    corrupt.emplace_back("type index out of range", bytes);
  }
  {
    std::string bytes = good;
    bytes[kSecondData + 18 + 4] = 7;  // isdst of type 0
    corrupt.emplace_back("isdst neither 0 nor 1", bytes);
  }
  {
    std::string bytes = good;
    bytes[kSecondData + 18 + 5] = 4;  // designation index of type 0, past "ZZZ\0"
    corrupt.emplace_back("designation index out of range", bytes);
  }
  {
    Tzif tzif = new_york_like();
    std::swap(tzif.transitions[0], tzif.transitions[1]);
    corrupt.emplace_back("transitions out of order", tzif.bytes());
    tzif.transitions[0] = tzif.transitions[1];
    corrupt.emplace_back("repeated transition", tzif.bytes());
  }
  {
    Tzif tzif = new_york_like();
    tzif.types[0].offset = 26 * 3'600;
    corrupt.emplace_back("offset beyond 26 hours", tzif.bytes());
    tzif.types[0].offset = std::numeric_limits<std::int32_t>::min();
    corrupt.emplace_back("offset of -2^31", tzif.bytes());
  }
  for (const char *footer :
       {"EST", "EST5EDT,M3.2.0", "EST5EDT,M13.2.0,M11.1.0", "EST5EDT,M3.6.0,M11.1.0",
        "EST5EDT,M3.2.7,M11.1.0", "EST5EDT,J0,J100", "EST5EDT,366,100",
        "EST5EDT,M3.2.0/168,M11.1.0", "EST25", "<EST5", "<E>5", "EST5EDT,M3.2.0,M11.1.0,",
        "EST5:60", "EST 5", "EST5EDT4,M3.2.0/1:60,M11.1.0"}) {
    Tzif tzif = new_york_like();
    tzif.footer = footer;
    corrupt.emplace_back(std::string("footer ") + footer, tzif.bytes());
  }
  {
    std::string bytes = good;
    bytes[4] = '1';
    corrupt.emplace_back("version '1'", bytes);
  }
  {
    std::string bytes = good;
    bytes.back() = 'x';
    corrupt.emplace_back("footer without its final newline", bytes);
  }
  for (const auto &[what, bytes] : corrupt) {
    std::string why;
    EXPECT_FALSE(load_bytes(bytes, &why)) << what;
    EXPECT_FALSE(why.empty()) << what;
  }
}

// ---- Against glibc ----

std::int64_t seconds_of(const char *iso) {
  return at(iso) / kMicrosPerSecond;
}

// Compares offsets with glibc's (TZ already set) every six hours from `from` to `until`, and a
// second either side of every change glibc shows; returns how many changes there were.
int check_changes_against_glibc(const Zone &zone, const std::string &label, std::int64_t from,
                                std::int64_t until) {
  constexpr std::int64_t kStep = 6 * kHour;  // no zone here changes twice within six hours
  int changes = 0;
  long before = glibc_offset(from);
  for (std::int64_t t = from; t < until; t += kStep) {
    EXPECT_EQ(zone.offset_at(micros(t)), glibc_offset(t)) << label << " at " << t;
    const long after = glibc_offset(t + kStep);
    if (after != before) {
      std::int64_t low = t, high = t + kStep;  // offset(low) == before, offset(high) != before
      while (high - low > 1) {
        const std::int64_t mid = low + (high - low) / 2;
        (glibc_offset(mid) == before ? low : high) = mid;
      }
      for (std::int64_t probe : {high - 1, high, high + 1})
        EXPECT_EQ(zone.offset_at(micros(probe)), glibc_offset(probe)) << label << " at " << probe;
      // A microsecond before the change still has the old offset.
      EXPECT_EQ(zone.offset_at(micros(high) - 1), before) << label << " at " << high;
      ++changes;
    }
    before = after;
  }
  return changes;
}

TEST(Zone, OffsetsAroundEveryChangeFrom1970To2040AgreeWithGlibc) {
  for (const std::string &name : oracle_zones()) {
    const Zone zone = must_load(name);
    ScopedEnv tz("TZ", name);
    const int changes = check_changes_against_glibc(zone, name, seconds_of("1970-01-01T00:00:00Z"),
                                                    seconds_of("2041-01-01T00:00:00Z"));
    if (name == "America/New_York") {
      EXPECT_EQ(changes, 2 * 71) << name;
    }
    if (name == "UTC" || name == "Etc/GMT+5" || name == "Asia/Kolkata") {
      EXPECT_EQ(changes, 0) << name;
    } else {
      EXPECT_GT(changes, 0) << name;
    }
  }
}

std::vector<std::int64_t> random_instants(std::int64_t from, std::int64_t until, int count) {
  std::mt19937_64 generator(20'260'308);
  std::uniform_int_distribution<std::int64_t> pick(from, until - 1);
  std::vector<std::int64_t> instants(static_cast<std::size_t>(count));
  for (std::int64_t &instant : instants) instant = pick(generator);
  return instants;
}

// 1900 to 2200: before the zone files' first transitions, through their tables, and past 2037
// where the fat files stop listing transitions and the footer's rule takes over.
TEST(Zone, OffsetsAtRandomInstantsAgreeWithGlibc) {
  const std::vector<std::int64_t> instants = random_instants(
      seconds_of("1900-01-01T00:00:00Z"), seconds_of("2200-01-01T00:00:00Z"), 5'000);
  for (const std::string &name : oracle_zones()) {
    const Zone zone = must_load(name);
    ScopedEnv tz("TZ", name);
    for (std::int64_t t : instants)
      ASSERT_EQ(zone.offset_at(micros(t) + 123'456), glibc_offset(t)) << name << " at " << t;
  }
}

// Wall times at least two days from any change have one instant; mktime finds it.
TEST(Zone, ToUtcAgreesWithMktimeAwayFromChanges) {
  const std::vector<std::int64_t> instants = random_instants(
      seconds_of("1900-01-01T00:00:00Z"), seconds_of("2200-01-01T00:00:00Z"), 3'000);
  for (const std::string &name : oracle_zones()) {
    const Zone zone = must_load(name);
    ScopedEnv tz("TZ", name);
    int compared = 0;
    for (std::int64_t t : instants) {
      const long offset = glibc_offset(t);
      if (glibc_offset(t - 2 * kDay) != offset || glibc_offset(t + 2 * kDay) != offset) continue;
      const std::time_t instant = static_cast<std::time_t>(t);
      std::tm wall{};
      localtime_r(&instant, &wall);
      std::tm as_utc = wall;
      const std::int64_t wall_seconds = timegm(&as_utc);
      wall.tm_isdst = -1;
      const std::int64_t from_mktime = mktime(&wall);
      ASSERT_EQ(from_mktime, t) << name;
      ASSERT_EQ(zone.to_utc(micros(wall_seconds) + 654'321), micros(from_mktime) + 654'321)
          << name << " at " << t;
      ++compared;
    }
    EXPECT_GT(compared, 2'500) << name;
  }
}

// Whatever the wall time, to_utc gives an instant with that wall time, the earliest one, or
// (in a gap) the instant the offset before the gap gives, which shows a later wall time.
TEST(Zone, ToUtcIsTheEarliestInstantOrJumpsAGap) {
  const std::vector<std::int64_t> walls = random_instants(
      seconds_of("1900-01-01T00:00:00Z"), seconds_of("2200-01-01T00:00:00Z"), 3'000);
  for (const std::string &name : oracle_zones()) {
    const Zone zone = must_load(name);
    std::vector<std::int64_t> probes = walls;
    // Also every wall time within three hours of each change in 2020..2030, every 15 minutes.
    for (std::int64_t t = seconds_of("2020-01-01T00:00:00Z");
         t < seconds_of("2030-01-01T00:00:00Z"); t += kHour) {
      if (zone.offset_at(micros(t)) == zone.offset_at(micros(t + kHour))) continue;
      const std::int64_t wall = t + zone.offset_at(micros(t));
      for (std::int64_t d = -3 * kHour; d <= 3 * kHour; d += 15 * 60) probes.push_back(wall + d);
    }
    for (std::int64_t wall : probes) {
      const Micros local = micros(wall);
      const Micros utc = zone.to_utc(local);
      const Micros shown = utc + micros(zone.offset_at(utc));
      if (shown == local) {
        // No earlier instant shows the same wall time: try each offset of the day before.
        for (std::int64_t back = 0; back <= 26 * kHour; back += 15 * 60) {
          const int offset = zone.offset_at(utc - micros(back));
          const Micros earlier = local - micros(offset);
          if (earlier < utc) {
            ASSERT_NE(zone.offset_at(earlier), offset) << name << " " << wall;
          }
        }
      } else {
        // A gap: nothing shows this wall time, and the offset just before is the one used.
        ASSERT_GT(shown, local) << name << " " << wall;
        const Micros before_change = utc - (shown - local) - 1;
        ASSERT_EQ(local - utc, micros(zone.offset_at(before_change))) << name << " " << wall;
      }
    }
  }
}

// ---- Worked by hand ----

// 2026-03-08 02:00 EST the clocks go to 03:00 EDT: 02:30 never happens. Read with the offset
// before (EST, -5 h) it is 07:30Z, shown as 03:30 EDT.
TEST(Zone, NewYorkGap) {
  const Zone new_york = must_load("America/New_York");
  EXPECT_EQ(new_york.to_utc(at("2026-03-08T02:30:00Z")), at("2026-03-08T07:30:00Z"));
  EXPECT_EQ(at("2026-03-08T07:30:00Z"), at("2026-03-08T03:30:00-04:00"));
  EXPECT_EQ(new_york.to_utc(at("2026-03-08T02:00:00Z")), at("2026-03-08T07:00:00Z"));
  EXPECT_EQ(new_york.to_utc(at("2026-03-08T01:59:59.999999Z")), at("2026-03-08T06:59:59.999999Z"));
  EXPECT_EQ(new_york.to_utc(at("2026-03-08T03:00:00Z")), at("2026-03-08T07:00:00Z"));
  EXPECT_EQ(new_york.offset_at(at("2026-03-08T06:59:59Z")), -5 * 3'600);
  EXPECT_EQ(new_york.offset_at(at("2026-03-08T07:00:00Z")), -4 * 3'600);
  // glibc's mktime lands in the same place.
  ScopedEnv tz("TZ", "America/New_York");
  std::tm wall{};
  wall.tm_year = 2026 - 1900;
  wall.tm_mon = 2;
  wall.tm_mday = 8;
  wall.tm_hour = 2;
  wall.tm_min = 30;
  wall.tm_isdst = -1;
  EXPECT_EQ(micros(mktime(&wall)), at("2026-03-08T07:30:00Z"));
}

// 2026-11-01 02:00 EDT the clocks go back to 01:00 EST: 01:30 happens at 05:30Z (EDT) and
// again at 06:30Z (EST); the earlier is chosen.
TEST(Zone, NewYorkOverlapTakesTheEarlierInstant) {
  const Zone new_york = must_load("America/New_York");
  EXPECT_EQ(new_york.to_utc(at("2026-11-01T01:30:00Z")), at("2026-11-01T05:30:00Z"));
  EXPECT_EQ(at("2026-11-01T05:30:00Z"), at("2026-11-01T01:30:00-04:00"));
  EXPECT_EQ(new_york.to_utc(at("2026-11-01T00:59:59Z")), at("2026-11-01T04:59:59Z"));
  EXPECT_EQ(new_york.to_utc(at("2026-11-01T01:00:00Z")), at("2026-11-01T05:00:00Z"));
  EXPECT_EQ(new_york.to_utc(at("2026-11-01T01:59:59.5Z")), at("2026-11-01T05:59:59.5Z"));
  EXPECT_EQ(new_york.to_utc(at("2026-11-01T02:00:00Z")), at("2026-11-01T07:00:00Z"));
  EXPECT_EQ(new_york.offset_at(at("2026-11-01T05:59:59Z")), -4 * 3'600);
  EXPECT_EQ(new_york.offset_at(at("2026-11-01T06:00:00Z")), -5 * 3'600);
}

// Ireland keeps winter time as its daylight saving: GMT is the "DST" type, offset 0.
TEST(Zone, DublinNegativeDaylightSaving) {
  const Zone dublin = must_load("Europe/Dublin");
  EXPECT_EQ(dublin.offset_at(at("2026-01-15T12:00:00Z")), 0);
  EXPECT_EQ(dublin.offset_at(at("2026-07-15T12:00:00Z")), 3'600);
  EXPECT_EQ(dublin.offset_at(at("2090-01-15T12:00:00Z")), 0);  // from the footer
  EXPECT_EQ(dublin.offset_at(at("2090-07-15T12:00:00Z")), 3'600);
  // 2090-03-26 is the last Sunday of March: 01:00 GMT becomes 02:00 IST.
  EXPECT_EQ(dublin.offset_at(at("2090-03-26T00:59:59Z")), 0);
  EXPECT_EQ(dublin.offset_at(at("2090-03-26T01:00:00Z")), 3'600);
  EXPECT_EQ(dublin.to_utc(at("2090-03-26T01:30:00Z")), at("2090-03-26T01:30:00Z"));  // a gap
}

// Lord Howe Island moves its clocks by half an hour.
TEST(Zone, LordHoweHalfHourDaylightSaving) {
  const Zone lord_howe = must_load("Australia/Lord_Howe");
  EXPECT_EQ(lord_howe.offset_at(at("2026-07-01T00:00:00Z")), 10 * 3'600 + 30 * 60);
  EXPECT_EQ(lord_howe.offset_at(at("2026-01-01T00:00:00Z")), 11 * 3'600);
  // 2026-04-05 02:00 +11 becomes 01:30 +1030: 01:45 happens twice, first at 14:45Z the day before.
  EXPECT_EQ(lord_howe.to_utc(at("2026-04-05T01:45:00Z")), at("2026-04-04T14:45:00Z"));
}

// ---- POSIX TZ rules, through files with no transitions (the footer then governs all time) ----

// From 1970 only: glibc does not apply a TZ string's rule to earlier years.
TEST(Zone, FooterRulesAgreeWithGlibc) {
  const char *const rules[] = {
      "EST5EDT,M3.2.0,M11.1.0",
      "<+0330>-3:30",
      "IST-1GMT0,M10.5.0,M3.5.0/1",
      "<-03>3<-02>,M3.5.0/-2,M10.5.0/-1",
      "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0",
      "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45",
      "CET-1CEST,J60/2,J300/3",
      "CET-1CEST,59/2,299/3",
      "EST5EDT,M3.2.0/167,M11.1.0/-167",
      "XXX-2:30:15YYY-3:45:30,M4.5.6/23:59:59,M9.1.1/0",
      "<-0330>3:30<-0230>,M3.2.0,M11.1.0",
      "<-05>5",
  };
  const std::vector<std::int64_t> instants = random_instants(
      seconds_of("1970-01-01T00:00:00Z"), seconds_of("2200-01-01T00:00:00Z"), 3'000);
  for (const char *rule : rules) {
    Tzif tzif;
    tzif.types = {{0, false}};
    tzif.footer = rule;
    std::string why;
    const std::optional<Zone> zone = load_bytes(tzif.bytes(), &why);
    ASSERT_TRUE(zone) << rule << ": " << why;
    ScopedEnv tz("TZ", rule);
    for (std::int64_t t : instants)
      ASSERT_EQ(zone->offset_at(micros(t)), glibc_offset(t)) << rule << " at " << t;
    check_changes_against_glibc(*zone, rule, seconds_of("2020-01-01T00:00:00Z"),
                                seconds_of("2031-01-01T00:00:00Z"));
  }
}

// tzcode writes year-round daylight saving as a rule starting on 1 January at 00:00 and
// ending on 31 December at 25:00, that is at the next start. (glibc works per UTC year and
// shows standard time for the first hours of each year; tzcode and we show daylight time.)
TEST(Zone, FooterYearRoundDaylightSaving) {
  Tzif tzif;
  tzif.footer = "EST5EDT,0/0,J365/25";
  const std::optional<Zone> zone = load_bytes(tzif.bytes());
  ASSERT_TRUE(zone);
  for (const char *instant :
       {"2026-01-01T00:00:00Z", "2026-01-01T04:59:59Z", "2026-01-01T05:00:00Z",
        "2026-07-01T00:00:00Z", "2026-12-31T23:59:59Z", "2028-12-31T12:00:00Z"})
    EXPECT_EQ(zone->offset_at(at(instant)), -4 * 3'600) << instant;
}

// Daylight time without a rule follows the US one (as in tzcode and glibc; glibc takes it from
// the "posixrules" file, so it is not compared there).
TEST(Zone, FooterWithoutARuleUsesTheUsRule) {
  Tzif tzif;
  tzif.footer = "AAA5BBB";
  const std::optional<Zone> zone = load_bytes(tzif.bytes());
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->offset_at(at("2026-01-01T00:00:00Z")), -5 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2026-03-08T06:59:59Z")), -5 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2026-03-08T07:00:00Z")), -4 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2026-11-01T05:59:59Z")), -4 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2026-11-01T06:00:00Z")), -5 * 3'600);
}

// Jn never counts 29 February; n does.
TEST(Zone, FooterJulianDayForms) {
  Tzif julian;
  julian.footer = "AAA0BBB-1,J60/0,J61/0";  // 1 March to 2 March, every year
  Tzif zero_based;
  zero_based.footer = "AAA0BBB-1,59/0,60/0";  // day 59: 1 March, or 29 February in leap years
  const std::optional<Zone> by_julian = load_bytes(julian.bytes());
  const std::optional<Zone> by_zero_based = load_bytes(zero_based.bytes());
  ASSERT_TRUE(by_julian && by_zero_based);
  EXPECT_EQ(by_julian->offset_at(at("2028-03-01T12:00:00Z")), 3'600);
  EXPECT_EQ(by_julian->offset_at(at("2028-02-29T12:00:00Z")), 0);
  EXPECT_EQ(by_julian->offset_at(at("2027-03-01T12:00:00Z")), 3'600);
  EXPECT_EQ(by_zero_based->offset_at(at("2028-02-29T12:00:00Z")), 3'600);
  EXPECT_EQ(by_zero_based->offset_at(at("2028-03-01T12:00:00Z")), 0);
  EXPECT_EQ(by_zero_based->offset_at(at("2027-03-01T12:00:00Z")), 3'600);
}

// ---- Format details ----

TEST(Zone, LeapSecondRecordsAreSkipped) {
  Tzif tzif = new_york_like();
  tzif.version = '4';
  tzif.leap_seconds = {{78'796'800, 1}, {94'694'401, 2}, {126'230'402, 3}};
  std::string why;
  const std::optional<Zone> zone = load_bytes(tzif.bytes(), &why);
  ASSERT_TRUE(zone) << why;
  EXPECT_EQ(zone->offset_at(at("2026-03-08T06:59:59Z")), -5 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2026-03-08T07:00:00Z")), -4 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2026-11-01T05:59:59Z")), -4 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2026-11-01T06:00:00Z")), -5 * 3'600);
  EXPECT_EQ(zone->offset_at(at("2027-07-01T00:00:00Z")), -4 * 3'600);  // footer

  // The system's "right/" zones carry real leap-second tables; they must at least parse.
  if (std::filesystem::exists(std::filesystem::path(kZoneDir) / "right/UTC")) {
    const Zone right_utc = must_load("right/UTC");
    EXPECT_EQ(right_utc.offset_at(at("2026-07-01T00:00:00Z")), 0);
    must_load("right/America/New_York");
  }
}

TEST(Zone, VersionOneFile) {
  // The real New York file's version 1 block on its own (32-bit times, no footer). Debian's
  // files are "fat", so that block lists every transition from 1901 to 2037.
  const std::string bytes = read_bytes(std::filesystem::path(kZoneDir) / "America/New_York");
  std::string v1 = bytes;
  v1[4] = '\0';
  const std::optional<Zone> zone = load_bytes(v1);
  ASSERT_TRUE(zone);
  const Zone full = must_load("America/New_York");
  for (std::int64_t t : random_instants(std::numeric_limits<std::int32_t>::min(),
                                        seconds_of("2037-11-01T00:00:00Z"), 3'000))
    ASSERT_EQ(zone->offset_at(micros(t)), full.offset_at(micros(t))) << t;
  // After its last transition the last type stays (there is no footer to go on with).
  EXPECT_EQ(zone->offset_at(at("2040-07-01T00:00:00Z")), -5 * 3'600);

  Tzif built = new_york_like();
  built.version = '\0';
  const std::optional<Zone> small = load_bytes(built.bytes());
  ASSERT_TRUE(small);
  EXPECT_EQ(small->offset_at(at("2026-07-01T00:00:00Z")), -4 * 3'600);
  EXPECT_EQ(small->offset_at(at("2026-01-01T00:00:00Z")), -5 * 3'600);
}

TEST(Zone, BeforeTheFirstTransitionTheFirstStandardTypeHolds) {
  Tzif tzif;
  tzif.transitions = {0};
  tzif.type_indices = {2};
  tzif.types = {{7'200, true}, {3'600, false}, {0, false}};
  const std::optional<Zone> zone = load_bytes(tzif.bytes());
  ASSERT_TRUE(zone);
  EXPECT_EQ(zone->offset_at(-1), 3'600);
  EXPECT_EQ(zone->offset_at(0), 0);
  EXPECT_EQ(zone->offset_at(micros(3'000'000'000)), 0);  // empty footer: the last type stays
}

TEST(Zone, FilesWithoutTransitions) {
  const Zone gmt_plus_5 = must_load("Etc/GMT+5");  // POSIX sign: five hours west
  EXPECT_EQ(gmt_plus_5.offset_at(time::kEarliest), -5 * 3'600);
  EXPECT_EQ(gmt_plus_5.offset_at(time::kLatest), -5 * 3'600);
  EXPECT_EQ(gmt_plus_5.to_utc(at("2026-01-01T00:00:00Z")), at("2026-01-01T05:00:00Z"));
  const Zone etc_utc = must_load("Etc/UTC");
  EXPECT_EQ(etc_utc.name(), "Etc/UTC");
  EXPECT_EQ(etc_utc.offset_at(at("2026-01-01T00:00:00Z")), 0);
}

TEST(Zone, WholeRangeWithoutOverflow) {
  constexpr Micros kMin = std::numeric_limits<Micros>::min();
  constexpr Micros kMax = std::numeric_limits<Micros>::max();
  for (const std::string &name : oracle_zones()) {
    const Zone zone = must_load(name);
    for (Micros instant :
         {kMin, kMin + 1, time::kEarliest, Micros{0}, time::kLatest, kMax - 1, kMax}) {
      const int offset = zone.offset_at(instant);
      EXPECT_LE(offset, 26 * 3'600) << name;
      EXPECT_GE(offset, -26 * 3'600) << name;
    }
    EXPECT_EQ(zone.to_utc(kMin), zone.to_utc(time::kEarliest)) << name;
    EXPECT_EQ(zone.to_utc(kMax), zone.to_utc(time::kLatest)) << name;
  }
  const Zone new_york = must_load("America/New_York");
  EXPECT_EQ(new_york.offset_at(time::kEarliest), -(4 * 3'600 + 56 * 60 + 2));  // LMT
  EXPECT_EQ(new_york.offset_at(time::kLatest), -5 * 3'600);
  EXPECT_EQ(new_york.to_utc(time::kLatest), time::kLatest + micros(5 * 3'600));
  EXPECT_EQ(new_york.to_utc(time::kEarliest), time::kEarliest + micros(4 * 3'600 + 56 * 60 + 2));
  EXPECT_EQ(new_york.offset_at(at("9999-07-01T00:00:00Z")), -4 * 3'600);
}

// Every zone file installed loads, and the ordinary ones agree with glibc here and there.
TEST(Zone, EveryInstalledZoneLoadsAndAgreesWithGlibc) {
  const std::filesystem::path root(kZoneDir);
  const std::vector<std::int64_t> instants =
      random_instants(seconds_of("1900-01-01T00:00:00Z"), seconds_of("2200-01-01T00:00:00Z"), 100);
  int loaded = 0;
  for (const auto &entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    const std::string name = entry.path().lexically_relative(root).string();
    if (read_bytes(entry.path()).substr(0, 4) != "TZif") continue;
    if (name.find('.') != std::string::npos) continue;  // not spelled like a zone name
    const Zone zone = must_load(name);
    ++loaded;
    if (name.starts_with("right/")) continue;  // glibc applies the leap seconds there
    ScopedEnv tz("TZ", name);
    for (std::int64_t t : instants)
      ASSERT_EQ(zone.offset_at(micros(t)), glibc_offset(t)) << name << " at " << t;
  }
  EXPECT_GT(loaded, 300);
}

TEST(Zone, CopiesShareRulesAndConstCallsRunConcurrently) {
  const Zone original = must_load("Europe/London");
  const Zone copy = original;  // NOLINT(performance-unnecessary-copy-initialization)
  EXPECT_EQ(copy.name(), "Europe/London");
  const std::vector<std::int64_t> instants = random_instants(
      seconds_of("1900-01-01T00:00:00Z"), seconds_of("2200-01-01T00:00:00Z"), 2'000);
  std::vector<int> expected;
  for (std::int64_t t : instants) expected.push_back(original.offset_at(micros(t)));
  std::vector<int> mismatches(4, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < mismatches.size(); ++i) {
    threads.emplace_back([&, i] {
      const Zone mine = copy;
      for (std::size_t k = 0; k < instants.size(); ++k) {
        const Micros utc = micros(instants[k]);
        if (mine.offset_at(utc) != expected[k]) ++mismatches[i];
        if (mine.to_utc(utc + micros(expected[k])) > utc) ++mismatches[i];
      }
    });
  }
  for (std::thread &thread : threads) thread.join();
  for (int count : mismatches) EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace crm::calendar
