// mmrope._mmrope: the command line's library for Python, with arrays passed in memory and the CLI's options and messages.
#include <nanobind/nanobind.h>
#include <nanobind/ndarray.h>
#include <nanobind/stl/map.h>
#include <nanobind/stl/optional.h>
#include <nanobind/stl/string.h>
#include <nanobind/stl/string_view.h>
#include <nanobind/stl/tuple.h>
#include <nanobind/stl/vector.h>

#include <CLI/CLI.hpp>

#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <mmrope/mmrope.hpp>

#include "check_command.hpp"
#include "cli.hpp"
#include "hf_inputs.hpp"
#include "npy.hpp"
#include "npz.hpp"
#include "rotation_job.hpp"
#include "tensor_layout.hpp"

namespace nb = nanobind;

namespace mmrope::python {
namespace {

// Arrays from Python: C-contiguous, on the CPU, native (little-endian) byte order; the package's _arrays.py
// makes them so. Read-only: nothing here writes into an input.
using InArray = nb::ndarray<nb::c_contig, nb::device::cpu, nb::ro>;
using OutArray = nb::ndarray<nb::c_contig, nb::device::cpu>;

template <class Array>
npy::ElementType element_type(const Array& a, const std::string& name) {
  const nb::dlpack::dtype d = a.dtype();
  using Code = nb::dlpack::dtype_code;
  if (d.lanes == 1) {
    if (d.code == static_cast<std::uint8_t>(Code::Float)) {
      if (d.bits == 16) return npy::ElementType::float16;
      if (d.bits == 32) return npy::ElementType::float32;
      if (d.bits == 64) return npy::ElementType::float64;
    } else if (d.code == static_cast<std::uint8_t>(Code::Int)) {
      if (d.bits == 16) return npy::ElementType::int16;
      if (d.bits == 32) return npy::ElementType::int32;
      if (d.bits == 64) return npy::ElementType::int64;
    } else if (d.code == static_cast<std::uint8_t>(Code::UInt) && d.bits == 16) {
      return npy::ElementType::uint16;
    }
  }
  throw Error(name + ": dtype with code " + std::to_string(d.code) + " and " + std::to_string(d.bits) +
              " bits is not float16, float32, float64, int16, uint16, int32 or int64");
}

template <class Array>
std::vector<std::int64_t> shape_of(const Array& a) {
  std::vector<std::int64_t> shape(a.ndim());
  for (std::size_t k = 0; k < a.ndim(); ++k) shape[k] = static_cast<std::int64_t>(a.shape(k));
  return shape;
}

// A view of a Python array under the name messages give it; the array outlives the call that uses the view.
std::shared_ptr<const npy::MappedArray> borrow(const InArray& a, const std::string& name) {
  return std::make_shared<const npy::MappedArray>(element_type(a, name), shape_of(a), a.data(), name);
}

// A copy, for the small arrays the readers take as npy::Array (positions, get_rope_index's inputs).
npy::Array copy_array(const InArray& a, const std::string& name) {
  const npy::ElementType type = element_type(a, name);
  const auto* first = static_cast<const std::uint8_t*>(a.data());
  std::vector<std::uint8_t> bytes(first, first + a.size() * npy::item_size(type));
  npy::Array out = npy::make_array(type, shape_of(a), std::move(bytes));
  out.source = name;
  return out;
}

// Parses CLI-style arguments into options bound to `app`; a bad option is mmrope::Error with CLI11's message.
void parse(CLI::App& app, const std::vector<std::string>& args) {
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 takes a reversed vector
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError& e) {
    throw Error(e.what());
  }
}

// Runs `f` and turns every exception into ValueError with the command line's one-line message.
template <class F>
auto reporting_errors(F&& f) {
  try {
    return f();
  } catch (...) {
    throw nb::value_error(cli::describe_exception(std::current_exception()).c_str());
  }
}

std::tuple<int, std::string, std::string> run(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int status = 0;
  {
    nb::gil_scoped_release released;
    status = cli::run(args, out, err);
  }
  return {status, out.str(), err.str()};
}

std::tuple<int, std::string, std::string> check(const std::vector<std::string>& args, const InArray& x, const InArray& y,
                                                const std::optional<InArray>& positions) {
  return reporting_errors([&] {
    CLI::App app{"mmrope.check", "mmrope.check"};
    cli::CheckOptions o;
    cli::add_check_options(app, o);
    parse(app, args);
    o.job.input_array = borrow(x, o.job.input_path);
    o.output_array = borrow(y, o.output_path);
    if (positions) o.job.positions_array = copy_array(*positions, o.job.positions_path);
    std::ostringstream text, json;
    int status = 0;
    {
      nb::gil_scoped_release released;
      status = cli::run_check(o, &text, &json);
    }
    return std::tuple<int, std::string, std::string>{status, text.str(), json.str()};
  });
}

void rotate(const std::vector<std::string>& args, const InArray& x, const std::optional<InArray>& positions, OutArray& out) {
  reporting_errors([&] {
    CLI::App app{"mmrope.rotate", "mmrope.rotate"};
    cli::RotationJobOptions o;
    o.add_to(app);
    parse(app, args);
    o.input_array = borrow(x, o.input_path);
    if (positions) o.positions_array = copy_array(*positions, o.positions_path);
    nb::gil_scoped_release released;
    const cli::RotationJob job = cli::load_rotation_job(o);
    const std::size_t item = job.dtype == DType::fp32 ? 4 : 2;
    if (out.size() != x.size() || out.itemsize() != item)
      throw Error("the output array must hold " + std::to_string(x.size()) + " elements of " + std::to_string(item) + " bytes");
    auto* bytes = static_cast<std::uint8_t*>(out.data());
    // Blocks arrive from several threads at distinct offsets: each writes its own elements (little-endian).
    const auto write = [bytes, item](std::int64_t first, std::span<const std::uint32_t> bits) {
      for (std::size_t i = 0; i < bits.size(); ++i)
        std::memcpy(bytes + (static_cast<std::size_t>(first) + i) * item, &bits[i], item);
    };
    judge::rotate(job.problem(), job.input_values(), reordered(job.layout, judge::BitsWriter(write)), o.judge_options());
  });
}

nb::ndarray<nb::numpy, std::int64_t> int64_array(std::vector<std::int64_t> values, std::vector<std::size_t> shape) {
  auto* owned = new std::vector<std::int64_t>(std::move(values));
  nb::capsule owner(owned, [](void* p) noexcept { delete static_cast<std::vector<std::int64_t>*>(p); });
  return nb::ndarray<nb::numpy, std::int64_t>(owned->data(), shape.size(), shape.data(), owner);
}

// get_rope_index's inputs by key, config.json's text: position_ids [3, B, L], rope_deltas [B, 1], and which rules applied.
std::tuple<nb::ndarray<nb::numpy, std::int64_t>, nb::ndarray<nb::numpy, std::int64_t>, std::string> get_rope_index(
    const std::map<std::string, InArray>& inputs, const std::string& config_json, const std::string& config_name,
    const std::optional<std::string>& transformers) {
  cli::HfPositions p = reporting_errors([&] {
    cli::HfInputOptions o;
    o.inputs_path = "inputs";
    o.config_path = config_name;
    o.transformers = transformers;
    o.config_json = config_json;
    npz::Archive archive;
    archive.source = "get_rope_index";
    for (const auto& [key, array] : inputs) {
      archive.keys.push_back(key);
      archive.arrays.emplace(key, copy_array(array, "get_rope_index[" + key + "]"));
    }
    o.inputs = std::move(archive);
    nb::gil_scoped_release released;
    return cli::load_hf_positions(o);
  });
  const auto batch = static_cast<std::size_t>(p.index.batch), length = static_cast<std::size_t>(p.index.length);
  return {int64_array(std::move(p.index.position_ids), {3, batch, length}), int64_array(std::move(p.index.rope_deltas), {batch, 1}),
          p.summary()};
}

}  // namespace
}  // namespace mmrope::python

NB_MODULE(_mmrope, m) {
  using namespace mmrope::python;
  m.doc() = "mmrope's C++ core: use the functions of the mmrope package, which check their arguments";
  m.attr("__version__") = MMROPE_VERSION_STRING;
  m.def("run", &run, nb::arg("args"), "Runs `mmrope ARGS...` in-process: (exit status, stdout, stderr)");
  m.def("option_names", &mmrope::cli::option_names, nb::arg("subcommand"), "The long option names of `mmrope SUBCOMMAND`");
  m.def("check", &check, nb::arg("args"), nb::arg("x"), nb::arg("y"), nb::arg("positions").none(),
        "`mmrope check ARGS` on arrays: (exit status, text report, JSON report)");
  m.def("rotate", &rotate, nb::arg("args"), nb::arg("x"), nb::arg("positions").none(), nb::arg("out"),
        "`mmrope rotate ARGS` on arrays, into `out` (bit patterns of the dtype)");
  m.def("get_rope_index", &get_rope_index, nb::arg("inputs"), nb::arg("config_json"), nb::arg("config_name"),
        nb::arg("transformers").none(), "transformers' get_rope_index: (position_ids, rope_deltas, rules)");
}
