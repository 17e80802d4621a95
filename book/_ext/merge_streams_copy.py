"""Let myst-nb merge a cell's printouts into one box without editing the stored notebook.

With ``nb_merge_streams: true`` myst-nb joins the stdout pieces of a cell (split
by the hidden outputs of ``glue(..., display=False)``) into one box on the page.
myst-nb 1.4.0 does this with ``myst_nb.core.utils.coalesce_streams``, which
edits the first stream output *in place*: the merged text, right-stripped line
by line, lands in the executed notebook that myst-nb keeps in
``_build/jupyter_execute``, while the later pieces stay there too. The chapter
downloads built from that notebook then print some lines twice, and the saved
outputs no longer match a fresh run of the chapter
(``tests/test_determinism.py``).

This extension hands ``coalesce_streams`` a deep copy of the outputs, so the
page gets the merged box and the stored notebook keeps what the kernel printed.
``tests/test_merge_streams_copy.py`` checks both halves against the installed
myst-nb.
"""

from __future__ import annotations

import copy
import functools

import myst_nb.core.render as render


def _on_a_copy(coalesce):
    """Wrap ``coalesce`` so that it never edits the outputs it is given."""
    if getattr(coalesce, "works_on_a_copy", False):
        return coalesce

    @functools.wraps(coalesce)
    def coalesce_copy(outputs):
        return coalesce(copy.deepcopy(outputs))

    coalesce_copy.works_on_a_copy = True
    return coalesce_copy


def setup(app):
    """Replace the renderer's ``coalesce_streams`` by one that works on a copy."""
    render.coalesce_streams = _on_a_copy(render.coalesce_streams)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
