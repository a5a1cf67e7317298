#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace mishlab {

// Writes PATH.tmp, syncs it and renames it over PATH: a reader (or a resumed
// run after kill -9) sees either the old file or the new one, never half.
// On any failure (disk full, no permission) the temporary file is removed
// and Error names PATH and the reason.
void write_file_atomic(const std::filesystem::path& path,
                       std::string_view contents);

// Creates PATH with `contents` unless it exists, atomically also on a shared
// cluster file system (a hard link of a private temporary file); returns
// whether this call created it.
bool create_file_once(const std::filesystem::path& path,
                      std::string_view contents);

// Reads a whole file; throws Error naming the path when it cannot.
std::string read_file(const std::filesystem::path& path);

// Creates a folder and its parents; throws Error naming `path` when it
// cannot (a file in the way, no permission, disk full).
void make_folder(const std::filesystem::path& path);

// "20240131-235959" in local time, for default output folder names.
std::string timestamp_now();

}  // namespace mishlab
