#pragma once
// One paragraph of rich text for an imagined dialogue's lineage (core/store/imagined_lineage.h):
// persona (+ hidden state) -> target outcome -> critique -> reward, and for a regeneration the
// imagined dialogue it was made from. Shown above the turns by DialogueView::setLineage.
#include <QString>

#include <nlohmann/json.hpp>

namespace hw::ui {

// Empty for a null or non-object lineage.
QString lineageHtml(const nlohmann::json& lineage);

} // namespace hw::ui
