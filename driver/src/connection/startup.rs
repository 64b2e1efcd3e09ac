//! Opening a session: pick a host, open the socket (TLS as `sslmode` says), send the startup
//! message, authenticate, then collect the session parameters up to the first ReadyForQuery.
//!
//! The exchange runs in two phases, each a function named for what it waits for:
//! `expect_authentication` (until AuthenticationOk) and `expect_ready` (until ReadyForQuery).

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};

use rand::seq::SliceRandom;

use super::Connection;
use super::cancel::CancelToken;
use super::io::MessageIo;
use super::statement_cache::StatementCache;
use crate::config::{
    Config, Host, LoadBalanceHosts, Pooler, SslMode, SslNegotiation, Target, TargetSessionAttrs,
};
use crate::error::{Error, Result};
use crate::net::{self, NetError, Stream, TlsOptions};
use crate::types::registry::TypeRegistry;
use quarry_protocol::auth::{self, AuthMethod, ChannelBindingData, ScramClient};
use quarry_protocol::backend::Message;
use quarry_protocol::{TransactionStatus, frontend};

/// Source of [`Connection`] session ids.
static NEXT_SESSION_ID: AtomicU64 = AtomicU64::new(1);

impl Connection {
    /// Connects with a [`Config`]: each host in turn until one accepts.
    ///
    /// ```no_run
    /// # async fn demo() -> quarry_driver::Result<()> {
    /// use quarry_driver::{Config, Connection};
    /// let config = Config::new().host("localhost").user("postgres").dbname("test");
    /// let conn = Connection::connect(&config).await?;
    /// # Ok(()) }
    /// ```
    pub async fn connect(config: &Config) -> Result<Connection> {
        config.check_tls_support()?;
        let wanted = config.get_target_session_attrs();
        // libpq's prefer-standby: a standby on any host first, then any server at all.
        let passes: &[TargetSessionAttrs] = match wanted {
            TargetSessionAttrs::PreferStandby => {
                &[TargetSessionAttrs::Standby, TargetSessionAttrs::Any]
            }
            _ => std::slice::from_ref(&wanted),
        };
        let mut targets = config.targets();
        if config.get_load_balance_hosts() == LoadBalanceHosts::Random {
            // libpq 16: one random order per connection, used by every pass.
            targets.shuffle(&mut rand::TryRngCore::unwrap_err(rand::rngs::OsRng));
        }
        let mut attempts = Vec::new();
        for &pass in passes {
            for target in &targets {
                let attempt = async {
                    let conn = connect_target(config, target).await?;
                    // The server's own state is judged before Quarry sets anything (a held
                    // read-only default would make every server look read only).
                    let mut conn = check_session_attrs(conn, pass).await?;
                    conn.pin_session_settings(config.read_only_session(), config.get_pooler())
                        .await?;
                    Ok(conn)
                };
                let result = match config.get_connect_timeout() {
                    Some(limit) => tokio::time::timeout(limit, attempt)
                        .await
                        .unwrap_or(Err(Error::ConnectTimeout(limit))),
                    None => attempt.await,
                };
                match result {
                    Ok(conn) => return Ok(conn),
                    Err(e) => attempts.push((describe_target(target), e)),
                }
            }
        }
        if attempts.len() == 1
            && let Some((_, e)) = attempts.pop()
        {
            return Err(e);
        }
        Err(Error::Connect { attempts })
    }
}

/// Checks the new session against `target_session_attrs`; a session that does not suit is
/// closed and the host skipped. PostgreSQL 14+ reports `in_hot_standby` and
/// `default_transaction_read_only` at startup; older servers are asked. A report of a primary
/// that suits is taken as it is only on a direct connection (`pooler=none`): a pooler
/// (pgbouncer) hands out the values it saw when it first logged in, so after a promotion it may
/// still say `in_hot_standby=on`, and after a primary came back as a standby on the same
/// address it may still say `off`. Otherwise the server is asked, in the same query that tells
/// whether a pooler stands in between.
async fn check_session_attrs(
    mut conn: Connection,
    wanted: TargetSessionAttrs,
) -> Result<Connection> {
    if wanted == TargetSessionAttrs::Any {
        return Ok(conn);
    }
    let reported = |name: &str| conn.parameter(name).map(|v| v == "on");
    let direct = conn.pooler.declared == Pooler::None;
    let (read_only, in_hot_standby) = match (
        reported("default_transaction_read_only"),
        reported("in_hot_standby"),
    ) {
        (Some(read_only), Some(false)) if direct && wanted.accepts(read_only, false) => {
            (read_only, false)
        }
        _ => {
            // The simple protocol: no statement is prepared (through a transaction pooler a
            // named one could meet another client's).
            let sql = "SELECT pg_catalog.current_setting('transaction_read_only'), \
                       pg_catalog.pg_is_in_recovery(), pg_catalog.pg_backend_pid()";
            let rows = conn.simple_rows(sql).await?;
            let row = rows.first().ok_or_else(|| Error::RowNotFound {
                query: sql.to_owned(),
            })?;
            let value = |i: usize| row.get(i).and_then(|v| v.as_deref());
            if let Some(pid) = value(2).and_then(|pid| pid.parse::<i32>().ok()) {
                conn.note_backend_pid(pid);
            }
            (value(0) == Some("on"), value(1) == Some("t"))
        }
    };
    if wanted.accepts(read_only, in_hot_standby) {
        return Ok(conn);
    }
    let found = match (read_only, in_hot_standby) {
        (_, true) => "in hot standby",
        (true, false) => "a read-only primary",
        (false, false) => "a read-write primary",
    };
    let mismatch = NetError::SessionAttrsMismatch {
        wanted: wanted.as_str(),
        found,
    };
    // Best effort, and bounded by connect_timeout: the session is discarded either way.
    let _ = conn.close().await;
    Err(mismatch.into())
}

/// `host:port` (or the socket path) of a target, as errors and replica status name it.
pub(crate) fn describe_target(target: &Target) -> String {
    match &target.host {
        Host::Tcp(host) if host.contains(':') => format!("[{host}]:{}", target.port),
        Host::Tcp(host) => format!("{host}:{}", target.port),
        Host::Unix(dir) => target
            .socket_path()
            .unwrap_or_else(|| dir.clone())
            .display()
            .to_string(),
    }
}

async fn connect_target(config: &Config, target: &Target) -> Result<Connection> {
    let tls = tls_options(config, target);
    let host = match &target.host {
        Host::Unix(dir) => {
            let path = target.socket_path().unwrap_or_else(|| dir.clone());
            let socket = net::connect_unix(&path).await?;
            return start_session(config, target, Stream::Unix(socket)).await;
        }
        Host::Tcp(host) => host,
    };
    match tls.mode {
        SslMode::Allow => {
            // libpq's `allow`: plain first; TLS only when the server refuses plain.
            let socket = net::connect_tcp_ordered(host, target.port, address_order(config)).await?;
            match start_session(config, target, Stream::Tcp(socket)).await {
                Err(e) if refused_plain(&e) => {
                    encrypted(config, target, host, &tls.retry_with_tls()).await
                }
                other => other,
            }
        }
        #[cfg(feature = "tls")]
        SslMode::Prefer => {
            let socket = net::connect_tcp_ordered(host, target.port, address_order(config)).await?;
            match net::negotiate_tls(socket, host, &tls).await {
                Ok(stream) => start_session(config, target, stream).await,
                // A server that cannot complete a handshake gets a plain retry, as libpq does.
                Err(NetError::Handshake { .. }) => {
                    let socket =
                        net::connect_tcp_ordered(host, target.port, address_order(config)).await?;
                    start_session(config, target, Stream::Tcp(socket)).await
                }
                Err(e) => Err(e.into()),
            }
        }
        // Without TLS built in, `prefer` is `disable`, as in a libpq built without SSL.
        #[cfg(not(feature = "tls"))]
        SslMode::Disable | SslMode::Prefer => {
            let socket = net::connect_tcp_ordered(host, target.port, address_order(config)).await?;
            start_session(config, target, Stream::Tcp(socket)).await
        }
        _ => encrypted(config, target, host, &tls).await,
    }
}

/// A session over TCP set up as `tls` says (`disable` stays plain).
#[cfg(feature = "tls")]
async fn encrypted(
    config: &Config,
    target: &Target,
    host: &str,
    tls: &TlsOptions,
) -> Result<Connection> {
    let socket = net::connect_tcp_ordered(host, target.port, address_order(config)).await?;
    let stream = net::negotiate_tls(socket, host, tls).await?;
    start_session(config, target, stream).await
}

/// Without TLS built in, the modes that need it were refused before connecting
/// (`Config::check_tls_support`); this is reached by `allow` when the server refuses plain text.
#[cfg(not(feature = "tls"))]
async fn encrypted(
    _config: &Config,
    _target: &Target,
    _host: &str,
    tls: &TlsOptions,
) -> Result<Connection> {
    let setting = match tls.mode {
        SslMode::Require => "sslmode=allow (the server refused a plain-text connection)".to_owned(),
        mode => format!("sslmode={mode}"),
    };
    Err(crate::config::ConfigError::TlsNotBuilt { setting }.into())
}

/// With `load_balance_hosts=random`, a host's addresses are shuffled too (libpq 16).
fn address_order(config: &Config) -> net::AddressOrder {
    match config.get_load_balance_hosts() {
        LoadBalanceHosts::Random => net::AddressOrder::Random,
        _ => net::AddressOrder::Resolver,
    }
}

/// The server refused a plain connection in pg_hba (SQLSTATE 28000 or 28P01 on a non-TLS socket).
fn refused_plain(error: &Error) -> bool {
    error
        .code()
        .is_some_and(|c| c.code() == "28000" || c.code() == "28P01")
}

fn tls_options(config: &Config, target: &Target) -> TlsOptions {
    TlsOptions {
        mode: config.sslmode_for(target),
        root_cert: config.get_ssl_root_cert().cloned(),
        client_cert: config.get_ssl_cert().map(Into::into),
        client_key: config.get_ssl_key().map(Into::into),
        direct: config.get_ssl_negotiation() == SslNegotiation::Direct,
    }
}

async fn start_session(config: &Config, target: &Target, stream: Stream) -> Result<Connection> {
    let mut io = MessageIo::new(stream);
    let user = config.user_or_default();
    let dbname = config.dbname_or_default();
    let mut params: Vec<(&str, &str)> = vec![
        ("user", &user),
        ("database", &dbname),
        ("client_encoding", "UTF8"),
    ];
    if let Some(name) = config.get_application_name() {
        params.push(("application_name", name));
    }
    if let Some(options) = config.get_options() {
        params.push(("options", options));
    }
    for (name, value) in config.server_settings() {
        params.push((name, value));
    }
    frontend::startup(&params, &mut io.write_buf)?;
    io.flush().await?;

    expect_authentication(&mut io, config, target, &user).await?;
    let mut conn = Connection {
        session_id: NEXT_SESSION_ID.fetch_add(1, Ordering::Relaxed),
        io,
        parameters: HashMap::new(),
        process_id: 0,
        secret_key: 0,
        tx_status: TransactionStatus::Idle,
        tx_depth: 0,
        wire: super::phase::Wire::starting(),
        pending_sql: String::new(),
        requests: 0,
        stale_plans: 0,
        session_dirty: false,
        pending_close: Vec::new(),
        closes_held: false,
        cache: StatementCache::new(
            config.get_statement_cache_size(),
            config.get_statement_cache_max_lifetime(),
            config.get_statement_cache_max_statement_size(),
        ),
        types: TypeRegistry::default(),
        command_timeout: config.get_command_timeout(),
        cancel: CancelToken::new(target.clone(), 0, 0),
        log_listeners: Vec::new(),
        notifications: VecDeque::new(),
        hooks: Default::default(),
        pooler: super::pooler::PoolerState::new(config.get_pooler()),
        pins: Default::default(),
    };
    conn.expect_ready(target).await?;
    Ok(conn)
}

/// Answers the server's authentication requests until AuthenticationOk.
async fn expect_authentication(
    io: &mut MessageIo,
    config: &Config,
    target: &Target,
    user: &str,
) -> Result<()> {
    let policy = config.get_channel_binding();
    let password = || {
        config
            .password_for(target)
            .ok_or_else(|| Error::PasswordRequired {
                user: user.to_owned(),
            })
    };
    let mut used_sasl = false;
    loop {
        match io.recv().await? {
            Message::AuthenticationOk => {
                if !used_sasl {
                    auth::check_method_allowed(AuthMethod::Trust, policy)?;
                }
                return Ok(());
            }
            Message::AuthenticationCleartextPassword => {
                auth::check_method_allowed(AuthMethod::Cleartext, policy)?;
                let password = password()?;
                frontend::password(password.as_bytes(), &mut io.write_buf)?;
                io.flush().await?;
            }
            Message::AuthenticationMd5Password { salt } => {
                auth::check_method_allowed(AuthMethod::Md5, policy)?;
                let password = password()?;
                let hashed = auth::md5_password(user, password.as_bytes(), salt);
                frontend::password(hashed.as_bytes(), &mut io.write_buf)?;
                io.flush().await?;
            }
            Message::AuthenticationSasl { mechanisms } => {
                used_sasl = true;
                let password = password()?;
                #[cfg(feature = "tls")]
                let end_point = io
                    .stream()
                    .peer_certificate()
                    .and_then(|cert| auth::tls_server_end_point(cert).ok());
                #[cfg(not(feature = "tls"))]
                let end_point: Option<Vec<u8>> = None;
                let (mechanism, binding) =
                    auth::choose_mechanism(&mechanisms, policy, end_point.as_deref())?;
                scram_exchange(io, mechanism.name(), password.as_bytes(), binding).await?;
            }
            Message::AuthenticationUnsupported { code } => {
                return Err(Error::UnsupportedAuthentication {
                    method: match code {
                        2 => "Kerberos V5",
                        6 => "SCM credential",
                        7 | 8 => "GSSAPI",
                        9 => "SSPI",
                        _ => "an unknown",
                    },
                });
            }
            Message::ErrorResponse(fields) => return Err(startup_error(&fields)),
            Message::NoticeResponse(_) | Message::NegotiateProtocolVersion { .. } => {}
            other => {
                return Err(Error::UnexpectedMessage {
                    expected: "an authentication request",
                    found: other.name(),
                });
            }
        }
    }
}

async fn scram_exchange(
    io: &mut MessageIo,
    mechanism: &str,
    password: &[u8],
    binding: ChannelBindingData,
) -> Result<()> {
    let (client_first, state) = ScramClient::start(password, binding);
    frontend::sasl_initial_response(mechanism, &client_first, &mut io.write_buf)?;
    io.flush().await?;
    let server_first = match io.recv().await? {
        Message::AuthenticationSaslContinue { data } => data,
        Message::ErrorResponse(fields) => return Err(startup_error(&fields)),
        other => return Err(unexpected_in_sasl(&other)),
    };
    let (client_final, state) = state.handle(&server_first)?;
    frontend::sasl_response(&client_final, &mut io.write_buf)?;
    io.flush().await?;
    match io.recv().await? {
        Message::AuthenticationSaslFinal { data } => Ok(state.verify(&data)?),
        Message::ErrorResponse(fields) => Err(startup_error(&fields)),
        other => Err(unexpected_in_sasl(&other)),
    }
}

fn unexpected_in_sasl(found: &Message) -> Error {
    Error::UnexpectedMessage {
        expected: "the next SCRAM message",
        found: found.name(),
    }
}

fn startup_error(fields: &quarry_protocol::backend::ErrorFields) -> Error {
    match crate::error::DbError::parse(fields.iter().filter_map(|f| f.ok())) {
        Ok(error) => Error::db(error, None),
        Err(e) => Error::MalformedServerError(e.to_string()),
    }
}

impl Connection {
    /// After AuthenticationOk: BackendKeyData and ParameterStatus messages until ReadyForQuery.
    async fn expect_ready(&mut self, target: &Target) -> Result<()> {
        loop {
            match self.recv().await? {
                Message::BackendKeyData {
                    process_id,
                    secret_key,
                } => {
                    self.process_id = process_id;
                    self.secret_key = secret_key;
                    self.cancel = CancelToken::new(target.clone(), process_id, secret_key);
                }
                Message::ReadyForQuery { status } => {
                    self.on_ready(status)?;
                    return Ok(());
                }
                Message::ErrorResponse(fields) => return Err(startup_error(&fields)),
                Message::NegotiateProtocolVersion { .. } => {}
                other => return Err(self.unexpected("the end of the startup", &other)),
            }
        }
    }
}
