// The feature classifier's cache: trained once, then reused; a corrupt,
// truncated or other data set's file is refused with an error naming it,
// and left for the user to delete.
#include "run/feature_cache.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include "common/error.hpp"
#include "common/files.hpp"

namespace mishlab {
namespace {

namespace fs = std::filesystem;

// 8x8 images of 3 classes in [-1, 1], drawn from `seed`.
TensorData tiny_data(uint64_t seed) {
  at::Generator gen = at::detail::createCPUGenerator(seed);
  const auto set = [&](int64_t n) {
    return TensorSet{
        at::rand({n, 1, 8, 8}, gen, at::TensorOptions(at::kFloat)) * 2 - 1,
        at::arange(n, at::kLong) % 3};
  };
  return {set(64), set(16), DataShape{1, 8, 8, 3}};
}

std::vector<at::Tensor> parameters(FeatureNetImpl& net) {
  std::vector<at::Tensor> out;
  for (const at::Tensor& p : net.parameters())
    out.push_back(p.detach().clone());
  return out;
}

class FeatureCache : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("mishlab-feature-cache-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    file_ = dir_ / "classifier-k.pt";
  }
  void TearDown() override { fs::remove_all(dir_); }

  // The error names the file and says it is corrupt; the file stays.
  void expect_refused(const std::string& key, const std::string& why) {
    const std::string before = read_file(file_);
    try {
      cached_feature_net(file_, key, tiny_data(1), true);
      ADD_FAILURE() << "no error for " << why;
    } catch (const Error& e) {
      const std::string what = e.what();
      EXPECT_EQ(what.rfind(file_.string() + ": corrupt", 0), 0u) << what;
      EXPECT_NE(what.find(why), std::string::npos) << what;
    }
    EXPECT_EQ(read_file(file_), before);
  }

  fs::path dir_;
  fs::path file_;
};

TEST_F(FeatureCache, TrainedOnceThenReused) {
  auto first = cached_feature_net(file_, "k", tiny_data(1), true);
  ASSERT_TRUE(fs::exists(file_));
  const std::string bytes = read_file(file_);
  // Other images under the same key: the stored network comes back, not a
  // new one trained on them.
  auto second = cached_feature_net(file_, "k", tiny_data(2), true);
  EXPECT_EQ(read_file(file_), bytes);
  const auto a = parameters(*first);
  const auto b = parameters(*second);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_TRUE(a[i].equal(b[i])) << i;
  EXPECT_FALSE(second->is_training());
  const at::Tensor x = tiny_data(3).test.x;
  EXPECT_TRUE(first->features(x).equal(second->features(x)));
  EXPECT_EQ(second->features(x).sizes(),
            (std::vector<int64_t>{16, FeatureNetImpl::kFeatures}));
}

TEST_F(FeatureCache, CorruptFilesAreRefused) {
  cached_feature_net(file_, "k", tiny_data(1), true);
  const std::string good = read_file(file_);
  expect_refused("other", "made for another data set");

  std::string flipped = good;
  flipped[flipped.size() / 2] =
      static_cast<char>(flipped[flipped.size() / 2] ^ 1);
  write_file_atomic(file_, flipped);
  expect_refused("k", "truncated or altered archive");

  write_file_atomic(file_, good.substr(0, good.size() - 100));
  expect_refused("k", "truncated or altered archive");

  write_file_atomic(file_, "{\"format\": \"something else\"}\n" +
                               good.substr(good.find('\n') + 1));
  expect_refused("k", "not a version 1 header");

  write_file_atomic(file_, "garbage");
  expect_refused("k", "no header");
}

}  // namespace
}  // namespace mishlab
