// `mmrope decay`: the paper's long-range decay indicator per axis (its Figure 4), as CSV and as an SVG plot.
#include <CLI/CLI.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <ostream>
#include <sstream>

#include "rotary_options.hpp"
#include "reference/analysis/decay.hpp"
#include "reference/frequency/allocation_registry.hpp"
#include "reference/presets/preset_rotary.hpp"
#include "subcommands.hpp"

namespace mmrope::cli {
namespace {

struct DecayOptions {
  std::string preset;
  std::int64_t max_distance = 10000;
  std::string csv, svg;
  bool normalized = false;
  RotaryOptions rotary;
};

// Every distance up to 64, then about 2% apart up to the maximum: smooth on a log axis, a few hundred rows.
std::vector<std::int64_t> distances_up_to(std::int64_t max) {
  std::vector<std::int64_t> d;
  for (std::int64_t i = 0; i <= std::min<std::int64_t>(max, 64); ++i) d.push_back(i);
  for (double x = 64 * 1.02; d.back() < max; x *= 1.02) {
    const auto next = std::min<std::int64_t>(max, static_cast<std::int64_t>(std::llround(x)));
    if (next > d.back()) d.push_back(next);
  }
  return d;
}

std::string fmt(double v, const char* f = "%.10g") {
  char buf[40];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}

void write_csv(std::ostream& out, const DecayTable& t) {
  out << "distance,t,h,w\n";
  for (const auto& r : t.rows) out << r.distance << ',' << fmt(r.value[0]) << ',' << fmt(r.value[1]) << ',' << fmt(r.value[2]) << '\n';
}

// A line plot: distance on a log10(1 + d) axis, one polyline per axis that has pairs.
void write_svg(std::ostream& out, const DecayTable& t, const std::string& title) {
  const double W = 760, H = 440, left = 70, right = 150, top = 50, bottom = 60;
  const double pw = W - left - right, ph = H - top - bottom;
  double ymax = 0;
  for (const auto& r : t.rows)
    for (double v : r.value) ymax = std::max(ymax, v);
  if (ymax <= 0) ymax = 1;
  const double xmax = std::log10(1.0 + static_cast<double>(t.rows.back().distance));
  auto px = [&](std::int64_t d) { return left + pw * (xmax > 0 ? std::log10(1.0 + static_cast<double>(d)) / xmax : 0); };
  auto py = [&](double v) { return top + ph * (1 - v / ymax); };
  out << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << W << "\" height=\"" << H << "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  out << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  out << "<text x=\"" << left << "\" y=\"28\" font-size=\"15\">" << title << "</text>\n";
  out << "<rect x=\"" << left << "\" y=\"" << top << "\" width=\"" << pw << "\" height=\"" << ph << "\" fill=\"none\" stroke=\"black\"/>\n";
  const std::int64_t max_distance = t.rows.back().distance;
  for (std::int64_t d = 0; d <= max_distance; d = d == 0 ? 10 : d * 10) {  // ticks at 0, 10, 100, ...
    const double x = px(d);
    out << "<line x1=\"" << x << "\" y1=\"" << top + ph << "\" x2=\"" << x << "\" y2=\"" << top + ph + 5 << "\" stroke=\"black\"/>";
    out << "<text x=\"" << x << "\" y=\"" << top + ph + 20 << "\" text-anchor=\"middle\">" << d << "</text>\n";
  }
  for (int k = 0; k <= 4; ++k) {
    const double v = ymax * k / 4, y = py(v);
    out << "<line x1=\"" << left - 5 << "\" y1=\"" << y << "\" x2=\"" << left << "\" y2=\"" << y << "\" stroke=\"black\"/>";
    out << "<text x=\"" << left - 8 << "\" y=\"" << y + 4 << "\" text-anchor=\"end\">" << fmt(v, "%.3g") << "</text>\n";
  }
  out << "<text x=\"" << left + pw / 2 << "\" y=\"" << H - 15 << "\" text-anchor=\"middle\">relative distance (log scale)</text>\n";
  out << "<text transform=\"translate(18," << top + ph / 2 << ") rotate(-90)\" text-anchor=\"middle\">"
      << (t.normalized ? "decay indicator / its value at 0" : "decay indicator (mean |S_j|)") << "</text>\n";
  const char* colors[3] = {"#d62728", "#2ca02c", "#1f77b4"};
  const char* names[3] = {"t", "h", "w"};
  for (int a = 0; a < 3; ++a) {
    const double ly = top + 20 + 22 * a;
    out << "<line x1=\"" << W - right + 15 << "\" y1=\"" << ly << "\" x2=\"" << W - right + 45 << "\" y2=\"" << ly
        << "\" stroke=\"" << colors[a] << "\" stroke-width=\"2\"/>";
    out << "<text x=\"" << W - right + 50 << "\" y=\"" << ly + 4 << "\">" << names[a] << " (" << t.pairs[a] << " pairs)</text>\n";
    if (t.pairs[a] == 0) continue;
    out << "<polyline fill=\"none\" stroke=\"" << colors[a] << "\" stroke-width=\"1.5\" points=\"";
    for (const auto& r : t.rows) out << fmt(px(r.distance), "%.2f") << ',' << fmt(py(r.value[a]), "%.2f") << ' ';
    out << "\"/>\n";
  }
  out << "</svg>\n";
}

void write_to(const std::string& path, const std::function<void(std::ostream&)>& write, std::ostream& out) {
  if (path == "-") return write(out);
  std::ofstream f(path);
  if (!f) throw Error(path + ": cannot open for writing");
  write(f);
  if (!f) throw Error(path + ": write failed");
}

}  // namespace

Command add_decay_command(CLI::App& app) {
  auto opts = std::make_shared<DecayOptions>();
  CLI::App* sub = app.add_subcommand("decay", "The long-range decay indicator per axis (the paper's Figure 4), as CSV and SVG");
  sub->footer(
      "For each axis a, B_a(D) = (1/n_a) sum_{j <= n_a} |S_{a,j}(D)| with S_{a,j}(D) = sum_{i < j} e^{i D theta_i}\n"
      "over the n_a frequencies the preset's allocation gives that axis (appendix D.2 of arXiv 2510.23095; the\n"
      "1-D formula applied per axis). CSV columns distance,t,h,w; an axis without pairs is 0.\n"
      "Example: mmrope decay --preset qwen2-vl --max-distance 10000 --csv decay.csv --svg decay.svg");
  sub->add_option("--preset", opts->preset, "The preset (its rope_theta and allocation)")->required();
  sub->add_option("--max-distance", opts->max_distance, "The largest relative distance")->capture_default_str()->check(CLI::Range(1, 100000000));
  sub->add_option("--csv", opts->csv, "Write the table here (- for standard output)");
  sub->add_option("--svg", opts->svg, "Write the plot here");
  sub->add_flag("--normalized", opts->normalized, "Divide each axis by its value at distance 0, (n_a + 1) / 2");
  opts->rotary.add_to(*sub, /*with_head_dim=*/true);
  return {sub, [opts](std::ostream& out) {
            if (opts->csv.empty() && opts->svg.empty()) throw Error("give --csv FILE and/or --svg FILE (- writes CSV to standard output)");
            const Preset& preset = find_preset(opts->preset);
            // double is enough here: the indicator is a plot, its terms are bounded by the pair count.
            const auto plan =
                make_frequency_plan<double>(rotary_spec_for(opts->rotary.apply(preset.frequency), opts->rotary.overrides()));
            const DecayTable table = decay_table(plan, distances_up_to(opts->max_distance), opts->normalized);
            if (!opts->csv.empty()) write_to(opts->csv, [&](std::ostream& f) { write_csv(f, table); }, out);
            if (!opts->svg.empty())
              write_to(opts->svg, [&](std::ostream& f) {
                write_svg(f, table, "Long-range decay per axis: " + preset.name + " (" + table.allocation + ", base " +
                                        preset.frequency.rope_theta + ")");
              }, out);
            return 0;
          }};
}

}  // namespace mmrope::cli
