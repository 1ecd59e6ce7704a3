"""The reliability suite (issue 15): load, Neo4j outages, API kills, hostile input, import
crashes, each against a service on 127.0.0.1, bounded and self-stopping. `make
bench-reliability`; see bench/README.md for the figures and bench/reliability/__main__.py."""
