#include "core/store/original_dialogue.h"

#include "core/data/dialogue.h"
#include "core/eval/simulated_source.h"

namespace hw {

bool isOriginalSource(const std::string& s)
{
    return s != source::kRegeneration && s != source::kImagined && s != source::kSimulated;
}

std::string originalDialogueSql(const std::string& alias)
{
    return alias + ".source NOT IN ('" + source::kRegeneration + "', '" + source::kImagined + "', '" +
           source::kSimulated + "')";
}

} // namespace hw
