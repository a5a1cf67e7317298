#pragma once

// Where the trainer's batches come from: examples held as tensors (IDX,
// CIFAR) or decoded from JPEG folders (train/folder_batches.hpp). The
// trainer has one loop over either.

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <optional>

#include "data/images.hpp"
#include "data/segmentation.hpp"
#include "train/models.hpp"

namespace mishlab {

// Inputs N x C x H x W float, standardised, on the training device; the
// task's targets: labels (N) or masks (N x H x W) int64, or pixels in [0, 1]
// like x.
struct Batch {
  at::Tensor x;
  at::Tensor y;
};

class BatchSource {
 public:
  virtual ~BatchSource() = default;
  virtual int64_t examples() const = 0;
  // Batches per pass.
  virtual int64_t batches() const = 0;
  // Begins a pass; a training source shuffles (and augments) by `seed`, so
  // a resumed run sees the same batches.
  virtual void start(uint64_t seed) = 0;
  // The pass's next batch, std::nullopt after the last.
  virtual std::optional<Batch> next() = 0;
};

// Examples as tensors on the training device.
struct TensorSet {
  at::Tensor x;
  at::Tensor y;
  int64_t size() const { return y.size(0); }
};
struct TensorData {
  TensorSet train;
  TensorSet test;
  DataShape shape;
};
// Pixels to [0, 1], then standardised per channel with the training set's
// statistics. Targets: the labels, or with `reconstruct` the pixels in
// [0, 1].
TensorData to_tensors(const ImageData& data, c10::Device device,
                      bool reconstruct = false);
// Likewise, with the masks as targets.
TensorData to_tensors(const SegmentationData& data, c10::Device device);

class TensorBatches : public BatchSource {
 public:
  // Batches of batch_size examples (the last may be smaller), in an order
  // shuffled by each pass's seed when `shuffle`, else in order.
  TensorBatches(TensorSet set, int64_t batch_size, bool shuffle);

  int64_t examples() const override { return set_.size(); }
  int64_t batches() const override;
  void start(uint64_t seed) override;
  std::optional<Batch> next() override;

 private:
  TensorSet set_;
  int64_t batch_size_;
  bool shuffle_;
  at::Tensor order_;  // shuffled indices of the pass
  int64_t begin_ = 0;
};

}  // namespace mishlab
