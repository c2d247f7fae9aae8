#include "core/domain/metadata.hpp"

#include "core/domain/validation.hpp"
#include "core/limits.hpp"

namespace tally::domain {

std::string metadata_text(const MetadataValue& value) {
  if (const auto* text = std::get_if<std::string>(&value)) return *text;
  if (const auto* number = std::get_if<std::int64_t>(&value)) return std::to_string(*number);
  if (const auto* flag = std::get_if<bool>(&value)) return *flag ? "true" : "false";
  return "";
}

Status validate_metadata(const Metadata& metadata) {
  if (metadata.size() > limits::kMetadataEntriesMax) {
    return make_error(Code::kValidation, "metadata holds " + std::to_string(metadata.size()) +
                                             " entries, more than " +
                                             std::to_string(limits::kMetadataEntriesMax));
  }
  for (const auto& [key, value] : metadata) {
    TALLY_TRY(validate_metadata_key(key));
    if (const auto* text = std::get_if<std::string>(&value)) {
      if (text->size() > limits::kMetadataValueBytesMax) {
        return make_error(Code::kValidation, "metadata value of \"" + key + "\" is " +
                                                 std::to_string(text->size()) + " bytes, over " +
                                                 std::to_string(limits::kMetadataValueBytesMax));
      }
    }
  }
  return ok_status();
}

Result<Metadata> merge_metadata(const Metadata& base, const Metadata& changes) {
  Metadata merged = base;
  for (const auto& [key, value] : changes)
    merged[key] = value;
  TALLY_TRY(validate_metadata(merged));
  return merged;
}

}  // namespace tally::domain
