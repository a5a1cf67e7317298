#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "train/trainer.hpp"

namespace mishlab {

// A run's state after an epoch: model, optimizer, step count, the default
// generator's state and `history` (the epochs so far, JSON) in one file,
// written atomically (a failed write throws Error naming the file and
// leaves no temporary file). Data-parallel, rank 0 writes it, and reads it
// for every rank.
void save_checkpoint(Trainer& trainer, const std::filesystem::path& path,
                     int epoch, const std::string& history);

struct Restored {
  int epoch = 0;
  std::string history;
};
// The epoch saved, with the trainer restored to it; nothing when the file is
// missing or unreadable (the run then starts over).
std::optional<Restored> load_checkpoint(Trainer& trainer,
                                        const std::filesystem::path& path);

}  // namespace mishlab
