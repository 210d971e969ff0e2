#pragma once
// A label showing how `after` differs from `before`, word by word (core/util/word_diff.h):
// deleted words struck through in red, inserted words in green, the rest as is.
#include "core/util/word_diff.h"

#include <QLabel>

namespace hw::ui {

class WordDiffLabel : public QLabel {
    Q_OBJECT
public:
    explicit WordDiffLabel(QWidget* parent = nullptr);

    void setTexts(const QString& before, const QString& after);
    const std::vector<hw::DiffSegment>& segments() const { return m_segments; }
    // Share of the new text's words that changed (0..1).
    double changedShare() const;

    // Rich text for a diff. A space is put between struck text and a word that follows it
    // directly, so "[-Why-]{+Would+}" reads "Why Would" with "Why" struck.
    static QString html(const std::vector<hw::DiffSegment>& segments);

private:
    std::vector<hw::DiffSegment> m_segments;
};

} // namespace hw::ui
