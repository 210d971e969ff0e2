#pragma once
// The editor of one stage option (hw::StageOptionField, core/pipeline/stage_registry.h): its widget
// follows the option's declared type (whole number, number, yes/no, text or a choice of texts),
// so a stage that registers a new option gets its field in the start-job dialog unchanged.
#include <nlohmann/json.hpp>

class QWidget;

namespace hw {
struct StageOptionField;
}

namespace hw::ui {

// A widget holding `declared` (the option's default), with the field's range, choices and tooltip.
QWidget* makeStageOptionWidget(const hw::StageOptionField& field, const nlohmann::json& declared);
// Its value, of the declared type.
nlohmann::json stageOptionValue(const QWidget* widget, const nlohmann::json& declared);
// Sets it (a value of another type is ignored).
void setStageOptionValue(QWidget* widget, const nlohmann::json& value);

} // namespace hw::ui
