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
#include "reference/judge/diagnosis.hpp"
#include "check_command.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

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

// Every element of a reader, for the conventions (their bounds are not streamed).
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

// The pair a channel belongs to (-1 past rotary_dim) and its axis for the judged tensor's head.
int channel_pair(const RotarySpec& s, int channel) {
  if (channel >= s.rotary_dim) return -1;
  const int half = s.rotary_dim / 2;
  return s.pairing == Pairing::neox ? channel % half : channel / 2;
}

PairAxis pair_axis(const RotationJob& job, int head, int pair) {
  const Allocation& a = job.spec.allocation;
  const int h = a.per_head() ? head : 0;
  return job.role == TensorRole::query ? a.query_axis(h, pair) : a.key_axis(h, pair);
}

// The axis a channel rotates by for the judged tensor's head, or "pass" for channels past rotary_dim.
std::string channel_axis(const RotationJob& job, int head, int channel) {
  const int pair = channel_pair(job.spec, channel);
  if (pair < 0) return "pass";
  return std::string(1, axis_letter(pair_axis(job, head, pair)));
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

// Against a named convention under an error model: each output's distance from the set the convention can
// produce (0 inside it), in ulps of the dtype in the verdict's metric, with the other metric beside.
struct ConventionReport {
  std::string name, model;
  double max_ulp = 0, mean_ulp = 0;  // the verdict's metric
  std::size_t over_bound = 0, inside = 0;
  // The elements farthest from the convention, largest first: `exact` holds the nearest end of the convention's
  // range, `ulp` and `pair_ulp` the distances to it; low/high the range; reference[k] is worst[k]'s exact result
  // rounded to the dtype, reference_ulp[k] got's distance from that (element ulps).
  std::vector<ElementError> worst;
  std::vector<double> low, high, reference, reference_ulp;
  ErrorSummaries summaries;
};

ConventionReport judge_convention(const RotationJob& job, const CheckOptions& o, const std::vector<std::uint32_t>& got,
                                  const judge::Options& options) {
  ConventionReport c;
  c.name = o.convention;
  const Convention convention = parse_convention(o.convention);
  const ErrorModel& model = find_error_model(o.error_model.empty() ? convention_info(convention).error_model : o.error_model);
  c.model = model.name;
  const ConventionRange range = job.convention_range(convention, model);
  const auto& row = job.row_shape;
  const std::size_t per_token = static_cast<std::size_t>(row.heads) * static_cast<std::size_t>(row.head_dim);
  std::vector<double> x(got.size());
  job.input_values()(0, x);
  const double attention = std::fabs(to_double(make_frequency_plan<Mpfr256>(job.spec).attention_factor));
  const judge::Problem problem = job.problem();
  double sum = 0;
  std::vector<ElementError> ranked;
  int decade_token = -1;
  std::array<int, 3> decade{};
  for (std::size_t i = 0; i < got.size(); ++i) {
    const int channel = static_cast<int>(i % static_cast<std::size_t>(row.head_dim));
    const int head = static_cast<int>(i / static_cast<std::size_t>(row.head_dim) % static_cast<std::size_t>(row.heads));
    const int token = static_cast<int>(i / per_token);  // over the batch, as locate() reads it
    const int b = token / row.tokens, t = token % row.tokens;
    const int pair = channel_pair(job.spec, channel);
    double r = std::fabs(x[i]);
    if (pair >= 0) {
      const auto [c0, c1] = pair_channels(job.spec.pairing, pair, job.spec.rotary_dim);
      const std::size_t head_first = i - static_cast<std::size_t>(channel);
      r = attention * std::hypot(x[head_first + static_cast<std::size_t>(c0)], x[head_first + static_cast<std::size_t>(c1)]);
    }
    const double g = decode_bits(got[i], job.dtype);
    ElementError e;
    e.index = i;
    e.channel = channel;
    e.head = head;
    e.token = token;
    e.got = g;
    if (std::isnan(g)) {
      e.exact = range.low[i];
      e.ulp = e.pair_ulp = e.abs_error = std::numeric_limits<double>::infinity();
    } else if (range.contains(i, g)) {
      e.exact = g;
      ++c.inside;
    } else {
      e.exact = g < range.low[i] ? range.low[i] : range.high[i];
      e.abs_error = std::fabs(g - e.exact);
      const double at_r = r > 0 ? e.abs_error / ulp_of(r, job.dtype) : (e.abs_error == 0 ? 0 : std::numeric_limits<double>::infinity());
      e.pair_ulp = at_r;
      e.exact_is_zero = e.exact == 0;
      e.ulp = e.exact == 0 ? at_r : e.abs_error / ulp_of(e.exact, job.dtype);
    }
    const double figure = *o.metric == Metric::element ? e.ulp : e.pair_ulp;
    const bool over = figure > o.max_ulp;
    c.max_ulp = std::max(c.max_ulp, figure);
    sum += figure;
    c.over_bound += over;
    if (decade_token != token) {
      decade_token = token;
      for (Axis a : kAxes) decade[static_cast<int>(a)] = judge::position_decade(job.positions[b][t][a]);
    }
    const PairAxis axis = pair >= 0 ? pair_axis(job, head, pair) : PairAxis{};
    judge::add_to_summaries(c.summaries, pair, axis, decade[axis ? static_cast<int>(*axis) : 0], problem.kinds[b][t], head, b,
                            figure, over);
    if (figure > 0) ranked.push_back(e);
  }
  if (!got.empty()) c.mean_ulp = sum / static_cast<double>(got.size());
  const auto worse = [&o](const ElementError& a, const ElementError& b) {
    const double fa = *o.metric == Metric::element ? a.ulp : a.pair_ulp, fb = *o.metric == Metric::element ? b.ulp : b.pair_ulp;
    return fa > fb || (fa == fb && a.index < b.index);
  };
  const std::size_t k = std::min(static_cast<std::size_t>(o.worst), ranked.size());
  std::partial_sort(ranked.begin(), ranked.begin() + static_cast<std::ptrdiff_t>(k), ranked.end(), worse);
  if (k == 0) return c;
  ranked.resize(k);
  // The correctly rounded reference of every element (conventions are judged in memory anyway).
  std::vector<std::uint32_t> rounded(got.size());
  judge::rotate(problem, job.input_values(),
                [&rounded](std::int64_t first, std::span<const std::uint32_t> bits) {
                  std::copy(bits.begin(), bits.end(), rounded.begin() + first);
                },
                options);
  for (const ElementError& e : ranked) {
    c.worst.push_back(e);
    c.low.push_back(range.low[e.index]);
    c.high.push_back(range.high[e.index]);
    const double ref = decode_bits(rounded[e.index], job.dtype);
    c.reference.push_back(ref);
    c.reference_ulp.push_back(ulp_error(ref, got[e.index], job.dtype));
  }
  return c;
}

const char* kAxisBinNames[] = {"t", "h", "w", "none", "pass"};

std::string decade_name(std::size_t d) {
  if (d == 0) return "[0, 1)";
  if (d == 1) return "[1, 10)";
  return "[1e" + std::to_string(d - 1) + ", 1e" + std::to_string(d) + ")";
}

// The label of bin i of a summary, for text and JSON.
std::string bin_label(const RotationJob& job, const std::string& summary, std::size_t i) {
  if (summary == "axis") return kAxisBinNames[std::min<std::size_t>(i, 4)];
  if (summary == "decade") return decade_name(i);
  if (summary == "kind") return std::string(to_string(static_cast<TokenKind>(i)));
  if (summary == "pair") {
    const PairAxis a = job.spec.allocation.per_head() ? PairAxis{} : pair_axis(job, 0, static_cast<int>(i));
    const auto [c0, c1] = pair_channels(job.spec.pairing, static_cast<int>(i), job.spec.rotary_dim);
    return std::to_string(i) + " (channels " + std::to_string(c0) + ", " + std::to_string(c1) +
           (job.spec.allocation.per_head() ? "" : std::string(", axis ") + axis_letter(a)) + ")";
  }
  return std::to_string(i);
}

struct NamedSummary {
  std::string name;
  const std::vector<SummaryBin>* bins;
};

std::vector<NamedSummary> named_summaries(const ErrorSummaries& s) {
  return {{"pair", &s.by_pair}, {"axis", &s.by_axis}, {"decade", &s.by_decade}, {"kind", &s.by_kind},
          {"head", &s.by_head}, {"row", &s.by_row}};
}

// Where the elements over the bound sit: per summary, the bins holding any, most first (at most 6 each).
void write_where(std::ostream& out, const RotationJob& job, const ErrorSummaries& s, std::uint64_t over) {
  if (over == 0) return;
  out << "where the elements over the bound sit (count of the group's elements, max ulp):\n";
  for (const NamedSummary& n : named_summaries(s)) {
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < n.bins->size(); ++i)
      if ((*n.bins)[i].over) order.push_back(i);
    if (order.empty()) continue;
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return (*n.bins)[a].over > (*n.bins)[b].over; });
    out << "  by " << n.name << ":";
    for (std::size_t k = 0; k < std::min<std::size_t>(order.size(), 6); ++k) {
      const SummaryBin& bin = (*n.bins)[order[k]];
      out << (k ? ";" : "") << " " << bin_label(job, n.name, order[k]) << " " << bin.over << " of " << bin.elements << " ("
          << number(bin.max_ulp) << ")";
    }
    if (order.size() > 6) out << "; " << order.size() - 6 << " more";
    out << "\n";
  }
  if (s.pass_through.over) out << "  past rotary_dim: " << s.pass_through.over << " of " << s.pass_through.elements << "\n";
}

bool check_passed(const ComparisonReport& r, const ConventionReport* conv) {
  return conv ? conv->over_bound == 0 && !r.all_zero_output : r.passed();
}

void write_text(std::ostream& out, const RotationJob& job, const CheckOptions& o, const ComparisonReport& r,
                const ConventionReport* conv, const std::vector<judge::Diagnosis>& diagnosis) {
  const bool passed = check_passed(r, conv);
  if (!passed) {
    if (diagnosis.empty())
      out << "diagnosis: no known cause fits (see where the error sits below; a kernel that follows a convention is "
             "judged with --convention)\n";
    for (const auto& d : diagnosis) out << "diagnosis: " << d.cls << ": " << d.evidence << " (confidence " << number(d.confidence) << ")\n";
  }
  if (!job.hf_summary.empty()) out << "positions: " << job.hf_summary << "\n";
  out << "mmrope check: " << job.label << ", " << to_string(job.dtype) << ", "
      << (o.job.backward ? "backward" : "forward") << ", " << o.job.tensor << ", input " << npy::shape_string(job.input->shape)
      << " (" << r.elements << " elements)\n";
  out << "judged against: exact math, rounded once to " << to_string(job.dtype) << "; metric: " << to_string(*o.metric)
      << (*o.metric == Metric::pair ? " (ulps at the pair's norm r)" : " (ulps at the exact value; at r where it is 0)") << "\n";
  out << "max error: " << number(r.max_pair_ulp) << " pair ulp, " << number(r.max_ulp) << " element ulp (absolute "
      << number(r.max_abs) << ")\n";
  out << "mean error: " << number(r.mean_pair_ulp) << " pair ulp, " << number(r.mean_ulp) << " element ulp (absolute "
      << number(r.mean_abs) << ")\n";
  out << "over the bound of " << number(o.max_ulp) << " ulp: " << r.over_bound << " of " << r.elements << " (pair metric "
      << r.over_bound_pair << ", element metric " << r.over_bound_element << ")\n";
  out << "engine: " << o.job.engine << " (" << r.fallback_elements << " elements computed in MPFR)\n";
  if (r.all_zero_output) out << "the output is all zeros where the reference is not: the implementation did not run?\n";
  if (conv) {
    out << "judged against: convention " << conv->name << ", error model " << conv->model << " (the verdict follows it)\n";
    out << "  max distance: " << number(conv->max_ulp) << " ulp, mean " << number(conv->mean_ulp) << " ulp, inside the convention's range "
        << conv->inside << " of " << r.elements << ", over the bound " << conv->over_bound << "\n";
  }
  out << "result: " << (passed ? "PASS" : "FAIL") << "\n";
  write_where(out, job, conv ? conv->summaries : r.summaries, conv ? conv->over_bound : r.over_bound);
  if (conv) {
    if (conv->worst.empty()) return;
    out << "worst elements, against the convention (range: what it can give; ref: the exact result rounded to "
        << to_string(job.dtype) << ", ref ulp: got's distance from it):\n"
        << "  batch token head channel axis (t, h, w) got range ulp pair_ulp ref ref_ulp\n";
    for (std::size_t k = 0; k < conv->worst.size(); ++k) {
      const auto& e = conv->worst[k];
      const Located l = locate(job, e);
      out << "  " << l.batch << " " << l.token << " " << l.head << " " << l.channel << " " << l.axis << " (" << l.pos->t.to_string()
          << ", " << l.pos->h.to_string() << ", " << l.pos->w.to_string() << ") " << number(e.got) << " [" << number(conv->low[k])
          << ", " << number(conv->high[k]) << "] " << number(e.ulp) << " " << number(e.pair_ulp) << " " << number(conv->reference[k])
          << " " << number(conv->reference_ulp[k]) << "\n";
    }
    return;
  }
  if (r.worst.empty() || (r.max_ulp == 0 && r.max_pair_ulp == 0)) return;
  out << "worst elements (ulp at the exact value, or at r where it is 0*; pair_ulp at r):\n"
      << "  batch token head channel axis (t, h, w) got exact ulp pair_ulp abs\n";
  for (const auto& e : r.worst) {
    const Located l = locate(job, e);
    out << "  " << l.batch << " " << l.token << " " << l.head << " " << l.channel << " " << l.axis << " (" << l.pos->t.to_string()
        << ", " << l.pos->h.to_string() << ", " << l.pos->w.to_string() << ") " << number(e.got) << " " << number(e.exact) << " "
        << number(e.ulp) << (e.exact_is_zero ? "*" : "") << " " << number(e.pair_ulp) << " " << number(e.abs_error) << "\n";
  }
}

std::string json_number(double v) { return std::isfinite(v) ? number(v) : (v > 0 ? "\"inf\"" : "\"nan\""); }

void write_json_summaries(std::ostream& out, const RotationJob& job, const ErrorSummaries& s) {
  out << "  \"summaries\": {";
  bool first_summary = true;
  for (const NamedSummary& n : named_summaries(s)) {
    out << (first_summary ? "\n" : ",\n") << "    \"by_" << n.name << "\": [";
    first_summary = false;
    bool first = true;
    for (std::size_t i = 0; i < n.bins->size(); ++i) {
      const SummaryBin& b = (*n.bins)[i];
      if (b.elements == 0) continue;
      out << (first ? "" : ", ") << "{\"" << n.name << "\": " << nlohmann::json(bin_label(job, n.name, i)).dump()
          << ", \"elements\": " << b.elements << ", \"over\": " << b.over << ", \"max_ulp\": " << json_number(b.max_ulp)
          << ", \"mean_ulp\": " << json_number(b.sum_ulp / static_cast<double>(b.elements)) << "}";
      first = false;
    }
    out << "]";
  }
  out << ",\n    \"pass_through\": {\"elements\": " << s.pass_through.elements << ", \"over\": " << s.pass_through.over
      << ", \"max_ulp\": " << json_number(s.pass_through.max_ulp) << "}\n  },\n";
}

void write_json(std::ostream& out, const RotationJob& job, const CheckOptions& o, const ComparisonReport& r,
                const ConventionReport* conv, const std::vector<judge::Diagnosis>& diagnosis) {
  // The label can hold a file name: nlohmann-json writes it as an escaped JSON string.
  out << "{\n  \"preset\": " << nlohmann::json(job.label).dump() << ",\n  \"positions_rules\": " << nlohmann::json(job.hf_summary).dump() << ",\n  \"dtype\": \"" << to_string(job.dtype) << "\",\n"
      << "  \"direction\": \"" << (o.job.backward ? "backward" : "forward") << "\",\n  \"elements\": " << r.elements << ",\n"
      << "  \"metric\": \"" << to_string(*o.metric) << "\",\n"
      << "  \"max_ulp_bound\": " << json_number(o.max_ulp) << ",\n  \"max_ulp\": " << json_number(r.max_ulp) << ",\n"
      << "  \"mean_ulp\": " << json_number(r.mean_ulp) << ",\n  \"max_pair_ulp\": " << json_number(r.max_pair_ulp) << ",\n"
      << "  \"mean_pair_ulp\": " << json_number(r.mean_pair_ulp) << ",\n  \"max_abs\": " << json_number(r.max_abs) << ",\n"
      << "  \"mean_abs\": " << json_number(r.mean_abs) << ",\n  \"over_bound\": " << r.over_bound << ",\n"
      << "  \"over_bound_element\": " << r.over_bound_element << ",\n  \"over_bound_pair\": " << r.over_bound_pair << ",\n"
      << "  \"all_zero_output\": " << (r.all_zero_output ? "true" : "false") << ",\n"
      << "  \"engine\": \"" << o.job.engine << "\",\n  \"fallback_elements\": " << r.fallback_elements << ",\n"
      << "  \"convention\": \"" << o.convention << "\",\n";
  if (conv)
    out << "  \"error_model\": \"" << conv->model << "\",\n  \"convention_max_ulp\": " << json_number(conv->max_ulp)
        << ",\n  \"convention_mean_ulp\": " << json_number(conv->mean_ulp) << ",\n  \"convention_over_bound\": " << conv->over_bound
        << ",\n  \"convention_inside\": " << conv->inside << ",\n";
  const bool passed = check_passed(r, conv);
  out << "  \"passed\": " << (passed ? "true" : "false") << ",\n  \"diagnosis\": [";
  for (std::size_t i = 0; i < diagnosis.size(); ++i)
    out << (i ? ", " : "") << "{\"class\": \"" << diagnosis[i].cls << "\", \"evidence\": " << nlohmann::json(diagnosis[i].evidence).dump()
        << ", \"confidence\": " << json_number(diagnosis[i].confidence) << "}";
  out << "],\n";
  write_json_summaries(out, job, conv ? conv->summaries : r.summaries);
  // With a convention the worst list is the convention's: "convention" is the nearest end of its range, "ulp"
  // and "pair_ulp" the distance to it, "low"/"high" the range, and "reference" / "reference_ulp" the exact
  // result rounded to the dtype and got's distance from it.
  out << "  \"worst\": [";
  const std::vector<ElementError>& worst = conv ? conv->worst : r.worst;
  for (std::size_t i = 0; i < worst.size(); ++i) {
    const auto& e = worst[i];
    const Located l = locate(job, e);
    out << (i ? ",\n" : "\n") << "    {\"batch\": " << l.batch << ", \"token\": " << l.token << ", \"head\": " << l.head
        << ", \"channel\": " << l.channel << ", \"axis\": \"" << l.axis << "\", \"t\": \"" << l.pos->t.to_string()
        << "\", \"h\": \"" << l.pos->h.to_string() << "\", \"w\": \"" << l.pos->w.to_string() << "\", \"got\": "
        << json_number(e.got) << (conv ? ", \"convention\": " : ", \"exact\": ") << json_number(e.exact)
        << ", \"ulp\": " << json_number(e.ulp) << ", \"pair_ulp\": " << json_number(e.pair_ulp)
        << ", \"exact_is_zero\": " << (e.exact_is_zero ? "true" : "false") << ", \"abs\": " << json_number(e.abs_error);
    if (conv)
      out << ", \"low\": " << json_number(conv->low[i]) << ", \"high\": " << json_number(conv->high[i])
          << ", \"reference\": " << json_number(conv->reference[i]) << ", \"reference_ulp\": " << json_number(conv->reference_ulp[i]);
    out << "}";
  }
  out << (worst.empty() ? "]\n}\n" : "\n  ]\n}\n");
}

// Judges Y against X; the exit status: 0 within the bound, 1 not.
}  // namespace

int run_check(const CheckOptions& given, std::ostream* text, std::ostream* json) {
  const RotationJob job = load_rotation_job(given.job);
  CheckOptions o = given;
  // docs/error-model.md, "Two metrics": element ulps are out of reach for fp32 arithmetic where outputs
  // cancel; in fp16 and bf16 the pair's resolution would hide small angle errors the element metric sees.
  o.metric = o.metric_name.empty() ? (job.dtype == DType::fp32 ? Metric::pair : Metric::element)
             : o.metric_name == "pair" ? Metric::pair : Metric::element;
  const auto y = o.output_array ? o.output_array : std::make_shared<const npy::MappedArray>(o.output_path);
  if (y->shape != job.input->shape)
    throw Error(o.output_path + ": shape " + npy::shape_string(y->shape) + " differs from the input's " +
                npy::shape_string(job.input->shape));
  if (!o.error_model.empty() && o.convention == "exact")
    throw Error("--error-model applies to a convention: add --convention NAME");
  const judge::BitsReader got = reordered(job.layout, judged_bits(y, job.dtype));
  judge::Options jo = o.job.judge_options();
  jo.max_ulp = o.max_ulp;
  jo.metric = *o.metric;
  jo.worst = static_cast<std::size_t>(o.worst);
  // Every row shares one shape, so the rows are judged as one [batch*tokens, heads, head_dim] tensor.
  const judge::Problem problem = job.problem();
  const ComparisonReport report = judge::check(problem, job.input_values(), got, jo);
  std::optional<ConventionReport> conv;
  if (o.convention != "exact") conv = judge_convention(job, o, all_bits(got, y->size()), jo);
  const bool passed = check_passed(report, conv ? &*conv : nullptr);
  // The diagnosis reads the output against exact math: a structural cause shows the same under any convention.
  const std::vector<judge::Diagnosis> diagnosis = passed ? std::vector<judge::Diagnosis>{}
                                                         : judge::diagnose(problem, job.input_values(), got, report);
  if (json) write_json(*json, job, o, report, conv ? &*conv : nullptr, diagnosis);
  if (text) write_text(*text, job, o, report, conv ? &*conv : nullptr, diagnosis);
  return passed ? 0 : 1;
}

void add_check_options(CLI::App& sub, CheckOptions& o) {
  o.job.add_to(sub);
  sub.add_option("--output", o.output_path, "Y.npy: the output to judge, same shape as X")->required();
  sub.add_option("--max-ulp", o.max_ulp, "The bound in ulps of the dtype: a finite number >= 0")
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
  sub.add_option("--worst", o.worst, "How many worst elements to list")->capture_default_str()->check(CLI::Range(0, 1000));
  sub.add_flag("--json", o.json, "Print the report as JSON");
  sub.add_option("--metric", o.metric_name,
                 "The verdict's metric: pair (ulps at the pair's norm) or element (ulps at the value); default: pair "
                 "for f32, element for f16 and bf16")
      ->check(CLI::IsMember({"pair", "element"}));
  std::vector<std::string> models;
  for (const auto& m : error_model_registry()) models.emplace_back(m.name);
  sub.add_option("--error-model", o.error_model,
                 "With --convention: how far pow, cos and sin may be from exact (correctly-rounded, torch-cpu, "
                 "cuda-libdevice, common, cuda-fast-math); default: the convention's (common; fast-math: cuda-fast-math)")
      ->check(CLI::IsMember(models));
  std::vector<std::string> conventions = {"exact"};
  for (const auto& c : convention_registry()) conventions.emplace_back(c.name);
  sub.add_option("--convention", o.convention,
                 "Judge against exact math (exact) or against a named lower-precision convention: fp32-phase, "
                 "bf16-cache, fp16-cache, activation-dtype, ggml-running-product, fast-math, tf32-phase (see "
                 "docs/layout-rules.md); the report gives both distances")
      ->capture_default_str()
      ->check(CLI::IsMember(conventions));
}

Command add_check_command(CLI::App& app) {
  auto opts = std::make_shared<CheckOptions>();
  CLI::App* sub = app.add_subcommand("check", "Judge another implementation's rotated output against the exact reference");
  sub->footer(
      "Rotates X.npy exactly (as `mmrope rotate`) and compares Y.npy, another implementation's result for X,\n"
      "element by element in ulps of --dtype (a correctly rounded result is within 0.5).\n"
      "Y may be in the dtype itself (float32, float16, bf16 bits as uint16/int16) or a wider float holding\n"
      "values of the dtype. The verdict's metric is pair ulps for f32 (the error in ulps of the dtype at the pair's\n"
      "norm r, which the rotation keeps) and element ulps for f16 and bf16, unless --metric says; both are\n"
      "reported (docs/error-model.md, \"Two metrics\").\n"
      "Prints max and mean error, the count over --max-ulp, where the error sits (per pair, axis, position decade,\n"
      "token kind, head, row), the worst elements with their batch row, token, head, channel, axis and (t, h, w),\n"
      "and on a failure a diagnosis: the likely cause from a fixed vocabulary.\n"
      "Exit status: 0 within the bound, 1 not, 2 unusable input.\n"
      "Example: mmrope check --preset qwen2-vl --layout \"text:3 image:1x4x6 text:2\" --input q.npy --output q_rot.npy --dtype bf16");
  add_check_options(*sub, *opts);
  return {sub, [opts](std::ostream& out) {
            try {
              return opts->json ? run_check(*opts, nullptr, &out) : run_check(*opts, &out, nullptr);
            } catch (...) {
              if (opts->json) write_json_error(out, describe_exception(std::current_exception()));
              throw;  // the one line on stderr and exit status 2, as for every subcommand
            }
          }};
}

}  // namespace mmrope::cli
