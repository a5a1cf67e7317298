#include "run/shard.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "common/error.hpp"

namespace mishlab {
namespace {

TEST(Shard, ParsesIOverN) {
  const Shard s = parse_shard("2/5");
  EXPECT_EQ(s.index, 2);
  EXPECT_EQ(s.count, 5);
  EXPECT_EQ(s.str(), "2/5");
  for (const char* bad : {"", "1", "5/5", "-1/4", "1/0", "a/2", "1/2x", "1/",
                          "/2", "1//2", "0/99999999999"}) {
    EXPECT_THROW(parse_shard(bad), Error) << bad;
  }
}

TEST(Shard, SharesCoverEveryRunOnce) {
  for (int n : {1, 2, 3, 7}) {
    std::vector<int> owners(23, 0);
    for (int i = 0; i < n; ++i) {
      for (size_t run = 0; run < owners.size(); ++run) {
        owners[run] += Shard{i, n}.owns(run);
      }
    }
    for (int o : owners) EXPECT_EQ(o, 1) << n << " shards";
  }
}

TEST(Shard, FlagOrSlurmArray) {
  std::map<std::string, std::string> env;
  const Getenv get = [&](const char* k) {
    auto it = env.find(k);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  EXPECT_FALSE(pick_shard("", get));
  env = {{"SLURM_ARRAY_TASK_ID", "3"}, {"SLURM_ARRAY_TASK_COUNT", "4"}};
  EXPECT_EQ(pick_shard("", get)->str(), "3/4");
  EXPECT_EQ(pick_shard("1/2", get)->str(), "1/2");  // the flag wins
  // --array=1-4 and --array=10-16:2
  env = {{"SLURM_ARRAY_TASK_ID", "4"},
         {"SLURM_ARRAY_TASK_COUNT", "4"},
         {"SLURM_ARRAY_TASK_MIN", "1"}};
  EXPECT_EQ(pick_shard("", get)->str(), "3/4");
  env = {{"SLURM_ARRAY_TASK_ID", "14"},
         {"SLURM_ARRAY_TASK_COUNT", "4"},
         {"SLURM_ARRAY_TASK_MIN", "10"},
         {"SLURM_ARRAY_TASK_STEP", "2"}};
  EXPECT_EQ(pick_shard("", get)->str(), "2/4");
  for (const char* id : {"4", "x", "-1"}) {
    env = {{"SLURM_ARRAY_TASK_ID", id}, {"SLURM_ARRAY_TASK_COUNT", "4"}};
    EXPECT_THROW(pick_shard("", get), Error) << id;
  }
}

}  // namespace
}  // namespace mishlab
