// Secrets and arguments (issue 13): a password in an endpoint URL is refused everywhere with the
// reason and never stored or printed; a --api-key-env variable that is unset or empty is an error
// naming it (nothing is sent); an inline "apiKey" in endpoints.json is refused; `generate
// --dialogue-id` takes the dialogue's own id and `--turns -5` is refused.
#include "core/llm/endpoint_profile.h"
#include "core/llm/llm_client.h"
#include "core/store/database.h"
#include "core/store/dialogue_ref.h"
#include "core/store/dialogue_store.h"
#include "core/util/error.h"
#include "support/cli_run.h"
#include "support/fake_llm_server.h"
#include "support/pipeline_fixture.h"

#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace hw;

namespace {

std::string readAll(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
}

QString errorOf(const std::function<void()>& fn)
{
    try {
        fn();
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return QStringLiteral("NO ERROR");
}

} // namespace

class TestSecrets : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::string path(const std::string& name) const { return m_dir.filePath(QString::fromStdString(name)).toStdString(); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        // The CLI reads its endpoint profiles from here.
        qputenv("HW_CONFIG_DIR", m_dir.filePath(QStringLiteral("config")).toUtf8());
    }

    void passwordInUrlIsRefused()
    {
        EndpointProfile p;
        p.baseUrl = "http://bob:s3cretPW@127.0.0.1:9/v1";
        p.model = "m";
        const QString v = errorOf([&] { p.validate(); });
        QVERIFY2(v.contains("holds a user name or password"), qPrintable(v));
        QVERIFY2(v.contains("http://***@127.0.0.1:9/v1"), qPrintable(v));
        QVERIFY2(!v.contains("s3cretPW") && !v.contains("bob"), qPrintable(v));
        // A user name alone is userinfo too; an '@' in the path is not.
        p.baseUrl = "https://token@api.example.com/v1";
        QVERIFY(errorOf([&] { p.validate(); }).contains("user name or password"));
        p.baseUrl = "http://127.0.0.1:9/v1/@models";
        QCOMPARE(errorOf([&] { p.validate(); }), QStringLiteral("NO ERROR"));
        QVERIFY(!errorOf([&] { resolveEndpoint("http://bob:s3cretPW@h/v1", "", {}); }).contains("s3cretPW"));
        QVERIFY(errorOf([&] { LlmClient c(EndpointProfile{"", "http://u:pw@127.0.0.1:9/v1", "m"}); })
                    .contains("user name or password"));

        // `endpoint test` used to print it; `endpoint add` must not save it; a job must not store it.
        hwtest::FakeLlmServer server;
        const QString url = QString::fromStdString(server.baseUrl()).replace("http://", "http://bob:s3cretPW@");
        const hwtest::CliRun test = hwtest::hindsight({"endpoint", "test", url, "--model", "m"});
        QCOMPARE(test.exitCode, 1);
        QVERIFY2((test.out + test.err).contains("user name or password"), qPrintable(test.err));
        QVERIFY(!(test.out + test.err).contains("s3cretPW"));
        const hwtest::CliRun add = hwtest::hindsight({"endpoint", "add", "x", "--url", url, "--model", "m"});
        QCOMPARE(add.exitCode, 1);
        QVERIFY(!add.err.contains("s3cretPW"));
        QVERIFY(readAll(path("config/endpoints.json")).find("s3cretPW") == std::string::npos);

        const std::string project = path("jobs.hwb");
        hwtest::makeProject(project, "persuasion", 2);
        const hwtest::CliRun relabel = hwtest::hindsight(
            {"relabel", QString::fromStdString(project), "--endpoint", url, "--model", "m", "--quiet"});
        QCOMPARE(relabel.exitCode, 1);
        QVERIFY(!relabel.err.contains("s3cretPW"));
        QCOMPARE(server.received(), int64_t(0));
        const std::string bytes = readAll(project) + readAll(project + "-wal");
        QVERIFY(bytes.find("s3cretPW") == std::string::npos);
    }

    void unsetOrEmptyKeyVariableIsAnError()
    {
        hwtest::FakeLlmServer server;
        EndpointProfile p;
        p.name = "typo";
        p.baseUrl = server.baseUrl();
        p.model = "m";
        p.apiKeyEnv = "HW_TEST_MISSPELT_API_KEY";
        qunsetenv("HW_TEST_MISSPELT_API_KEY");
        const QString unset = errorOf([&] { LlmClient c(p); });
        QVERIFY2(unset.contains("$HW_TEST_MISSPELT_API_KEY is not set"), qPrintable(unset));
        qputenv("HW_TEST_MISSPELT_API_KEY", "");
        const QString empty = errorOf([&] { LlmClient c(p); });
        QVERIFY2(empty.contains("$HW_TEST_MISSPELT_API_KEY is empty"), qPrintable(empty));
        const ConnectionTest t = testConnection(p);
        QVERIFY(!t.ok);
        QVERIFY2(t.message.find("HW_TEST_MISSPELT_API_KEY") != std::string::npos, t.message.c_str());
        qputenv("HW_TEST_MISSPELT_API_KEY", "sk-now-set");
        QVERIFY(testConnection(p).ok);
        qunsetenv("HW_TEST_MISSPELT_API_KEY");
        QCOMPARE(server.received(), int64_t(1)); // only the call with the key set went out

        // From the CLI: the pipeline stage fails before sending anything, naming the variable.
        const std::string project = path("key.hwb");
        hwtest::makeProject(project, "persuasion", 2);
        const hwtest::CliRun r = hwtest::hindsight({"relabel", QString::fromStdString(project), "--endpoint",
                                                    QString::fromStdString(server.baseUrl()), "--model", "m",
                                                    "--api-key-env", "HW_TEST_MISSPELT_API_KEY", "--quiet"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("$HW_TEST_MISSPELT_API_KEY is not set"), qPrintable(r.err));
        QCOMPARE(server.received(), int64_t(1));
    }

    void inlineApiKeyInProfilesIsRefused()
    {
        const std::string file = path("endpoints-inline.json");
        std::ofstream(file) << "{\"profiles\": [{\"name\": \"openai\", \"baseUrl\": \"https://api.openai.com/v1\",\n"
                                  "                                  \"model\": \"gpt-4o-mini\", \"apiKey\": \"sk-inline-123\"}]}";
        const QString msg = errorOf([&] { EndpointProfiles::load(file); });
        QVERIFY2(msg.startsWith(QString::fromStdString(file + ": profile 'openai' has an inline \"apiKey\"")), qPrintable(msg));
        QVERIFY2(msg.contains("apiKeyEnv"), qPrintable(msg));
        QVERIFY(!msg.contains("sk-inline-123"));
        std::ofstream(file) << "{\"profiles\": [{\"name\": \"o\", \"baseUrl\": \"https://x/v1\", \"model\": \"m\", \"api_key\": \"k\"}]}";
        QVERIFY(errorOf([&] { EndpointProfiles::load(file); }).contains("inline \"api_key\""));
        // A password in a hand-edited profile's URL is refused on load (before any job stores it).
        std::ofstream(file) << "{\"profiles\": [{\"name\": \"o\", \"baseUrl\": \"http://u:pw123@x/v1\", \"model\": \"m\"}]}";
        const QString url = errorOf([&] { EndpointProfiles::load(file); });
        QVERIFY2(url.contains("user name or password") && !url.contains("pw123"), qPrintable(url));
        // apiKeyEnv itself is fine.
        std::ofstream(file) << "{\"profiles\": [{\"name\": \"o\", \"baseUrl\": \"https://x/v1\", \"model\": \"m\", \"apiKeyEnv\": \"K\"}]}";
        QCOMPARE(EndpointProfiles::load(file).all().size(), size_t(1));
    }

    void dialogueRefByOwnId()
    {
        const std::string project = path("refs.hwb");
        hwtest::makeProject(project, "persuasion", 3);
        Database db = Database::open(project);
        DialogueStore store(db);
        const int64_t second = *store.findByUid("persuasion", "persuasion-1");
        QCOMPARE(resolveDialogueRef(db, "persuasion-1"), second);
        QCOMPARE(resolveDialogueRef(db, "#" + std::to_string(second)), second);
        QCOMPARE(resolveDialogueRef(db, std::to_string(second)), second); // the row number, as before
        QVERIFY(errorOf([&] { resolveDialogueRef(db, "no-such"); }).contains("no dialogue with id 'no-such'"));
        QVERIFY(errorOf([&] { resolveDialogueRef(db, "#999"); }).contains("no dialogue with row number #999"));
        // The same uid in two tasks needs the task.
        Dialogue d = hwtest::makeDialogue("counseling", 1, 4);
        d.uid = "persuasion-1";
        const int64_t other = store.insert(d).id;
        QVERIFY(errorOf([&] { resolveDialogueRef(db, "persuasion-1"); }).contains("is used in several tasks"));
        QCOMPARE(resolveDialogueRef(db, "persuasion-1", "counseling"), other);
        // A uid that looks like a row number wins over the row number.
        d = hwtest::makeDialogue("counseling", 2, 4);
        d.uid = std::to_string(second);
        const int64_t numeric = store.insert(d).id;
        QCOMPARE(resolveDialogueRef(db, std::to_string(second)), numeric);
    }

    void generateTakesTheOwnIdAndRefusesNegativeTurns()
    {
        const std::string project = path("gen.hwb");
        hwtest::makeProject(project, "persuasion", 3);
        const QString p = QString::fromStdString(project);
        // Checked before the model is loaded: no checkpoint needed to see the arguments refused.
        const hwtest::CliRun neg = hwtest::hindsight({"generate", "--checkpoint", QString::fromStdString(path("no-model")),
                                                      "--project", p, "--dialogue-id", "persuasion-2", "--turns", "-5"});
        QCOMPARE(neg.exitCode, 1);
        QVERIFY2(neg.err.contains("--turns -5: dialogue 'persuasion-2' has 6 turns; give 0 to 6"), qPrintable(neg.err));
        const hwtest::CliRun big = hwtest::hindsight({"generate", "--checkpoint", QString::fromStdString(path("no-model")),
                                                      "--project", p, "--dialogue-id", "persuasion-2", "--turns", "7"});
        QVERIFY2(big.err.contains("--turns 7"), qPrintable(big.err));
        const hwtest::CliRun unknown = hwtest::hindsight({"generate", "--checkpoint", QString::fromStdString(path("no-model")),
                                                          "--project", p, "--dialogue-id", "persuasion-9"});
        QCOMPARE(unknown.exitCode, 1);
        QVERIFY2(unknown.err.contains("no dialogue with id 'persuasion-9'"), qPrintable(unknown.err));
        QVERIFY(!unknown.err.contains("stoll"));
        // With a valid id and turn count it gets as far as the (missing) model.
        const hwtest::CliRun ok = hwtest::hindsight({"generate", "--checkpoint", QString::fromStdString(path("no-model")),
                                                     "--project", p, "--dialogue-id", "persuasion-2", "--turns", "3"});
        QCOMPARE(ok.exitCode, 1);
        QVERIFY2(ok.err.contains("no-model"), qPrintable(ok.err));
        QVERIFY(!ok.err.contains("--turns") && !ok.err.contains("no dialogue"));
    }
};

QTEST_APPLESS_MAIN(TestSecrets)
#include "tst_core_secrets.moc"
