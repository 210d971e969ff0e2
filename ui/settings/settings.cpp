#include "ui/settings/settings.h"

namespace hw::ui {

namespace {
std::unique_ptr<QSettings> makeStore(const QString& iniPath)
{
    if (!iniPath.isEmpty())
        return std::make_unique<QSettings>(iniPath, QSettings::IniFormat);
    return std::make_unique<QSettings>();
}
} // namespace

Settings::Settings() : m_store(makeStore(qEnvironmentVariable("HW_SETTINGS_FILE"))) {}

Settings& Settings::instance()
{
    static Settings* settings = new Settings; // lives as long as the process, like QSettings users
    return *settings;
}

void Settings::setFile(const QString& iniPath)
{
    m_store->sync();
    m_store = makeStore(iniPath);
}

} // namespace hw::ui
