#pragma once
/// Signing and verifying push envelopes with HMAC-SHA256 and rotating keys (DOMAIN.md,
/// anti-forgery). Pure functions of their arguments: the caller passes the time.
///
/// Canonical signing input, version 1. The MAC is computed over these bytes, never over
/// the protobuf serialization (protobuf may order, repeat or add fields differently for the
/// same values). All integers are big-endian; "str" is a u32 byte length followed by the
/// UTF-8 bytes of the string (no terminator, no normalisation); "bytes" is a u32 length
/// followed by the raw bytes:
///
///     str    "hermes.push.v1.Envelope"   domain separation: 00000017 + 23 ASCII bytes
///     str    keyId
///     str    pushId
///     str    deviceId
///     u64    sequence
///     i64    sentAt    Unix ms, two's complement; 0 when invalid
///     i64    expiresAt Unix ms, two's complement; 0 when invalid (never expires)
///     str    contentType
///     bytes  payload
///
/// Every field but the signature is covered. Each variable field carries its own length,
/// so no two different envelopes share an input (no "ab"+"c" == "a"+"bc"). The signature is
/// HMAC-SHA256(key, input), 32 bytes, in PushEnvelope::signature.

#include "envelope.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QDateTime>
#include <QHash>
#include <QString>
#include <QStringList>

namespace hermes::push {

/// The canonical signing input described at the top of this header.
QByteArray canonicalSigningInput(const PushEnvelope &envelope);

/// HMAC-SHA256(key, message) (RFC 2104 with SHA-256, as tested by RFC 4231).
QByteArray hmacSha256(QByteArrayView key, QByteArrayView message);

/// Equal length and equal bytes, in time that depends on the length only (not on where the
/// first difference is), so a forger cannot find a MAC byte by byte from timings.
bool constantTimeEquals(QByteArrayView a, QByteArrayView b);

/// Signs with one key. Keys should be at least 32 random bytes (RFC 2104 section 3).
class Signer
{
public:
    Signer(QString keyId, QByteArray key);

    /// A key id and a key are both non-empty.
    bool isValid() const;
    const QString &keyId() const { return m_keyId; }

    /// `envelope` with keyId set to this signer's id and signature = the MAC of the
    /// canonical input (which includes the key id). Invalid signer: returned unsigned.
    PushEnvelope sign(PushEnvelope envelope) const;

private:
    QString m_keyId;
    QByteArray m_key;
};

/// The outcome of verifying one envelope, in the order the checks run.
enum class VerifyResult : quint8 {
    Verified,     ///< signed by a key in the ring, unchanged, not expired
    Unsigned,     ///< no key id or no signature
    UnknownKey,   ///< key id not in the ring (never added, or removed after rotation)
    BadSignature, ///< the MAC does not match: some field was changed, or the wrong key
    Expired,      ///< authentic, but now >= expiresAt
};

/// "verified", "unsigned", "unknown key", "bad signature", "expired".
QString describe(VerifyResult result);

/// A keyring of key id → key. Rotation without losing in-flight messages: add the new key
/// to every verifier, switch the Signer to it, and remove the old key only once nothing
/// signed with it can still arrive (its messages' expiresAt has passed).
class Verifier
{
public:
    /// Adds or replaces a key. Empty ids or keys are ignored (returns false).
    bool addKey(const QString &keyId, const QByteArray &key);
    /// True when the key was present.
    bool removeKey(const QString &keyId);
    bool hasKey(const QString &keyId) const { return m_keys.contains(keyId); }
    /// Sorted, for display.
    QStringList keyIds() const;

    /// Checks, in order: signed at all, key known, MAC matches (constant time), and then
    /// expiry against `now` (only an authentic expiresAt is trusted). An invalid `now`
    /// skips the expiry check.
    VerifyResult verify(const PushEnvelope &envelope, const QDateTime &now) const;

private:
    QHash<QString, QByteArray> m_keys;
};

} // namespace hermes::push
