"""`python -m supplygraph.cli`: the same entry point as the `supplygraph` console script."""

from supplygraph.cli import main

raise SystemExit(main())
