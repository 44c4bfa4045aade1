"""core.jsonl under hostile input: every non-blank line is one row or one BadLine, never a crash."""

import json
import os
from pathlib import Path

import pytest

from core.jsonl import (
    RAW_CAP,
    BadLine,
    InputMissing,
    atomic_write_text,
    iter_jsonl,
    write_json,
    write_jsonl,
)

ROW = {"id": "t1", "prompt": "I lost my job today.", "n": 1}
EMOJI = {"id": "e", "prompt": "tired 😮‍💨 🇬🇧 \U0001f600"}
RTL = {"id": "rtl", "prompt": "فقدت عملي اليوم \u200f שלום", "mix": "abc \u202e cba"}
CONTROL_OK = {"id": "ctl", "prompt": "tab\tnl\nnul\u0000 bell\u0007 esc\u001b del\x7f"}

# (bytes of one line, expected): a dict = parsed as json.loads would; a str = BadLine field
CASES: list[tuple[bytes, object]] = [
    (b"\xef\xbb\xbf" + json.dumps(ROW).encode(), ROW),  # BOM at the start of the file
    (json.dumps(EMOJI, ensure_ascii=False).encode() + b"\r", EMOJI),  # CRLF line
    (b"", None),
    (b"   \t ", None),
    (b'{"id": "t2", "prompt": broken', "<json>"),
    (b'{"id": "t3", "prompt": "caf\xe9 au lait"}', "<utf-8>"),  # latin-1 byte
    (b'{"id": "t4", "prompt": "one\rtwo"}', "<json>"),  # lone CR inside a string: one line
    (b'{"id": "t5",\r"prompt": "CR as whitespace"}', {"id": "t5", "prompt": "CR as whitespace"}),
    (json.dumps(RTL, ensure_ascii=False).encode(), RTL),
    (json.dumps(CONTROL_OK).encode(), CONTROL_OK),  # control chars escaped: valid
    (b'{"id": "t6", "prompt": "raw \x01\x1f control"}', "<json>"),  # raw control chars: not
    (b'{"id": "t7", "prompt": "half \\ud83d a face"}', "prompt"),  # lone surrogate escape
    (b'{"id": "t8", "meta": {"tags": ["ok", "\\udc00"]}}', "meta.tags.1"),
    (b'{"\\ud800key": 1}', "\\ud800key"),
    (b"[" * 100_000 + b"]" * 100_000, "<json>"),  # 100k-deep array
    (b'{"a": ' * 100_000 + b"1" + b"}" * 100_000, "<json>"),
    (
        json.dumps({"id": "long", "prompt": "x" * 100_000}).encode(),
        {"id": "long", "prompt": "x" * 100_000},
    ),
    (b'{"id": "long-bad", "prompt": "' + b"y" * 100_000, "<json>"),  # 100k-char bad line
    (b'{"n": ' + b"9" * 5000 + b"}", "<json>"),  # int past Python's digit limit: ValueError
    (b"[1, 2, 3]", "<record>"),
    (b'"just a string"', "<record>"),
    (b"null", "<record>"),
    (
        b'{"id": "t9", "brackets": "[[[[' + b"[" * 200 + b'"}',
        {"id": "t9", "brackets": "[[[[" + "[" * 200},
    ),
    (b"\xff\xfe\x00garbage", "<utf-8>"),
    (b'{"id": "t10", "dup": 1, "dup": 2}', {"id": "t10", "dup": 2}),
    (b"{}", {}),
    (b'{"pair": "\\ud83d\\ude00", "\\u00e9": "\\u05e9"}', {"pair": "\U0001f600", "é": "ש"}),
    (b"", None),
]


def _write_cases(path: Path) -> Path:
    path.write_bytes(b"\n".join(line for line, _ in CASES) + b"\n\n")
    return path


def test_fuzz_every_line_accounted_for(tmp_path: Path) -> None:
    path = _write_cases(tmp_path / "fuzz.jsonl")
    got = list(iter_jsonl(path))
    expected = [(n, exp) for n, (_, exp) in enumerate(CASES, start=1) if exp is not None]
    assert [n for n, _, _ in got] == [n for n, _ in expected]  # once each, right line number
    for (n, obj, bad), (_, exp) in zip(got, expected, strict=True):
        assert (obj is None) != (bad is None), n
        if isinstance(exp, dict):
            assert bad is None, f"line {n}: {bad}"
            assert obj == exp
            raw = CASES[n - 1][0].removeprefix(b"\xef\xbb\xbf").decode().rstrip("\r")
            assert obj == json.loads(raw)
        else:
            assert isinstance(bad, BadLine), n
            assert (bad.path, bad.line, bad.field) == (str(path), n, exp), str(bad)
            assert str(bad).startswith(f"{path}:{n}: {exp}: ") and bad.problem
            bad.raw.encode("utf-8")  # always writable
            str(bad).encode("utf-8")
            assert len(bad.raw) <= RAW_CAP + 40
            assert "\n" not in bad.raw


def test_rejected_lines_can_be_written_back(tmp_path: Path) -> None:
    bad = [b for _, _, b in iter_jsonl(_write_cases(tmp_path / "fuzz.jsonl")) if b]
    out = tmp_path / "rejected.jsonl"
    assert write_jsonl(out, ({"where": str(b), "raw": b.raw} for b in bad)) == len(bad)
    assert [r["raw"] for _, r, _ in iter_jsonl(out)] == [b.raw for b in bad]


def test_valid_rows_round_trip(tmp_path: Path) -> None:
    rows = [obj for _, obj, _ in iter_jsonl(_write_cases(tmp_path / "fuzz.jsonl")) if obj]
    out = tmp_path / "kept.jsonl"
    write_jsonl(out, rows)
    assert [obj for _, obj, _ in iter_jsonl(out)] == rows


def test_empty_and_blank_files(tmp_path: Path) -> None:
    (tmp_path / "empty.jsonl").write_bytes(b"")
    (tmp_path / "blank.jsonl").write_bytes(b"\n\r\n  \n\t")
    (tmp_path / "bom.jsonl").write_bytes(b"\xef\xbb\xbf\n")
    for name in ("empty.jsonl", "blank.jsonl", "bom.jsonl"):
        assert list(iter_jsonl(tmp_path / name)) == [], name
    (tmp_path / "late-bom.jsonl").write_bytes(
        b'{"a": 1}\n\xef\xbb\xbf{"b": 2}\n'
    )  # only at the start
    got = list(iter_jsonl(tmp_path / "late-bom.jsonl"))
    assert [(n, o, b and b.field) for n, o, b in got] == [(1, {"a": 1}, None), (2, None, "<json>")]


def test_no_trailing_newline(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_bytes(b'{"a": 1}\r\n{"b": 2}')
    assert [(n, o) for n, o, _ in iter_jsonl(tmp_path / "a.jsonl")] == [
        (1, {"a": 1}),
        (2, {"b": 2}),
    ]


def test_missing_path_raises_input_missing(tmp_path: Path) -> None:
    with pytest.raises(InputMissing, match="nope.jsonl: no such file"):
        iter_jsonl(tmp_path / "nope.jsonl")
    with pytest.raises(InputMissing, match="not a file"):
        iter_jsonl(tmp_path)
    assert "\n" not in str(InputMissing(f"{tmp_path}: no such file"))


class _Row:
    def model_dump(self, exclude_none: bool = False) -> dict:
        assert exclude_none
        return {"id": "m"}


def test_writers_output_and_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        assert write_jsonl(tmp_path / "d" / "rows.jsonl", [{"b": "é", "a": 1}, _Row()]) == 2
        write_json(tmp_path / "m.json", {"b": "😀", "a": [1]})
        atomic_write_text(tmp_path / "t.txt", "hi\n")
    finally:
        os.umask(old)
    assert (tmp_path / "d" / "rows.jsonl").read_text("utf-8") == '{"b": "é", "a": 1}\n{"id": "m"}\n'
    assert (tmp_path / "m.json").read_text("utf-8") == '{\n  "a": [\n    1\n  ],\n  "b": "😀"\n}\n'
    for name in ("d/rows.jsonl", "m.json", "t.txt"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o644, name


@pytest.mark.parametrize("exc", [RuntimeError, KeyboardInterrupt])
def test_failed_write_keeps_old_file_and_no_temp(tmp_path: Path, exc: type[BaseException]) -> None:
    out = tmp_path / "rows.jsonl"
    out.write_text('{"old": true}\n', encoding="utf-8")

    def rows():
        yield {"new": 1}
        raise exc("mid-write")

    with pytest.raises(exc):
        write_jsonl(out, rows())
    with pytest.raises(UnicodeEncodeError):  # a lone surrogate cannot be written as UTF-8
        write_jsonl(out, [{"new": "\ud83d"}])
    assert out.read_text("utf-8") == '{"old": true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.jsonl"]
