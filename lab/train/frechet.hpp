#pragma once

// The Fréchet distance between two Gaussians (FID's formula):
//   |m1 - m2|^2 + tr(C1 + C2 - 2 (C1^1/2 C2 C1^1/2)^1/2),
// in float64. The matrix square roots come from eigen-decompositions of
// symmetric matrices (C1, then C1^1/2 C2 C1^1/2, which has the same trace
// root as (C1 C2)^1/2); eigenvalues that rounding makes slightly negative
// count as 0, as they do for a singular sample covariance.

#include <ATen/core/Tensor.h>

#include <cstdint>
#include <vector>

namespace mishlab {

// Mean [d] and covariance [d, d] of a sample, float64.
struct Gaussian {
  at::Tensor mean;
  at::Tensor cov;
};

double frechet_distance(const Gaussian& a, const Gaussian& b);

// The sums a sample's Gaussian follows from, so that batches and processes
// add them up: count, then the d feature sums, then the d x d sums of
// products (row-major).
std::vector<double> feature_sums(const at::Tensor& features);
// The mean and the unbiased covariance from summed feature_sums() of
// d-dimensional features; needs a count of at least 2.
Gaussian gaussian_from_sums(const std::vector<double>& sums, int64_t d);

}  // namespace mishlab
