// An allocation: which axis (t, h, w) or none each rotary pair reads, or, for multi-head RoPE, each KV head.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../error.hpp"
#include "../positions.hpp"

namespace mmrope {

// The axis a pair reads; nullopt: the pair does not rotate (cos 1, sin 0), as HoPE's temporal band or the
// KV heads that multi-head RoPE leaves without position.
using PairAxis = std::optional<Axis>;

inline char axis_letter(PairAxis a) {
  if (!a) return '-';
  return *a == Axis::t ? 't' : *a == Axis::h ? 'h' : 'w';
}

// Query and KV head counts (grouped-query attention: query head i shares KV head i / (query / kv)).
struct HeadCounts {
  int query = 1;
  int kv = 1;
  int group() const { return query / kv; }
};

// More heads than any model has (<= 128) by far, few enough that per-head tables stay small.
inline constexpr int kMaxHeads = 1 << 16;

inline void check_heads(const HeadCounts& h) {
  if (h.query > kMaxHeads || h.kv > kMaxHeads)
    throw Error("heads " + std::to_string(h.query) + ":" + std::to_string(h.kv) + " pass the limit of " +
                std::to_string(kMaxHeads) + " heads");
  if (h.query <= 0 || h.kv <= 0 || h.query % h.kv != 0)
    throw Error("heads " + std::to_string(h.query) + ":" + std::to_string(h.kv) +
                " must be positive with the query heads a multiple of the KV heads");
}

class Allocation {
 public:
  // Every head reads the same axis per pair (all allocations but multi-head).
  static Allocation per_pair(std::string name, std::vector<PairAxis> pair_axes) {
    Allocation a;
    a.name_ = std::move(name);
    a.pairs_ = static_cast<int>(pair_axes.size());
    a.axes_ = std::move(pair_axes);
    return a;
  }
  // Each KV head reads one axis (or none) with the whole spectrum; query head i follows KV head i / group.
  static Allocation per_kv_head(std::string name, std::vector<PairAxis> kv_head_axes, int pairs, HeadCounts heads) {
    check_heads(heads);
    if (static_cast<int>(kv_head_axes.size()) != heads.kv) throw Error("one axis per KV head expected");
    Allocation a;
    a.name_ = std::move(name);
    a.pairs_ = pairs;
    a.axes_ = std::move(kv_head_axes);
    a.heads_ = heads;
    a.per_head_ = true;
    return a;
  }

  const std::string& name() const { return name_; }
  int pairs() const { return pairs_; }
  bool per_head() const { return per_head_; }
  const HeadCounts& heads() const { return heads_; }  // meaningful when per_head()

  // The axis pair j reads in KV head k (k is ignored for per-pair allocations).
  PairAxis key_axis(int kv_head, int pair) const {
    check_pair(pair);
    if (!per_head_) return axes_[pair];
    if (kv_head < 0 || kv_head >= heads_.kv) throw Error("KV head " + std::to_string(kv_head) + " out of range");
    return axes_[kv_head];
  }
  // The axis pair j reads in query head i: HF repeat_kv / repeat_interleave puts query head i on KV head i / group.
  PairAxis query_axis(int query_head, int pair) const {
    check_pair(pair);
    if (!per_head_) return axes_[pair];
    if (query_head < 0 || query_head >= heads_.query)
      throw Error("query head " + std::to_string(query_head) + " out of range");
    return axes_[query_head / heads_.group()];
  }

  // One letter per rotary pair (t, h, w, or - for a pair that does not rotate), pair 0 first;
  // for multi-head, one letter per query head.
  std::string map() const {
    std::string s;
    if (!per_head_) {
      for (const auto& a : axes_) s += axis_letter(a);
    } else {
      for (int q = 0; q < heads_.query; ++q) s += axis_letter(axes_[q / heads_.group()]);
    }
    return s;
  }

  // How many pairs (or query heads, for multi-head) read t, h, w and none, in that order.
  std::array<int, 4> counts() const {
    std::array<int, 4> c{};
    for (char ch : map()) ++c[ch == 't' ? 0 : ch == 'h' ? 1 : ch == 'w' ? 2 : 3];
    return c;
  }

 private:
  void check_pair(int pair) const {
    if (pair < 0 || pair >= pairs_) throw Error("pair " + std::to_string(pair) + " out of range");
  }
  std::string name_;
  int pairs_ = 0;
  std::vector<PairAxis> axes_;  // per pair, or per KV head
  HeadCounts heads_;
  bool per_head_ = false;
};

}  // namespace mmrope
