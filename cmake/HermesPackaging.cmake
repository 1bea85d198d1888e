# Package metadata (CPack). Included last from the top-level CMakeLists.txt, after every
# install() rule exists. Built and tested here: DEB (scripts/package-test.sh). The RPM
# settings are a recipe, not built here (see installer/README.md).
#
#   cmake --build build && (cd build && cpack -G DEB)   ->  build/hermes-console_<ver>_<arch>.deb

set(CPACK_PACKAGE_NAME hermes-console)
set(CPACK_PACKAGE_VENDOR "Hermes developers")
set(CPACK_PACKAGE_CONTACT "Hermes developers <hermes@example.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Push console and MQTT broker inspector")
set(CPACK_PACKAGE_DESCRIPTION
    "Hermes is a desktop console for push messaging over MQTT. It embeds an MQTT 3.1.1 and 5.0 broker and shows its sessions, subscriptions, in-flight messages and traffic live.\n\nThe package also contains hermesd, the same broker without a user interface (with a systemd unit, installed disabled), and hermesctl, its command-line client.")
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
# pull 57 MB of Noto (TOOLCHAIN.md pitfall 7).
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "fonts-wqy-microhei | fonts-noto-cjk | fonts-droid-fallback, qt6-translations-l10n")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "mosquitto-clients")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)   # maintainer scripts 0755, conffiles 0644
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    "${PROJECT_SOURCE_DIR}/installer/linux/conffiles"
    "${PROJECT_SOURCE_DIR}/installer/linux/postinst"
    "${PROJECT_SOURCE_DIR}/installer/linux/prerm"
    "${PROJECT_SOURCE_DIR}/installer/linux/postrm")

# --- RPM (recipe; needs rpmbuild, which this Debian machine does not have) ---------------
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_LICENSE "Proprietary")
set(CPACK_RPM_PACKAGE_GROUP "Applications/Internet")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)         # rpm's own ELF dependency scan
set(CPACK_RPM_PACKAGE_REQUIRES "qt6-qtbase-sql-sqlite")   # Fedora name of the SQLite plugin
set(CPACK_RPM_PACKAGE_SUGGESTS "wqy-microhei-fonts")
set(CPACK_RPM_USER_FILELIST "%config(noreplace) /etc/hermes/hermesd.conf")
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc /usr/lib/systemd /usr/lib/systemd/system /usr/share/applications /usr/share/metainfo
    /usr/share/icons /usr/share/icons/hicolor /usr/share/man /usr/share/man/man1)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE "${PROJECT_SOURCE_DIR}/installer/rpm/post.sh")
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE "${PROJECT_SOURCE_DIR}/installer/rpm/postun.sh")

if(NOT CPACK_GENERATOR)
    set(CPACK_GENERATOR DEB)
endif()
include(CPack)
