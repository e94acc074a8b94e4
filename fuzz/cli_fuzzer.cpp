// libFuzzer harness: the whole command line in-process, fuzzed arguments and one fuzzed input file.
//
// Input: the bytes before the first NUL are the arguments, one per line; the bytes after it are a file,
// written to a memfd whose path replaces every argument "@FILE" (so --input @FILE --positions @FILE read it).
// Each run happens in a private temporary directory, and the harness skips any argument with a '/', so whatever a
// command writes stays there; `verify` (a fixed, minutes-long matrix) and --max-distance above 10^5 (slow
// by design) are skipped. The exit status must be 0, 1 or 2 and stderr at most one line per status 2;
// a crash, a sanitizer report, a hang or an exception escaping cli::run is a bug.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "cli.hpp"

namespace {

// A private working directory, made once; every run happens inside it (and it is emptied after each run),
// then the harness goes back, so libFuzzer's own relative paths (corpus, artifacts) keep working.
const std::filesystem::path& work_directory() {
  static const std::filesystem::path dir = [] {
    std::string pattern = (std::filesystem::temp_directory_path() / "mmrope_cli_fuzz_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) std::abort();
    return std::filesystem::path(pattern);
  }();
  return dir;
}

bool too_slow(const std::vector<std::string>& args) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "verify") return true;
    if (args[i].rfind("--max-distance", 0) == 0) {
      const std::string value = args[i].size() > 15 ? args[i].substr(15) : i + 1 < args.size() ? args[i + 1] : "";
      if (value.size() > 6 || (value.size() == 6 && value > "100000")) return true;
    }
  }
  return false;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 8192) return 0;
  const std::filesystem::path& dir = work_directory();
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = all.find('\0');
  const std::string_view arg_text = all.substr(0, nul);
  const std::string_view file = nul == std::string_view::npos ? std::string_view{} : all.substr(nul + 1);

  const int fd = memfd_create("mmrope_fuzz_input", 0);
  if (fd < 0) std::abort();
  if (!file.empty() && write(fd, file.data(), file.size()) != static_cast<ssize_t>(file.size())) std::abort();
  const std::string file_path = "/proc/self/fd/" + std::to_string(fd);

  std::vector<std::string> args;
  bool skip = false;
  for (std::string_view rest = arg_text; !rest.empty();) {
    const std::size_t eol = rest.find('\n');
    std::string arg(rest.substr(0, eol));
    rest = eol == std::string_view::npos ? std::string_view{} : rest.substr(eol + 1);
    if (arg == "@FILE") arg = file_path;
    else if (arg.find('/') != std::string::npos) skip = true;
    args.push_back(std::move(arg));
  }
  if (!skip && !too_slow(args)) {
    const std::filesystem::path back = std::filesystem::current_path();
    std::filesystem::current_path(dir);
    std::ostringstream out, err;
    const int status = mmrope::cli::run(args, out, err);  // must not throw
    std::filesystem::current_path(back);
    if (status < 0 || status > 2) __builtin_trap();
    if (status == 2) {
      const std::string e = err.str();
      if (e.empty() || e.find('\n') != e.size() - 1) __builtin_trap();  // exactly one line
    }
  }
  close(fd);
  for (const auto& entry : std::filesystem::directory_iterator(dir)) std::filesystem::remove_all(entry.path());
  return 0;
}
