// Internal: RequestSpec and PlacementExplanation as JSON, for messages between roles, the C
// ABI and Python.
#ifndef BLOCKSTORE_LIB_SCHEDULER_REQUEST_SPEC_CODEC_HPP
#define BLOCKSTORE_LIB_SCHEDULER_REQUEST_SPEC_CODEC_HPP

#include <boost/json.hpp>

#include "blockstore/scheduler.hpp"

namespace blockstore::internal {

boost::json::object ToJson(const RequestSpec& r);
Result<RequestSpec> RequestSpecFromJson(const boost::json::value& v);
boost::json::object ToJson(const PlacementExplanation& e);
Result<PlacementExplanation> PlacementExplanationFromJson(const boost::json::value& v);

}  // namespace blockstore::internal

#endif  // BLOCKSTORE_LIB_SCHEDULER_REQUEST_SPEC_CODEC_HPP
