//! Configuration: flags, then `CARTERA_*` environment variables, then `cartera.toml`,
//! then defaults. With nothing set, Cartera keeps everything in SQLite under `./data/`
//! and answers on http://127.0.0.1:8080.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("listen address '{0}' is not host:port (e.g. 127.0.0.1:8080)")]
    Listen(String),
    #[error("public URL '{0}' must start with http:// or https:// (e.g. https://crm.example.com)")]
    PublicUrl(String),
    #[error("time zone '{0}' is not an IANA name (e.g. America/Argentina/Buenos_Aires)")]
    TimeZone(String),
    #[error(
        "trusted proxy '{0}' is not an IP address or a CIDR range (e.g. 10.0.0.5 or 10.0.0.0/8)"
    )]
    TrustedProxy(String),
    #[error("cannot create the data folder {path}: {source}")]
    DataDir {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What `cartera.toml` may hold; every key is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub db_max_connections: Option<u32>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub token_rate_limit: Option<u32>,
    pub refused_token_rate_limit: Option<u32>,
    /// IPs and CIDR ranges, e.g. `["10.0.0.0/8", "192.168.1.5"]`.
    pub trusted_proxies: Option<Vec<String>>,
    pub time_zone: Option<String>,
}

impl FileConfig {
    /// Reads `path`; a missing default file is no error, a missing named one is.
    pub fn load(path: &Path, required: bool) -> Result<FileConfig, ConfigError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| ConfigError::Parse {
                path: path.to_owned(),
                message: e.to_string(),
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                Ok(FileConfig::default())
            }
            Err(source) => Err(ConfigError::Read {
                path: path.to_owned(),
                source,
            }),
        }
    }
}

/// Settled configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub data_dir: PathBuf,
    pub database_url: String,
    pub db_max_connections: u32,
    pub log: String,
    pub json_logs: bool,
    /// Where people reach Cartera, without a trailing slash; links in emails start with it.
    pub public_url: String,
    /// lettre's connection URL of the SMTP server; none: emails go to the log.
    pub smtp_url: Option<String>,
    pub smtp_from: String,
    /// API requests a minute per token; 0: no limit.
    pub token_rate_limit: u32,
    /// Refused tokens a minute per client address before 429; 0: no limit.
    pub refused_token_rate_limit: u32,
    /// The reverse proxies whose forwarding headers name the client.
    pub trusted_proxies: TrustedProxies,
    /// The company's time zone: where its business day turns.
    pub time_zone: chrono_tz::Tz,
}

/// The reverse proxies (addresses and CIDR ranges) in front of Cartera. A request from
/// one of them is taken to come from the address its `X-Forwarded-For` (or, without
/// one, `Forwarded`) header names; from anyone else those headers are ignored, since a
/// client can write whatever it likes there.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<ipnet::IpNet>);

impl TrustedProxies {
    /// Reads a list separated by commas or spaces: `10.0.0.5, 10.1.0.0/16, ::1`.
    pub fn parse(list: &str) -> Result<TrustedProxies, ConfigError> {
        Self::from_items(list.split([',', ' ']).filter(|s| !s.is_empty()))
    }

    pub fn from_items<'a>(
        items: impl IntoIterator<Item = &'a str>,
    ) -> Result<TrustedProxies, ConfigError> {
        items
            .into_iter()
            .map(|item| {
                let item = item.trim();
                item.parse::<ipnet::IpNet>()
                    .or_else(|_| item.parse::<IpAddr>().map(ipnet::IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| ConfigError::TrustedProxy(item.to_owned()))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        // A proxy speaking IPv6 to an IPv4 listener shows up as ::ffff:a.b.c.d.
        let ip = ip.to_canonical();
        self.0.iter().any(|net| net.contains(&ip))
    }
}

impl std::fmt::Display for TrustedProxies {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let items: Vec<String> = self.0.iter().map(ToString::to_string).collect();
        f.write_str(&items.join(", "))
    }
}

/// API requests a token may make in a minute unless configured: a hundred a second,
/// far above what a person's integration needs, low enough to stop a runaway loop.
pub const DEFAULT_TOKEN_RATE_LIMIT: u32 = 6000;

/// Refused bearer tokens an address may send in a minute unless configured (see
/// `state::BEARER_FAILURES_PER_MINUTE`).
pub const DEFAULT_REFUSED_TOKEN_RATE_LIMIT: u32 = 30;

/// Values given on the command line or in the environment (clap reads both).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub database_url: Option<String>,
    pub db_max_connections: Option<u32>,
    pub log: Option<String>,
    pub log_format: Option<String>,
    pub public_url: Option<String>,
    pub smtp_url: Option<String>,
    pub smtp_from: Option<String>,
    pub token_rate_limit: Option<u32>,
    pub refused_token_rate_limit: Option<u32>,
    /// `CARTERA_TRUSTED_PROXIES`: addresses and CIDR ranges separated by commas.
    pub trusted_proxies: Option<String>,
    pub time_zone: Option<String>,
}

impl Config {
    pub fn resolve(o: Overrides, file: FileConfig) -> Result<Config, ConfigError> {
        let listen_raw = o
            .listen
            .or(file.listen)
            .unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen = listen_raw
            .parse::<SocketAddr>()
            .map_err(|_| ConfigError::Listen(listen_raw.clone()))?;
        let data_dir = o
            .data_dir
            .or(file.data_dir)
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = match o.database_url.or(file.database_url) {
            Some(u) => u,
            None => {
                std::fs::create_dir_all(&data_dir).map_err(|source| ConfigError::DataDir {
                    path: data_dir.clone(),
                    source,
                })?;
                format!(
                    "sqlite://{}?mode=rwc",
                    data_dir.join("cartera.db").display()
                )
            }
        };
        let public_url = o
            .public_url
            .or(file.public_url)
            .unwrap_or_else(|| format!("http://{listen}"));
        let public_url = public_url.trim().trim_end_matches('/').to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err(ConfigError::PublicUrl(public_url));
        }
        let trusted_proxies = match (o.trusted_proxies, file.trusted_proxies) {
            (Some(list), _) => TrustedProxies::parse(&list)?,
            (None, Some(items)) => TrustedProxies::from_items(items.iter().map(String::as_str))?,
            (None, None) => TrustedProxies::default(),
        };
        let time_zone = match o.time_zone.or(file.time_zone) {
            Some(name) => name
                .trim()
                .parse::<chrono_tz::Tz>()
                .map_err(|_| ConfigError::TimeZone(name.clone()))?,
            None => chrono_tz::Tz::UTC,
        };
        Ok(Config {
            listen,
            trusted_proxies,
            time_zone,
            public_url,
            smtp_url: o
                .smtp_url
                .or(file.smtp_url)
                .filter(|u| !u.trim().is_empty()),
            smtp_from: o
                .smtp_from
                .or(file.smtp_from)
                .unwrap_or_else(|| cartera_app::mail::DEFAULT_FROM.into()),
            token_rate_limit: o
                .token_rate_limit
                .or(file.token_rate_limit)
                .unwrap_or(DEFAULT_TOKEN_RATE_LIMIT),
            refused_token_rate_limit: o
                .refused_token_rate_limit
                .or(file.refused_token_rate_limit)
                .unwrap_or(DEFAULT_REFUSED_TOKEN_RATE_LIMIT),
            data_dir,
            database_url,
            db_max_connections: o
                .db_max_connections
                .or(file.db_max_connections)
                .unwrap_or(8),
            log: o
                .log
                .or(file.log)
                .unwrap_or_else(|| "info,sqlx=warn,tower_http=warn".into()),
            json_logs: o.log_format.or(file.log_format).as_deref() == Some("json"),
        })
    }

    /// The database URL without its password, for the log.
    pub fn database_display(&self) -> String {
        without_password(&self.database_url)
    }

    /// Where emails go, without the SMTP password, for the log.
    pub fn mail_display(&self) -> String {
        match &self.smtp_url {
            Some(u) => without_password(u),
            None => "the log (no CARTERA_SMTP_URL)".into(),
        }
    }
}

fn without_password(url: &str) -> String {
    match url.rsplit_once('@') {
        Some((head, tail)) if head.contains("://") => {
            let scheme_end = head.find("://").map(|i| i + 3).unwrap_or(0);
            let user = head[scheme_end..].split(':').next().unwrap_or("");
            format!("{}{user}:***@{tail}", &head[..scheme_end])
        }
        _ => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_sqlite_under_data() {
        let dir = tempfile::tempdir().unwrap();
        let o = Overrides {
            data_dir: Some(dir.path().join("d")),
            ..Overrides::default()
        };
        let c = Config::resolve(o, FileConfig::default()).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:8080");
        assert!(c.database_url.starts_with("sqlite://"));
        assert!(dir.path().join("d").is_dir());
        assert_eq!(c.public_url, "http://127.0.0.1:8080");
        assert_eq!(c.smtp_url, None);
        assert_eq!(c.smtp_from, "Cartera <no-reply@localhost>");
        assert_eq!(c.token_rate_limit, 6000);
        assert_eq!(c.refused_token_rate_limit, 30);
        assert_eq!(c.time_zone, chrono_tz::Tz::UTC);
    }

    #[test]
    fn the_company_time_zone_is_an_iana_name() {
        let dir = tempfile::tempdir().unwrap();
        let with = |tz: &str| {
            Config::resolve(
                Overrides {
                    data_dir: Some(dir.path().join("d")),
                    time_zone: Some(tz.into()),
                    ..Overrides::default()
                },
                FileConfig::default(),
            )
        };
        assert_eq!(
            with("America/Argentina/Buenos_Aires").unwrap().time_zone,
            chrono_tz::America::Argentina::Buenos_Aires
        );
        let e = with("Buenos Aires").unwrap_err().to_string();
        assert!(e.contains("IANA"), "{e}");
    }

    #[test]
    fn mail_and_limits_from_the_file() {
        let file: FileConfig = toml::from_str(
            "database_url = \"sqlite://x.db\"\npublic_url = \"https://crm.example.com/\"\n\
             smtp_url = \"smtp://ana:p@ss@mail.example.com:587?tls=required\"\n\
             smtp_from = \"Ventas <ventas@example.com>\"\ntoken_rate_limit = 0\n\
             refused_token_rate_limit = 0",
        )
        .unwrap();
        let c = Config::resolve(Overrides::default(), file).unwrap();
        assert_eq!(c.public_url, "https://crm.example.com");
        assert_eq!(c.smtp_from, "Ventas <ventas@example.com>");
        assert_eq!(c.token_rate_limit, 0);
        assert_eq!(c.refused_token_rate_limit, 0);
        assert_eq!(
            c.mail_display(),
            "smtp://ana:***@mail.example.com:587?tls=required"
        );
        let bad = Overrides {
            database_url: Some("sqlite://x.db".into()),
            public_url: Some("crm.example.com".into()),
            ..Overrides::default()
        };
        assert!(matches!(
            Config::resolve(bad, FileConfig::default()),
            Err(ConfigError::PublicUrl(_))
        ));
    }

    #[test]
    fn flags_win_over_the_file() {
        let file: FileConfig = toml::from_str(
            "listen = \"0.0.0.0:9000\"\ndatabase_url = \"postgres://u:secret@h/db\"",
        )
        .unwrap();
        let c = Config::resolve(
            Overrides {
                listen: Some("127.0.0.1:7000".into()),
                ..Overrides::default()
            },
            file,
        )
        .unwrap();
        assert_eq!(c.listen.port(), 7000);
        assert_eq!(c.database_display(), "postgres://u:***@h/db");
    }

    #[test]
    fn trusted_proxies_from_the_environment_or_the_file() {
        let file: FileConfig = toml::from_str(
            "database_url = \"sqlite://x.db\"\ntrusted_proxies = [\"10.0.0.0/8\", \"192.168.1.5\"]",
        )
        .unwrap();
        let c = Config::resolve(Overrides::default(), file).unwrap();
        assert!(c.trusted_proxies.contains("10.20.30.40".parse().unwrap()));
        assert!(c.trusted_proxies.contains("192.168.1.5".parse().unwrap()));
        assert!(
            c.trusted_proxies
                .contains("::ffff:10.0.0.1".parse().unwrap())
        );
        assert!(!c.trusted_proxies.contains("192.168.1.6".parse().unwrap()));
        assert_eq!(c.trusted_proxies.to_string(), "10.0.0.0/8, 192.168.1.5/32");

        let env = Overrides {
            database_url: Some("sqlite://x.db".into()),
            trusted_proxies: Some("fd00::/8 127.0.0.1".into()),
            ..Overrides::default()
        };
        let c = Config::resolve(env, FileConfig::default()).unwrap();
        assert!(c.trusted_proxies.contains("fd00::1".parse().unwrap()));
        assert!(!c.trusted_proxies.contains("10.0.0.1".parse().unwrap()));

        let none = Overrides {
            database_url: Some("sqlite://x.db".into()),
            ..Overrides::default()
        };
        assert!(
            Config::resolve(none, FileConfig::default())
                .unwrap()
                .trusted_proxies
                .is_empty()
        );
        let bad = Overrides {
            database_url: Some("sqlite://x.db".into()),
            trusted_proxies: Some("10.0.0.0/8, proxy.local".into()),
            ..Overrides::default()
        };
        assert!(matches!(
            Config::resolve(bad, FileConfig::default()),
            Err(ConfigError::TrustedProxy(p)) if p == "proxy.local"
        ));
    }

    #[test]
    fn unknown_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("lisen = \"x\"").is_err());
    }
}
