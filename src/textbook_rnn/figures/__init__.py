"""The book's figures: drawing only, one module per chapter, one shared style.

:mod:`.style` holds the palette, the colour cycle and the rcParams every
figure is drawn in. Each other module is named by its chapter's slug
(``recurrence`` for ``chapters/01_recurrence.md``) and holds the functions
that draw that chapter's figures from arrays the numpy core computed. They
return :class:`matplotlib.figure.Figure` objects and never call ``plt.show``.
matplotlib is imported on first use.
"""
