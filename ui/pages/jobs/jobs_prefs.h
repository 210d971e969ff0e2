#pragma once
// Settings of the pipeline screens (jobs panel, endpoint settings), declared once with defaults.
#include "ui/settings/settings.h"

#include <QByteArray>
#include <QString>

namespace hw::ui::prefs {

// Name of the endpoint profile new jobs use (Jobs → Start job, retry of a failed suggestion).
inline Preference<QString> defaultEndpoint{"pipeline/defaultEndpoint", QString()};
// How often the jobs panel reads the jobs table (jobs of the CLI appear and move on their own).
inline Preference<int> jobsPollIntervalMs{"pipeline/jobsPollIntervalMs", 1000};
inline Preference<QByteArray> jobsSplitterState{"jobs/splitter", {}};
inline Preference<QByteArray> suggestionsSplitterState{"suggestions/splitter", {}};
inline Preference<QByteArray> regenerationsSplitterState{"regenerations/splitter", {}};

} // namespace hw::ui::prefs
