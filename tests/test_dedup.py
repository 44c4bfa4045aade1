"""Near-duplicate search: exact pairs, MinHash estimates, and no pairs among distinct texts."""

import random

from core.dedup import find_near_duplicates

VOCAB = [f"w{i}" for i in range(3000)]


def test_exact_and_near_duplicates_found():
    rnd = random.Random(0)
    texts = [" ".join(rnd.choices(VOCAB, k=60)) for _ in range(300)]
    texts.append(texts[3])  # exact (300)
    near = texts[7].split()
    near[-1] = "changed"
    texts.append(" ".join(near))  # one word of 60 changed at the end: Jaccard ~0.93 (301)
    far = texts[9].split()
    for k in range(0, 60, 6):
        far[k] = "x"
    texts.append(" ".join(far))  # every 6th word changed: no shared 5-shingle (302)
    pairs = find_near_duplicates(texts, 0.8)
    assert (3, 300) in pairs and (7, 301) in pairs
    assert not any(j == 302 for _, j in pairs)
    assert all(i < j for i, j in pairs)
    assert len(pairs) == 2  # random distinct texts never pair


def test_short_texts_and_empty():
    pairs = find_near_duplicates(["I miss my dog Rex", "I miss my dog Rex!", "", "", "hi"], 0.8)
    assert (0, 1) in pairs and (2, 3) in pairs
    assert find_near_duplicates([], 0.8) == [] and find_near_duplicates(["a"], 0.8) == []
