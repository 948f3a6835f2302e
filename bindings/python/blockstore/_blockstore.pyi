from typing import Any, Callable, Iterable, Mapping, Optional, Sequence

class Context:
    project_id: str
    user_id: str
    roles: list[str]
    is_admin: bool
    idempotency_key: str  # creates made with it are made once per key
    def __init__(self, project_id: str, user_id: str = ..., roles: Sequence[str] = ...,
                 request_id: str = ..., idempotency_key: str = ...) -> None: ...
    @staticmethod
    def admin(project_id: str = ...) -> Context: ...

class Volume:
    id: str
    project_id: str
    user_id: str
    name: str
    description: str
    size: int
    status: str
    previous_status: Optional[str]
    attach_status: str
    host: str
    availability_zone: str
    volume_type_id: str
    snapshot_id: str
    source_volid: str
    bootable: bool
    multiattach: bool
    readonly: Optional[bool]
    metadata: dict[str, str]
    image_metadata: dict[str, str]
    migration_status: Optional[str]
    migration_host: Optional[str]  # the pool a running migration moves it to
    created_at: str
    updated_at: str

class Snapshot:
    id: str
    project_id: str
    user_id: str
    volume_id: str
    name: str
    description: str
    size: int
    status: str
    progress: str
    metadata: dict[str, str]
    created_at: str
    updated_at: str

class Backup:
    id: str
    project_id: str
    user_id: str
    volume_id: str
    snapshot_id: str
    name: str
    description: str
    size: int
    status: str
    fail_reason: str
    is_incremental: bool
    parent_id: str
    has_dependent_backups: bool
    availability_zone: str
    host: str
    container: str
    object_count: int
    stored_bytes: int
    progress_bytes: int
    progress_total: int
    restore_volume_id: str
    encrypted: bool
    metadata: dict[str, str]
    data_timestamp: str
    created_at: str
    updated_at: str

class BackupProgress:
    backup_id: str
    operation: str  # "backup" | "restore" | "verify"
    bytes_done: int
    bytes_total: int
    bytes_stored: int
    rate_bytes_per_s: float
    eta_seconds: float

class BackupRestore:
    backup_id: str
    volume_id: str
    volume_name: str

class Attachment:
    id: str
    volume_id: str
    project_id: str
    instance_uuid: str
    attached_host: str
    mountpoint: str
    status: str
    attach_mode: str
    connector: Optional[dict[str, Any]]
    connection_info: Optional[dict[str, Any]]
    attached_at: Optional[str]
    created_at: str

class _Device:
    size: int
    closed: bool
    def read_at(self, offset: int, size: int) -> bytes: ...
    def readinto_at(self, offset: int, buffer: Any) -> int: ...
    def write_at(self, offset: int, data: Any) -> int: ...
    def flush(self) -> None: ...
    def close(self) -> None: ...

class RestHandler:
    def __init__(self, engine: Engine, *, auth_strategy: str = ...,
                 tokens: Mapping[str, tuple[str, str, Sequence[str]]] = ...,
                 public_url: str = ..., max_body_bytes: int = ...) -> None: ...
    def handle(self, method: str, target: str, headers: Mapping[str, str] = ...,
               body: bytes = ...) -> tuple[int, dict[str, str], bytes]: ...

def host_connector(ip: str = ..., initiator: str = ...) -> dict[str, Any]: ...
def _connect_volume(connection_info: Mapping[str, Any], *, initiator: str = ...,
                    use_loop_device: bool = ..., timeout: float = ..., ceph_conf: str = ...,
                    ceph_keyring: str = ...) -> _Device: ...

class Message:
    id: str
    project_id: str
    request_id: str
    resource_type: str  # "VOLUME" | "SNAPSHOT" | "BACKUP"
    resource_uuid: str
    event_id: str
    message_level: str
    user_message: str
    created_at: str
    expires_at: str

class Transfer:
    id: str
    volume_id: str
    name: str
    source_project_id: str
    destination_project_id: str  # "" until accepted
    accepted: bool
    no_snapshots: bool
    created_at: str
    updated_at: str

class VolumeType:
    id: str
    name: str
    description: str
    is_public: bool
    qos_specs_id: str
    extra_specs: dict[str, str]

class QosSpec:
    id: str
    name: str
    consumer: str
    specs: dict[str, str]

class QuotaUsage:
    limit: int
    in_use: int
    reserved: int

class QuotaSet:
    project_id: str
    resources: dict[str, QuotaUsage]
    def __getitem__(self, resource: str) -> QuotaUsage: ...

class Event:
    sequence: int
    type: str
    resource_type: str
    resource_id: str
    project_id: str
    status: str
    message: str
    at: str

class Pool:
    name: str
    backend: str
    host: str
    availability_zone: str
    volume_backend_name: str
    storage_protocol: str
    volume_count: int
    reserved_gb: float
    total_capacity_gb: float | str
    free_capacity_gb: float | str
    allocated_capacity_gb: float
    provisioned_capacity_gb: float
    thin_provisioning_support: bool
    capabilities: dict[str, str]

class RequestSpec:
    operation: str  # "create" | "extend" | "snapshot"
    volume_id: str
    project_id: str
    size: int
    availability_zone: str
    volume_type: str
    extra_specs: dict[str, str]
    metadata: dict[str, str]
    attempts: list[tuple[str, str]]  # (backend, why it failed)

class FilterStep:
    filter: str
    before: int
    removed: int
    reasons: list[str]

class RankedPool:
    pool: str
    weight: float
    raw: dict[str, float]

class PlacementExplanation:
    pools: int
    stale: int
    filters: list[FilterStep]
    ranking: list[RankedPool]
    chosen: Optional[str]
    error: Optional[str]

# A filter returns True, False, or (False, "why"); a weigher returns a number.
FilterFn = Callable[[Pool, RequestSpec], object]
WeigherFn = Callable[[Pool, RequestSpec], float]
Hints = Mapping[str, object]  # same_host, different_host: id or ids; query: JSON text

Sort = Sequence[tuple[str, str]]

def config_keys() -> list[dict[str, str]]: ...
def migrate_database(url: str) -> None: ...
def copy_database(from_url: str, to_url: str) -> dict[str, object]: ...
def validate_config(state_path: str, config: Optional[Mapping[str, object]] = ...,
                    **keys: object) -> None: ...

class Engine:
    # Keys: blockstore.config_keys() (docs/configuration.md), as `config`, as keywords, or both.
    def __init__(self, state_path: str, config: Optional[Mapping[str, object]] = ..., *,
                 filters: Mapping[str, FilterFn] = ...,
                 weighers: Mapping[str, WeigherFn] = ...,
                 backup_progress: Optional[Callable[[BackupProgress], None]] = ...,
                 backup_keys: Optional[Callable[[str], Optional[bytes]]] = ...,
                 transport: Optional[object] = ...,
                 drivers: Mapping[str, object] = ...,
                 **keys: object) -> None: ...
    def __enter__(self) -> Engine: ...
    def __exit__(self, *exc: object) -> None: ...
    def close(self) -> None: ...
    def pools(self) -> list[Pool]: ...
    def refresh_stats(self) -> None: ...
    def subscribe(self, callback: Callable[[Event], None]) -> int: ...
    def unsubscribe(self, token: int) -> None: ...
    def create_volume(self, ctx: Context, size: Optional[int] = ..., *, name: str = ...,
                      description: str = ..., volume_type: str = ..., availability_zone: str = ...,
                      snapshot_id: str = ..., source_volid: str = ...,
                      metadata: Mapping[str, str] = ..., bootable: bool = ...,
                      scheduler_hints: Optional[Hints] = ..., backup_id: str = ...) -> Volume: ...
    def explain_placement(self, ctx: Context, size: Optional[int] = ..., *,
                          volume_type: str = ..., availability_zone: str = ...,
                          snapshot_id: str = ..., source_volid: str = ...,
                          metadata: Mapping[str, str] = ...,
                          scheduler_hints: Optional[Hints] = ...) -> PlacementExplanation: ...
    def get_volume(self, ctx: Context, volume_id: str) -> Volume: ...
    def list_volumes(self, ctx: Context, *, name: Optional[str] = ..., status: Optional[str] = ...,
                     availability_zone: Optional[str] = ..., bootable: Optional[bool] = ...,
                     metadata: Optional[Mapping[str, str]] = ..., sort: Optional[Sort] = ...,
                     limit: Optional[int] = ..., marker: str = ...,
                     all_projects: bool = ..., like: Optional[Mapping[str, str]] = ...,
                     project_id: Optional[str] = ...,
                     image_metadata: Optional[Mapping[str, str]] = ...,
                     size: Optional[int] = ...) -> list[Volume]: ...
    def update_volume(self, ctx: Context, volume_id: str, *, name: Optional[str] = ...,
                      description: Optional[str] = ..., metadata: Optional[Mapping[str, str]] = ...,
                      bootable: Optional[bool] = ...,
                      image_metadata: Optional[Mapping[str, str]] = ...) -> Volume: ...
    def delete_volume(self, ctx: Context, volume_id: str, *, cascade: bool = ...,
                      force: bool = ...) -> Volume: ...
    def extend_volume(self, ctx: Context, volume_id: str, new_size: int) -> Volume: ...
    def revert_volume_to_snapshot(self, ctx: Context, volume_id: str, snapshot_id: str) -> Volume: ...
    def retype_volume(self, ctx: Context, volume_id: str, new_type: str, *,
                      migration_policy: str = ...) -> Volume: ...
    def migrate_volume(self, ctx: Context, volume_id: str, host: str, *,
                       force_host_copy: bool = ...) -> Volume: ...
    def list_messages(self, ctx: Context, *, limit: Optional[int] = ..., marker: str = ...,
                      all_projects: bool = ...) -> list[Message]: ...
    def get_message(self, ctx: Context, message_id: str) -> Message: ...
    def delete_message(self, ctx: Context, message_id: str) -> None: ...
    def create_transfer(self, ctx: Context, volume_id: str, *, name: str = ...,
                        no_snapshots: bool = ...) -> tuple[Transfer, str]: ...
    def accept_transfer(self, ctx: Context, transfer_id: str, auth_key: str) -> Transfer: ...
    def get_transfer(self, ctx: Context, transfer_id: str) -> Transfer: ...
    def list_transfers(self, ctx: Context, *, all_projects: bool = ...) -> list[Transfer]: ...
    def delete_transfer(self, ctx: Context, transfer_id: str) -> None: ...
    def update_volume_readonly(self, ctx: Context, volume_id: str, readonly: bool) -> Volume: ...
    def reset_volume_status(self, ctx: Context, volume_id: str, status: Optional[str] = ..., *,
                            migration_status: Optional[str] = ...) -> Volume: ...
    def wait_for_volume(self, ctx: Context, volume_id: str, statuses: Iterable[str] = ...,
                        timeout: float = ...) -> Volume: ...
    def wait_for_volume_deleted(self, ctx: Context, volume_id: str, timeout: float = ...) -> None: ...
    def create_snapshot(self, ctx: Context, volume_id: str, *, name: str = ...,
                        description: str = ..., force: bool = ...,
                        metadata: Mapping[str, str] = ...) -> Snapshot: ...
    def get_snapshot(self, ctx: Context, snapshot_id: str) -> Snapshot: ...
    def list_snapshots(self, ctx: Context, *, name: Optional[str] = ..., status: Optional[str] = ...,
                       volume_id: Optional[str] = ..., metadata: Optional[Mapping[str, str]] = ...,
                       sort: Optional[Sort] = ..., limit: Optional[int] = ..., marker: str = ...,
                       all_projects: bool = ...) -> list[Snapshot]: ...
    def update_snapshot(self, ctx: Context, snapshot_id: str, *, name: Optional[str] = ...,
                        description: Optional[str] = ...,
                        metadata: Optional[Mapping[str, str]] = ...) -> Snapshot: ...
    def delete_snapshot(self, ctx: Context, snapshot_id: str, *, force: bool = ...) -> Snapshot: ...
    def reset_snapshot_status(self, ctx: Context, snapshot_id: str, status: str) -> Snapshot: ...
    def wait_for_snapshot(self, ctx: Context, snapshot_id: str, statuses: Iterable[str] = ...,
                          timeout: float = ...) -> Snapshot: ...
    def wait_for_snapshot_deleted(self, ctx: Context, snapshot_id: str,
                                  timeout: float = ...) -> None: ...
    def create_backup(self, ctx: Context, volume_id: str, *, snapshot_id: str = ...,
                      name: str = ..., description: str = ..., incremental: bool = ...,
                      force: bool = ..., metadata: Mapping[str, str] = ...,
                      container: str = ...) -> Backup: ...
    def get_backup(self, ctx: Context, backup_id: str) -> Backup: ...
    def list_backups(self, ctx: Context, *, name: Optional[str] = ..., status: Optional[str] = ...,
                     volume_id: Optional[str] = ..., metadata: Optional[Mapping[str, str]] = ...,
                     sort: Optional[Sort] = ..., limit: Optional[int] = ..., marker: str = ...,
                     all_projects: bool = ...) -> list[Backup]: ...
    def update_backup(self, ctx: Context, backup_id: str, *, name: Optional[str] = ...,
                      description: Optional[str] = ...,
                      metadata: Optional[Mapping[str, str]] = ...) -> Backup: ...
    def delete_backup(self, ctx: Context, backup_id: str, *, force: bool = ...) -> Backup: ...
    def restore_backup(self, ctx: Context, backup_id: str, *, volume_id: str = ...,
                       name: str = ...) -> BackupRestore: ...
    def reset_backup_status(self, ctx: Context, backup_id: str, status: str) -> Backup: ...
    def export_backup_record(self, ctx: Context, backup_id: str) -> dict[str, str]: ...
    def import_backup_record(self, ctx: Context, record: Mapping[str, str]) -> Backup: ...
    def verify_backup(self, ctx: Context, backup_id: str, timeout: float = ...) -> None: ...
    def wait_for_backup(self, ctx: Context, backup_id: str, statuses: Iterable[str] = ...,
                        timeout: float = ...) -> Backup: ...
    def wait_for_backup_deleted(self, ctx: Context, backup_id: str,
                                timeout: float = ...) -> None: ...
    def create_attachment(self, ctx: Context, volume_id: str, *,
                          connector: Optional[Mapping[str, Any]] = ..., instance_uuid: str = ...,
                          mode: str = ...) -> Attachment: ...
    def update_attachment(self, ctx: Context, attachment_id: str,
                          connector: Mapping[str, Any]) -> Attachment: ...
    def complete_attachment(self, ctx: Context, attachment_id: str) -> Attachment: ...
    def delete_attachment(self, ctx: Context, attachment_id: str) -> list[Attachment]: ...
    def get_attachment(self, ctx: Context, attachment_id: str) -> Attachment: ...
    def list_attachments(self, ctx: Context, *, volume_id: Optional[str] = ...,
                         instance_uuid: Optional[str] = ..., status: Optional[str] = ...,
                         limit: Optional[int] = ..., marker: str = ...,
                         all_projects: bool = ...) -> list[Attachment]: ...
    def reserve_volume(self, ctx: Context, volume_id: str) -> Volume: ...
    def unreserve_volume(self, ctx: Context, volume_id: str) -> Volume: ...
    def initialize_connection(self, ctx: Context, volume_id: str,
                              connector: Mapping[str, Any]) -> dict[str, Any]: ...
    def attach_volume(self, ctx: Context, volume_id: str, *, instance_uuid: str = ...,
                      host_name: str = ..., mountpoint: str = ..., mode: str = ...) -> Attachment: ...
    def begin_detaching(self, ctx: Context, volume_id: str) -> Volume: ...
    def roll_detaching(self, ctx: Context, volume_id: str) -> Volume: ...
    def terminate_connection(self, ctx: Context, volume_id: str,
                             connector: Mapping[str, Any]) -> None: ...
    def detach_volume(self, ctx: Context, volume_id: str, attachment_id: str = ...) -> Volume: ...
    def force_detach(self, ctx: Context, volume_id: str, attachment_id: str = ...) -> Volume: ...
    def create_volume_type(self, ctx: Context, name: str, *, description: str = ...,
                           is_public: bool = ...,
                           extra_specs: Mapping[str, str] = ...) -> VolumeType: ...
    def get_volume_type(self, ctx: Context, id_or_name: str) -> VolumeType: ...
    def get_default_volume_type(self, ctx: Context) -> VolumeType: ...
    def list_volume_types(self, ctx: Context) -> list[VolumeType]: ...
    def update_volume_type(self, ctx: Context, type_id: str, *, name: Optional[str] = ...,
                           description: Optional[str] = ...,
                           is_public: Optional[bool] = ...) -> VolumeType: ...
    def delete_volume_type(self, ctx: Context, type_id: str) -> None: ...
    def set_extra_specs(self, ctx: Context, type_id: str, specs: Mapping[str, str]) -> VolumeType: ...
    def unset_extra_spec(self, ctx: Context, type_id: str, key: str) -> VolumeType: ...
    def add_volume_type_access(self, ctx: Context, type_id: str, project_id: str) -> None: ...
    def remove_volume_type_access(self, ctx: Context, type_id: str, project_id: str) -> None: ...
    def list_volume_type_access(self, ctx: Context, type_id: str) -> list[str]: ...
    def create_qos_spec(self, ctx: Context, name: str, *, consumer: str = ...,
                        specs: Mapping[str, str] = ...) -> QosSpec: ...
    def get_qos_spec(self, ctx: Context, qos_id: str) -> QosSpec: ...
    def list_qos_specs(self, ctx: Context) -> list[QosSpec]: ...
    def delete_qos_spec(self, ctx: Context, qos_id: str, *, force: bool = ...) -> None: ...
    def set_qos_keys(self, ctx: Context, qos_id: str, specs: Mapping[str, str]) -> QosSpec: ...
    def unset_qos_key(self, ctx: Context, qos_id: str, key: str) -> QosSpec: ...
    def associate_qos_spec(self, ctx: Context, qos_id: str, type_id: str) -> None: ...
    def disassociate_qos_spec(self, ctx: Context, qos_id: str, type_id: str) -> None: ...
    def get_quotas(self, ctx: Context, project_id: str) -> QuotaSet: ...
    def get_default_quotas(self) -> QuotaSet: ...
    def update_quotas(self, ctx: Context, project_id: str, limits: Mapping[str, int]) -> QuotaSet: ...
    def reset_quotas(self, ctx: Context, project_id: str) -> None: ...
