#pragma once
// Every setting of the workbench GUI, with its default. Read and write them as values:
//   if (prefs::restoreLastProject) ...; prefs::lastImportFormat = "esconv";
#include "ui/settings/settings.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace hw::ui::prefs {

inline Preference<QByteArray> mainWindowGeometry{"mainWindow/geometry", {}};
inline Preference<QByteArray> mainWindowState{"mainWindow/state", {}};
inline Preference<QString> lastPage{"mainWindow/lastPage", QString()};

inline Preference<QStringList> recentProjects{"project/recentFiles", {}};
inline Preference<int> maxRecentProjects{"project/maxRecentFiles", 10};
inline Preference<QString> lastProjectDir{"project/lastDir", QString()};

inline Preference<QString> lastImportFormat{"import/format", QStringLiteral("jsonl")};
inline Preference<QString> lastImportDir{"import/lastDir", QString()};

inline Preference<QByteArray> dialoguesSplitterState{"dialogues/splitter", {}};
inline Preference<QByteArray> dialoguesHeaderState{"dialogues/header", {}};
inline Preference<bool> dialogueMetadataExpanded{"dialogues/metadataExpanded", false};

} // namespace hw::ui::prefs
