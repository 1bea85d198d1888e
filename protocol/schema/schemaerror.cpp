#include "schemaerror.h"

namespace hermes::schema {

QString SchemaError::toString() const
{
    return line > 0 ? QStringLiteral("%1:%2:%3: %4").arg(file).arg(line).arg(column).arg(message)
                    : QStringLiteral("%1: %2").arg(file, message);
}

} // namespace hermes::schema
