"""In-memory union-find (disjoint-set forest) labelling each node with its component's minimum.

Used as the exact oracle in tests and as the single-worker fallback of
:class:`transforms.components.ConnectedComponents` for the part of the graph that has not
converged within the bounded number of distributed rounds.

Union by size with path halving (Tarjan & van Leeuwen 1984, "Worst-case analysis of set union
algorithms") gives near-linear time; both are iterative, so long chains do not hit Python's
recursion limit.
"""

from collections.abc import Hashable, Iterable
from typing import TypeVar

Node = TypeVar("Node", bound=Hashable)


def components(edges: Iterable[tuple[Node, Node]]) -> dict[Node, Node]:
    """Map every node that appears in ``edges`` to the smallest node of its connected component.

    ``edges`` are undirected pairs; self-loops and duplicates are allowed (a node that only has a
    self-loop is its own component). Nodes must be mutually orderable (``<``); the label is the
    minimum under that order, so the result is independent of the edge order.
    """
    parent: dict[Node, Node] = {}
    size: dict[Node, int] = {}

    def find(node: Node) -> Node:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for u, v in edges:
        for node in (u, v):
            if node not in parent:
                parent[node] = node
                size[node] = 1
        root_u, root_v = find(u), find(v)
        if root_u == root_v:
            continue
        if size[root_u] < size[root_v]:
            root_u, root_v = root_v, root_u
        parent[root_v] = root_u
        size[root_u] += size[root_v]

    smallest: dict[Node, Node] = {}
    for node in parent:
        root = find(node)
        if root not in smallest or node < smallest[root]:
            smallest[root] = node
    return {node: smallest[find(node)] for node in parent}
