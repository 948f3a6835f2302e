"""blockstore: volumes, snapshots, backups, attachments, types, QoS and quotas, as a library.

    import blockstore
    with blockstore.Engine("/var/lib/blockstore") as engine:
        me = blockstore.Context("my-project")
        vol = engine.create_volume(me, 10, name="data")
        vol = engine.wait_for_volume(me, vol.id, ["available", "error"])

Mutating calls return at once with the record in its transitional status ("creating",
"deleting", …); wait_for_* or subscribe() see them finish. Errors are
blockstore.errors.Error subclasses carrying ``.code``.
"""

from blockstore._blockstore import (  # noqa: F401
    Attachment,
    Backup,
    BackupProgress,
    BackupRestore,
    Context,
    Engine,
    Event,
    FilterStep,
    Message,
    PlacementExplanation,
    Pool,
    RankedPool,
    RequestSpec,
    QosSpec,
    QuotaSet,
    QuotaUsage,
    RestHandler,
    Snapshot,
    Transfer,
    Volume,
    VolumeType,
    config_keys,
    copy_database,
    host_connector,
    migrate_database,
    validate_config,
)
from blockstore.connector import VolumeFile, connect_volume  # noqa: F401
from blockstore.driver import BlockDevice, VolumeDriver  # noqa: F401
from blockstore.transport import Transport  # noqa: F401
from blockstore.errors import (  # noqa: F401
    Aborted,
    AlreadyExists,
    Cancelled,
    DataLoss,
    DeadlineExceeded,
    Error,
    FailedPrecondition,
    Internal,
    InvalidArgument,
    NotFound,
    PermissionDenied,
    ResourceExhausted,
    Unavailable,
    Unimplemented,
)

__version__ = "0.1.0"
