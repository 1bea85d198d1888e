# Package metadata (CPack). Included last from the top-level CMakeLists.txt, after every
# install() rule exists. Built and checked here (scripts/package-test.sh): the DEB (lintian,
# installed, run, purged) and the RPM (rpmbuild from Debian's `rpm` package; inspected with
# rpm -qip/-qlp, not installable on Debian). See installer/README.md.
#
#   cmake --build build && (cd build && cpack -G DEB)   ->  build/hermes-console_<ver>_<arch>.deb
#                          (cd build && cpack -G RPM)   ->  build/hermes-console-<ver>-1.<arch>.rpm

set(CPACK_PACKAGE_NAME hermes-console)
set(CPACK_PACKAGE_VENDOR "Hermes developers")
set(CPACK_PACKAGE_CONTACT "Hermes developers <hermes@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Push console and MQTT broker inspector")
# Wrapped by hand below 80 columns: CPack copies the lines into the control file as they are
# (lintian: extended-description-line-too-long).
set(CPACK_PACKAGE_DESCRIPTION [[
Hermes is a desktop console for push messaging over MQTT. It embeds an
MQTT 3.1.1 and 5.0 broker and shows its sessions, subscriptions, in-flight
messages and traffic live.

The package also contains hermesd, the same broker without a user
interface (with a systemd unit, installed disabled), and hermesctl, its
command-line client.]])
set(CPACK_PACKAGE_HOMEPAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)                 # RelWithDebInfo binaries are ~20x larger unstripped
set(CPACK_SOURCE_IGNORE_FILES "/build[^/]*/" "/\\\\.git/")

# --- Debian -----------------------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)   # hermes-console_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)    # dpkg-shlibdeps: libc, libstdc++, Qt, protobuf, ...
# What dpkg-shlibdeps cannot see: Qt's SQLite driver is a plugin loaded at run time (the
# broker's store), and the maintainer scripts call adduser/deluser.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libqt6sql6-sqlite, adduser")
# The Chinese UI needs a CJK font; the small one first so plain `apt-get install` does not
# pull 57 MB of Noto (TOOLCHAIN.md pitfall 7). QtKeychain loads libsecret at run time to keep
# connection passwords in the desktop's keyring; without it the console asks each time.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-wqy-microhei | fonts-noto-cjk | fonts-droid-fallback, qt6-translations-l10n, libsecret-1-0")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto-clients")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)   # maintainer scripts 0755, conffiles 0644
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/installer/linux/conffiles"
    "${PROJECT_SOURCE_DIR}/installer/linux/postinst"
    "${PROJECT_SOURCE_DIR}/installer/linux/prerm"
    "${PROJECT_SOURCE_DIR}/installer/linux/postrm")

# --- RPM (Fedora names; built here with Debian's rpmbuild, installed only on Fedora) -------
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)      # hermes-console-0.1.0-1.x86_64.rpm
set(CPACK_RPM_PACKAGE_RELEASE 1)
set(CPACK_RPM_PACKAGE_RELEASE_DIST OFF)   # no %{?dist}: Debian's rpm defines none
set(CPACK_RPM_PACKAGE_LICENSE "LicenseRef-proprietary")   # as the AppStream metainfo says
set(CPACK_RPM_PACKAGE_GROUP "Applications/Internet")
set(CPACK_RPM_PACKAGE_URL "${PROJECT_HOMEPAGE_URL}")
set(CPACK_RPM_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")   # RPM ignores the generic one
set(CPACK_PACKAGE_RELOCATABLE OFF)        # RPM "Prefix:": the unit's ExecStart and /etc paths are fixed
set(CPACK_RPM_PACKAGE_RELOCATABLE OFF)
set(CPACK_RPM_PACKAGE_AUTOREQ ON)         # rpm's ELF scan: libQt6*.so.6()(64bit), libc, ...
set(CPACK_RPM_PACKAGE_AUTOPROV OFF)       # the programs provide no libraries
# What the ELF scan cannot see, by Fedora package name: the SQLite driver and the OpenSSL
# TLS backend are plugins dlopen'ed at run time, both in Fedora's qt6-qtbase; the
# scriptlets use groupadd/useradd (shadow-utils) and systemctl (systemd).
# Fedora's qt6-qtbase-gui holds the xcb/wayland platform plugins (also dlopen'ed).
set(CPACK_RPM_PACKAGE_REQUIRES "qt6-qtbase >= 6.4, qt6-qtbase-gui >= 6.4, qt6-qthttpserver >= 6.4, qt6-qtwebsockets >= 6.4")
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_PACKAGE_REQUIRES_POST "systemd")
set(CPACK_RPM_PACKAGE_REQUIRES_PREUN "systemd")
set(CPACK_RPM_PACKAGE_REQUIRES_POSTUN "systemd")
set(CPACK_RPM_PACKAGE_SUGGESTS "mosquitto")
# CPack has no Recommends variable; this block lands in the spec's preamble, where rpm 4.12+
# reads weak dependencies (the small CJK font first, as for the DEB).
# No /usr/lib/.build-id links: they are for matching -debuginfo packages, which CPack does
# not make here (and they would be one more directory tree the package claims).
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none
Recommends: (wqy-microhei-fonts or google-noto-sans-cjk-fonts)
Recommends: qt6-qttranslations")
# The unstripped programs are stripped by CPack (CPACK_STRIP_FILES); no -debuginfo package.
set(CPACK_RPM_DEBUGINFO_PACKAGE OFF)
set(CPACK_RPM_SPEC_INSTALL_POST "/bin/true")   # no brp-* scripts: Debian's rpm lacks Fedora's
# gzip: 4 s here against 13 s for CPack's xz level 7 (2.5 MB instead of 1.1 MB); CPack 3.25 has
# no zstd (Fedora's own default), and package-test.sh runs in CI on every change.
set(CPACK_RPM_COMPRESSION_TYPE gzip)
set(CPACK_RPM_USER_FILELIST
    "%config(noreplace) /etc/hermes/hermesd.conf"
    "%doc /usr/share/doc/hermes-console/changelog.gz"
    "%license /usr/share/doc/hermes-console/copyright")
# Directories the system owns (filesystem, systemd, hicolor-icon-theme, man-db): the package
# must not claim them, or rpm -e would try to remove them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc /usr/lib/systemd /usr/lib/systemd/system /usr/share/applications /usr/share/metainfo
    /usr/share/icons /usr/share/icons/hicolor /usr/share/man /usr/share/man/man1
    /usr/share/doc /usr/share/lintian /usr/share/lintian/overrides)
foreach(size 16x16 22x22 24x24 32x32 48x48 64x64 128x128 256x256 scalable)
    list(APPEND CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
        /usr/share/icons/hicolor/${size} /usr/share/icons/hicolor/${size}/apps)
endforeach()
set(CPACK_RPM_PRE_INSTALL_SCRIPT_FILE "${PROJECT_SOURCE_DIR}/installer/rpm/pre.sh")
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE "${PROJECT_SOURCE_DIR}/installer/rpm/post.sh")
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE "${PROJECT_SOURCE_DIR}/installer/rpm/preun.sh")
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE "${PROJECT_SOURCE_DIR}/installer/rpm/postun.sh")

if(NOT CPACK_GENERATOR)
    set(CPACK_GENERATOR DEB)
endif()
include(CPack)
