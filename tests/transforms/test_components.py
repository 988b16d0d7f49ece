"""ConnectedComponents on the local FnApiRunner equals union-find on adversarial graphs."""

import itertools
import random

import apache_beam as beam
import pytest
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline as BeamTestPipeline
from apache_beam.testing.util import assert_that, equal_to, is_empty

from curation.config import DedupConfig
from curation.dedup.unionfind import components
from transforms.components import ConnectedComponents, _oriented, _StarOutcomes, _StarRound

Edges = list[tuple[str, str]]

IN_MEMORY = ["--runner=FnApiRunner", "--direct_running_mode=in_memory"]
TWO_PROCESSES = [
    "--runner=FnApiRunner",
    "--direct_running_mode=multi_processing",
    "--direct_num_workers=2",
]


def _names(prefix: str, count: int, seed: int) -> list[str]:
    """``count`` distinct node names in a seeded random order (so the minimum lands anywhere)."""
    names = [f"{prefix}{i}" for i in range(count)]
    random.Random(seed).shuffle(names)
    return names


def chain(count: int, seed: int = 0, prefix: str = "c") -> Edges:
    """A path where each node is linked only to the next one, names shuffled."""
    names = _names(prefix, count, seed)
    return list(zip(names, names[1:], strict=False))


def star(count: int, seed: int = 1, prefix: str = "s") -> Edges:
    """One hub linked to ``count - 1`` leaves; the hub is not the minimum."""
    names = sorted(_names(prefix, count, seed))
    hub = names[count // 2]
    return [(hub, leaf) if i % 2 else (leaf, hub) for i, leaf in enumerate(names) if leaf != hub]


def giant_buckets(seed: int = 2, prefix: str = "g") -> Edges:
    """Three overlapping 120-node cliques (near-duplicate buckets), both edge directions."""
    names = _names(prefix, 340, seed)
    buckets = [names[0:120], names[110:230], names[220:340]]
    one_way = [pair for bucket in buckets for pair in itertools.combinations(bucket, 2)]
    return one_way + [(v, u) for u, v in one_way[::7]]


def pairs(count: int, seed: int = 3, prefix: str = "p") -> Edges:
    """``count`` disjoint two-node components."""
    names = _names(prefix, 2 * count, seed)
    return list(zip(names[::2], names[1::2], strict=True))


def sparse_random(nodes: int, edges: int, seed: int = 4, prefix: str = "r") -> Edges:
    """A uniform random multigraph (duplicates and self-loops happen naturally)."""
    rng = random.Random(seed)
    ends = [f"{prefix}{rng.randrange(nodes)}" for _ in range(2 * edges)]
    return list(zip(ends[::2], ends[1::2], strict=True))


def loops_and_duplicates() -> Edges:
    """Self-loop-only nodes, repeated edges both ways, a looped component, and a component whose
    minimum in string order ("x10") is not the numeric minimum."""
    return [("x5", "x5"), ("x1", "x1"), ("x3", "x2"), ("x2", "x3"), ("x3", "x2"), ("x2", "x2"),
            ("x4", "x3"), ("x4", "x4"), ("x9", "x10"), ("x10", "x9"), ("x10", "x20")]  # fmt: skip


def mixture() -> Edges:
    """All shapes at once with disjoint name spaces, shuffled."""
    edges = (
        chain(1_000, prefix="mc")
        + star(500, prefix="ms")
        + giant_buckets(prefix="mg")[:3_000]
        + pairs(500, prefix="mp")
        + sparse_random(2_000, 1_200, prefix="mr")
        + loops_and_duplicates()
    )
    random.Random(5).shuffle(edges)
    return edges


def _expected(edges: Edges) -> list[tuple[str, str]]:
    """Union-find labels of every node with an edge to another node (self-loops are ignored)."""
    return sorted(components((u, v) for u, v in edges if u != v).items())


def _assert_components(edges: Edges, max_rounds: int = 12, options: list[str] = IN_MEMORY):
    """Labels equal union-find's; 12 rounds converge every shape here without the fallback."""
    with BeamTestPipeline(options=PipelineOptions(options)) as pipeline:
        labels = pipeline | beam.Create(edges) | ConnectedComponents(max_rounds=max_rounds)
        assert_that(labels, equal_to(_expected(edges)))


def _dirty(outcomes: beam.PCollection) -> beam.PCollection:
    """The star outcomes sent to the fallback (under the key None)."""
    return outcomes | "Dirty" >> beam.Filter(lambda outcome: outcome[0] is None)


def _dirty_nodes_within(allowed: set[str]):
    """Matcher: the fallback received some edges, all inside ``allowed``."""

    def check(dirty: list[tuple[str, tuple[str, str]]]) -> None:
        nodes = {node for _, edge in dirty for node in edge}
        assert nodes, "expected the fallback to be needed"
        assert nodes <= allowed, f"fallback gathered converged nodes: {sorted(nodes - allowed)[:5]}"

    return check


@pytest.mark.parametrize(
    "edges",
    [
        pytest.param(star(5_000), id="star-5000"),
        pytest.param(giant_buckets(), id="giant-buckets"),
        pytest.param(pairs(5_000), id="pairs-5000"),
        pytest.param(loops_and_duplicates(), id="loops-duplicates-string-order"),
    ],
)
def test_matches_union_find(edges: Edges):
    _assert_components(edges)


def test_integer_nodes_including_zero_are_labelled_like_union_find():
    """The pipeline's nodes are record keys: integers, 0 among them (falsy, still a node)."""
    names = {name: index for index, name in enumerate(sorted({n for e in mixture() for n in e}))}
    edges = [(names[u], names[v]) for u, v in mixture()] + [(0, 10**12), (10**12, 3)]
    assert any(0 in edge for edge in edges)
    _assert_components(edges, max_rounds=2)


def test_empty_input_gives_empty_output():
    with BeamTestPipeline(options=PipelineOptions(IN_MEMORY)) as pipeline:
        edges = pipeline | beam.Create([]).with_output_types(tuple[str, str])
        assert_that(edges | ConnectedComponents(max_rounds=1), is_empty())


def test_chain_of_10000_converges_in_12_rounds_and_matches_union_find():
    edges = chain(10_000)
    with BeamTestPipeline(options=PipelineOptions(IN_MEMORY)) as pipeline:
        created = pipeline | beam.Create(edges)
        labels = created | ConnectedComponents(max_rounds=12)
        assert_that(labels, equal_to(_expected(edges)), label="Labels")
        current = created | beam.FlatMap(_oriented)
        for round_index in range(12):
            current = current | f"Round{round_index}" >> _StarRound()
        assert_that(_dirty(current | _StarOutcomes()), is_empty(), label="NoFallback")


def test_one_round_sends_only_unconverged_components_to_fallback():
    edges = chain(300) + pairs(200) + star(100)
    with BeamTestPipeline(options=PipelineOptions(IN_MEMORY)) as pipeline:
        oriented = pipeline | beam.Create(edges) | beam.FlatMap(_oriented)
        dirty = _dirty(oriented | _StarRound() | _StarOutcomes())
        assert_that(dirty, _dirty_nodes_within({node for edge in chain(300) for node in edge}))


@pytest.mark.parametrize("max_rounds", [0, 1, DedupConfig().max_rounds])
def test_fallback_is_exact_when_not_converged(max_rounds: int):
    _assert_components(mixture(), max_rounds=max_rounds)


def test_two_worker_processes_give_the_same_labels():
    """Three rounds leave the chain to the fallback while the rest converges: both paths."""
    edges = chain(500) + pairs(500) + giant_buckets()[:500] + loops_and_duplicates()
    _assert_components(edges, max_rounds=3, options=TWO_PROCESSES)


def test_none_node_name_rejected():
    with pytest.raises(ValueError, match="None"):
        list(_oriented((None, "a")))


def test_negative_rounds_rejected():
    with pytest.raises(ValueError, match="max_rounds"):
        ConnectedComponents(max_rounds=-1)
