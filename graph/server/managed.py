"""The managed local Neo4j: fetched from Maven Central, run as a plain JVM process.

Layout (all outside the source tree):
- `<cache_dir>/neo4j-<version>/lib/*.jar`: the server and its runtime dependencies.
- `<data_dir>/neo4j/`: `conf/neo4j.conf`, `data/`, `logs/`, `run/neo4j.pid`, and `password`
  (the generated initial password, mode 0600).

`start` is idempotent: a running server is left alone. Every failure raises `Neo4jServerError`
with a one-line message naming the cause and the fix.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from neo4j import GraphDatabase
from neo4j.exceptions import AuthError, ServiceUnavailable

from supplygraph.settings import Settings

ENTRY_POINT = "org.neo4j.server.CommunityEntryPoint"
ADMIN_TOOL = "org.neo4j.cli.AdminTool"

# Without these the launcher script would add them; we start the JVM ourselves.
_JVM_FLAGS = [
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.lang=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
]


class Neo4jServerError(RuntimeError):
    """A one-line, actionable failure of the managed Neo4j."""


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    pid: int | None
    uri: str
    data_dir: Path
    log_file: Path


class ManagedNeo4j:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.home = settings.neo4j_dir
        self.lib_dir = settings.cache_dir / f"neo4j-{settings.neo4j_version}" / "lib"
        self.conf_dir = self.home / "conf"
        self.run_dir = self.home / "run"
        self.logs_dir = self.home / "logs"
        self.plugins_dir = self.home / "plugins"
        self.pid_file = self.run_dir / "neo4j.pid"
        self.password_file = self.home / "password"
        self.console_log = self.logs_dir / "console.log"
        self.port = settings.neo4j_bolt_port

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.port}"

    # ----- fetching -------------------------------------------------------------------
    def ensure_jars(self) -> Path:
        """Resolve org.neo4j:neo4j with its runtime dependencies into the cache (once)."""
        marker = self.lib_dir / ".complete"
        if marker.exists():
            return self.lib_dir
        _require_java()
        mvn = shutil.which("mvn")
        if mvn is None:
            raise Neo4jServerError(
                "Maven (mvn) not found: install it (apt-get install maven) to fetch Neo4j"
            )
        work = self.lib_dir.parent
        work.mkdir(parents=True, exist_ok=True)
        tmp_lib = work / "lib.partial"
        shutil.rmtree(tmp_lib, ignore_errors=True)
        pom = work / "pom.xml"
        pom.write_text(_POM.format(version=self.settings.neo4j_version))
        proc = subprocess.run(
            [mvn, "-q", "-B", "-f", str(pom), "dependency:copy-dependencies",
             "-DincludeScope=runtime", f"-DoutputDirectory={tmp_lib}"],
            capture_output=True, text=True, check=False,
        )
        if proc.returncode != 0:
            (work / "mvn.log").write_text(proc.stdout + proc.stderr)
            raise Neo4jServerError(
                f"Maven could not fetch org.neo4j:neo4j:{self.settings.neo4j_version}: "
                f"see {work / 'mvn.log'}; check network access to Maven Central"
            )
        shutil.rmtree(self.lib_dir, ignore_errors=True)
        tmp_lib.rename(self.lib_dir)
        marker.touch()
        return self.lib_dir

    # ----- configuration --------------------------------------------------------------
    def _check_settings(self) -> None:
        # Neo4j stops with exit 3 on a bad value; say which setting before anything is written.
        for env, value in (("SUPPLYGRAPH_NEO4J_HEAP", self.settings.neo4j_heap),
                           ("SUPPLYGRAPH_NEO4J_PAGECACHE", self.settings.neo4j_pagecache)):
            if not _SIZE.match(value):
                raise Neo4jServerError(
                    f"{env}={value!r} is not a memory size: use a number with k, m or g "
                    "(e.g. 512m, 2g)")
        if not _DURATION.match(self.settings.neo4j_transaction_timeout):
            raise Neo4jServerError(
                f"SUPPLYGRAPH_NEO4J_TRANSACTION_TIMEOUT="
                f"{self.settings.neo4j_transaction_timeout!r} is not a duration (e.g. 60s, 2m)")
        if not _DURATION.match(self.settings.neo4j_replan_interval):
            raise Neo4jServerError(
                f"SUPPLYGRAPH_NEO4J_REPLAN_INTERVAL={self.settings.neo4j_replan_interval!r} "
                "is not a duration (e.g. 10s, 1h)")
        if not 0 < self.port < 65536:
            raise Neo4jServerError(f"SUPPLYGRAPH_NEO4J_BOLT_PORT={self.port} is not a port")

    def write_config(self) -> Path:
        self._check_settings()
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        for d in (self.home / "data", self.logs_dir, self.run_dir, self.home / "import",
                  self.plugins_dir):
            d.mkdir(parents=True, exist_ok=True)
        conf = self.conf_dir / "neo4j.conf"
        text = _CONF.format(
            home=self.home,
            port=self.port,
            pagecache=self.settings.neo4j_pagecache,
            tx_timeout=self.settings.neo4j_transaction_timeout,
            replan=self.settings.neo4j_replan_interval,
        )
        tmp = conf.with_suffix(".tmp")
        tmp.write_text(text)
        tmp.replace(conf)
        return conf

    def password(self) -> str:
        """The generated initial password; created (mode 0600) on first use."""
        if self.password_file.exists():
            return self.password_file.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        # Never starting with "-": neo4j-admin would read the password as an option.
        pw = "sg" + secrets.token_urlsafe(24)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(pw + "\n")
        return pw

    def _set_initial_password(self, java: str) -> None:
        if (self.home / "data" / "dbms" / "auth.ini").exists():
            return
        env = dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.conf_dir))
        proc = subprocess.run(
            [java, "-cp", f"{self.lib_dir}/*", ADMIN_TOOL, "dbms", "set-initial-password",
             self.password()],
            capture_output=True, text=True, env=env, check=False,
        )
        if proc.returncode != 0:
            # The tool's output may echo the password: keep it out of the log and message.
            text = (proc.stdout + proc.stderr).replace(self.password(), "***")
            self.logs_dir.mkdir(parents=True, exist_ok=True)
            log = self.logs_dir / "admin.log"
            log.write_text(text)
            causes = [ln.strip() for ln in text.splitlines()
                      if re.search(r"Exception|Error|Invalid", ln) and not ln.startswith("\tat")]
            raise Neo4jServerError(
                "setting the initial Neo4j password failed: "
                + (causes[0][:300] if causes else f"exit {proc.returncode}") + f" (logs: {log})"
            )

    # ----- lifecycle ------------------------------------------------------------------
    def _pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        # A reused pid of some other process is not our server.
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return pid
        return pid if ENTRY_POINT.encode() in cmdline else None

    def status(self) -> ServerStatus:
        pid = self._pid()
        running = pid is not None and self._bolt_answers()
        return ServerStatus(running, pid, self.uri, self.home, self.console_log)

    def _bolt_answers(self) -> bool:
        try:
            with GraphDatabase.driver(
                self.uri, auth=(self.settings.neo4j_user, self.password()),
                connection_timeout=2, max_connection_lifetime=5,
            ) as drv:
                drv.verify_connectivity()
            return True
        except AuthError as exc:
            raise Neo4jServerError(
                f"Neo4j at {self.uri} refused the stored password in {self.password_file}: "
                "another server holds the port, or the data folder was reset without it"
            ) from exc
        except (ServiceUnavailable, OSError, Exception):  # noqa: BLE001 - any failure = not up
            return False

    def start(self) -> ServerStatus:
        if self._pid() is not None:
            self._wait_for_bolt(self._pid())
            return self.status()
        java = _require_java()
        if _port_taken(self.port):
            raise Neo4jServerError(
                f"port {self.port} on 127.0.0.1 is taken by another process: stop it or set "
                "SUPPLYGRAPH_NEO4J_BOLT_PORT to a free port"
            )
        self._check_settings()
        self.ensure_jars()
        self.write_config()
        self._set_initial_password(java)
        self.logs_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            java, f"-Xms{self.settings.neo4j_heap}", f"-Xmx{self.settings.neo4j_heap}",
            # plugins/* too: a plugin such as APOC registers a kernel extension that only the
            # server's classpath finds (the stock launcher puts both there as well).
            *_JVM_FLAGS, "-cp", f"{self.lib_dir}/*:{self.plugins_dir}/*", ENTRY_POINT,
            f"--home-dir={self.home}", f"--config-dir={self.conf_dir}",
        ]
        with open(self.console_log, "ab") as log:
            proc = subprocess.Popen(
                cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                cwd=self.home, start_new_session=True,
                env=dict(os.environ, NEO4J_HOME=str(self.home), NEO4J_CONF=str(self.conf_dir)),
            )
        self.pid_file.write_text(str(proc.pid))
        try:
            self._wait_for_bolt(proc.pid, proc)
        except Neo4jServerError:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
            self.pid_file.unlink(missing_ok=True)
            raise
        return self.status()

    def _wait_for_bolt(self, pid: int | None, proc: subprocess.Popen[bytes] | None = None) -> None:
        deadline = time.monotonic() + self.settings.neo4j_start_timeout
        delay = 0.1
        while time.monotonic() < deadline:
            if self._bolt_answers():
                return
            exited = proc.poll() if proc is not None else None
            if exited is not None or (proc is None and pid is not None and not _alive(pid)):
                raise Neo4jServerError(
                    f"Neo4j exited during start{_exit_hint(exited)}: "
                    f"{self._log_tail_hint()} (logs: {self.console_log})"
                )
            time.sleep(delay)
            delay = min(delay * 1.5, 1.0)
        raise Neo4jServerError(
            f"Neo4j did not answer on {self.uri} within {self.settings.neo4j_start_timeout:.0f}s "
            f"(logs: {self.console_log})"
        )

    def _log_tail_hint(self) -> str:
        try:
            lines = self.console_log.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            return "no log written"
        for line in reversed(lines[-200:]):
            if re.search(r"ERROR|Exception|Invalid|Unrecognized", line):
                return line.strip()[:300]
        return lines[-1].strip()[:300] if lines else "empty log"

    def stop(self, timeout: float = 60.0) -> bool:
        """SIGTERM (a clean shutdown), then wait. Returns False when nothing was running."""
        pid = self._pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.2)
        if _alive(pid):
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True


_SIZE = re.compile(r"^\d+[kKmMgGtT]?$")
_DURATION = re.compile(r"^\d+(ms|s|m|h)?$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # Reap our own zombie child, if it is one.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done == pid:
            return False
    except ChildProcessError:
        pass
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
        return state != "Z"
    except (OSError, IndexError):
        return True


def _exit_hint(code: int | None) -> str:
    if code == 3:
        return " (exit 3: invalid configuration; fix or delete the generated neo4j.conf)"
    return f" (exit {code})" if code is not None else ""


def _port_taken(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _require_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise Neo4jServerError(
            "Java not found: install Java 17 or 21 (apt-get install openjdk-17-jre-headless)"
        )
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False).stderr
    m = re.search(r'version "(\d+)', out)
    if m is None or int(m.group(1)) < 17:
        raise Neo4jServerError(
            f"Neo4j 5.26 needs Java 17 or 21, found {m.group(1) if m else 'unknown'}: "
            "install openjdk-17 and put it first on PATH"
        )
    return java


_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>supplygraph</groupId>
  <artifactId>neo4j-fetch</artifactId>
  <version>1</version>
  <dependencies>
    <dependency>
      <groupId>org.neo4j</groupId>
      <artifactId>neo4j</artifactId>
      <version>{version}</version>
    </dependency>
  </dependencies>
</project>
"""

_CONF = """# Generated by supplygraph; rewritten at every start. Override sizes with
# SUPPLYGRAPH_NEO4J_HEAP and SUPPLYGRAPH_NEO4J_PAGECACHE.
server.directories.data={home}/data
server.directories.logs={home}/logs
server.directories.run={home}/run
server.directories.import={home}/import
server.directories.plugins={home}/plugins
server.default_listen_address=127.0.0.1
server.default_advertised_address=127.0.0.1
server.bolt.enabled=true
server.bolt.listen_address=127.0.0.1:{port}
server.bolt.advertised_address=127.0.0.1:{port}
server.http.enabled=false
server.https.enabled=false
dbms.security.auth_enabled=true
dbms.usage_report.enabled=false
server.memory.pagecache.size={pagecache}
db.transaction.timeout={tx_timeout}
dbms.cypher.min_replan_interval={replan}
"""
