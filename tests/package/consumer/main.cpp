// Uses the installed package through <mmrope/mmrope.hpp> alone: checks a bf16 tensor with one call.
#include <mmrope/mmrope.hpp>

#include <cstdio>
#include <vector>

static_assert(MMROPE_VERSION == MMROPE_VERSION_MAJOR * 10000 + MMROPE_VERSION_MINOR * 100 + MMROPE_VERSION_PATCH);

int main() {
  mmrope::TensorRequest request;  // qwen2-vl, one row "text:3 image:1x4x6 text:2" (11 tokens), 2 heads of 128
  request.preset = "qwen2-vl";
  request.layouts = {"text:3 image:1x4x6 text:2"};
  request.heads = 2;
  const mmrope::judge::Problem problem = mmrope::make_problem(request);
  std::vector<double> x(static_cast<std::size_t>(problem.elements()));
  for (std::size_t i = 0; i < x.size(); ++i) x[i] = static_cast<double>(i % 7) - 3.0;
  std::vector<std::uint32_t> y = mmrope::rotate_tensor(problem, x);  // the exact rotation, in bf16
  const bool exact_passes = mmrope::check_tensor(problem, x, y).passed();
  y[200] += 3;  // three ulps off at one element (token 0, where y = x = 1.0)
  const mmrope::ComparisonReport off = mmrope::check_tensor(problem, x, y);
  const bool ok = exact_passes && !off.passed() && off.over_bound == 1 && problem.row.tokens == 11;
  std::printf("mmrope %s: exact %s, one element 3 ulps off %s (%zu over): %s\n", MMROPE_VERSION_STRING,
              exact_passes ? "passes" : "FAILS", off.passed() ? "PASSES" : "fails", off.over_bound, ok ? "ok" : "WRONG");
  return ok ? 0 : 1;
}
