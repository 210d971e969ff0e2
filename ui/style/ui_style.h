#pragma once
// The workbench's colours and small metrics in one place, so widgets name a role ("muted text",
// "series 3") instead of a hex value, and a theme change is one file.
#include <QColor>
#include <QString>

namespace hw::ui::style {

QColor bodyText();           // text on the light surfaces the workbench paints itself
QColor secondaryText();      // intros, critiques, counts: one step below body text
QColor mutedText();          // hints, secondary labels
QColor faintText();          // placeholders ("unlabeled"), the model's raw text beside an edit
QColor crosshair();          // chart hover line
QColor hoverBackground();    // chart hover value box
QColor hoverBorder();
QColor errorText();
QColor errorBackground();
QColor errorBorder();
QColor okText();
QColor warningText();
QColor warningBackground();
QColor warningBorder();
QColor infoText();           // a notice (the Jobs banner), the selected sidebar page
QColor infoBackground();
QColor infoBorder();
QColor progressFill();       // a job that is running or done
QColor progressDoneFill();   // a job that finished
QColor progressPausedFill(); // paused, cancelled or stalled
QColor progressFailedFill(); // failed items
QColor progressTrack();

QColor regenerationColour();  // hindsight regenerations (histogram bars, marked turns)
QColor regenerationBackground();

QColor humanRewardText();     // a reward set by hand
QColor rewardText();          // a reward from the dataset or a labeler

// Branch comparison (Regenerations): the turns both dialogues share, the turn the branch
// replaced, and what the branch said after it.
QColor sharedPrefixBackground();
QColor replacedTurnBackground();
QColor continuationBackground();

// Word diffs: removed and inserted words.
QColor diffRemovedText();
QColor diffRemovedBackground();
QColor diffAddedText();
QColor diffAddedBackground();

// Surfaces.
QColor cardBackground();         // a suggestion card, the proposed text's box
QColor cardBorder();
QColor cardCurrentBorder();      // the card the keyboard acts on
QColor cardDimmedBackground();   // a rejected suggestion
QColor quoteBackground();        // the original text quoted in a card
QColor deckBackground();         // behind the suggestion cards
QColor turnListBackground();     // a dialogue's turns
QColor chatBackground();         // a chat column
QColor sidebarBackground();
QColor sidebarBorder();
QColor sidebarSelectedBackground();

// A job's, run's or suggestion's state (status columns, card accents): the same colour for the same
// state on every page.
QColor stateRunning();   // running, proposed: waiting for something
QColor stateDone();      // done, accepted
QColor stateFailed();    // failed, failed items
QColor stateStopped();   // stopped, cancelled, stale (no heartbeat)
QColor flagText();       // a dialogue flagged for review

// Task kinds (Dataset page cards).
QColor counselingTask();
QColor persuasionTask();
QColor otherTask();

// Branch comparison, the original's side of a replaced / changed turn, the bar that marks where
// the branch diverges, and the veil over the shared prefix.
QColor replacedOriginalBackground();
QColor changedOriginalBackground();
QColor divergenceMarker();
QColor sharedPrefixVeil();

// Chat bubbles (dialogue view, chat page, token shading): fill, border and speaker name per role,
// and the small tags (e.g. "regenerated").
QColor agentBubbleFill();
QColor agentBubbleBorder();
QColor agentName();
QColor userBubbleFill();
QColor userBubbleBorder();
QColor userName();
QColor neutralBubbleFill();
QColor tagFill();
QColor tagBorder();
QColor tagText();
// Token advantage shading: below and above zero.
QColor advantageNegative();
QColor advantagePositive();

// Reward scale, low to high (branch tree chips), and "no reward yet".
QColor rewardLow();
QColor rewardMid();
QColor rewardHigh();
QColor rewardUnknown();

// Branch tree (Regenerations).
QColor treeBackground();
QColor treeEdge();
QColor treeCurrentPath();
QColor groupBorder();
QColor groupFill();
QColor groupHoverFill();
QColor titleText();          // strongest text: node titles
QColor separator();          // thin lines between parts of a widget

// The i-th series colour of a chart (cycles; distinct on white and for common colour blindness
// in the first four).
QColor seriesColour(int i);
int seriesColourCount();

// "color: #6b7280" style sheet fragment for a label of that colour.
QString colorCss(const QColor& colour);
QString mutedTextCss();
QString secondaryTextCss();
QString errorTextCss();
QString okTextCss();
QString warningTextCss();
QString errorBannerCss();
// A notice above a table (the Jobs page's banner).
QString infoBannerCss();
// The page list at the window's left.
QString sidebarCss(const QString& objectName);

// Empty states (ui/widgets/empty_state.h): the column width and the title's size.
int emptyStateWidth();
double emptyStateTitleScale();

} // namespace hw::ui::style
