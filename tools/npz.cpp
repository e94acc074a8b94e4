// .npz reading: libzip opens the container from memory; every size it reports is checked before use.
#include "npz.hpp"

#include <fstream>
#include <memory>

#include <zip.h>

#include "reference/error.hpp"

namespace mmrope::npz {
namespace {

struct ArchiveCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
struct FileCloser {
  void operator()(zip_file_t* f) const { zip_fclose(f); }
};

std::string zip_message(zip_error_t* error) {
  std::string m = zip_error_strerror(error);
  zip_error_fini(error);
  return m;
}

// The bytes of one member, exactly as many as the directory declares, or an error.
std::vector<std::uint8_t> read_member(zip_t* archive, zip_uint64_t index, std::uint64_t declared, const std::string& where) {
  std::unique_ptr<zip_file_t, FileCloser> file(zip_fopen_index(archive, index, 0));
  if (!file) throw Error(where + ": cannot be opened (" + zip_strerror(archive) + ")");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(declared));
  std::size_t have = 0;
  while (have < bytes.size()) {
    const zip_int64_t n = zip_fread(file.get(), bytes.data() + have, bytes.size() - have);
    if (n < 0) throw Error(where + ": damaged data (" + std::string(zip_file_strerror(file.get())) + ")");
    if (n == 0) throw Error(where + ": holds " + std::to_string(have) + " bytes, its entry declares " + std::to_string(declared));
    have += static_cast<std::size_t>(n);
  }
  std::uint8_t extra = 0;
  const zip_int64_t more = zip_fread(file.get(), &extra, 1);
  if (more < 0) throw Error(where + ": damaged data (" + std::string(zip_file_strerror(file.get())) + ")");
  if (more > 0) throw Error(where + ": holds more bytes than its entry declares (" + std::to_string(declared) + ")");
  return bytes;
}

}  // namespace

Archive read_npz_bytes(std::span<const std::uint8_t> bytes, std::string_view name_view, std::span<const std::string_view> wanted) {
  const std::string name(name_view);
  Archive out;
  out.source = name;
  zip_error_t error;
  zip_error_init(&error);
  // The buffer is only read (freep = 0): libzip never writes to or frees it.
  zip_source_t* source = zip_source_buffer_create(bytes.empty() ? static_cast<const void*>("") : bytes.data(), bytes.size(), 0, &error);
  if (!source) throw Error(name + ": cannot be read as a zip archive (" + zip_message(&error) + ")");
  std::unique_ptr<zip_t, ArchiveCloser> archive(zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error));
  if (!archive) {
    zip_source_free(source);
    throw Error(name + ": not a .npz archive (numpy.savez writes a zip file): " + zip_message(&error));
  }
  const zip_int64_t count = zip_get_num_entries(archive.get(), 0);
  if (count < 0) throw Error(name + ": cannot list the archive's members");
  if (count > kMaxMembers)
    throw Error(name + ": has " + std::to_string(count) + " members, more than the " + std::to_string(kMaxMembers) + " accepted");
  std::uint64_t total = 0;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(archive.get(), static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME))
      throw Error(name + ": member " + std::to_string(i + 1) + " cannot be read (" + zip_strerror(archive.get()) + ")");
    const std::string member = st.name;
    const std::string where = name + ": member " + quoted_prefix(member);
    if (member.size() < 5 || member.compare(member.size() - 4, 4, ".npy") != 0)
      throw Error(where + " is not a .npy array (numpy.savez names each member KEY.npy)");
    const std::string key = member.substr(0, member.size() - 4);
    for (const auto& k : out.keys)
      if (k == key) throw Error(where + " appears twice");
    out.keys.push_back(key);
    bool asked = false;
    for (auto w : wanted) asked = asked || w == key;
    if (!asked) continue;
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
      throw Error(where + " is encrypted");
    if (!(st.valid & ZIP_STAT_SIZE)) throw Error(where + ": its size is unknown");
    if (st.size > kMaxMemberBytes)
      throw Error(where + " declares " + std::to_string(st.size) + " bytes, more than the " + std::to_string(kMaxMemberBytes) +
                  " accepted");
    total += st.size;
    if (total > kMaxTotalBytes)
      throw Error(name + ": the arrays read pass " + std::to_string(kMaxTotalBytes) + " bytes in all");
    const auto data = read_member(archive.get(), static_cast<zip_uint64_t>(i), st.size, where);
    out.arrays.emplace(key, npy::read_npy_bytes(data, name + "[" + key + "]"));
  }
  return out;
}

Archive read_npz(const std::filesystem::path& path, std::span<const std::string_view> wanted) {
  const std::string name = path.string();
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(name + ": cannot be read (" + ec.message() + ")");
  if (size > kMaxTotalBytes + kMaxMemberBytes)
    throw Error(name + ": " + std::to_string(size) + " bytes is more than a .npz of position inputs can need");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(name + ": cannot be opened");
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(size));
  if (!in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size())))
    throw Error(name + ": cannot be read in full");
  return read_npz_bytes(bytes, name, wanted);
}

}  // namespace mmrope::npz
