// The extra-spec operator grammar (reference §2.5) against typed capabilities, and the specs
// that are refused as malformed.
#include <boost/json.hpp>

#include "blockstore/scheduler.hpp"
#include "lib/scheduler/extra_spec.hpp"
#include "tests/support/test_support.hpp"

using namespace blockstore;
using namespace blockstore::internal;
namespace json = boost::json;

namespace {

const json::object& Caps() {
  static const json::object k = json::parse(R"({
    "thin_provisioning_support": true, "multiattach": false, "free_capacity_gb": 120.5,
    "total_volumes": 7, "tier": "gold", "iops": "5000", "protocols": ["iSCSI", "NFS"],
    "vendor_model": "FlashArray X70", "nested": {"raid": "raid6", "disks": 12},
    "version": "2.10", "on": "yes"})").as_object();
  return k;
}

bool Matches(const std::string& key, const std::string& value) {
  auto req = CompileExtraSpec(key, value);
  REQUIRE_MESSAGE(req.ok(), key << "=" << value << ": " << req.status().ToString());
  REQUIRE_MESSAGE(req->has_value(), key << " is not a capability requirement");
  return SpecMatches(**req, FindCapability(Caps(), (*req)->path));
}

}  // namespace

TEST_SUITE("extra specs") {
  TEST_CASE("every operator, as the reference defines it") {
    struct Case {
      std::string key, value;
      bool want;
    };
    const std::vector<Case> cases = {
        {"tier", "gold", true},                    {"tier", "silver", false},
        {"capabilities:tier", "gold", true},       {"thin_provisioning_support", "<is> True", true},
        {"thin_provisioning_support", "<is> False", false}, {"multiattach", "<is> True", false},
        {"multiattach", "<is> false", true},       {"on", "<is> True", true},
        {"free_capacity_gb", "= 100", true},       {"free_capacity_gb", "= 200", false},
        {"free_capacity_gb", ">= 120.5", true},    {"free_capacity_gb", "<= 120", false},
        {"free_capacity_gb", "== 120.5", true},    {"free_capacity_gb", "!= 120.5", false},
        {"iops", ">= 4000", true},                 {"iops", "== 5000", true},
        {"total_volumes", "<= 7", true},           {"tier", "s== gold", true},
        {"tier", "s!= gold", false},               {"tier", "s< silver", true},
        {"tier", "s> silver", false},              {"version", "s>= 2.1", true},
        {"version", "s<= 2.09", false},            {"vendor_model", "<in> X70", true},
        {"vendor_model", "<in> X90", false},       {"tier", "<or> silver <or> gold", true},
        {"tier", "<or> silver <or> bronze", false}, {"protocols", "NFS", true},   // any element
        {"protocols", "<in> SCSI", true},          {"protocols", "FC", false},
        {"capabilities:nested:raid", "raid6", true}, {"capabilities:nested:disks", ">= 10", true},
        {"capabilities:nested:missing", "x", false}, {"unreported", "anything", false},
        {"tier", "<in> ol", true},
        // Fixed quirks: a boolean capability equals the words True/False; numbers compare as
        // numbers; a string operator against a number compares its text.
        {"thin_provisioning_support", "True", true}, {"total_volumes", "7", true},
        {"total_volumes", "s== 7", true},
    };
    for (const auto& c : cases) {
      CAPTURE(c.key);
      CAPTURE(c.value);
      CHECK(Matches(c.key, c.value) == c.want);
    }
  }

  TEST_CASE("keys of other scopes are not capability requirements") {
    for (const char* key : {"provisioning:type", "RESKEY:availability_zones", "vendor:thing",
                            "QoS:x"}) {
      auto r = CompileExtraSpec(key, "whatever");
      BS_REQUIRE_OK(r);
      CHECK_FALSE(r->has_value());
    }
  }

  TEST_CASE("malformed specs are refused, naming the spec") {
    const std::vector<std::pair<std::string, std::string>> bad = {
        {"tier", "<all-in> gold"}, {"tier", "<is>"},         {"tier", "<is> maybe"},
        {"iops", ">= lots"},       {"iops", "= "},           {"tier", "<or> a <or>"},
        {"tier", "<or> a b"},      {"tier", "s== a b"},      {"capabilities:", "x"},
        {"capabilities::x", "y"},  {"iops", "== nan"},
        // One operand only: Cinder silently ignores every word after the first.
        {"iops", ">= 5 6"},        {"tier", "<in> go ld"},   {"thin", "<is> True False"},
    };
    for (const auto& kv : bad) {
      const std::string &k = kv.first, &v = kv.second;
      CAPTURE(k);
      CAPTURE(v);
      auto r = CompileExtraSpec(k, v);
      BS_CHECK_CODE(r, Code::kInvalidArgument);
      if (!r.ok()) CHECK(r.status().message().find("extra spec '" + k + "'") != std::string::npos);
      BS_CHECK_CODE(ValidateExtraSpec(k, v), Code::kInvalidArgument);
    }
    BS_CHECK_CODE(ValidateExtraSpec("provisioning:type", "thickish"), Code::kInvalidArgument);
    BS_CHECK_CODE(ValidateExtraSpec("provisioning:max_vol_size", "-1"), Code::kInvalidArgument);
    BS_REQUIRE_OK(ValidateExtraSpec("provisioning:type", "thick"));
    BS_REQUIRE_OK(ValidateExtraSpec("multiattach", "<is> True"));
  }
}
