// hindsight-workbench: the desktop GUI.
//   hindsight-workbench [PROJECT.hwb] [--page TITLE] [--screenshot FILE.png] [--size WxH]
// --screenshot renders the window to a PNG once the project is loaded, then exits; without a
// display it runs on the offscreen platform, so docs and tests can call it anywhere.
#include "core/model/device.h"
#include "core/util/runtime_env.h"
#include "ui/main_window.h"
#include "ui/pages/page.h"
#include "ui/project_session.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QPixmap>
#include <QTimer>

#include <cstdio>
#include <cstring>

#ifndef HW_VERSION
#define HW_VERSION "0.1.0" // CMake passes PROJECT_VERSION when it can
#endif

namespace {

bool wantsScreenshot(int argc, char** argv)
{
    for (int i = 1; i < argc; ++i)
        if (std::strncmp(argv[i], "--screenshot", 12) == 0)
            return true;
    return false;
}

} // namespace

int main(int argc, char** argv)
{
    // OpenBLAS's kernel choice and OpenMP's wait policy are read when the libraries load: set
    // them and start again once (core/util/runtime_env.h).
    hw::ensureRuntimeEnvironment(argc, argv);
    if (wantsScreenshot(argc, argv) && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")
        && qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY"))
        qputenv("QT_QPA_PLATFORM", "offscreen");

    hw::configureTorchThreads(); // chat agents generate in this process
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("hindsight-workbench"));
    QApplication::setApplicationName(QStringLiteral("Hindsight Workbench"));
    QApplication::setApplicationVersion(QStringLiteral(HW_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("hindsight-workbench"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Hindsight Workbench: offline RL on hindsight regenerations."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("project"), QStringLiteral("Project file (.hwb) to open."), QStringLiteral("[project]"));
    QCommandLineOption screenshot(QStringLiteral("screenshot"),
                                  QStringLiteral("Render the window to FILE (PNG) after loading, then exit."),
                                  QStringLiteral("FILE"));
    QCommandLineOption page(QStringLiteral("page"), QStringLiteral("Page to show first (e.g. Dialogues, Dataset)."),
                            QStringLiteral("TITLE"));
    QCommandLineOption size(QStringLiteral("size"), QStringLiteral("Window size for --screenshot (default 1400x860)."),
                            QStringLiteral("WxH"), QStringLiteral("1400x860"));
    parser.addOptions({screenshot, page, size});
    parser.process(app);

    hw::ui::MainWindow window;
    const bool shot = parser.isSet(screenshot);
    if (shot) {
        window.setInteractive(false);
        window.setPersistGeometry(false);
        const QStringList wh = parser.value(size).split(QLatin1Char('x'));
        if (wh.size() == 2)
            window.resize(wh[0].toInt(), wh[1].toInt());
    }
    const QStringList args = parser.positionalArguments();
    bool ok = true;
    if (!args.isEmpty())
        ok = window.openProject(QFileInfo(args.first()).absoluteFilePath());
    if (parser.isSet(page) && !window.showPage(parser.value(page)))
        std::fprintf(stderr, "hindsight-workbench: no page named '%s'\n", qPrintable(parser.value(page)));
    window.show();

    if (!shot)
        return app.exec();

    // Let layouts, the first table page and the charts settle before grabbing.
    int rc = ok ? 0 : 1;
    QTimer::singleShot(400, &window, [&] {
        const QString file = parser.value(screenshot);
        const QImage image = window.grab().toImage();
        if (!image.save(file, "PNG")) {
            std::fprintf(stderr, "hindsight-workbench: cannot write %s\n", qPrintable(file));
            rc = 1;
        } else {
            std::fprintf(stderr, "hindsight-workbench: wrote %s (%dx%d)\n", qPrintable(file), image.width(),
                         image.height());
        }
        window.close();
        app.quit();
    });
    app.exec();
    return rc;
}
