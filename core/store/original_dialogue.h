#pragma once
// What an original dialogue is: collected from people and imported, not made by the pipeline (a
// regeneration) nor imagined by an LLM. The one definition, for C++ and for SQL; every stage,
// few-shot pool, training-set preset and LM corpus asks here. Evaluation transcripts (source
// 'simulated', core/eval/simulated_source.h) are not originals either.
#include <string>

namespace hw {

bool isOriginalSource(const std::string& source);

// The same as an SQL condition on the dialogues row `alias`:
// "d.source NOT IN ('regeneration', 'imagined', 'simulated')".
std::string originalDialogueSql(const std::string& alias = "d");

} // namespace hw
