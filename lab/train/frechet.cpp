#include "train/frechet.hpp"

#include <ATen/ATen.h>

#include "common/error.hpp"

namespace mishlab {

namespace {

// The square root of a symmetric positive semi-definite matrix.
at::Tensor sqrt_psd(const at::Tensor& m) {
  const auto [values, vectors] = at::linalg_eigh((m + m.t()) / 2);
  return vectors.mul(values.clamp_min(0).sqrt()).mm(vectors.t());
}

}  // namespace

double frechet_distance(const Gaussian& a, const Gaussian& b) {
  const at::Tensor m1 = a.mean.to(at::kDouble);
  const at::Tensor m2 = b.mean.to(at::kDouble);
  const at::Tensor c1 = a.cov.to(at::kDouble);
  const at::Tensor c2 = b.cov.to(at::kDouble);
  const at::Tensor root1 = sqrt_psd(c1);
  const at::Tensor product = root1.mm(c2).mm(root1);
  const at::Tensor cross =
      at::linalg_eigvalsh((product + product.t()) / 2).clamp_min(0).sqrt();
  return ((m1 - m2).square().sum() + c1.trace() + c2.trace() - 2 * cross.sum())
      .item<double>();
}

std::vector<double> feature_sums(const at::Tensor& features) {
  const at::Tensor f = features.to(at::kDouble).cpu().contiguous();
  const at::Tensor sum = f.sum(0);
  const at::Tensor products = f.t().mm(f).contiguous();
  std::vector<double> out = {static_cast<double>(f.size(0))};
  out.insert(out.end(), sum.data_ptr<double>(),
             sum.data_ptr<double>() + sum.numel());
  out.insert(out.end(), products.data_ptr<double>(),
             products.data_ptr<double>() + products.numel());
  return out;
}

Gaussian gaussian_from_sums(const std::vector<double>& sums, int64_t d) {
  if (sums.size() != static_cast<size_t>(1 + d + d * d) || sums[0] < 2) {
    throw Error("a Gaussian needs at least two samples");
  }
  const double n = sums[0];
  const at::Tensor all = at::tensor(sums, at::TensorOptions(at::kDouble));
  const at::Tensor mean = all.narrow(0, 1, d) / n;
  const at::Tensor products = all.narrow(0, 1 + d, d * d).view({d, d});
  const at::Tensor cov = (products - n * at::outer(mean, mean)) / (n - 1);
  return {mean, cov};
}

}  // namespace mishlab
