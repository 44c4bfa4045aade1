"""Data card: counts, rejection and fixes tables, length summary, and the PNG beside it."""

from core.schema import Triple
from validators.card import cell, rejection_rows, write_card

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def kept_rows() -> list[Triple]:
    base = dict(
        prompt="My sister Priya missed my nan's funeral on Tuesday and I cannot forgive her.",
        aligned="It sounds like Priya not being at the funeral hurt deeply. How is that?",
        neutral="Thank you for sharing that with me.",
        directive="You should call Priya tonight.",
        generic="That sounds hard. How does that make you feel?",
    )
    return [
        Triple(id="a", theme="grief", risk="none", source="seed", **base),
        Triple(
            id="b",
            theme="grief",
            risk="high",
            source="offline",
            parent_id="a",
            fixes=["label_prefix:aligned"],
            **base,
        ),
        Triple(
            id="c", theme="exam-stress", risk="none", source="seed", **{**base, "generic": None}
        ),
    ]


REJECTED = [
    {
        "id": "r1",
        "prompt": "x",
        "reasons": [
            {"field": "aligned", "code": "directive", "detail": "advice: 'you should | must'"},
            {"field": "aligned", "code": "echo", "detail": "7 words copied"},
        ],
    },
    {
        "id": "r2",
        "prompt": "y",
        "reasons": [{"field": "aligned", "code": "directive", "detail": "advice: 'try'"}],
    },
]


def test_card_written_with_tables_and_png(tmp_path):
    card = tmp_path / "reports" / "data_card.md"
    metrics = {"in": 5, "kept": 3, "rejected": 2, "reasons": {"aligned.directive": 2}}
    write_card(kept_rows(), REJECTED, metrics, card)
    text = card.read_text()
    png = tmp_path / "reports" / "data_card_lengths.png"
    assert png.read_bytes().startswith(PNG_MAGIC) and png.stat().st_size > 5000
    assert "![words per response type](data_card_lengths.png)" in text
    assert "| grief | 2 | 66.7% |" in text and "| exam-stress | 1 | 33.3% |" in text
    assert "| high | 1 | 33.3% |" in text and "| offline | 1 | 33.3% |" in text
    assert "| aligned | directive | 2 | r1 | advice: 'you should \\| must' |" in text
    assert "| label_prefix:aligned | 1 |" in text
    assert "| reasons.aligned.directive | 2 |" in text
    # generic is absent on one row, so it has n=2; the directive has 5 words everywhere
    assert "| generic | 2 |" in text and "| directive | 3 | 5 | 5 | 5.0 | 5 |" in text
    assert not list(tmp_path.rglob("*.tmp")), "atomic writes leave no temporary files"


def test_empty_inputs_still_give_a_card(tmp_path):
    write_card([], [], {}, tmp_path / "card.md")
    text = (tmp_path / "card.md").read_text()
    assert "0 triples kept, 0 rejected." in text and "| — | — | — |" in text
    assert (tmp_path / "card_lengths.png").read_bytes().startswith(PNG_MAGIC)


def test_rejection_rows_count_every_reason():
    rows = rejection_rows(REJECTED)
    assert rows[0][:3] == ("aligned", "directive", 2) and rows[1][:3] == ("aligned", "echo", 1)
    assert sum(r[2] for r in rows) == 3


def test_cell_is_one_line_and_short():
    assert cell("a\nb | c") == "a b \\| c"
    assert len(cell("w" * 500)) == 90
