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
  --engine NAME        dnnl (default) or native (every node on skiff's own kernels)
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
  ModelOptions model;
  std::string trace;
  int runs = 10, warmup = 2, top = 15;
  runtime::PlanOptions plan_options;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--help" || a == "-h") {
      std::cout << kHelp;
      return kExitOk;
    } else if (model.parse(args, i)) {
    } else if (a == "--runs") {
      runs = std::max(1, std::stoi(option_value(args, i)));
    } else if (a == "--warmup") {
      warmup = std::max(0, std::stoi(option_value(args, i)));
    } else if (a == "--top") {
      top = std::stoi(option_value(args, i));
    } else if (a == "--trace") {
      trace = option_value(args, i);
    } else if (a == "--engine") {
      plan_options.engines = engines_for_choice(option_value(args, i));
    } else {
      throw UsageError("unknown option " + a);
    }
  }
  model.finish("profile");
  LoadedModel m;
  if (const int status = load_or_report(model.model_path, model.passes, plan_options, m)) return status;
  const std::vector<Value> inputs = make_inputs(m.model.graph, model.inputs_dir, model.shapes, 0);
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
  std::cout << "model:  " << model.model_path << "\nruns:   " << runs << " (after " << warmup
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
