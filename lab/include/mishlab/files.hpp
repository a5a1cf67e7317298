#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace mishlab {

// Writes PATH.tmp, syncs it and renames it over PATH: a reader (or a resumed
// run after kill -9) sees either the old file or the new one, never half.
void write_file_atomic(const std::filesystem::path& path,
                       std::string_view contents);

// Reads a whole file; throws Error naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

// "20240131-235959" in local time, for default output folder names.
std::string timestamp_now();

}  // namespace mishlab
