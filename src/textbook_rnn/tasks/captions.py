"""Pictures and their descriptions: the conditioning task of chapter "Sequence modelling".

A toy version of image captioning that the book makes itself. Each
"image" is an 8 × 8 grid holding one shape (a square, a cross or a bar) in
the top or bottom half, drawn dim or bright, plus a little noise
(:func:`draw_image`). Its description is a short sentence from a fixed
grammar, ``a [dim|bright] SHAPE at top|bottom <end>``, in which the
brightness word appears only half of the time: so one image has *two*
correct descriptions, and a model must learn a distribution over sentences
given the image, not one answer. :func:`describes` checks a generated
sentence against its image. Only numpy is imported.
"""

from __future__ import annotations

import numpy as np

from .._validate import as_rng, check_positive_int

__all__ = ["CAPTION_WORDS", "SHAPES", "PLACES", "SHADES", "CAPTION_LENGTH", "draw_image",
           "caption_task", "describes", "decode_caption"]

CAPTION_WORDS = ("<end>", "a", "dim", "bright", "square", "cross", "bar", "at", "top", "bottom")
"""The description vocabulary; word k has id k, ``<end>`` is 0."""
SHAPES = ("square", "cross", "bar")
PLACES = ("top", "bottom")
SHADES = ("dim", "bright")
CAPTION_LENGTH = 6
"""The longest description, ``<end>`` included."""

_ID = {w: i for i, w in enumerate(CAPTION_WORDS)}
_MASKS = {
    "square": np.array([[1, 1, 1], [1, 0, 1], [1, 1, 1]], dtype=float),
    "cross": np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]], dtype=float),
    "bar": np.array([[0, 0, 0], [1, 1, 1], [0, 0, 0]], dtype=float),
}


def draw_image(shape: str, place: str, shade: str, *, column: int = 2) -> np.ndarray:
    """An 8 × 8 image of one shape, without noise.

    Parameters
    ----------
    shape, place, shade : str
        One of :data:`SHAPES`, :data:`PLACES`, :data:`SHADES`.
    column : int
        The leftmost column of the 3 × 3 shape, 0..5.

    Returns
    -------
    ndarray, shape (8, 8)
        0 background; 0.5 (dim) or 1 (bright) on the shape.
    """
    for name, value, allowed in (("shape", shape, SHAPES), ("place", place, PLACES),
                                 ("shade", shade, SHADES)):
        if value not in allowed:
            raise ValueError(f"{name} must be one of {allowed}, got {value!r}")
    if not 0 <= int(column) <= 5:
        raise ValueError(f"column must be in 0..5, got {column}")
    image = np.zeros((8, 8))
    row = 0 if place == "top" else 5
    image[row:row + 3, column:column + 3] = _MASKS[shape] * (0.5 if shade == "dim" else 1.0)
    return image


def caption_task(n: int, *, noise: float = 0.1, p_shade: float = 0.5, seed=0):
    """Draw ``n`` noisy images and one description of each.

    Parameters
    ----------
    n : int
        Number of pairs.
    noise : float
        Standard deviation of the Gaussian noise added to each pixel.
    p_shade : float
        Probability that a description names the brightness.
    seed : int or numpy.random.Generator
        The random source.

    Returns
    -------
    images : ndarray, shape (n, 64)
        The flattened images: the context vector x.
    captions : ndarray of int64, shape (n, CAPTION_LENGTH)
        Word ids, ``<end>`` (0) after the last word and as padding.
    attributes : ndarray of int64, shape (n, 3)
        Indices into :data:`SHAPES`, :data:`PLACES` and :data:`SHADES`.
    """
    n = check_positive_int("n", n)
    if not 0.0 <= float(p_shade) <= 1.0:
        raise ValueError(f"p_shade must lie in [0, 1], got {p_shade}")
    if float(noise) < 0:
        raise ValueError(f"noise must be non-negative, got {noise}")
    rng = as_rng(seed)
    attributes = np.stack([rng.integers(0, len(SHAPES), n), rng.integers(0, len(PLACES), n),
                           rng.integers(0, len(SHADES), n)], axis=1).astype(np.int64)
    columns = rng.integers(0, 6, n)
    with_shade = rng.random(n) < p_shade
    images = np.empty((n, 64))
    captions = np.zeros((n, CAPTION_LENGTH), dtype=np.int64)
    for i, (s, p, b) in enumerate(attributes):
        shape, place, shade = SHAPES[s], PLACES[p], SHADES[b]
        images[i] = draw_image(shape, place, shade, column=columns[i]).ravel()
        words = ["a"] + ([shade] if with_shade[i] else []) + [shape, "at", place]
        captions[i, :len(words)] = [_ID[w] for w in words]
    images += noise * rng.standard_normal(images.shape)
    return images, captions, attributes


def decode_caption(ids) -> str:
    """The words of one description up to (not including) ``<end>``."""
    words = []
    for i in np.asarray(ids).ravel():
        if int(i) == 0:
            break
        words.append(CAPTION_WORDS[int(i)])
    return " ".join(words)


def describes(captions, attributes) -> np.ndarray:
    """Whether each caption is a correct description of its image.

    Correct means: ``a``, optionally the right brightness, the right shape,
    ``at``, the right place, then ``<end>``.

    Parameters
    ----------
    captions : array_like of int, shape (n, L)
    attributes : array_like of int, shape (n, 3)

    Returns
    -------
    ndarray of bool, shape (n,)
    """
    captions, attributes = np.asarray(captions), np.asarray(attributes)
    if captions.ndim != 2 or attributes.shape != (captions.shape[0], 3):
        raise ValueError(f"captions must have shape (n, L) and attributes (n, 3), got "
                         f"{captions.shape} and {attributes.shape}")
    ok = np.zeros(captions.shape[0], dtype=bool)
    for i, ((s, p, b), row) in enumerate(zip(attributes, captions, strict=True)):
        said = decode_caption(row).split()
        core = ["a", SHAPES[s], "at", PLACES[p]]
        ended = 0 in list(row)
        ok[i] = ended and said in (core, core[:1] + [SHADES[b]] + core[1:])
    return ok
