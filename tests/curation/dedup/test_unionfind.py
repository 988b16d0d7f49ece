"""Union-find labels every node with its component's minimum, checked against BFS."""

import random
from collections import defaultdict, deque

from curation.dedup.unionfind import components


def _bfs_components(edges: list[tuple[str, str]]) -> dict[str, str]:
    """Independent oracle: breadth-first search from each unvisited node."""
    adjacency: dict[str, set[str]] = defaultdict(set)
    for u, v in edges:
        adjacency[u].add(v)
        adjacency[v].add(u)
    labels: dict[str, str] = {}
    for start in adjacency:
        if start in labels:
            continue
        seen, queue = {start}, deque([start])
        while queue:
            for neighbour in adjacency[queue.popleft()] - seen:
                seen.add(neighbour)
                queue.append(neighbour)
        smallest = min(seen)
        labels.update(dict.fromkeys(seen, smallest))
    return labels


def test_empty_graph_has_no_nodes():
    assert components([]) == {}


def test_self_loops_and_duplicates():
    edges = [("b", "b"), ("c", "a"), ("a", "c"), ("c", "a"), ("d", "c")]
    assert components(edges) == {"a": "a", "b": "b", "c": "a", "d": "a"}


def test_label_is_minimum_in_string_order_not_numeric():
    assert components([("n9", "n10"), ("n10", "n2")]) == {"n9": "n10", "n10": "n10", "n2": "n10"}


def test_long_shuffled_chain_has_one_label_and_no_recursion_limit():
    names = [f"d{i}" for i in range(50_000)]
    random.Random(1).shuffle(names)
    labels = components(zip(names, names[1:], strict=False))
    assert set(labels.values()) == {min(names)}
    assert len(labels) == len(names)


def test_random_graphs_match_bfs():
    rng = random.Random(7)
    for _ in range(20):
        n = rng.randint(1, 300)
        edges = [(f"v{rng.randrange(n)}", f"v{rng.randrange(n)}") for _ in range(rng.randint(0, n))]
        assert components(edges) == _bfs_components(edges)
