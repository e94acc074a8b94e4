// NumPy .npz archives (numpy.savez and savez_compressed) as untrusted input: the zip read with libzip, each member as .npy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "npy.hpp"

namespace mmrope::npz {

// Limits checked before anything is decompressed: numpy writes one member per keyword, a few hundred at most;
// a member's declared size must fit what the .npy reader accepts and all members together stay bounded.
inline constexpr std::int64_t kMaxMembers = 4096;
inline constexpr std::uint64_t kMaxMemberBytes = std::uint64_t{1} << 30;  // 1 GiB uncompressed
inline constexpr std::uint64_t kMaxTotalBytes = std::uint64_t{2} << 30;   // 2 GiB for the members read

// The arrays of an archive by key (the member name without ".npy"), for the keys asked for.
// Members not asked for are listed but never decompressed (a processor's output holds pixel_values too).
struct Archive {
  std::map<std::string, npy::Array> arrays;
  std::vector<std::string> keys;  // every key in the archive, in the archive's order
  std::string source;             // the file name, for messages
};

// Reads the members named in `wanted` (keys; absent ones are simply not in `arrays`). Every problem (not a zip,
// a damaged or encrypted member, a member that is not a .npy, a duplicate key, a size past the limits, a
// member whose data is shorter or longer than declared) throws mmrope::Error starting with the file name.
Archive read_npz(const std::filesystem::path& path, std::span<const std::string_view> wanted);
// The same for bytes in memory; `name` stands for the file in messages.
Archive read_npz_bytes(std::span<const std::uint8_t> bytes, std::string_view name, std::span<const std::string_view> wanted);

}  // namespace mmrope::npz
