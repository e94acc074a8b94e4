// What the judge reports of another implementation's output: ulps, absolute error, worst elements, the all-zero guard.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace mmrope {

// One element of the judged output and how far it is from the exact value.
struct ElementError {
  std::size_t index = 0;
  int token = 0, head = 0, channel = 0;
  double got = 0, exact = 0;  // exact: the reference value rounded to double, for display
  double ulp = 0;             // |got - exact| in ulps of the dtype at the exact value (at r where exact is 0)
  double pair_ulp = 0;        // |got - exact| in ulps of the dtype at r, the norm of the element's rotary pair
  double abs_error = 0;
  bool exact_is_zero = false; // ulp is then measured at r (an ulp at 0 is the smallest subnormal's)
};

// How far an element is from its exact value, for the verdict (docs/error-model.md, "Two metrics").
//   element: in ulps of the dtype at the exact value y (at r where y = 0)
//   pair:    in ulps of the dtype at r = |f| sqrt(x0^2 + x1^2) (f the attention factor), the norm the rotation
//            keeps; for a channel past rotary_dim, r = |x|. Never larger than element (|y| <= r).
enum class Metric { element, pair };

inline const char* to_string(Metric m) { return m == Metric::element ? "element" : "pair"; }

// One group of elements of the diagnosis's summaries (a pair, an axis, a position decade, a token kind, a head, a row).
struct SummaryBin {
  std::uint64_t elements = 0, over = 0;  // over: beyond the bound in the verdict's metric
  double max_ulp = 0, sum_ulp = 0;       // in the verdict's metric
  void add(double ulp, bool is_over) {
    ++elements;
    over += is_over;
    max_ulp = std::max(max_ulp, ulp);
    sum_ulp += ulp;
  }
  void merge(const SummaryBin& o) {
    elements += o.elements;
    over += o.over;
    max_ulp = std::max(max_ulp, o.max_ulp);
    sum_ulp += o.sum_ulp;
  }
};

// Where the error sits. Axis bins: t, h, w, then pairs that do not rotate (none) and channels past rotary_dim
// (pass). Decade d holds positions with |p| in [10^(d-1), 10^d), decade 0 |p| < 1 (the position of the
// element's axis; t for the last two groups). Kinds follow TokenKind (text, image, video, pad).
struct ErrorSummaries {
  std::vector<SummaryBin> by_pair, by_axis, by_decade, by_kind, by_head, by_row;
  SummaryBin pass_through;
  void merge(const ErrorSummaries& o) {
    const auto add = [](std::vector<SummaryBin>& a, const std::vector<SummaryBin>& b) {
      if (a.size() < b.size()) a.resize(b.size());
      for (std::size_t i = 0; i < b.size(); ++i) a[i].merge(b[i]);
    };
    add(by_pair, o.by_pair);
    add(by_axis, o.by_axis);
    add(by_decade, o.by_decade);
    add(by_kind, o.by_kind);
    add(by_head, o.by_head);
    add(by_row, o.by_row);
    pass_through.merge(o.pass_through);
  }
};

struct ComparisonReport {
  std::size_t elements = 0;
  Metric metric = Metric::element;  // the verdict's
  std::size_t over_bound = 0;  // elements beyond max_ulp in the verdict's metric
  std::size_t over_bound_element = 0, over_bound_pair = 0;  // in each metric
  double max_ulp_bound = 0;
  double max_ulp = 0, mean_ulp = 0;  // element metric
  double max_pair_ulp = 0, mean_pair_ulp = 0;
  double max_abs = 0, mean_abs = 0;
  std::vector<ElementError> worst;  // largest error in the verdict's metric first
  ErrorSummaries summaries;
  // An output of zeros where the reference has non-zero values is a classic harness bug (the kernel
  // never ran, or wrote elsewhere); it fails whatever the ulp bound says.
  bool all_zero_output = false;
  std::uint64_t fallback_elements = 0;     // the judge's fast path: elements its bound could not decide
  std::uint64_t beyond_element_bound = 0;  // with a kernel's element bound: elements over it (failures)

  bool passed() const { return over_bound == 0 && !all_zero_output; }
};

}  // namespace mmrope
