#include "run/samples.hpp"

#include <ATen/ATen.h>
#include <ATen/CPUGeneratorImpl.h>
#include <torch/utils.h>

#include "common/files.hpp"
#include "data/png.hpp"

namespace mishlab {

std::string samples_file(const RunSpec& run) {
  return run.id() + ".samples.png";
}

void write_samples(DcganImpl& gan, const std::filesystem::path& path) {
  constexpr int64_t kSide = 8;  // images per row and per column
  constexpr int64_t kGap = 2;
  torch::NoGradGuard no_grad;
  const bool training = gan.is_training();
  gan.eval();
  at::Generator seed = at::detail::createCPUGenerator(20150101);
  const at::Tensor noise = at::randn({kSide * kSide, DcganImpl::kNoise, 1, 1},
                                     seed, at::TensorOptions(at::kFloat));
  const at::Tensor images =
      gan.generate(noise.to(gan.parameters().front().device()))
          .cpu()
          .add(1)
          .mul(127.5)
          .round()
          .clamp(0, 255)
          .to(at::kByte);
  gan.train(training);
  const int64_t c = images.size(1), h = images.size(2), w = images.size(3);
  // Each image in a cell with a gap on its right and bottom, plus the
  // grid's top and left border.
  at::Tensor cells = at::constant_pad_nd(images, {0, kGap, 0, kGap});
  at::Tensor grid = cells.view({kSide, kSide, c, h + kGap, w + kGap})
                        .permute({0, 3, 1, 4, 2})
                        .reshape({kSide * (h + kGap), kSide * (w + kGap), c});
  grid = at::constant_pad_nd(grid, {0, 0, kGap, 0, kGap, 0}).contiguous();
  write_file_atomic(
      path,
      encode_png(static_cast<int>(grid.size(1)), static_cast<int>(grid.size(0)),
                 static_cast<int>(c), grid.data_ptr<uint8_t>()));
}

}  // namespace mishlab
