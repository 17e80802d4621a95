"""Deep recurrent networks: three places to add depth, path lengths, time scales.

The chapter "Deep and recursive networks", section "Deep recurrent networks"
(``chapters/05_deep_recursive.md``), after Pascanu et al. (2014). Equations:

- ``deep-stacked``: stacked recurrent layers, layer l reads layer l-1,
  :func:`stacked_forward`;
- ``deep-transition-mlp`` and ``deep-shortcut``: an MLP of depth L between
  h_{t-1} and h_t, optionally with a shortcut from h_{t-1} to the last layer
  (Pascanu's DT(S)-RNN), :func:`deep_transition_forward`;
- ``deep-io``: deep input-to-hidden and hidden-to-output MLPs,
  :func:`deep_io_forward`;
- ``deep-path``: the fewest nonlinearities on a path from x(t) to y(t+k),
  by breadth-first search over the unrolled graph (:func:`unrolled_graph`,
  :func:`shortest_path`) and in closed form (:func:`path_length_formula`);
- ``deep-acf``: the autocorrelation of a state, its time scale and, for a
  state that oscillates, its period (:func:`autocorrelation`,
  :func:`time_scale`, :func:`acf_period`).

What a path length counts: every tanh layer the path crosses, each once.
The input x(t) and the readout y = V g + c are linear and count 0 (a softmax
on top would not change the count either: it is the same at every k).

The forward passes here are for reading and testing; the networks are
trained with torch autograd (:mod:`textbook_rnn.torch_nn.deep`). Imports only
numpy.
"""

from __future__ import annotations

import dataclasses
from collections import deque
from collections.abc import Mapping, Sequence

import numpy as np

from ._validate import Shapes, check_positive_int, float_dtype
from .rnn import _recurrence

__all__ = [
    "Architecture",
    "acf_period",
    "autocorrelation",
    "deep_io_forward",
    "deep_transition_forward",
    "path_length_formula",
    "path_nodes",
    "shortest_path",
    "stacked_forward",
    "time_scale",
    "unrolled_graph",
]


# --------------------------------------------------------------------------
# forward passes
# --------------------------------------------------------------------------


def _weight_list(name: str, value) -> list:
    """A non-empty list or tuple of arrays (one per layer), else a TypeError."""
    if not isinstance(value, (list, tuple)) or not value:
        got = type(value).__name__ if not isinstance(value, (list, tuple)) else "an empty one"
        raise TypeError(f"{name} must be a non-empty list of arrays, one per layer, got {got}")
    return list(value)


def _keys(name: str, params, required: Sequence[str]) -> None:
    """Check that ``params`` is a mapping holding ``required``."""
    if not isinstance(params, Mapping):
        raise TypeError(f"{name} must be a dict of arrays, got {type(params).__name__}")
    missing = [k for k in required if k not in params]
    if missing:
        raise ValueError(f"{name} is missing {missing}; it needs {list(required)}")


def stacked_forward(x, layers, h0=None) -> list[np.ndarray]:
    r"""Run a stack of recurrent layers, each reading the states of the one below.

    Equation ``deep-stacked``, with :math:`h^{(0)}_t = x_t`:

    .. math:: h^{(i)}_t = \tanh(W_i h^{(i)}_{t-1} + U_i h^{(i-1)}_t + b_i), \quad i = 1, \dots, l.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    layers : list of dict
        One dict per layer, bottom first, with ``U`` (H_i, H_{i-1}) (H_0 = D),
        ``W`` (H_i, H_i) and ``b`` (H_i,).
    h0 : list of ndarray, shape (N, H_i), optional
        Initial state of each layer; zeros when omitted.

    Returns
    -------
    list of ndarray, shape (N, T, H_i)
        The states h_1 ... h_T of each layer, bottom first.
    """
    layers = _weight_list("layers", layers)
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    if h0 is not None:
        h0 = _weight_list("h0", h0)
        if len(h0) != len(layers):
            raise ValueError(f"h0 must hold one state per layer ({len(layers)}), got {len(h0)}")
    checked, below = [], "D"
    for layer, p in enumerate(layers, start=1):
        _keys(f"layers[{layer - 1}]", p, ("U", "W", "b"))
        here = f"H{layer}"
        U = s.array(f"layers[{layer - 1}]['U']", p["U"], (here, below))
        W = s.array(f"layers[{layer - 1}]['W']", p["W"], (here, here))
        b = s.array(f"layers[{layer - 1}]['b']", p["b"], (here,))
        h = None if h0 is None else s.array(f"h0[{layer - 1}]", h0[layer - 1], ("N", here))
        checked.append((U, W, b, h))
        below = here
    dt = float_dtype(x, *(a for group in checked for a in group if a is not None))
    states, inp = [], x.astype(dt, copy=False)
    for U, W, b, h in checked:
        h = np.zeros((x.shape[0], W.shape[0]), dt) if h is None else h.astype(dt)
        # h^(i)_t = tanh(W_i h^(i)_{t-1} + U_i h^(i-1)_t + b_i), the input term for all t at once
        inp = _recurrence(inp @ U.T.astype(dt) + b.astype(dt), h, W.astype(dt))  # (N, T, H_i)
        states.append(inp)
    return states


def deep_transition_forward(x, params, h0=None) -> np.ndarray:
    r"""Run a recurrent network whose transition h_{t-1} -> h_t is an MLP of depth L.

    Equations ``deep-transition-mlp`` and ``deep-shortcut``:

    .. math::

        z^{[1]}_t &= \tanh(W^{[1]} h_{t-1} + U x_t + b^{[1]}),\\
        z^{[j]}_t &= \tanh(W^{[j]} z^{[j-1]}_t + b^{[j]}), \quad j = 2, \dots, L,\\
        h_t &= z^{[L]}_t,

    and with a shortcut (``S`` given, Pascanu's DT(S)-RNN) the last layer
    also reads h_{t-1}: :math:`z^{[L]}_t = \tanh(W^{[L]} z^{[L-1]}_t + S h_{t-1} + b^{[L]})`.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    params : dict
        ``U`` (H, D); ``W`` a list of L arrays (H, H); ``b`` a list of L
        arrays (H,); optionally ``S`` (H, H), the shortcut (needs L >= 2).
    h0 : ndarray, shape (N, H), optional
        Initial state; zeros when omitted.

    Returns
    -------
    ndarray, shape (N, T, H)
        The states h_1 ... h_T.
    """
    _keys("params", params, ("U", "W", "b"))
    Ws, bs = _weight_list("params['W']", params["W"]), _weight_list("params['b']", params["b"])
    if len(Ws) != len(bs):
        raise ValueError(f"params['W'] and params['b'] must have one entry per layer, "
                         f"got {len(Ws)} and {len(bs)}")
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    U = s.array("params['U']", params["U"], ("H", "D"))
    Ws = [s.array(f"params['W'][{j}]", W, ("H", "H")) for j, W in enumerate(Ws)]
    bs = [s.array(f"params['b'][{j}]", b, ("H",)) for j, b in enumerate(bs)]
    S = params.get("S")
    if S is not None:
        if len(Ws) < 2:
            raise ValueError("params['S'] (the shortcut) needs a transition of depth L >= 2, "
                             "got L = 1")
        S = s.array("params['S']", S, ("H", "H"))
    h = None if h0 is None else s.array("h0", h0, ("N", "H"))
    dt = float_dtype(x, U, *Ws, *bs, *([] if S is None else [S]), *([] if h is None else [h]))
    h = np.zeros((s.dims["N"], s.dims["H"]), dt) if h is None else h.astype(dt, copy=False)
    x, U = x.astype(dt, copy=False), U.astype(dt, copy=False)
    Ws, bs = [W.astype(dt, copy=False) for W in Ws], [b.astype(dt, copy=False) for b in bs]
    S = None if S is None else S.astype(dt, copy=False)
    drive = x @ U.T + bs[0]  # (N, T, H): U x_t + b^[1] for every t
    out = np.empty(drive.shape, dt)
    for t in range(drive.shape[1]):
        # z^[1]_t = tanh(W^[1] h_{t-1} + U x_t + b^[1])
        z = np.tanh(h @ Ws[0].T + drive[:, t])  # (N, H)
        for j in range(1, len(Ws)):
            a = z @ Ws[j].T + bs[j]
            if S is not None and j == len(Ws) - 1:
                a = a + h @ S.T  # the shortcut: S h_{t-1} enters the last layer
            # z^[j]_t = tanh(W^[j] z^[j-1]_t + b^[j]) [+ S h_{t-1} in the last layer]
            z = np.tanh(a)
        h = out[:, t] = z
    return out


def deep_io_forward(x, params, h0=None) -> tuple[np.ndarray, np.ndarray]:
    r"""Run a one-layer recurrence between a deep input MLP and a deep output MLP.

    Equation ``deep-io``, with :math:`u^{[0]}_t = x_t` and :math:`g^{[0]}_t = h_t`:

    .. math::

        u^{[i]}_t &= \tanh(U_{\mathrm{in}}^{[i]} u^{[i-1]}_t + b_{\mathrm{in}}^{[i]}),
        \quad i = 1, \dots, L_{\mathrm{in}},\\
        h_t &= \tanh(W h_{t-1} + U u^{[L_{\mathrm{in}}]}_t + b),\\
        g^{[j]}_t &= \tanh(V_{\mathrm{out}}^{[j]} g^{[j-1]}_t + c_{\mathrm{out}}^{[j]}),
        \quad j = 1, \dots, L_{\mathrm{out}},\\
        o_t &= V g^{[L_{\mathrm{out}}]}_t + c.

    Parameters
    ----------
    x : ndarray, shape (N, T, D)
        Input sequences.
    params : dict
        ``U_in``, ``b_in``: lists (possibly empty) of the input MLP's weights
        (each maps the previous width to its own) and biases; ``U`` (H, D_in),
        ``W`` (H, H), ``b`` (H,); ``V_out``, ``c_out``: lists (possibly
        empty) of the output MLP's; ``V`` (K, H_out), ``c`` (K,).
    h0 : ndarray, shape (N, H), optional
        Initial state; zeros when omitted.

    Returns
    -------
    h : ndarray, shape (N, T, H)
        The states h_1 ... h_T.
    o : ndarray, shape (N, T, K)
        The outputs (logits) o_1 ... o_T.
    """
    _keys("params", params, ("U_in", "b_in", "U", "W", "b", "V_out", "c_out", "V", "c"))
    for a, bias in (("U_in", "b_in"), ("V_out", "c_out")):
        if not isinstance(params[a], (list, tuple)) or not isinstance(params[bias], (list, tuple)):
            raise TypeError(f"params['{a}'] and params['{bias}'] must be lists of arrays "
                            f"(empty for no layer)")
        if len(params[a]) != len(params[bias]):
            raise ValueError(f"params['{a}'] and params['{bias}'] must have one entry per layer, "
                             f"got {len(params[a])} and {len(params[bias])}")
    s = Shapes()
    x = s.array("x", x, ("N", "T", "D"))
    below, mlp_in = "D", []
    for i, (A, a) in enumerate(zip(params["U_in"], params["b_in"], strict=True)):
        here = f"I{i + 1}"
        mlp_in.append((s.array(f"params['U_in'][{i}]", A, (here, below)),
                       s.array(f"params['b_in'][{i}]", a, (here,))))
        below = here
    U = s.array("params['U']", params["U"], ("H", below))
    W = s.array("params['W']", params["W"], ("H", "H"))
    b = s.array("params['b']", params["b"], ("H",))
    below, mlp_out = "H", []
    for j, (A, a) in enumerate(zip(params["V_out"], params["c_out"], strict=True)):
        here = f"O{j + 1}"
        mlp_out.append((s.array(f"params['V_out'][{j}]", A, (here, below)),
                        s.array(f"params['c_out'][{j}]", a, (here,))))
        below = here
    V = s.array("params['V']", params["V"], ("K", below))
    c = s.array("params['c']", params["c"], ("K",))
    h0 = None if h0 is None else s.array("h0", h0, ("N", "H"))
    arrays = [x, U, W, b, V, c, *(m for pair in mlp_in + mlp_out for m in pair)]
    dt = float_dtype(*arrays, *([] if h0 is None else [h0]))
    h0 = np.zeros((s.dims["N"], s.dims["H"]), dt) if h0 is None else h0
    x, U, W, b, V, c = (a.astype(dt, copy=False) for a in (x, U, W, b, V, c))
    mlp_in = [(A.astype(dt, copy=False), a.astype(dt, copy=False)) for A, a in mlp_in]
    mlp_out = [(A.astype(dt, copy=False), a.astype(dt, copy=False)) for A, a in mlp_out]
    u = x
    for A, a in mlp_in:
        # u^[i]_t = tanh(U_in^[i] u^[i-1]_t + b_in^[i]), for every t at once
        u = np.tanh(u @ A.T + a)  # (N, T, I_i)
    # h_t = tanh(W h_{t-1} + U u_t + b)
    h = _recurrence(u @ U.T + b, h0.astype(dt), W.astype(dt))  # (N, T, H)
    g = h
    for A, a in mlp_out:
        # g^[j]_t = tanh(V_out^[j] g^[j-1]_t + c_out^[j])
        g = np.tanh(g @ A.T + a)  # (N, T, O_j)
    # o_t = V g_t + c
    return h, g @ V.T + c  # (N, T, K)


# --------------------------------------------------------------------------
# path lengths in the unrolled graph
# --------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Architecture:
    """Where a recurrent network has depth: the description :func:`shortest_path` reads.

    Parameters
    ----------
    layers : int
        Stacked recurrent layers (``deep-stacked``), at least 1.
    transition_depth : int
        tanh layers between h_{t-1} and h_t in every recurrent layer
        (``deep-transition-mlp``), at least 1; 1 is the ordinary RNN.
    input_depth : int
        tanh layers between x_t and the first recurrent layer (``deep-io``).
    output_depth : int
        tanh layers between the top recurrent layer and the linear readout.
    input_to_all : bool
        Skip connections from the input (after its MLP) to every recurrent layer.
    all_to_output : bool
        Skip connections from every recurrent layer to the output MLP (or readout).
    shortcut : bool
        A connection from h_{t-1} straight to the last layer of the transition
        (``deep-shortcut``, the DT(S)-RNN); changes nothing when
        ``transition_depth`` is 1.
    """

    layers: int = 1
    transition_depth: int = 1
    input_depth: int = 0
    output_depth: int = 0
    input_to_all: bool = False
    all_to_output: bool = False
    shortcut: bool = False

    def __post_init__(self) -> None:
        """Check every field once, naming it."""
        for name in ("layers", "transition_depth", "input_depth", "output_depth"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise TypeError(f"{name} must be an int, got {type(value).__name__}")
            low = 0 if name in ("input_depth", "output_depth") else 1
            if value < low:
                raise ValueError(f"{name} must be >= {low}, got {value}")
        for name in ("input_to_all", "all_to_output", "shortcut"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name} must be True or False, "
                                f"got {type(getattr(self, name)).__name__}")


def _check_arch(arch) -> Architecture:
    if not isinstance(arch, Architecture):
        raise TypeError(f"arch must be an Architecture, got {type(arch).__name__}")
    return arch


def _check_k(k) -> int:
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)):
        raise TypeError(f"k must be an int (the number of steps ahead), got {type(k).__name__}")
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k}")
    return int(k)


def _graph(arch: Architecture, T: int) -> dict:
    """The unrolled graph of ``arch`` over steps 0 .. T-1, unchecked."""
    succ: dict[tuple, list] = {}
    pos: dict[tuple, tuple[float, float]] = {}

    def edge(a, b):
        succ.setdefault(a, [])
        if b not in succ[a]:
            succ[a].append(b)
        succ.setdefault(b, [])

    L, dT = arch.layers, arch.transition_depth
    top_level = arch.input_depth + L * dT + arch.output_depth + 1
    for t in range(T):
        pos[("x", t)] = (t, 0)
        succ.setdefault(("x", t), [])
        entry = ("x", t)
        for i in range(1, arch.input_depth + 1):
            pos[("in", t, i)] = (t, i)
            edge(entry, ("in", t, i))
            entry = ("in", t, i)
        below = entry
        for lay in range(1, L + 1):
            first = ("z", lay, t, 1)
            edge(below, first)
            if arch.input_to_all:
                edge(entry, first)
            if t > 0:
                prev = ("z", lay, t - 1, dT)  # the state of layer lay at step t-1
                edge(prev, first)
                if arch.shortcut:
                    edge(prev, ("z", lay, t, dT))
            for j in range(1, dT + 1):
                # a deep transition leans to the right: its layers lie between t and t + 1
                pos[("z", lay, t, j)] = (t + (j - 1) / dT * 0.6 if dT > 1 else t,
                                       arch.input_depth + (lay - 1) * dT + j)
                if j > 1:
                    edge(("z", lay, t, j - 1), ("z", lay, t, j))
            below = ("z", lay, t, dT)
        out_first = ("out", t, 1) if arch.output_depth else ("y", t)
        sources = [("z", lay, t, dT) for lay in range(1, L + 1)] if arch.all_to_output else [below]
        for src in sources:
            edge(src, out_first)
        for j in range(1, arch.output_depth + 1):
            pos[("out", t, j)] = (t, arch.input_depth + L * dT + j)
            if j > 1:
                edge(("out", t, j - 1), ("out", t, j))
        if arch.output_depth:
            edge(("out", t, arch.output_depth), ("y", t))
        pos[("y", t)] = (t, top_level)
    return {"successors": {a: tuple(b) for a, b in succ.items()}, "position": pos}


def unrolled_graph(arch: Architecture, T: int) -> dict:
    """The computation graph of ``arch`` unrolled over T steps (section on path lengths).

    Nodes are tuples: ``("x", t)`` an input, ``("in", t, i)`` the i-th layer
    of the input MLP, ``("z", l, t, j)`` the j-th transition layer of
    recurrent layer l (``j = transition_depth`` is its state at step t),
    ``("out", t, j)`` the j-th layer of the output MLP, ``("y", t)`` the
    linear readout. Every node but ``x`` and ``y`` is one tanh layer.

    Parameters
    ----------
    arch : Architecture
        Where the network has depth.
    T : int
        Number of steps, t = 0 .. T-1.

    Returns
    -------
    dict
        ``"successors"``: node -> tuple of the nodes it feeds;
        ``"position"``: node -> (time, level), for drawing.
    """
    return _graph(_check_arch(arch), check_positive_int("T", T))


def _bfs(arch: Architecture, k: int) -> list[tuple]:
    """The nodes of a shortest path from x(0) to y(k), by breadth-first search."""
    succ = _graph(arch, k + 1)["successors"]
    start, goal = ("x", 0), ("y", k)
    parent = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            break
        for nxt in succ[node]:
            if nxt not in parent:
                parent[nxt] = node
                queue.append(nxt)
    path, node = [], goal
    while node is not None:
        path.append(node)
        node = parent[node]
    return path[::-1]


def path_nodes(arch: Architecture, k: int) -> list[tuple]:
    """The nodes of one shortest path from x(t) to y(t+k), with t = 0.

    Parameters
    ----------
    arch : Architecture
        Where the network has depth.
    k : int
        Steps between the input and the output, k >= 0.

    Returns
    -------
    list of tuple
        From ``("x", 0)`` to ``("y", k)``, in the node names of :func:`unrolled_graph`.
    """
    return _bfs(_check_arch(arch), _check_k(k))


def shortest_path(arch: Architecture, k: int) -> int:
    """The fewest tanh layers on a path from x(t) to y(t+k), by search (``deep-path``).

    Breadth-first search over :func:`unrolled_graph`: every node between the
    input and the readout is one tanh layer, so the count is the number of
    edges on the shortest path minus one.

    Parameters
    ----------
    arch : Architecture
        Where the network has depth.
    k : int
        Steps between the input and the output, k >= 0.

    Returns
    -------
    int
        The number of nonlinearities crossed (the linear readout counts 0).
    """
    return len(_bfs(_check_arch(arch), _check_k(k))) - 2


def path_length_formula(arch: Architecture, k: int) -> int:
    r"""The same count as :func:`shortest_path`, in closed form (``deep-path``).

    .. math::

        \operatorname{len}(k) = L_{\mathrm{in}} + m\,L_T + k\,s + L_{\mathrm{out}},

    where :math:`L_T` is the transition depth, :math:`m` the number of
    stacked layers the path must climb (1 when a skip connection lets it enter
    or leave at any layer, else all of them) and :math:`s` the cost of one
    step in time (1 with the shortcut, else :math:`L_T`).

    Parameters
    ----------
    arch : Architecture
        Where the network has depth.
    k : int
        Steps between the input and the output, k >= 0.

    Returns
    -------
    int
        The number of nonlinearities crossed.
    """
    arch, k = _check_arch(arch), _check_k(k)
    climbed = 1 if (arch.input_to_all or arch.all_to_output) else arch.layers
    step = 1 if arch.shortcut else arch.transition_depth
    return arch.input_depth + climbed * arch.transition_depth + k * step + arch.output_depth


# --------------------------------------------------------------------------
# time scales of states
# --------------------------------------------------------------------------


def autocorrelation(h, max_lag: int) -> np.ndarray:
    r"""The autocorrelation of every unit's state over lags 0 .. max_lag (``deep-acf``).

    .. math::

        \rho_j(\tau) = \frac{\sum_{n,t} (h_{n,t,j} - \bar h_j)(h_{n,t+\tau,j} - \bar h_j)}
                            {\sum_{n,t} (h_{n,t,j} - \bar h_j)^2}
                       \cdot \frac{T}{T - \tau},

    with the mean :math:`\bar h_j` over all sequences and steps; the factor
    makes a stationary signal's estimate unbiased in its number of terms.

    Parameters
    ----------
    h : ndarray, shape (N, T, H)
        States of N sequences (a single sequence: N = 1).
    max_lag : int
        The largest lag, 1 <= max_lag < T.

    Returns
    -------
    ndarray, shape (max_lag + 1, H)
        rho[0] = 1 for every unit that varies; a constant unit gives NaN.
    """
    h = Shapes().array("h", h, ("N", "T", "H"))
    max_lag = check_positive_int("max_lag", max_lag)
    T = h.shape[1]
    if max_lag >= T:
        raise ValueError(f"max_lag must be < T = {T} (the length of h's axis 1), got {max_lag}")
    d = h.astype(np.float64) - h.mean(axis=(0, 1))  # (N, T, H)
    var = (d * d).sum(axis=(0, 1)) / T  # (H,)
    acf = np.empty((max_lag + 1, h.shape[2]))
    with np.errstate(invalid="ignore", divide="ignore"):
        for lag in range(max_lag + 1):
            cov = (d[:, : T - lag] * d[:, lag:]).sum(axis=(0, 1)) / (T - lag)
            acf[lag] = cov / var
    return acf


def time_scale(acf, method: str = "crossing") -> np.ndarray:
    r"""How many steps a state remembers, read from its autocorrelation.

    ``"crossing"``: the lag at which the autocorrelation first falls below
    1/e, interpolated geometrically between the two lags around it (linearly
    when the second is not positive), so that an AR(1) signal
    :math:`\rho(\tau) = \phi^\tau` gives exactly :math:`-1/\ln\phi`; ``inf``
    when it never does within the lags given. ``"integrated"``:
    :math:`\tfrac12 + \sum_{\tau \ge 1} \rho(\tau)` over the lags given (an
    AR(1) gives :math:`(1+\phi)/(2(1-\phi))` when the lags reach far enough).

    Parameters
    ----------
    acf : ndarray, shape (max_lag + 1,) or (max_lag + 1, H)
        Autocorrelations from lag 0, as returned by :func:`autocorrelation`.
    method : {"crossing", "integrated"}
        Which definition.

    Returns
    -------
    float or ndarray, shape (H,)
        One time scale, in steps, per column.
    """
    acf = np.asarray(acf, dtype=np.float64) if not isinstance(acf, np.ndarray) else acf
    if acf.ndim not in (1, 2) or acf.shape[0] < 2:
        raise ValueError(f"acf must have shape (max_lag + 1,) or (max_lag + 1, H) with "
                         f"max_lag >= 1, got shape {acf.shape}")
    if acf.dtype.kind not in "fiu":
        raise TypeError(f"acf must hold real numbers, got dtype {acf.dtype}")
    if method not in ("crossing", "integrated"):
        raise ValueError(f"method must be 'crossing' or 'integrated', got {method!r}")
    cols = acf.reshape(acf.shape[0], -1).astype(np.float64)
    if method == "integrated":
        out = 0.5 + cols[1:].sum(axis=0)
    else:
        level = np.exp(-1.0)
        out = np.full(cols.shape[1], np.inf)
        for j in range(cols.shape[1]):
            below = np.flatnonzero(cols[:, j] < level)
            if below.size:
                i = below[0]  # i >= 1 since rho(0) = 1
                r0, r1 = cols[i - 1, j], cols[i, j]
                if r1 > 0:  # geometric between the two lags: exact for an AR(1)
                    out[j] = i - 1 + (np.log(r0) + 1.0) / (np.log(r0) - np.log(r1))
                else:
                    out[j] = i - 1 + (r0 - level) / (r0 - r1)
    return float(out[0]) if acf.ndim == 1 else out


def acf_period(acf, min_height: float = 0.1):
    r"""The period of an oscillating autocorrelation: the lag of its first peak.

    After the autocorrelation has first gone negative, the lag of its first
    local maximum that reaches ``min_height``; a state that decays without
    oscillating (an AR(1) with :math:`\phi > 0`) has none.

    Parameters
    ----------
    acf : ndarray, shape (max_lag + 1,) or (max_lag + 1, H)
        Autocorrelations from lag 0, as returned by :func:`autocorrelation`.
    min_height : float
        The least height of a peak that counts.

    Returns
    -------
    float or ndarray, shape (H,)
        The period in steps, NaN where there is none within the lags given.
    """
    acf = np.asarray(acf)
    if acf.ndim not in (1, 2) or acf.shape[0] < 3:
        raise ValueError(f"acf must have shape (max_lag + 1,) or (max_lag + 1, H) with "
                         f"max_lag >= 2, got shape {acf.shape}")
    if acf.dtype.kind not in "fiu":
        raise TypeError(f"acf must hold real numbers, got dtype {acf.dtype}")
    cols = acf.reshape(acf.shape[0], -1).astype(np.float64)
    out = np.full(cols.shape[1], np.nan)
    for j in range(cols.shape[1]):
        r = cols[:, j]
        negative = np.flatnonzero(r < 0)
        if not negative.size:
            continue
        lags = np.arange(negative[0] + 1, r.size - 1)
        peaks = lags[(r[lags] >= r[lags - 1]) & (r[lags] > r[lags + 1])]
        high = peaks[r[peaks] >= min_height]
        if high.size:
            out[j] = high[0]
    return float(out[0]) if acf.ndim == 1 else out
