#include "signer.h"

#include <QMessageAuthenticationCode>
#include <QtEndian>

#include <algorithm>

namespace hermes::push {

namespace {

constexpr QByteArrayView SigningContext{"hermes.push.v1.Envelope"};
constexpr qsizetype MacSize = 32; // SHA-256 output

void appendU32(QByteArray &out, quint32 value)
{
    char bytes[4];
    qToBigEndian(value, bytes);
    out.append(bytes, 4);
}

void appendU64(QByteArray &out, quint64 value)
{
    char bytes[8];
    qToBigEndian(value, bytes);
    out.append(bytes, 8);
}

// Fields are far below 4 GiB (QByteArray holds < 2^31 bytes), so a u32 length is exact.
void appendBytes(QByteArray &out, QByteArrayView bytes)
{
    appendU32(out, quint32(bytes.size()));
    out.append(bytes);
}

qint64 unixMs(const QDateTime &when)
{
    return when.isValid() ? when.toMSecsSinceEpoch() : 0;
}

} // namespace

QByteArray canonicalSigningInput(const PushEnvelope &envelope)
{
    const QByteArray keyId = envelope.keyId.toUtf8();
    const QByteArray pushId = envelope.pushId.toUtf8();
    const QByteArray deviceId = envelope.deviceId.toUtf8();
    const QByteArray contentType = envelope.contentType.toUtf8();
    QByteArray out;
    out.reserve(4 * 6 + 8 * 3 + SigningContext.size() + keyId.size() + pushId.size()
                + deviceId.size() + contentType.size() + envelope.payload.size());
    appendBytes(out, SigningContext);
    appendBytes(out, keyId);
    appendBytes(out, pushId);
    appendBytes(out, deviceId);
    appendU64(out, envelope.sequence);
    appendU64(out, quint64(unixMs(envelope.sentAt))); // two's complement for negative times
    appendU64(out, quint64(unixMs(envelope.expiresAt)));
    appendBytes(out, contentType);
    appendBytes(out, envelope.payload);
    return out;
}

QByteArray hmacSha256(QByteArrayView key, QByteArrayView message)
{
    // Qt 6.4 takes a QByteArray key and data; copies are cheap next to the hash.
    QMessageAuthenticationCode mac(QCryptographicHash::Sha256, key.toByteArray());
    mac.addData(message.data(), message.size());
    return mac.result();
}

bool constantTimeEquals(QByteArrayView a, QByteArrayView b)
{
    if (a.size() != b.size())
        return false; // lengths are public (a MAC is always 32 bytes)
    // No early exit: accumulate every difference, then look once.
    quint8 difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= quint8(a[i]) ^ quint8(b[i]);
    return difference == 0;
}

Signer::Signer(QString keyId, QByteArray key)
    : m_keyId(std::move(keyId))
    , m_key(std::move(key))
{
}

bool Signer::isValid() const
{
    return !m_keyId.isEmpty() && !m_key.isEmpty();
}

PushEnvelope Signer::sign(PushEnvelope envelope) const
{
    envelope.signature.clear();
    if (!isValid()) {
        envelope.keyId.clear();
        return envelope;
    }
    envelope.keyId = m_keyId; // before the MAC: the key id is part of the input
    envelope.signature = hmacSha256(m_key, canonicalSigningInput(envelope));
    return envelope;
}

QString describe(VerifyResult result)
{
    switch (result) {
    case VerifyResult::Verified: return QStringLiteral("verified");
    case VerifyResult::Unsigned: return QStringLiteral("unsigned");
    case VerifyResult::UnknownKey: return QStringLiteral("unknown key");
    case VerifyResult::BadSignature: return QStringLiteral("bad signature");
    case VerifyResult::Expired: return QStringLiteral("expired");
    }
    return QStringLiteral("verify-result-%1").arg(int(result));
}

bool Verifier::addKey(const QString &keyId, const QByteArray &key)
{
    if (keyId.isEmpty() || key.isEmpty())
        return false;
    m_keys.insert(keyId, key);
    return true;
}

bool Verifier::removeKey(const QString &keyId)
{
    return m_keys.remove(keyId) > 0;
}

QStringList Verifier::keyIds() const
{
    QStringList ids = m_keys.keys();
    std::sort(ids.begin(), ids.end());
    return ids;
}

VerifyResult Verifier::verify(const PushEnvelope &envelope, const QDateTime &now) const
{
    if (envelope.keyId.isEmpty() || envelope.signature.isEmpty())
        return VerifyResult::Unsigned;
    const auto key = m_keys.constFind(envelope.keyId);
    if (key == m_keys.cend())
        return VerifyResult::UnknownKey;
    // A wrong-length signature still costs one MAC: the answer's timing says nothing.
    const QByteArray expected = hmacSha256(*key, canonicalSigningInput(envelope));
    if (envelope.signature.size() != MacSize || !constantTimeEquals(expected, envelope.signature))
        return VerifyResult::BadSignature;
    // Only now is expiresAt known to come from the key holder; before, a forged past
    // expiry would be reported as "expired" instead of as forgery.
    if (now.isValid() && envelope.expiresAt.isValid() && now >= envelope.expiresAt)
        return VerifyResult::Expired;
    return VerifyResult::Verified;
}

} // namespace hermes::push
