#include "core/store/schema.h"

#include "core/store/database.h"
#include "core/util/error.h"

#include <sqlite3.h>

#include <optional>
#include <string>
#include <vector>

namespace hw {
namespace {

// Each entry migrates version i to i+1. Append only; never edit a released step.
// Version 1 lays out every table the workbench uses, including those that later features fill:
// suggestions (hindsight relabels), regenerations (lineage), reward labels, LLM call cache, jobs,
// training sets, runs/metrics/checkpoints, chat sessions and ratings.
const std::vector<const char*> kMigrations = {
    R"SQL(
CREATE TABLE project_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE tasks (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    kind        TEXT NOT NULL CHECK (kind IN ('counseling', 'persuasion', 'custom')),
    agent_role  TEXT NOT NULL,
    user_role   TEXT NOT NULL,
    reward_name TEXT NOT NULL,
    reward_min  REAL NOT NULL,
    reward_max  REAL NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

CREATE TABLE dialogues (
    id            INTEGER PRIMARY KEY,
    uid           TEXT NOT NULL,
    task_id       INTEGER NOT NULL REFERENCES tasks(id),
    source        TEXT NOT NULL,
    split         TEXT NOT NULL DEFAULT '',
    n_turns       INTEGER NOT NULL,
    n_agent_turns INTEGER NOT NULL,
    reward        REAL,                     -- current reward (latest label), NULL = unlabeled
    reward_source TEXT NOT NULL DEFAULT '', -- dataset | llm | model | human
    flags         INTEGER NOT NULL DEFAULT 0,
    metadata      TEXT NOT NULL DEFAULT '{}',
    parent_id     INTEGER REFERENCES dialogues(id) ON DELETE CASCADE,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    UNIQUE (task_id, uid)
);
CREATE INDEX dialogues_task_reward ON dialogues(task_id, reward);
CREATE INDEX dialogues_source ON dialogues(source);
CREATE INDEX dialogues_parent ON dialogues(parent_id);

CREATE TABLE turns (
    dialogue_id INTEGER NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    role        TEXT NOT NULL CHECK (role IN ('agent', 'user')),
    text        TEXT NOT NULL,
    annotations TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (dialogue_id, idx)
) WITHOUT ROWID;

-- Full-text index over a dialogue's utterances; rowid = dialogues.id.
CREATE VIRTUAL TABLE dialogue_fts USING fts5(body, tokenize = 'unicode61');

CREATE TABLE reward_labels (
    id          INTEGER PRIMARY KEY,
    dialogue_id INTEGER NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    value       REAL,                       -- NULL = labeler said unfinished / no value
    source      TEXT NOT NULL CHECK (source IN ('dataset', 'llm', 'model', 'human')),
    provenance  TEXT NOT NULL DEFAULT '{}', -- prompt file + hash, endpoint, model, checkpoint, user
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX reward_labels_dialogue ON reward_labels(dialogue_id);

CREATE TABLE jobs (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL,               -- relabel | regenerate | label | aggregate | imagine | import | train
    name       TEXT NOT NULL DEFAULT '',
    config     TEXT NOT NULL DEFAULT '{}',
    status     TEXT NOT NULL DEFAULT 'pending'
               CHECK (status IN ('pending', 'running', 'paused', 'cancelled', 'failed', 'done')),
    done       INTEGER NOT NULL DEFAULT 0,
    failed     INTEGER NOT NULL DEFAULT 0,
    total      INTEGER NOT NULL DEFAULT 0,
    summary    TEXT NOT NULL DEFAULT '{}',  -- tokens, cost, requests, cache hits
    error      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- One row per finished (or failed) unit of a job, so a resumed job skips what is done.
CREATE TABLE job_items (
    job_id     INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    item_key   TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    result     TEXT NOT NULL DEFAULT '{}',
    error      TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (job_id, item_key)
) WITHOUT ROWID;

CREATE TABLE llm_calls (
    id                INTEGER PRIMARY KEY,
    request_hash      TEXT NOT NULL UNIQUE,  -- hash of endpoint, model, messages, sampling, sample index
    endpoint          TEXT NOT NULL,
    model             TEXT NOT NULL,
    request           TEXT NOT NULL,         -- JSON body sent (never contains the API key)
    response          TEXT NOT NULL,         -- raw JSON body received
    content           TEXT NOT NULL DEFAULT '',
    prompt_tokens     INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    latency_ms        REAL NOT NULL DEFAULT 0,
    cost              REAL NOT NULL DEFAULT 0,
    job_id            INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE suggestions (
    id            INTEGER PRIMARY KEY,
    dialogue_id   INTEGER NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    turn_idx      INTEGER,                 -- NULL when the quoted utterance could not be matched
    rank          INTEGER NOT NULL DEFAULT 0, -- 1..3 in the controller's reply
    original_text TEXT NOT NULL DEFAULT '',
    critique      TEXT NOT NULL DEFAULT '',
    proposed_text TEXT NOT NULL DEFAULT '',
    status        TEXT NOT NULL DEFAULT 'proposed'
                  CHECK (status IN ('proposed', 'accepted', 'rejected', 'failed')),
    edited_text   TEXT,                    -- researcher's edit; wins over proposed_text when set
    provenance    TEXT NOT NULL DEFAULT '{}', -- llm | retrieval | human; prompt, model, llm_call id
    raw_reply     TEXT NOT NULL DEFAULT '',
    error         TEXT NOT NULL DEFAULT '',
    job_id        INTEGER REFERENCES jobs(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE INDEX suggestions_dialogue ON suggestions(dialogue_id);
CREATE INDEX suggestions_status ON suggestions(status);

-- A regenerated dialogue is an ordinary row of dialogues (source 'regeneration', parent_id set);
-- this table holds its lineage.
CREATE TABLE regenerations (
    dialogue_id        INTEGER PRIMARY KEY REFERENCES dialogues(id) ON DELETE CASCADE,
    parent_dialogue_id INTEGER NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    prefix_len         INTEGER NOT NULL,   -- turns kept from the parent before the replaced turn
    suggestion_id      INTEGER REFERENCES suggestions(id) ON DELETE SET NULL,
    generator          TEXT NOT NULL DEFAULT '{}', -- endpoint/model or checkpoint, prompt, hard flag
    hard               INTEGER NOT NULL DEFAULT 0,
    seed               INTEGER NOT NULL DEFAULT 0,
    sample_index       INTEGER NOT NULL DEFAULT 0,
    job_id             INTEGER REFERENCES jobs(id) ON DELETE SET NULL
);
CREATE INDEX regenerations_parent ON regenerations(parent_dialogue_id);

CREATE TABLE training_sets (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    task_id    INTEGER REFERENCES tasks(id),
    spec       TEXT NOT NULL DEFAULT '{}',  -- preset and filters that built it
    lineage    TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE training_set_items (
    set_id      INTEGER NOT NULL REFERENCES training_sets(id) ON DELETE CASCADE,
    dialogue_id INTEGER NOT NULL REFERENCES dialogues(id) ON DELETE CASCADE,
    weight      REAL NOT NULL DEFAULT 1.0,
    PRIMARY KEY (set_id, dialogue_id)
) WITHOUT ROWID;

CREATE TABLE runs (
    id             INTEGER PRIMARY KEY,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL,           -- lm-forward | lm-forward-hard | lm-policy-sft | lm-reward | sft | rft | ilql
    set_id         INTEGER REFERENCES training_sets(id) ON DELETE SET NULL,
    config         TEXT NOT NULL DEFAULT '{}',
    lineage        TEXT NOT NULL DEFAULT '{}',
    status         TEXT NOT NULL DEFAULT 'pending'
                   CHECK (status IN ('pending', 'running', 'stopped', 'failed', 'done')),
    step           INTEGER NOT NULL DEFAULT 0,
    best_eval      REAL,
    checkpoint_dir TEXT NOT NULL DEFAULT '',
    error          TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    updated_at     TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE metrics (
    id        INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: readers poll "WHERE id > last seen"
    run_id    INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step      INTEGER NOT NULL,
    name      TEXT NOT NULL,
    value     REAL NOT NULL,
    wall_time REAL NOT NULL                 -- seconds since the epoch
);
CREATE INDEX metrics_run_name_step ON metrics(run_id, name, step);

CREATE TABLE checkpoints (
    id         INTEGER PRIMARY KEY,
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step       INTEGER NOT NULL,
    path       TEXT NOT NULL,
    metrics    TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

CREATE TABLE run_samples (
    id      INTEGER PRIMARY KEY,
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    step    INTEGER NOT NULL,
    prompt  TEXT NOT NULL,
    reply   TEXT NOT NULL
);

CREATE TABLE chat_sessions (
    id         INTEGER PRIMARY KEY,
    task_id    INTEGER REFERENCES tasks(id),
    blind      INTEGER NOT NULL DEFAULT 0,
    agents     TEXT NOT NULL DEFAULT '[]',  -- [{slot, label, kind, checkpoint|endpoint, beta, ...}]
    column_order TEXT NOT NULL DEFAULT '[]',
    status     TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'finished')),
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE chat_messages (
    id         INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    agent_slot INTEGER NOT NULL,            -- which column; user messages are stored once per column
    role       TEXT NOT NULL CHECK (role IN ('agent', 'user')),
    text       TEXT NOT NULL,
    token_info TEXT NOT NULL DEFAULT '[]',  -- per token: text, q, v, logp_beta
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE chat_ratings (
    session_id  INTEGER NOT NULL REFERENCES chat_sessions(id) ON DELETE CASCADE,
    agent_slot  INTEGER NOT NULL,
    agent_label TEXT NOT NULL,
    naturalness INTEGER CHECK (naturalness BETWEEN 1 AND 5),
    relevance   INTEGER CHECK (relevance BETWEEN 1 AND 5),
    comforting  INTEGER CHECK (comforting BETWEEN 1 AND 5),
    outcome     REAL,                       -- donation $0-2 or final emotional intensity 1-5
    PRIMARY KEY (session_id, agent_slot)
) WITHOUT ROWID;
)SQL",
    // Version 2: exclusive ownership of a running job across processes (core/pipeline/job_lease.h):
    // the runner that holds the job and when it last showed it was alive.
    R"SQL(
ALTER TABLE jobs ADD COLUMN owner_token     TEXT NOT NULL DEFAULT '';   -- '' = nobody runs it
ALTER TABLE jobs ADD COLUMN owner_host      TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN owner_pid       INTEGER NOT NULL DEFAULT 0;
ALTER TABLE jobs ADD COLUMN owner_program   TEXT NOT NULL DEFAULT '';
ALTER TABLE jobs ADD COLUMN owner_heartbeat REAL NOT NULL DEFAULT 0;    -- unix seconds
)SQL",
    // Version 3: runs controlled from another process (core/store/run_liveness.h): a stop asked
    // for by the workbench that the trainer polls, and who trains the run and when it last beat,
    // so a run whose process died is shown as interrupted and can be resumed.
    R"SQL(
ALTER TABLE runs ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0;  -- 1 = stop at the next step
ALTER TABLE runs ADD COLUMN owner_host     TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN owner_pid      INTEGER NOT NULL DEFAULT 0;
ALTER TABLE runs ADD COLUMN heartbeat      REAL NOT NULL DEFAULT 0;     -- unix seconds; 0 = never
)SQL",
    // Version 4: evaluation episodes (core/store/eval_store.h). A run is a jobs row of kind
    // 'evaluate'; each episode's transcript is a dialogues row with source 'simulated'.
    R"SQL(
CREATE TABLE eval_episodes (
    job_id       INTEGER NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
    agent_index  INTEGER NOT NULL,              -- position in the run's agent list
    episode      INTEGER NOT NULL,              -- same persona and seed for every agent
    agent_name   TEXT NOT NULL,
    agent_spec   TEXT NOT NULL,
    persona      TEXT NOT NULL,
    seed         INTEGER NOT NULL,
    dialogue_id  INTEGER REFERENCES dialogues(id) ON DELETE SET NULL,
    status       TEXT NOT NULL CHECK (status IN ('ok', 'failed')),
    reward       REAL,                          -- task units; NULL when failed
    outcome      REAL,                          -- donation or final intensity
    decision_raw TEXT NOT NULL DEFAULT '',      -- the simulator's decision as written
    faults       TEXT NOT NULL DEFAULT '{}',    -- {"repeated_turn": 1, ...}
    error        TEXT NOT NULL DEFAULT '',
    simulator    TEXT NOT NULL DEFAULT '{}',    -- identity: endpoint, model, prompt hash, persona set
    n_turns      INTEGER NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (job_id, agent_index, episode)
) WITHOUT ROWID;
)SQL",
    // Version 5: tasks are data (core/data/task_json.h): the whole task definition (role
    // descriptions, opener, turn cap, reward rubric, outcome question, examples, personas) as JSON.
    // '{}' = none stored: the built-in tasks then read their definition from the build, and a
    // custom task made by an older import has only the columns above.
    R"SQL(
ALTER TABLE tasks ADD COLUMN definition TEXT NOT NULL DEFAULT '{}';
)SQL",
    // Version 6: human studies (core/store/study_store.h): participants talk to anonymised agents
    // in separate trials, in an order fixed per participant when they are added. Each trial runs in
    // a single-agent blind chat session; its ratings and outcome are kept with the trial (not in
    // chat_ratings, so the chat page's results do not count them twice).
    R"SQL(
CREATE TABLE studies (
    id               INTEGER PRIMARY KEY,
    task_id          INTEGER NOT NULL REFERENCES tasks(id),
    name             TEXT NOT NULL CHECK (length(trim(name)) > 0),
    agents           TEXT NOT NULL,              -- [ChatAgentSpec] in the order they were listed
    labels           TEXT NOT NULL,              -- ["Agent B", "Agent A", ...]: per listed agent
    trials_per_agent INTEGER NOT NULL CHECK (trials_per_agent BETWEEN 1 AND 100),
    max_turns        INTEGER NOT NULL CHECK (max_turns BETWEEN 1 AND 1000),
    seed             INTEGER NOT NULL DEFAULT 0,
    created_at       TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);
CREATE TABLE study_participants (
    study_id    INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    participant TEXT NOT NULL CHECK (length(trim(participant)) > 0),
    created_at  TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (study_id, participant)
) WITHOUT ROWID;
CREATE TABLE study_trials (
    id                INTEGER PRIMARY KEY,
    study_id          INTEGER NOT NULL,
    participant       TEXT NOT NULL,
    position          INTEGER NOT NULL CHECK (position >= 0),
    agent_index       INTEGER NOT NULL CHECK (agent_index >= 0),
    session_id        INTEGER REFERENCES chat_sessions(id) ON DELETE SET NULL,
    status            TEXT NOT NULL DEFAULT 'pending'
                      CHECK (status IN ('pending', 'running', 'done', 'abandoned')),
    initial_intensity INTEGER CHECK (initial_intensity BETWEEN 1 AND 5),   -- counseling, before the chat
    naturalness       INTEGER CHECK (naturalness BETWEEN 1 AND 5),
    relevance         INTEGER CHECK (relevance BETWEEN 1 AND 5),           -- relevancy / helpfulness
    comforting        INTEGER CHECK (comforting BETWEEN 1 AND 5),
    outcome           REAL,                      -- donation $0-2, or the final intensity 1-5
    reward            REAL,                      -- donation, or initial - final intensity
    finished_at       TEXT,
    UNIQUE (study_id, participant, position),
    FOREIGN KEY (study_id, participant) REFERENCES study_participants(study_id, participant) ON DELETE CASCADE,
    CHECK (status <> 'done' OR (outcome IS NOT NULL AND reward IS NOT NULL))
);
-- Every chat session a trial ran in (an abandoned try keeps its own), so the chat page can leave
-- them all out of its list.
CREATE TABLE study_trial_sessions (
    session_id INTEGER PRIMARY KEY REFERENCES chat_sessions(id) ON DELETE CASCADE,
    trial_id   INTEGER NOT NULL REFERENCES study_trials(id) ON DELETE CASCADE
);
)SQL",
};

} // namespace

int currentSchemaVersion() { return static_cast<int>(kMigrations.size()); }

void migrateSchema(Database& db)
{
    const int from = db.schemaVersion();
    const int to = currentSchemaVersion();
    if (from < 0)
        throw Error(db.path() + ": damaged or not a Hindsight Workbench project: schema version "
                    "(PRAGMA user_version) is " + std::to_string(from) + ", which no build writes");
    if (from > to)
        throw Error(db.path() + ": project was written by a newer Hindsight Workbench (schema version "
                    + std::to_string(from) + ", this build reads up to " + std::to_string(to) + ")");
    if (from == to)
        return;
    // The CLI and the workbench may open the same older file at once: take the write lock first
    // and read the version again, so only one of them migrates.
    const bool top = sqlite3_get_autocommit(db.handle()) != 0;
    std::optional<Transaction> nested;
    if (top)
        db.exec("BEGIN IMMEDIATE");
    else
        nested.emplace(db);
    try {
        const int now = db.schemaVersion();
        if (now < 0 || now > to)
            throw Error(db.path() + ": schema version changed to " + std::to_string(now) + " while opening");
        for (int v = now; v < to; ++v)
            db.exec(kMigrations[static_cast<size_t>(v)]);
        if (now != to)
            db.exec("PRAGMA user_version = " + std::to_string(to));
        if (now == 0)
            db.exec("INSERT INTO project_info(key, value) VALUES ('application', 'hindsight-workbench')");
        if (top)
            db.exec("COMMIT");
        else
            nested->commit();
    } catch (...) {
        if (top)
            try {
                db.exec("ROLLBACK");
            } catch (...) {
            }
        throw;
    }
}

} // namespace hw
