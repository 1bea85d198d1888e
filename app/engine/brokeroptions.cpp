#include "brokeroptions.h"

#include <QCoreApplication>
#include <QLoggingCategory>

namespace hermes {

namespace {
/// The translation context of these strings (shared by hermesd and the console).
struct BrokerOptions {
    Q_DECLARE_TR_FUNCTIONS(BrokerOptions)
};
} // namespace

void addBrokerOptions(QCommandLineParser &parser)
{
    parser.addOption({QStringLiteral("config"), BrokerOptions::tr("Read broker settings from FILE."), QStringLiteral("file")});
    parser.addOption({QStringLiteral("listen"),
                      BrokerOptions::tr("Listen on HOST:PORT (repeatable; replaces the file's listeners)."),
                      QStringLiteral("host:port")});
    parser.addOption({QStringLiteral("data-dir"), BrokerOptions::tr("Keep the broker's database in DIR."), QStringLiteral("dir")});
    parser.addOption({QStringLiteral("log-level"), BrokerOptions::tr("error, warning, info or debug."), QStringLiteral("level")});
    parser.addOption({QStringLiteral("no-persistence"), BrokerOptions::tr("Keep sessions and messages in memory only.")});
}

std::variant<BrokerConfig, ConfigError> brokerConfigFromCommandLine(const QCommandLineParser &parser,
                                                                    BrokerConfig defaults)
{
    BrokerConfig config = std::move(defaults);
    if (parser.isSet(QStringLiteral("config"))) {
        auto loaded = loadBrokerConfig(parser.value(QStringLiteral("config")), config);
        if (auto *error = std::get_if<ConfigError>(&loaded))
            return *error;
        config = std::get<BrokerConfig>(std::move(loaded));
    }
    const QString commandLine = QStringLiteral("command line");
    if (parser.isSet(QStringLiteral("listen"))) {
        config.listeners.clear();
        config.localSockets.clear();
        for (const QString &value : parser.values(QStringLiteral("listen"))) {
            // unix:/ABSOLUTE/PATH: the local administration socket, as in the config file.
            if (value.startsWith(QLatin1String("unix:")) && value.size() > 6 && value.at(5) == QLatin1Char('/')) {
                config.localSockets.append(value.mid(5));
                continue;
            }
            const auto address = ListenAddress::parse(value);
            if (!address)
                return ConfigError{commandLine, 0, BrokerOptions::tr("--listen: '%1' is not HOST:PORT").arg(value)};
            config.listeners.append(*address);
        }
    }
    if (parser.isSet(QStringLiteral("data-dir")))
        config.dataDir = parser.value(QStringLiteral("data-dir"));
    if (parser.isSet(QStringLiteral("no-persistence")))
        config.persistence = false;
    if (parser.isSet(QStringLiteral("log-level"))) {
        const auto level = parseLogLevel(parser.value(QStringLiteral("log-level")));
        if (!level)
            return ConfigError{commandLine, 0,
                               BrokerOptions::tr("--log-level: '%1' is not error, warning, info or debug")
                                   .arg(parser.value(QStringLiteral("log-level")))};
        config.logLevel = *level;
    }
    return config;
}

void applyLogLevel(LogLevel level)
{
    QString rules = QStringLiteral("hermes.*.debug=%1\nhermes.*.info=%2\nhermes.*.warning=%3\n")
                        .arg(level >= LogLevel::Debug ? QStringLiteral("true") : QStringLiteral("false"),
                             level >= LogLevel::Info ? QStringLiteral("true") : QStringLiteral("false"),
                             level >= LogLevel::Warning ? QStringLiteral("true") : QStringLiteral("false"));
    QLoggingCategory::setFilterRules(rules);
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{if-debug}debug%{endif}%{if-info}info%{endif}"
                                      "%{if-warning}warning%{endif}%{if-critical}error%{endif}%{if-fatal}fatal%{endif}"
                                      " %{category}: %{message}"));
}

} // namespace hermes
