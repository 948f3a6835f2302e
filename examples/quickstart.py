#!/usr/bin/python3
"""blockstore in Python: open an engine on a directory, create a volume, snapshot it, clone it.

    quickstart.py [STATE_DIR]      (default: a new directory under /tmp)
"""
import sys
import tempfile

import blockstore


def main():
    state = sys.argv[1] if len(sys.argv) > 1 else tempfile.mkdtemp(prefix="blockstore-quickstart-")
    me = blockstore.Context("demo", "demo-user")
    with blockstore.Engine(state) as engine:
        vol = engine.create_volume(me, 1, name="data")  # returns at once, in "creating"
        vol = engine.wait_for_volume(me, vol.id, ["available", "error"])
        print(f"volume   {vol.id}  {vol.status:<9} {vol.size} GB  {vol.name}  host={vol.host}")

        snap = engine.create_snapshot(me, vol.id, name="data-snap")
        snap = engine.wait_for_snapshot(me, snap.id, ["available", "error"])
        print(f"snapshot {snap.id}  {snap.status:<9} {snap.size} GB  {snap.name}  of {snap.volume_id}")

        clone = engine.create_volume(me, source_volid=vol.id, name="data-clone")
        clone = engine.wait_for_volume(me, clone.id, ["available", "error"])
        print(f"clone    {clone.id}  {clone.status:<9} {clone.size} GB  {clone.name}  host={clone.host}")

        # Where would the next volume go, and why? (An admin question: it shows the pools.)
        why = engine.explain_placement(blockstore.Context.admin(), 10)
        for step in why.filters:
            print(f"filter   {step.filter}: {step.before - step.removed} of {step.before} pools pass")
        best = why.ranking[0]
        print(f"placed   a 10 GB volume would go to {why.chosen} (weight {best.weight:.2f}, "
              f"{best.raw['CapacityWeigher']:.0f} GB of room)")
    print(f"state in {state}")
    return 0 if vol.status == clone.status == "available" else 1


if __name__ == "__main__":
    sys.exit(main())
