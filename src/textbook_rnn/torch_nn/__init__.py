"""The book's models in ``torch.nn``: references for the numpy core, and models to train.

- :mod:`.rnn`: the vanilla RNN as ``torch.nn.RNN`` + ``torch.nn.Linear``, and back;
- :mod:`.gated`: LSTM and GRU parameters to and from ``torch.nn.LSTM``/``GRU``;
- :mod:`.models`: small sequence models and a seeded training loop;
- :mod:`.deep`: stacks of recurrent layers against one wide layer, trained on the
  binary counter (chapter "Deep and recursive networks").

Importing this package needs torch; a missing torch gives an install hint.
"""
