// The keep-alive offer is a control message that changes how often a device heartbeats: a
// forged one could make a fleet drop off a carrier's NAT, so it must be signed like a push
// and a device must be able to tell a forgery.
#include <QtTest>

#include "../common/testmain.h"
#include "push/keepaliveoffer.h"
#include "push/signer.h"

using namespace hermes::push;

namespace {

const QByteArray Key = QByteArray::fromHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
const QDateTime SentAt = QDateTime::fromMSecsSinceEpoch(1700000000000, Qt::UTC);
const QDateTime ExpiresAt = SentAt.addSecs(3600);

Verifier ring()
{
    Verifier verifier;
    verifier.addKey(QStringLiteral("k1"), Key);
    return verifier;
}

PushEnvelope signedOffer(quint32 seconds = 285)
{
    const KeepAliveOffer offer{seconds, QStringLiteral("china-mobile")};
    return Signer(QStringLiteral("k1"), Key).sign(offer.toEnvelope(QStringLiteral("d1"), SentAt, ExpiresAt));
}

/// What a device does with bytes off its push topic.
std::optional<KeepAliveOffer> receive(const QByteArray &bytes, const QDateTime &now)
{
    const EnvelopeResult parsed = PushEnvelope::fromBytes(bytes);
    const auto *envelope = std::get_if<PushEnvelope>(&parsed);
    if (!envelope || ring().verify(*envelope, now) != VerifyResult::Verified)
        return std::nullopt;
    return KeepAliveOffer::fromEnvelope(*envelope);
}

} // namespace

class TestKeepAliveOffer : public QObject
{
    Q_OBJECT
private slots:
    void signedOfferRoundTrips();
    void offerIsAnUnsequencedEnvelopeForOneDevice();
    void forgedOffersAreRejected();
    void expiredOfferIsRejected();
    void otherContentIsNoOffer_data();
    void otherContentIsNoOffer();
};

void TestKeepAliveOffer::signedOfferRoundTrips()
{
    const std::optional<KeepAliveOffer> offer = receive(signedOffer().toBytes(), SentAt.addSecs(1));
    QVERIFY(offer);
    QCOMPARE(offer->keepAliveSeconds, 285u);
    QCOMPARE(offer->network, QStringLiteral("china-mobile"));
}

void TestKeepAliveOffer::offerIsAnUnsequencedEnvelopeForOneDevice()
{
    const PushEnvelope envelope = signedOffer();
    QCOMPARE(envelope.deviceId, QStringLiteral("d1"));
    QCOMPARE(envelope.sequence, 0u); // never takes a number from the device's push sequence
    QCOMPARE(envelope.contentType, QString(KeepAliveOfferContentType));
    QCOMPARE(envelope.pushId, QStringLiteral("keep-alive/china-mobile/285"));
    QCOMPARE(envelope.expiresAt, ExpiresAt);
    QCOMPARE(envelope.keyId, QStringLiteral("k1"));
    QCOMPARE(envelope.signature.size(), 32);
}

void TestKeepAliveOffer::forgedOffersAreRejected()
{
    const QDateTime now = SentAt.addSecs(1);

    // The signed offer with a longer keep-alive put in: the MAC no longer matches.
    PushEnvelope raised = signedOffer();
    raised.payload = KeepAliveOffer{3600, QStringLiteral("china-mobile")}.toEnvelope(QStringLiteral("d1"), SentAt, ExpiresAt).payload;
    QCOMPARE(ring().verify(raised, now), VerifyResult::BadSignature);
    QVERIFY(!receive(raised.toBytes(), now));

    // Unsigned, as anyone who can publish on the topic could send it.
    const PushEnvelope unsignedOffer = KeepAliveOffer{3600, {}}.toEnvelope(QStringLiteral("d1"), SentAt, ExpiresAt);
    QCOMPARE(ring().verify(unsignedOffer, now), VerifyResult::Unsigned);
    QVERIFY(!receive(unsignedOffer.toBytes(), now));

    // Signed with a key the device does not hold.
    const PushEnvelope otherKey = Signer(QStringLiteral("k1"), QByteArray(32, 'x')).sign(unsignedOffer);
    QCOMPARE(ring().verify(otherKey, now), VerifyResult::BadSignature);
    QVERIFY(!receive(otherKey.toBytes(), now));

    // Meant for another device: the device id is signed too.
    PushEnvelope replayed = signedOffer();
    replayed.deviceId = QStringLiteral("d2");
    QCOMPARE(ring().verify(replayed, now), VerifyResult::BadSignature);

    // Every single bit flipped on the wire: either no envelope or no valid signature.
    const QByteArray wire = signedOffer().toBytes();
    for (qsizetype bit = 0; bit < wire.size() * 8; ++bit) {
        QByteArray flipped = wire;
        flipped[bit / 8] = char(flipped.at(bit / 8) ^ (1 << (bit % 8)));
        const std::optional<KeepAliveOffer> offer = receive(flipped, now);
        const KeepAliveOffer original{285, QStringLiteral("china-mobile")};
        QVERIFY2(!offer || *offer == original,
                 qPrintable(QStringLiteral("bit %1 changed the offer and still verified").arg(bit)));
    }
}

void TestKeepAliveOffer::expiredOfferIsRejected()
{
    QCOMPARE(ring().verify(signedOffer(), ExpiresAt), VerifyResult::Expired);
    QVERIFY(!receive(signedOffer().toBytes(), ExpiresAt.addSecs(1)));
}

void TestKeepAliveOffer::otherContentIsNoOffer_data()
{
    QTest::addColumn<QString>("contentType");
    QTest::addColumn<QByteArray>("payload");
    const QByteArray valid = signedOffer().payload;
    QTest::newRow("a push") << QStringLiteral("application/json") << valid;
    QTest::newRow("not protobuf") << QString(KeepAliveOfferContentType) << QByteArray("\xff\xff\xff", 3);
    QTest::newRow("zero seconds") << QString(KeepAliveOfferContentType)
                                  << KeepAliveOffer{0, {}}.toEnvelope({}, {}, {}).payload;
    QTest::newRow("above 65535") << QString(KeepAliveOfferContentType)
                                 << KeepAliveOffer{65536, {}}.toEnvelope({}, {}, {}).payload;
}

void TestKeepAliveOffer::otherContentIsNoOffer()
{
    QFETCH(QString, contentType);
    QFETCH(QByteArray, payload);
    PushEnvelope envelope = signedOffer();
    envelope.contentType = contentType;
    envelope.payload = payload;
    QVERIFY(!KeepAliveOffer::fromEnvelope(envelope));
}

HERMES_TEST_APPLESS_MAIN(TestKeepAliveOffer)
#include "tst_keepaliveoffer.moc"
