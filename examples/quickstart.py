#!/usr/bin/python3
"""blockstore in Python: open an engine on a directory, create a volume, snapshot it, clone it,
back it up (full, then incremental), restore the first backup to a new volume, and attach
that volume to this host to read it.

    quickstart.py [STATE_DIR]      (default: a new directory under /tmp)
"""
import os
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

        # Put data in the volume (the file driver's volumes are sparse files), back it up,
        # change it, back up again: the incremental stores only the changed chunk.
        path = os.path.join(state, "volumes", f"volume-{vol.id}")
        with open(path, "r+b") as f:
            f.write(b"first words\n" * 100000)
        full = engine.wait_for_backup(me, engine.create_backup(me, vol.id, name="data-full").id)
        print(f"backup   {full.id}  {full.status:<9} {full.object_count} object(s), "
              f"{full.stored_bytes} bytes stored for {full.size} GB")
        with open(path, "r+b") as f:
            f.write(b"second")
        inc = engine.wait_for_backup(
            me, engine.create_backup(me, vol.id, name="data-inc", incremental=True).id)
        print(f"backup   {inc.id}  {inc.status:<9} {inc.object_count} object(s), "
              f"incremental to {inc.parent_id}")
        engine.verify_backup(me, inc.id)

        # Restore the full backup to a new volume: it holds the first words again.
        r = engine.restore_backup(me, full.id)
        engine.wait_for_backup(me, full.id, ["available"])
        restored = engine.wait_for_volume(me, r.volume_id, ["available", "error_restoring"])
        with open(os.path.join(state, "volumes", f"volume-{restored.id}"), "rb") as f:
            head = f.read(11).decode()
        print(f"restore  {restored.id}  {restored.status:<9} {r.volume_name}: starts with {head!r}")

        # Attach the restored volume to this host and read it through the connector, as a
        # file; detaching frees it again.
        host = blockstore.host_connector()
        att = engine.create_attachment(me, restored.id, connector=host)
        engine.complete_attachment(me, att.id)
        with blockstore.connect_volume(att.connection_info, initiator=host["initiator"]) as disk:
            seen = disk.read(11).decode()
        engine.delete_attachment(me, att.id)
        kind = att.connection_info["driver_volume_type"]
        print(f"attach   {att.id}  read {seen!r} through a {kind} connection, then detached")
        restored = engine.get_volume(me, restored.id)
    print(f"state in {state}")
    ok = vol.status == clone.status == restored.status == "available"
    return 0 if ok and head == seen == "first words" else 1


if __name__ == "__main__":
    sys.exit(main())
