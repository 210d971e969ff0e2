#include "ui/style/ui_style.h"

#include <iterator>

namespace hw::ui::style {

namespace {

const QColor kSeries[] = {QColor(0x25, 0x63, 0xeb), QColor(0xdc, 0x26, 0x26), QColor(0x16, 0xa3, 0x4a),
                          QColor(0xd9, 0x77, 0x06), QColor(0x93, 0x33, 0xea), QColor(0x08, 0x91, 0xb2),
                          QColor(0xdb, 0x27, 0x77), QColor(0x4b, 0x55, 0x63), QColor(0x65, 0xa3, 0x0d),
                          QColor(0x7c, 0x2d, 0x12)};

} // namespace

QColor bodyText() { return QColor(0x1f, 0x29, 0x37); }
QColor secondaryText() { return QColor(0x4b, 0x55, 0x63); }
QColor mutedText() { return QColor(0x6b, 0x72, 0x80); }
QColor faintText() { return QColor(0x9c, 0xa3, 0xaf); }
QColor crosshair() { return QColor(0x6b, 0x72, 0x80); }
QColor hoverBackground() { return QColor(255, 255, 255, 235); }
QColor hoverBorder() { return QColor(0xd1, 0xd5, 0xdb); }
QColor errorText() { return QColor(0x99, 0x1b, 0x1b); }
QColor errorBackground() { return QColor(0xfe, 0xf2, 0xf2); }
QColor errorBorder() { return QColor(0xfe, 0xca, 0xca); }
QColor okText() { return QColor(0x16, 0x65, 0x34); }
QColor warningText() { return QColor(0x92, 0x40, 0x0e); }
QColor warningBackground() { return QColor(0xff, 0xfb, 0xeb); }
QColor warningBorder() { return QColor(0xfc, 0xd3, 0x4d); }
QColor infoText() { return QColor(0x1e, 0x3a, 0x8a); }
QColor infoBackground() { return QColor(0xef, 0xf6, 0xff); }
QColor infoBorder() { return QColor(0xbf, 0xdb, 0xfe); }
QColor progressFill() { return QColor(0x3b, 0x82, 0xf6); }
QColor progressDoneFill() { return QColor(0x22, 0xc5, 0x5e); }
QColor progressPausedFill() { return QColor(0xf5, 0x9e, 0x0b); }
QColor progressFailedFill() { return QColor(0xef, 0x44, 0x44); }
QColor progressTrack() { return QColor(0xe5, 0xe7, 0xeb); }

QColor regenerationColour() { return QColor(0x93, 0x33, 0xea); }
QColor regenerationBackground() { return QColor(0xf5, 0xf3, 0xff); }

QColor humanRewardText() { return QColor(0x7c, 0x3a, 0xed); }
QColor rewardText() { return QColor(0x04, 0x78, 0x57); }

QColor sharedPrefixBackground() { return QColor(0xf3, 0xf4, 0xf6); }
QColor replacedTurnBackground() { return QColor(0xfe, 0xf3, 0xc7); }
QColor continuationBackground() { return QColor(0xec, 0xfd, 0xf5); }

QColor diffRemovedText() { return QColor(0xb9, 0x1c, 0x1c); }
QColor diffRemovedBackground() { return QColor(0xfe, 0xe2, 0xe2); }
QColor diffAddedText() { return QColor(0x16, 0x65, 0x34); }
QColor diffAddedBackground() { return QColor(0xdc, 0xfc, 0xe7); }

QColor cardBackground() { return QColor(0xff, 0xff, 0xff); }
QColor cardBorder() { return QColor(0xe5, 0xe7, 0xeb); }
QColor cardCurrentBorder() { return QColor(0x25, 0x63, 0xeb); }
QColor cardDimmedBackground() { return QColor(0xfa, 0xfa, 0xfa); }
QColor quoteBackground() { return QColor(0xf3, 0xf4, 0xf6); }
QColor deckBackground() { return QColor(0xf8, 0xfa, 0xfc); }
QColor turnListBackground() { return QColor(0xfb, 0xfb, 0xfc); }
QColor chatBackground() { return QColor(0xff, 0xff, 0xff); }
QColor sidebarBackground() { return QColor(0xf1, 0xf3, 0xf6); }
QColor sidebarBorder() { return QColor(0xd6, 0xd9, 0xde); }
QColor sidebarSelectedBackground() { return QColor(0xdb, 0xe6, 0xfb); }

QColor stateRunning() { return QColor(0x1d, 0x4e, 0xd8); }
QColor stateDone() { return QColor(0x15, 0x80, 0x3d); }
QColor stateFailed() { return QColor(0xb9, 0x1c, 0x1c); }
QColor stateStopped() { return QColor(0xb4, 0x53, 0x09); }
QColor flagText() { return QColor(0xb4, 0x53, 0x09); }

QColor counselingTask() { return QColor(0x25, 0x63, 0xeb); }
QColor persuasionTask() { return QColor(0xd9, 0x77, 0x06); }
QColor otherTask() { return QColor(0x6d, 0x28, 0xd9); }

QColor replacedOriginalBackground() { return QColor(0xfe, 0xf9, 0xe7); }
QColor changedOriginalBackground() { return QColor(0xff, 0xf7, 0xf7); }
QColor divergenceMarker() { return QColor(0xf5, 0x9e, 0x0b); }
QColor sharedPrefixVeil() { return QColor(0xf3, 0xf4, 0xf6, 140); }

QColor agentBubbleFill() { return QColor(0xe3, 0xef, 0xff); }
QColor agentBubbleBorder() { return QColor(0x9c, 0xc3, 0xf5); }
QColor agentName() { return QColor(0x1d, 0x4e, 0xd8); }
QColor userBubbleFill() { return QColor(0xea, 0xf6, 0xe4); }
QColor userBubbleBorder() { return QColor(0xaa, 0xd4, 0x98); }
QColor userName() { return QColor(0x3f, 0x7d, 0x20); }
QColor neutralBubbleFill() { return QColor(0xf8, 0xfa, 0xfc); }
QColor tagFill() { return QColor(0xff, 0xf4, 0xcc); }
QColor tagBorder() { return QColor(0xe8, 0xc5, 0x4a); }
QColor tagText() { return QColor(0x7a, 0x5b, 0x00); }
QColor advantageNegative() { return QColor(0xd6, 0x60, 0x4d); }
QColor advantagePositive() { return QColor(0x43, 0x93, 0xc3); }

QColor rewardLow() { return QColor(0xef, 0x44, 0x44); }
QColor rewardMid() { return QColor(0xf5, 0x9e, 0x0b); }
QColor rewardHigh() { return QColor(0x22, 0xc5, 0x5e); }
QColor rewardUnknown() { return QColor(0xd1, 0xd5, 0xdb); }

QColor treeBackground() { return QColor(0xfb, 0xfc, 0xfd); }
QColor treeEdge() { return QColor(0xcb, 0xd5, 0xe1); }
QColor treeCurrentPath() { return QColor(0x25, 0x63, 0xeb); }
QColor groupBorder() { return QColor(0x94, 0xa3, 0xb8); }
QColor groupFill() { return QColor(0xf1, 0xf5, 0xf9); }
QColor groupHoverFill() { return QColor(0xe2, 0xe8, 0xf0); }
QColor titleText() { return QColor(0x11, 0x18, 0x27); }
QColor separator() { return QColor(0xd1, 0xd5, 0xdb); }

QColor seriesColour(int i)
{
    const int n = static_cast<int>(std::size(kSeries));
    return kSeries[((i % n) + n) % n];
}

int seriesColourCount() { return static_cast<int>(std::size(kSeries)); }

QString colorCss(const QColor& colour) { return QStringLiteral("color: %1").arg(colour.name()); }
QString mutedTextCss() { return colorCss(mutedText()); }
QString secondaryTextCss() { return colorCss(secondaryText()); }
QString errorTextCss() { return colorCss(errorText()); }
QString okTextCss() { return colorCss(okText()); }
QString warningTextCss() { return colorCss(warningText()); }

QString errorBannerCss()
{
    return QStringLiteral("color: %1; background: %2; padding: 4px; border-radius: 3px")
        .arg(errorText().name(), errorBackground().name());
}

QString infoBannerCss()
{
    return QStringLiteral("QLabel { background: %1; border: 1px solid %2; border-radius: 4px; padding: 5px 8px; "
                          "color: %3; }")
        .arg(infoBackground().name(), infoBorder().name(), infoText().name());
}

QString sidebarCss(const QString& objectName)
{
    // outline: 0 — no focus frame inside the selected page (the selection already shows it).
    return QStringLiteral("QListWidget#%1 { background: %2; border-right: 1px solid %3; outline: 0; }"
                          "QListWidget#%1::item { padding: 8px 6px; border-radius: 6px; color: %4; }"
                          "QListWidget#%1::item:selected { background: %5; color: %6; }")
        .arg(objectName, sidebarBackground().name(), sidebarBorder().name(), bodyText().name(),
             sidebarSelectedBackground().name(), infoText().name());
}

int emptyStateWidth() { return 560; }
double emptyStateTitleScale() { return 1.35; }

} // namespace hw::ui::style
