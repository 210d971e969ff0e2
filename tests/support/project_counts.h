#pragma once
// Row counts of the tables an import writes, to check that a failed import changed nothing.
#include "core/store/database.h"

#include <QtTest>

#include <string>

namespace hwtest {

struct ProjectCounts {
    int64_t tasks = 0, dialogues = 0, turns = 0, fts = 0, labels = 0;
    std::string digest; // every dialogue's id, uid, reward, flags and turn count, in id order

    static ProjectCounts of(hw::Database& db)
    {
        ProjectCounts c;
        c.tasks = *db.queryInt64("SELECT count(*) FROM tasks");
        c.dialogues = *db.queryInt64("SELECT count(*) FROM dialogues");
        c.turns = *db.queryInt64("SELECT count(*) FROM turns");
        c.fts = *db.queryInt64("SELECT count(*) FROM dialogue_fts");
        c.labels = *db.queryInt64("SELECT count(*) FROM reward_labels");
        hw::Statement st(db, "SELECT group_concat(id || ':' || uid || ':' || ifnull(reward, '-') || ':' "
                             "|| flags || ':' || n_turns, ';') FROM (SELECT * FROM dialogues ORDER BY id)");
        if (st.step())
            c.digest = st.text(0);
        return c;
    }
    bool operator==(const ProjectCounts& o) const
    {
        return tasks == o.tasks && dialogues == o.dialogues && turns == o.turns && fts == o.fts
               && labels == o.labels && digest == o.digest;
    }
    QString toString() const
    {
        return QString("tasks %1 dialogues %2 turns %3 fts %4 labels %5")
            .arg(tasks).arg(dialogues).arg(turns).arg(fts).arg(labels);
    }
};

} // namespace hwtest
