// The diagnosis: a sample of pairs scored against hypotheses (each a known kernel bug) predicting their rotation, in double.
#include "reference/judge/diagnosis.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <set>

#include "reference/emulation/fp32_phase.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/frequency/sections.hpp"
#include "reference/presets/presets.hpp"

namespace mmrope::judge {

const std::vector<std::string_view>& diagnosis_classes() {
  static const std::vector<std::string_view> all = {
      "pairing",         "axis-swap",        "allocation",      "unrotated-pairs",           "temporal-only",
      "position-offset", "visual-positions", "batch-positions", "reduced-precision-cos-sin", "phase-precision",
      "backward-sign",   "pass-through",     "transposed-layout",
  };
  return all;
}

namespace {

using S = Mpfr256;

// Diagnosis reads a sample, never the tensor: at most this many tokens (plus the report's worst), and at most
// this many elements in all (fewer tokens when heads * head_dim is large).
constexpr std::size_t kSampleTokens = 512;
constexpr std::size_t kSampleElements = std::size_t{1} << 20;
constexpr double kNamedAt = 0.98;        // a hypothesis must explain this fraction of the sampled pairs
constexpr double kPhaseNoise = 0x1p-21;  // per radian of angle: an fp32 phase's error, with margin
constexpr double kPi = 3.14159265358979323846;

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

std::string percent(double fraction) { return format("%.1f%%", 100 * fraction); }

std::string join(const std::vector<int>& v) {
  std::string s;
  for (int i : v) s += (s.empty() ? "" : ", ") + std::to_string(i);
  return s;
}

double wrap(double a) { return std::remainder(a, 2 * kPi); }  // into [-pi, pi]

double rounded(double v, DType t) { return decode_bits(round_to_bits(v, t), t); }

// A sampled token: its inputs and outputs of every head, decoded (every dtype value is a float).
struct SampleToken {
  int b = 0, t = 0;
  bool text = true, visual = false;
  std::array<double, 3> pos{};
  std::vector<double> x;
  std::vector<float> got, transposed;  // transposed: got read as if the row were [heads, tokens, head_dim]
};

// What a hypothesis says the kernel computed: its pairing, axes, positions, direction, layout.
struct Hypothesis {
  std::string cls, evidence;
  Pairing pairing = Pairing::neox;
  std::vector<PairAxis> axes;              // [head * pairs + pair]; nullopt: not rotated
  std::vector<std::array<double, 3>> pos;  // per sample token
  double sign = 1;                         // +1 forward, -1 backward
  bool transposed = false;
};

struct Score {
  std::size_t total = 0, matched = 0, text_total = 0, text_matched = 0, visual_total = 0, visual_matched = 0;
  static double fraction(std::size_t m, std::size_t n) { return n ? static_cast<double>(m) / static_cast<double>(n) : 1.0; }
  double all() const { return fraction(matched, total); }
  double text() const { return fraction(text_matched, text_total); }
  double visual() const { return fraction(visual_matched, visual_total); }
};

// The problem, its plan in double and the sample.
class Diagnoser {
 public:
  Diagnoser(const Problem& p, const ValueReader& x, const BitsReader& got, const ComparisonReport& report)
      : p_(p), report_(report), pairs_(p.spec.pairs()), heads_(p.row.heads), dim_(p.row.head_dim), rd_(p.spec.rotary_dim) {
    const FrequencyPlan<S> plan = make_frequency_plan<S>(p.spec);
    for (const S& w : plan.inverse_frequencies) omega_.push_back(to_double(w));
    omega_fp32_ = fp32_inverse_frequencies(plan);  // the fp32 recipe kernels use (transformers, vLLM)
    attention_ = to_double(plan.attention_factor);
    const FloatFormat f = format_of(p.dtype);
    unit_eps_ = 8 * std::ldexp(1.0, -(f.mantissa_bits + 1));
    denorm_ = std::ldexp(1.0, f.min_exponent() - f.mantissa_bits);
    axes_ = axes_of(p.spec.allocation);
    sample(x, got);
  }

  std::vector<Diagnosis> run() {
    std::vector<Diagnosis> out;
    if (tokens_.empty()) return out;
    const Hypothesis ref = reference();
    const Score s0 = score(ref);
    const double a0 = s0.all();
    std::vector<Hypothesis> hs = structural(ref);
    for (const Hypothesis& h : hs) {
      const double a = score(h).all();
      if (a >= kNamedAt && a > a0) out.push_back({h.cls, h.evidence, std::clamp((a - a0) / (1 - a0), 0.0, 1.0)});
    }
    // Keep the best-fitting hypothesis of each class (allocation and batch rows try several).
    sort_and_dedupe(out);
    if (out.empty()) {
      if (auto d = visual_positions(s0)) out.push_back(*d);
    }
    if (out.empty()) {
      for (Diagnosis& d : precision(ref)) out.push_back(std::move(d));
    }
    if (auto d = pass_through()) out.push_back(*d);
    sort_and_dedupe(out);
    return out;
  }

 private:
  std::vector<PairAxis> axes_of(const Allocation& a) const {
    std::vector<PairAxis> v;
    for (int h = 0; h < heads_; ++h) {
      const int ah = a.per_head() ? h : 0;
      for (int j = 0; j < pairs_; ++j) v.push_back(p_.role == TensorRole::query ? a.query_axis(ah, j) : a.key_axis(ah, j));
    }
    return v;
  }

  std::array<double, 3> position(int b, int t) const {
    std::array<double, 3> r{};
    for (Axis a : kAxes) r[static_cast<int>(a)] = to_scalar<double>(p_.positions[b][t][a]);
    return r;
  }

  // Evenly spaced tokens over all rows, plus the report's worst; every head of each.
  void sample(const ValueReader& x, const BitsReader& got) {
    const std::int64_t tokens = static_cast<std::int64_t>(p_.row.tokens) * p_.batch();
    if (tokens <= 0) return;
    const std::size_t per_token = static_cast<std::size_t>(heads_) * dim_;
    const std::size_t budget = std::max<std::size_t>(8, std::min(kSampleTokens, kSampleElements / std::max<std::size_t>(per_token, 1)));
    std::set<std::int64_t> chosen;
    if (static_cast<std::size_t>(tokens) <= budget) {
      for (std::int64_t i = 0; i < tokens; ++i) chosen.insert(i);
    } else {
      for (std::size_t k = 0; k < budget; ++k) chosen.insert(static_cast<std::int64_t>(k) * tokens / static_cast<std::int64_t>(budget));
    }
    for (const ElementError& e : report_.worst)
      if (e.token >= 0 && e.token < tokens) chosen.insert(e.token);
    const bool kinds_ok = p_.kinds.size() == p_.positions.size();
    transposable_ = heads_ > 1 && p_.row.tokens > 1;
    std::vector<std::uint32_t> bits(per_token);
    for (std::int64_t i : chosen) {
      SampleToken s;
      s.b = static_cast<int>(i / p_.row.tokens);
      s.t = static_cast<int>(i % p_.row.tokens);
      s.pos = position(s.b, s.t);
      const bool kind_known = kinds_ok && p_.kinds[s.b].size() == static_cast<std::size_t>(p_.row.tokens);
      if (kind_known) {
        const TokenKind k = p_.kinds[s.b][s.t];
        s.text = k == TokenKind::text;
        s.visual = k == TokenKind::image || k == TokenKind::video;
      } else {
        // Unknown kinds: a 1-D position (t == h == w) is text, any other visual.
        kinds_inferred_ = true;
        s.text = p_.positions[s.b][s.t].t == p_.positions[s.b][s.t].h && p_.positions[s.b][s.t].t == p_.positions[s.b][s.t].w;
        s.visual = !s.text;
      }
      const std::int64_t first = i * static_cast<std::int64_t>(per_token);
      s.x.resize(per_token);
      x(first, s.x);
      got(first, bits);
      for (std::uint32_t v : bits) s.got.push_back(static_cast<float>(decode_bits(v, p_.dtype)));
      if (transposable_) {
        // got'(b, t, h, c) = got[b T H D + (h T + t) D + c]
        std::vector<std::uint32_t> head(static_cast<std::size_t>(dim_));
        const std::int64_t row_first = static_cast<std::int64_t>(s.b) * p_.row.tokens * static_cast<std::int64_t>(per_token);
        for (int h = 0; h < heads_; ++h) {
          got(row_first + (static_cast<std::int64_t>(h) * p_.row.tokens + s.t) * dim_, head);
          for (std::uint32_t v : head) s.transposed.push_back(static_cast<float>(decode_bits(v, p_.dtype)));
        }
      }
      tokens_.push_back(std::move(s));
    }
  }

  Hypothesis reference() const {
    Hypothesis h;
    h.cls = "reference";
    h.pairing = p_.spec.pairing;
    h.axes = axes_;
    for (const SampleToken& s : tokens_) h.pos.push_back(s.pos);
    h.sign = p_.direction == Direction::forward ? 1 : -1;
    return h;
  }

  // The tolerance of one pair, relative to r: the dtype's rounding (8 units, the subnormal quantum near zero)
  // and an fp32 phase's error at this angle.
  double tolerance(double theta, double r) const { return unit_eps_ + 4 * denorm_ / r + std::fabs(theta) * kPhaseNoise; }

  // Visits every usable sampled pair under hypothesis h: (token, head, pair, x0, x1, g0, g1, r, theta).
  template <class Visit>
  void for_pairs(const Hypothesis& h, const Visit& visit) const {
    std::vector<double> theta(static_cast<std::size_t>(3 * pairs_));
    for (std::size_t k = 0; k < tokens_.size(); ++k) {
      const SampleToken& s = tokens_[k];
      const std::vector<float>& g = h.transposed ? s.transposed : s.got;
      if (g.size() != s.x.size()) continue;
      for (int a = 0; a < 3; ++a)
        for (int j = 0; j < pairs_; ++j) theta[static_cast<std::size_t>(a * pairs_ + j)] = h.sign * h.pos[k][a] * omega_[j];
      for (int hd = 0; hd < heads_; ++hd) {
        const std::size_t base = static_cast<std::size_t>(hd) * dim_;
        for (int j = 0; j < pairs_; ++j) {
          const auto [c0, c1] = pair_channels(h.pairing, j, rd_);
          const double x0 = s.x[base + c0], x1 = s.x[base + c1], g0 = g[base + c0], g1 = g[base + c1];
          if (!std::isfinite(x0) || !std::isfinite(x1) || !std::isfinite(g0) || !std::isfinite(g1)) continue;
          const double r = std::fabs(attention_) * std::hypot(x0, x1);
          if (!(r > 64 * denorm_) || !std::isfinite(r)) continue;  // zeros and near-underflow pairs say nothing
          const PairAxis ax = h.axes[static_cast<std::size_t>(hd) * pairs_ + j];
          const double th = ax ? theta[static_cast<std::size_t>(static_cast<int>(*ax) * pairs_ + j)] : 0.0;
          visit(s, hd, j, x0, x1, g0, g1, r, th);
        }
      }
    }
  }

  // |g - a R(theta) x| / r.
  double distance(double x0, double x1, double g0, double g1, double r, double c, double sn) const {
    const double y0 = attention_ * (x0 * c - x1 * sn), y1 = attention_ * (x1 * c + x0 * sn);
    return std::hypot(g0 - y0, g1 - y1) / r;
  }

  Score score(const Hypothesis& h) const {
    Score sc;
    for_pairs(h, [&](const SampleToken& s, int, int, double x0, double x1, double g0, double g1, double r, double th) {
      const bool m = distance(x0, x1, g0, g1, r, std::cos(th), std::sin(th)) <= tolerance(th, r);
      ++sc.total;
      sc.matched += m;
      if (s.text) {
        ++sc.text_total;
        sc.text_matched += m;
      } else if (s.visual) {
        ++sc.visual_total;
        sc.visual_matched += m;
      }
    });
    return sc;
  }

  // Every structural hypothesis, each a variant of the reference.
  std::vector<Hypothesis> structural(const Hypothesis& ref) const {
    std::vector<Hypothesis> hs;
    const auto variant = [&](std::string cls, std::string evidence) {
      Hypothesis h = ref;
      h.cls = std::move(cls);
      h.evidence = std::move(evidence);
      return h;
    };
    if (pairs_ > 1) {
      const Pairing other = p_.spec.pairing == Pairing::neox ? Pairing::gptj : Pairing::neox;
      const std::string half = std::to_string(rd_ / 2);
      const auto describe = [&](Pairing q) {
        return std::string(to_string(q)) + (q == Pairing::neox ? " (channels i, i + " + half + ")" : " (channels 2i, 2i + 1)");
      };
      Hypothesis h = variant("pairing", "the output pairs channels as " + describe(other) + "; the spec pairs them as " +
                                            describe(p_.spec.pairing));
      h.pairing = other;
      hs.push_back(std::move(h));
    }
    {
      Hypothesis h = variant("axis-swap", "the pairs of h read w and those of w read h: the visual tokens' h and w are exchanged");
      for (auto& q : h.pos) std::swap(q[1], q[2]);
      hs.push_back(std::move(h));
    }
    {
      Hypothesis h = variant("temporal-only", "every pair was rotated by the temporal position t (as 1-D RoPE): the h and w pairs read t");
      for (auto& q : h.pos) q[1] = q[2] = q[0];
      hs.push_back(std::move(h));
    }
    for (Hypothesis& h : allocations(ref)) hs.push_back(std::move(h));
    if (auto h = unrotated(ref)) hs.push_back(std::move(*h));
    if (auto h = offset(ref)) hs.push_back(std::move(*h));
    for (int r = 0; r < std::min(p_.batch(), 8) && p_.batch() > 1; ++r) {
      Hypothesis h = variant("batch-positions", "");
      std::vector<int> moved;
      for (std::size_t k = 0; k < tokens_.size(); ++k) {
        h.pos[k] = position(r, tokens_[k].t);
        if (h.pos[k] != ref.pos[k] && (moved.empty() || moved.back() != tokens_[k].b)) moved.push_back(tokens_[k].b);
      }
      if (moved.empty()) continue;
      h.evidence = std::string(moved.size() > 1 ? "rows " : "row ") + join(moved) + " of " + std::to_string(p_.batch()) +
                   (moved.size() > 1 ? " were" : " was") + " rotated at row " + std::to_string(r) + "'s positions";
      hs.push_back(std::move(h));
    }
    {
      const bool fwd = p_.direction == Direction::forward;
      Hypothesis h = variant("backward-sign", fwd ? "the forward rotation was computed with the backward's sign (R^T x, angles negated)"
                                                  : "the backward rotation was computed as the forward one (R x instead of R^T dy)");
      h.sign = -ref.sign;
      hs.push_back(std::move(h));
    }
    if (transposable_) {
      Hypothesis h = variant("transposed-layout", "the output reads right as [heads, tokens, head_dim] per row: heads and tokens exchanged (" +
                                                      std::to_string(heads_) + " heads, " + std::to_string(p_.row.tokens) + " tokens)");
      h.transposed = true;
      hs.push_back(std::move(h));
    }
    return hs;
  }

  // Every allocation of the registry at the current sections and at every preset's sections (each preset's own
  // allocation among them): a kernel may use the right rule with another model's sections. Maps equal to the reference, to all-t (temporal-only) or to h and w exchanged (axis-swap)
  // are left to those classes.
  std::vector<Hypothesis> allocations(const Hypothesis& ref) const {
    std::vector<Hypothesis> hs;
    const Allocation& current = p_.spec.allocation;
    const std::array<int, 4> c = current.counts();
    std::vector<std::pair<std::string, std::string>> candidates;
    const std::string sections = format_sections({c[0], c[1], c[2]});
    std::vector<std::string> section_choices = {sections};
    for (const Preset& pr : presets())
      if (!pr.frequency.sections.empty() &&
          std::find(section_choices.begin(), section_choices.end(), pr.frequency.sections) == section_choices.end())
        section_choices.push_back(pr.frequency.sections);
    for (const AllocationInfo& info : allocation_registry()) {
      if (info.name == "multi-head") continue;
      if (!info.needs_sections) candidates.emplace_back(std::string(info.name), "");
      else
        for (const std::string& sec : section_choices) candidates.emplace_back(std::string(info.name), sec);
    }
    std::string swapped = current.map(), all_t(static_cast<std::size_t>(current.map().size()), 't');
    for (char& ch : swapped) ch = ch == 'h' ? 'w' : ch == 'w' ? 'h' : ch;
    std::set<std::string> seen = {current.map(), swapped, all_t};
    for (const auto& [name, sec] : candidates) {
      std::optional<Allocation> a;
      try {
        a = make_allocation(name, sec, pairs_);
      } catch (const Error&) {
        continue;  // sections that do not cover these pairs
      }
      if (!seen.insert(a->map()).second) continue;
      Hypothesis h = ref;
      h.cls = "allocation";
      h.evidence = "the pairs follow the " + name + (sec.empty() ? "" : " " + sec) + " allocation (" + a->map() + "), not " +
                   current.name() + " (" + current.map() + ")";
      h.axes = axes_of(*a);
      hs.push_back(std::move(h));
    }
    return hs;
  }

  // The pairs whose output mostly (>= 90%) equals the input where the reference visibly rotates them.
  std::optional<Hypothesis> unrotated(const Hypothesis& ref) const {
    std::vector<std::size_t> visible(static_cast<std::size_t>(pairs_)), equal(static_cast<std::size_t>(pairs_));
    std::vector<std::set<char>> axes(static_cast<std::size_t>(pairs_));
    for_pairs(ref, [&](const SampleToken&, int hd, int j, double x0, double x1, double g0, double g1, double r, double th) {
      if (2 * std::fabs(std::sin(th / 2)) <= 2 * tolerance(th, r)) return;  // the reference barely moves it
      ++visible[j];
      equal[j] += distance(x0, x1, g0, g1, r, 1, 0) <= tolerance(0, r);
      axes[j].insert(axis_letter(ref.axes[static_cast<std::size_t>(hd) * pairs_ + j]));
    });
    std::vector<int> found, channels;
    std::set<char> letters;
    for (int j = 0; j < pairs_; ++j)
      if (visible[j] >= 4 && equal[j] >= 0.9 * static_cast<double>(visible[j])) {
        found.push_back(j);
        const auto [c0, c1] = pair_channels(p_.spec.pairing, j, rd_);
        channels.push_back(c0);
        channels.push_back(c1);
        letters.insert(axes[j].begin(), axes[j].end());
      }
    if (found.empty()) return std::nullopt;
    std::sort(channels.begin(), channels.end());
    std::string by;
    for (char l : letters) by += (by.empty() ? "" : " and ") + std::string(1, l);
    Hypothesis h = ref;
    h.cls = "unrotated-pairs";
    h.evidence = std::string(found.size() > 1 ? "pairs " : "pair ") + join(found) + " (channels " + join(channels) + ") " +
                 (found.size() > 1 ? "equal" : "equals") + " the input: not rotated; the reference rotates " +
                 (found.size() > 1 ? "them" : "it") + " by " + by;
    for (int hd = 0; hd < heads_; ++hd)
      for (int j : found) h.axes[static_cast<std::size_t>(hd) * pairs_ + j] = std::nullopt;
    return h;
  }

  // A constant shift per row of every axis, unwrapped from the lowest frequency up: each pair's median residual
  // refines the estimate, which stays within pi / omega of the truth as omega grows by base^(2/d) per pair.
  std::optional<Hypothesis> offset(const Hypothesis& ref) const {
    struct Residual {
      double phi, pos, omega;
    };
    std::vector<std::vector<std::vector<Residual>>> by(static_cast<std::size_t>(p_.batch()),
                                                       std::vector<std::vector<Residual>>(static_cast<std::size_t>(pairs_)));
    for_pairs(ref, [&](const SampleToken& s, int hd, int j, double x0, double x1, double g0, double g1, double, double) {
      const PairAxis ax = ref.axes[static_cast<std::size_t>(hd) * pairs_ + j];
      if (!ax || omega_[j] <= 0) return;
      const double phi = std::atan2(x0 * g1 - x1 * g0, x0 * g0 + x1 * g1) * ref.sign;
      by[s.b][j].push_back({phi, s.pos[static_cast<int>(*ax)], omega_[j]});
    });
    std::vector<int> order(static_cast<std::size_t>(pairs_));
    for (int j = 0; j < pairs_; ++j) order[j] = j;
    std::sort(order.begin(), order.end(), [&](int a, int b) { return omega_[a] < omega_[b]; });
    std::vector<double> delta(static_cast<std::size_t>(p_.batch()), 0);
    bool any = false;
    for (std::size_t b = 0; b < delta.size(); ++b) {
      double d = 0;
      for (int j : order) {
        std::vector<double> rho;
        for (const Residual& r : by[b][j]) rho.push_back(wrap(r.phi - (r.pos + d) * r.omega) / r.omega);
        if (rho.empty()) continue;
        std::nth_element(rho.begin(), rho.begin() + static_cast<std::ptrdiff_t>(rho.size() / 2), rho.end());
        d += rho[rho.size() / 2];
      }
      if (!std::isfinite(d)) d = 0;
      if (std::fabs(d - std::round(d)) <= 1e-3) d = std::round(d);
      delta[b] = d;
      any = any || d != 0;
    }
    if (!any) return std::nullopt;
    Hypothesis h = ref;
    h.cls = "position-offset";
    h.evidence = "positions shifted by a constant (a missing or extra rope delta?):";
    for (std::size_t b = 0; b < delta.size(); ++b)
      h.evidence += (b ? ", " : " ") + std::string("row ") + std::to_string(b) + " " + format("%+.6g", delta[b]);
    for (std::size_t k = 0; k < tokens_.size(); ++k)
      for (double& q : h.pos[k]) q += delta[static_cast<std::size_t>(tokens_[k].b)];
    return h;
  }

  // The fallback: the text tokens fit the reference, the visual ones do not.
  std::optional<Diagnosis> visual_positions(const Score& s0) const {
    if (s0.visual_total == 0 || s0.text_total == 0) return std::nullopt;
    const double text = s0.text(), visual = s0.visual();
    // Visual pairs at low frequencies match whatever their positions: "do not" means clearly worse than text.
    if (!(text >= kNamedAt && visual < text - 0.05)) return std::nullopt;
    std::string ev = "text tokens match the reference (" + percent(text) + " of their pairs), visual tokens do not (" +
                     percent(visual) + "): the visual positions differ";
    if (kinds_inferred_) ev += " (kinds inferred: t == h == w taken as text)";
    return Diagnosis{"visual-positions", ev, std::clamp(0.5 * (text - visual), 0.05, 0.5)};
  }

  // Mean error against emulations of low-precision cos/sin and an fp32 phase, against the exact rotation's.
  std::vector<Diagnosis> precision(const Hypothesis& ref) const {
    double e0 = 0, e_bf16 = 0, e_fp16 = 0, e_phase = 0, e_phase_rounded = 0, e_bf16_phase = 0, e_fp16_phase = 0;
    std::size_t n = 0;
    std::map<int, std::pair<double, std::size_t>> by_decade;  // decade of the pair's position -> error against the exact
    for_pairs(ref, [&](const SampleToken& s, int hd, int j, double x0, double x1, double g0, double g1, double r, double th) {
      const double c = std::cos(th), sn = std::sin(th);
      const double e = distance(x0, x1, g0, g1, r, c, sn);
      e0 += e;
      // cos/sin (attention factor folded in) rounded to a 16-bit type; distance() multiplies by a again.
      const auto low = [&](DType t, double cc, double ss) {
        return distance(x0, x1, g0, g1, r, rounded(attention_ * cc, t) / attention_, rounded(attention_ * ss, t) / attention_);
      };
      e_bf16 += low(DType::bf16, c, sn);
      e_fp16 += low(DType::fp16, c, sn);
      const PairAxis ax = ref.axes[static_cast<std::size_t>(hd) * pairs_ + j];
      // Two fp32 phases: with transformers' fp32 inv_freq recipe, and with the exact inv_freq rounded to fp32
      // (the two differ by an ulp or two in some pairs: 0.1 rad at position 1e6).
      double phase = 0, phase_rounded = 0;
      if (ax) {
        const double q = s.pos[static_cast<int>(*ax)];
        phase = ref.sign * static_cast<double>(static_cast<float>(q) * static_cast<float>(omega_fp32_[j]));
        phase_rounded = ref.sign * static_cast<double>(static_cast<float>(q) * static_cast<float>(omega_[j]));
        auto& [sum, count] = by_decade[std::fabs(q) < 1 ? 0 : static_cast<int>(std::floor(std::log10(std::fabs(q)))) + 1];
        sum += e;
        ++count;
      }
      e_phase += distance(x0, x1, g0, g1, r, static_cast<float>(std::cos(phase)), static_cast<float>(std::sin(phase)));
      // Both at once (eager bf16 execution: an fp32 phase, its cos/sin rounded to the model dtype).
      e_bf16_phase += low(DType::bf16, std::cos(phase), std::sin(phase));
      e_fp16_phase += low(DType::fp16, std::cos(phase), std::sin(phase));
      e_phase_rounded += distance(x0, x1, g0, g1, r, static_cast<float>(std::cos(phase_rounded)),
                                  static_cast<float>(std::sin(phase_rounded)));
      ++n;
    });
    std::vector<Diagnosis> out;
    if (n == 0) return out;
    e0 /= static_cast<double>(n);
    const double noise = unit_eps_;  // 8 units of the dtype: beyond any correctly rounded output
    if (!(e0 > noise)) return out;
    const auto log2 = [](double v) { return format("2^%.1f", std::log2(std::max(v, 1e-300))); };
    const auto add = [&](const std::string& cls, double e, const std::string& what) {
      e /= static_cast<double>(n);
      if (!(e < e0 / 4)) return;
      out.push_back({cls, what + " explains the error: mean error " + log2(e0) + " of the pair's norm against the exact rotation, " +
                              log2(e) + " against the emulation",
                     std::clamp(1 - e / e0, 0.0, 1.0)});
    };
    const double e_low = std::min(e_bf16, e_fp16), e_low_phase = std::min(e_bf16_phase, e_fp16_phase);
    if (e_low <= e_low_phase)
      add("reduced-precision-cos-sin", e_low, std::string("cos/sin rounded to ") + (e_bf16 <= e_fp16 ? "bf16" : "fp16"));
    else
      add("reduced-precision-cos-sin", e_low_phase,
          std::string("cos/sin of an fp32 phase rounded to ") + (e_bf16_phase <= e_fp16_phase ? "bf16" : "fp16"));
    if (e_phase <= e_phase_rounded)
      add("phase-precision", e_phase, "an fp32 phase (fl32(fl32(p) * inv_freq), transformers' fp32 inv_freq, fp32 cos/sin)");
    else
      add("phase-precision", e_phase_rounded, "an fp32 phase (fl32(fl32(p) * fl32(inv_freq)), fp32 cos/sin)");
    // An fp32 phase's error grows with the position: the sample's mean error and the report's max ulp per decade.
    const auto decade = [](std::size_t i) { return i == 0 ? std::string("<1") : "1e" + std::to_string(i - 1); };
    for (Diagnosis& d : out) {
      if (d.cls != "phase-precision") continue;
      std::string sampled, reported;
      for (const auto& [i, e] : by_decade)
        sampled += (sampled.empty() ? "" : ", ") + decade(static_cast<std::size_t>(i)) + ": " + log2(e.first / static_cast<double>(e.second));
      const auto& bins = report_.summaries.by_decade;
      for (std::size_t i = 0; i < bins.size(); ++i)
        if (bins[i].elements) reported += (reported.empty() ? "" : ", ") + decade(i) + ": " + format("%.3g", bins[i].max_ulp);
      d.evidence += "; by position decade, mean error " + sampled + "; max ulp " + reported;
    }
    return out;
  }

  // Channels past the rotary dim must equal the input rounded to the dtype.
  std::optional<Diagnosis> pass_through() const {
    if (rd_ >= dim_) return std::nullopt;
    std::size_t checked = 0, altered = 0;
    int lo = dim_, hi = -1;
    for (const SampleToken& s : tokens_)
      for (int hd = 0; hd < heads_; ++hd)
        for (int c = rd_; c < dim_; ++c) {
          const std::size_t i = static_cast<std::size_t>(hd) * dim_ + c;
          if (std::isnan(s.x[i])) continue;
          ++checked;
          const double want = rounded(s.x[i], p_.dtype), g = s.got[i];
          if (g == want) continue;
          ++altered;
          lo = std::min(lo, c);
          hi = std::max(hi, c);
        }
    const std::uint64_t over = report_.summaries.pass_through.over;
    if (altered == 0 && over == 0) return std::nullopt;
    std::string ev;
    if (altered)
      ev = std::to_string(altered) + " of " + std::to_string(checked) + " sampled elements past the rotary dim differ from the input (channels " +
           std::to_string(lo) + ".." + std::to_string(hi) + " of " + std::to_string(rd_) + ".." + std::to_string(dim_ - 1) + ")";
    else
      ev = std::to_string(over) + " elements past the rotary dim are over the bound (channels " + std::to_string(rd_) + ".." +
           std::to_string(dim_ - 1) + ")";
    const double f = altered ? Score::fraction(altered, checked) : 0.0;
    return Diagnosis{"pass-through", ev + ": they must pass through unchanged", std::clamp(0.5 + 0.5 * f, 0.5, 1.0)};
  }

  // The most confident first, then the vocabulary's order; one entry per class (its most confident).
  static void sort_and_dedupe(std::vector<Diagnosis>& v) {
    // Ties go by the vocabulary's order, except that `allocation`, a family of dozens of candidate maps, yields to
    // any single hypothesis that fits as well (in bf16, h = w = t and chunked 24,20,20 can both fit every pair).
    const auto rank = [](const std::string& cls) {
      const auto& all = diagnosis_classes();
      const auto i = std::find(all.begin(), all.end(), cls) - all.begin();
      return cls == "allocation" ? static_cast<std::ptrdiff_t>(all.size()) : i;
    };
    std::stable_sort(v.begin(), v.end(), [&](const Diagnosis& a, const Diagnosis& b) {
      return a.confidence != b.confidence ? a.confidence > b.confidence : rank(a.cls) < rank(b.cls);
    });
    std::set<std::string> seen;
    std::vector<Diagnosis> kept;
    for (Diagnosis& d : v)
      if (seen.insert(d.cls).second) kept.push_back(std::move(d));
    v = std::move(kept);
  }

  const Problem& p_;
  const ComparisonReport& report_;
  int pairs_, heads_, dim_, rd_;
  std::vector<double> omega_;
  std::vector<double> omega_fp32_;  // fp32(1 / fp32(fp32(base) ** fp32(2j / d))), for the phase-precision emulation
  double attention_ = 1;
  double unit_eps_ = 0, denorm_ = 0;
  std::vector<PairAxis> axes_;
  std::vector<SampleToken> tokens_;
  bool transposable_ = false, kinds_inferred_ = false;
};

}  // namespace

std::vector<Diagnosis> diagnose(const Problem& p, const ValueReader& x, const BitsReader& got, const ComparisonReport& report) {
  validate(p);
  return Diagnoser(p, x, got, report).run();
}

}  // namespace mmrope::judge
