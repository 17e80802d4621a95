"""textbook_rnn.graphical: parameter counts of the chain-rule models."""

import itertools

import pytest

from textbook_rnn import graphical
from textbook_rnn.rnn import init_params


def test_table_count_by_enumeration():
    # count the free numbers table by table: one distribution (K-1 numbers) per history
    K, tau = 3, 4
    count = sum(len(list(itertools.product(range(K), repeat=t - 1))) * (K - 1)
                for t in range(1, tau + 1))
    assert graphical.table_parameters(K, tau) == count == K**tau - 1


def test_markov_chain_counts():
    assert graphical.markov_parameters(3, 1, 10) == 2  # i.i.d. symbols
    assert graphical.markov_parameters(3, 2, 10) == 2 + 3 * 2  # first step + shared table
    # an order-τ chain over τ steps is the full table
    assert graphical.markov_parameters(4, 5, 5) == graphical.table_parameters(4, 5)


def test_rnn_count_matches_the_package_parameters():
    K, H = 7, 5
    params = init_params(K, H, K, seed=0)
    assert graphical.rnn_parameters(K, H) == sum(p.size for p in params.values())
    assert graphical.rnn_parameters(K, H, D=3) == sum(
        p.size for p in init_params(3, H, K, seed=0).values())


def test_bad_arguments():
    with pytest.raises(ValueError, match="tau"):
        graphical.table_parameters(2, 0)
    with pytest.raises(TypeError, match="H"):
        graphical.rnn_parameters(2, 1.5)
