#pragma once
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace hw {

class Database;

struct TaskStats {
    int64_t dialogues = 0;
    int64_t turns = 0;
    int64_t labeled = 0;
    int64_t flagged = 0;
    std::optional<double> rewardMean;   // over labeled dialogues; none when there are none
    std::optional<double> rewardMin;
    std::optional<double> rewardMax;
    std::map<std::string, int64_t> sources;        // dialogues per source (esconv, p4g, ...)
    std::map<std::string, int64_t> rewardSources;  // labeled dialogues per current reward source
};

struct ProjectStats {
    int64_t dialogues = 0;
    int64_t turns = 0;
    int64_t labeled = 0;
    std::map<std::string, TaskStats> tasks;  // every task of the project, also empty ones
    std::map<std::string, int64_t> sources;
};

// Counts from SQL aggregates (no dialogue is loaded), fast on large projects.
ProjectStats computeStats(Database& db);

// {"dialogues":N,"turns":N,"labeled":N,"sources":{..},"tasks":{"<task>":{"dialogues":N,
//  "turns":N,"labeled":N,"flagged":N,"reward_mean":X|null,"reward_min":..,"reward_max":..,
//  "sources":{..},"reward_sources":{..}}}}
nlohmann::json toJson(const ProjectStats& stats);

} // namespace hw
