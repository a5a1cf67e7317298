#include "run/checkpoint.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/module.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <sstream>
#include <vector>

#include "common/error.hpp"
#include "common/files.hpp"

namespace mishlab {

void save_checkpoint(Trainer& trainer, const std::filesystem::path& path,
                     int epoch, const std::string& history) {
  if (trainer.group() && !trainer.group()->root()) return;
  torch::serialize::OutputArchive archive;
  torch::serialize::OutputArchive model_archive;
  trainer.module().save(model_archive);
  archive.write("model", model_archive);
  torch::serialize::OutputArchive optimizer_archive;
  trainer.optimizer().save(optimizer_archive);
  archive.write("optimizer", optimizer_archive);
  archive.write("epoch", at::tensor(static_cast<int64_t>(epoch)));
  archive.write("steps", at::tensor(trainer.steps()));
  archive.write("history",
                at::tensor(std::vector<uint8_t>(history.begin(), history.end()),
                           at::kByte));
  // Dropout and RReLU draw from the default generator: restoring it makes a
  // resumed run continue as if never stopped.
  archive.write("rng", at::detail::getDefaultCPUGenerator().get_state());
  // Serialised in memory first: LibTorch's file writer aborts the process
  // when the disk fills up; write_file_atomic reports it and cleans up.
  std::ostringstream bytes;
  archive.save_to(bytes);
  write_file_atomic(path, bytes.str());
}

std::optional<Restored> load_checkpoint(Trainer& trainer,
                                        const std::filesystem::path& path) {
  Group* group = trainer.group();
  std::string bytes;
  if (!group || group->root()) {
    try {
      if (std::filesystem::exists(path)) bytes = read_file(path);
    } catch (const Error&) {
      bytes.clear();  // unreadable: the run starts over
    }
  }
  if (group) group->broadcast(bytes);
  if (bytes.empty()) return std::nullopt;
  try {
    const c10::Device device = trainer.module().parameters().front().device();
    torch::serialize::InputArchive archive;
    archive.load_from(bytes.data(), bytes.size(), device);
    torch::serialize::InputArchive model_archive;
    archive.read("model", model_archive);
    trainer.module().load(model_archive);
    torch::serialize::InputArchive optimizer_archive;
    archive.read("optimizer", optimizer_archive);
    trainer.optimizer().load(optimizer_archive);
    at::Tensor epoch, steps, history, rng;
    archive.read("epoch", epoch);
    archive.read("steps", steps);
    archive.read("history", history);
    archive.read("rng", rng);
    trainer.set_steps(steps.item<int64_t>());
    at::Generator gen = at::detail::getDefaultCPUGenerator();
    gen.set_state(rng.cpu());
    const at::Tensor text = history.cpu().contiguous();
    const auto* p = text.data_ptr<uint8_t>();
    return Restored{static_cast<int>(epoch.item<int64_t>()),
                    std::string(p, p + text.numel())};
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace mishlab
