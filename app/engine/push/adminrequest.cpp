#include "adminrequest.h"

#include <QJsonDocument>

namespace hermes {

std::variant<QJsonObject, AdminRequestError> parseAdminArguments(QByteArrayView payload)
{
    if (payload.trimmed().isEmpty())
        return QJsonObject{};
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(payload.toByteArray(), &error);
    if (error.error != QJsonParseError::NoError)
        return AdminRequestError{QStringLiteral("bad-request"),
                                 QStringLiteral("payload is not JSON: %1 at offset %2")
                                         .arg(error.errorString())
                                         .arg(error.offset)};
    if (!document.isObject())
        return AdminRequestError{QStringLiteral("bad-request"), QStringLiteral("payload must be a JSON object")};
    return document.object();
}

} // namespace hermes
