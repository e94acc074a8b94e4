// Law 10: padding a batch (left or right, transformers 4.x or 5.x convention) changes no real token's position,
// and each convention's rope delta still continues every row. Source: docs/layout-rules.md 1.4 and
// reference/batch.hpp (transformers get_rope_index for 4.x / 5.x). Every preset claims it.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "gen/design_gen.hpp"
#include "reference/batch.hpp"
#include "same_position.hpp"

namespace mmrope::laws {
namespace {

RC_GTEST_PROP(Law10PaddingIndependence, RealTokensKeepTheirPositions, ()) {
  const std::string preset = *rc::gen::elementOf(gen::preset_names());
  const auto params = *gen::param_overrides(preset);
  const std::int64_t merge = std::stoll(domain::value_of(find_preset(preset), params, "merge_size"));
  gen::LayoutLimits lim = gen::limits_for(preset, params, {});
  lim.max_item_tokens = 256;  // several sequences per case: keep each small
  const auto rows = *rc::gen::container<std::vector<Sequence>>(*rc::gen::inRange<std::size_t>(1, 4), gen::sequence(merge, lim));
  const auto side = *rc::gen::element(PaddingSide::left, PaddingSide::right);
  const auto convention = *rc::gen::element(PaddingConvention::transformers4, PaddingConvention::transformers5);
  const std::int64_t extra = *rc::gen::inRange<std::int64_t>(0, 4);
  const auto design = make_preset_design(find_preset(preset), params);
  for (const auto& s : rows) RC_LOG() << domain::command_line(preset, params, domain::layout_text(s)) << "\n";
  std::int64_t longest = 0;
  std::vector<SequencePositions> alone;
  for (const auto& s : rows) {
    alone.push_back(design->assign(s));
    longest = std::max<std::int64_t>(longest, static_cast<std::int64_t>(alone.back().tokens.size()));
  }
  const BatchPositions batch = assign_batch(*design, rows, side, convention, longest + extra);
  const Coordinate pad(convention == PaddingConvention::transformers4 ? 1 : 0);
  for (std::size_t b = 0; b < rows.size(); ++b) {
    const auto& row = batch.rows[b].tokens;
    const auto real = static_cast<std::int64_t>(alone[b].tokens.size());
    const std::int64_t pads = batch.padded_length - real, first_real = side == PaddingSide::left ? pads : 0;
    RC_ASSERT(static_cast<std::int64_t>(row.size()) == batch.padded_length);
    for (std::int64_t i = 0; i < batch.padded_length; ++i) {
      const auto& tok = row[static_cast<std::size_t>(i)];
      const bool is_pad = i < first_real || i >= first_real + real;
      RC_ASSERT((tok.kind == TokenKind::pad) == is_pad);
      if (is_pad) RC_ASSERT(tok.pos == Position3::diagonal(pad));
      else RC_ASSERT(tok.pos == alone[b].tokens[static_cast<std::size_t>(i - first_real)].pos);
    }
    // Decode step k: (cache length + k) + rope_delta, where the cache length is the padded length under 4.x
    // and the row's real length under 5.x (mask-based positions); both give next_position + k.
    const std::int64_t cache = convention == PaddingConvention::transformers4 ? batch.padded_length : real;
    RC_ASSERT(same_coordinate(Coordinate(cache) + batch.rows[b].rope_delta, alone[b].next_position));
  }
}

}  // namespace
}  // namespace mmrope::laws
