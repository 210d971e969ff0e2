#include "ui/widgets/word_diff_label.h"

#include "ui/style/ui_style.h"

#include <cctype>

namespace hw::ui {
namespace {

bool isWordByte(char c)
{
    const auto u = static_cast<unsigned char>(c);
    return u >= 0x80 || std::isalnum(u) != 0;
}

QString escaped(const std::string& text)
{
    QString s = QString::fromStdString(text).toHtmlEscaped();
    s.replace(QLatin1Char('\n'), QStringLiteral("<br>"));
    return s;
}

} // namespace

WordDiffLabel::WordDiffLabel(QWidget* parent) : QLabel(parent)
{
    setTextFormat(Qt::RichText);
    setWordWrap(true);
    setTextInteractionFlags(Qt::TextSelectableByMouse);
}

void WordDiffLabel::setTexts(const QString& before, const QString& after)
{
    m_segments = hw::wordDiff(before.toStdString(), after.toStdString());
    setText(html(m_segments));
}

double WordDiffLabel::changedShare() const
{
    return hw::changedShare(m_segments);
}

QString WordDiffLabel::html(const std::vector<hw::DiffSegment>& segments)
{
    using K = hw::DiffSegment::Kind;
    QString out;
    for (size_t i = 0; i < segments.size(); ++i) {
        const hw::DiffSegment& s = segments[i];
        switch (s.kind) {
        case K::Equal:
            out += escaped(s.text);
            break;
        case K::Deleted: {
            // Keep the leading space outside the strike, so the line does not start mid-air.
            std::string body = s.text;
            size_t lead = 0;
            while (lead < body.size() && (body[lead] == ' ' || body[lead] == '\n' || body[lead] == '\t'))
                ++lead;
            out += escaped(body.substr(0, lead));
            out += QStringLiteral("<span style=\"color:%1; background-color:%2; "
                                  "text-decoration:line-through;\">%3</span>")
                       .arg(style::diffRemovedText().name(), style::diffRemovedBackground().name(),
                            escaped(body.substr(lead)));
            // A word right after the struck text would otherwise touch it ("that." struck, then "It").
            const bool nextNeedsGap = i + 1 < segments.size() && !segments[i + 1].text.empty() && !s.text.empty()
                && isWordByte(segments[i + 1].text.front()) && s.text.back() != ' ' && s.text.back() != '\n';
            if (nextNeedsGap)
                out += QLatin1Char(' ');
            break;
        }
        case K::Inserted: {
            std::string body = s.text;
            size_t lead = 0;
            while (lead < body.size() && (body[lead] == ' ' || body[lead] == '\n' || body[lead] == '\t'))
                ++lead;
            out += escaped(body.substr(0, lead));
            out += QStringLiteral("<span style=\"color:%1; background-color:%2;\">%3</span>")
                       .arg(style::diffAddedText().name(), style::diffAddedBackground().name(),
                            escaped(body.substr(lead)));
            break;
        }
        }
    }
    return out;
}

} // namespace hw::ui
