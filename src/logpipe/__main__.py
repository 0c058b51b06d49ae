"""``python -m logpipe``: the same as the ``logpipe`` console script."""

from logpipe.cli import main

raise SystemExit(main())
