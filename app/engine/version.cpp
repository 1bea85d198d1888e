#include "version.h"

#include <google/protobuf/stubs/common.h>

namespace hermes {

QString versionString()
{
    return QStringLiteral(HERMES_VERSION);
}

QString versionBanner(const QString &programName)
{
    return QStringLiteral("%1 %2 (Qt %3, protobuf %4)")
        .arg(programName, versionString(), QString::fromLatin1(qVersion()),
             QString::fromStdString(google::protobuf::internal::VersionString(GOOGLE_PROTOBUF_VERSION)));
}

} // namespace hermes
