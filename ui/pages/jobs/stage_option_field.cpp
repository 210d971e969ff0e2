#include "ui/pages/jobs/stage_option_field.h"

#include "core/pipeline/stage_registry.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>

#include <limits>

namespace hw::ui {

QWidget* makeStageOptionWidget(const hw::StageOptionField& field, const nlohmann::json& declared)
{
    const bool ranged = field.max > field.min;
    QWidget* w = nullptr;
    if (declared.is_boolean()) {
        auto* box = new QCheckBox(QString::fromStdString(field.label));
        w = box;
    } else if (declared.is_number_integer()) {
        auto* box = new QSpinBox;
        box->setRange(ranged ? static_cast<int>(field.min) : 0,
                      ranged ? static_cast<int>(field.max) : std::numeric_limits<int>::max());
        box->setSpecialValueText(QString::fromStdString(field.placeholder)); // shown at the minimum
        w = box;
    } else if (declared.is_number()) {
        auto* box = new QDoubleSpinBox;
        box->setDecimals(2);
        box->setRange(ranged ? field.min : 0.0, ranged ? field.max : 1e9);
        box->setSpecialValueText(QString::fromStdString(field.placeholder));
        w = box;
    } else if (declared.is_string() && !field.choices.empty()) {
        auto* box = new QComboBox;
        for (const auto& [value, label] : field.choices)
            box->addItem(QString::fromStdString(label), QString::fromStdString(value));
        w = box;
    } else if (declared.is_string()) {
        auto* edit = new QLineEdit;
        edit->setPlaceholderText(QString::fromStdString(field.placeholder));
        w = edit;
    } else {
        return nullptr; // lists and objects are set from the CLI or a file
    }
    w->setToolTip(QString::fromStdString(field.help));
    w->setObjectName(QString::fromStdString(field.key));
    setStageOptionValue(w, declared);
    return w;
}

nlohmann::json stageOptionValue(const QWidget* widget, const nlohmann::json& declared)
{
    if (const auto* b = qobject_cast<const QCheckBox*>(widget))
        return b->isChecked();
    if (const auto* s = qobject_cast<const QSpinBox*>(widget))
        return s->value();
    if (const auto* d = qobject_cast<const QDoubleSpinBox*>(widget))
        return d->value();
    if (const auto* c = qobject_cast<const QComboBox*>(widget))
        return c->currentData().toString().toStdString();
    if (const auto* e = qobject_cast<const QLineEdit*>(widget))
        return e->text().trimmed().toStdString();
    return declared;
}

void setStageOptionValue(QWidget* widget, const nlohmann::json& value)
{
    if (auto* b = qobject_cast<QCheckBox*>(widget); b && value.is_boolean())
        b->setChecked(value.get<bool>());
    else if (auto* s = qobject_cast<QSpinBox*>(widget); s && value.is_number())
        s->setValue(value.get<int>());
    else if (auto* d = qobject_cast<QDoubleSpinBox*>(widget); d && value.is_number())
        d->setValue(value.get<double>());
    else if (auto* c = qobject_cast<QComboBox*>(widget); c && value.is_string()) {
        const int i = c->findData(QString::fromStdString(value.get<std::string>()));
        if (i >= 0)
            c->setCurrentIndex(i);
    } else if (auto* e = qobject_cast<QLineEdit*>(widget); e && value.is_string())
        e->setText(QString::fromStdString(value.get<std::string>()));
}

} // namespace hw::ui
