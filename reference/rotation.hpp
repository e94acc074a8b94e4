// Rotation: forward y = R x and backward dx = R^T dy of q or k [tokens, heads, head_dim], exact in S and rounded once to a dtype.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <type_traits>
#include <vector>

#include "angles.hpp"
#include "frequency/frequency_plan.hpp"
#include "positions.hpp"
#include "rounding.hpp"
#include "scalar.hpp"

namespace mmrope {

// Which tensor is rotated decides how a multi-head allocation picks the head's axis: a query head i follows
// KV head i / (Hq / Hkv), a key head k is KV head k. Per-pair allocations ignore it.
enum class TensorRole { query, key };


struct TensorShape {
  int tokens = 0;
  int heads = 0;
  int head_dim = 0;
  std::size_t size() const {
    return static_cast<std::size_t>(tokens) * static_cast<std::size_t>(heads) * static_cast<std::size_t>(head_dim);
  }
  std::size_t index(int token, int head, int channel) const {
    return (static_cast<std::size_t>(token) * heads + head) * head_dim + channel;
  }
};

// A rotated tensor: the exact result in S beside its once-rounded bit patterns, so errors can be measured in ulps.
template <class S>
struct RotatedTensor {
  TensorShape shape;
  DType dtype = DType::fp32;
  std::vector<S> exact;
  std::vector<std::uint32_t> bits;  // round_to_bits(exact[i], dtype)
  double rounded(std::size_t i) const { return decode_bits(bits[i], dtype); }
};

// The rotation of one sequence: its frequency plan and the tokens' positions. cos/sin are computed once per
// distinct (axis, position, pair) that some head reads, whatever the head count; integer positions are
// composed from two cached factors (see unscaled_cos_sin), so a long text run costs few sin/cos evaluations.
template <class S>
class Rotation {
 public:
  Rotation(FrequencyPlan<S> plan, std::vector<Position3> positions)
      : plan_(std::move(plan)), angles_(plan_), positions_(std::move(positions)) {
    const Allocation& a = plan_.spec.allocation;
    const int pairs = a.pairs();
    // Which pairs read each axis, in any head.
    std::array<std::vector<bool>, 3> used;
    for (auto& u : used) u.assign(pairs, false);
    if (a.per_head()) {
      for (int k = 0; k < a.heads().kv; ++k)
        if (auto ax = a.key_axis(k, 0)) used[static_cast<int>(*ax)].assign(pairs, true);
    } else {
      for (int j = 0; j < pairs; ++j)
        if (auto ax = a.key_axis(0, j)) used[static_cast<int>(*ax)][j] = true;
    }
    for (Axis axis : kAxes) {
      const int ai = static_cast<int>(axis);
      bool any = false;
      for (bool u : used[ai]) any = any || u;
      token_row_[ai].resize(positions_.size(), -1);
      slot_[ai].assign(pairs, -1);
      for (int j = 0, k = 0; j < pairs; ++j)
        if (used[ai][j]) slot_[ai][j] = k++;
      if (!any) continue;
      std::map<Coordinate, int> index;
      for (std::size_t t = 0; t < positions_.size(); ++t) {
        const Coordinate& c = positions_[t][axis];
        auto [it, inserted] = index.try_emplace(c, static_cast<int>(table_[ai].size()));
        if (inserted) table_[ai].push_back(row_for(c, used[ai]));
        token_row_[ai][t] = it->second;
      }
    }
  }

  const FrequencyPlan<S>& plan() const { return plan_; }
  std::size_t distinct_positions(Axis a) const { return table_[static_cast<int>(a)].size(); }

  // cos/sin that head `head` of a `role` tensor uses for pair j of token t.
  const CosSin<S>& cos_sin(int token, TensorRole role, int head, int pair) const {
    const Allocation& a = plan_.spec.allocation;
    const PairAxis axis = role == TensorRole::query ? a.query_axis(a.per_head() ? head : 0, pair)
                                                    : a.key_axis(a.per_head() ? head : 0, pair);
    if (!axis) return angles_.none();
    const int ai = static_cast<int>(*axis);
    return table_[ai][token_row_[ai][token]][slot_[ai][pair]];
  }

  // Rotates x ([tokens, heads, head_dim], values exact in double, as every fp32/fp16/bf16 input is) and rounds
  // each exact result once to `dtype`. Channels from rotary_dim on pass through unchanged (and unscaled).
  RotatedTensor<S> apply(const std::vector<double>& x, TensorShape shape, TensorRole role, Direction direction,
                         DType dtype) const {
    check(shape, role, x.size());
    const RotarySpec& spec = plan_.spec;
    RotatedTensor<S> out;
    out.shape = shape;
    out.dtype = dtype;
    out.exact.resize(shape.size());
    out.bits.resize(shape.size());
    for (int t = 0; t < shape.tokens; ++t) {
      for (int h = 0; h < shape.heads; ++h) {
        for (int j = 0; j < spec.pairs(); ++j) {
          const auto [c0, c1] = pair_channels(spec.pairing, j, spec.rotary_dim);
          const std::size_t i0 = shape.index(t, h, c0), i1 = shape.index(t, h, c1);
          const CosSin<S>& cs = cos_sin(t, role, h, j);
          const S a = x[i0], b = x[i1];
          if (direction == Direction::forward) {
            out.exact[i0] = a * cs.cos - b * cs.sin;
            out.exact[i1] = b * cs.cos + a * cs.sin;
          } else {
            out.exact[i0] = a * cs.cos + b * cs.sin;
            out.exact[i1] = b * cs.cos - a * cs.sin;
          }
        }
        for (int c = spec.rotary_dim; c < shape.head_dim; ++c) out.exact[shape.index(t, h, c)] = x[shape.index(t, h, c)];
      }
    }
    for (std::size_t i = 0; i < out.exact.size(); ++i) out.bits[i] = round_to_bits(out.exact[i], dtype);
    return out;
  }

 private:
  std::vector<CosSin<S>> row_for(const Coordinate& c, const std::vector<bool>& used) const {
    std::vector<CosSin<S>> row;  // only the pairs that read this axis (see slot_)
    for (std::size_t j = 0; j < used.size(); ++j)
      if (used[j]) row.push_back(angles_.at(c, static_cast<int>(j)));
    return row;
  }

  void check(const TensorShape& shape, TensorRole role, std::size_t size) const {
    const RotarySpec& spec = plan_.spec;
    if (shape.size() != size) throw Error("tensor holds " + std::to_string(size) + " values, its shape " + std::to_string(shape.size()));
    if (shape.tokens != static_cast<int>(positions_.size()))
      throw Error("tensor has " + std::to_string(shape.tokens) + " tokens, the positions " + std::to_string(positions_.size()));
    if (shape.head_dim != spec.head_dim)
      throw Error("tensor head_dim " + std::to_string(shape.head_dim) + " differs from the spec's " + std::to_string(spec.head_dim));
    const Allocation& a = spec.allocation;
    if (a.per_head()) {
      const int want = role == TensorRole::query ? a.heads().query : a.heads().kv;
      if (shape.heads != want)
        throw Error("multi-head allocation expects " + std::to_string(want) + (role == TensorRole::query ? " query" : " KV") +
                    " heads, the tensor has " + std::to_string(shape.heads));
    }
  }

  FrequencyPlan<S> plan_;
  ExactAngles<S> angles_;
  std::vector<Position3> positions_;
  std::array<std::vector<std::vector<CosSin<S>>>, 3> table_;  // per axis: distinct position -> per used pair
  std::array<std::vector<int>, 3> slot_;                       // per axis: pair -> index in a table_ row, -1 unused
  std::array<std::vector<int>, 3> token_row_;                  // per axis: token -> row of table_
};

// The positions of a sequence's tokens, in order, for a Rotation.
inline std::vector<Position3> positions_of(const SequencePositions& seq) {
  std::vector<Position3> out;
  out.reserve(seq.tokens.size());
  for (const auto& t : seq.tokens) out.push_back(t.pos);
  return out;
}

}  // namespace mmrope
