"""APOC core for the peer: @neo4j/graphql's @authorization calls `apoc.util.validate*`.

Fetched from Maven Central once into the cache (`<cache_dir>/apoc-<version>/`), then copied
into the managed server's `plugins/` (which graph/server/managed.py puts on the classpath).
Jars the server already ships (commons-lang3, slf4j, ...) are left out, so that one class
never comes from two versions. supplygraph itself never needs APOC; only this bench does.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from graph.server.managed import ManagedNeo4j, Neo4jServerError

APOC_VERSION = "5.26.19"  # the newest apoc-core on Maven Central for Neo4j 5.26

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>supplygraph</groupId>
  <artifactId>apoc-fetch</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.neo4j.procedure</groupId>
      <artifactId>apoc-core</artifactId>
      <version>{version}</version>
    </dependency>
    <dependency>
      <groupId>org.neo4j.procedure</groupId>
      <artifactId>apoc-common</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

_VERSIONED = re.compile(r"^(?P<artifact>.+?)-\d[\w.\-]*\.jar$")


def _artifact(jar: str) -> str:
    m = _VERSIONED.match(jar)
    return m.group("artifact") if m else jar


def fetch(cache_dir: Path, version: str = APOC_VERSION) -> Path:
    """The folder of APOC's jars and runtime dependencies (resolved once)."""
    lib = cache_dir / f"apoc-{version}" / "lib"
    if (lib / ".complete").exists():
        return lib
    mvn = shutil.which("mvn")
    if mvn is None:
        raise Neo4jServerError("Maven (mvn) not found: install it to fetch APOC")
    work = lib.parent
    work.mkdir(parents=True, exist_ok=True)
    partial = work / "lib.partial"
    shutil.rmtree(partial, ignore_errors=True)
    (work / "pom.xml").write_text(_POM.format(version=version))
    proc = subprocess.run(
        [mvn, "-q", "-B", "-f", str(work / "pom.xml"), "dependency:copy-dependencies",
         "-DincludeScope=runtime", f"-DoutputDirectory={partial}"],
        capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        (work / "mvn.log").write_text(proc.stdout + proc.stderr)
        raise Neo4jServerError(f"Maven could not fetch apoc-core {version}: see "
                               f"{work / 'mvn.log'}")
    shutil.rmtree(lib, ignore_errors=True)
    partial.rename(lib)
    (lib / ".complete").touch()
    return lib


def install(server: ManagedNeo4j, version: str = APOC_VERSION) -> bool:
    """Copies APOC into the server's plugins folder. True when something was added (a
    running server must then be restarted to load it)."""
    lib = fetch(server.settings.cache_dir, version)
    shipped = {_artifact(j.name) for j in server.lib_dir.glob("*.jar")}
    server.plugins_dir.mkdir(parents=True, exist_ok=True)
    added = False
    for jar in sorted(lib.glob("*.jar")):
        if _artifact(jar.name) in shipped or (server.plugins_dir / jar.name).exists():
            continue
        shutil.copy2(jar, server.plugins_dir / jar.name)
        added = True
    return added
