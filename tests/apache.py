"""A real Apache httpd (Debian's apache2-bin) on loopback, serving one folder with its .htaccess.

Started in the foreground with a configuration of our own (no system site, no port 80), so the
static site's rewrite rules are checked by the server they are written for. Apache refuses to
serve as root, so as root its children run as ``nobody``: the folder must be world-readable.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from loopback import free_port, stop_process
from triplestores import wait_for_http

MODULES = Path("/usr/lib/apache2/modules")
CONFIG = """\
ServerRoot "{run}"
ServerName 127.0.0.1
Listen 127.0.0.1:{port}
PidFile "{run}/httpd.pid"
ErrorLog "{run}/error.log"
LogLevel warn rewrite:warn
LoadModule mpm_event_module {modules}/mod_mpm_event.so
LoadModule authz_core_module {modules}/mod_authz_core.so
LoadModule dir_module {modules}/mod_dir.so
LoadModule mime_module {modules}/mod_mime.so
LoadModule rewrite_module {modules}/mod_rewrite.so
LoadModule headers_module {modules}/mod_headers.so
{user}
StartServers 1
ServerLimit 1
ThreadsPerChild 8
MaxRequestWorkers 8
TypesConfig /etc/mime.types
AddType application/javascript .js
DirectoryIndex index.html
DocumentRoot "{root}"
<Directory />
  AllowOverride None
  Require all denied
</Directory>
<Directory "{root}">
  Options SymLinksIfOwnerMatch
  AllowOverride FileInfo Indexes
  Require all granted
</Directory>
"""


def apache_binary() -> str:
    """Return Debian's httpd binary (scripts/ensure-system-packages.sh installs apache2-bin)."""
    found = shutil.which("apache2") or "/usr/sbin/apache2"
    assert Path(found).exists(), "apache2 missing: run 'make system-deps' (Debian apache2-bin)"
    return found


def readable_copy(source: Path, target: Path) -> Path:
    """Copy a folder to ``target`` with every directory and file readable by anyone."""
    shutil.copytree(source, target)
    for path in [target, *target.rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


@contextmanager
def apache_serving(root: Path, run: Path) -> Iterator[str]:
    """Serve ``root`` with Apache on a free loopback port; yield its base URL, then stop it."""
    port = free_port()
    run.mkdir(parents=True, exist_ok=True)
    user = "User nobody\nGroup nogroup" if os.geteuid() == 0 else ""
    (run / "httpd.conf").write_text(
        CONFIG.format(run=run, port=port, modules=MODULES, root=root, user=user)
    )
    process = subprocess.Popen(
        [apache_binary(), "-f", str(run / "httpd.conf"), "-DFOREGROUND"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        wait_for_http(url, process, seconds=30)
        yield url
    finally:
        stop_process(process)
