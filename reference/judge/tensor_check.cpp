// One call to rotate or check a whole batch: positions from a preset and layouts, the judge over spans.
#include "reference/judge/tensor_check.hpp"

#include <algorithm>
#include <string>

#include "reference/layout_spec.hpp"

namespace mmrope {

LayoutBatch layout_batch(const PositionDesign& design, const std::vector<std::string>& layouts, int batch,
                         std::optional<std::int64_t> tokens, PaddingSide padding, PaddingConvention convention) {
  if (batch <= 0) throw Error("the batch is empty: give at least one layout");
  if (layouts.size() != 1 && static_cast<int>(layouts.size()) != batch)
    throw Error("give one layout, or one per batch row (" + std::to_string(batch) + "), not " + std::to_string(layouts.size()));
  std::vector<Sequence> rows;
  for (int b = 0; b < batch; ++b) rows.push_back(parse_layout(layouts[layouts.size() == 1 ? 0 : static_cast<std::size_t>(b)]));
  const BatchPositions bp = assign_batch(design, rows, padding, convention, tokens);
  LayoutBatch out;
  for (const auto& row : bp.rows) {
    out.positions.push_back(positions_of(row));
    out.kinds.emplace_back();
    for (const auto& token : row.tokens) out.kinds.back().push_back(token.kind);
  }
  return out;
}

RotarySpec rotary_spec_for_tensor(FrequencySettings f, RotaryOverrides o, int heads, int head_dim) {
  if (!o.rotary_dim) o.rotary_dim = std::min(f.rotary_dim, head_dim);
  if (!o.heads) o.heads = HeadCounts{heads, heads};
  f.head_dim = head_dim;
  return rotary_spec_for(f, o);
}

judge::Problem make_problem(const TensorRequest& r) {
  const Preset& preset = find_preset(r.preset);
  const auto design = make_preset_design(preset, r.params);
  if (r.layouts.empty()) throw Error("give at least one layout");
  if (r.batch < 0 || r.tokens < 0 || r.heads <= 0 || r.head_dim < 0)
    throw Error("the tensor's batch, tokens and head_dim must be >= 0 and heads >= 1 (batch " + std::to_string(r.batch) +
                ", tokens " + std::to_string(r.tokens) + ", heads " + std::to_string(r.heads) + ", head_dim " +
                std::to_string(r.head_dim) + ")");
  const int batch = r.batch ? r.batch : static_cast<int>(r.layouts.size());
  LayoutBatch lb = layout_batch(*design, r.layouts, batch, r.tokens ? std::optional<std::int64_t>(r.tokens) : std::nullopt,
                                r.padding, r.padding_convention);

  judge::Problem p;
  p.spec = rotary_spec_for_tensor(preset.frequency, r.rotary, r.heads, r.head_dim ? r.head_dim : preset.frequency.head_dim);
  p.role = r.role;
  p.direction = r.direction;
  p.dtype = r.dtype;
  p.row = {static_cast<int>(lb.positions.front().size()), r.heads, p.spec.head_dim};
  p.positions = std::move(lb.positions);
  p.kinds = std::move(lb.kinds);
  judge::validate(p);
  return p;
}

namespace {

void check_size(const judge::Problem& p, std::size_t size, const char* what) {
  if (size != static_cast<std::size_t>(p.elements()))
    throw Error(std::string(what) + " has " + std::to_string(size) + " elements, the problem's tensor [" +
                std::to_string(p.batch()) + ", " + std::to_string(p.row.tokens) + ", " + std::to_string(p.row.heads) + ", " +
                std::to_string(p.row.head_dim) + "] " + std::to_string(p.elements()));
}

judge::ValueReader span_values(std::span<const double> x) {
  return [x](std::int64_t first, std::span<double> out) {
    std::copy_n(x.begin() + first, out.size(), out.begin());
  };
}

}  // namespace

std::vector<std::uint32_t> rotate_tensor(const judge::Problem& p, std::span<const double> x, const judge::Options& o) {
  check_size(p, x.size(), "x");
  std::vector<std::uint32_t> bits(x.size());
  judge::rotate(p, span_values(x), [&bits](std::int64_t first, std::span<const std::uint32_t> out) {
    std::copy(out.begin(), out.end(), bits.begin() + first);
  }, o);
  return bits;
}

ComparisonReport check_tensor(const judge::Problem& p, std::span<const double> x, std::span<const std::uint32_t> y,
                              const judge::Options& o) {
  check_size(p, x.size(), "x");
  check_size(p, y.size(), "y");
  return judge::check(p, span_values(x), [y](std::int64_t first, std::span<std::uint32_t> out) {
    std::copy_n(y.begin() + first, out.size(), out.begin());
  }, o);
}

}  // namespace mmrope
