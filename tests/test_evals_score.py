"""The scoring CLI (evals/score.py)."""

import json

from core.detectors import NAMES as OUT_FIELDS
from evals.score import main


def _write(path, lines):
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def test_scores_good_rows_and_reports_bad_lines(tmp_path, capsys):
    good_a = {
        "prompt": "My dog Rex died on Sunday.",
        "response": "You should get a new puppy.",
        "model": "x",
    }
    good_b = {
        "prompt": "My dog Rex died on Sunday.",
        "response": "Losing Rex on Sunday sounds so painful. What was he like?",
    }
    src = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps(good_a),
            '{"prompt": "p"}',
            "not json",
            json.dumps({"prompt": "p", "response": 3}),
            json.dumps(good_b),
        ],
    )
    out = tmp_path / "out.jsonl"
    assert main([str(src), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{src}:2: response: missing" in err
    assert f"{src}:3: <json>:" in err
    assert f"{src}:4: response: not a string (int)" in err
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(rows) == 2  # 5 lines = 2 scored + 3 reported
    for row in rows:
        assert set(OUT_FIELDS) <= set(row) and isinstance(row["specificity"], float)
        assert all(isinstance(row[k], bool) for k in OUT_FIELDS)
    assert rows[0]["model"] == "x" and rows[0]["directive"] and not rows[1]["directive"]
    assert rows[1]["open_question"] and rows[1]["specificity"] > 0


def test_clean_file_exits_zero_and_prints_table(tmp_path, capsys):
    src = _write(
        tmp_path / "in.jsonl",
        [
            json.dumps(
                {"prompt": "I lost my job at the bakery.", "response": "How are you feeling?"}
            )
        ],
    )
    assert main([str(src), "--out", str(tmp_path / "o.jsonl")]) == 0
    assert "directive_rate" in capsys.readouterr().out
