#include "ui/widgets/lineage_text.h"

#include "ui/style/ui_style.h"

#include <QCoreApplication>
#include <QLocale>
#include <QStringList>

namespace hw::ui {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("LineageText", text); }

QString str(const nlohmann::json& j, const char* key)
{
    const auto it = j.find(key);
    return it != j.end() && it->is_string() ? QString::fromStdString(it->get<std::string>()) : QString();
}

QString number(const nlohmann::json& v) { return v.is_number() ? QLocale().toString(v.get<double>(), 'f', 2) : QString(); }

// "knowledge: …; willingness: …" from the hidden-state object.
QString hiddenText(const nlohmann::json& hidden)
{
    QStringList parts;
    if (hidden.is_object())
        for (const auto& [key, value] : hidden.items())
            parts << QStringLiteral("%1: %2").arg(QString::fromStdString(key),
                                                  QString::fromStdString(value.is_string() ? value.get<std::string>() : value.dump()));
    return parts.join(QStringLiteral("; "));
}

QString steps(const nlohmann::json& l)
{
    QStringList out;
    if (const auto p = l.find("persona"); p != l.end() && p->is_object()) {
        QString s = tr("persona <b>%1</b>").arg(str(*p, "name").toHtmlEscaped());
        const QString hidden = hiddenText(p->value("hidden", nlohmann::json::object()));
        if (!hidden.isEmpty())
            s += QStringLiteral(" <span style=\"color:%1\">(%2)</span>")
                     .arg(style::faintText().name(), tr("hidden: %1").arg(hidden).toHtmlEscaped());
        out << s;
    }
    if (const auto t = l.find("target_outcome"); t != l.end() && t->is_object()) {
        QString s = tr("target outcome <b>%1</b>").arg(number(t->value("value", nlohmann::json())));
        const QString anchor = str(*t, "anchor");
        if (!anchor.isEmpty())
            s += QStringLiteral(" (“%1”)").arg(anchor.toHtmlEscaped());
        out << s;
    }
    if (const auto c = l.find("critique"); c != l.end() && c->is_object()) {
        const QString verdict = str(*c, "verdict");
        QString s = tr("critique <b>%1</b>").arg(verdict.toHtmlEscaped());
        QStringList problems;
        if (const auto pr = c->find("problems"); pr != c->end() && pr->is_array())
            for (const auto& p : *pr)
                if (p.is_string())
                    problems << QString::fromStdString(p.get<std::string>()).toHtmlEscaped();
        if (!problems.isEmpty())
            s += QStringLiteral(": ") + problems.join(QStringLiteral("; "));
        if (verdict == QLatin1String("rewrite"))
            s += tr(" (the original turns are kept in the metadata)");
        out << s;
    } else {
        out << tr("not critiqued");
    }
    const auto r = l.find("reward");
    out << (r != l.end() && r->is_number() ? tr("reward <b>%1</b>").arg(number(*r)) : tr("reward unlabeled"));
    QString text = out.join(QStringLiteral(" → "));
    if (l.value("excluded", false))
        text += QStringLiteral(" · <span style=\"color:%1\">%2</span>")
                    .arg(style::warningText().name(), tr("rejected: no later stage uses it"));
    return text;
}

} // namespace

QString lineageHtml(const nlohmann::json& lineage)
{
    if (!lineage.is_object())
        return {};
    if (const auto parent = lineage.find("derived_from"); parent != lineage.end() && parent->is_object()) {
        const auto dialogue = parent->value("dialogue", nlohmann::json::object());
        return tr("Regenerated from imagined dialogue <b>%1</b>: %2")
            .arg(str(dialogue, "uid").toHtmlEscaped(), steps(*parent));
    }
    return tr("Imagined: %1").arg(steps(lineage));
}

} // namespace hw::ui
