#pragma once
// The workbench's colours and small metrics in one place, so widgets name a role ("muted text",
// "series 3") instead of a hex value, and a theme change is one file.
#include <QColor>
#include <QString>

namespace hw::ui::style {

QColor mutedText();          // hints, secondary labels
QColor crosshair();          // chart hover line
QColor hoverBackground();    // chart hover value box
QColor hoverBorder();
QColor errorText();
QColor errorBackground();
QColor okText();
QColor warningText();
QColor progressFill();       // a job that is running or done
QColor progressDoneFill();   // a job that finished
QColor progressPausedFill(); // paused, cancelled or stalled
QColor progressFailedFill(); // failed items
QColor progressTrack();

QColor regenerationColour();  // hindsight regenerations (histogram bars, marked turns)
QColor regenerationBackground();

// The i-th series colour of a chart (cycles; distinct on white and for common colour blindness
// in the first four).
QColor seriesColour(int i);
int seriesColourCount();

// "color: #6b7280" style sheet fragment for a muted label.
QString mutedTextCss();
QString errorBannerCss();

} // namespace hw::ui::style
