// The start-up environment for the numeric libraries: OpenBLAS kernel family chosen from CPU
// flags, and the CLI re-executing itself once so the value is in place when OpenBLAS loads.
#include "core/util/runtime_env.h"
#include "support/test_paths.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QtTest>

class TestRuntimeEnv : public QObject {
    Q_OBJECT

    static QString cliVersion(const QProcessEnvironment& env)
    {
        QProcess p;
        p.setProcessEnvironment(env);
        p.start(QString::fromStdString(hwtest::cliPath()), {QStringLiteral("--version")});
        if (!p.waitForFinished(60000))
            return QStringLiteral("timed out");
        return QString::fromUtf8(p.readAllStandardOutput());
    }

private Q_SLOTS:
    void coreTypeFromFlags()
    {
        // This machine's kind (family 6 model 207): AVX-512 -> SkylakeX kernels.
        QCOMPARE(hw::openBlasCoreTypeForFlags(" fpu sse2 avx avx2 fma avx512f avx512dq avx512cd avx512bw avx512vl"),
                 std::string("SkylakeX"));
        QCOMPARE(hw::openBlasCoreTypeForFlags("fpu sse2 avx avx2 fma"), std::string("Haswell"));
        // AVX-512 foundation alone (Knights Landing) is not enough for the SkylakeX kernels.
        QCOMPARE(hw::openBlasCoreTypeForFlags("avx2 fma avx512f avx512cd"), std::string("Haswell"));
        QCOMPARE(hw::openBlasCoreTypeForFlags("fpu sse2 sse3 avx"), std::string());
        QCOMPARE(hw::openBlasCoreTypeForFlags(""), std::string());
        // Whole words only.
        QCOMPARE(hw::openBlasCoreTypeForFlags("xavx2 fmax"), std::string());
    }

    void missingListsOnlyUnsetVariables()
    {
        qputenv("OMP_WAIT_POLICY", "ACTIVE");
        QVERIFY(!hw::missingRuntimeEnvironment().count("OMP_WAIT_POLICY"));
        qunsetenv("OMP_WAIT_POLICY");
        QCOMPARE(hw::missingRuntimeEnvironment().at("OMP_WAIT_POLICY"), std::string("PASSIVE"));
        qputenv("OPENBLAS_CORETYPE", "Haswell");
        QVERIFY(!hw::missingRuntimeEnvironment().count("OPENBLAS_CORETYPE"));
        qunsetenv("OPENBLAS_CORETYPE");
        const auto m = hw::missingRuntimeEnvironment();
        const std::string expected = hw::openBlasCoreTypeForFlags(hw::cpuFlags());
        QCOMPARE(m.count("OPENBLAS_CORETYPE") ? m.at("OPENBLAS_CORETYPE") : std::string(), expected);
    }

    void cliSetsItsEnvironmentBeforeOpenBlasLoads()
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("OPENBLAS_CORETYPE"));
        env.remove(QStringLiteral("OMP_WAIT_POLICY"));
        env.remove(QStringLiteral("HW_RUNTIME_ENV"));
        const QString expected = QString::fromStdString(hw::openBlasCoreTypeForFlags(hw::cpuFlags()));
        const QString out = cliVersion(env);
        QVERIFY2(out.contains(QStringLiteral("OMP_WAIT_POLICY=PASSIVE")), qPrintable(out));
        if (!expected.isEmpty())
            QVERIFY2(out.contains(QStringLiteral("OPENBLAS_CORETYPE=") + expected), qPrintable(out));

        // A value the user chose is kept.
        env.insert(QStringLiteral("OPENBLAS_CORETYPE"), QStringLiteral("Haswell"));
        QVERIFY(cliVersion(env).contains(QStringLiteral("OPENBLAS_CORETYPE=Haswell")));

        // HW_NO_REEXEC=1 leaves the environment as it is.
        env.remove(QStringLiteral("OPENBLAS_CORETYPE"));
        env.insert(QStringLiteral("HW_NO_REEXEC"), QStringLiteral("1"));
        QVERIFY(cliVersion(env).contains(QStringLiteral("OPENBLAS_CORETYPE=(OpenBLAS default)")));
    }
};

QTEST_APPLESS_MAIN(TestRuntimeEnv)
#include "tst_core_runtime_env.moc"
