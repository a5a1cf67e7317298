#pragma once

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/environment.hpp"

namespace torch::nn {
class Module;
}

namespace mishlab {

// Where this process sits in a data-parallel job, as its launcher says in the
// environment: torchrun (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR,
// MASTER_PORT; TORCHELASTIC_USE_AGENT_STORE=True when the agent already
// hosts the store) or srun (SLURM_PROCID, SLURM_NTASKS, SLURM_LOCALID, with
// MASTER_ADDR and MASTER_PORT exported by the batch script).
struct Launch {
  std::string launcher;  // "torchrun" or "srun"
  int rank = 0;
  int world_size = 1;
  int local_rank = 0;
  std::string master_addr;
  uint16_t master_port = 0;
  // Every rank is a client of the store the torchrun agent hosts, under
  // the prefix /worker/attempt_<restart_count>; otherwise rank 0 hosts it.
  bool agent_store = false;
  int restart_count = 0;
};

// The launch described by the environment; nothing when no launcher set one
// (or it set a world of one process). Throws Error on a partial or
// inconsistent description (RANK without MASTER_ADDR, RANK >= WORLD_SIZE...).
std::optional<Launch> launch_from_env(const Getenv& getenv);

// A c10d process group over the launch: Gloo for CPU tensors, NCCL for CUDA
// tensors (one GPU per local rank). The constructor waits at most
// `join_timeout` for every rank to reach the store: processes start at
// different times (library loading, a busy node). Then every collective
// waits at most `timeout`; a peer that died or hangs makes it throw Error
// naming this rank, the operation and the cause.
class Group {
 public:
  Group(const Launch& launch, c10::Device device,
        std::chrono::milliseconds timeout,
        std::chrono::milliseconds join_timeout);
  ~Group();
  Group(const Group&) = delete;
  Group& operator=(const Group&) = delete;

  int rank() const { return launch_.rank; }
  int size() const { return launch_.world_size; }
  bool root() const { return launch_.rank == 0; }
  const std::string& backend() const { return backend_; }
  c10::Device device() const { return device_; }

  // This rank's share [first, first + count) of n items split in contiguous,
  // near-equal parts in rank order.
  struct Part {
    int64_t first = 0;
    int64_t count = 0;
  };
  Part part(int64_t n) const;

  // Rank 0's values of `tensors` (parameters, buffers) on every rank.
  void broadcast(const std::vector<at::Tensor>& tensors);
  // Rank 0's bytes (a checkpoint) on every rank.
  void broadcast(std::string& bytes);
  // Every parameter gradient replaced by its mean over the ranks, in flat
  // buckets of at most `bucket_bytes`. A missing gradient counts as zero.
  void average_gradients(torch::nn::Module& module,
                         int64_t bucket_bytes = 25 << 20);
  // Element-wise sums over the ranks (loss sums, counts), in double.
  void sum(std::vector<double>& values);
  // Throws Error on every rank when `value` (settings, data fingerprint)
  // differs from rank 0's: such a rank would train something else.
  void require_same(const std::string& what, const std::string& value);
  void barrier();

 private:
  struct Impl;
  // Runs a collective, turning c10d's failures into one-line errors.
  void guarded(const char* operation, const std::function<void()>& body);

  Launch launch_;
  c10::Device device_;
  std::string backend_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace mishlab
