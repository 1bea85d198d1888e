# RPM %postun (recipe, not built here). RPM has no purge: on the last erase ($1 = 0) the
# data directory is kept, as Fedora packages do; the user stays too (Fedora policy).
systemctl daemon-reload >/dev/null 2>&1 || :
