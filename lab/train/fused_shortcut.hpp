// The end of a residual block with batch norm and Mish fused:
// mish(norm(y) + shortcut(x)). A shortcut that ends in a batch norm (a
// projection) hands that batch norm to the fused layer, which normalizes the
// shortcut's value itself and keeps only that value (the batch norm's input,
// which an unfused batch norm keeps too) for the backward pass.
#ifndef MISHLAB_TRAIN_FUSED_SHORTCUT_HPP_
#define MISHLAB_TRAIN_FUSED_SHORTCUT_HPP_

#include <torch/nn/modules/container/sequential.h>

#include <mish/torch.hpp>

namespace mishlab {

// shortcut may be empty (nullptr): the identity.
at::Tensor fused_add_mish(mish::nn::BatchNormMish2d& norm, const at::Tensor& y,
                          const at::Tensor& x, torch::nn::Sequential& shortcut);

}  // namespace mishlab

#endif  // MISHLAB_TRAIN_FUSED_SHORTCUT_HPP_
