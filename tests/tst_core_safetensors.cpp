// safetensors: save -> load gives identical logits; dtypes; sharded checkpoints; malformed files
// give clear errors naming the file (and the tensor).
#include "core/model/model_io.h"
#include "core/model/safetensors.h"
#include "core/util/error.h"
#include "support/test_paths.h"

#include <torch/torch.h>

#include <filesystem>
#include <fstream>

using namespace hw;
namespace fs = std::filesystem;

namespace {

ModelConfig tinyConfig(bool tied = true, bool bias = false)
{
    auto c = ModelConfig::tiny(50);
    c.tieWordEmbeddings = tied;
    c.attentionBias = bias;
    return c;
}

torch::Tensor someTokens() { return torch::tensor({{1, 5, 9, 3, 7, 2}, {1, 4, 4, 8, 49, 0}}, torch::kLong); }

std::string readAll(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void writeAll(const std::string& path, const std::string& bytes)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), std::streamsize(bytes.size()));
}

// A file with a hand-written header and `dataBytes` zero bytes of data.
std::string makeFile(const std::string& header, size_t dataBytes)
{
    std::string out(8, '\0');
    uint64_t n = header.size();
    for (int i = 0; i < 8; ++i)
        out[size_t(i)] = char((n >> (8 * i)) & 0xff);
    return out + header + std::string(dataBytes, '\0');
}

void expectError(const std::function<void()>& f, const QStringList& needles)
{
    try {
        f();
        QFAIL("expected an hw::Error");
    } catch (const Error& e) {
        const QString msg = QString::fromUtf8(e.what());
        for (const auto& n : needles)
            QVERIFY2(msg.contains(n), qPrintable("'" + n + "' not in: " + msg));
    }
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void saveLoadIdenticalLogits_data()
    {
        QTest::addColumn<bool>("tied");
        QTest::addColumn<bool>("bias");
        QTest::newRow("tied") << true << false;
        QTest::newRow("untied, qkv bias") << false << true;
    }
    void saveLoadIdenticalLogits()
    {
        QFETCH(bool, tied);
        QFETCH(bool, bias);
        torch::manual_seed(1);
        Transformer a(tinyConfig(tied, bias));
        a->eval();
        QTemporaryDir dir;
        saveModelDirectory(dir.path().toStdString(), a, nullptr);
        QVERIFY(QFile::exists(dir.filePath("config.json")));
        QVERIFY(QFile::exists(dir.filePath("model.safetensors")));
        const auto f = safetensors::File::open(dir.filePath("model.safetensors").toStdString());
        QVERIFY(f.contains("model.embed_tokens.weight"));
        QVERIFY(f.contains("model.layers.1.self_attn.q_proj.weight"));
        QVERIFY(f.contains("model.layers.0.mlp.down_proj.weight"));
        QVERIFY(f.contains("model.norm.weight"));
        QCOMPARE(f.contains("lm_head.weight"), !tied);
        QCOMPARE(f.contains("model.layers.0.self_attn.k_proj.bias"), bias);
        QCOMPARE(f.metadata().at("format"), std::string("pt"));

        LoadOptions lo;
        lo.device = "cpu";
        lo.loadTokenizer = false;
        auto loaded = loadModelDirectory(dir.path().toStdString(), lo);
        loaded.model->eval();
        torch::NoGradGuard ng;
        const auto la = a->forward(someTokens()).logits;
        const auto lb = loaded.model->forward(someTokens()).logits;
        QVERIFY(torch::equal(la, lb));
    }

    void halfPrecisionRoundTrip()
    {
        torch::manual_seed(2);
        auto t = torch::randn({3, 5});
        QTemporaryDir dir;
        const std::string path = dir.filePath("t.safetensors").toStdString();
        safetensors::save(path, {{"a", t}, {"b", t}, {"i", torch::arange(7)}}, {}, torch::kBFloat16);
        safetensors::File f = safetensors::File::open(path);
        QCOMPARE(f.info("a").dtype, std::string("BF16"));
        QCOMPARE(f.info("i").dtype, std::string("I64"));
        QVERIFY(torch::equal(f.read("a"), t.to(torch::kBFloat16)));
        QVERIFY(torch::equal(f.read("i"), torch::arange(7)));
        safetensors::save(path, {{"h", t.to(torch::kHalf)}});
        QVERIFY(torch::equal(safetensors::load(path).at("h"), t.to(torch::kHalf)));
        // the data section starts 8-byte aligned
        const auto bytes = readAll(path);
        uint64_t n = 0;
        for (int i = 7; i >= 0; --i)
            n = (n << 8) | uint8_t(bytes[size_t(i)]);
        QCOMPARE((8 + n) % 8, uint64_t(0));
    }

    void shardedCheckpoint()
    {
        torch::manual_seed(3);
        Transformer a(tinyConfig(false));
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        a->config().save(d + "/config.json");
        auto w = a->namedWeights();
        const size_t half = w.size() / 2;
        std::vector<std::pair<std::string, torch::Tensor>> s1(w.begin(), w.begin() + long(half)), s2(w.begin() + long(half), w.end());
        safetensors::save(d + "/model-00001-of-00002.safetensors", s1);
        safetensors::save(d + "/model-00002-of-00002.safetensors", s2);
        nlohmann::json index;
        for (auto& [n, t] : s1) index["weight_map"][n] = "model-00001-of-00002.safetensors";
        for (auto& [n, t] : s2) index["weight_map"][n] = "model-00002-of-00002.safetensors";
        std::ofstream(d + "/model.safetensors.index.json") << index.dump();
        LoadOptions lo;
        lo.device = "cpu";
        lo.loadTokenizer = false;
        auto b = loadModelDirectory(d, lo);
        torch::NoGradGuard ng;
        a->eval();
        b.model->eval();
        QVERIFY(torch::equal(a->forward(someTokens()).logits, b.model->forward(someTokens()).logits));
    }

    void malformedFiles_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("expected");
        auto raw = [](const std::string& header, size_t data) { return QByteArray::fromStdString(makeFile(header, data)); };
        QTest::newRow("empty") << QByteArray() << "shorter than the 8-byte header length";
        QTest::newRow("header longer than file") << raw("{}", 0).left(8) + QByteArray("{") << "runs past the end";
        QTest::newRow("bad json") << raw("{\"a\": {\"dtype\": \"F32\", ", 0) << "not valid JSON";
        QTest::newRow("not an object") << raw("[1, 2]", 0) << "not a JSON object";
        QTest::newRow("unknown dtype") << raw(R"({"w": {"dtype": "F8_E9", "shape": [2], "data_offsets": [0, 2]}})", 2)
                                       << "tensor 'w': unknown dtype 'F8_E9'";
        QTest::newRow("offsets past end") << raw(R"({"w": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}})", 8)
                                          << "tensor 'w': data_offsets [0, 16] run past the end";
        QTest::newRow("size mismatch") << raw(R"({"w": {"dtype": "F32", "shape": [3], "data_offsets": [0, 8]}})", 8)
                                       << "tensor 'w': 8 bytes for shape [3]";
        QTest::newRow("reversed offsets") << raw(R"({"w": {"dtype": "F32", "shape": [0], "data_offsets": [8, 0]}})", 8)
                                          << "reversed";
        QTest::newRow("overlap") << raw(R"({"a": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
                                            "b": {"dtype": "F32", "shape": [2], "data_offsets": [4, 12]}})", 12)
                                 << "overlap";
        QTest::newRow("missing fields") << raw(R"({"w": {"dtype": "F32"}})", 0) << "tensor 'w': entry needs";
        QTest::newRow("negative dim") << raw(R"({"w": {"dtype": "F32", "shape": [-1], "data_offsets": [0, 0]}})", 0)
                                      << "negative";
    }
    void malformedFiles()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, expected);
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.safetensors");
        writeAll(path.toStdString(), content.toStdString());
        expectError([&] { safetensors::File::open(path.toStdString()); }, {path, expected});
    }

    void truncatedModelFile()
    {
        torch::manual_seed(4);
        Transformer a(tinyConfig());
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        saveModelDirectory(d, a, nullptr);
        const std::string file = d + "/model.safetensors";
        const auto bytes = readAll(file);
        writeAll(file, bytes.substr(0, bytes.size() - 100));
        LoadOptions lo;
        lo.loadTokenizer = false;
        lo.device = "cpu";
        expectError([&] { loadModelDirectory(d, lo); }, {QString::fromStdString(file), "truncated"});
    }

    void wrongShapeVsConfig()
    {
        torch::manual_seed(5);
        Transformer a(tinyConfig());
        QTemporaryDir dir;
        const std::string d = dir.path().toStdString();
        saveModelDirectory(d, a, nullptr);
        // config says a larger FFN than the stored weights
        auto cfg = tinyConfig();
        cfg.intermediateSize = 96;
        cfg.save(d + "/config.json");
        LoadOptions lo;
        lo.loadTokenizer = false;
        lo.device = "cpu";
        expectError([&] { loadModelDirectory(d, lo); },
                    {QString::fromStdString(d + "/model.safetensors"), "model.layers.0.mlp.gate_proj.weight", "[64, 32]",
                     "expects [96, 32]"});
        // missing tensor (config says 3 layers, file has 2)
        cfg = tinyConfig();
        cfg.numHiddenLayers = 3;
        cfg.save(d + "/config.json");
        expectError([&] { loadModelDirectory(d, lo); }, {"missing tensor 'model.layers.2."});
        // unexpected tensor (config says 1 layer)
        cfg.numHiddenLayers = 1;
        cfg.save(d + "/config.json");
        expectError([&] { loadModelDirectory(d, lo); }, {"unexpected tensor 'model.layers.1."});
        // bad config
        std::ofstream(d + "/config.json") << R"({"hidden_size": 30, "num_attention_heads": 4, "vocab_size": 50,
            "intermediate_size": 64, "num_hidden_layers": 2})";
        expectError([&] { loadModelDirectory(d, lo); }, {QString::fromStdString(d + "/config.json"), "multiple of num_attention_heads"});
    }

    void configJsonRoundTrip()
    {
        // A TinyLlama-style HF config.json
        const auto j = nlohmann::json::parse(R"({
          "architectures": ["LlamaForCausalLM"], "bos_token_id": 1, "eos_token_id": 2, "hidden_act": "silu",
          "hidden_size": 2048, "initializer_range": 0.02, "intermediate_size": 5632,
          "max_position_embeddings": 2048, "model_type": "llama", "num_attention_heads": 32,
          "num_hidden_layers": 22, "num_key_value_heads": 4, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
          "rope_scaling": null, "rope_theta": 10000.0, "tie_word_embeddings": false, "torch_dtype": "bfloat16",
          "transformers_version": "4.35.0", "use_cache": true, "vocab_size": 32000})");
        const auto c = ModelConfig::fromJson(j);
        QCOMPARE(c.hiddenSize, int64_t(2048));
        QCOMPARE(c.numKeyValueHeads, int64_t(4));
        QCOMPARE(c.effectiveHeadDim(), int64_t(64));
        QVERIFY(!c.tieWordEmbeddings);
        QCOMPARE(c.torchDtype, std::string("bfloat16"));
        QCOMPARE(c.parameterCount(), int64_t(1100048384)); // TinyLlama-1.1B
        const auto back = ModelConfig::fromJson(c.toJson());
        QCOMPARE(back.toJson(), c.toJson());
        auto scaled = j;
        scaled["rope_scaling"] = {{"type", "dynamic"}, {"factor", 2.0}};
        QVERIFY_THROWS_EXCEPTION(Error, ModelConfig::fromJson(scaled));
        auto qwen = j;
        qwen["model_type"] = "qwen2";
        QVERIFY(ModelConfig::fromJson(qwen).attentionBias);
        QVERIFY(!ModelConfig::fromJson(qwen).outputProjectionBias());
    }
};

QTEST_APPLESS_MAIN(TestSafetensors)
#include "tst_core_safetensors.moc"
