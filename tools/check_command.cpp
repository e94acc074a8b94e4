// `mmrope check`: judges another implementation's output against the exact reference and says where it is wrong.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <optional>
#include <ostream>
#include <span>
#include <sstream>

#include <nlohmann/json.hpp>

#include "reference/comparison.hpp"
#include "rotation_job.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

struct CheckOptions {
  RotationJobOptions job;
  std::string output_path;
  double max_ulp = 1.0;
  std::string convention = "exact";
  int worst = 10;
  bool json = false;
};

// Y's elements as bit patterns of the dtype, read on demand. Floats wider than the dtype are accepted when
// every value is exactly a value of the dtype (a bf16 tensor saved with .float()).
judge::BitsReader judged_bits(std::shared_ptr<const npy::MappedArray> y, DType dtype) {
  const bool native = (dtype == DType::fp32 && y->type == npy::ElementType::float32) ||
                      (dtype == DType::fp16 && y->type == npy::ElementType::float16) ||
                      (dtype == DType::bf16 && (y->type == npy::ElementType::uint16 || y->type == npy::ElementType::int16));
  if (!native && !npy::is_floating(y->type))
    throw Error(y->source + ": a " + std::string(to_string(dtype)) + " output cannot be " + std::string(npy::to_string(y->type)));
  if (native) {
    const std::uint32_t mask = dtype == DType::fp32 ? 0xffffffffu : 0xffffu;
    return [y, mask](std::int64_t first, std::span<std::uint32_t> out) {
      y->read_bits(first, out);
      for (auto& b : out) b &= mask;
    };
  }
  return [y, dtype](std::int64_t first, std::span<std::uint32_t> out) {
    std::vector<double> v(out.size());
    y->read_values(first, v);
    for (std::size_t i = 0; i < out.size(); ++i) {
      out[i] = round_to_bits(v[i], dtype);
      if (std::isfinite(v[i]) && decode_bits(out[i], dtype) != v[i])
        throw Error(y->source + ": element " + std::to_string(first + static_cast<std::int64_t>(i)) + " (" +
                    std::to_string(v[i]) + ") is not a " + std::string(to_string(dtype)) +
                    " value; save the tensor in its own dtype or pass the right --dtype");
    }
  };
}

// Every element of a reader, for the conventions (their emulation is not streamed).
std::vector<std::uint32_t> all_bits(const judge::BitsReader& read, std::int64_t count) {
  std::vector<std::uint32_t> out(static_cast<std::size_t>(count));
  read(0, out);
  return out;
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The axis a channel rotates by for the judged tensor's head, or "pass" for channels past rotary_dim.
std::string channel_axis(const RotationJob& job, int head, int channel) {
  const RotarySpec& s = job.spec;
  if (channel >= s.rotary_dim) return "pass";
  const int half = s.rotary_dim / 2;
  const int pair = s.pairing == Pairing::neox ? channel % half : channel / 2;
  const Allocation& a = s.allocation;
  const int h = a.per_head() ? head : 0;
  const PairAxis axis = job.role == TensorRole::query ? a.query_axis(h, pair) : a.key_axis(h, pair);
  return std::string(1, axis_letter(axis));
}

struct Located {
  int batch, token, head, channel;
  std::string axis;
  const Position3* pos;
};

Located locate(const RotationJob& job, const ElementError& e) {
  const int per_row_tokens = job.row_shape.tokens;
  const int b = e.token / per_row_tokens, t = e.token % per_row_tokens;
  return {b, t, e.head, e.channel, channel_axis(job, e.head, e.channel), &job.positions[b][t]};
}

// Against a named convention: the judged output's distance from the convention's own output, in ulps of
// the dtype at the convention's value (bit-identical is 0).
struct ConventionReport {
  std::string name;
  double max_ulp = 0, mean_ulp = 0;
  std::size_t over_bound = 0, identical = 0;
  // The elements farthest from the convention, largest first: `exact` holds the convention's value and `ulp` the
  // distance to it; reference[k] is worst[k]'s exact result rounded to the dtype, reference_ulp[k] got's distance
  // from that (within 0.5 of the distance from the exact value).
  std::vector<ElementError> worst;
  std::vector<double> reference, reference_ulp;
};

ConventionReport judge_convention(const RotationJob& job, const std::string& name, const std::vector<std::uint32_t>& got,
                                  double bound, std::size_t worst, const judge::Options& options) {
  ConventionReport c;
  c.name = name;
  const std::vector<std::uint32_t> want = job.emulate(parse_convention(name));
  double sum = 0;
  std::vector<std::pair<double, std::size_t>> ranked;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double ulp = ulp_error(decode_bits(want[i], job.dtype), got[i], job.dtype);
    c.max_ulp = std::max(c.max_ulp, ulp);
    sum += ulp;
    c.over_bound += ulp > bound;
    c.identical += got[i] == want[i];
    if (ulp > 0) ranked.emplace_back(ulp, i);
  }
  if (!got.empty()) c.mean_ulp = sum / static_cast<double>(got.size());
  const std::size_t k = std::min(worst, ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k), ranked.end(),
                    [](const auto& a, const auto& b) { return a.first > b.first || (a.first == b.first && a.second < b.second); });
  if (k == 0) return c;
  // The correctly rounded reference of every element (conventions are judged in memory anyway).
  std::vector<std::uint32_t> rounded(got.size());
  judge::rotate(job.problem(), job.input_values(),
                [&rounded](std::int64_t first, std::span<const std::uint32_t> bits) {
                  std::copy(bits.begin(), bits.end(), rounded.begin() + first);
                },
                options);
  const auto& row = job.row_shape;
  for (std::size_t n = 0; n < k; ++n) {
    const std::size_t i = ranked[n].second;
    ElementError e;
    e.index = i;
    e.channel = static_cast<int>(i % static_cast<std::size_t>(row.head_dim));
    e.head = static_cast<int>(i / static_cast<std::size_t>(row.head_dim) % static_cast<std::size_t>(row.heads));
    e.token = static_cast<int>(i / (static_cast<std::size_t>(row.head_dim) * static_cast<std::size_t>(row.heads)));  // over the batch, as locate() reads it
    e.got = decode_bits(got[i], job.dtype);
    e.exact = decode_bits(want[i], job.dtype);
    e.ulp = ranked[n].first;
    e.abs_error = std::fabs(e.got - e.exact);
    c.worst.push_back(e);
    const double ref = decode_bits(rounded[i], job.dtype);
    c.reference.push_back(ref);
    c.reference_ulp.push_back(ulp_error(ref, got[i], job.dtype));
  }
  return c;
}

void write_text(std::ostream& out, const RotationJob& job, const CheckOptions& o, const ComparisonReport& r,
                const ConventionReport* conv) {
  if (!job.hf_summary.empty()) out << "positions: " << job.hf_summary << "\n";
  out << "mmrope check: " << job.label << ", " << to_string(job.dtype) << ", "
      << (o.job.backward ? "backward" : "forward") << ", " << o.job.tensor << ", input " << npy::shape_string(job.input->shape)
      << " (" << r.elements << " elements)\n";
  out << "judged against: exact math, rounded once to " << to_string(job.dtype) << "\n";
  out << "max error: " << number(r.max_ulp) << " ulp (absolute " << number(r.max_abs) << ")\n";
  out << "mean error: " << number(r.mean_ulp) << " ulp (absolute " << number(r.mean_abs) << ")\n";
  out << "over the bound of " << number(o.max_ulp) << " ulp: " << r.over_bound << " of " << r.elements << "\n";
  out << "engine: " << o.job.engine << " (" << r.fallback_elements << " elements computed in MPFR)\n";
  if (r.all_zero_output) out << "the output is all zeros where the reference is not: the implementation did not run?\n";
  if (conv) {
    out << "judged against: convention " << conv->name << " (the verdict follows it)\n";
    out << "  max distance: " << number(conv->max_ulp) << " ulp, mean " << number(conv->mean_ulp) << " ulp, bit-identical "
        << conv->identical << " of " << r.elements << ", over the bound " << conv->over_bound << "\n";
  }
  const bool passed = conv ? conv->over_bound == 0 && !r.all_zero_output : r.passed();
  out << "result: " << (passed ? "PASS" : "FAIL") << "\n";
  if (conv) {
    if (conv->worst.empty()) return;
    out << "worst elements, against the convention (ref: the exact result rounded to " << to_string(job.dtype)
        << ", ref ulp: got's distance from it):\n  batch token head channel axis (t, h, w) got convention ulp ref ref_ulp\n";
    for (std::size_t k = 0; k < conv->worst.size(); ++k) {
      const auto& e = conv->worst[k];
      const Located l = locate(job, e);
      out << "  " << l.batch << " " << l.token << " " << l.head << " " << l.channel << " " << l.axis << " (" << l.pos->t.to_string()
          << ", " << l.pos->h.to_string() << ", " << l.pos->w.to_string() << ") " << number(e.got) << " " << number(e.exact) << " "
          << number(e.ulp) << " " << number(conv->reference[k]) << " " << number(conv->reference_ulp[k]) << "\n";
    }
    return;
  }
  if (r.worst.empty() || r.max_ulp == 0) return;
  out << "worst elements:\n  batch token head channel axis (t, h, w) got exact ulp abs\n";
  for (const auto& e : r.worst) {
    const Located l = locate(job, e);
    out << "  " << l.batch << " " << l.token << " " << l.head << " " << l.channel << " " << l.axis << " (" << l.pos->t.to_string()
        << ", " << l.pos->h.to_string() << ", " << l.pos->w.to_string() << ") " << number(e.got) << " " << number(e.exact) << " "
        << number(e.ulp) << " " << number(e.abs_error) << "\n";
  }
}

std::string json_number(double v) { return std::isfinite(v) ? number(v) : (v > 0 ? "\"inf\"" : "\"nan\""); }

void write_json(std::ostream& out, const RotationJob& job, const CheckOptions& o, const ComparisonReport& r,
                const ConventionReport* conv) {
  // The label can hold a file name: nlohmann-json writes it as an escaped JSON string.
  out << "{\n  \"preset\": " << nlohmann::json(job.label).dump() << ",\n  \"positions_rules\": " << nlohmann::json(job.hf_summary).dump() << ",\n  \"dtype\": \"" << to_string(job.dtype) << "\",\n"
      << "  \"direction\": \"" << (o.job.backward ? "backward" : "forward") << "\",\n  \"elements\": " << r.elements << ",\n"
      << "  \"max_ulp_bound\": " << json_number(o.max_ulp) << ",\n  \"max_ulp\": " << json_number(r.max_ulp) << ",\n"
      << "  \"mean_ulp\": " << json_number(r.mean_ulp) << ",\n  \"max_abs\": " << json_number(r.max_abs) << ",\n"
      << "  \"mean_abs\": " << json_number(r.mean_abs) << ",\n  \"over_bound\": " << r.over_bound << ",\n"
      << "  \"all_zero_output\": " << (r.all_zero_output ? "true" : "false") << ",\n"
      << "  \"engine\": \"" << o.job.engine << "\",\n  \"fallback_elements\": " << r.fallback_elements << ",\n"
      << "  \"convention\": \"" << o.convention << "\",\n";
  if (conv)
    out << "  \"convention_max_ulp\": " << json_number(conv->max_ulp) << ",\n  \"convention_mean_ulp\": "
        << json_number(conv->mean_ulp) << ",\n  \"convention_over_bound\": " << conv->over_bound
        << ",\n  \"convention_identical\": " << conv->identical << ",\n";
  const bool passed = conv ? conv->over_bound == 0 && !r.all_zero_output : r.passed();
  // With a convention the worst list is the convention's: "convention" is its value, "ulp" the distance to it, and
  // "reference" / "reference_ulp" the exact result rounded to the dtype and got's distance from it.
  out << "  \"passed\": " << (passed ? "true" : "false") << ",\n  \"worst\": [";
  const std::vector<ElementError>& worst = conv ? conv->worst : r.worst;
  for (std::size_t i = 0; i < worst.size(); ++i) {
    const auto& e = worst[i];
    const Located l = locate(job, e);
    out << (i ? ",\n" : "\n") << "    {\"batch\": " << l.batch << ", \"token\": " << l.token << ", \"head\": " << l.head
        << ", \"channel\": " << l.channel << ", \"axis\": \"" << l.axis << "\", \"t\": \"" << l.pos->t.to_string()
        << "\", \"h\": \"" << l.pos->h.to_string() << "\", \"w\": \"" << l.pos->w.to_string() << "\", \"got\": "
        << json_number(e.got) << (conv ? ", \"convention\": " : ", \"exact\": ") << json_number(e.exact)
        << ", \"ulp\": " << json_number(e.ulp) << ", \"abs\": " << json_number(e.abs_error);
    if (conv) out << ", \"reference\": " << json_number(conv->reference[i]) << ", \"reference_ulp\": " << json_number(conv->reference_ulp[i]);
    out << "}";
  }
  out << (worst.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

// Judges Y against X; the exit status: 0 within the bound, 1 not.
int run_check(std::ostream& out, const CheckOptions& o) {
  const RotationJob job = load_rotation_job(o.job);
  const auto y = std::make_shared<const npy::MappedArray>(o.output_path);
  if (y->shape != job.input->shape)
    throw Error(o.output_path + ": shape " + npy::shape_string(y->shape) + " differs from the input's " +
                npy::shape_string(job.input->shape));
  const judge::BitsReader got = reordered(job.layout, judged_bits(y, job.dtype));
  judge::Options jo = o.job.judge_options();
  jo.max_ulp = o.max_ulp;
  jo.worst = static_cast<std::size_t>(o.worst);
  // Every row shares one shape, so the rows are judged as one [batch*tokens, heads, head_dim] tensor.
  const ComparisonReport report = judge::check(job.problem(), job.input_values(), got, jo);
  std::optional<ConventionReport> conv;
  if (o.convention != "exact")
    conv = judge_convention(job, o.convention, all_bits(got, y->size()), o.max_ulp, static_cast<std::size_t>(o.worst), jo);
  if (o.json)
    write_json(out, job, o, report, conv ? &*conv : nullptr);
  else
    write_text(out, job, o, report, conv ? &*conv : nullptr);
  const bool passed = conv ? conv->over_bound == 0 && !report.all_zero_output : report.passed();
  return passed ? 0 : 1;
}

}  // namespace

Command add_check_command(CLI::App& app) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand("check", "Judge another implementation's rotated output against the exact reference");
  sub->footer(
      "Rotates X.npy exactly (as `mmrope rotate`) and compares Y.npy, another implementation's result for X,\n"
      "element by element in ulps of --dtype at the exact value (a correctly rounded result is within 0.5).\n"
      "Y may be in the dtype itself (float32, float16, bf16 bits as uint16/int16) or a wider float holding\n"
      "values of the dtype. Prints max and mean error, the count over --max-ulp, and the worst elements with\n"
      "their batch row, token, head, channel, axis and (t, h, w).\n"
      "Exit status: 0 within the bound, 1 not, 2 unusable input.\n"
      "Example: mmrope check --preset qwen2-vl --layout \"text:3 image:1x4x6 text:2\" --input q.npy --output q_rot.npy --dtype bf16");
  opts->job.add_to(*sub);
  sub->add_option("--output", opts->output_path, "Y.npy: the output to judge, same shape as X")->required();
  sub->add_option("--max-ulp", opts->max_ulp, "The bound in ulps of the dtype: a finite number >= 0")
      ->capture_default_str()
      ->check(CLI::Validator(
          [](std::string& v) -> std::string {
            double d = 0;
            try {
              std::size_t used = 0;
              d = std::stod(v, &used);
              if (used != v.size()) return "not a number";
            } catch (const std::exception&) {
              return "not a number";
            }
            return std::isfinite(d) && d >= 0 ? "" : "must be a finite number >= 0";
          },
          "FINITE >= 0"));
  sub->add_option("--worst", opts->worst, "How many worst elements to list")->capture_default_str()->check(CLI::Range(0, 1000));
  sub->add_flag("--json", opts->json, "Print the report as JSON");
  std::vector<std::string> conventions = {"exact"};
  for (const auto& c : convention_registry()) conventions.emplace_back(c.name);
  sub->add_option("--convention", opts->convention,
                  "Judge against exact math (exact) or against a named lower-precision convention: fp32-phase, "
                  "bf16-cache, fp16-cache, activation-dtype (see docs/layout-rules.md); the report gives both distances")
      ->capture_default_str()
      ->check(CLI::IsMember(conventions));
  return {sub, [opts](std::ostream& out) {
            try {
              return run_check(out, *opts);
            } catch (...) {
              if (opts->json) write_json_error(out, describe_exception(std::current_exception()));
              throw;  // the one line on stderr and exit status 2, as for every subcommand
            }
          }};
}

}  // namespace mmrope::cli
