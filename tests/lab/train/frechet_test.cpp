// The Fréchet distance against Gaussians whose distance is known in closed
// form: with commuting covariances it is |m1 - m2|^2 + sum over the shared
// eigenvectors of (sqrt(a_i) - sqrt(b_i))^2.
#include "train/frechet.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>

#include <cmath>

namespace mishlab {
namespace {

at::Tensor doubles(std::vector<double> v) {
  return at::tensor(v, at::TensorOptions(at::kDouble));
}

TEST(Frechet, DiagonalCovariancesByHand) {
  // |(0,0) - (1,2)|^2 = 5; (1-2)^2 + (2-3)^2 = 2.
  const Gaussian a{doubles({0, 0}), at::diag(doubles({1, 4}))};
  const Gaussian b{doubles({1, 2}), at::diag(doubles({4, 9}))};
  EXPECT_NEAR(frechet_distance(a, b), 7.0, 1e-12);
  EXPECT_NEAR(frechet_distance(b, a), 7.0, 1e-12);
}

TEST(Frechet, CommutingCovariancesByHand) {
  // Both diagonal in the basis rotated by 30 degrees: eigenvalues (1, 9)
  // and (4, 1): (1-2)^2 + (3-1)^2 = 5; means 3 apart: 9.
  const double c = std::cos(M_PI / 6), s = std::sin(M_PI / 6);
  const at::Tensor q = doubles({c, -s, s, c}).view({2, 2});
  const auto rotated = [&](double x, double y) {
    return q.mm(at::diag(doubles({x, y}))).mm(q.t());
  };
  const Gaussian a{doubles({1, 1}), rotated(1, 9)};
  const Gaussian b{doubles({1, 4}), rotated(4, 1)};
  EXPECT_NEAR(frechet_distance(a, b), 14.0, 1e-10);
}

TEST(Frechet, SingularCovarianceAndItself) {
  // One variance 0 (a sample covariance with fewer samples than
  // dimensions): sqrt(0) counts as 0, so the distance to N(0, I) is
  // (0-1)^2 + (2-1)^2 = 2; a Gaussian is at 0 from itself.
  const Gaussian a{doubles({0, 0}), at::diag(doubles({0, 4}))};
  const Gaussian b{doubles({0, 0}), at::eye(2, at::kDouble)};
  EXPECT_NEAR(frechet_distance(a, b), 2.0, 1e-12);
  at::Generator gen = at::detail::createCPUGenerator(3);
  const at::Tensor m = at::randn({5, 5}, gen, at::TensorOptions(at::kDouble));
  const Gaussian c{at::zeros({5}, at::kDouble), m.mm(m.t())};
  EXPECT_NEAR(frechet_distance(c, c), 0.0, 1e-9);
}

TEST(Frechet, GaussianFromSumsIsTheSampleMeanAndCovariance) {
  // Samples (1, 2), (3, 2), (2, 5): mean (2, 3); unbiased covariance
  // [[1, 0], [0, 3]].
  const at::Tensor f = doubles({1, 2, 3, 2, 2, 5}).view({3, 2});
  std::vector<double> sums = feature_sums(f.narrow(0, 0, 2));
  const std::vector<double> rest = feature_sums(f.narrow(0, 2, 1));
  for (size_t i = 0; i < sums.size(); ++i) sums[i] += rest[i];
  const Gaussian g = gaussian_from_sums(sums, 2);
  EXPECT_TRUE(at::allclose(g.mean, doubles({2, 3})));
  EXPECT_TRUE(at::allclose(g.cov, doubles({1, 0, 0, 3}).view({2, 2})));
  EXPECT_THROW(gaussian_from_sums(rest, 2), std::exception);
}

}  // namespace
}  // namespace mishlab
