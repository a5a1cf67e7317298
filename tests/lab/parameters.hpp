#pragma once

// A module's parameters copied, and compared exactly: did training (or a
// restored checkpoint) change them?

#include <ATen/ATen.h>
#include <torch/nn/module.h>

#include <vector>

namespace mishlab::test {

inline std::vector<at::Tensor> snapshot(torch::nn::Module& m) {
  std::vector<at::Tensor> out;
  for (const auto& p : m.parameters()) out.push_back(p.detach().clone());
  return out;
}

inline bool same(const std::vector<at::Tensor>& a,
                 const std::vector<at::Tensor>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (!at::equal(a[i], b[i])) return false;
  }
  return true;
}

}  // namespace mishlab::test
