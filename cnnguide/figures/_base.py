"""The figure type every ``cnnguide.figures`` function returns.

Figures are built on :class:`matplotlib.figure.Figure` directly, without pyplot:
no global state, nothing shown twice at the end of a notebook cell, and the same
code runs headless in tests and site builds whatever ``MPLBACKEND`` says.
"""

from __future__ import annotations

import base64
import html
import io

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

__all__ = ["BookFigure", "SavedPicture", "new_figure"]


class BookFigure(Figure):
    """A matplotlib figure that carries a text description of what it shows.

    In a notebook it displays as a PNG ``<img>`` whose ``alt`` text is that
    description, so the pages built from the chapters stay accessible.

    Parameters
    ----------
    alt : str
        What the figure shows, in one sentence, for readers who cannot see it.
    *args, **kwargs
        Passed to :class:`matplotlib.figure.Figure`.

    Examples
    --------
    >>> fig = BookFigure(alt="An empty plot.")
    >>> fig.to_png()[:4]
    b'\\x89PNG'
    """

    def __init__(self, *args, alt: str, **kwargs):
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("a figure needs a non-empty alt text saying what it shows")
        super().__init__(*args, **kwargs)
        self.alt = alt
        FigureCanvasAgg(self)  # attaches itself; lets savefig/print_png work without pyplot

    def to_png(self, dpi: float = 96) -> bytes:
        """Render to PNG bytes (96 dpi keeps the pages light)."""
        buf = io.BytesIO()
        self.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        return buf.getvalue()

    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.to_png()).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        return f'<img class="cnnguide-figure" alt="{alt}" src="data:image/png;base64,{data}">'


def new_figure(alt: str, nrows: int = 1, ncols: int = 1, **kwargs):
    """Create a :class:`BookFigure` and a grid of axes, like ``plt.subplots``.

    Parameters
    ----------
    alt : str
        Description of the figure (see :class:`BookFigure`).
    nrows, ncols : int
        Grid of axes.
    **kwargs
        ``figsize`` and ``layout`` go to the figure; the rest (``squeeze``,
        ``sharex``, ``subplot_kw``, ...) to :meth:`~matplotlib.figure.Figure.subplots`.

    Returns
    -------
    fig : BookFigure
    axes : matplotlib.axes.Axes or numpy.ndarray of them

    Examples
    --------
    >>> fig, axes = new_figure("Two empty panels.", 1, 2, figsize=(4, 2))
    >>> axes.shape
    (2,)
    """
    fig_kwargs = {k: kwargs.pop(k) for k in ("figsize", "layout", "dpi") if k in kwargs}
    fig_kwargs.setdefault("layout", "constrained")
    fig = BookFigure(alt=alt, **fig_kwargs)
    axes = fig.subplots(nrows, ncols, **kwargs)
    return fig, axes


class SavedPicture:
    """A PNG file that a command wrote, shown in a notebook with its ``alt`` text.

    ``cnnguide evaluate`` writes its figures to files and their descriptions
    into ``evaluation.json``; a page shows the file as the command wrote it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     path = f"{folder}/empty.png"
    ...     BookFigure(alt="An empty plot.").savefig(path)
    ...     SavedPicture(path, "An empty plot.")._repr_html_()[:40]
    '<img class="cnnguide-figure" alt="An emp'
    """

    def __init__(self, path, alt: str, width: int | None = None):
        if not isinstance(alt, str) or not alt.strip():
            raise ValueError("a picture needs a non-empty alt text saying what it shows")
        with open(path, "rb") as file:
            self.png = file.read()
        self.alt, self.width = alt, width

    def _repr_png_(self) -> bytes:
        return self.png

    def _repr_html_(self) -> str:
        data = base64.b64encode(self.png).decode("ascii")
        width = f' width="{self.width}"' if self.width else ""
        return (f'<img class="cnnguide-figure" alt="{html.escape(self.alt, quote=True)}"{width} '
                f'src="data:image/png;base64,{data}">')
