#include "train/distributed.hpp"

#include <ATen/ATen.h>
#include <torch/nn/module.h>
#include <torch/version.h>

#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#ifdef MISHLAB_HAVE_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <cerrno>
#include <cstdlib>
#include <map>
#include <string_view>

#include "common/error.hpp"

namespace mishlab {

namespace {

// LibTorch 2 calls the communication engines behind a process group
// backends; 1.13's Gloo and NCCL groups are process groups themselves. Both
// offer the same collectives.
#if TORCH_VERSION_MAJOR >= 2
using Engine = c10d::Backend;
#else
using Engine = c10d::ProcessGroup;
#endif

long parse_int(const char* name, const char* text, long low, long high) {
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text, &end, 10);
  if (end == text || *end != '\0' || errno != 0 || value < low ||
      value > high) {
    throw Error(std::string("the environment variable ") + name + "=" + text +
                " is not an integer in [" + std::to_string(low) + ", " +
                std::to_string(high) + "]");
  }
  return value;
}

std::string first_line(const std::string& text) {
  return text.substr(0, text.find('\n'));
}

}  // namespace

std::optional<Launch> launch_from_env(const Getenv& getenv) {
  const auto get = [&](const char* name) -> const char* {
    const char* v = getenv(name);
    return v && *v ? v : nullptr;
  };
  Launch l;
  const char *rank = nullptr, *world = nullptr, *local = nullptr;
  if (get("RANK") || get("WORLD_SIZE")) {
    l.launcher = "torchrun";
    rank = get("RANK");
    world = get("WORLD_SIZE");
    local = get("LOCAL_RANK");
    if (!rank || !world) {
      throw Error(
          "RANK and WORLD_SIZE must be set together (torchrun sets "
          "both)");
    }
  } else if (get("SLURM_STEP_NUM_TASKS") && get("SLURM_PROCID")) {
    // SLURM_STEP_NUM_TASKS, unlike SLURM_NTASKS, is set by srun only: a
    // plain command in a batch script is one process, whatever the job's
    // task count.
    l.launcher = "srun";
    rank = get("SLURM_PROCID");
    world = get("SLURM_STEP_NUM_TASKS");
    local = get("SLURM_LOCALID");
  } else {
    return std::nullopt;
  }
  l.world_size = static_cast<int>(
      parse_int(l.launcher == "srun" ? "SLURM_STEP_NUM_TASKS" : "WORLD_SIZE",
                world, 1, 1 << 20));
  l.rank =
      static_cast<int>(parse_int(l.launcher == "srun" ? "SLURM_PROCID" : "RANK",
                                 rank, 0, l.world_size - 1));
  if (local) {
    l.local_rank = static_cast<int>(
        parse_int(l.launcher == "srun" ? "SLURM_LOCALID" : "LOCAL_RANK", local,
                  0, l.world_size - 1));
  }
  if (l.world_size == 1) return std::nullopt;
  const char* addr = get("MASTER_ADDR");
  const char* port = get("MASTER_PORT");
  if (!addr || !port) {
    throw Error("rank " + std::to_string(l.rank) + " of " +
                std::to_string(l.world_size) + " (" + l.launcher +
                "): MASTER_ADDR and MASTER_PORT must name the host and port "
                "of rank 0 (export them in the batch script)");
  }
  l.master_addr = addr;
  l.master_port =
      static_cast<uint16_t>(parse_int("MASTER_PORT", port, 1, 65535));
  if (const char* agent = get("TORCHELASTIC_USE_AGENT_STORE")) {
    l.agent_store = std::string_view(agent) == "True";
  }
  if (const char* restarts = get("TORCHELASTIC_RESTART_COUNT")) {
    l.restart_count = static_cast<int>(
        parse_int("TORCHELASTIC_RESTART_COUNT", restarts, 0, 1 << 20));
  }
  return l;
}

struct Group::Impl {
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<Engine> engine;
  int64_t checks = 0;  // require_same calls, naming their store keys

  void wait(const c10::intrusive_ptr<c10d::Work>& work) { work->wait(); }
};

Group::Group(const Launch& launch, c10::Device device,
             std::chrono::milliseconds timeout,
             std::chrono::milliseconds join_timeout)
    : launch_(launch), device_(device), impl_(std::make_unique<Impl>()) {
  guarded("connecting to the store", [&] {
    c10d::TCPStoreOptions opts;
    opts.port = launch.master_port;
    opts.timeout = join_timeout;
    if (launch.agent_store) {
      // The torchrun agent hosts the store; each restart of the group uses
      // fresh keys under its attempt's prefix.
      opts.isServer = false;
      impl_->store = c10::make_intrusive<c10d::PrefixStore>(
          "/worker/attempt_" + std::to_string(launch.restart_count),
          c10::make_intrusive<c10d::TCPStore>(launch.master_addr, opts));
    } else {
      opts.isServer = launch.rank == 0;
      opts.numWorkers = static_cast<size_t>(launch.world_size);
      // Ranks are counted by the join below, with its own error (torch 2's
      // server would otherwise wait for them itself, torch 1.13's not).
      opts.waitWorkers = false;
      impl_->store =
          c10::make_intrusive<c10d::TCPStore>(launch.master_addr, opts);
    }
  });
  auto store = c10::make_intrusive<c10d::PrefixStore>("mishlab/", impl_->store);
  // Every rank present before the process group connects: its connection
  // and the collectives then wait only `timeout`.
  guarded("waiting for every rank to join", [&] {
    std::vector<std::string> joined;
    for (int r = 0; r < launch.world_size; ++r) {
      joined.push_back("joined/" + std::to_string(r));
    }
    store->set(joined[static_cast<size_t>(launch.rank)],
               std::vector<uint8_t>{});
    store->wait(joined, join_timeout);
    impl_->store->setTimeout(timeout);
  });
  if (device.is_cuda()) {
#ifdef MISHLAB_HAVE_NCCL
    backend_ = "nccl";
    guarded("creating the NCCL process group", [&] {
      auto opts = c10d::ProcessGroupNCCL::Options::create();
      opts->timeout = timeout;
      impl_->engine = c10::make_intrusive<c10d::ProcessGroupNCCL>(
          store, launch.rank, launch.world_size, opts);
    });
#else
    throw Error(
        "data-parallel training on CUDA needs c10d's NCCL process "
        "group, which this build does not have (LibTorch without "
        "NCCL, or nccl.h not found at configure time)");
#endif
  } else {
    backend_ = "gloo";
    guarded("creating the Gloo process group", [&] {
      auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
      // Gloo's own variable, as in PyTorch: the network interface to use.
      if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME")) {
        opts->devices.push_back(
            c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
      } else {
        opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
      }
      impl_->engine = c10::make_intrusive<c10d::ProcessGroupGloo>(
          store, launch.rank, launch.world_size, opts);
    });
  }
}

Group::~Group() = default;

void Group::guarded(const char* operation, const std::function<void()>& body) {
  try {
    body();
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    throw Error(
        "rank " + std::to_string(launch_.rank) + " of " +
        std::to_string(launch_.world_size) + ": " + operation +
        " failed (a peer died, hangs or differs): " + first_line(e.what()));
  }
}

Group::Part Group::part(int64_t n) const {
  const int64_t w = launch_.world_size, r = launch_.rank;
  const int64_t first = n * r / w;
  return {first, n * (r + 1) / w - first};
}

namespace {

// Tensors of one dtype, at most `limit` bytes together (a single larger
// tensor forms its own bucket).
std::vector<std::vector<at::Tensor>> buckets(
    const std::vector<at::Tensor>& tensors, int64_t limit) {
  std::map<at::ScalarType, std::vector<std::vector<at::Tensor>>> by_type;
  std::map<at::ScalarType, int64_t> bytes;
  for (const at::Tensor& t : tensors) {
    auto& list = by_type[t.scalar_type()];
    int64_t& size = bytes[t.scalar_type()];
    const int64_t b = static_cast<int64_t>(t.nbytes());
    if (list.empty() || size + b > limit) {
      list.emplace_back();
      size = 0;
    }
    list.back().push_back(t);
    size += b;
  }
  std::vector<std::vector<at::Tensor>> out;
  for (auto& [type, list] : by_type) {
    for (auto& bucket : list) out.push_back(std::move(bucket));
  }
  return out;
}

at::Tensor flatten(const std::vector<at::Tensor>& tensors) {
  std::vector<at::Tensor> flat;
  flat.reserve(tensors.size());
  for (const at::Tensor& t : tensors) flat.push_back(t.reshape({-1}));
  return at::cat(flat);
}

void unflatten(const at::Tensor& flat, const std::vector<at::Tensor>& into) {
  int64_t offset = 0;
  for (const at::Tensor& t : into) {
    t.copy_(flat.narrow(0, offset, t.numel()).view(t.sizes()));
    offset += t.numel();
  }
}

}  // namespace

void Group::broadcast(const std::vector<at::Tensor>& tensors) {
  guarded("broadcasting rank 0's parameters", [&] {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> plain;
    for (const at::Tensor& t : tensors) plain.push_back(t.detach());
    for (const auto& bucket : buckets(plain, 25 << 20)) {
      std::vector<at::Tensor> flat{flatten(bucket)};
      impl_->wait(impl_->engine->broadcast(flat));
      unflatten(flat[0], bucket);
    }
  });
}

void Group::broadcast(std::string& bytes) {
  guarded("broadcasting rank 0's checkpoint", [&] {
    std::vector<at::Tensor> size{
        at::tensor({static_cast<int64_t>(bytes.size())}, at::kLong)
            .to(device_)};
    impl_->wait(impl_->engine->broadcast(size));
    const int64_t n = size[0].item<int64_t>();
    std::vector<at::Tensor> data{
        root() ? at::from_blob(bytes.data(), {n}, at::kByte).to(device_)
               : at::empty({n}, at::TensorOptions(at::kByte).device(device_))};
    impl_->wait(impl_->engine->broadcast(data));
    const at::Tensor host = data[0].cpu().contiguous();
    const auto* p = host.data_ptr<uint8_t>();
    bytes.assign(p, p + n);
  });
}

void Group::average_gradients(torch::nn::Module& module, int64_t bucket_bytes) {
  guarded("averaging gradients", [&] {
    at::NoGradGuard no_grad;
    std::vector<at::Tensor> grads;
    for (at::Tensor& p : module.parameters()) {
      if (!p.requires_grad()) continue;
      // Every rank must contribute the same tensors in the same order.
      if (!p.grad().defined()) p.mutable_grad() = at::zeros_like(p);
      grads.push_back(p.grad());
    }
    // All buckets in flight at once, then each copied back as it lands.
    std::vector<std::vector<at::Tensor>> all = buckets(grads, bucket_bytes);
    std::vector<std::vector<at::Tensor>> flats;
    std::vector<c10::intrusive_ptr<c10d::Work>> works;
    c10d::AllreduceOptions sum;
    sum.reduceOp = c10d::ReduceOp::SUM;
    for (const auto& bucket : all) {
      flats.push_back({flatten(bucket)});
      works.push_back(impl_->engine->allreduce(flats.back(), sum));
    }
    const double scale = 1.0 / launch_.world_size;
    for (size_t i = 0; i < all.size(); ++i) {
      impl_->wait(works[i]);
      unflatten(flats[i][0].mul_(scale), all[i]);
    }
  });
}

void Group::sum(std::vector<double>& values) {
  if (values.empty()) return;
  guarded("summing metrics", [&] {
    std::vector<at::Tensor> t{at::tensor(values, at::kDouble).to(device_)};
    impl_->wait(impl_->engine->allreduce(t));
    const at::Tensor host = t[0].cpu().contiguous();
    const double* p = host.data_ptr<double>();
    values.assign(p, p + values.size());
  });
}

void Group::require_same(const std::string& what, const std::string& value) {
  std::vector<double> differs(static_cast<size_t>(launch_.world_size), 0.0);
  guarded(("comparing the ranks' " + what).c_str(), [&] {
    const std::string key = "mishlab/same/" + std::to_string(impl_->checks++);
    if (root()) {
      impl_->store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
    } else {
      const std::vector<uint8_t> theirs = impl_->store->get(key);
      if (std::string(theirs.begin(), theirs.end()) != value) {
        differs[static_cast<size_t>(launch_.rank)] = 1;
      }
    }
  });
  sum(differs);
  std::string ranks;
  for (size_t r = 0; r < differs.size(); ++r) {
    if (differs[r] > 0)
      ranks += (ranks.empty() ? "" : ", ") + std::to_string(r);
  }
  if (!ranks.empty()) {
    throw Error("rank " + std::to_string(launch_.rank) + " of " +
                std::to_string(launch_.world_size) + ": rank(s) " + ranks +
                " have other " + what +
                " than rank 0; every process must "
                "be started with the same settings and data");
  }
}

void Group::barrier() {
  guarded("waiting for every rank",
          [&] { impl_->wait(impl_->engine->barrier()); });
}

}  // namespace mishlab
