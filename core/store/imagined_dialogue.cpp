#include "core/store/imagined_dialogue.h"

namespace hw {

bool isRejectedImagined(const nlohmann::json& metadata)
{
    if (!metadata.is_object())
        return false;
    const auto p = nlohmann::json::json_pointer("/imagined/critique/verdict");
    return metadata.contains(p) && metadata.at(p).is_string() && metadata.at(p).get<std::string>() == kCritiqueReject;
}

std::string notRejectedImaginedSql(const std::string& alias)
{
    return "coalesce(json_extract(" + alias + ".metadata, '$.imagined.critique.verdict'), '') != '" + kCritiqueReject
           + "'";
}

} // namespace hw
