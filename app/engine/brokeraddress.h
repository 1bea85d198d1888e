#pragma once
/// How a client reaches a broker and how the console names it: the TLS files a connection
/// trusts and presents, and the broker's printed address (part of hermes_engine_api: the
/// console's connection profiles hold them too).

#include <QString>

namespace hermes {

/// How errors and status bars name a broker: "127.0.0.1:1883", "[::1]:1883",
/// "mqtts://broker.example:8883" over TLS, "unix:/run/hermes/hermesd.sock" (parseAttachAddress()
/// reads each of them back).
QString brokerAddress(const QString &host, quint16 port, bool tls, const QString &localPath = {});

/// What TLS to a broker trusts and presents, PEM files. Empty caFile: the system's CAs.
struct ClientTlsSettings {
    QString caFile;          ///< the broker's CA (a private CA or a self-signed broker)
    QString certificateFile; ///< client certificate, optional
    QString keyFile;         ///< its private key, required with certificateFile
    /// The name the broker's certificate must carry; empty: the host connected to.
    QString peerName;
    bool operator==(const ClientTlsSettings &) const = default;
};

} // namespace hermes
