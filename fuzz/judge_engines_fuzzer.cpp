// libFuzzer harness: the fast and the mpfr judge engines must agree (bits, verdicts, worst elements) on any problem the bytes describe;
// the diagnosis and the convention bounds must hold their invariants on it.
//
// Input format (every byte optional; missing bytes read as 0):
//   byte 0: dtype (% 3: fp32, fp16, bf16), bit 2 backward, bit 3 gptj, bit 4 key, bit 5 YaRN x4, bit 6 base 1e6
//   byte 1: allocation (% 8: 1d, chunked, interleaved, videorope, videorope-repo, hope, multi-head, 2d)
//   byte 2: head_dim = 2 * (1 + b % 16); byte 3: rotary pairs dropped (partial rotary)
//   byte 4: tokens = 1 + b % 8, heads = 1 + (b / 8) % 3 (multi-head: 3)
//   byte 5: the bound: 0.5, 1, 2, or an element's own figure
//   then 4 bytes per (token, axis): the position, the low 31 bits, bit 31 the sign;
//   then per element 2 bytes: the input (a dtype pattern, or with the top bit a float64 midpoint construction),
//   then per element 1 byte: the judged output's distance from the exact bits (-2..2, or NaN).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "reference/emulation/convention_bounds.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/judge/diagnosis.hpp"
#include "reference/judge/judge_engine.hpp"

namespace {

using namespace mmrope;

class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}
  std::uint8_t byte() { return pos_ < size_ ? data_[pos_++] : 0; }
  std::uint32_t word() {
    std::uint32_t v = 0;
    for (int k = 0; k < 4; ++k) v |= static_cast<std::uint32_t>(byte()) << (8 * k);
    return v;
  }

 private:
  const std::uint8_t* data_;
  std::size_t size_, pos_ = 0;
};

[[noreturn]] void disagree(const std::string& what) {
  std::fprintf(stderr, "judge engines disagree: %s\n", what.c_str());
  std::abort();
}

judge::Problem problem_from(Bytes& in) {
  judge::Problem p;
  const std::uint8_t flags = in.byte();
  p.dtype = static_cast<DType>(flags % 3);
  p.direction = flags & 4 ? Direction::backward : Direction::forward;
  p.spec.pairing = flags & 8 ? Pairing::gptj : Pairing::neox;
  p.role = flags & 16 ? TensorRole::key : TensorRole::query;
  if (flags & 32) {
    p.spec.scaling.kind = ScalingKind::yarn;
    p.spec.scaling.factor = Rational(4);
    p.spec.scaling.original_context = 4096;
  }
  p.spec.base = flags & 64 ? "1000000" : "10000";
  const char* names[] = {"1d", "chunked", "interleaved", "videorope", "videorope-repo", "hope", "multi-head", "2d"};
  const std::string name = names[in.byte() % 8];
  p.spec.head_dim = 2 * (1 + in.byte() % 16);
  const int dropped = in.byte() % (p.spec.head_dim / 2);
  p.spec.rotary_dim = p.spec.head_dim - 2 * dropped;
  const int pairs = p.spec.pairs();
  const std::uint8_t shape = in.byte();
  int heads = 1 + (shape / 8) % 3;
  try {
    if (name == "multi-head") {
      heads = 3;
      p.spec.allocation = make_allocation(name, "1,1,1", pairs, HeadCounts{3, 3});
    } else if (name == "1d" || name == "2d") {
      p.spec.allocation = make_allocation(name, "", pairs);
    } else {
      const int t = pairs / 3, h = (pairs - t) / 2;
      p.spec.allocation = make_allocation(name, std::to_string(t) + "," + std::to_string(h) + "," + std::to_string(pairs - t - h), pairs);
    }
  } catch (const Error&) {
    p.spec.allocation = make_allocation("1d", "", pairs);
  }
  p.row = {1 + shape % 8, heads, p.spec.head_dim};
  return p;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Bytes in(data, size);
  judge::Problem p = problem_from(in);
  const std::uint8_t bound_choice = in.byte();
  std::vector<Position3> row;
  for (int t = 0; t < p.row.tokens; ++t) {
    Position3 pos;
    for (Axis a : kAxes) {
      const std::uint32_t w = in.word();
      const std::int64_t v = static_cast<std::int64_t>(w & 0x7fffffffu);
      pos[a] = Coordinate(w >> 31 ? -v : v);
    }
    row.push_back(pos);
  }
  p.positions = {row};
  const auto n = static_cast<std::size_t>(p.elements());
  std::vector<double> x(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint32_t b = in.byte() | (static_cast<std::uint32_t>(in.byte()) << 8);
    if (b & 0x8000u) {
      // A float64 input on a rounding midpoint of the dtype divided by a cos: the hard cases of the fast path.
      const std::uint32_t low = p.dtype == DType::fp32 ? (b & 0x7fffu) << 16 : b & 0x7bffu;
      const double mid = decode_bits(low, p.dtype) / 2 + decode_bits(low + 1, p.dtype) / 2;
      x[i] = mid / std::cos(static_cast<double>(i % 7 + 1));
    } else {
      const std::uint32_t bits = p.dtype == DType::fp32 ? (b << 16) | b : b;
      x[i] = decode_bits(bits, p.dtype);
    }
  }
  const judge::ValueReader read_x = [&](std::int64_t f, std::span<double> out) {
    std::copy_n(x.begin() + f, out.size(), out.begin());
  };
  std::vector<std::uint32_t> fast_bits(n), mpfr_bits(n);
  judge::Options o;
  o.threads = 1;
  try {
    for (const auto& run : {std::pair{judge::Engine::fast, &fast_bits}, std::pair{judge::Engine::mpfr, &mpfr_bits}}) {
      o.engine = run.first;
      std::vector<std::uint32_t>* out = run.second;
      judge::rotate(p, read_x, [out](std::int64_t f, std::span<const std::uint32_t> b) {
        std::copy(b.begin(), b.end(), out->begin() + f);
      }, o);
    }
  } catch (const Error&) {
    return 0;  // a problem the spec refuses, for both engines alike
  }
  for (std::size_t i = 0; i < n; ++i)
    if (fast_bits[i] != mpfr_bits[i]) disagree("rotated bits of element " + std::to_string(i));
  // The property: the exact rounding passes at 0.5 ulp, and any non-zero element moved two steps away fails (for
  // finite inputs: a NaN or infinite input makes exact values that no output matches).
  if (std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); })) {
    judge::Options strict = o;
    strict.max_ulp = 0.5;
    strict.engine = judge::Engine::fast;
    const judge::BitsReader exact_bits = [&](std::int64_t f, std::span<std::uint32_t> out) {
      std::copy_n(mpfr_bits.begin() + f, out.size(), out.begin());
    };
    const ComparisonReport ok = judge::check(p, read_x, exact_bits, strict);
    if (ok.over_bound != 0) disagree("the correctly rounded output fails at 0.5 ulp");
    std::vector<std::uint32_t> moved = mpfr_bits;
    std::size_t count = 0;
    const std::uint32_t magnitude = format_of(p.dtype).sign_bit() - 1;
    for (std::size_t i = 0; i < n; i += 5) {
      // A zero may be an exact zero, measured at the pair's norm (docs/error-model.md, "Two metrics"), where
      // two subnormal steps are far below an ulp: only non-zero outputs are moved.
      if ((moved[i] & magnitude) == 0) continue;
      moved[i] = (moved[i] + (i % 2 ? 2u : static_cast<std::uint32_t>(-2))) & ((format_of(p.dtype).sign_bit() << 1) - 1);
      ++count;
    }
    const judge::BitsReader moved_bits = [&](std::int64_t f, std::span<std::uint32_t> out) {
      std::copy_n(moved.begin() + f, out.size(), out.begin());
    };
    if (judge::check(p, read_x, moved_bits, strict).over_bound != count) disagree("an element two steps away passes");
  }
  std::vector<std::uint32_t> got = mpfr_bits;
  const std::uint32_t width = (format_of(p.dtype).sign_bit() << 1) - 1;
  for (auto& g : got) {
    const std::uint8_t d = in.byte();
    if (d == 0xff) g = format_of(p.dtype).quiet_nan_bits();
    else g = (g + static_cast<std::uint32_t>(static_cast<int>(d % 5) - 2)) & width;
  }
  const judge::BitsReader read_got = [&](std::int64_t f, std::span<std::uint32_t> out) {
    std::copy_n(got.begin() + f, out.size(), out.begin());
  };
  o.engine = judge::Engine::mpfr;
  o.max_ulp = 1.0;
  const ComparisonReport first = judge::check(p, read_x, read_got, o);
  const double ulp_bounds[] = {0.5, 1.0, 2.0};
  o.max_ulp = bound_choice % 4 < 3 ? ulp_bounds[bound_choice % 4]
                                   : (std::isfinite(first.max_ulp) ? first.max_ulp : 1.0);  // on an element's figure
  o.worst = 4;
  o.engine = judge::Engine::fast;
  const ComparisonReport fast = judge::check(p, read_x, read_got, o);
  o.engine = judge::Engine::mpfr;
  const ComparisonReport mpfr = judge::check(p, read_x, read_got, o);
  if (fast.over_bound != mpfr.over_bound) disagree("over_bound " + std::to_string(fast.over_bound) + " vs " + std::to_string(mpfr.over_bound));
  if (fast.all_zero_output != mpfr.all_zero_output) disagree("all_zero_output");
  if (!(fast.max_ulp == mpfr.max_ulp || (std::isnan(fast.max_ulp) && std::isnan(mpfr.max_ulp)))) disagree("max_ulp");
  if (fast.worst.size() != mpfr.worst.size()) disagree("worst list size");
  for (std::size_t i = 0; i < fast.worst.size(); ++i)
    if (fast.worst[i].index != mpfr.worst[i].index || fast.worst[i].ulp != mpfr.worst[i].ulp)
      disagree("worst element " + std::to_string(i));
  char a[32], b[32];
  std::snprintf(a, sizeof a, "%.6g", fast.mean_ulp);
  std::snprintf(b, sizeof b, "%.6g", mpfr.mean_ulp);
  if (std::string(a) != b) disagree(std::string("mean ulp ") + a + " vs " + b);
  if (!(fast.max_pair_ulp == mpfr.max_pair_ulp || (std::isnan(fast.max_pair_ulp) && std::isnan(mpfr.max_pair_ulp))))
    disagree("max_pair_ulp");
  if (fast.over_bound_pair != mpfr.over_bound_pair) disagree("over_bound_pair");

  // The diagnosis: classes of the vocabulary, each at most once, confidences in [0, 1], whatever the data.
  const auto& vocabulary = judge::diagnosis_classes();
  std::vector<std::string> named;
  for (const judge::Diagnosis& d : judge::diagnose(p, read_x, read_got, fast)) {
    if (std::find(vocabulary.begin(), vocabulary.end(), d.cls) == vocabulary.end()) disagree("diagnosis class " + d.cls);
    if (std::find(named.begin(), named.end(), d.cls) != named.end()) disagree("diagnosis class twice: " + d.cls);
    if (!(d.confidence >= 0 && d.confidence <= 1)) disagree("diagnosis confidence of " + d.cls);
    named.push_back(d.cls);
  }

  // The convention bounds: under correctly-rounded the bit-exact conventions are one value, the emulation's; a
  // wider model's hull holds it (finite inputs: a NaN input has no range to hold).
  if (std::all_of(x.begin(), x.end(), [](double v) { return std::isfinite(v); })) {
    const auto plan = make_frequency_plan<Mpfr256>(p.spec);
    const Convention c = static_cast<Convention>(bound_choice % 4);
    const std::vector<double> xs(x.begin(), x.end());
    EmulatedRotation<Mpfr256> emu(plan, p.positions[0], c);
    const EmulatedTensor want = emu.apply(xs, p.row, p.role, p.direction, p.dtype);
    for (const char* model : {"correctly-rounded", "common"}) {
      ConventionBounds<Mpfr256> bounds(plan, p.positions[0], c, find_error_model(model));
      const ConventionRange r = bounds.apply(xs, p.row, p.role, p.direction, p.dtype);
      const bool strict = std::string(model) == "correctly-rounded";
      for (std::size_t i = 0; i < xs.size(); ++i) {
        const double v = want.rounded(i);
        if (std::isnan(v)) continue;
        if (!(r.low[i] <= v && v <= r.high[i])) disagree(std::string(model) + " hull misses the emulation at element " + std::to_string(i));
        if (strict && r.low[i] != r.high[i]) disagree("correctly-rounded hull is not one value at element " + std::to_string(i));
      }
    }
  }
  return 0;
}
