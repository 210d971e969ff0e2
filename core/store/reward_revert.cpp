#include "core/store/reward_revert.h"

#include "core/store/database.h"
#include "core/util/error.h"

#include <optional>
#include <string>

namespace hw {

void revertRewardLabel(Database& db, int64_t labelId)
{
    Transaction tx(db);
    Statement find(db, "SELECT dialogue_id FROM reward_labels WHERE id = ?");
    find.bind(1, labelId);
    if (!find.step())
        throw Error("no reward label with id " + std::to_string(labelId));
    const int64_t dialogueId = find.int64(0);
    find.reset();

    Statement del(db, "DELETE FROM reward_labels WHERE id = ?");
    del.bind(1, labelId).exec();

    // The current reward is always the newest label's (DialogueStore::setReward keeps it so).
    std::optional<double> value;
    std::string source;
    Statement latest(db, "SELECT value, source FROM reward_labels WHERE dialogue_id = ? "
                         "ORDER BY id DESC LIMIT 1");
    latest.bind(1, dialogueId);
    if (latest.step()) {
        value = latest.optReal(0);
        if (value)
            source = latest.text(1);
    }
    latest.reset();
    Statement upd(db, "UPDATE dialogues SET reward = ?, reward_source = ? WHERE id = ?");
    upd.bind(1, value).bind(2, source).bind(3, dialogueId).exec();
    tx.commit();
}

} // namespace hw
