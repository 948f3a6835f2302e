"""Volume drivers written in Python: subclass :class:`VolumeDriver`, hand the class to
``blockstore.Engine(drivers={"mydriver": MyDriver})`` and name ``"mydriver"`` as a backend's
``driver``. The engine makes one instance per backend that names it.

The engine calls a driver from its worker threads — several calls at once, never two for the same
volume or snapshot — and takes the GIL for each. Volumes and snapshots arrive as
:class:`blockstore.Volume` and :class:`blockstore.Snapshot`; connectors, exports and references
as dicts. Raise a :mod:`blockstore.errors` class to answer with its code (``NotFound`` for what
is not there, ``InvalidArgument`` for a bad option, …); any other exception is ``internal``.

Required: the methods that raise ``NotImplementedError`` below. Optional: the rest — a method a
subclass does not define answers ``unimplemented`` (attach, snapshot exports, changed extents,
revert, manage, retype, migrate), or does nothing (terminate_connection and the like).
docs/drivers.md has the contract each call must keep.
"""


class BlockDevice:
    """An open volume or snapshot: positional I/O and the map of what was ever written.

    ``concurrent``: whether read and write may run on several threads at once.
    """

    concurrent = False

    def size(self):
        """The size in bytes."""
        raise NotImplementedError

    def read(self, offset, length):
        """Up to ``length`` bytes at ``offset`` (short only at the end), as ``bytes``."""
        raise NotImplementedError

    def write(self, offset, data):
        """Writes all of ``data`` at ``offset``; InvalidArgument past the end."""
        raise NotImplementedError

    def flush(self):
        """Makes the writes durable."""

    def allocated(self):
        """``[(offset, length), …]`` sorted and disjoint: what may hold data (default: all)."""
        return [(0, self.size())]

    def close(self):
        """Releases the device."""


class VolumeDriver:
    """The base of a Python volume driver; ``backend`` is the backend's configuration:
    ``{"name", "driver", "volume_backend_name", "options": {key: value}}``. Refuse bad options
    in ``__init__`` (raise InvalidArgument naming the option)."""

    def __init__(self, backend):
        self.backend = backend

    def initialize(self):
        """Checks the backend is usable; called once before any other call."""

    def default_pool(self):
        """The pool a volume lands in when the scheduler named none."""
        return self.backend["name"]

    def create_volume(self, volume):
        raise NotImplementedError

    def create_volume_from_snapshot(self, volume, snapshot):
        raise NotImplementedError

    def create_cloned_volume(self, volume, source):
        raise NotImplementedError

    def delete_volume(self, volume):
        """Idempotent: deleting what is not there succeeds."""
        raise NotImplementedError

    def extend_volume(self, volume, new_size_gb):
        raise NotImplementedError

    def create_snapshot(self, snapshot, volume):
        raise NotImplementedError

    def delete_snapshot(self, snapshot):
        """Idempotent."""
        raise NotImplementedError

    def volume_size(self, volume):
        """The bytes the backend holds for the volume; NotFound when it holds none."""
        raise NotImplementedError

    def get_stats(self):
        """``{"storage_protocol", "vendor_name", "driver_version", "pools": [{"pool_name",
        "total_capacity_gb", "free_capacity_gb", "thin_provisioning_support", …}]}``"""
        raise NotImplementedError

    def open_volume(self, volume):
        """A :class:`BlockDevice` over the volume."""
        raise NotImplementedError

    # Optional methods, as the engine calls them (define them in a subclass to offer them):
    #   open_snapshot(snapshot) -> BlockDevice (read-only)
    #   initialize_connection(volume, existing_export, connector)
    #       -> {"export": {"location", "auth"}, "connection_info": {"driver_volume_type", "data"}}
    #   terminate_connection(volume, export, connector, revoke_host, remove_export)
    #   initialize_snapshot_connection(snapshot, connector) -> connection info
    #   terminate_snapshot_connection(snapshot, connector)
    #   changed_extents(volume, from_snapshot, to_snapshot_or_None) -> [(offset, length), …]
    #   revert_to_snapshot(volume, snapshot)
    #   manage_existing_get_size(volume, reference) -> GiB; manage_existing(volume, reference)
    #   unmanage(volume); retype(volume, new_specs); migrate_volume(volume, destination)
