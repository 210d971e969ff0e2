#pragma once
// Endpoint profiles (core/llm/endpoint_profile.h): list, add, edit, remove, pick the default for
// new jobs, and "Test connection", which sends one tiny uncached request off the GUI thread and
// shows latency and result. The API key is never shown or stored: a profile names the environment
// variable that holds it, and the dialog only says whether that variable is set.
#include "core/llm/endpoint_profile.h"
#include "core/util/progress.h"

#include <QDialog>

#include <vector>

class QCheckBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPushButton;
class QSpinBox;

namespace hw::ui {

class EndpointSettingsDialog : public QDialog {
    Q_OBJECT
public:
    // path: the endpoints.json to edit (default: EndpointProfiles::defaultPath()).
    explicit EndpointSettingsDialog(const QString& path = {}, QWidget* parent = nullptr);
    ~EndpointSettingsDialog() override;

    const std::vector<hw::EndpointProfile>& profiles() const { return m_profiles; }
    // Validates every profile and writes the file; false with a message shown otherwise.
    bool save();

    QListWidget* list() const { return m_list; }
    QPushButton* testButton() const { return m_test; }
    QLabel* testResult() const { return m_result; }
    QLineEdit* nameEdit() const { return m_name; }
    QLineEdit* urlEdit() const { return m_url; }
    QLineEdit* replicasEdit() const { return m_replicas; }
    QLineEdit* modelEdit() const { return m_model; }
    QLineEdit* keyEnvEdit() const { return m_keyEnv; }
    void addProfile();
    void removeCurrent();
    void testConnection();

Q_SIGNALS:
    void testFinished(bool ok, const QString& message);

protected:
    void done(int result) override;

private:
    void load();
    void showProfile(int row);
    void storeForm();              // form -> m_profiles[m_current]
    void updateKeyStatus();
    void setFormEnabled(bool on);

    QString m_path;
    std::vector<hw::EndpointProfile> m_profiles;
    int m_current = -1;
    bool m_loading = false;
    int m_testGeneration = 0;
    hw::StopToken m_testStop;

    QListWidget* m_list;
    QPushButton* m_add;
    QPushButton* m_remove;
    QCheckBox* m_default;
    QLineEdit* m_name;
    QLineEdit* m_url;
    QLineEdit* m_replicas;
    QLineEdit* m_model;
    QLineEdit* m_keyEnv;
    QLabel* m_keyStatus;
    QDoubleSpinBox* m_temperature;
    QSpinBox* m_maxTokens;
    QDoubleSpinBox* m_timeout;
    QSpinBox* m_maxInFlight;
    QDoubleSpinBox* m_pricePrompt;
    QDoubleSpinBox* m_priceCompletion;
    QPushButton* m_test;
    QLabel* m_result;
    QLabel* m_error;
    QWidget* m_form;
};

} // namespace hw::ui
