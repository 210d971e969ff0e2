#include "core/store/original_dialogue.h"

#include "core/data/dialogue.h"

namespace hw {

bool isOriginalSource(const std::string& s)
{
    return s != source::kRegeneration && s != source::kImagined;
}

std::string originalDialogueSql(const std::string& alias)
{
    return alias + ".source NOT IN ('" + source::kRegeneration + "', '" + source::kImagined + "')";
}

} // namespace hw
