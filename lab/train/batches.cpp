#include "train/batches.hpp"

#include <ATen/ATen.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <utility>
#include <vector>

namespace mishlab {

namespace {

at::Tensor bytes(const std::vector<uint8_t>& data,
                 const std::vector<int64_t>& shape) {
  // from_blob does not own the bytes: the conversion copies them.
  return at::from_blob(const_cast<uint8_t*>(data.data()), shape, at::kByte)
      .to(at::kFloat);
}

template <typename Set>
at::Tensor pixels(const Set& set) {
  return bytes(set.pixels, {set.count, set.channels, set.height, set.width})
      .div_(255);
}

// Standardises the inputs with the training set's per-channel statistics
// and moves everything to `device`.
void standardise(TensorData& data, c10::Device device) {
  const at::Tensor mean = data.train.x.mean({0, 2, 3}, true);
  const at::Tensor std =
      data.train.x.std({0, 2, 3}, true, true).clamp_min(1e-6);
  for (TensorSet* s : {&data.train, &data.test}) {
    s->x = ((s->x - mean) / std).to(device);
    s->y = s->y.to(device);
  }
}

}  // namespace

TensorData to_tensors(const ImageData& data, c10::Device device,
                      bool reconstruct) {
  TensorData out;
  for (auto [set, t] :
       {std::pair{&data.train, &out.train}, std::pair{&data.test, &out.test}}) {
    t->x = pixels(*set);
    t->y = reconstruct ? t->x.clone()
                       : bytes(set->labels, {set->count}).to(at::kLong);
  }
  standardise(out, device);
  out.shape = {data.train.channels, data.train.height, data.train.width,
               data.classes};
  return out;
}

TensorData to_tensors(const SegmentationData& data, c10::Device device) {
  TensorData out;
  for (auto [set, t] :
       {std::pair{&data.train, &out.train}, std::pair{&data.test, &out.test}}) {
    t->x = pixels(*set);
    t->y =
        bytes(set->masks, {set->count, set->height, set->width}).to(at::kLong);
  }
  standardise(out, device);
  out.shape = {data.train.channels, data.train.height, data.train.width,
               data.classes};
  return out;
}

TensorBatches::TensorBatches(TensorSet set, int64_t batch_size, bool shuffle)
    : set_(std::move(set)), batch_size_(batch_size), shuffle_(shuffle) {}

int64_t TensorBatches::batches() const {
  return (set_.size() + batch_size_ - 1) / batch_size_;
}

void TensorBatches::start(uint64_t seed) {
  begin_ = 0;
  if (!shuffle_) return;
  std::vector<int64_t> order(static_cast<size_t>(set_.size()));
  std::iota(order.begin(), order.end(), 0);
  std::mt19937_64 rng(seed);
  std::shuffle(order.begin(), order.end(), rng);
  order_ = at::tensor(order, at::kLong).to(set_.x.device());
}

std::optional<Batch> TensorBatches::next() {
  if (begin_ >= set_.size()) return std::nullopt;
  const int64_t n = std::min(batch_size_, set_.size() - begin_);
  Batch b;
  if (shuffle_) {
    const at::Tensor idx = order_.narrow(0, begin_, n);
    b = {set_.x.index_select(0, idx), set_.y.index_select(0, idx)};
  } else {
    b = {set_.x.narrow(0, begin_, n), set_.y.narrow(0, begin_, n)};
  }
  begin_ += n;
  return b;
}

}  // namespace mishlab
