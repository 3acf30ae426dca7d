// skiff profile MODEL: where a run spends its time, by op type and by node,
// and a Chrome trace of one run.
#include <omp.h>

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>

#include "cli.h"
#include "skiff/skiff.h"

namespace skiff::cli {

namespace {

constexpr const char* kHelp = R"(usage: skiff profile MODEL [options]

Runs MODEL (after warm-up runs) and prints the time per op type and the
slowest nodes, as medians over the timed runs.

Options:
  --inputs DIR         read input_K.pb files (else seeded random inputs)
  --shape NAME=D0,D1   shape for input NAME (symbolic dims); repeatable
  --runs N             timed runs (default 10)
  --warmup N           untimed runs first (default 2)
  --threads N          threads (default: all cores)
  --top N              slowest nodes to list (default 15)
  --trace FILE         write the last run as Chrome trace-event JSON
  --opt-level L, --disable-pass NAME   graph passes, as for `skiff run`
)";

// Times of one node (or op type) over the runs; reported as a median.
double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

class Collector final : public runtime::RunObserver {
 public:
  void after_step(const ir::Node& node, double start_us, double end_us,
                  const std::vector<Value>&) override {
    NodeProfile p;
    p.node = node.name.empty() ? node.label() : node.name;
    p.op = node.domain.empty() ? node.op_type : node.domain + "::" + node.op_type;
    p.start_us = start_us;
    p.duration_us = end_us - start_us;
    run.nodes.push_back(std::move(p));
  }
  Profile run;
};

}  // namespace

int cmd_profile(const std::vector<std::string>& args) {
  std::string model_path, inputs_dir, trace;
  std::map<std::string, Shape> shapes;
  int runs = 10, warmup = 2, threads = 0, top = 15;
  passes::PassOptions pass_options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto value = [&]() -> const std::string& {
      if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
      return args[++i];
    };
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return kExitOk;
    } else if (a == "--inputs") {
      inputs_dir = value();
    } else if (a == "--shape") {
      shapes.insert(parse_shape_option(value()));
    } else if (a == "--runs") {
      runs = std::max(1, std::stoi(value()));
    } else if (a == "--warmup") {
      warmup = std::max(0, std::stoi(value()));
    } else if (a == "--threads") {
      threads = std::stoi(value());
    } else if (a == "--top") {
      top = std::stoi(value());
    } else if (a == "--trace") {
      trace = value();
    } else if (parse_pass_option(args, i, pass_options)) {
    } else if (!a.empty() && a[0] == '-') {
      throw UsageError("unknown option " + a);
    } else if (model_path.empty()) {
      model_path = a;
    } else {
      throw UsageError("more than one MODEL given");
    }
  }
  if (model_path.empty()) throw UsageError("profile needs a MODEL");
  if (threads > 0) omp_set_num_threads(threads);
  LoadedModel m;
  try {
    m = load_and_compile(model_path, pass_options);
  } catch (const Error& e) {
    std::cerr << "skiff: " << e.what() << "\n";
    return exit_status(e, true);
  }
  const std::vector<Value> inputs = make_inputs(m.model.graph, inputs_dir, shapes, 0);
  for (int r = 0; r < warmup; ++r) m.plan->run(inputs);

  std::vector<double> totals;
  std::map<std::string, std::vector<double>> by_node, by_op;  // per run sums
  std::map<std::string, std::string> op_of;
  std::map<std::string, int> op_count;
  Profile last;
  for (int r = 0; r < runs; ++r) {
    Collector collector;
    const auto start = std::chrono::steady_clock::now();
    m.plan->run(inputs, {}, &collector);
    totals.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count());
    std::map<std::string, double> op_sum;
    for (const auto& n : collector.run.nodes) {
      by_node[n.node].push_back(n.duration_us);
      op_of[n.node] = n.op;
      op_sum[n.op] += n.duration_us;
      if (r == 0) ++op_count[n.op];
    }
    for (const auto& [op, us] : op_sum) by_op[op].push_back(us);
    last = std::move(collector.run);
    last.total_us = totals.back();
  }
  const double total = median(totals);
  std::cout << "model:  " << model_path << "\nruns:   " << runs << " (after " << warmup
            << " warm-up), threads " << omp_get_max_threads() << "\ntotal:  " << std::fixed
            << std::setprecision(3) << total / 1000 << " ms (median)\n\n";
  std::vector<std::pair<double, std::string>> ops;
  for (const auto& [op, v] : by_op) ops.emplace_back(median(v), op);
  std::sort(ops.rbegin(), ops.rend());
  std::cout << "op type                        nodes    ms (median)    share\n";
  for (const auto& [us, op] : ops)
    std::cout << std::left << std::setw(30) << op << std::right << std::setw(6) << op_count[op]
              << std::setw(14) << us / 1000 << std::setw(8) << std::setprecision(1)
              << 100 * us / total << "%\n"
              << std::setprecision(3);
  std::vector<std::pair<double, std::string>> nodes;
  for (const auto& [node, v] : by_node) nodes.emplace_back(median(v), node);
  std::sort(nodes.rbegin(), nodes.rend());
  std::cout << "\nslowest nodes                                       op              ms\n";
  for (int i = 0; i < top && i < static_cast<int>(nodes.size()); ++i)
    std::cout << std::left << std::setw(52) << nodes[i].second.substr(0, 51) << std::setw(14)
              << op_of[nodes[i].second].substr(0, 13) << std::right << std::setw(8)
              << nodes[i].first / 1000 << "\n";
  if (!trace.empty()) {
    if (!last.nodes.empty()) {
      const double t0 = last.nodes.front().start_us;
      for (auto& n : last.nodes) n.start_us -= t0;
    }
    std::ofstream out(trace);
    out << last.chrome_trace();
    if (!out) throw Error(ErrorCode::kIO, str_cat("cannot write '", trace, "'"));
    std::cout << "\ntrace of the last run written to " << trace << "\n";
  }
  return kExitOk;
}

}  // namespace skiff::cli
