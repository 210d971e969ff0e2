#include "ui/pages/dataset/task_summary_card.h"

#include "ui/charts/reward_histogram_chart.h"
#include "ui/style/ui_style.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QTextDocument>
#include <QVBoxLayout>

namespace hw::ui {

namespace {

QColor taskColour(const std::optional<hw::Task>& task)
{
    if (task && task->kind == hw::TaskKind::Counseling)
        return style::counselingTask();
    if (task && task->kind == hw::TaskKind::Persuasion)
        return style::persuasionTask();
    return style::otherTask();
}

QString row(const QString& key, const QString& value, bool indent = false)
{
    return QStringLiteral("<tr><td style=\"padding-right:16px;%1\">%2</td><td align=\"right\"><b>%3</b></td></tr>")
        .arg(indent ? QStringLiteral("padding-left:14px;color:%1;").arg(style::secondaryText().name()) : QString(),
             key.toHtmlEscaped(),
             value.toHtmlEscaped());
}

} // namespace

TaskSummaryCard::TaskSummaryCard(QWidget* parent)
    : QFrame(parent), m_title(new QLabel(this)), m_counts(new QLabel(this)), m_chart(new RewardHistogramChart(this))
{
    setFrameShape(QFrame::StyledPanel);
    setObjectName(QStringLiteral("taskSummaryCard"));
    QFont f = m_title->font();
    f.setPointSizeF(f.pointSizeF() * 1.2);
    f.setBold(true);
    m_title->setFont(f);
    m_title->setWordWrap(true);
    m_counts->setTextFormat(Qt::RichText);
    m_counts->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    m_counts->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* left = new QVBoxLayout;
    left->addWidget(m_title);
    left->addWidget(m_counts);
    left->addStretch(1);
    auto* layout = new QHBoxLayout(this);
    layout->addLayout(left, 0);
    layout->addWidget(m_chart, 1);
    setMinimumHeight(260);
}

void TaskSummaryCard::setSummary(const hw::TaskSummary& s, const std::optional<hw::Task>& task,
                                 const std::vector<hw::HistogramBin>& histogram)
{
    const QLocale loc;
    const auto n = [&loc](int64_t v) { return loc.toString(static_cast<qlonglong>(v)); };
    QString title = QString::fromStdString(s.task);
    if (task) {
        const QString kind = QString::fromStdString(toString(task->kind));
        title += QStringLiteral("<br><span style=\"font-weight:normal;font-size:small;color:%1\">%2%3 ↔ %4</span>")
                     .arg(style::mutedText().name(), kind == title ? QString() : kind + QStringLiteral(" · "),
                          QString::fromStdString(task->agentRole), QString::fromStdString(task->userRole));
    }
    m_title->setText(title);

    QString html = QStringLiteral("<table cellspacing=\"0\" cellpadding=\"1\">");
    html += row(tr("Dialogues"), n(s.dialogues));
    html += row(tr("Turns"), n(s.turns));
    html += row(tr("Labeled"), n(s.labeled));
    for (const auto& [src, count] : s.byRewardSource)
        html += row(tr("by %1").arg(QString::fromStdString(src)), n(count), true);
    html += row(tr("Unlabeled"), n(s.unlabeled));
    html += row(tr("Flagged"), n(s.flagged));
    html += row(tr("Reward mean"), s.rewardMean ? loc.toString(*s.rewardMean, 'f', 3) : QStringLiteral("—"));
    if (s.rewardMinSeen && s.rewardMaxSeen)
        html += row(tr("Rewards seen"), QStringLiteral("%1 … %2").arg(loc.toString(*s.rewardMinSeen, 'g', 4),
                                                                       loc.toString(*s.rewardMaxSeen, 'g', 4)));
    if (task)
        html += row(tr("Task allows"), QStringLiteral("%1 … %2").arg(task->rewardMin).arg(task->rewardMax), true);
    html += QStringLiteral("<tr><td colspan=\"2\" style=\"padding-top:6px\"><i>%1</i></td></tr>").arg(tr("By source"));
    for (const auto& [src, count] : s.bySource)
        html += row(QString::fromStdString(src), n(count), true);
    html += QStringLiteral("</table>");
    m_counts->setText(html);

    m_chart->setHistogram(histogram, task ? QString::fromStdString(task->rewardName) : tr("reward"),
                          taskColour(task));
}

QString TaskSummaryCard::countsText() const
{
    QTextDocument doc;
    doc.setHtml(m_counts->text());
    return doc.toPlainText();
}

} // namespace hw::ui
