#pragma once

// The DCGAN's grid of samples per run, for the eye: 8 x 8 images from the
// same fixed noise for every run, so that grids compare across activations
// and seeds.

#include <filesystem>
#include <string>

#include "train/dcgan.hpp"
#include "train/run_spec.hpp"

namespace mishlab {

// The grid's file in an experiment's runs/ folder.
std::string samples_file(const RunSpec& run);

// Writes the generator's grid (evaluation mode, pixels from [-1, 1] to
// 0-255, 2 px black gaps) as a PNG, atomically; Error names the file when
// it cannot.
void write_samples(DcganImpl& gan, const std::filesystem::path& path);

}  // namespace mishlab
