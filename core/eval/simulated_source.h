#pragma once
// The dialogue source of evaluation episodes (core/eval/evaluation_job.h): transcripts of an
// agent against a simulated user. They are stored with the project's dialogues for the episode
// browser but are never relabelled, trained on or used as few-shots unless named explicitly.
namespace hw::source {
inline constexpr const char* kSimulated = "simulated";
} // namespace hw::source
