"""Cinder's own filter scheduler on the same synthetic pools and request as scheduler_bench.

Runs Debian's python3-cinder in-process: its HostManager with the default filters
(AvailabilityZoneFilter, CapacityFilter, CapabilitiesFilter) and weigher (CapacityWeigher),
over BackendState objects built from stats reports, exactly as the FilterScheduler filters
and weighs them. Only the database look-up of services is left out (there is no database
here): the timed part is Cinder's filtering and weighing of the candidates, per request.

    /usr/bin/python3 bench/cinder_scheduler_bench.py POOLS WARMUP REQUESTS COLD_REQUESTS

As scheduler_bench does for ours: WARMUP requests first (not timed), then REQUESTS of the
"gold" type, then COLD_REQUESTS whose type changes every time (`<or> gold <or> xN`, which the
same pools pass). Cinder remembers nothing between requests, so its warm and cold cases cost
alike; both are measured so that each side is timed doing the same work.

Prints one JSON object: {"pools": N, "p50_ms": …, "p99_ms": …, "cold_p50_ms": …,
"cold_p99_ms": …, "requests": …, "cold_requests": …}.
"""
import json
import logging
import sys
import time

from oslo_config import cfg

from cinder import objects

objects.register_all()  # before the scheduler modules, whose annotations name the objects

from cinder import context  # noqa: E402
from cinder.scheduler import host_manager  # noqa: E402

POOLS_PER_BACKEND = 100


def main():
    pools = int(sys.argv[1])
    warmup, requests, cold_requests = (int(a) for a in sys.argv[2:5])
    logging.disable(logging.CRITICAL)
    cfg.CONF([], project="cinder", default_config_files=[])
    # No database: the service list the manager would read is supplied below instead.
    host_manager.HostManager._update_backend_state_map = lambda self, ctx: None
    hm = host_manager.HostManager()

    candidates = []
    now = time.time()
    from oslo_utils import timeutils
    stamp = timeutils.utcnow()
    for b in range(max(1, pools // POOLS_PER_BACKEND)):
        host = "host%d@backend%d" % (b, b)
        state = host_manager.BackendState(host, None)
        pool_stats = []
        for p in range(min(POOLS_PER_BACKEND, pools)):
            i = b * POOLS_PER_BACKEND + p
            pool_stats.append({
                "pool_name": "pool%d" % p,
                "total_capacity_gb": 1000000,
                "free_capacity_gb": 1000000 - (i * 37) % 500000,
                "allocated_capacity_gb": (i * 37) % 500000,
                "provisioned_capacity_gb": (i * 37) % 500000,
                "reserved_percentage": 5,
                "max_over_subscription_ratio": "20.0",
                "thin_provisioning_support": True,
                "thick_provisioning_support": False,
                "QoS_support": False,
                "tier": "gold" if i % 2 == 0 else "silver",
            })
        state.update_from_volume_capability({
            "volume_backend_name": "backend%d" % b, "vendor_name": "bench",
            "driver_version": "1.0", "storage_protocol": "iSCSI", "timestamp": stamp,
            "pools": pool_stats,
        })
        state.service = {"availability_zone": "nova"}
        for pool in state.pools.values():
            pool.service = {"availability_zone": "nova"}
            candidates.append(pool)

    ctx = context.get_admin_context()
    filter_properties = {
        "context": ctx,
        "size": 10,
        "availability_zone": "nova",
        "request_spec": {"volume_properties": {"size": 10, "availability_zone": "nova"},
                         "availability_zones": ["nova"]},
        "resource_type": {"extra_specs": {"capabilities:tier": "gold"}},
        "volume_type": {"extra_specs": {"capabilities:tier": "gold"}},
        "retry": {"num_attempts": 1, "backends": []},
        "scheduler_hints": {},
    }
    def measure(count, cold):
        lat = []
        passed = []
        for i in range(count):
            if cold:
                spec = {"capabilities:tier": "<or> gold <or> x%d" % i}
                filter_properties["resource_type"] = {"extra_specs": spec}
                filter_properties["volume_type"] = {"extra_specs": spec}
            t0 = time.perf_counter()
            passed = hm.get_filtered_backends(list(candidates), filter_properties)
            weighed = hm.get_weighed_backends(passed, filter_properties)
            _ = weighed[0].obj.host
            lat.append((time.perf_counter() - t0) * 1000.0)
        lat.sort()
        return (lat[len(lat) // 2], lat[min(len(lat) - 1, int(len(lat) * 0.99))], len(passed))

    measure(warmup, False)
    p50, p99, passed = measure(requests, False)
    cold_p50, cold_p99, cold_passed = measure(cold_requests, True)
    print(json.dumps({"pools": len(candidates), "p50_ms": p50, "p99_ms": p99,
                      "cold_p50_ms": cold_p50, "cold_p99_ms": cold_p99, "passed": passed,
                      "cold_passed": cold_passed, "requests": requests,
                      "cold_requests": cold_requests, "elapsed_s": time.time() - now}))


if __name__ == "__main__":
    main()
