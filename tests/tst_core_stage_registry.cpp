// Stages as data: the stage registry lists every kind; a StageDescription is normalised (option
// defaults, types, roles, ranges) with errors that name the field; its identity ignores how an
// endpoint is reached; runStage stores the description verbatim in the job and resumes it; and
// jobs recorded before descriptions existed (a project made by the previous build, checked in
// as tests/fixtures/store/jobs-v3.hwb) are migrated so the same CLI command continues them.
#include "core/pipeline/job_runner.h"
#include "core/store/job_store.h"
#include "core/pipeline/stage_registry.h"
#include "core/store/database.h"
#include "core/util/error.h"
#include "support/cli_run.h"
#include "support/pipeline_fixture.h"
#include "support/test_paths.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <filesystem>

using namespace hw;

namespace {

EndpointProfile profile(const std::string& model = "m")
{
    EndpointProfile p;
    p.baseUrl = "http://127.0.0.1:9/v1";
    p.model = model;
    return p;
}

StageDescription relabelWith(StageBackend controller)
{
    StageDescription d;
    d.kind = "relabel";
    d.task = "persuasion";
    d.backends[role::kController] = std::move(controller);
    return d;
}

std::string errorOf(const StageDescription& d)
{
    try {
        normalizeStage(d);
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

std::string hashOf(const StageDescription& d) { return JobRunner::configHash(nlohmann::json(normalizeStage(d))); }

// Suggestions of a project as (dialogue uid, turn, proposed text), sorted: what a relabel made.
std::vector<std::string> suggestionsOf(Database& db)
{
    Statement st(db, "SELECT d.uid, coalesce(s.turn_idx, -1), s.proposed_text FROM suggestions s JOIN dialogues d ON d.id = s.dialogue_id "
                     "WHERE s.status != 'failed' ORDER BY d.uid, 2, s.proposed_text");
    std::vector<std::string> out;
    while (st.step())
        out.push_back(st.text(0) + "|" + std::to_string(st.int64(1)) + "|" + st.text(2));
    return out;
}

} // namespace

class TestStageRegistry : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void kindsAreRegistered()
    {
        std::vector<std::string> names;
        for (const auto& k : stageKinds()) {
            names.push_back(k.name);
            QVERIFY2(k.run != nullptr, k.name.c_str());
            QVERIFY(!k.title.empty() && !k.role.empty());
            QVERIFY(k.fromLegacy != nullptr);
            // The fields a front end shows are declared options, with choices only for text and a
            // range that holds the default.
            for (const auto& f : k.fields) {
                const std::string where = k.name + "." + f.key;
                QVERIFY2(k.options.contains(f.key), where.c_str());
                QVERIFY2(!f.label.empty() && !f.help.empty(), where.c_str());
                const nlohmann::json& def = k.options.at(f.key);
                QVERIFY2(f.choices.empty() || def.is_string(), where.c_str());
                if (def.is_number() && f.max > f.min)
                    QVERIFY2(def.get<double>() >= f.min && def.get<double>() <= f.max, where.c_str());
            }
        }
        QCOMPARE(names, (std::vector<std::string>{"relabel", "regenerate", "label", "aggregate", "personas", "imagine",
                                                  "critique", "evaluate"}));
        QVERIFY(findStageKind("regenerate"));
        QVERIFY(!findStageKind("relable"));
    }

    void normaliseFillsDefaults()
    {
        const StageDescription d = normalizeStage(relabelWith(StageBackend::retrieval()));
        QCOMPARE(d.options.at("suggestions").get<int>(), 3);
        // A role the run does not use is dropped, so it cannot change the job's identity.
        StageDescription r;
        r.kind = "regenerate";
        r.task = "persuasion";
        r.backends[role::kForward] = StageBackend::local("/ckpt/fwd");
        r.backends[role::kForwardHard] = StageBackend::local("/ckpt/hard");
        QVERIFY(!normalizeStage(r).has(role::kForwardHard));
        QCOMPARE(normalizeStage(r).options.at("mode").get<std::string>(), std::string("random"));
        r.hardShare = 0.5;
        QCOMPARE(normalizeStage(r).backend(role::kForwardHard).checkpoint, std::string("/ckpt/hard"));
        // JSON round trip: what a job row stores is what resume reads.
        const nlohmann::json j = normalizeStage(r);
        QCOMPARE(nlohmann::json(normalizeStage(j.get<StageDescription>())), j);
    }

    void normaliseRefusesBadFields_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("expected");
        const std::string llm = nlohmann::json(StageBackend::llm(profile())).dump();
        auto row = [](const char* name, const std::string& json, const char* expected) {
            QTest::newRow(name) << QString::fromStdString(json) << QString::fromUtf8(expected);
        };
        row("unknown kind", R"({"kind":"relable","task":"t"})", "unknown stage 'relable' (known: relabel, regenerate");
        row("no task", R"({"kind":"relabel","backends":{"controller":{"kind":"retrieval"}}})", "stage relabel: no task given");
        row("unknown option", R"({"kind":"relabel","task":"t","backends":{"controller":{"kind":"retrieval"}},"options":{"sugestions":3}})",
            "stage relabel: unknown option 'sugestions' (known: includeImagined, suggestions)");
        row("option type", R"({"kind":"relabel","task":"t","backends":{"controller":{"kind":"retrieval"}},"options":{"suggestions":"3"}})",
            "stage relabel: options.suggestions must be an integer");
        row("option range", R"({"kind":"relabel","task":"t","backends":{"controller":{"kind":"retrieval"}},"options":{"suggestions":0}})",
            "stage relabel: options.suggestions must be at least 1");
        row("no backend", R"({"kind":"relabel","task":"t"})", "stage relabel: no backend for its controller");
        row("wrong backend kind", R"({"kind":"label","task":"t","backends":{"labeler":{"kind":"retrieval"}}})",
            "stage label: its labeler cannot run on 'retrieval' (llm, checkpoint)");
        row("llm without model", R"({"kind":"imagine","task":"t","backends":{"generator":{"kind":"llm","endpoint":"http://x/v1"}}})",
            "stage imagine: the generator endpoint needs a URL and a model");
        row("checkpoint without folder", R"({"kind":"label","task":"t","backends":{"labeler":{"kind":"checkpoint"}}})",
            "stage label: the labeler checkpoint folder is not given");
        row("hard share", R"({"kind":"regenerate","task":"t","hardShare":1.5,"backends":{"forward":{"kind":"checkpoint","checkpoint":"c"}}})",
            "stage regenerate: hardShare must be between 0 and 1");
        row("hard model missing", R"({"kind":"regenerate","task":"t","hardShare":0.5,"backends":{"forward":{"kind":"checkpoint","checkpoint":"c"}}})",
            "stage regenerate: no backend for its forward_hard");
        row("mode", R"({"kind":"regenerate","task":"t","options":{"mode":"all"},"backends":{"forward":{"kind":"checkpoint","checkpoint":"c"}}})",
            "stage regenerate: options.mode must be random or accepted, not 'all'");
        row("k", R"({"kind":"aggregate","task":"t","options":{"k":0.5}})", "stage aggregate: options.k must be at least 1");
        row("samples", R"({"kind":"regenerate","task":"t","samples":0,"backends":{"forward":{"kind":"checkpoint","checkpoint":"c"}}})",
            "stage regenerate: samples must be at least 1");
    }

    void normaliseRefusesBadFields()
    {
        QFETCH(QString, json);
        QFETCH(QString, expected);
        const StageDescription d = nlohmann::json::parse(json.toStdString()).get<StageDescription>();
        const std::string error = errorOf(d);
        QVERIFY2(QString::fromStdString(error).startsWith(expected), error.c_str());
    }

    void identityIgnoresHowAnEndpointIsReached()
    {
        const std::string base = hashOf(relabelWith(StageBackend::llm(profile())));
        EndpointProfile reached = profile();
        reached.apiKeyEnv = "SOME_KEY";
        reached.timeoutS = 5;
        reached.maxInFlight = 64;
        reached.pricePromptPer1k = 1.0;
        StageDescription d = relabelWith(StageBackend::llm(reached));
        d.concurrency = 17;
        QCOMPARE(hashOf(d), base);
        // The same URL written with or without /chat/completions is the same endpoint.
        EndpointProfile full = profile();
        full.baseUrl = "http://127.0.0.1:9/v1/chat/completions";
        QCOMPARE(hashOf(relabelWith(StageBackend::llm(full))), base);
        // What the replies depend on makes another job.
        QVERIFY(hashOf(relabelWith(StageBackend::llm(profile("other")))) != base);
        EndpointProfile warmer = profile();
        warmer.temperature = 1.0;
        QVERIFY(hashOf(relabelWith(StageBackend::llm(warmer))) != base);
        QVERIFY(hashOf(relabelWith(StageBackend::retrieval())) != base);
    }

    void resumeUsesTheRecordedCallSettings()
    {
        // Saved profile: 5 attempts, 120 s. The run overrode both on its command line.
        EndpointProfile saved = profile();
        saved.name = "lab";
        EndpointProfiles profiles;
        profiles.upsert(saved);
        EndpointProfile used = saved;
        used.maxAttempts = 1;
        used.timeoutS = 7;
        used.maxInFlight = 3;
        const StageDescription d = relabelWith(StageBackend::llm(used));
        const StageDescription stored = nlohmann::json(d).get<StageDescription>();
        const EndpointProfile resumed = stored.backend(role::kController).endpointProfile(profiles);
        QCOMPARE(resumed.name, std::string("lab"));
        QCOMPARE(resumed.maxAttempts, 1);
        QCOMPARE(resumed.timeoutS, 7.0);
        QCOMPARE(resumed.maxInFlight, 3);
        QCOMPARE(resumed.model, saved.model);
    }

    void olderRecordsReadAsTheCliWritesNow()
    {
        // Job configs as the previous build's CLI wrote them (app/cli/stage_backends.cpp describe()).
        EndpointProfile p = profile();
        p.temperature = 0.3;
        p.apiKeyEnv = "KEY_VAR";
        const nlohmann::json llmRecord = {{"endpoint", "http://127.0.0.1:9/v1/chat/completions"}, {"model", "m"},
                                          {"temperature", 0.3}, {"max_tokens", 1024}, {"api_key_env", "KEY_VAR"}};
        const nlohmann::json relabel = {{"task", "persuasion"}, {"dialogueIds", nlohmann::json::array()}, {"limit", 2},
                                        {"suggestions", 3}, {"seed", 4}, {"concurrency", 8},
                                        {"stage", {{"controller", llmRecord}}}};
        StageDescription now = relabelWith(StageBackend::llm(p));
        now.limit = 2;
        now.seed = 4;
        now.concurrency = 8;
        QCOMPARE(hashOf(describeJob("relabel", relabel)), hashOf(now));
        QCOMPARE(describeJob("relabel", relabel).backend(role::kController).apiKeyEnv, std::string("KEY_VAR"));

        // regenerate --forward-checkpoint F --hard-checkpoint H --hard-share 0.25
        const nlohmann::json regenerate = {
            {"task", "persuasion"}, {"mode", "random"}, {"samples", 2}, {"hardShare", 0.25}, {"turnBudget", 0},
            {"limit", 0}, {"seed", 0}, {"concurrency", 1},
            {"stage", {{"forward", {{"kind", "local"}, {"checkpoint", "/c/fwd"}, {"hard_checkpoint", "/c/hard"}}}, {"few_shots", 3}}}};
        StageDescription regen;
        regen.kind = "regenerate";
        regen.task = "persuasion";
        regen.samples = 2;
        regen.hardShare = 0.25;
        regen.backends[role::kForward] = StageBackend::local("/c/fwd", "cpu");
        regen.backends[role::kForwardHard] = StageBackend::local("/c/hard", "cpu");
        QCOMPARE(hashOf(describeJob("regenerate", regenerate)), hashOf(regen));

        // regenerate on the endpoint with --few-shots 5: the forward model's few-shots, and the hard
        // share on the same endpoint (what LlmBackend did without --hard-endpoint).
        const nlohmann::json regenLlm = {{"task", "persuasion"}, {"hardShare", 0.5},
                                         {"stage", {{"forward", llmRecord}, {"few_shots", 5}}}};
        const StageDescription read = normalizeStage(describeJob("regenerate", regenLlm));
        QCOMPARE(read.backend(role::kForward).fewShots, 5);
        QCOMPARE(read.backend(role::kForwardHard).model, std::string("m"));

        // label --reward-checkpoint R (few_shots -1 recorded), and the workbench's flat record.
        const nlohmann::json label = {{"task", "persuasion"}, {"includeImagined", false}, {"limit", 0}, {"seed", 0},
                                      {"concurrency", 1},
                                      {"stage", {{"labeler", {{"kind", "reward_model"}, {"checkpoint", "/c/rw"}}}, {"few_shots", -1}}}};
        StageDescription lab;
        lab.kind = "label";
        lab.task = "persuasion";
        lab.backends[role::kLabeler] = StageBackend::local("/c/rw");
        QCOMPARE(hashOf(describeJob("label", label)), hashOf(lab));
        const nlohmann::json flat = {{"task", "persuasion"}, {"stage", llmRecord}};
        QCOMPARE(describeJob("label", flat).backend(role::kLabeler).endpoint, llmRecord["endpoint"].get<std::string>());

        // A core caller's record that names no backend is read, but is not a runnable description.
        const StageDescription bare = describeJob("relabel", {{"task", "persuasion"}, {"stage", {{"controller", "llm:m"}}}});
        QVERIFY(!bare.has(role::kController));
        QVERIFY(!errorOf(bare).empty());
    }

    void runStageStoresTheDescriptionAndResumes()
    {
        QTemporaryDir tmp;
        const std::string path = tmp.filePath("p.hwb").toStdString();
        hwtest::makeProject(path, "persuasion", 10);
        Database db = Database::open(path);
        SharedProject project(db);
        StageDescription d = relabelWith(StageBackend::retrieval());
        d.limit = 3;
        const JobSummary first = runStage(project, d, {});
        QCOMPARE(first.status, std::string("done"));
        QCOMPARE(first.total, int64_t(3));
        // --json prints the description it ran.
        const auto printed = first.toJson().at("description").get<StageDescription>();
        QCOMPARE(printed.backend(role::kController).kind, std::string("retrieval"));
        QCOMPARE(printed.concurrency, 1); // local stages: one item at a time unless asked
        // The job row holds the description verbatim (plus its hash).
        const auto job = JobStore(db).get(first.jobId);
        QVERIFY(job);
        QCOMPARE(describeJob("relabel", job->config).limit, int64_t(3));
        QCOMPARE(job->config.at("backends").at("controller").at("kind").get<std::string>(), std::string("retrieval"));
        // The same description again after it finished: --limit counts dialogues that have no
        // usable suggestion yet, so it relabels the next three (README "Stages, jobs and re-runs").
        const JobSummary next = runStage(project, d, {});
        QCOMPARE(next.status, std::string("done"));
        QCOMPARE(next.total, int64_t(3));
        QVERIFY(next.jobId != first.jobId);
        const int64_t usable = *db.queryInt64("SELECT count(DISTINCT dialogue_id) FROM suggestions WHERE status != 'failed'");
        QCOMPARE(usable, first.done + next.done);

        // Without a limit: the other four; run again, nothing is left to do and no row is made.
        StageDescription all = relabelWith(StageBackend::retrieval());
        const JobSummary full = runStage(project, all, {});
        QCOMPARE(full.status, std::string("done"));
        QCOMPARE(full.total, 10 - usable);
        const JobSummary nothing = runStage(project, all, {});
        QCOMPARE(nothing.status, std::string("done"));
        QCOMPARE(nothing.processed, int64_t(0));
        QCOMPARE(JobStore(db).list("relabel").size(), size_t(3));

        // A job cut short (a kill: two items and their rows gone, status left "running") continues
        // under the same id when its description is run again.
        const std::vector<std::string> expected = suggestionsOf(db);
        db.exec("DELETE FROM suggestions WHERE dialogue_id IN (SELECT CAST(substr(item_key, 3) AS INTEGER) FROM job_items "
                "WHERE job_id = " + std::to_string(full.jobId) + " ORDER BY item_key DESC LIMIT 2)");
        db.exec("DELETE FROM job_items WHERE job_id = " + std::to_string(full.jobId) + " AND item_key IN (SELECT item_key "
                "FROM job_items WHERE job_id = " + std::to_string(full.jobId) + " ORDER BY item_key DESC LIMIT 2)");
        db.exec("UPDATE jobs SET status = 'running' WHERE id = " + std::to_string(full.jobId));
        QVERIFY(suggestionsOf(db).size() < expected.size());
        const JobSummary resumed = runStage(project, all, {});
        QCOMPARE(resumed.jobId, full.jobId);
        QCOMPARE(resumed.processed, int64_t(2));
        QCOMPARE(suggestionsOf(db), expected);
    }

    void olderProjectJobsContinueAfterUpgrade()
    {
        // Made by the previous build's CLI (tests/fixtures/store/README.md): an interrupted
        // retrieval relabel of persuasion, an LLM relabel whose calls failed, a finished aggregate.
        const std::string fixture = hwtest::fixture("store/jobs-v3.hwb");
        QVERIFY(std::filesystem::exists(fixture));
        QTemporaryDir tmp;
        const QString resumedPath = tmp.filePath("resumed.hwb");
        const QString freshPath = tmp.filePath("fresh.hwb");
        QVERIFY(QFile::copy(QString::fromStdString(fixture), resumedPath));
        QVERIFY(QFile::copy(QString::fromStdString(fixture), freshPath));
        QFile::setPermissions(resumedPath, QFile::ReadOwner | QFile::WriteOwner);
        QFile::setPermissions(freshPath, QFile::ReadOwner | QFile::WriteOwner);

        int64_t interrupted = 0, doneBefore = 0;
        {
            Database db = Database::open(resumedPath.toStdString());
            for (const auto& j : JobStore(db).list())
                QVERIFY2(!j.config.contains("backends"), "the fixture holds records of the older format");
            const auto relabels = JobStore(db).list("relabel");
            for (const auto& j : relabels)
                if (j.status == "running") {
                    interrupted = j.id;
                    doneBefore = j.done;
                }
            QVERIFY(interrupted > 0);
            QCOMPARE(upgradeJobDescriptions(db), 3);
            QCOMPARE(upgradeJobDescriptions(db), 0); // idempotent
            for (const auto& j : JobStore(db).list()) {
                QVERIFY2(j.config.contains("backends") && j.config.contains("migrated_from"), j.kind.c_str());
                const StageDescription d = normalizeStage(describeJob(j.kind, j.config));
                QCOMPARE(j.config.at("config_hash").get<std::string>(), JobRunner::configHash(nlohmann::json(d)));
            }
            // The relabel on an unreachable endpoint: its endpoint, model and key variable kept.
            int llmJobs = 0;
            for (const auto& j : JobStore(db).list("relabel")) {
                const StageBackend& b = describeJob("relabel", j.config).backend(role::kController);
                if (b.kind != "llm")
                    continue;
                ++llmJobs;
                QCOMPARE(b.model, std::string("fixture-model"));
                QCOMPARE(b.endpoint, std::string("http://127.0.0.1:9/v1/chat/completions"));
                QCOMPARE(b.apiKeyEnv, std::string("HW_FIXTURE_KEY"));
                QCOMPARE(j.config.at("migrated_from").at("stage").at("controller").at("model").get<std::string>(),
                         std::string("fixture-model"));
            }
            QCOMPARE(llmJobs, 1);
        }
        // The same command as the one that made the job continues it (the CLI upgrades first).
        const QStringList command = {"relabel", resumedPath, "--task", "persuasion", "--controller", "retrieval",
                                     "--json", "--quiet"};
        const hwtest::CliRun run = hwtest::hindsight(command);
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject out = QJsonDocument::fromJson(run.out.toUtf8()).object();
        QCOMPARE(out.value("job_id").toInteger(), interrupted);
        QCOMPARE(out.value("items").toObject().value("skipped").toInteger(), doneBefore);
        QCOMPARE(out.value("description").toObject().value("backends").toObject().value("controller").toObject()
                     .value("kind").toString(), QStringLiteral("retrieval"));

        // Same suggestions as one uninterrupted run on a copy with no jobs at all.
        {
            Database fresh = Database::open(freshPath.toStdString());
            fresh.exec("DELETE FROM suggestions; DELETE FROM job_items; DELETE FROM jobs;");
        }
        const QStringList freshCommand = {"relabel", freshPath, "--task", "persuasion", "--controller", "retrieval", "--quiet"};
        const hwtest::CliRun again = hwtest::hindsight(freshCommand);
        QVERIFY2(again.exitCode == 0, qPrintable(again.err));
        Database a = Database::open(resumedPath.toStdString());
        Database b = Database::open(freshPath.toStdString());
        const auto expected = suggestionsOf(b);
        QVERIFY(!expected.empty());
        QCOMPARE(suggestionsOf(a), expected);
    }
};

QTEST_APPLESS_MAIN(TestStageRegistry)
#include "tst_core_stage_registry.moc"
