#include "ui/style/ui_style.h"

#include <iterator>

namespace hw::ui::style {

namespace {

const QColor kSeries[] = {QColor(0x25, 0x63, 0xeb), QColor(0xdc, 0x26, 0x26), QColor(0x16, 0xa3, 0x4a),
                          QColor(0xd9, 0x77, 0x06), QColor(0x93, 0x33, 0xea), QColor(0x08, 0x91, 0xb2),
                          QColor(0xdb, 0x27, 0x77), QColor(0x4b, 0x55, 0x63), QColor(0x65, 0xa3, 0x0d),
                          QColor(0x7c, 0x2d, 0x12)};

} // namespace

QColor mutedText() { return QColor(0x6b, 0x72, 0x80); }
QColor crosshair() { return QColor(0x6b, 0x72, 0x80); }
QColor hoverBackground() { return QColor(255, 255, 255, 235); }
QColor hoverBorder() { return QColor(0xd1, 0xd5, 0xdb); }
QColor errorText() { return QColor(0x99, 0x1b, 0x1b); }
QColor errorBackground() { return QColor(0xfe, 0xf2, 0xf2); }
QColor okText() { return QColor(0x16, 0x65, 0x34); }
QColor warningText() { return QColor(0x92, 0x40, 0x0e); }
QColor progressFill() { return QColor(0x3b, 0x82, 0xf6); }
QColor progressDoneFill() { return QColor(0x22, 0xc5, 0x5e); }
QColor progressPausedFill() { return QColor(0xf5, 0x9e, 0x0b); }
QColor progressFailedFill() { return QColor(0xef, 0x44, 0x44); }
QColor progressTrack() { return QColor(0xe5, 0xe7, 0xeb); }

QColor regenerationColour() { return QColor(0x93, 0x33, 0xea); }
QColor regenerationBackground() { return QColor(0xf5, 0xf3, 0xff); }

QColor seriesColour(int i)
{
    const int n = static_cast<int>(std::size(kSeries));
    return kSeries[((i % n) + n) % n];
}

int seriesColourCount() { return static_cast<int>(std::size(kSeries)); }

QString mutedTextCss() { return QStringLiteral("color: %1").arg(mutedText().name()); }

QString errorBannerCss()
{
    return QStringLiteral("color: %1; background: %2; padding: 4px; border-radius: 3px")
        .arg(errorText().name(), errorBackground().name());
}

} // namespace hw::ui::style
