"""Named, parameterised Cypher for the read API. Every query takes the viewer's
`$viewerOrg` / `$viewerPeers` and filters through `graph.visibility`."""
