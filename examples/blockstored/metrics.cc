#include "metrics.hpp"

#include <sstream>

namespace blockstored {
namespace {

// Label values with \, " and newlines escaped, as the text format wants.
std::string Label(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::Request(const std::string& route, int code, double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{route, code}];
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++buckets_[i];
  }
  ++latency_count_;
  latency_sum_ += seconds;
}

void Metrics::Event(const std::string& type) {
  const auto dot = type.rfind('.');
  if (dot == std::string::npos) return;
  std::lock_guard lock(mu_);
  ++operations_[{type.substr(0, dot), type.substr(dot + 1)}];
}

void Metrics::BackupBytes(uint64_t bytes) {
  std::lock_guard lock(mu_);
  backup_bytes_ += bytes;
}

std::string Metrics::Render() const {
  std::lock_guard lock(mu_);
  std::ostringstream o;
  o << "# HELP blockstore_http_requests_total HTTP requests by route and status code.\n"
    << "# TYPE blockstore_http_requests_total counter\n";
  for (const auto& [key, n] : requests_) {
    o << "blockstore_http_requests_total{route=\"" << Label(key.first) << "\",code=\"" << key.second
      << "\"} " << n << "\n";
  }
  o << "# HELP blockstore_http_request_seconds Time to answer a request.\n"
    << "# TYPE blockstore_http_request_seconds histogram\n";
  for (std::size_t i = 0; i < kBuckets.size(); ++i) {
    o << "blockstore_http_request_seconds_bucket{le=\"" << kBuckets[i] << "\"} " << buckets_[i] << "\n";
  }
  o << "blockstore_http_request_seconds_bucket{le=\"+Inf\"} " << latency_count_ << "\n"
    << "blockstore_http_request_seconds_sum " << latency_sum_ << "\n"
    << "blockstore_http_request_seconds_count " << latency_count_ << "\n";
  o << "# HELP blockstore_operations_total Operations the engine finished, by type and outcome.\n"
    << "# TYPE blockstore_operations_total counter\n";
  for (const auto& [key, n] : operations_) {
    o << "blockstore_operations_total{operation=\"" << Label(key.first) << "\",outcome=\""
      << Label(key.second) << "\"} " << n << "\n";
  }
  o << "# HELP blockstore_backup_bytes_total Bytes stored by finished backups.\n"
    << "# TYPE blockstore_backup_bytes_total counter\n"
    << "blockstore_backup_bytes_total " << backup_bytes_ << "\n";
  return o.str();
}

}  // namespace blockstored
