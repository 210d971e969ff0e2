#include "core/io/content_hash.h"

#include "core/io/sha1.h"
#include "core/io/text_util.h"

namespace hw {

std::string dialogueContentHash(const std::vector<std::string>& utterances)
{
    std::string joined;
    for (size_t i = 0; i < utterances.size(); ++i) {
        if (i)
            joined += '\n';
        joined += text::collapseWhitespace(utterances[i]);
    }
    return sha1Hex(joined).substr(0, 16);
}

} // namespace hw
