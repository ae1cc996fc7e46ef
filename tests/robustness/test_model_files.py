"""Hostile model files (GGUF, safetensors) get one clear line; no native crash, nothing registered.

The import runs in a child process, so a loader that crashes (SIGSEGV, SIGABRT)
shows here as a negative return code instead of killing the test run.
"""

from __future__ import annotations

import json
import shutil
import struct

import pytest

from engine.filecheck import BadModelFile, check_gguf, check_safetensors
from tests.robustness.helpers import (
    gguf_header,
    gguf_string,
    gguf_with_tensor,
    run_cli,
    safetensors_bytes,
)

CRAFTED_GGUF = {
    # The 35-byte file of the report: one key whose length is 2**40 (SIGSEGV in MLX).
    "huge-key.gguf": gguf_header(0, 1) + struct.pack("<Q", 2**40) + b"abc",
    "too-many-dims.gguf": gguf_with_tensor(200, [1] * 200),  # SIGABRT in MLX
    "huge-array.gguf": gguf_header(0, 1)
    + gguf_string("tokenizer.ggml.tokens")
    + struct.pack("<IIQ", 9, 8, 2**61),
    "tensor-past-end.gguf": gguf_with_tensor(2, [32, 2**20]),
    "bad-offset.gguf": gguf_with_tensor(1, [32], offset=2**62),
    "unknown-type.gguf": gguf_with_tensor(1, [32], kind=999),
    "bad-version.gguf": gguf_header(0, 0, version=77),
    "many-tensors.gguf": gguf_header(2**60, 0),
}


@pytest.mark.parametrize("name", sorted(CRAFTED_GGUF))
def test_crafted_gguf_is_refused_in_python(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(CRAFTED_GGUF[name])
    with pytest.raises(BadModelFile, match=f"{name}: the file is incomplete or damaged"):
        check_gguf(path)


def test_models_import_of_crafted_gguf_says_one_line(tmp_path):
    for name in ("huge-key.gguf", "too-many-dims.gguf"):
        path = tmp_path / name
        path.write_bytes(CRAFTED_GGUF[name])
        result = run_cli("models", "import", path, "--data-dir", tmp_path / "data")
        assert result.returncode == 1, (result.returncode, result.stderr[-2000:])
        # Progress lines may come first; the error is one line, with no traceback.
        errors = [ln for ln in result.stderr.splitlines() if ln.startswith("sastre:")]
        assert len(errors) == 1 and name in errors[0] and "damaged" in errors[0], result.stderr
        assert "unexpected" not in result.stderr and "Traceback" not in result.stderr
    listed = run_cli("models", "list", "--json", "--data-dir", tmp_path / "data")
    assert json.loads(listed.stdout) == []


def test_real_gguf_passes_the_check():
    from engine.gguf import embedded_gguf_path

    check_gguf(embedded_gguf_path())  # raises if the check refuses a real file


def _tensor_header(**entries) -> bytes:
    return json.dumps(entries).encode()


BAD_SAFETENSORS = {
    "four-bytes.safetensors": b"\x01\x02\x03\x04",
    "huge-header.safetensors": struct.pack("<Q", 2**62) + b"{}",
    "truncated-json.safetensors": safetensors_bytes(b'{"a": {"dtype": "F32", "sha'),
    "not-object.safetensors": safetensors_bytes(b"[1, 2]"),
    "deep.safetensors": safetensors_bytes(b"[" * 100_000 + b"]" * 100_000),
    "cut-data.safetensors": safetensors_bytes(
        _tensor_header(w={"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 64]}), b"\0" * 16
    ),
    "wrong-size.safetensors": safetensors_bytes(
        _tensor_header(w={"dtype": "F32", "shape": [4, 4], "data_offsets": [0, 8]}), b"\0" * 64
    ),
    "bad-dtype.safetensors": safetensors_bytes(
        _tensor_header(w={"dtype": "X9", "shape": [1], "data_offsets": [0, 4]}), b"\0" * 4
    ),
    "overlap.safetensors": safetensors_bytes(
        _tensor_header(
            a={"dtype": "F32", "shape": [2], "data_offsets": [0, 8]},
            b={"dtype": "F32", "shape": [2], "data_offsets": [4, 12]},
        ),
        b"\0" * 12,
    ),
}


@pytest.mark.parametrize("name", sorted(BAD_SAFETENSORS))
def test_bad_safetensors_is_refused(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(BAD_SAFETENSORS[name])
    with pytest.raises(BadModelFile, match=f"{name}: not a valid safetensors file"):
        check_safetensors(path)


@pytest.mark.parametrize("name", ["four-bytes", "huge-header", "truncated-json", "cut-data"])
def test_importing_a_folder_with_bad_weights_registers_nothing(
    tmp_path, tiny_model_dir, capsys, name
):
    from desktop.cli import main

    folder = tmp_path / "bad-model"
    shutil.copytree(tiny_model_dir, folder)
    (folder / "model.safetensors").write_bytes(BAD_SAFETENSORS[f"{name}.safetensors"])
    data = tmp_path / "data"
    code = main(["models", "import", str(folder), "--data-dir", str(data)])
    err = capsys.readouterr().err
    assert code == 1 and "not a valid safetensors file" in err and "unexpected" not in err, err
    assert main(["models", "list", "--json", "--data-dir", str(data)]) == 0
    assert json.loads(capsys.readouterr().out) == []
