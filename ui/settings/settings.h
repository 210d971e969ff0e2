#pragma once
// Typed settings, declared once with their default (after Tiled's Preference<T>):
//
//   // ui/settings/workbench_settings.h
//   inline Preference<QStringList> recentProjects{"project/recentFiles", {}};
//   ...
//   QStringList files = prefs::recentProjects;   // read
//   prefs::recentProjects = files;                // write + Settings::changed("project/recentFiles")
//
// Storage is one QSettings; HW_SETTINGS_FILE (an .ini path) overrides where it lives, so tests
// and the demo never touch the user's real settings.
#include <QObject>
#include <QSettings>
#include <QString>
#include <QVariant>

#include <memory>

namespace hw::ui {

class Settings : public QObject {
    Q_OBJECT
public:
    static Settings& instance();
    QSettings& store() { return *m_store; }
    // Points the settings at another .ini file (tests); empty = the default location again.
    void setFile(const QString& iniPath);

Q_SIGNALS:
    void changed(const QString& key);

private:
    Settings();
    std::unique_ptr<QSettings> m_store;
};

template <typename T>
class Preference {
public:
    Preference(const char* key, T defaultValue) : m_key(key), m_default(std::move(defaultValue)) {}

    T get() const
    {
        const QVariant v = Settings::instance().store().value(QLatin1String(m_key));
        return v.isValid() && v.canConvert<T>() ? v.value<T>() : m_default;
    }
    void set(const T& value)
    {
        Settings::instance().store().setValue(QLatin1String(m_key), QVariant::fromValue(value));
        Q_EMIT Settings::instance().changed(QLatin1String(m_key));
    }
    void reset()
    {
        Settings::instance().store().remove(QLatin1String(m_key));
        Q_EMIT Settings::instance().changed(QLatin1String(m_key));
    }
    operator T() const { return get(); }
    Preference& operator=(const T& value)
    {
        set(value);
        return *this;
    }
    QString key() const { return QLatin1String(m_key); }
    const T& defaultValue() const { return m_default; }

private:
    const char* m_key;
    T m_default;
};

} // namespace hw::ui
