// The mapping files tools/erp/mapping/*.json, compiled in (the build generates the definition).
#pragma once

namespace crm::erp::detail {

struct MappingFile {
  const char *name;  // file name without ".json"
  const char *text;
};

inline constexpr int kMappingFileCount = 4;
extern const MappingFile kMappingFiles[kMappingFileCount];

}  // namespace crm::erp::detail
