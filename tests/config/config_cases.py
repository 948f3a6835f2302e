"""The configuration's table of cases (config_cases.tsv), as Python dicts and as INI files."""
import json
import os
from pathlib import Path

CASES = Path(__file__).with_name("config_cases.tsv")


def write_key_file(directory):
    keys = Path(directory) / "keys"
    keys.write_text("k1 " + "1" * 64 + "\n")
    os.chmod(keys, 0o600)


def load(directory):
    """(line, path, typed value, text value or None, expect) for every case."""
    write_key_file(directory)
    out = []
    for n, line in enumerate(CASES.read_text().splitlines(), 1):
        if not line or line.startswith("#"):
            continue
        path, typed, text, expect = (c.replace("@DIR@", str(directory)) for c in line.split("\t"))
        out.append((n, path, json.loads(typed), None if text == "-" else text, expect))
    return out


def as_dict(path, value):
    """The configuration (without state_path) that holds `value` at `path`."""
    if path.startswith("backends[]."):
        backend = {"name": "b1", "driver": "file"}
        key = path[len("backends[]."):]
        if key.startswith("options."):
            backend["options"] = {key[len("options."):]: value}
        else:
            backend[key] = value
        return {"backends": [backend]}
    head, _, rest = path.partition(".")
    return {head: {rest: value}} if rest else {head: value}


def as_ini(path, text, state_path):
    """blockstored's file that sets `path` to `text`."""
    default = [f"state_path = {state_path}"]
    sections = []
    if path.startswith("backends[]."):
        key = path[len("backends[]."):]
        default.append("enabled_backends = b1")
        body = {"volume_driver": "file"}
        if key == "driver":
            body["volume_driver"] = text
        else:
            body[key[len("options."):] if key.startswith("options.") else key] = text
        sections.append(("b1", body))
    elif path == "backup.target":
        sections.append(("backup.target", dict(item.split("=", 1) for item in text.split(";"))))
    elif "." in path:
        head, _, key = path.partition(".")
        sections.append((head, {key: text}))
    else:
        default.append(f"{path} = {text}")
    lines = ["[DEFAULT]"] + default
    for name, body in sections:
        lines += ["", f"[{name}]"] + [f"{k} = {v}" for k, v in body.items()]
    return "\n".join(lines) + "\n"
