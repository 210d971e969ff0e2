// `hindsight ilql-check` end to end: the golden file's inputs and configurations through the CLI.
#include "support/test_paths.h"

#include <QProcess>

#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <fstream>

using json = nlohmann::json;

namespace {

std::string goldenPath() { return std::string(hwtest::sharedDir()) + "/reference/ilql/golden.json"; }

struct Run {
    int code = -1;
    QByteArray out, err;
};

Run runCli(const QStringList& args)
{
    QProcess p;
    p.start(QString::fromStdString(hwtest::cliPath()), QStringList{"ilql-check"} + args);
    Run r;
    if (!p.waitForFinished(120000))
        return r;
    r.code = p.exitCode();
    r.out = p.readAllStandardOutput();
    r.err = p.readAllStandardError();
    return r;
}

QString writeJson(const QTemporaryDir& dir, const QString& name, const json& j)
{
    const QString path = dir.filePath(name);
    std::ofstream(path.toStdString()) << j.dump(1);
    return path;
}

double relErr(double a, double b) { return b == 0.0 ? std::abs(a) : std::abs(a - b) / std::abs(b); }

} // namespace

class TestIlqlCli : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void lossMatchesGolden_data()
    {
        QTest::addColumn<bool>("wholeFile");
        QTest::newRow("whole golden file as --inputs") << true;
        QTest::newRow("inputs object only") << false;
    }
    void lossMatchesGolden()
    {
        QFETCH(bool, wholeFile);
        if (!std::filesystem::exists(goldenPath()))
            QSKIP("../shared/reference/ilql/golden.json is absent");
        const json golden = json::parse(std::ifstream(goldenPath()));
        QTemporaryDir dir;
        const QString inputs = wholeFile ? QString::fromStdString(goldenPath())
                                         : writeJson(dir, "inputs.json", golden.at("inputs"));
        const json& e = golden.at("loss").at("visdial_fixed_padding");
        const QString config = writeJson(dir, "config.json", e.at("config"));
        const auto r = runCli({"--inputs", inputs, "--config", config});
        QVERIFY2(r.code == 0, r.err.constData());
        const json got = json::parse(r.out.toStdString());
        QCOMPARE(int(got.size()), 6);
        for (const auto& item : e.at("float32").items()) {
            if (item.key() == "v_loss_mc")
                continue;
            QVERIFY2(got.contains(item.key()), item.key().c_str());
            const double err = relErr(got.at(item.key()).get<double>(), item.value().get<double>());
            QVERIFY2(err <= 1e-5, qPrintable(QString::fromStdString(item.key()) + ": " + QString::number(err)));
        }
        // Full float precision: the printed float32 value reads back to the same float.
        const double token = got.at("token_loss").get<double>();
        QCOMPARE(double(float(token)), token);
    }

    void configUnderConfigKeyAndMcReturns()
    {
        if (!std::filesystem::exists(goldenPath()))
            QSKIP("../shared/reference/ilql/golden.json is absent");
        const json golden = json::parse(std::ifstream(goldenPath()));
        QTemporaryDir dir;
        json entry = golden.at("loss").at("visdial_fixed_padding");
        entry["config"]["loss_weights"]["mc_returns"] = true;
        const QString config = writeJson(dir, "entry.json", entry);   // {"config": ..., "float32": ...}
        const auto r = runCli({"--inputs", QString::fromStdString(goldenPath()), "--config", config, "--detail"});
        QVERIFY2(r.code == 0, r.err.constData());
        const json got = json::parse(r.out.toStdString());
        const json& w = entry.at("float32");
        QVERIFY(relErr(got.at("v_loss").get<double>(), w.at("v_loss_mc").get<double>()) <= 1e-5);
        QVERIFY(got.contains("detail"));
        QCOMPARE(got.at("detail").at("select_tokens"), golden.at("loss").at("visdial_fixed_padding")
                                                           .at("intermediates_float32").at("select_tokens"));
    }

    void decodeMatchesGolden()
    {
        if (!std::filesystem::exists(goldenPath()))
            QSKIP("../shared/reference/ilql/golden.json is absent");
        const json golden = json::parse(std::ifstream(goldenPath()));
        QTemporaryDir dir;
        const QString inputsOnly = writeJson(dir, "inputs.json", golden.at("inputs"));
        const json& d = golden.at("decode");
        bool first = true;
        size_t runs = 0;
        for (const auto& item : d.at("snell").items()) {
            const QString cfg = writeJson(dir, "decode.json", item.value().at("config"));
            // Whole file: row/position/pad come from the file. Inputs only (first entry, to keep
            // the test short): given explicitly.
            for (const bool whole : {true, false}) {
                if (!whole && !first)
                    continue;
                QStringList args{"--inputs", whole ? QString::fromStdString(goldenPath()) : inputsOnly,
                                 "--decode-config", cfg};
                if (!whole)
                    args << "--row" << QString::number(d.at("row").get<int>()) << "--position"
                         << QString::number(d.at("position").get<int>()) << "--pad-id" << "0";
                const auto r = runCli(args);
                QVERIFY2(r.code == 0, r.err.constData());
                ++runs;
                const json got = json::parse(r.out.toStdString());
                const json& want = item.value();
                QCOMPARE(got.at("probs").size(), want.at("probs").size());
                for (size_t i = 0; i < want.at("probs").size(); ++i) {
                    QVERIFY(relErr(got.at("probs")[i].get<double>(), want.at("probs")[i].get<double>()) <= 1e-5);
                    const auto& wl = want.at("full_logits")[i];
                    const auto& gl = got.at("full_logits")[i];
                    if (wl.is_string())
                        QCOMPARE(gl, wl);   // "-inf"
                    else
                        QVERIFY(relErr(gl.get<double>(), wl.get<double>()) <= 1e-5);
                }
            }
            first = false;
        }
        // Every golden case ran from the whole file, and the first also from inputs only.
        QVERIFY(!d.at("snell").empty());
        QCOMPARE(runs, d.at("snell").size() + 1);
    }

    // The golden file's inputs object plus a decoding configuration that names the decoding site
    // with the golden decode section's keys (row, position): every golden decoding case.
    void decodeSiteFromTheDecodeConfig()
    {
        if (!std::filesystem::exists(goldenPath()))
            QSKIP("../shared/reference/ilql/golden.json is absent");
        const json golden = json::parse(std::ifstream(goldenPath()));
        QTemporaryDir dir;
        const QString inputsOnly = writeJson(dir, "inputs.json", golden.at("inputs"));
        const json& d = golden.at("decode");
        int cases = 0;
        for (const auto& item : d.at("snell").items()) {
            // Two spellings: the keys inside the options, and beside a golden entry's "config".
            json flat = item.value().at("config");
            flat["row"] = d.at("row");
            flat["position"] = d.at("position");
            json entry = item.value();
            entry["row"] = d.at("row");
            entry["position"] = d.at("position");
            for (const json& cfg : {flat, entry}) {
                const auto r = runCli({"--inputs", inputsOnly, "--decode-config", writeJson(dir, "decode.json", cfg)});
                QVERIFY2(r.code == 0, r.err.constData());
                QVERIFY2(!r.err.contains("no decoding position"), r.err.constData());
                const json got = json::parse(r.out.toStdString());
                QCOMPARE(got.at("row"), d.at("row"));
                QCOMPARE(got.at("position"), d.at("position"));
                const json& want = item.value();
                QCOMPARE(got.at("probs").size(), want.at("probs").size());
                for (size_t i = 0; i < want.at("probs").size(); ++i) {
                    const double err = relErr(got.at("probs")[i].get<double>(), want.at("probs")[i].get<double>());
                    QVERIFY2(err <= 1e-5, qPrintable(QString::fromStdString(item.key()) + " probs[" + QString::number(i)
                                                     + "]: " + QString::number(err)));
                    const auto& wl = want.at("full_logits")[i];
                    const auto& gl = got.at("full_logits")[i];
                    if (wl.is_string())
                        QCOMPARE(gl, wl); // "-inf"
                    else
                        QVERIFY(relErr(gl.get<double>(), wl.get<double>()) <= 1e-5);
                }
                ++cases;
            }
        }
        QCOMPARE(cases, 2 * int(d.at("snell").size()));
    }

    // Without a site anywhere: row 0 at its first action slot, said on stderr; a flag beats the
    // configuration; a pad_id of null samples every token.
    void decodeSiteDefaultsAndPrecedence()
    {
        if (!std::filesystem::exists(goldenPath()))
            QSKIP("../shared/reference/ilql/golden.json is absent");
        const json golden = json::parse(std::ifstream(goldenPath()));
        QTemporaryDir dir;
        const QString inputsOnly = writeJson(dir, "inputs.json", golden.at("inputs"));
        json cfg = golden.at("decode").at("snell").at("visdial_sample_adv16").at("config"); // no top-k
        const auto plain = runCli({"--inputs", inputsOnly, "--decode-config", writeJson(dir, "plain.json", cfg)});
        QVERIFY2(plain.code == 0, plain.err.constData());
        QVERIFY2(plain.err.contains("no decoding position"), plain.err.constData());
        const json got = json::parse(plain.out.toStdString());
        const int firstAction = golden.at("inputs").at("action_idxs")[0][0].get<int>();
        QCOMPARE(got.at("row").get<int>(), 0);
        QCOMPARE(got.at("position").get<int>(), firstAction);
        const auto explicitFlags = runCli({"--inputs", inputsOnly, "--decode-config", writeJson(dir, "plain.json", cfg),
                                           "--row", "0", "--position", QString::number(firstAction)});
        QVERIFY2(explicitFlags.code == 0, explicitFlags.err.constData());
        QCOMPARE(json::parse(explicitFlags.out.toStdString()).at("probs"), got.at("probs"));

        cfg["row"] = 1;
        cfg["position"] = 2;
        const auto flagWins = runCli({"--inputs", inputsOnly, "--decode-config", writeJson(dir, "site.json", cfg),
                                      "--position", "1"});
        QVERIFY2(flagWins.code == 0, flagWins.err.constData());
        const json fw = json::parse(flagWins.out.toStdString());
        QCOMPARE(fw.at("row").get<int>(), 1);
        QCOMPARE(fw.at("position").get<int>(), 1);

        // The pad token is -inf by default (0 here) and sampled with pad_id null.
        QCOMPARE(fw.at("full_logits")[0], json("-inf"));
        cfg["pad_id"] = nullptr;
        const auto noPad = runCli({"--inputs", inputsOnly, "--decode-config", writeJson(dir, "nopad.json", cfg)});
        QVERIFY2(noPad.code == 0, noPad.err.constData());
        QVERIFY(json::parse(noPad.out.toStdString()).at("full_logits")[0].is_number());

        cfg["position"] = 99;
        const auto outside = runCli({"--inputs", inputsOnly, "--decode-config", writeJson(dir, "bad.json", cfg)});
        QCOMPARE(outside.code, 1);
        QVERIFY2(outside.err.contains("position 99"), outside.err.constData());
        cfg["position"] = "two";
        const auto typed = runCli({"--inputs", inputsOnly, "--decode-config", writeJson(dir, "bad.json", cfg)});
        QCOMPARE(typed.code, 1);
        QVERIFY2(typed.err.contains("position"), typed.err.constData());
    }

    // A reference model section's ILQL keys read; the loss on given heads is unchanged by them,
    // and stderr says they were not used; its model-loading keys are refused by name.
    void referenceModelKeys()
    {
        if (!std::filesystem::exists(goldenPath()))
            QSKIP("../shared/reference/ilql/golden.json is absent");
        const json golden = json::parse(std::ifstream(goldenPath()));
        QTemporaryDir dir;
        const json& e = golden.at("loss").at("visdial_fixed_padding");
        json cfg = e.at("config");
        const json reference = {{"alpha", 0.005},     {"detach_v", false},       {"detach_q", false},
                                {"detach_pi", false}, {"seperate_policy", true}, {"seperate_target", true},
                                {"advanced_mlp", false}};
        for (const auto& [k, v] : reference.items())
            cfg[k] = v;
        const auto r = runCli({"--inputs", QString::fromStdString(goldenPath()), "--config",
                               writeJson(dir, "cfg.json", cfg)});
        QVERIFY2(r.code == 0, r.err.constData());
        QVERIFY2(r.err.contains("alpha is a training option"), r.err.constData());
        const json got = json::parse(r.out.toStdString());
        QVERIFY(relErr(got.at("total_loss").get<double>(), e.at("float32").at("total_loss").get<double>()) <= 1e-5);
        cfg["gpt2"] = json{{"lm_head", true}};
        const auto bad = runCli({"--inputs", QString::fromStdString(goldenPath()), "--config",
                                 writeJson(dir, "cfg.json", cfg)});
        QCOMPARE(bad.code, 1);
        QVERIFY2(bad.err.contains("gpt2") && bad.err.contains("model-loading"), bad.err.constData());
    }

    void errorsAreClear()
    {
        QTemporaryDir dir;
        auto r = runCli({});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("--inputs"));
        r = runCli({"--inputs", dir.filePath("missing.json")});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("missing.json"));
        const QString bad = writeJson(dir, "bad.json", json{{"tokens", {{1, 2}}}});
        r = runCli({"--inputs", bad});
        QCOMPARE(r.code, 1);
        QVERIFY(r.err.contains("state_idxs"));
        if (std::filesystem::exists(goldenPath())) {
            const QString cfg = writeJson(dir, "cfg.json", json{{"gamma", 0.9}, {"tua", 0.5}});
            r = runCli({"--inputs", QString::fromStdString(goldenPath()), "--config", cfg});
            QCOMPARE(r.code, 1);
            QVERIFY2(r.err.contains("tua"), r.err.constData());
        }
        r = runCli({"--help"});
        QCOMPARE(r.code, 0);
        QVERIFY(r.out.contains("--decode-config"));
    }
};

QTEST_APPLESS_MAIN(TestIlqlCli)
#include "tst_core_ilql_cli.moc"
